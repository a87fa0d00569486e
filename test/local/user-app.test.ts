/**
 * A user's own app: `npm run local -- <pipeline> --app path/to/cdk.out --stack Name` reads a stack built from the
 * library's constructs under any stack name. Here the example stacks (pipelines with a Redshift warehouse in a VPC, the
 * lake's Glue tables and Athena workgroup) are synthesized under other names into a fresh cloud assembly and read
 * back through the same reader the runner uses.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ClickstreamStack } from '../../examples/clickstream-stack';
import { IotSensorStack } from '../../examples/iot-sensor-stack';
import { parseArgs } from '../../local/args';
import { readAssembly } from '../../local/assembly';
import { readWiring } from '../../local/wiring';

let outdir: string;
beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-user-app-'));
  const app = new App({ outdir });
  new ClickstreamStack(app, 'ShopClicks');
  new IotSensorStack(app, 'PlantSensors');
  app.synth();
}, 120_000);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('--app and --stack name the assembly and the stack', () => {
  const args = parseArgs(['clickstream', '--app', outdir, '--stack', 'ShopClicks', '--once']);
  expect(args).toMatchObject({ pipeline: 'clickstream', app: outdir, stack: 'ShopClicks', once: true });
  expect(() => readAssembly(outdir, 'ClickstreamPipeline')).toThrow('stack ClickstreamPipeline not in');
});

test('a clickstream stack under another name: the session consumer, its mapping, the Flink job and the deliveries', () => {
  const w = readWiring(readAssembly(outdir, 'ShopClicks'));
  const consumer = w.functions.find((f) => f.environment.SESSION_TABLE_NAME !== undefined)!;
  expect(w.mappings).toEqual([expect.objectContaining({ functionName: consumer.name, viaConsumer: true, reportBatchItemFailures: true })]);
  expect(fs.existsSync(path.join(consumer.codePath, 'index.js'))).toBe(true);
  expect(w.flink).toHaveLength(1);
  expect(fs.statSync(w.flink[0].jarPath).size).toBeGreaterThan(1_000_000);
  expect(w.flink[0].propertyGroups.SqlStatements).toEqual({ 'sql.resource': 'sql/clickstream-top-products.sql' });
  // every Flink output stream is read by a delivery
  const outputs = Object.entries(w.flink[0].propertyGroups.SqlParameters).filter(([k]) => k.startsWith('sink.') || k.startsWith('dlq.'));
  for (const [, arn] of outputs) expect(w.deliveries.map((d) => d.sourceStreamArn)).toContain(arn);
  expect(w.deliveries.map((d) => d.destination).sort()).toEqual(['redshift', 's3', 's3', 's3']);
  // the warehouse's network and the lake's query side are listed, not emulated
  expect(w.notEmulated).toMatchObject({ 'AWS::EC2::VPC': 1, 'AWS::Glue::Table': expect.any(Number), 'AWS::Athena::WorkGroup': 1 });
});

test('an IoT stack under another name: the rule, the Flink job and the deliveries', () => {
  const w = readWiring(readAssembly(outdir, 'PlantSensors'));
  expect(w.topicRules).toHaveLength(1);
  expect(w.streams.map((s) => s.name)).toContain(w.topicRules[0].streamName);
  expect(w.flink[0].propertyGroups.SqlStatements).toEqual({ 'sql.resource': 'sql/iot-anomalies.sql' });
  expect(w.deliveries.map((d) => d.destination)).toContain('opensearch');
});

/** Processes holding a file of `dir` open (every process a run starts logs into its log directory). */
function processesUsing(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readdirSync(`/proc/${pid}/fd`).some((fd) => fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(dir))) out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

test('a run that fails (here: the Flink job not reading within 1 s) stops its pollers and every process it started, and exits 2', () => {
  const run = spawnSync('npx', ['tsx', 'local/main.ts', 'iot', '--app', outdir, '--stack', 'PlantSensors', '--once', '--flink-start-timeout', '1'],
    { cwd: path.join(__dirname, '..', '..'), encoding: 'utf8', timeout: 240_000 });
  expect(run.stderr).toContain('local run failed: Flink');
  expect(run.stderr).not.toContain('ECONNREFUSED');
  expect(run.status).toBe(2);
  const logDir = /logs in (\S+)/.exec(run.stdout)![1];
  expect(processesUsing(logDir)).toEqual([]);
}, 300_000);

test('Ctrl-C in the live view (SIGINT to the whole process group, as a terminal sends it) stops every process the run started', async () => {
  // the runner itself (not npx, which a SIGINT ends on its own)
  const run = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', 'clickstream', '--app', outdir, '--stack', 'ShopClicks', '--no-flink', '--records', '20'],
    { cwd: path.join(__dirname, '..', '..'), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (d) => { stdout += d; });
  run.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((resolve) => run.once('exit', (code) => resolve(code)));
  // live: counters every 5 batches; interrupt once the session consumer has been invoked
  for (let i = 0; i < 600 && !/[1-9]\d* invocations/.test(stdout); i++) await new Promise((r) => setTimeout(r, 500));
  process.kill(-run.pid!, 'SIGINT');
  expect(await exited).toBe(0);
  expect(stdout).toContain('stopping (SIGINT)');
  expect(stderr).not.toMatch(/ERR_IPC_CHANNEL_CLOSED|ECONNREFUSED/);
  expect(processesUsing(/logs in (\S+)/.exec(stdout)![1])).toEqual([]);
}, 400_000);

