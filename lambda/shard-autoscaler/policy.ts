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
  /** Utilisation the policy sizes the stream for, in (0, 1], e.g. 0.6: shards = ceil(demand / targetUtilization). */
  readonly targetUtilization: number;
  /**
   * Scale-out on high utilisation needs this many consecutive published minutes at or above the scale-out utilisation
   * (`high` 2, `medium` 3, `low` 5). Throttling, or a saturated minute (≥ 95% utilisation), triggers after one minute
   * (`low`: two).
   * @default 'high'
   */
  readonly scaleOutSensitivity?: Sensitivity;
  /**
   * Scale-in needs every published minute of this window (`high` 30, `medium` 60, `low` 180 minutes) unthrottled and at or
   * below the scale-in utilisation (75% of the target).
   * @default 'medium'
   */
  readonly scaleInSensitivity?: Sensitivity;
  /** No scale-in while the consumer lag (iterator age or MillisBehindLatest) is above this. @default - no lag guard */
  readonly lagGuardMillis?: number;
  /**
   * UpdateShardCount calls (of the 10 per rolling 24 h) that scale-in may never use, so that scale-out always has some left
   * (two calls reach 4× the count).
   * @default 2
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
   * those minutes raises the demand estimate but does not force an extra step, and is not taken for a hot key. (Scale-in
   * does not wait for them: its window's demand is absolute, valid at any count.)
   * @default 10
   */
  readonly settleMinutes?: number;
  /**
   * Scale-out sizes for the demand this many minutes ahead when demand is rising (least-squares trend of the last 30
   * minutes, at most 1.5× the measured peak), so that a steady climb takes fewer of the ten daily calls. 0 disables it.
   * @default 30
   */
  readonly growthHorizonMinutes?: number;
  /**
   * Accepted utilisation below which a throttled minute is taken for a hot partition key rather than demand: the stream as a
   * whole has room, so only some shards are full, and more shards would not relieve them (a key always maps to one shard).
   * Such minutes trigger no scale-out; the decision reports them (`hotKey`) so that the handler can publish a metric that
   * an alarm watches. Only minutes measured after the count settled count (before, the capacity that throttled them may
   * have been smaller than the current count). For 30 minutes after such a minute, throttled minutes below the scale-out
   * utilisation count as the hot key too. Sub-minute bursts on a quiet stream look the same in stream-level metrics.
   * @default 0.5
   */
  readonly hotKeyUtilization?: number;
}

/** One published minute of the stream's stream-level metrics (per-minute sums). */
export interface MinuteSample {
  /** Epoch minute (Math.floor(epochMillis / 60000)) of the minute measured. */
  readonly minute: number;
  /** `IncomingBytes` Sum: bytes accepted (throttled records are not counted). */
  readonly incomingBytes: number;
  /** `IncomingRecords` Sum: records accepted. */
  readonly incomingRecords: number;
  /**
   * Records rejected by throttling: the larger of the `WriteProvisionedThroughputExceeded` Sum (PutRecord and PutRecords)
   * and the `PutRecords.ThrottledRecords` Sum. Throttled records are not in `IncomingBytes`/`IncomingRecords`.
   */
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
  /**
   * True when the newest published minute was throttled while the stream's accepted utilisation was below the hot-key
   * utilisation: a hot partition key, which no scale-out relieves (see `PolicyConfig.hotKeyUtilization`).
   */
  readonly hotKey?: boolean;
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
  /** Consecutive saturated minutes (throttled, or at or above `saturationUtilization`) that trigger scale-out. */
  readonly throttleMinutes: number;
  /**
   * Utilisation at which a minute counts as saturated, like a throttled one: per-second peaks are already throttling.
   * The alarm that wakes the handler on throttling should also wake it on this (one minute earlier on a surge).
   */
  readonly saturationUtilization: number;
  /** Utilisation at or below which every minute of the scale-in window must be. */
  readonly scaleInUtilization: number;
  /** Length of the scale-in window in minutes. */
  readonly scaleInMinutes: number;
  readonly lagGuardMillis?: number;
  readonly reserveCallsForScaleOut: number;
  readonly minThrottledFraction: number;
  readonly settleMinutes: number;
  readonly growthHorizonMinutes: number;
  /** Accepted utilisation below which a throttled minute (after the count settled) is a hot key, not demand. */
  readonly hotKeyUtilization: number;
}

/** Bytes one shard accepts in one minute. */
export const SHARD_BYTES_PER_MINUTE = KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND * 60;
/** Records one shard accepts in one minute. */
export const SHARD_RECORDS_PER_MINUTE = KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND * 60;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Scale-in utilisation as a share of the target utilisation. */
const SCALE_IN_THRESHOLD_FACTOR = 0.75;
/**
 * Scale-in sizes the window's peak to this share of the target utilisation: the risky direction keeps a margin, and the
 * capacity held on the way down is the headroom with which the next surge meets the stream (above the scale-in factor,
 * so that the count after a scale-in does not trigger the next one at once).
 */
const SCALE_IN_MARGIN = 0.8;
/** Smallest forced scale-out step when throttling persists although the per-minute demand fits (sub-minute bursts). */
const FORCED_STEP_FACTOR = 1.25;
/** A minute at or above this utilisation is as good as throttled (per-second peaks are over the limit). */
const SATURATION_UTILIZATION = 0.95;
/** A saturated minute at this factor or more above the mean of the SURGE_BASELINE_MINUTES before it is a surge. */
const SURGE_FACTOR = 1.5;
const SURGE_BASELINE_MINUTES = 10;
/** Minutes of demand the growth trend is fitted to. */
const TREND_MINUTES = 30;
/** A projection never sizes for more than this factor above the measured peak. */
const MAX_PROJECTION_FACTOR = 1.5;

/** Minutes a hot key seen is remembered (see `hotKeyUtilization`). */
const HOT_KEY_MEMORY_MINUTES = 30;

const SCALE_OUT_MINUTES: Record<Sensitivity, number> = { high: 2, medium: 3, low: 5 };
const THROTTLE_MINUTES: Record<Sensitivity, number> = { high: 1, medium: 1, low: 2 };
const SCALE_IN_MINUTES: Record<Sensitivity, number> = { high: 30, medium: 60, low: 180 };

/**
 * Applies the defaults and derives the thresholds (the construct's alarms use the same numbers).
 *
 * - scale-out utilisation = halfway between the target and 100% (0.8 for a 0.6 target): a stream sized at the target has
 *   room before it triggers, and after it triggers before it throttles;
 * - saturation utilisation = 95% (or the scale-out utilisation if higher): one such minute acts like a throttled one;
 * - scale-in utilisation = 75% of the target (0.45 for 0.6): a scale-in, which sizes the window's peak to 80% of the
 *   target, then removes at least a sixteenth of the shards (0.45 / 0.48).
 * - hot-key utilisation = 0.5: a throttled minute below it is a hot key, not demand.
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
    saturationUtilization: Math.max(SATURATION_UTILIZATION, target + (1 - target) / 2),
    scaleInUtilization: target * SCALE_IN_THRESHOLD_FACTOR,
    scaleInMinutes: SCALE_IN_MINUTES[inn],
    lagGuardMillis: config.lagGuardMillis,
    reserveCallsForScaleOut: Math.max(0, Math.min(config.reserveCallsForScaleOut ?? 2, KinesisLimits.MAX_SCALING_CALLS_PER_24H - 1)),
    minThrottledFraction: config.minThrottledFraction ?? 0.001,
    settleMinutes: config.settleMinutes ?? 10,
    growthHorizonMinutes: config.growthHorizonMinutes ?? 30,
    hotKeyUtilization: config.hotKeyUtilization ?? 0.5,
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

/**
 * Demand expected `horizonMinutes` after the newest sample: the least-squares line through the newest 30 minutes' demand,
 * evaluated that far ahead. Returns 0 when the trend is flat or falling, or with fewer than 5 usable minutes.
 */
export function projectDemand(samples: readonly MinuteSample[], horizonMinutes: number): number {
  if (horizonMinutes <= 0) return 0;
  const pts = samples.slice(-TREND_MINUTES).map((s) => ({ x: s.minute, y: demandShards(s) })).filter((p) => Number.isFinite(p.y));
  if (pts.length < 5) return 0;
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.x, 0) / n;
  const my = pts.reduce((a, p) => a + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of pts) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) * (p.x - mx);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  if (slope <= 0) return 0;
  const lastX = pts[n - 1].x;
  return my + slope * (lastX - mx + horizonMinutes);
}

/**
 * Whether the handler should evaluate a stream that no alarm woke, for the rest-headroom rule of {@link decide}: no
 * UpdateShardCount call in the 24 h before `now`, and no such check for a scale-in window (so once per window at most).
 * `lastRestCheck` is the epoch ms of the previous such check, undefined when there was none.
 */
export function restCheckDue(callTimes: readonly number[], lastRestCheck: number | undefined, now: number, config: PolicyConfig): boolean {
  return callsInWindow(callTimes, now) === 0
    && (lastRestCheck === undefined || now - lastRestCheck >= resolveConfig(config).scaleInMinutes * MINUTE_MS);
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
 *    10 calls of the rolling 24 h are used up. A count outside [min, max] is first moved back inside.
 * 2. Demand per minute in shard equivalents (see {@link demandShards}); a throttled minute's demand is estimated from its
 *    accepted and throttled records, because throttling hides how much higher the demand is. A throttled minute
 *    measured after the count settled at an accepted utilisation below `hotKeyUtilization` is a hot key: its demand is
 *    what was accepted, it is not saturated, and the decision reports `hotKey` instead of scaling out.
 * 3. Scale out when the newest `throttleMinutes` published minutes are saturated (throttled, or at ≥ 95% utilisation of
 *    the current count) or the newest `scaleOutMinutes` are at or above the scale-out utilisation, to
 *    ceil(expected demand / target utilisation). Expected demand is the recent peak; on a steady climb (no saturation) the
 *    least-squares trend `growthHorizonMinutes` ahead, at most 1.5× the peak; on a surge (saturated and ≥ 1.5× the mean of
 *    the 10 minutes before) at least 2× the current count, the most one call allows. Throttling measured after the last
 *    reshard settled forces a step of at least ×1.25 even when the per-minute demand fits (sub-minute bursts). Scale-out
 *    may use every call left.
 * 4. Scale in when every minute of the scale-in window is unthrottled and at or below the scale-in utilisation of the
 *    current count, to ceil(window peak / (0.8 × target utilisation)): the window's peak stays under the target with a
 *    margin. A deep scale-in takes its next step as soon as the stream is ACTIVE again. Never while the lag guard is
 *    tripped, and only while the calls left exceed the reserve for scale-out.
 * 4a. Rest headroom: when no call was made in the 24 h before `now` (the count was inherited from a deploy or from a
 *    scale-out for a peak long gone, not sized by the policy for the traffic it now carries), the whole scale-in window is
 *    unthrottled and its peak is above the target utilisation of the current count, scale out to the count a scale-in
 *    would leave: ceil(window peak / (0.8 × target utilisation)), or one less where that count would put the peak at or
 *    below the scale-in utilisation (so that the next scale-in does not undo it). On-demand meets a surge with 2× its
 *    previous peak; this gives the stream about 2× its recent peak (at most 2.08× for a 0.6 target), so that a surge
 *    beyond 2× throttles for the reaction time only, where on-demand throttles for about 15 minutes. At most once a day
 *    (it needs a day without calls); the handler evaluates a stream no alarm woke once per scale-in window for it (see
 *    {@link restCheckDue}).
 * 5. The target is clamped to [min, max] and to one call's reach [ceil(current / 2), 2 × current]; the rest is returned
 *    as `pendingTarget` and reached in further steps (the handler re-invokes `decide` when the stream is ACTIVE again).
 *
 * No flapping: after a scale-out to the target utilisation, scale-in needs a whole window at or below 75% of the target;
 * after a scale-in, the window's peak sits at 80% of the target, and scale-out needs 1.67× that peak (for a 0.6 target:
 * the scale-out utilisation 0.8 over 0.48) for `scaleOutMinutes`, or saturation.
 */
export function decide(input: PolicyInput): Decision {
  const cfg = resolveConfig(input.config);
  const current = input.currentShards;
  const calls = callsInWindow(input.scalingCallTimes, input.now);
  const noneYet = (reason: string): Decision => ({ kind: 'none', reason, callsInLast24h: calls });

  if (input.streamStatus !== 'ACTIVE') return noneYet(`stream is ${input.streamStatus}`);
  if (calls >= KinesisLimits.MAX_SCALING_CALLS_PER_24H) {
    return noneYet(`all ${KinesisLimits.MAX_SCALING_CALLS_PER_24H} UpdateShardCount calls of the rolling 24 h are used`);
  }

  const lastCall = input.scalingCallTimes.filter((t) => t <= input.now).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const settledFrom = lastCall + cfg.settleMinutes * MINUTE_MS;
  const samples = input.samples;
  const lagTripped = cfg.lagGuardMillis !== undefined && input.lagMillis !== undefined && input.lagMillis > cfg.lagGuardMillis;
  const scaleInBudget = calls + 1 <= KinesisLimits.MAX_SCALING_CALLS_PER_24H - cfg.reserveCallsForScaleOut;

  const reach = (want: number) => Math.max(Math.ceil(current / 2), Math.min(2 * current, want));
  const lo = cfg.minShards;
  const hi = cfg.maxShards;

  // A hot key: throttled while the stream as a whole has room. Its throttled records are not demand more shards would take.
  // Once one is seen, throttled minutes below the scale-out utilisation stay hot-key minutes for a while (noise around the
  // hot-key utilisation must not turn them into demand); minutes at or above it are a full stream, whatever the keys.
  const throttledWithRoom = (s: MinuteSample, below: number) => current >= 2 && s.minute * MINUTE_MS >= settledFrom
    && throttledFraction(s) >= cfg.minThrottledFraction && utilization(s, current) < below;
  const hotKeySeen = samples.slice(-HOT_KEY_MEMORY_MINUTES).some((s) => throttledWithRoom(s, cfg.hotKeyUtilization));
  const hotKeyMinute = (s: MinuteSample) => throttledWithRoom(s, hotKeySeen ? cfg.scaleOutUtilization : cfg.hotKeyUtilization);
  const demandOf = (s: MinuteSample) => (hotKeyMinute(s) ? utilization(s, 1) : demandShards(s));
  const newest = samples[samples.length - 1];
  const hotKey = newest !== undefined && hotKeyMinute(newest);
  const none = (reason: string, demand?: number): Decision => ({
    kind: 'none', reason, demandShards: demand, callsInLast24h: calls, ...(hotKey ? { hotKey } : {}),
  });

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
  const latest = samples.slice(-cfg.throttleMinutes);
  const saturated = (s: MinuteSample) => !hotKeyMinute(s)
    && (throttledFraction(s) >= cfg.minThrottledFraction || demandShards(s) >= cfg.saturationUtilization * current);
  const isSaturated = latest.length === cfg.throttleMinutes && latest.every(saturated);
  const isThrottled = isSaturated && latest.every((s) => throttledFraction(s) >= cfg.minThrottledFraction);
  const hot = samples.slice(-cfg.scaleOutMinutes);
  const isHot = hot.length === cfg.scaleOutMinutes && hot.every((s) => demandOf(s) >= cfg.scaleOutUtilization * current);
  if (isSaturated || isHot) {
    const lookback = samples.slice(-Math.max(cfg.scaleOutMinutes, cfg.throttleMinutes));
    const peak = Math.max(...lookback.map(demandOf));
    // A steady climb is sized ahead; a saturated minute is a step change, not a trend, and its estimate is the demand.
    const trend = isSaturated ? 0 : projectDemand(samples, cfg.growthHorizonMinutes);
    const expected = Math.max(peak, Math.min(peak * MAX_PROJECTION_FACTOR, trend));
    let want = Number.isFinite(expected) ? Math.ceil(expected / cfg.targetUtilization - 1e-9) : 2 * current;
    // A surge (saturated, and well above the minutes before) is still rising, likely beyond what one minute showed: take
    // the largest step one call allows rather than chase it in several.
    const before = samples.slice(-(cfg.throttleMinutes + SURGE_BASELINE_MINUTES), -cfg.throttleMinutes).map(demandShards);
    const baseline = before.length > 0 ? before.reduce((a, b) => a + b, 0) / before.length : Number.POSITIVE_INFINITY;
    const surging = isSaturated && Math.min(...latest.map(demandShards)) >= SURGE_FACTOR * baseline;
    if (surging) want = Math.max(want, 2 * current);
    const freshThrottle = isThrottled && latest.every((s) => s.minute * MINUTE_MS >= settledFrom);
    if (freshThrottle) want = Math.max(want, current + 1, Math.ceil(current * FORCED_STEP_FACTOR));
    const why = (surging ? 'surge: ' : '') + (isThrottled
      ? `throttled ${(100 * Math.max(...latest.map(throttledFraction))).toFixed(2)}% of records`
      : isSaturated
        ? `utilisation ≥ ${pct(cfg.saturationUtilization)}`
        : `utilisation ≥ ${pct(cfg.scaleOutUtilization)} for ${cfg.scaleOutMinutes} min`);
    if (want > current && current < hi) {
      const growth = expected > peak ? `, ${fmt(expected)} expected in ${cfg.growthHorizonMinutes} min` : '';
      return step('scale-out', Math.min(want, hi), `${why}; demand ${fmt(peak)} shard equivalents${growth}`, expected);
    }
    if (want > current) return none(`${why}, but already at the maximum ${hi}`, peak);
  }
  if (hotKey) {
    return none(`throttled ${(100 * throttledFraction(newest)).toFixed(2)}% of records at ${pct(utilization(newest, current))} `
      + 'utilisation: a hot partition key, which more shards would not relieve; no scale-out', demandOf(newest));
  }

  // Scale-in. Demand is absolute, so the window may span earlier reshards, and the next step of a deep scale-in follows as
  // soon as the stream is ACTIVE: the window's minutes stay valid at any count, and a window that holds the evidence of a
  // scale-out is not cold at the count that scale-out sized for it.
  const windowStartMinute = samples.length > 0 ? samples[samples.length - 1].minute - cfg.scaleInMinutes + 1 : Number.POSITIVE_INFINITY;
  const window = samples.filter((s) => s.minute >= windowStartMinute);
  if (window.length >= cfg.scaleInMinutes && current > lo) {
    const peak = Math.max(...window.map(demandShards));
    const cold = window.every((s) => s.throttledRecords === 0 && demandShards(s) <= cfg.scaleInUtilization * current);
    const want = Math.max(lo, Math.ceil(peak / (cfg.targetUtilization * SCALE_IN_MARGIN) - 1e-9));
    if (cold && want < current) {
      if (lagTripped) return none(`low utilisation for ${cfg.scaleInMinutes} min, but the lag guard is tripped (${input.lagMillis} ms)`, peak);
      if (!scaleInBudget) return none(`low utilisation for ${cfg.scaleInMinutes} min, but the calls left are reserved for scale-out`, peak);
      return step('scale-in', want, `utilisation ≤ ${pct(cfg.scaleInUtilization)} for ${cfg.scaleInMinutes} min; peak demand ${fmt(peak)} shard equivalents`, peak);
    }
  }
  // Rest headroom: a count that no call has set for 24 h was inherited (a deploy, or a scale-out sized for a peak that
  // has passed) rather than sized by the policy. When the window's peak is above its target utilisation, size it as a
  // scale-in would (the peak at 80% of the target), so that the next surge meets the headroom a scale-in leaves; but
  // never to a count at which the peak is at or below the scale-in utilisation, where the next scale-in would undo it.
  if (calls === 0 && window.length >= cfg.scaleInMinutes && current < hi) {
    const peak = Math.max(...window.map(demandShards));
    const calm = window.every((s) => s.throttledRecords === 0);
    const want = Math.min(Math.ceil(peak / (cfg.targetUtilization * SCALE_IN_MARGIN) - 1e-9), Math.ceil(peak / cfg.scaleInUtilization - 1e-9) - 1);
    if (calm && peak > cfg.targetUtilization * current && want > current) {
      return step('scale-out', want, `rest: no call for 24 h and the ${cfg.scaleInMinutes}-min peak ${fmt(peak)} is above `
        + `${pct(cfg.targetUtilization)} of ${current} shards; sized for ${pct(cfg.targetUtilization * SCALE_IN_MARGIN)} as a scale-in would`, peak);
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
      ...(hotKey ? { hotKey } : {}),
    };
  }
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : 'unknown';
}
