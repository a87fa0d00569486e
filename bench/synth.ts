/**
 * npm run bench:synth — synth time and resource counts of the benchmark stacks, printed as numbers.
 * Each stack is synthesized RUNS times in a fresh App (the first run includes module loading and is reported apart).
 */
import { App, Size, Stack } from 'aws-cdk-lib';
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

function synthOnce(c: Case): { ms: number; resources: number; byType: Record<string, number> } {
  const start = process.hrtime.bigint();
  const app = new App();
  const stack = new Stack(app, 'Bench');
  c.build(stack);
  const template = app.synth().getStackByName('Bench').template;
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
