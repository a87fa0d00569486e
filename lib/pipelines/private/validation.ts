/**
 * Checks of the pipeline constructs' props. Small, pure and token-safe (a token skips the check), built on the shared checks.
 */
import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { propError } from '../../private/errors';
import { checkRange } from '../../private/validation';
import type { CountThreshold, SessionConsumerAlarmsOptions } from '../session-consumer-alarms';

/** A duration of whole seconds within [min, max] seconds. */
export function checkDurationSeconds(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number, allowed: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms % 1000 !== 0 || ms < min * 1000 || ms > max * 1000) throw propError(scope, prop, humanDuration(value), allowed);
}

/** `toHumanString()` for whole seconds; seconds with their fraction otherwise (toHumanString rounds them away). */
export function humanDuration(value: Duration): string {
  const ms = value.toMilliseconds();
  return ms % 1000 === 0 ? value.toHumanString() : `${ms / 1000} seconds`;
}

/** A duration of whole minutes within [min, max] minutes (EventBridge rates have minute granularity). */
export function checkDurationMinutes(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms % 60_000 !== 0 || ms < min * 60_000 || ms > max * 60_000) {
    throw propError(scope, prop, humanDuration(value), `must be whole minutes from ${min} to ${max}`);
  }
}

/** Event type names: 1 to 64 characters of letters, digits and `_ . : -` (they travel comma-separated), at least one. */
export function checkEventTypes(scope: IConstruct, prop: string, values: string[] | undefined): void {
  if (values === undefined) return;
  if (values.length === 0) throw propError(scope, prop, values, 'must name at least one event type');
  for (const v of values) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(v)) throw propError(scope, prop, v, 'must be 1 to 64 characters of letters, digits, _ . : -');
  }
}

/** Every check of `SessionConsumerAlarms`: the evaluation of each threshold (1-minute periods) and its limit. */
export function validateSessionConsumerAlarmsProps(
  scope: IConstruct, p: SessionConsumerAlarmsOptions, defaultPeriods: Record<string, number>,
): void {
  const counts: Record<string, CountThreshold | undefined> = {
    errors: p.errors,
    throttles: p.throttles,
    destinationDeliveryFailures: p.destinationDeliveryFailures,
    failedRecords: p.failedRecords,
    malformedRecords: p.malformedRecords,
    summaryEmitFailures: p.summaryEmitFailures,
  };
  checkEvaluations(scope, Duration.minutes(1), { ...counts, iteratorAge: p.iteratorAge }, defaultPeriods);
  for (const [name, t] of Object.entries(counts)) checkRange(scope, `${name}.maxCount`, t?.maxCount, 0, Number.MAX_SAFE_INTEGER);
  checkDurationSeconds(scope, 'iteratorAge.maxAge', p.iteratorAge?.maxAge, 1, 7 * 24 * 3600, 'must be whole seconds from 1 second to 7 days');
}
