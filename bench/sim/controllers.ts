/**
 * The scaling policies the simulator compares: this library's autoscaler (the real policy module behind modelled alarms
 * and a Lambda), the two public autoscalers it must beat, and a static stream.
 */
import { SimAlarm } from './alarm';
import { Controller, StreamApi, StreamView } from './engine';
import {
  decide, Decision, MinuteSample, PolicyConfig, requiredHistoryMinutes, resolveConfig, restCheckDue, throttledFraction, utilization,
} from '../../lambda/shard-autoscaler/policy';

const MINUTE_MS = 60_000;
/** The handler's scheduled re-check, minutes (the construct's default). */
export const DEFAULT_RECHECK_MINUTES = 1;

/** Defaults of the autoscaler in the benchmark (the construct's defaults). */
export function defaultPolicyConfig(initialShards: number): PolicyConfig {
  return { minShards: 1, maxShards: Math.max(10_000, initialShards), targetUtilization: 0.6 };
}

export interface AutoscalerTrace {
  readonly minute: number;
  readonly decision: Decision;
  readonly trigger: string;
}

export interface AutoscalerModelOptions {
  /** Consumer lag the lag guard sees at a minute. @default - none */
  readonly lagMillis?: (minute: number) => number | undefined;
  /** Minutes between the handler's scheduled re-checks. @default 1 (the construct's default) */
  readonly recheckMinutes?: number;
  /**
   * Whether the throttling alarm also wakes the handler on a saturated minute (utilisation ≥ the policy's saturation
   * utilisation), as the policy treats one. @default true
   */
  readonly saturationAlarm?: boolean;
}

/**
 * This library's autoscaler as the ShardAutoscaler construct deploys it: three alarms with 1-minute periods and the
 * thresholds of `resolveConfig` (throttling — and saturation — for `throttleMinutes`; utilisation ≥ the scale-out
 * utilisation for `scaleOutMinutes`; utilisation ≤ the scale-in utilisation for `scaleInMinutes`), the utilisation ones
 * embedding the shard count; and the handler, woken by an alarm's transition into ALARM and by a scheduled re-check. The
 * handler evaluates the policy when woken by an alarm, while any alarm is in ALARM, and for the follow-up after its own
 * call once the stream is ACTIVE again; it rewrites the alarms for the target right after a call (their state is kept) and
 * re-syncs them when they disagree with the open count.
 */
export class AutoscalerController implements Controller {
  public readonly name = 'autoscaler';
  public invocations = 0;
  public evaluations = 0;
  public readonly decisions: AutoscalerTrace[] = [];
  private readonly throttle: SimAlarm;
  private readonly high: SimAlarm;
  private readonly low: SimAlarm;
  private readonly history: number;
  private readonly recheck: number;
  private alarmShards: number | undefined;
  private followUp = false;
  /** Epoch ms of the latest rest check (the handler keeps it in its state item). */
  private lastRestCheck: number | undefined;

  constructor(private readonly config: PolicyConfig, private readonly options: AutoscalerModelOptions = {}) {
    const r = resolveConfig(config);
    this.throttle = new SimAlarm('throttling', r.throttleMinutes, r.throttleMinutes);
    this.high = new SimAlarm('scale-out-utilisation', r.scaleOutMinutes, r.scaleOutMinutes);
    this.low = new SimAlarm('scale-in-utilisation', r.scaleInMinutes, r.scaleInMinutes);
    this.history = requiredHistoryMinutes(config);
    this.recheck = options.recheckMinutes ?? DEFAULT_RECHECK_MINUTES;
  }

  step(view: StreamView, api: StreamApi): void {
    const r = resolveConfig(this.config);
    if (this.alarmShards === undefined) this.alarmShards = view.shards;
    const shards = this.alarmShards;
    const saturationAlarm = this.options.saturationAlarm ?? true;
    const flags = (n: number, f: (s: MinuteSample) => boolean) => view.published.slice(-n).map(f);
    const throttled = (s: MinuteSample) => throttledFraction(s) >= r.minThrottledFraction
      || (saturationAlarm && utilization(s, shards) >= r.saturationUtilization);
    const fired: string[] = [];
    if (this.throttle.evaluate(flags(this.throttle.evaluationPeriods, throttled))) fired.push(this.throttle.name);
    if (this.high.evaluate(flags(this.high.evaluationPeriods, (s) => utilization(s, shards) >= r.scaleOutUtilization))) fired.push(this.high.name);
    if (this.low.evaluate(flags(this.low.evaluationPeriods, (s) => utilization(s, shards) <= r.scaleInUtilization))) fired.push(this.low.name);
    const scheduled = this.recheck > 0 && view.minute % this.recheck === 0;
    if (fired.length === 0 && !scheduled) return;

    this.invocations++;
    if (view.status === 'ACTIVE' && this.alarmShards !== view.shards) this.alarmShards = view.shards;
    const inAlarm = [this.throttle, this.high, this.low].filter((a) => a.state === 'ALARM').map((a) => a.name);
    const now = view.minute * MINUTE_MS;
    const callTimes = view.callMinutes.map((m) => m * MINUTE_MS);
    const rest = restCheckDue(callTimes, this.lastRestCheck, now, this.config);
    const reasons = [...fired, ...(inAlarm.length > 0 ? ['in ALARM'] : []), ...(this.followUp ? ['follow-up'] : []), ...(rest ? ['rest check'] : [])];
    if (reasons.length === 0) return;
    if (view.status !== 'ACTIVE') {
      this.followUp = true;
      return;
    }
    this.evaluations++;
    if (rest) this.lastRestCheck = now;
    const decision = decide({
      currentShards: view.shards,
      streamStatus: view.status,
      samples: view.published.slice(-this.history),
      lagMillis: this.options.lagMillis?.(view.minute),
      scalingCallTimes: callTimes,
      now,
      config: this.config,
    });
    this.followUp = false;
    this.decisions.push({ minute: view.minute, decision, trigger: reasons.join('+') });
    if (decision.targetShards !== undefined && api.updateShardCount(decision.targetShards)) {
      this.followUp = true;
      this.alarmShards = decision.targetShards;
    }
  }
}

/**
 * aws-samples/kinesis-auto-scaling with its defaults: 5-minute periods of max(bytes, records) utilisation with the shard
 * count embedded; scale-up alarm 5 of 5 periods ≥ 75% → ×2; scale-down alarm 57 of 60 periods < 25% → ÷2 (rounded down,
 * at least 1). The Lambda rewrites both alarms for the new count and resets them right after its UpdateShardCount call.
 * A failed call other than ResourceInUseException sets the alarm back so it may fire again.
 */
export class AwsSamplesController implements Controller {
  public readonly name = 'aws-samples';
  public invocations = 0;
  private readonly up = new SimAlarm('scale-up', 5, 5);
  private readonly down = new SimAlarm('scale-down', 60, 57);
  private alarmShards: number | undefined;
  private readonly period = 5;

  step(view: StreamView, api: StreamApi): void {
    if (this.alarmShards === undefined) this.alarmShards = view.shards;
    const shards = this.alarmShards;
    const utils = this.periodUtilizations(view.published, shards, 60);
    const fired: Array<'up' | 'down'> = [];
    if (this.up.evaluate(utils.map((u) => u >= 0.75))) fired.push('up');
    if (this.down.evaluate(utils.map((u) => u < 0.25))) fired.push('down');
    for (const action of fired) {
      this.invocations++;
      const current = view.shards;
      const target = action === 'up' ? current * 2 : Math.max(1, Math.floor(current / 2));
      if (target === current) continue;
      const alarm = action === 'up' ? this.up : this.down;
      if (api.updateShardCount(target)) {
        this.alarmShards = target;
        this.up.reset();
        this.down.reset();
        return;
      }
      if (view.status === 'ACTIVE') alarm.reset();
    }
  }

  /** Utilisation of each complete 5-minute period (aligned to the first trace minute), newest last, at most `n`. */
  private periodUtilizations(published: readonly MinuteSample[], shards: number, n: number): number[] {
    const complete = Math.floor(published.length / this.period);
    const first = Math.max(0, complete - n);
    const out: number[] = [];
    for (let p = first; p < complete; p++) {
      let bytes = 0;
      let records = 0;
      for (let k = p * this.period; k < (p + 1) * this.period; k++) {
        bytes += published[k].incomingBytes;
        records += published[k].incomingRecords;
      }
      out.push(utilization({ minute: 0, incomingBytes: bytes / this.period, incomingRecords: records / this.period, throttledRecords: 0 }, shards));
    }
    return out;
  }
}

/**
 * brexhq/substation's autoscale Lambda with its defaults: 1-minute max(bytes, records) utilisation with the shard count
 * embedded; upscale alarm 5 of 5 ≥ 70%, downscale alarm 60 of 60 ≤ 35%; factor ×2 below 5 shards, ×1.75 below 13,
 * ×1.5 below 33, ×1.25 above (up rounded down, down divided and rounded up); no upscale within 3 minutes and no downscale
 * within 30 minutes of the last scaling event (the alarm is set back to INSUFFICIENT_DATA instead). The Lambda waits for
 * the stream to be ACTIVE, then records the scaling event and rewrites and resets both alarms.
 */
export class SubstationController implements Controller {
  public readonly name = 'substation';
  public invocations = 0;
  private readonly up = new SimAlarm('upscale', 5, 5);
  private readonly down = new SimAlarm('downscale', 60, 60);
  private alarmShards: number | undefined;
  private lastEvent = Number.NEGATIVE_INFINITY;
  private waiting = false;

  step(view: StreamView, api: StreamApi): void {
    if (this.alarmShards === undefined) this.alarmShards = view.shards;
    if (view.reshardCompleted && this.waiting) {
      this.waiting = false;
      this.lastEvent = view.minute;
      this.alarmShards = view.shards;
      this.up.reset();
      this.down.reset();
    }
    const shards = this.alarmShards;
    const last = (n: number) => view.published.slice(-n).map((s) => utilization(s, shards));
    const fired: Array<'up' | 'down'> = [];
    if (this.up.evaluate(last(5).map((u) => u >= 0.7))) fired.push('up');
    if (this.down.evaluate(last(60).map((u) => u <= 0.35))) fired.push('down');
    for (const action of fired) {
      this.invocations++;
      const alarm = action === 'up' ? this.up : this.down;
      const guard = action === 'up' ? 3 : 30;
      if (view.minute - this.lastEvent < guard) {
        alarm.reset();
        continue;
      }
      const current = view.shards;
      const target = Math.max(1, action === 'up' ? substationUpscale(current) : substationDownscale(current));
      if (target === current) continue;
      if (api.updateShardCount(target)) {
        this.waiting = true;
        return;
      }
    }
  }
}

function substationFactor(shards: number): number {
  if (shards < 5) return 2;
  if (shards < 13) return 1.75;
  if (shards < 33) return 1.5;
  return 1.25;
}

export function substationUpscale(shards: number): number {
  return Math.floor(shards * substationFactor(shards));
}

export function substationDownscale(shards: number): number {
  return Math.ceil(shards / substationFactor(shards));
}

/** A provisioned stream that never reshards. */
export class StaticController implements Controller {
  public readonly name = 'static';
  step(): void {}
}

export const POLICY_NAMES = ['autoscaler', 'on-demand', 'static', 'aws-samples', 'substation'] as const;
export type PolicyName = typeof POLICY_NAMES[number];

/** The controller for a policy name (on-demand is not a controller: the engine models it). */
export function controllerFor(name: PolicyName, initialShards: number, config?: PolicyConfig): Controller | 'on-demand' {
  switch (name) {
    case 'autoscaler': return new AutoscalerController(config ?? defaultPolicyConfig(initialShards));
    case 'aws-samples': return new AwsSamplesController();
    case 'substation': return new SubstationController();
    case 'static': return new StaticController();
    case 'on-demand': return 'on-demand';
  }
}
