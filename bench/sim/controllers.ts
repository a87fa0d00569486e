/**
 * The scaling policies the simulator compares: this library's autoscaler (the real policy module behind modelled alarms
 * and a Lambda), the two public autoscalers it must beat, and a static stream.
 */
import {
  decide, Decision, MinuteSample, PolicyConfig, requiredHistoryMinutes, resolveConfig, throttledFraction, utilization,
} from '../../lambda/shard-autoscaler/policy';
import { SimAlarm } from './alarm';
import { Controller, StreamApi, StreamView } from './engine';

const MINUTE_MS = 60_000;
/** The handler's scheduled re-check, minutes. */
export const DEFAULT_RECHECK_MINUTES = 15;

/** Defaults of the autoscaler in the benchmark (the construct's defaults). */
export function defaultPolicyConfig(initialShards: number): PolicyConfig {
  return { minShards: 1, maxShards: Math.max(10_000, initialShards), targetUtilization: 0.7 };
}

export interface AutoscalerTrace {
  readonly minute: number;
  readonly decision: Decision;
  readonly trigger: string;
}

/**
 * This library's autoscaler: three alarms with 1-minute periods (saturation: throttling or utilisation ≥ 95%; high
 * utilisation; sustained low utilisation,
 * thresholds from `resolveConfig` with the shard count embedded), a handler invoked by an alarm's transition into ALARM and
 * once when a reshard completes (it then rewrites the alarms for the new count, which resets them), and by a schedule
 * every `recheckMinutes` (the re-check that picks up scale-ins the policy held back, e.g. for the lag guard or the call
 * reserve). Each invocation asks `decide()` and calls UpdateShardCount.
 */
export class AutoscalerController implements Controller {
  public readonly name = 'autoscaler';
  public invocations = 0;
  public readonly decisions: AutoscalerTrace[] = [];
  private readonly throttle: SimAlarm;
  private readonly high: SimAlarm;
  private readonly low: SimAlarm;
  private readonly history: number;
  private alarmShards: number | undefined;

  constructor(
    private readonly config: PolicyConfig,
    private readonly lagMillis?: (minute: number) => number | undefined,
    private readonly recheckMinutes: number = DEFAULT_RECHECK_MINUTES,
  ) {
    const r = resolveConfig(config);
    this.throttle = new SimAlarm('saturation', r.throttleMinutes, r.throttleMinutes);
    this.high = new SimAlarm('high-utilisation', r.scaleOutMinutes, r.scaleOutMinutes);
    this.low = new SimAlarm('low-utilisation', r.scaleInMinutes, r.scaleInMinutes);
    this.history = requiredHistoryMinutes(config);
  }

  step(view: StreamView, api: StreamApi): void {
    const r = resolveConfig(this.config);
    if (this.alarmShards === undefined) this.alarmShards = view.shards;
    const triggers: string[] = [];
    if (view.reshardCompleted) {
      // The handler's follow-up: rewrite the alarms for the new count (PutMetricAlarm resets their state).
      this.alarmShards = view.shards;
      for (const a of [this.throttle, this.high, this.low]) a.reset();
      triggers.push('reshard completed');
    }
    const shards = this.alarmShards;
    const fired: SimAlarm[] = [];
    const flags = (n: number, f: (s: MinuteSample) => boolean) => view.published.slice(-n).map(f);
    const saturated = (s: MinuteSample) => throttledFraction(s) >= r.minThrottledFraction || utilization(s, shards) >= r.saturationUtilization;
    if (this.throttle.evaluate(flags(this.throttle.evaluationPeriods, saturated))) fired.push(this.throttle);
    if (this.high.evaluate(flags(this.high.evaluationPeriods, (s) => utilization(s, shards) >= r.scaleOutUtilization))) fired.push(this.high);
    if (this.low.evaluate(flags(this.low.evaluationPeriods, (s) => utilization(s, shards) <= r.scaleInUtilization))) fired.push(this.low);
    triggers.push(...fired.map((a) => a.name));
    if (this.recheckMinutes > 0 && view.minute % this.recheckMinutes === 0) triggers.push('schedule');
    if (triggers.length === 0) return;

    this.invocations++;
    const decision = decide({
      currentShards: view.shards,
      streamStatus: view.status,
      samples: view.published.slice(-this.history),
      lagMillis: this.lagMillis?.(view.minute),
      scalingCallTimes: view.callMinutes.map((m) => m * MINUTE_MS),
      now: view.minute * MINUTE_MS,
      config: this.config,
    });
    this.decisions.push({ minute: view.minute, decision, trigger: triggers.join('+') });
    if (decision.targetShards !== undefined) api.updateShardCount(decision.targetShards);
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
