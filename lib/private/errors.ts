import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one way this library reports bad input: the construct's kind and path, the prop, the value and what is allowed.
 *
 * `PipelineStream "Clicks": peakRecordsPerSecond must be > 0, got -5`
 */
export function propError(scope: IConstruct | string, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${describeScope(scope)}: ${prop} ${allowed}, got ${formatValue(value)}`);
}

/** An error that concerns a combination of props rather than one value. */
export function comboError(scope: IConstruct | string, message: string): Error {
  return new Error(`${describeScope(scope)}: ${message}`);
}

function describeScope(scope: IConstruct | string): string {
  if (typeof scope === 'string') return scope;
  const kind = scope.constructor?.name ?? 'Construct';
  return `${kind} "${scope.node.path}"`;
}

/** Renders a value for an error message: strings quoted, objects as JSON, tokens as-is. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return Token.isUnresolved(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** True when a value is a CDK token (unresolved until deploy); validation skips those. */
export function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}
