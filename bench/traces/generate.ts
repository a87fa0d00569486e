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

/** A level of `mibPerSecond` MiB/s that moves to `to` linearly over `minutes` starting at `start`. */
function ramp(t: number, start: number, minutes: number, from: number, to: number): number {
  if (t < start) return from;
  if (t >= start + minutes) return to;
  return from + ((to - from) * (t - start + 1)) / minutes;
}

/**
 * 2 days at about 3 MiB/s (the level the stream has always had, so on-demand's remembered peak is that level); on day 2 at
 * 10:00 demand steps to 6× within 3 minutes, holds 2 hours and falls back within 10 minutes.
 */
export function step6x(): TraceRow[] {
  const n = noise(6006, 0.04, 0.04);
  const start = DAY + 10 * 60;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    const factor = t < start + 120 ? ramp(t, start, 3, 1, 6) : ramp(t, start + 120, 10, 6, 1);
    rows.push(row(t, 3 * MiB * factor * n(), 1024));
  }
  return rows;
}

/**
 * 2 days at about 3 MiB/s; on day 2 at 09:00 a 4× surge (within 3 minutes) for 60 minutes, back to the base within 5
 * minutes, and 40 minutes later — before a scale-in window has passed — a second surge to 6× for 60 minutes.
 */
export function doubleSurge(): TraceRow[] {
  const n = noise(7007, 0.04, 0.04);
  const a = DAY + 9 * 60;
  const b = a + 60 + 5 + 40;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    let factor = 1;
    if (t >= a && t < a + 60) factor = ramp(t, a, 3, 1, 4);
    else if (t >= a + 60 && t < b) factor = ramp(t, a + 60, 5, 4, 1);
    else if (t >= b && t < b + 60) factor = ramp(t, b, 3, 1, 6);
    else if (t >= b + 60) factor = ramp(t, b + 60, 5, 6, 1);
    rows.push(row(t, 3 * MiB * factor * n(), 1024));
  }
  return rows;
}

/** 2 days at about 3 MiB/s with one spike to 2.5× (within 2 minutes) lasting 20 minutes, on day 2 at 14:00. */
export function spike25x(): TraceRow[] {
  const n = noise(8008, 0.04, 0.04);
  const start = DAY + 14 * 60;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    const factor = t >= start && t < start + 20 ? ramp(t, start, 2, 1, 2.5) : 1;
    rows.push(row(t, 3 * MiB * factor * n(), 1024));
  }
  return rows;
}

/** 2 days: 1 MiB/s, on day 1 from 06:00 a ramp over 10 hours to 12 MiB/s, then a drop within one minute back to 1 MiB/s. */
export function slowRampSuddenDrop(): TraceRow[] {
  const n = noise(9009, 0.04, 0.04);
  const start = 6 * 60;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    const level = t < start + 600 ? ramp(t, start, 600, 1, 12) : 1;
    rows.push(row(t, MiB * level * n(), 1024));
  }
  return rows;
}

/**
 * 2 days at about 2 MiB/s; on day 2 from 00:00 the level alternates every 2 hours between 2 and 6 MiB/s (the autoscaler
 * spends most of its 10 calls of the rolling 24 h following it), and at 16:30, after the last of these, a surge to 8×
 * the base within 3 minutes, for 90 minutes.
 */
export function surgeOnSpentBudget(): TraceRow[] {
  const n = noise(1010, 0.04, 0.04);
  const surge = DAY + 16 * 60 + 30;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    let level = 2;
    if (t >= DAY && t < DAY + 16 * 60) level = Math.floor((t - DAY) / 120) % 2 === 1 ? 6 : 2;
    if (t >= surge && t < surge + 90) level = ramp(t, surge, 3, 2, 16);
    rows.push(row(t, MiB * level * n(), 1024));
  }
  return rows;
}

/**
 * 2 days at about 3 MiB/s; on day 2 from 10:00 to 14:00 one producer writes all its traffic, 1.5 MiB/s, under one partition
 * key (added to the base): one shard receives it, whatever the shard count, so only the hot shard throttles while the
 * stream's utilisation stays low. Scaling out does not relieve it.
 */
export function hotKey(): TraceRow[] {
  const n = noise(1111, 0.04, 0.04);
  const from = DAY + 10 * 60;
  const rows: TraceRow[] = [];
  for (let t = 0; t < 2 * DAY; t++) {
    const base = 3 * MiB * n();
    const hot = t >= from && t < from + 240 ? 1.5 * MiB : 0;
    const r = row(t, base + hot, 1024);
    rows.push({ ...r, hotKeyShare: hot / (base + hot) });
  }
  return rows;
}

export const TRACES: Record<string, () => TraceRow[]> = {
  'diurnal-growth-14d': diurnalGrowth,
  'flash-sale': flashSale,
  'ramp-drop': rampDrop,
  'periodic-bursts': periodicBursts,
  'tiny-steady': tinySteady,
  'step-6x': step6x,
  'double-surge': doubleSurge,
  'spike-2.5x-20min': spike25x,
  'slow-ramp-sudden-drop': slowRampSuddenDrop,
  'surge-on-spent-budget': surgeOnSpentBudget,
  'hot-key': hotKey,
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
