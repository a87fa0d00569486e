/**
 * The scaling simulator: replays a per-minute demand trace against a stream whose capacity a controller changes with
 * UpdateShardCount, or against on-demand capacity, and accounts throttling, shard-hours, cost and resharding limits.
 *
 * Model (one step per trace minute t, at the start of the minute):
 * 1. A reshard called at minute c completes at the start of minute c + reshardMinutes: from then on the stream has the new
 *    count and is ACTIVE again; until then it is UPDATING with the old capacity.
 * 2. The controller runs. It sees only the minutes CloudWatch has published by then: minute m is published at the end of
 *    minute m + metricDelayMinutes, so at the start of t the newest visible minute is t − 1 − metricDelayMinutes.
 * 3. Traffic: the minute's demand is accepted up to the capacity (shards × 1 MiB/s and × 1,000 records/s, both as
 *    per-minute sums); the rest is throttled, in the same proportion for bytes and records. As in CloudWatch,
 *    `IncomingBytes` and `IncomingRecords` count only accepted traffic; throttled records are `WriteProvisionedThroughputExceeded`.
 * UpdateShardCount calls are checked against AWS's limits (stream ACTIVE, target within [½×, 2×] of the open count,
 * ≤ 10,000 shards, ≤ 10 calls in any rolling 24 h); a call that breaks one is rejected, as AWS would, and counted in
 * `limitViolations`.
 */
import { TraceRow } from './trace';
import { MinuteSample, SHARD_BYTES_PER_MINUTE, SHARD_RECORDS_PER_MINUTE } from '../../lambda/shard-autoscaler/policy';
import { KinesisLimits, KinesisPrices } from '../../lib/private/kinesis-limits';

/** Default publication delay of Kinesis metrics (AWS documents no figure; commonly 1–3 minutes: a parameter, not a constant). */
export const DEFAULT_METRIC_DELAY_MINUTES = 2;
/**
 * Default time from the UpdateShardCount call to the new capacity: AWS says only "a few minutes"
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html).
 */
export const DEFAULT_RESHARD_MINUTES = 4;
/**
 * On-demand: traffic beyond 2× the previous peak throttles for about this long before capacity catches up
 * (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html#ondemandmode).
 */
export const ON_DEMAND_ADAPT_MINUTES = 15;
/** Utilisation the default initial shard count is sized for. */
export const INITIAL_SIZING_UTILIZATION = 0.7;

const DAY_MINUTES = 24 * 60;

export interface SimOptions {
  /** @default 2 */
  readonly metricDelayMinutes?: number;
  /** @default 4 */
  readonly reshardMinutes?: number;
  /** Shards at minute 0. @default - the first hour's peak demand at 70% utilisation */
  readonly initialShards?: number;
}

export type StreamStatus = 'ACTIVE' | 'UPDATING';

/** What a controller sees at the start of a minute. */
export interface StreamView {
  /** The trace minute about to start. */
  readonly minute: number;
  /** Open shards, as DescribeStreamSummary reports them (the old count while UPDATING). */
  readonly shards: number;
  readonly status: StreamStatus;
  /** Every minute CloudWatch has published so far, oldest first (accepted bytes/records, throttled records). */
  readonly published: readonly MinuteSample[];
  /** Minutes of the accepted UpdateShardCount calls so far. */
  readonly callMinutes: readonly number[];
  /** True in the minute a reshard completed (the stream just became ACTIVE with the new count). */
  readonly reshardCompleted: boolean;
}

export interface StreamApi {
  /** UpdateShardCount with UNIFORM_SCALING; false when AWS would reject it (the rejection counts as a limit violation). */
  updateShardCount(target: number): boolean;
}

/** A scaling policy under simulation: called once per minute, it may call UpdateShardCount. */
export interface Controller {
  readonly name: string;
  /** Handler invocations so far (alarm actions and follow-ups), when the controller models a Lambda. */
  readonly invocations?: number;
  step(view: StreamView, api: StreamApi): void;
}

export interface TimelineRow {
  readonly minute: number;
  readonly shards: number;
  readonly capacityBytesPerSecond: number;
  readonly capacityRecordsPerSecond: number;
  readonly throttledBytes: number;
  readonly throttledRecords: number;
  readonly event: string;
}

export interface SimResult {
  readonly policy: string;
  readonly throttledBytesFraction: number;
  readonly throttledRecordsFraction: number;
  /** Shard-hours billed; null for on-demand (no shards billed). */
  readonly shardHours: number | null;
  readonly costUsd: number;
  readonly scalingCalls: number;
  readonly maxCallsInRolling24h: number;
  readonly limitViolations: number;
  readonly minutes: number;
  readonly initialShards: number;
  readonly finalShards: number | null;
  readonly invocations?: number;
}

export interface SimOutput {
  readonly result: SimResult;
  readonly timeline: TimelineRow[];
}

/** Shards for the first hour's peak demand at 70% utilisation (at least 1). */
export function defaultInitialShards(trace: readonly TraceRow[]): number {
  let peak = 0;
  for (const r of trace.slice(0, 60)) peak = Math.max(peak, demandShards(r));
  return Math.max(1, Math.ceil(peak / INITIAL_SIZING_UTILIZATION - 1e-9));
}

/** Shard equivalents a minute of demand needs at 100% utilisation. */
export function demandShards(r: TraceRow): number {
  return Math.max(r.incomingBytes / SHARD_BYTES_PER_MINUTE, r.incomingRecords / SHARD_RECORDS_PER_MINUTE);
}

/** Provisioned cost of a minute: its shard-minutes plus the PUT payload units of the accepted records (25 KB each). */
export function provisionedMinuteCost(shards: number, acceptedBytes: number, acceptedRecords: number): number {
  const shardCost = (shards / 60) * KinesisPrices.PROVISIONED_SHARD_HOUR;
  return shardCost + (payloadUnits(acceptedBytes, acceptedRecords) / 1e6) * KinesisPrices.PROVISIONED_PUT_PAYLOAD_UNITS_PER_MILLION;
}

/** On-demand Standard cost of a minute: the stream-minute plus ingest with each record rounded up to 1 KB. */
export function onDemandMinuteCost(acceptedBytes: number, acceptedRecords: number): number {
  const rounding = KinesisPrices.ON_DEMAND_RECORD_ROUNDING_BYTES;
  const avg = acceptedRecords > 0 ? acceptedBytes / acceptedRecords : 0;
  const billedBytes = acceptedRecords * Math.max(1, Math.ceil(avg / rounding)) * rounding;
  return KinesisPrices.ON_DEMAND_STREAM_HOUR / 60 + (billedBytes / KinesisPrices.BYTES_PER_GB) * KinesisPrices.ON_DEMAND_INGEST_PER_GB;
}

function payloadUnits(bytes: number, records: number): number {
  if (records <= 0) return 0;
  const avg = bytes / records;
  return records * Math.max(1, Math.ceil(avg / KinesisPrices.PUT_PAYLOAD_UNIT_BYTES));
}

/**
 * Splits a minute's demand into accepted and throttled at the given per-minute capacity of `shards` equal shards. The hot
 * key's share of the demand lands on one shard, on top of that shard's even share of the rest; the other shards get only
 * their even share. Throttling takes bytes and records in the same proportion.
 */
export function applyCapacity(r: TraceRow, capacityBytes: number, capacityRecords: number, shards = 1) {
  const hot = Math.min(1, Math.max(0, r.hotKeyShare ?? 0));
  const n = Math.max(1, shards);
  const accepted = (demand: number, capacity: number): number => {
    if (hot === 0) return Math.min(demand, capacity);
    const perShard = capacity / n;
    const rest = (demand * (1 - hot)) / n;
    const sum = Math.min(perShard, demand * hot + rest) + (n - 1) * Math.min(perShard, rest);
    // Rounding must not throttle a minute that fits.
    return sum >= demand * (1 - 1e-12) ? demand : sum;
  };
  let ratio = 1;
  if (r.incomingBytes > 0) ratio = Math.min(ratio, accepted(r.incomingBytes, capacityBytes) / r.incomingBytes);
  if (r.incomingRecords > 0) ratio = Math.min(ratio, accepted(r.incomingRecords, capacityRecords) / r.incomingRecords);
  const acceptedRecords = ratio < 1 ? Math.floor(r.incomingRecords * ratio) : r.incomingRecords;
  const acceptedBytes = r.incomingBytes * ratio;
  return {
    acceptedBytes,
    acceptedRecords,
    throttledBytes: r.incomingBytes - acceptedBytes,
    throttledRecords: r.incomingRecords - acceptedRecords,
  };
}

/** Runs a provisioned stream under `controller`, or an on-demand stream when `controller` is 'on-demand'. */
export function simulate(trace: readonly TraceRow[], controller: Controller | 'on-demand', options: SimOptions = {}): SimOutput {
  if (trace.length === 0) throw new Error('trace has no rows');
  const delay = options.metricDelayMinutes ?? DEFAULT_METRIC_DELAY_MINUTES;
  const reshard = options.reshardMinutes ?? DEFAULT_RESHARD_MINUTES;
  if (!Number.isInteger(delay) || delay < 0) throw new Error(`metricDelayMinutes must be a whole number >= 0, got ${delay}`);
  if (!Number.isInteger(reshard) || reshard < 0) throw new Error(`reshardMinutes must be a whole number >= 0, got ${reshard}`);
  const initial = options.initialShards ?? defaultInitialShards(trace);
  if (!Number.isInteger(initial) || initial < 1 || initial > KinesisLimits.MAX_SHARDS_PER_STREAM) {
    throw new Error(`shards must be a whole number from 1 to ${KinesisLimits.MAX_SHARDS_PER_STREAM}, got ${initial}`);
  }
  return controller === 'on-demand' ? simulateOnDemand(trace, initial) : simulateProvisioned(trace, controller, delay, reshard, initial);
}

function simulateProvisioned(trace: readonly TraceRow[], controller: Controller, delay: number, reshard: number, initial: number): SimOutput {
  let shards = initial;
  let status: StreamStatus = 'ACTIVE';
  let pending: { target: number; readyAt: number } | undefined;
  const samples: MinuteSample[] = [];
  const published: MinuteSample[] = [];
  const callMinutes: number[] = [];
  const timeline: TimelineRow[] = [];
  let violations = 0;
  let totalBytes = 0;
  let totalRecords = 0;
  let throttledBytes = 0;
  let throttledRecords = 0;
  let shardMinutes = 0;
  let cost = 0;

  for (let i = 0; i < trace.length; i++) {
    const row = trace[i];
    const minute = row.minute;
    const events: string[] = [];
    let reshardCompleted = false;
    if (pending && minute >= pending.readyAt) {
      shards = pending.target;
      status = 'ACTIVE';
      pending = undefined;
      reshardCompleted = true;
    }
    if (i - 1 - delay >= 0) published.push(samples[i - 1 - delay]);

    const api: StreamApi = {
      updateShardCount(target: number): boolean {
        const why = rejection(target);
        if (why) {
          violations++;
          events.push(`rejected UpdateShardCount ${shards}->${target} (${why})`);
          return false;
        }
        callMinutes.push(minute);
        events.push(`UpdateShardCount ${shards}->${target}`);
        if (reshard === 0) {
          shards = target;
        } else {
          status = 'UPDATING';
          pending = { target, readyAt: minute + reshard };
        }
        return true;
      },
    };
    const rejection = (target: number): string | undefined => {
      if (status !== 'ACTIVE') return 'ResourceInUseException: stream is UPDATING';
      if (!Number.isInteger(target) || target < 1) return 'ValidationException: target must be a whole number >= 1';
      if (target === shards) return 'ValidationException: target equals the open shard count';
      if (target > KinesisLimits.MAX_SCALING_FACTOR * shards) return 'LimitExceededException: more than 2x the open shards';
      if (target * KinesisLimits.MAX_SCALING_FACTOR < shards) return 'LimitExceededException: less than half the open shards';
      if (target > KinesisLimits.MAX_SHARDS_PER_STREAM) return 'LimitExceededException: more than 10,000 shards';
      const inWindow = callMinutes.filter((c) => c > minute - DAY_MINUTES).length;
      if (inWindow + 1 > KinesisLimits.MAX_SCALING_CALLS_PER_24H) return 'LimitExceededException: 11th call in a rolling 24 h';
      return undefined;
    };

    controller.step({ minute, shards, status, published, callMinutes, reshardCompleted }, api);

    const capBytes = shards * SHARD_BYTES_PER_MINUTE;
    const capRecords = shards * SHARD_RECORDS_PER_MINUTE;
    const m = applyCapacity(row, capBytes, capRecords, shards);
    samples.push({ minute, incomingBytes: m.acceptedBytes, incomingRecords: m.acceptedRecords, throttledRecords: m.throttledRecords });
    totalBytes += row.incomingBytes;
    totalRecords += row.incomingRecords;
    throttledBytes += m.throttledBytes;
    throttledRecords += m.throttledRecords;
    shardMinutes += shards;
    cost += provisionedMinuteCost(shards, m.acceptedBytes, m.acceptedRecords);
    timeline.push({
      minute,
      shards,
      capacityBytesPerSecond: capBytes / 60,
      capacityRecordsPerSecond: capRecords / 60,
      throttledBytes: m.throttledBytes,
      throttledRecords: m.throttledRecords,
      event: events.join('; '),
    });
  }

  return {
    result: {
      policy: controller.name,
      throttledBytesFraction: totalBytes > 0 ? throttledBytes / totalBytes : 0,
      throttledRecordsFraction: totalRecords > 0 ? throttledRecords / totalRecords : 0,
      shardHours: shardMinutes / 60,
      costUsd: cost,
      scalingCalls: callMinutes.length,
      maxCallsInRolling24h: maxInRollingDay(callMinutes),
      limitViolations: violations,
      minutes: trace.length,
      initialShards: initial,
      finalShards: shards,
      invocations: controller.invocations,
    },
    timeline,
  };
}

/**
 * On-demand Standard: capacity is twice the highest demand seen up to ON_DEMAND_ADAPT_MINUTES ago (at least the 4 MiB/s
 * and 4,000 records/s a new stream starts with), so traffic that more than doubles within 15 minutes throttles until the
 * stream has adapted, about 15 minutes. Traces are shorter than the 30 days the peak is remembered for.
 */
function simulateOnDemand(trace: readonly TraceRow[], initial: number): SimOutput {
  const minBytes = KinesisLimits.ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND * 60;
  const minRecords = (KinesisLimits.ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND / KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND)
    * SHARD_RECORDS_PER_MINUTE;
  let peakBytes = 0;
  let peakRecords = 0;
  const timeline: TimelineRow[] = [];
  let totalBytes = 0;
  let totalRecords = 0;
  let throttledBytes = 0;
  let throttledRecords = 0;
  let cost = 0;
  let lastCapBytes = 0;
  for (let i = 0; i < trace.length; i++) {
    const row = trace[i];
    const lagged = i - ON_DEMAND_ADAPT_MINUTES >= 0 ? trace[i - ON_DEMAND_ADAPT_MINUTES] : undefined;
    if (lagged) {
      peakBytes = Math.max(peakBytes, lagged.incomingBytes);
      peakRecords = Math.max(peakRecords, lagged.incomingRecords);
    }
    const capBytes = Math.max(minBytes, 2 * peakBytes);
    const capRecords = Math.max(minRecords, 2 * peakRecords);
    const odShards = Math.max(1, Math.ceil(Math.max(capBytes / SHARD_BYTES_PER_MINUTE, capRecords / SHARD_RECORDS_PER_MINUTE) - 1e-9));
    const m = applyCapacity(row, capBytes, capRecords, odShards);
    totalBytes += row.incomingBytes;
    totalRecords += row.incomingRecords;
    throttledBytes += m.throttledBytes;
    throttledRecords += m.throttledRecords;
    cost += onDemandMinuteCost(m.acceptedBytes, m.acceptedRecords);
    timeline.push({
      minute: row.minute,
      shards: odShards,
      capacityBytesPerSecond: capBytes / 60,
      capacityRecordsPerSecond: capRecords / 60,
      throttledBytes: m.throttledBytes,
      throttledRecords: m.throttledRecords,
      event: i > 0 && capBytes > lastCapBytes ? `on-demand capacity ${(capBytes / 60 / 1048576).toFixed(1)} MiB/s` : '',
    });
    lastCapBytes = capBytes;
  }
  return {
    result: {
      policy: 'on-demand',
      throttledBytesFraction: totalBytes > 0 ? throttledBytes / totalBytes : 0,
      throttledRecordsFraction: totalRecords > 0 ? throttledRecords / totalRecords : 0,
      shardHours: null,
      costUsd: cost,
      scalingCalls: 0,
      maxCallsInRolling24h: 0,
      limitViolations: 0,
      minutes: trace.length,
      initialShards: initial,
      finalShards: null,
    },
    timeline,
  };
}

/** Largest number of calls in any window of 24 h (a call at c counts in windows (t − 1440, t] containing it). */
export function maxInRollingDay(callMinutes: readonly number[]): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < callMinutes.length; hi++) {
    while (callMinutes[hi] - callMinutes[lo] >= DAY_MINUTES) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export const TIMELINE_HEADER = 'minute,shards,capacity_bytes_per_s,capacity_records_per_s,throttled_bytes,throttled_records,event';

/** The timeline as CSV (event quoted when it contains a comma or quote). */
export function formatTimeline(rows: readonly TimelineRow[]): string {
  const out = [TIMELINE_HEADER];
  for (const r of rows) {
    const ev = /[",]/.test(r.event) ? `"${r.event.replace(/"/g, '""')}"` : r.event;
    out.push([r.minute, r.shards, Math.round(r.capacityBytesPerSecond), Math.round(r.capacityRecordsPerSecond),
      Math.round(r.throttledBytes), Math.round(r.throttledRecords), ev].join(','));
  }
  return out.join('\n') + '\n';
}
