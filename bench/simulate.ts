/**
 * Replays a traffic trace against a scaling policy and prints one JSON line of results.
 *
 *   npm run simulate -- --trace <csv> --policy <autoscaler|on-demand|static|aws-samples|substation>
 *     [--shards N] [--timeline <csv>] [--metric-delay-minutes 2] [--reshard-minutes 4]
 *
 * --shards: the shard count at minute 0 (static: the fixed count). Default: the first hour's peak demand at 70%
 *   utilisation; for static, the whole trace's peak at 100% (provisioned for the peak).
 * --metric-delay-minutes (default 2): minutes after a minute ends before CloudWatch shows it to alarms and the policy.
 * --reshard-minutes (default 4): minutes from the UpdateShardCount call to the new capacity.
 * The trace CSV has the header minute,incoming_bytes,incoming_records and one row per minute (demand, per-minute sums).
 */
import { readFileSync, writeFileSync } from 'fs';
import { controllerFor, demandShards, formatTimeline, parseTrace, PolicyName, POLICY_NAMES, simulate } from './sim';

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      args.set(a.slice(2, eq), a.slice(eq + 1));
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      args.set(a.slice(2), v);
      i++;
    }
  }
  const known = ['trace', 'policy', 'shards', 'timeline', 'metric-delay-minutes', 'reshard-minutes'];
  for (const k of args.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k} (known: ${known.map((x) => '--' + x).join(', ')})`);
  return args;
}

function intArg(args: Map<string, string>, name: string): number | undefined {
  const v = args.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got "${v}"`);
  return n;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const tracePath = args.get('trace');
  const policy = args.get('policy');
  if (!tracePath || !policy) throw new Error('usage: simulate --trace <csv> --policy <' + POLICY_NAMES.join('|') + '> [--shards N] [--timeline <csv>] [--metric-delay-minutes 2] [--reshard-minutes 4]');
  if (!(POLICY_NAMES as readonly string[]).includes(policy)) throw new Error(`--policy must be one of ${POLICY_NAMES.join(', ')}, got "${policy}"`);
  const trace = parseTrace(readFileSync(tracePath, 'utf8'));
  let shards = intArg(args, 'shards');
  if (shards === undefined && policy === 'static') shards = Math.max(1, Math.ceil(Math.max(...trace.map(demandShards)) - 1e-9));
  const initial = shards;
  const controller = controllerFor(policy as PolicyName, initial ?? 1);
  const { result, timeline } = simulate(trace, controller, {
    initialShards: initial,
    metricDelayMinutes: intArg(args, 'metric-delay-minutes'),
    reshardMinutes: intArg(args, 'reshard-minutes'),
  });
  const timelinePath = args.get('timeline');
  if (timelinePath) writeFileSync(timelinePath, formatTimeline(timeline));
  process.stdout.write(JSON.stringify(result) + '\n');
}

try {
  main();
} catch (e) {
  process.stderr.write(`simulate: ${(e as Error).message}\n`);
  process.exit(1);
}
