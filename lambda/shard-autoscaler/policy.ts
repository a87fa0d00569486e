/**
 * The shard autoscaler's decision logic: a pure function from what CloudWatch and Kinesis report to a target shard count.
 *
 * No SDK, no CDK: the Lambda handler gathers the input and applies the decision, the simulator (bench/sim) replays traffic
 * traces through the same function, and the property-based tests drive it directly.
 *
 * Units: demand is measured in "shard equivalents", the fraction of one shard's per-minute write capacity
 * (1 MiB/s or 1,000 records/s, whichever is tighter) that a minute of traffic needs. Demand is absolute, it does not
 * depend on how many shards the stream had when the minute was measured, so minutes from before a reshard stay valid.
 */
import { KinesisLimits } from '../../lib/private/kinesis-limits';

/** How quickly a direction reacts. `high` reacts on the least evidence. */
export type Sensitivity = 'high' | 'medium' | 'low';

/** Kinesis stream status as DescribeStreamSummary reports it. */
export type StreamStatus = 'ACTIVE' | 'UPDATING' | 'CREATING' | 'DELETING';

/** What the user configures. Everything but the bounds and the target utilisation has a documented default. */
export interface PolicyConfig {
  /** Lowest shard count the policy ever asks for (>= 1). */
  readonly minShards: number;
  /** Highest shard count the policy ever asks for (<= 10,000). */
  readonly maxShards: number;
  /** Utilisation the policy sizes the stream for, in (0, 1], e.g. 0.7: shards = ceil(demand / targetUtilization). */
  readonly targetUtilization: number;
  /**
   * Scale-out on high utilisation needs this many consecutive published minutes at or above the scale-out utilisation
   * (`high` 2, `medium` 3, `low` 5). Throttling always triggers after one minute (`low`: two).
   * @default 'high'
   */
  readonly scaleOutSensitivity?: Sensitivity;
  /**
   * Scale-in needs every published minute of this window (`high` 30, `medium` 60, `low` 180 minutes), all measured after
   * the last reshard settled, at or below the scale-in utilisation.
   * @default 'medium'
   */
  readonly scaleInSensitivity?: Sensitivity;
  /** No scale-in while the consumer lag (iterator age or MillisBehindLatest) is above this. @default - no lag guard */
  readonly lagGuardMillis?: number;
  /**
   * UpdateShardCount calls (of the 10 per rolling 24 h) that scale-in may never use, so that scale-out always has some left.
   * @default 3
   */
  readonly reserveCallsForScaleOut?: number;
  /**
   * Throttled share of a minute's records (throttled / (accepted + throttled)) below which the minute does not count as
   * throttled. AWS advises against a threshold of zero.
   * @default 0.001
   */
  readonly minThrottledFraction?: number;
  /**
   * Minutes after an UpdateShardCount call during which the old capacity may still be what the metrics show: throttling in
   * those minutes raises the demand estimate but does not force an extra step, and scale-in windows start after them.
   * @default 10
   */
  readonly settleMinutes?: number;
}

/** One published minute of the stream's stream-level metrics (per-minute sums). */
export interface MinuteSample {
  /** Epoch minute (Math.floor(epochMillis / 60000)) of the minute measured. */
  readonly minute: number;
  /** `IncomingBytes` Sum: bytes accepted (throttled records are not counted). */
  readonly incomingBytes: number;
  /** `IncomingRecords` Sum: records accepted. */
  readonly incomingRecords: number;
  /** `WriteProvisionedThroughputExceeded` Sum: records rejected by throttling. */
  readonly throttledRecords: number;
}

/** Everything the policy looks at. */
export interface PolicyInput {
  readonly currentShards: number;
  readonly streamStatus: StreamStatus;
  /**
   * Published minutes, oldest first, ending with the latest minute CloudWatch has published. The caller fills minutes with no
   * datapoint with zeros. Provide at least {@link requiredHistoryMinutes} minutes, or scale-in waits.
   */
  readonly samples: readonly MinuteSample[];
  /** Largest consumer lag (iterator age or MillisBehindLatest) in ms; undefined when unknown (the guard is then not tripped). */
  readonly lagMillis?: number;
  /** Epoch ms of this stream's UpdateShardCount calls; the policy only counts those in the 24 h before `now`. */
  readonly scalingCallTimes: readonly number[];
  /** Epoch ms of the decision. */
  readonly now: number;
  readonly config: PolicyConfig;
}

export type DecisionKind = 'scale-out' | 'scale-in' | 'none';

/** The policy's answer. `targetShards` is set exactly when `kind` is not `none`. */
export interface Decision {
  readonly kind: DecisionKind;
  /** Shard count to pass to UpdateShardCount; undefined when nothing should be done now. */
  readonly targetShards?: number;
  /** When the wanted count is beyond one call's reach (2× or ½), the count the next steps aim for. */
  readonly pendingTarget?: number;
  /** Why, in one sentence (logged and published with the decision). */
  readonly reason: string;
  /** Estimated peak demand, in shard equivalents, the decision was based on. */
  readonly demandShards?: number;
  /** UpdateShardCount calls in the 24 h before `now` (without this decision's). */
  readonly callsInLast24h: number;
}

/** The config with every default applied, and the numbers the alarms of the construct must agree with. */
export interface ResolvedPolicyConfig {
  readonly minShards: number;
  readonly maxShards: number;
  readonly targetUtilization: number;
  /** Utilisation at or above which a minute counts toward scale-out. */
  readonly scaleOutUtilization: number;
  /** Consecutive published minutes at or above `scaleOutUtilization` that trigger scale-out. */
  readonly scaleOutMinutes: number;
  /** Consecutive throttled minutes that trigger scale-out. */
  readonly throttleMinutes: number;
  /** Utilisation at or below which every minute of the scale-in window must be. */
  readonly scaleInUtilization: number;
  /** Length of the scale-in window in minutes. */
  readonly scaleInMinutes: number;
  readonly lagGuardMillis?: number;
  readonly reserveCallsForScaleOut: number;
  readonly minThrottledFraction: number;
  readonly settleMinutes: number;
}

/** Bytes one shard accepts in one minute. */
export const SHARD_BYTES_PER_MINUTE = KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND * 60;
/** Records one shard accepts in one minute. */
export const SHARD_RECORDS_PER_MINUTE = KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND * 60;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Smallest scale-in worth one of the ten daily calls, as a fraction of the current count. */
const MIN_SCALE_IN_FRACTION = 0.25;
/** Smallest forced scale-out step when throttling persists although the per-minute demand fits (sub-minute bursts). */
const FORCED_STEP_FACTOR = 1.25;

const SCALE_OUT_MINUTES: Record<Sensitivity, number> = { high: 2, medium: 3, low: 5 };
const THROTTLE_MINUTES: Record<Sensitivity, number> = { high: 1, medium: 1, low: 2 };
const SCALE_IN_MINUTES: Record<Sensitivity, number> = { high: 30, medium: 60, low: 180 };

/**
 * Applies the defaults and derives the thresholds.
 *
 * - scale-out utilisation = halfway between the target and 100% (0.85 for a 0.7 target), so a stream sized at the target
 *   has room before it triggers and room after it triggers before it throttles;
 * - scale-in utilisation = target × (1 − 25%), so that sizing the window's peak back to the target removes at least a
 *   quarter of the shards (a smaller scale-in is not worth one of the ten daily calls) and the result stays under the target.
 */
export function resolveConfig(config: PolicyConfig): ResolvedPolicyConfig {
  const out = config.scaleOutSensitivity ?? 'high';
  const inn = config.scaleInSensitivity ?? 'medium';
  const target = config.targetUtilization;
  return {
    minShards: config.minShards,
    maxShards: Math.min(config.maxShards, KinesisLimits.MAX_SHARDS_PER_STREAM),
    targetUtilization: target,
    scaleOutUtilization: target + (1 - target) / 2,
    scaleOutMinutes: SCALE_OUT_MINUTES[out],
    throttleMinutes: THROTTLE_MINUTES[out],
    scaleInUtilization: target * (1 - MIN_SCALE_IN_FRACTION),
    scaleInMinutes: SCALE_IN_MINUTES[inn],
    lagGuardMillis: config.lagGuardMillis,
    reserveCallsForScaleOut: Math.max(0, Math.min(config.reserveCallsForScaleOut ?? 3, KinesisLimits.MAX_SCALING_CALLS_PER_24H - 1)),
    minThrottledFraction: config.minThrottledFraction ?? 0.001,
    settleMinutes: config.settleMinutes ?? 10,
  };
}

/** Minutes of history the caller should pass so that every rule can be evaluated. */
export function requiredHistoryMinutes(config: PolicyConfig): number {
  const r = resolveConfig(config);
  return r.scaleInMinutes + r.settleMinutes + 5;
}

/** Utilisation of `shards` shards by a minute's accepted traffic: max of the bytes and the records share. */
export function utilization(sample: MinuteSample, shards: number): number {
  return Math.max(sample.incomingBytes / (shards * SHARD_BYTES_PER_MINUTE), sample.incomingRecords / (shards * SHARD_RECORDS_PER_MINUTE));
}

/** Throttled share of a minute's records. */
export function throttledFraction(sample: MinuteSample): number {
  const total = sample.incomingRecords + sample.throttledRecords;
  return total > 0 ? sample.throttledRecords / total : 0;
}

/**
 * Demand of one minute in shard equivalents. For a throttled minute the accepted traffic is a lower bound of the demand: the
 * throttled records are added, with the accepted records' average size for their bytes. A minute where nothing was accepted
 * but records were throttled has unknown bytes: it returns Infinity (the caller takes the largest allowed step).
 */
export function demandShards(sample: MinuteSample): number {
  const { incomingBytes, incomingRecords, throttledRecords } = sample;
  if (throttledRecords <= 0) {
    return Math.max(incomingBytes / SHARD_BYTES_PER_MINUTE, incomingRecords / SHARD_RECORDS_PER_MINUTE);
  }
  if (incomingRecords <= 0) return Number.POSITIVE_INFINITY;
  const records = incomingRecords + throttledRecords;
  const bytes = incomingBytes * (records / incomingRecords);
  return Math.max(bytes / SHARD_BYTES_PER_MINUTE, records / SHARD_RECORDS_PER_MINUTE);
}

/** The number of calls in the rolling 24 h window ending at `now`. */
export function callsInWindow(callTimes: readonly number[], now: number): number {
  return callTimes.filter((t) => t <= now && t > now - DAY_MS).length;
}

/**
 * Decides the next UpdateShardCount target. Pure and deterministic.
 *
 * Algorithm:
 * 1. Nothing while the stream is not ACTIVE (a reshard is running; the handler re-invokes when it is ACTIVE again) or the
 *    10 calls of the rolling 24 h are used up.
 * 2. Demand per minute in shard equivalents; a throttled minute's demand is estimated from its accepted and throttled
 *    records (throttling means the demand is higher than what CloudWatch counted).
 * 3. Scale out, when the latest `throttleMinutes` published minutes are throttled or the latest `scaleOutMinutes` are at or
 *    above the scale-out utilisation of the current count, to ceil(peak recent demand / target utilisation). When the
 *    throttling is measured after the last reshard settled but the per-minute demand still fits (sub-minute bursts), the
 *    step is at least ×1.25. Scale-out may use every call left.
 * 4. Scale in only when every minute of the scale-in window, all after the last reshard settled, is at or below the
 *    scale-in utilisation, to ceil(window peak demand / target utilisation), which keeps the window's peak under the target
 *    and removes at least 25%; never while the lag guard is tripped, and only if the reserve of calls for scale-out stays.
 * 5. The target is clamped to [min, max] and to one call's reach [ceil(current / 2), 2 × current]; demand beyond that is
 *    returned as `pendingTarget` and reached in further steps. A count outside [min, max] is moved back inside.
 *
 * No flapping: scale-out sizes to the target utilisation, which is below the scale-in threshold's complement; scale-in
 * needs a full window after the last reshard, and its result keeps the window's peak at or under the target utilisation,
 * below the scale-out threshold.
 */
export function decide(input: PolicyInput): Decision {
  const cfg = resolveConfig(input.config);
  const current = input.currentShards;
  const calls = callsInWindow(input.scalingCallTimes, input.now);
  const none = (reason: string, demand?: number): Decision => ({ kind: 'none', reason, demandShards: demand, callsInLast24h: calls });

  if (input.streamStatus !== 'ACTIVE') return none(`stream is ${input.streamStatus}`);
  if (calls >= KinesisLimits.MAX_SCALING_CALLS_PER_24H) {
    return none(`all ${KinesisLimits.MAX_SCALING_CALLS_PER_24H} UpdateShardCount calls of the rolling 24 h are used`);
  }

  const lastCall = input.scalingCallTimes.filter((t) => t <= input.now).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const settledFrom = lastCall + cfg.settleMinutes * MINUTE_MS;
  const samples = input.samples;
  const lagTripped = cfg.lagGuardMillis !== undefined && input.lagMillis !== undefined && input.lagMillis > cfg.lagGuardMillis;
  const scaleInBudget = calls + 1 <= KinesisLimits.MAX_SCALING_CALLS_PER_24H - cfg.reserveCallsForScaleOut;

  const reach = (want: number) => Math.max(Math.ceil(current / 2), Math.min(2 * current, want));
  const lo = cfg.minShards;
  const hi = cfg.maxShards;

  // Out of bounds (the bounds changed, or someone resharded by hand): move back inside first.
  if (current < lo) {
    return step('scale-out', Math.min(lo, hi), `${current} shards is below the minimum ${lo}`);
  }
  if (current > hi) {
    if (lagTripped) return none(`${current} shards is above the maximum ${hi}, but the lag guard is tripped`);
    if (!scaleInBudget) return none(`${current} shards is above the maximum ${hi}, but the calls left are reserved for scale-out`);
    return step('scale-in', hi, `${current} shards is above the maximum ${hi}`);
  }

  // Scale-out.
  const throttled = samples.slice(-cfg.throttleMinutes);
  const isThrottled = throttled.length === cfg.throttleMinutes && throttled.every((s) => throttledFraction(s) >= cfg.minThrottledFraction);
  const hot = samples.slice(-cfg.scaleOutMinutes);
  const isHot = hot.length === cfg.scaleOutMinutes && hot.every((s) => demandShards(s) >= cfg.scaleOutUtilization * current);
  if (isThrottled || isHot) {
    const lookback = samples.slice(-Math.max(cfg.scaleOutMinutes, cfg.throttleMinutes));
    const peak = Math.max(...lookback.map(demandShards));
    let want = Number.isFinite(peak) ? Math.ceil(peak / cfg.targetUtilization - 1e-9) : 2 * current;
    const freshThrottle = isThrottled && throttled.every((s) => s.minute * MINUTE_MS >= settledFrom);
    if (freshThrottle) want = Math.max(want, current + 1, Math.ceil(current * FORCED_STEP_FACTOR));
    const why = isThrottled
      ? `throttled ${(100 * Math.max(...throttled.map(throttledFraction))).toFixed(2)}% of records`
      : `utilisation ≥ ${pct(cfg.scaleOutUtilization)} for ${cfg.scaleOutMinutes} min`;
    if (want > current && current < hi) {
      return step('scale-out', Math.min(want, hi), `${why}; demand ${fmt(peak)} shard equivalents`, peak);
    }
    if (want > current) return none(`${why}, but already at the maximum ${hi}`, peak);
  }

  // Scale-in.
  const windowStartMinute = samples.length > 0 ? samples[samples.length - 1].minute - cfg.scaleInMinutes + 1 : Number.POSITIVE_INFINITY;
  const window = samples.filter((s) => s.minute >= windowStartMinute);
  const fullWindow = window.length >= cfg.scaleInMinutes && windowStartMinute * MINUTE_MS >= settledFrom;
  if (fullWindow && current > lo) {
    const peak = Math.max(...window.map(demandShards));
    const cold = window.every((s) => s.throttledRecords === 0 && demandShards(s) <= cfg.scaleInUtilization * current);
    if (cold) {
      const want = Math.max(lo, Math.ceil(peak / cfg.targetUtilization - 1e-9));
      const enough = current - want >= Math.max(1, Math.floor(current * MIN_SCALE_IN_FRACTION));
      if (want < current && enough) {
        if (lagTripped) return none(`low utilisation for ${cfg.scaleInMinutes} min, but the lag guard is tripped (${input.lagMillis} ms)`, peak);
        if (!scaleInBudget) return none(`low utilisation for ${cfg.scaleInMinutes} min, but the calls left are reserved for scale-out`, peak);
        return step('scale-in', want, `utilisation ≤ ${pct(cfg.scaleInUtilization)} for ${cfg.scaleInMinutes} min; peak demand ${fmt(peak)} shard equivalents`, peak);
      }
    }
  }
  return none('demand within the target range');

  function step(kind: 'scale-out' | 'scale-in', want: number, reason: string, demand?: number): Decision {
    const bounded = Math.max(Math.min(want, Math.max(hi, Math.ceil(current / 2))), Math.min(lo, 2 * current));
    const target = reach(bounded);
    const pending = target !== bounded ? bounded : undefined;
    return {
      kind,
      targetShards: target,
      pendingTarget: pending,
      reason: pending !== undefined ? `${reason}; ${target} now, ${pending} in further steps` : reason,
      demandShards: demand,
      callsInLast24h: calls,
    };
  }
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : 'unknown';
}
