/**
 * What to do next to bring a Managed Flink application to the state a CloudFormation request wants.
 * Pure: no SDK, no clock. The control loop calls it after each DescribeApplication.
 * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ApplicationDetail.html (ApplicationStatus)
 */

/** RUNNING after Create/Update; READY (stopped) before Delete. */
export type Goal = 'RUNNING' | 'READY';

export type ApplicationStatus =
  | 'DELETING' | 'STARTING' | 'STOPPING' | 'READY' | 'RUNNING' | 'UPDATING' | 'AUTOSCALING'
  | 'FORCE_STOPPING' | 'ROLLING_BACK' | 'MAINTENANCE' | 'ROLLED_BACK';

export type Step =
  | { readonly kind: 'done' }
  | { readonly kind: 'start' }
  | { readonly kind: 'stop'; readonly force: boolean }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly reason: string };

/** Statuses that end by themselves (the service is working); the loop only waits. */
const TRANSITIONAL: ReadonlySet<string> = new Set(['STARTING', 'STOPPING', 'UPDATING', 'AUTOSCALING', 'FORCE_STOPPING', 'ROLLING_BACK', 'MAINTENANCE']);

/**
 * @param goal the state wanted
 * @param status the application's status, or undefined when the application does not exist
 * @param forceStop whether a graceful stop ran out of its share of the time (stop with Force: no snapshot)
 */
export function nextStep(goal: Goal, status: string | undefined, forceStop = false): Step {
  if (goal === 'READY') {
    if (status === undefined || status === 'READY' || status === 'DELETING') return { kind: 'done' };
    if (status === 'STOPPING' || status === 'FORCE_STOPPING') {
      return forceStop && status === 'STOPPING' ? { kind: 'stop', force: true } : { kind: 'wait' };
    }
    if (status === 'RUNNING' || status === 'ROLLED_BACK' || status === 'STARTING' || status === 'UPDATING' || status === 'AUTOSCALING') {
      return { kind: 'stop', force: forceStop };
    }
    if (TRANSITIONAL.has(status)) return { kind: 'wait' };
    return { kind: 'fail', reason: `cannot stop an application in status ${status}` };
  }
  if (status === undefined) return { kind: 'fail', reason: 'the application does not exist' };
  if (status === 'RUNNING') return { kind: 'done' };
  if (status === 'READY') return { kind: 'start' };
  if (status === 'DELETING') return { kind: 'fail', reason: 'the application is being deleted' };
  if (status === 'ROLLED_BACK') {
    return { kind: 'fail', reason: 'the service rolled the application back to its previous version: the new version failed to start (see its logs)' };
  }
  if (TRANSITIONAL.has(status)) return { kind: 'wait' };
  return { kind: 'fail', reason: `cannot start an application in status ${status}` };
}

/**
 * How to start: from the latest snapshot when snapshots are on and one is READY, else without state.
 * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ApplicationRestoreConfiguration.html
 */
export function restoreType(snapshotsEnabled: boolean, snapshotStatuses: readonly string[]): 'RESTORE_FROM_LATEST_SNAPSHOT' | 'SKIP_RESTORE_FROM_SNAPSHOT' {
  return snapshotsEnabled && snapshotStatuses.includes('READY') ? 'RESTORE_FROM_LATEST_SNAPSHOT' : 'SKIP_RESTORE_FROM_SNAPSHOT';
}

/** What an error from a Start/Stop/Describe call means for the loop. */
export type ErrorAction = 'retry' | 'wait' | 'not-found' | 'fatal';

/**
 * - ConcurrentModificationException, throttling, 5xx: try the same call again after a pause.
 * - ResourceInUseException: the application is busy (starting, updating...): describe again and wait.
 * - ResourceNotFoundException: the application is gone.
 * - anything else (InvalidArgument, InvalidRequest, InvalidApplicationConfiguration, LimitExceeded, AccessDenied...):
 *   give up with its message.
 */
export function classifyError(error: unknown): ErrorAction {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  const name = e?.name ?? '';
  if (name === 'ResourceNotFoundException') return 'not-found';
  if (name === 'ResourceInUseException') return 'wait';
  if (name === 'ConcurrentModificationException' || name === 'ThrottlingException'
    || name === 'TooManyRequestsException' || name === 'ServiceUnavailableException' || e?.$retryable !== undefined) {
    return 'retry';
  }
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'retry';
  return 'fatal';
}
