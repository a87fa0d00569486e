/**
 * The one place this library's errors are built. No runtime import of aws-cdk-lib here: the Lambda handlers bundle modules
 * that report errors through these helpers (the shard autoscaler's alarm math), and aws-cdk-lib would add about 40 MB to
 * their bundles.
 */
import type { IConstruct } from 'constructs';
import { PipelineValidationError } from '../errors';

/** What received the input: a construct, a factory or file location by name, or nothing (the message stands alone). */
export type ErrorScope = IConstruct | string | undefined;

/**
 * The one way this library reports bad input: the construct's kind and path, the prop, the value and what is allowed.
 *
 * `PipelineStream "Clicks": peakRecordsPerSecond must be > 0, got -5`
 */
export function propError(scope: ErrorScope, prop: string, value: unknown, allowed: string): PipelineValidationError {
  return new PipelineValidationError(withScope(scope, `${prop} ${allowed}, got ${formatValue(value)}`),
    { ...describe(scope), prop, value, allowed });
}

/**
 * An error that concerns a combination of props rather than one value, or one whose message cannot take the
 * `prop allowed, got value` order; `about` names the prop and value when there is one.
 */
export function comboError(scope: ErrorScope, message: string, about?: { readonly prop: string; readonly value: unknown }): PipelineValidationError {
  return new PipelineValidationError(withScope(scope, message), { ...describe(scope), ...about });
}

function withScope(scope: ErrorScope, message: string): string {
  const source = describe(scope).source;
  return source === undefined ? message : `${source}: ${message}`;
}

function describe(scope: ErrorScope): { source?: string; constructPath?: string } {
  if (scope === undefined) return {};
  if (typeof scope === 'string') return { source: scope };
  const kind = scope.constructor?.name ?? 'Construct';
  return { source: `${kind} "${scope.node.path}"`, constructPath: scope.node.path };
}

/**
 * The marker of a string token: aws-cdk-lib encodes an unresolved string as `${Token[NAME.n]}` (string tokens only; this
 * module cannot call `Token.isUnresolved`, see above).
 */
const STRING_TOKEN = /\$\{Token\[[a-zA-Z0-9:._-]+\]\}/;

/** Renders a value for an error message: strings quoted, objects as JSON, tokens as-is. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return STRING_TOKEN.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
