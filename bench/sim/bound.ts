/**
 * The bound: the least throttling a reactive policy reaches on a trace under the simulator's rules (metric delay,
 * resharding time, ½×–2× per call, one reshard at a time, 10 calls per rolling 24 h, no look-ahead).
 *
 * Without a price, the least throttling is trivial (hold the peak from the start), so the bound starts from the autoscaler's
 * own capacity, which is its price, and asks how much of its throttling the fastest possible reaction avoids. It splits the
 * trace into episodes: an episode starts at the first published minute whose demand is above the evidence utilisation
 * (the autoscaler's scale-out utilisation) of the autoscaler's capacity in that minute, and ends at the first published
 * minute that fits it again. During an episode the reference policy:
 * - knows the true demand of every published minute (the handler can only estimate it from throttled counts);
 * - takes the largest step, 2×, at the episode's first minute, and chains the next one the minute the reshard completes,
 *   as long as the newest published minute is still above the evidence utilisation of its own capacity in that minute;
 * - has the calls the autoscaler had left at the episode's start (10 per rolling 24 h);
 * - never has less capacity than the autoscaler in the same minute.
 * Outside episodes it has the autoscaler's capacity. So its throttling is at most the autoscaler's, and what it still
 * throttles is physics: the metric delay and the resharding time, from the capacity held when the evidence came. The
 * rest of the autoscaler's throttling (the distance) is policy: waiting for more evidence, or steps smaller than 2×.
 * The capacity held before the evidence (the target utilisation) is the other policy choice; it shows as cost.
 */
import { applyCapacity, TimelineRow } from './engine';
import { TraceRow } from './trace';
import { SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from '../../lambda/shard-autoscaler/policy';
import { KinesisLimits } from '../../lib/private/kinesis-limits';

const DAY_MINUTES = 24 * 60;

export interface BoundOptions {
  readonly metricDelayMinutes: number;
  readonly reshardMinutes: number;
  /**
   * The utilisation above which a published minute is evidence that more capacity is needed: the policy's scale-out
   * utilisation (halfway between its target and 100%), the least evidence on which the autoscaler acts. A lower one
   * would let the reference take noise for evidence and hold capacity the autoscaler's price does not pay for.
   */
  readonly evidenceUtilization: number;
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

/** The bound for a trace and the autoscaler's timeline on it (same length, same minutes). */
export function reactiveBound(trace: readonly TraceRow[], autoscaler: readonly TimelineRow[], options: BoundOptions): BoundResult {
  if (trace.length !== autoscaler.length) throw new Error('the timeline must cover the trace minute by minute');
  const { metricDelayMinutes: delay, reshardMinutes: reshard, evidenceUtilization: u } = options;
  const autoscalerCalls: number[] = [];
  autoscaler.forEach((r, i) => {
    if (/(^|; )UpdateShardCount /.test(r.event)) autoscalerCalls.push(i);
  });
  const shards: number[] = [];
  let episode: { cap: number; callsLeft: number; pending?: { target: number; readyAt: number } } | undefined;
  let total = 0;
  let throttled = 0;
  for (let t = 0; t < trace.length; t++) {
    const m = t - 1 - delay;
    const own = autoscaler[t].shards;
    if (m >= 0) {
      const d = demand(trace[m]);
      if (!episode && d > u * autoscaler[m].shards) {
        const callsLeft = KinesisLimits.MAX_SCALING_CALLS_PER_24H - autoscalerCalls.filter((c) => c < t && c > t - DAY_MINUTES).length;
        episode = { cap: own, callsLeft };
      } else if (episode && d <= u * autoscaler[m].shards) {
        episode = undefined;
      }
    }
    if (episode) {
      if (episode.pending && t >= episode.pending.readyAt) {
        episode.cap = episode.pending.target;
        episode.pending = undefined;
      }
      episode.cap = Math.max(episode.cap, own);
      if (!episode.pending && episode.callsLeft > 0 && episode.cap < KinesisLimits.MAX_SHARDS_PER_STREAM
        && demand(trace[m]) > u * shards[m]) {
        episode.callsLeft--;
        const target = Math.min(KinesisLimits.MAX_SHARDS_PER_STREAM, 2 * episode.cap);
        if (reshard === 0) episode.cap = target;
        else episode.pending = { target, readyAt: t + reshard };
      }
    }
    const cap = episode ? episode.cap : own;
    shards.push(cap);
    const r = trace[t];
    const a = applyCapacity(r, cap * SHARD_BYTES_PER_MINUTE, cap * SHARD_RECORDS_PER_MINUTE, cap);
    total += r.incomingBytes;
    throttled += a.throttledBytes;
  }
  return { throttledBytesFraction: total > 0 ? throttled / total : 0, shards };
}
