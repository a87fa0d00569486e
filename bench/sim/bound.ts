/**
 * The bound: the least throttling a reactive policy reaches on a trace under the simulator's rules (metric delay,
 * resharding time, ½×–2× per call, one reshard at a time, 10 calls per rolling 24 h, no look-ahead).
 *
 * Without a price, the least throttling is trivial (hold the peak from the start), so the bound starts from the autoscaler's
 * own capacity, which is its price, and asks how much of its throttling a faster reaction could have avoided. The reference
 * policy:
 * - never has less capacity than the autoscaler had in the same minute;
 * - knows the true demand of every published minute (the handler can only estimate it from throttled counts);
 * - acts on the least evidence: the newest published minute above the target utilisation of the capacity it had then;
 * - takes the largest step, 2×, and chains the next one the minute the reshard completes, while the evidence lasts, within
 *   its own 10 calls per rolling 24 h;
 * - keeps what it reached until a whole scale-in window (60 published minutes) fits the autoscaler's capacity at the
 *   target utilisation, then falls back to the autoscaler's capacity.
 * Its capacity is at least the autoscaler's in every minute, so its throttling is at most the autoscaler's. What it still
 * throttles is physics (the metric delay and the resharding time from the capacity held before the evidence); the rest of
 * the autoscaler's throttling is policy (waiting for more evidence, or steps smaller than 2×).
 */
import { applyCapacity, TimelineRow } from './engine';
import { TraceRow } from './trace';
import { SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from '../../lambda/shard-autoscaler/policy';
import { KinesisLimits } from '../../lib/private/kinesis-limits';

const DAY_MINUTES = 24 * 60;

export interface BoundOptions {
  readonly metricDelayMinutes: number;
  readonly reshardMinutes: number;
  /** The utilisation above which a published minute is evidence that more capacity is needed (the policy's target). */
  readonly targetUtilization: number;
}

export interface BoundResult {
  /** Throttled share of the trace's bytes at the bound's capacity. */
  readonly throttledBytesFraction: number;
  /** Shards of the bound's capacity per minute. */
  readonly shards: number[];
}

/** Demand of a trace minute in shard equivalents. */
function demand(r: TraceRow): number {
  return Math.max(r.incomingBytes / SHARD_BYTES_PER_MINUTE, r.incomingRecords / SHARD_RECORDS_PER_MINUTE);
}

/** Minutes of published demand that must all fit the autoscaler's capacity before the reference falls back to it. */
const FALL_BACK_MINUTES = 60;

/** The bound for a trace and the autoscaler's timeline on it (same length, same minutes). */
export function reactiveBound(trace: readonly TraceRow[], autoscaler: readonly TimelineRow[], options: BoundOptions): BoundResult {
  if (trace.length !== autoscaler.length) throw new Error('the timeline must cover the trace minute by minute');
  const { metricDelayMinutes: delay, reshardMinutes: reshard, targetUtilization: u } = options;
  const shards: number[] = [];
  const calls: number[] = [];
  let cap = autoscaler[0].shards;
  let pending: { target: number; readyAt: number } | undefined;
  let fits = 0;
  let total = 0;
  let throttled = 0;
  for (let t = 0; t < trace.length; t++) {
    if (pending && t >= pending.readyAt) {
      cap = pending.target;
      pending = undefined;
    }
    const m = t - 1 - delay;
    if (m >= 0) {
      fits = demand(trace[m]) <= u * autoscaler[m].shards ? fits + 1 : 0;
      if (fits >= FALL_BACK_MINUTES && !pending) cap = autoscaler[t].shards;
    }
    cap = Math.max(cap, autoscaler[t].shards);
    const inWindow = calls.filter((c) => c > t - DAY_MINUTES).length;
    if (m >= 0 && !pending && cap < KinesisLimits.MAX_SHARDS_PER_STREAM && inWindow < KinesisLimits.MAX_SCALING_CALLS_PER_24H
      && demand(trace[m]) > u * shards[m]) {
      calls.push(t);
      const target = Math.min(KinesisLimits.MAX_SHARDS_PER_STREAM, 2 * cap);
      if (reshard === 0) cap = target;
      else pending = { target, readyAt: t + reshard };
    }
    shards.push(cap);
    const r = trace[t];
    const a = applyCapacity(r, cap * SHARD_BYTES_PER_MINUTE, cap * SHARD_RECORDS_PER_MINUTE, cap);
    total += r.incomingBytes;
    throttled += a.throttledBytes;
  }
  return { throttledBytesFraction: total > 0 ? throttled / total : 0, shards };
}
