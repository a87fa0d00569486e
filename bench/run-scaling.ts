/**
 * The scaling benchmark: every policy on every trace of bench/traces/, as a markdown table, printed and saved to
 * bench/results/scaling.md, followed by the check of the autoscaler's targets against the two public autoscalers.
 *
 *   npx tsx bench/run-scaling.ts [--metric-delay-minutes 2] [--reshard-minutes 4]
 *
 * The traces are regenerated from bench/traces/generate.ts when a CSV is missing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import {
  controllerFor, DEFAULT_METRIC_DELAY_MINUTES, DEFAULT_RESHARD_MINUTES, defaultInitialShards, defaultPolicyConfig, demandShards,
  formatTrace, parseTrace, PolicyName, reactiveBound, SimResult, simulate, TraceRow,
} from './sim';
import { TRACES } from './traces/generate';
import { resolveConfig, SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from '../lambda/shard-autoscaler/policy';

const POLICIES: PolicyName[] = ['autoscaler', 'aws-samples', 'substation', 'static', 'on-demand'];

export interface TraceResults {
  readonly trace: string;
  readonly results: Record<PolicyName, SimResult>;
  /** Peak demand of the trace, MiB/s (bytes; records as 1 KiB each when they bind first). */
  readonly peakMiBps: number;
  /** Throttled share of bytes at the bound (bench/sim/bound.ts). */
  readonly boundThrottled: number;
  /**
   * Share of the trace's bytes that one hot partition key writes beyond the 1 MiB/s (or 1,000 records/s) of the one shard
   * it maps to: throttled whatever the capacity, in either mode. 0 on a trace without a hot key.
   */
  readonly hotKeyFloor: number;
  /** Shard-hours of a static stream with the fewest shards that throttle no more than on-demand (or 0.1%). */
  readonly leastStatic: { readonly shards: number; readonly shardHours: number; readonly throttled: number };
}

/** The verdicts of issue 16's targets for one trace. */
export interface TargetCheck {
  readonly trace: string;
  /** Peak demand above 1 MiB/s: the on-demand targets apply. */
  readonly onDemandTargetsApply: boolean;
  readonly throttled: number;
  readonly onDemandThrottled: number;
  /** Throttled bytes ≤ on-demand's, or ≤ 0.1% where on-demand throttles less than that. */
  readonly throttleTargetMet: boolean;
  /** Cost ÷ on-demand's cost. */
  readonly costRatio: number;
  /** Cost ≤ 1/3 of on-demand's. */
  readonly costTargetMet: boolean;
  /** The better public autoscaler: the one that throttles less (fewer shard-hours on a tie). */
  readonly anchor: string;
  readonly anchorThrottled: number;
  readonly anchorShardHours: number;
  readonly shardHours: number;
  /** Anchor ≤ 0.1% throttled: no more shard-hours; otherwise less throttling at ≤ 1.5× its shard-hours. */
  readonly anchorTargetMet: boolean;
  readonly boundThrottled: number;
  readonly violations: number;
}

function loadTrace(name: string): TraceRow[] {
  const file = join(__dirname, 'traces', `${name}.csv`);
  if (!existsSync(file)) writeFileSync(file, formatTrace(TRACES[name]()));
  return parseTrace(readFileSync(file, 'utf8'));
}

export function runAll(delay: number, reshard: number): TraceResults[] {
  return Object.keys(TRACES).map((trace) => {
    const rows = loadTrace(trace);
    const initial = defaultInitialShards(rows);
    const peakShards = Math.max(1, Math.ceil(Math.max(...rows.map(demandShards)) - 1e-9));
    const results = {} as Record<PolicyName, SimResult>;
    let boundThrottled = 0;
    for (const policy of POLICIES) {
      const shards = policy === 'static' ? peakShards : initial;
      const out = simulate(rows, controllerFor(policy, shards), { initialShards: shards, metricDelayMinutes: delay, reshardMinutes: reshard });
      results[policy] = out.result;
      if (policy === 'autoscaler') {
        boundThrottled = reactiveBound(rows, out.timeline, {
          metricDelayMinutes: delay, reshardMinutes: reshard, evidenceUtilization: resolveConfig(defaultPolicyConfig(shards)).scaleOutUtilization,
        }).throttledBytesFraction;
      }
    }
    const peakMiBps = Math.max(...rows.map(demandShards));
    const allowed = Math.max(results['on-demand'].throttledBytesFraction, NEGLIGIBLE_THROTTLING) + EPS;
    return { trace, results, peakMiBps, boundThrottled, hotKeyFloor: hotKeyFloor(rows), leastStatic: leastStatic(rows, peakShards, allowed) };
  });
}

/** See `TraceResults.hotKeyFloor`. */
export function hotKeyFloor(rows: readonly TraceRow[]): number {
  let total = 0;
  let floor = 0;
  for (const r of rows) {
    total += r.incomingBytes;
    const hot = r.hotKeyShare ?? 0;
    if (hot <= 0) continue;
    const over = Math.max(0, 1 - SHARD_BYTES_PER_MINUTE / (hot * r.incomingBytes),
      1 - SHARD_RECORDS_PER_MINUTE / (hot * r.incomingRecords));
    floor += over * hot * r.incomingBytes;
  }
  return total > 0 ? floor / total : 0;
}

/** The fewest shards a static stream needs to throttle at most `allowed` of the trace's bytes (see `TraceResults.leastStatic`). */
function leastStatic(rows: readonly TraceRow[], peakShards: number, allowed: number): TraceResults['leastStatic'] {
  for (let shards = 1; ; shards++) {
    const r = simulate(rows, controllerFor('static', shards), { initialShards: shards }).result;
    if (r.throttledBytesFraction <= allowed || shards >= peakShards) {
      return { shards, shardHours: r.shardHours!, throttled: r.throttledBytesFraction };
    }
  }
}

/** Small fractions are compared with a tolerance of 1e-7 (0.00001%), below the noise of the traces. */
const EPS = 1e-7;
/** Throttling that counts as none for the targets (0.1% of bytes). */
const NEGLIGIBLE_THROTTLING = 0.001;

export function checkTargets(all: readonly TraceResults[]): TargetCheck[] {
  return all.map(({ trace, results, peakMiBps, boundThrottled }) => {
    const me = results.autoscaler;
    const od = results['on-demand'];
    const anchors = [results['aws-samples'], results.substation]
      .sort((x, y) => x.throttledBytesFraction - y.throttledBytesFraction || x.shardHours! - y.shardHours!);
    const anchor = anchors[0];
    const throttled = me.throttledBytesFraction;
    const shardHours = me.shardHours!;
    const anchorTargetMet = anchor.throttledBytesFraction <= NEGLIGIBLE_THROTTLING + EPS
      ? shardHours <= anchor.shardHours! + 1e-9
      : throttled < anchor.throttledBytesFraction - EPS && shardHours <= 1.5 * anchor.shardHours! + 1e-9;
    return {
      trace,
      onDemandTargetsApply: peakMiBps > 1,
      throttled,
      onDemandThrottled: od.throttledBytesFraction,
      throttleTargetMet: throttled <= Math.max(od.throttledBytesFraction, NEGLIGIBLE_THROTTLING) + EPS,
      costRatio: me.costUsd / od.costUsd,
      costTargetMet: me.costUsd <= od.costUsd / 3 + 1e-9,
      anchor: anchor.policy,
      anchorThrottled: anchor.throttledBytesFraction,
      anchorShardHours: anchor.shardHours!,
      shardHours,
      anchorTargetMet,
      boundThrottled,
      violations: me.limitViolations,
    };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.0001 ? 4 : 2)}%`;
const usd = (x: number) => `$${x.toFixed(2)}`;
const change = (mine: number, best: number) => (best > 0 ? `${mine <= best ? '' : '+'}${((100 * (mine - best)) / best).toFixed(0)}%` : mine > 0 ? 'worse' : '±0');

export function markdown(all: readonly TraceResults[], checks: readonly TargetCheck[], delay: number, reshard: number): string {
  const out: string[] = [];
  out.push('# Scaling benchmark');
  out.push('');
  out.push(`Generated by \`npx tsx bench/run-scaling.ts\` (metric delay ${delay} min, reshard ${reshard} min; traces in bench/traces/,`);
  out.push('generated by bench/traces/generate.ts). Every provisioned policy starts at the first hour\'s peak demand at 70% utilisation;');
  out.push('static holds the whole trace\'s peak at 100%. Cost: shard-hours and PUT payload units (provisioned) or stream-hours and');
  out.push('ingest (on-demand), us-east-1 prices of aws.amazon.com/kinesis/data-streams/pricing, no consumers. Calls: UpdateShardCount calls (the most in any rolling 24 h).');
  out.push('Violations: calls AWS would reject (stream not ACTIVE, beyond ½×–2×, more than 10 in a rolling 24 h).');
  out.push('');
  out.push('| trace | policy | throttled bytes | shard-hours | cost | calls (max/24 h) | violations | on-demand cost |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const { trace, results } of all) {
    for (const policy of POLICIES.filter((p) => p !== 'on-demand')) {
      const r = results[policy];
      out.push(`| ${trace} | ${policy} | ${pct(r.throttledBytesFraction)} | ${r.shardHours!.toFixed(1)} | ${usd(r.costUsd)} | `
        + `${r.scalingCalls} (${r.maxCallsInRolling24h}) | ${r.limitViolations} | ${policy === 'autoscaler' ? usd(results['on-demand'].costUsd) : ''} |`);
    }
  }
  out.push('');
  out.push('## Targets (issue 16): the autoscaler against on-demand, the better public autoscaler and the bound');
  out.push('');
  out.push('On-demand targets (traces above 1 MiB/s at peak): throttled bytes ≤ on-demand\'s (or ≤ 0.1%), cost ≤ 1/3 of on-demand\'s.');
  out.push('Anchor target: no more shard-hours than the better public autoscaler where it throttles ≤ 0.1%; otherwise less');
  out.push('throttling at ≤ 1.5× its shard-hours. Bound: the least throttling of a reactive policy from the autoscaler\'s capacity');
  out.push('(bench/sim/bound.ts); distance = autoscaler − bound, in points of throttled bytes.');
  out.push('');
  out.push('| trace | peak MiB/s | throttled: autoscaler / on-demand | met | cost ÷ on-demand | met | shard-hours: anchor (its throttling) → autoscaler | met | bound | distance | violations |');
  out.push('|---|---:|---|---|---:|---|---|---|---:|---:|---:|');
  const yes = (b: boolean, applies = true) => (applies ? (b ? 'yes' : '**no**') : 'n/a');
  for (const c of checks) {
    out.push(`| ${c.trace} | ${all.find((t) => t.trace === c.trace)!.peakMiBps.toFixed(1)} | ${pct(c.throttled)} / ${pct(c.onDemandThrottled)} | `
      + `${yes(c.throttleTargetMet, c.onDemandTargetsApply)} | ${c.costRatio.toFixed(2)} | ${yes(c.costTargetMet, c.onDemandTargetsApply)} | `
      + `${c.anchor} ${c.anchorShardHours.toFixed(1)} (${pct(c.anchorThrottled)}) → ${c.shardHours.toFixed(1)} (${change(c.shardHours, c.anchorShardHours)}) | `
      + `${yes(c.anchorTargetMet)} | ${pct(c.boundThrottled)} | ${(100 * (c.throttled - c.boundThrottled)).toFixed(3)} | ${c.violations} |`);
  }
  out.push('');
  out.push('Notes:');
  out.push('- The bound starts from the autoscaler\'s own capacity before the evidence (its price): it is the least throttling a');
  out.push('  reactive policy reaches at that price, not at any price. A policy that holds more capacity at rest (on-demand holds 2×');
  out.push('  its previous peak) can throttle less than the bound, and pays for it.');
  for (const t of all) {
    const c = checks.find((x) => x.trace === t.trace)!;
    if (t.hotKeyFloor > 0) {
      const od = t.results['on-demand'].throttledBytesFraction;
      out.push(`- ${t.trace}: one partition key writes beyond the 1 MiB/s of the one shard it maps to; ${pct(t.hotKeyFloor)} of the trace's`);
      out.push('  bytes are that excess, throttled in either mode whatever the capacity (AWS applies the per-shard limit to on-demand');
      out.push('  streams too). Above that floor the hot shard also throttles the other keys that hash to it, a share that falls as');
      out.push(`  shards are added: autoscaler ${pct(c.throttled - t.hotKeyFloor)}, on-demand ${pct(od - t.hotKeyFloor)} above the floor. The`);
      out.push('  autoscaler\'s shard count is known; on-demand\'s is modelled as ceil(capacity ÷ 1 MiB/s) shards sharing the capacity');
      out.push('  evenly. AWS does not document how an on-demand stream lays out its shards, only that it splits a shard above 500 KB/s');
      out.push('  within about 15 minutes, which would leave the hot key nearly alone on its shard: a real on-demand stream may throttle');
      out.push('  little more than the floor. So the comparison on this trace is defined against the model (uniform shards, no split');
      out.push('  of the hot shard) and says nothing about a real on-demand stream; the autoscaler reports the hot key (HotKeyThrottling)');
      out.push('  rather than scaling for it.');
    }
    if (!c.anchorTargetMet && c.anchorThrottled > NEGLIGIBLE_THROTTLING + EPS) {
      out.push(`- ${t.trace}: the anchor target (less throttling than ${c.anchor}'s ${pct(c.anchorThrottled)} at ≤ 1.5 × its ${c.anchorShardHours.toFixed(1)}`);
      out.push(`  shard-hours = ${(1.5 * c.anchorShardHours).toFixed(1)}) and the on-demand target (≤ ${pct(Math.max(c.onDemandThrottled, NEGLIGIBLE_THROTTLING))}) cannot both be met.`);
      out.push(`  A static stream needs ${t.leastStatic.shards} shards (${t.leastStatic.shardHours.toFixed(1)} shard-hours, ${pct(t.leastStatic.throttled)} throttled) to meet the`);
      out.push('  second; a burst shorter than the metric delay plus a reshard is over before any reactive policy has more shards, so');
      out.push('  the count must be held through the bursts, and with 10 UpdateShardCount calls per rolling 24 h (a dip takes two)');
      out.push('  the stream can be smaller between at most 5 bursts a day. The autoscaler meets the on-demand target.');
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The same checks with the two unverified model parameters moved: metric delay 1 and 3 minutes, reshards of 2 and 8
 * minutes. Not a target; it shows how much the verdicts depend on the model.
 */
function sensitivity(): string {
  const out = ['', '## Sensitivity to the unverified model parameters (not a target)', '',
    '| metric delay, reshard | trace | throttled: autoscaler / on-demand / bound | cost ÷ on-demand | shard-hours: anchor → autoscaler |',
    '|---|---|---|---:|---|'];
  for (const [d, r] of [[1, 4], [3, 4], [2, 2], [2, 8]]) {
    for (const c of checkTargets(runAll(d, r))) {
      out.push(`| ${d} min, ${r} min | ${c.trace} | ${pct(c.throttled)} / ${pct(c.onDemandThrottled)} / ${pct(c.boundThrottled)} | `
        + `${c.costRatio.toFixed(2)} | ${c.anchorShardHours.toFixed(1)} → ${c.shardHours.toFixed(1)} (${change(c.shardHours, c.anchorShardHours)}) |`);
    }
  }
  return out.join('\n') + '\n';
}

function main(): void {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const delay = opt('metric-delay-minutes', DEFAULT_METRIC_DELAY_MINUTES);
  const reshard = opt('reshard-minutes', DEFAULT_RESHARD_MINUTES);
  const all = runAll(delay, reshard);
  let md = markdown(all, checkTargets(all), delay, reshard);
  if (delay === DEFAULT_METRIC_DELAY_MINUTES && reshard === DEFAULT_RESHARD_MINUTES) md += sensitivity();
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  if (delay === DEFAULT_METRIC_DELAY_MINUTES && reshard === DEFAULT_RESHARD_MINUTES) writeFileSync(join(dir, 'scaling.md'), md);
  process.stdout.write(md);
}

if (require.main === module) main();
