/**
 * Writes the benchmark traces of bench/traces/ (deterministic: a fixed seed per trace, so the CSVs are reproducible).
 *
 *   npx tsx bench/traces/generate.ts [outDir]
 *
 * Each trace is per-minute demand (what producers try to write) in the CloudWatch export format of bench/sim/trace.ts.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { formatTrace, TraceRow } from '../sim/trace';

const MiB = 1024 * 1024;
const DAY = 1440;

/** mulberry32: a small seeded PRNG, enough for noise (32-bit integer arithmetic, hence the bit operations). */
/* eslint-disable no-bitwise */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

/** Standard normal from two uniforms (Box–Muller). */
function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * Multiplicative noise: a slow AR(1) wander (minutes to hours) plus independent per-minute jitter, both around 1.
 */
function noise(seed: number, minuteJitter: number, slowAmplitude: number): () => number {
  const r = rng(seed);
  let slow = 0;
  return () => {
    slow = 0.98 * slow + Math.sqrt(1 - 0.98 * 0.98) * gaussian(r);
    return Math.max(0.05, (1 + slowAmplitude * slow) * (1 + minuteJitter * gaussian(r)));
  };
}

/** Daily shape: 0.2 at 03:00 rising to 1.0 at 15:00. */
function diurnal(minuteOfDay: number): number {
  const h = minuteOfDay / 60;
  return 0.2 + 0.8 * Math.pow((1 - Math.cos((2 * Math.PI * (h - 3)) / 24)) / 2, 1.3);
}

function row(minute: number, bytesPerSecond: number, recordBytes: number): TraceRow {
  const bytes = bytesPerSecond * 60;
  return { minute, incomingBytes: bytes, incomingRecords: Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / recordBytes)) };
}

/** 14 days of diurnal load, weekends at 75%, growing 50% over the two weeks; peak about 6 MiB/s at the start. */
export function diurnalGrowth(): TraceRow[] {
  const n = noise(1401, 0.04, 0.06);
  const rows: TraceRow[] = [];
  for (let t = 0; t < 14 * DAY; t++) {
    const day = Math.floor(t / DAY);
    const weekend = day % 7 === 5 || day % 7 === 6 ? 0.75 : 1;
    const growth = Math.pow(1.5, t / (14 * DAY));
    rows.push(row(t, 6 * MiB * diurnal(t % DAY) * weekend * growth * n(), 1536));
  }
  return rows;
}

/**
 * 3 days of diurnal load (peak about 4 MiB/s) with a flash sale on day 3 at 20:00: demand rises 5× within 3 minutes,
 * holds for 90 minutes and falls back over 30 minutes.
 */
export function flashSale(): TraceRow[] {
  const n = noise(5005, 0.04, 0.05);
  const start = 2 * DAY + 20 * 60;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 3 * DAY; t++) {
    let factor = 1;
    const s = t - start;
    if (s >= 0 && s < 3) factor = 1 + (4 * (s + 1)) / 3;
    else if (s >= 3 && s < 93) factor = 5;
    else if (s >= 93 && s < 123) factor = 5 - (4 * (s - 92)) / 30;
    rows.push(row(t, 4 * MiB * diurnal(t % DAY) * factor * n(), 1024));
  }
  return rows;
}

/**
 * 2 days of small records (200 bytes, so records per second bind first): 3 hours at 2,000 records/s, a 6-hour ramp to
 * 24,000 records/s, 5 hours there, a drop within one minute back to 2,000 records/s for the rest.
 */
export function rampDrop(): TraceRow[] {
  const n = noise(3003, 0.03, 0.03);
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    let rps = 2000;
    if (t >= 180 && t < 540) rps = 2000 + (22000 * (t - 180)) / 360;
    else if (t >= 540 && t < 840) rps = 24000;
    rows.push(row(t, rps * 200 * n(), 200));
  }
  return rows;
}

/** 2 days at about 3 MiB/s with a 3-minute burst to 3.5× every 30 minutes from the third hour on. */
export function periodicBursts(): TraceRow[] {
  const n = noise(4004, 0.04, 0.04);
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    const burst = t >= 120 && t % 30 >= 10 && t % 30 < 13 ? 3.5 : 1;
    rows.push(row(t, 3 * MiB * burst * n(), 2048));
  }
  return rows;
}

/** 7 days of a tiny steady stream: about 50 KB/s in 100 records/s. One shard is plenty; any reshard is flapping. */
export function tinySteady(): TraceRow[] {
  const n = noise(2002, 0.05, 0.03);
  const rows: TraceRow[] = [];
  for (let t = 0; t < 7 * DAY; t++) rows.push(row(t, 50 * 1024 * n(), 512));
  return rows;
}

export const TRACES: Record<string, () => TraceRow[]> = {
  'diurnal-growth-14d': diurnalGrowth,
  'flash-sale': flashSale,
  'ramp-drop': rampDrop,
  'periodic-bursts': periodicBursts,
  'tiny-steady': tinySteady,
};

if (require.main === module) {
  const out = process.argv[2] ?? __dirname;
  mkdirSync(out, { recursive: true });
  for (const [name, gen] of Object.entries(TRACES)) {
    const file = join(out, `${name}.csv`);
    writeFileSync(file, formatTrace(gen()));
    process.stdout.write(`${file}\n`);
  }
}
