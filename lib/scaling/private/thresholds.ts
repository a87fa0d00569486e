/**
 * The alarm thresholds that agree with the policy (lambda/shard-autoscaler/policy.ts, `resolveConfig`). Pure.
 *
 * The construct cannot import the policy (it lives outside the jsii source tree and the npm package), so the few numbers
 * the alarms need are restated here; test/scaling/thresholds.test.ts checks that both agree for every combination.
 * The alarms only wake the handler up: the policy decides on the same minutes with the same thresholds.
 */

/** How quickly a direction reacts, as the policy names it. */
export type SensitivityName = 'high' | 'medium' | 'low';

export interface AlarmThresholds {
  /** Utilisation at or above which a minute counts toward scale-out. */
  readonly scaleOutUtilization: number;
  /** Consecutive minutes at or above `scaleOutUtilization` that trigger scale-out. */
  readonly scaleOutMinutes: number;
  /** Consecutive throttled minutes that trigger scale-out. */
  readonly throttleMinutes: number;
  /** Throttled share of a minute's records from which the minute counts as throttled. */
  readonly minThrottledFraction: number;
  /** Utilisation at or below which every minute of the scale-in window must be. */
  readonly scaleInUtilization: number;
  /** Length of the scale-in window, minutes. */
  readonly scaleInMinutes: number;
}

const SCALE_OUT_MINUTES: Record<SensitivityName, number> = { high: 2, medium: 3, low: 5 };
const THROTTLE_MINUTES: Record<SensitivityName, number> = { high: 1, medium: 1, low: 2 };
const SCALE_IN_MINUTES: Record<SensitivityName, number> = { high: 30, medium: 60, low: 180 };
/** The policy's smallest worthwhile scale-in, as a fraction of the current count. */
const MIN_SCALE_IN_FRACTION = 0.25;
/** The policy's default throttled share below which a minute does not count as throttled. */
const MIN_THROTTLED_FRACTION = 0.001;

export function alarmThresholds(targetUtilization: number, scaleOut: SensitivityName, scaleIn: SensitivityName): AlarmThresholds {
  return {
    scaleOutUtilization: targetUtilization + (1 - targetUtilization) / 2,
    scaleOutMinutes: SCALE_OUT_MINUTES[scaleOut],
    throttleMinutes: THROTTLE_MINUTES[scaleOut],
    minThrottledFraction: MIN_THROTTLED_FRACTION,
    scaleInUtilization: targetUtilization * (1 - MIN_SCALE_IN_FRACTION),
    scaleInMinutes: SCALE_IN_MINUTES[scaleIn],
  };
}
