import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './errors';

/** True when a value is a CDK token (unresolved until deploy); validation skips those. */
export function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/**
 * Small pure checks shared by every construct. Each one skips tokens (values known only at deploy) and
 * undefined (an optional prop that was not given), and throws the library's error naming prop, value and range.
 */

/** A finite number > 0. */
export function checkPositive(scope: IConstruct | string, prop: string, value: number | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isFinite(value) || value <= 0) throw propError(scope, prop, value, 'must be a finite number > 0');
}

/** A whole number within [min, max]. */
export function checkIntRange(scope: IConstruct | string, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, prop, value, `must be a whole number from ${min} to ${max}`);
  }
}

/** A finite number within [min, max] (inclusive) or (min, max] when minExclusive. */
export function checkRange(
  scope: IConstruct | string, prop: string, value: number | undefined, min: number, max: number, minExclusive = false,
): void {
  if (value === undefined || isToken(value)) return;
  const belowMin = minExclusive ? value <= min : value < min;
  if (!Number.isFinite(value) || belowMin || value > max) {
    throw propError(scope, prop, value, `must be a number in ${minExclusive ? '(' : '['}${min}, ${max}]`);
  }
}
