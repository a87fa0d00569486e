/**
 * Checks of the pipeline constructs' props. Small, pure and token-safe (a token skips the check), built on the shared checks.
 */
import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../../private/errors';
import { checkIntRange } from '../../private/validation';

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

/** The evaluation settings every alarm threshold shares. */
export function checkEvaluation(
  scope: IConstruct, prop: string, e: { evaluationPeriods?: number; datapointsToAlarm?: number } | undefined,
): void {
  if (!e) return;
  checkIntRange(scope, `${prop}.evaluationPeriods`, e.evaluationPeriods, 1, 1440);
  checkIntRange(scope, `${prop}.datapointsToAlarm`, e.datapointsToAlarm, 1, e.evaluationPeriods ?? 1440);
}
