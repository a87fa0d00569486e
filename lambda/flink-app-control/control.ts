/**
 * The control loop: describe the application, decide (decide.ts), act, wait, until the goal is reached or the time is up.
 * The Managed Flink API and the clock are injected, so the loop runs against the SDK in Lambda, the moto server or a
 * simulated service in tests.
 */
import { ErrorAction, Goal, classifyError, nextStep, restoreType } from './decide';

/** What the loop needs to know of an application. */
export interface ApplicationView {
  readonly status: string;
  readonly snapshotsEnabled: boolean;
}

/** The four Managed Flink calls the loop makes. */
export interface FlinkApi {
  /** DescribeApplication; undefined when the application does not exist. */
  describe(applicationName: string): Promise<ApplicationView | undefined>;
  /** ListApplicationSnapshots: the status of each snapshot. */
  listSnapshotStatuses(applicationName: string): Promise<string[]>;
  /** StartApplication with a restore type. */
  start(applicationName: string, restore: ReturnType<typeof restoreType>, allowNonRestoredState: boolean): Promise<void>;
  /** StopApplication. */
  stop(applicationName: string, force: boolean): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface ConvergeOptions {
  /** Epoch ms after which the loop gives up. */
  readonly deadline: number;
  /** Pause between two DescribeApplication calls, ms. */
  readonly pollMs: number;
  /** Epoch ms after which a graceful stop that has not finished is forced. */
  readonly forceStopAt?: number;
  readonly allowNonRestoredState?: boolean;
  /** StartApplication calls before the loop gives up on an application that keeps returning to READY. @default 2 */
  readonly maxStarts?: number;
}

export interface Outcome {
  readonly ok: boolean;
  /** Last status seen (undefined: the application does not exist, or its status was never read: see `statusUnknown`). */
  readonly status?: string;
  /** True when no DescribeApplication succeeded: nothing is known of the application (never reported as absent). */
  readonly statusUnknown?: boolean;
  /** Why it failed, or what it did. */
  readonly reason: string;
  /** The calls made, for the log: `start:RESTORE_FROM_LATEST_SNAPSHOT`, `stop:graceful`, ... */
  readonly actions: string[];
}

/** Pause before retrying a call that failed transiently: 1 s, 2 s, 4 s ... capped at the poll interval. */
export function retryDelay(attempt: number, pollMs: number): number {
  return Math.min(pollMs, 1000 * 2 ** Math.min(attempt, 10));
}

export async function converge(api: FlinkApi, applicationName: string, goal: Goal, options: ConvergeOptions, clock: Clock): Promise<Outcome> {
  const actions: string[] = [];
  const maxStarts = options.maxStarts ?? 2;
  let status: string | undefined;
  let starts = 0;
  let pollsSinceStart = 0;
  let leftReadySinceStart = false;
  let stopRequested: 'graceful' | 'force' | undefined;
  let transientFailures = 0;
  let described = false;
  let lastError: string | undefined;
  const since = clock.now();

  const fail = (reason: string): Outcome => ({ ok: false, status, reason, actions });

  /** Handles an error of a call; returns an outcome to end the loop with, or undefined to go on. */
  const onError = async (call: string, error: unknown): Promise<Outcome | undefined> => {
    const action: ErrorAction = classifyError(error);
    const message = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    lastError = `${call} failed: ${message}`;
    if (action === 'fatal') return fail(`${call} failed: ${message}`);
    if (action === 'not-found') {
      if (goal === 'READY') {
        status = undefined;
        return { ok: true, status, reason: 'the application does not exist', actions };
      }
      return fail(`${call} failed: ${message}`);
    }
    transientFailures++;
    await clock.sleep(action === 'retry' ? retryDelay(transientFailures, options.pollMs) : options.pollMs);
    return undefined;
  };

  for (;;) {
    if (clock.now() >= options.deadline) {
      const seconds = Math.round((clock.now() - since) / 1000);
      if (!described) {
        // Never "absent": the status was never read, so nothing is known of the application.
        return { ...fail(`timed out after ${seconds} s (wanted ${goal}) without reading the application's status${lastError ? ` (last error: ${lastError})` : ''}`), statusUnknown: true };
      }
      return fail(`the application is still ${status ?? 'absent'} after ${seconds} s (wanted ${goal}); it may be stuck: see its logs`);
    }
    let view: ApplicationView | undefined;
    try {
      view = await api.describe(applicationName);
    } catch (error) {
      const end = await onError('DescribeApplication', error);
      if (end) return end;
      continue;
    }
    status = view?.status;
    described = true;
    if (starts > 0) {
      pollsSinceStart++;
      if (status !== 'READY') leftReadySinceStart = true;
    }
    const forceStop = options.forceStopAt !== undefined && clock.now() >= options.forceStopAt;
    const step = nextStep(goal, status, forceStop);

    if (step.kind === 'done') return { ok: true, status, reason: `the application is ${status ?? 'absent'}`, actions };
    if (step.kind === 'fail') return fail(step.reason);
    if (step.kind === 'wait') {
      await clock.sleep(options.pollMs);
      continue;
    }
    if (step.kind === 'start') {
      if (starts > 0 && leftReadySinceStart) {
        if (starts >= maxStarts) return fail(`the application returned to READY after ${starts} StartApplication call(s): the job failed to start (see its logs)`);
      } else if (starts > 0 && pollsSinceStart < 3) {
        await clock.sleep(options.pollMs);
        continue;
      }
      try {
        const snapshots = view!.snapshotsEnabled ? await api.listSnapshotStatuses(applicationName) : [];
        const restore = restoreType(view!.snapshotsEnabled, snapshots);
        await api.start(applicationName, restore, options.allowNonRestoredState ?? false);
        actions.push(`start:${restore}`);
        starts++;
        pollsSinceStart = 0;
        leftReadySinceStart = false;
      } catch (error) {
        const end = await onError('StartApplication', error);
        if (end) return end;
        continue;
      }
      await clock.sleep(options.pollMs);
      continue;
    }
    // stop
    const wanted = step.force ? 'force' : 'graceful';
    if (stopRequested === wanted || (stopRequested === 'force' && wanted === 'graceful')) {
      await clock.sleep(options.pollMs);
      continue;
    }
    try {
      await api.stop(applicationName, step.force);
      actions.push(`stop:${wanted}`);
      stopRequested = wanted;
    } catch (error) {
      const end = await onError('StopApplication', error);
      if (end) return end;
      continue;
    }
    await clock.sleep(options.pollMs);
  }
}
