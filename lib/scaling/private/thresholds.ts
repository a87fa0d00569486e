/**
 * The alarm thresholds that agree with the policy (lambda/shard-autoscaler/policy.ts, `resolveConfig`). Pure.
 *
 * The construct cannot import the policy (it lives outside the jsii source tree and the npm package), so the few numbers
 * the alarms need are restated here; test/scaling/thresholds.test.ts checks that both agree for every combination.
 * The alarms only wake the handler up: the policy decides on the same minutes with the same thresholds.
 */

/** How quickly a direction reacts, as the policy names it. */
export type SensitivityName = 'high' | 'medium' | 'low';

/** The policy's name of a `ScalingSensitivity` value (the enum's values are uppercase, as jsii users see them). */
export function sensitivityName(value: string): SensitivityName {
  return value.toLowerCase() as SensitivityName;
}

export interface AlarmThresholds {
  /** Utilisation at or above which a minute counts toward scale-out. */
  readonly scaleOutUtilization: number;
  /** Consecutive minutes at or above `scaleOutUtilization` that trigger scale-out. */
  readonly scaleOutMinutes: number;
  /** Consecutive saturated minutes (throttled, or at or above `saturationUtilization`) that trigger scale-out. */
  readonly throttleMinutes: number;
  /** Utilisation at which a minute counts as saturated, like a throttled one. */
  readonly saturationUtilization: number;
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
/** The policy's default throttled share below which a minute does not count as throttled. */
const MIN_THROTTLED_FRACTION = 0.001;
/** The policy's utilisation from which a minute counts as saturated (per-second peaks already throttle). */
const SATURATION_UTILIZATION = 0.95;
/** The policy's scale-in threshold as a fraction of the target utilisation. */
const SCALE_IN_THRESHOLD_FACTOR = 0.75;

export function alarmThresholds(targetUtilization: number, scaleOut: SensitivityName, scaleIn: SensitivityName): AlarmThresholds {
  const scaleOutUtilization = targetUtilization + (1 - targetUtilization) / 2;
  return {
    scaleOutUtilization,
    scaleOutMinutes: SCALE_OUT_MINUTES[scaleOut],
    throttleMinutes: THROTTLE_MINUTES[scaleOut],
    saturationUtilization: Math.max(SATURATION_UTILIZATION, scaleOutUtilization),
    minThrottledFraction: MIN_THROTTLED_FRACTION,
    scaleInUtilization: targetUtilization * SCALE_IN_THRESHOLD_FACTOR,
    scaleInMinutes: SCALE_IN_MINUTES[scaleIn],
  };
}
