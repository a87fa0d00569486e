/**
 * npm run bench:synth — synth time and resource counts of the benchmark stacks and the example stacks, then the size of
 * each bundled Lambda handler and the time Node.js takes to load it (a cold start's module-load share), printed as
 * JSON lines. Each stack is synthesized RUNS times in a fresh App (the first run, with module loading, is reported
 * apart). Needs `npm run bundle:lambda` and `npm run flink:build` first (npm test does both).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { App, Size, Stack } from 'aws-cdk-lib';
import { ClickstreamStack } from '../examples/clickstream-stack';
import { IotSensorStack } from '../examples/iot-sensor-stack';
import { PipelineStream } from '../lib';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Case { readonly name: string; build(stack: Stack): void }

const cases: Case[] = [
  {
    name: 'stream+2 consumers+alarms',
    build(stack) {
      const s = new PipelineStream(stack, 'Clicks', { profile: { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2), efoConsumers: 2 } });
      s.addConsumer('Flink');
      s.addConsumer('Sessions');
    },
  },
  {
    name: '10 streams x 5 consumers',
    build(stack) {
      for (let i = 0; i < 10; i++) {
        const s = new PipelineStream(stack, `S${i}`, { shardCount: 4 });
        for (let c = 0; c < 5; c++) s.addConsumer(`C${c}`);
      }
    },
  },
];

cases.push(
  { name: 'example: IotSensorPipeline', build: (stack) => new IotSensorStack(stack.node.scope as App, 'IotExample') },
  { name: 'example: ClickstreamPipeline', build: (stack) => new ClickstreamStack(stack.node.scope as App, 'ClickExample') },
);

function synthOnce(c: Case): { ms: number; resources: number; byType: Record<string, number> } {
  const start = process.hrtime.bigint();
  const app = new App();
  const stack = new Stack(app, 'Bench');
  c.build(stack);
  const assembly = app.synth();
  const stacks = assembly.stacks.filter((s) => Object.keys(s.template.Resources ?? {}).length > 0);
  const template = (stacks.find((s) => s.stackName !== 'Bench') ?? assembly.getStackByName('Bench')).template;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const byType: Record<string, number> = {};
  for (const r of Object.values<any>(template.Resources)) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  return { ms, resources: Object.keys(template.Resources).length, byType };
}

for (const c of cases) {
  const first = synthOnce(c);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(synthOnce(c).ms);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(JSON.stringify({
    case: c.name, resources: first.resources, firstSynthMs: Math.round(first.ms), medianSynthMs: Math.round(median), runs: RUNS, byType: first.byType,
  }));
}

const LAMBDAS = path.join(__dirname, '..', 'assets', 'lambda');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 5);
for (const name of fs.existsSync(LAMBDAS) ? fs.readdirSync(LAMBDAS).sort() : []) {
  const file = path.join(LAMBDAS, name, 'index.js');
  const code = fs.readFileSync(file);
  const loads: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    // A fresh process each time, as a cold start: the time to require the bundle, environment as in Lambda.
    const out = execFileSync(process.execPath, ['-e',
      `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`],
    { env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_SERVICE_NAME: name, POWERTOOLS_METRICS_NAMESPACE: 'Bench' } });
    loads.push(Number(out.toString().trim().split('\n').pop()));
  }
  loads.sort((a, b) => a - b);
  console.log(JSON.stringify({
    handler: name,
    bundleBytes: code.length,
    gzipBytes: zlib.gzipSync(code).length,
    medianModuleLoadMs: Math.round(loads[Math.floor(loads.length / 2)] * 10) / 10,
    runs: LOAD_RUNS,
  }));
}
