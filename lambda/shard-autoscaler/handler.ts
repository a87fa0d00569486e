/**
 * The shard autoscaler: a thin shell around the pure policy (policy.ts).
 *
 * Every invocation, whatever woke it (an alarm event, the scheduled re-check):
 * 1. reads the stream (DescribeStreamSummary), its state item (DynamoDB) and its scaling alarms (DescribeAlarms);
 * 2. drops alarm events that are duplicate or stale (events.ts);
 * 3. re-syncs the utilisation alarms with the open shard count when the stream is ACTIVE and they disagree;
 * 4. evaluates when there is reason to: an accepted alarm event, an alarm still in ALARM, the step after a reshard, a kept
 *    intent that is due, a shard count outside [min, max], or a rest check that is due (no call for 24 h and none for a
 *    scale-in window: the policy's rest-headroom rule needs an evaluation no alarm asks for); otherwise it stops here;
 * 5. reads the per-minute metrics (GetMetricData), asks `decide`, and if it returns a target: records the call (conditional
 *    write), calls UpdateShardCount (UNIFORM_SCALING), rewrites the utilisation alarms for the target;
 * 6. on LimitExceededException, ResourceInUseException or ValidationException forgets the refused call, keeps the intent
 *    for the re-check (with backoff) and reports it;
 * 7. logs the decision as one structured line and publishes it as metrics (embedded metric format).
 *
 * Consistency: the call is recorded before it is made (a crash over-counts, the safe side); the alarms are only rewritten
 * after a successful call, and any disagreement between the alarms and the stream (a crash in between, a reshard by hand) is
 * repaired by step 3 of the next invocation. Concurrency: reserved concurrency 1, the ACTIVE status check and the
 * conditional write on the state item's version; an invocation that loses that race ends normally ('superseded', counted
 * in the ConcurrencyConflicts metric), not as a Lambda error. A deleted stream ends every invocation normally
 * ('stream-deleted', reported once).
 *
 * A deploy writes the template's values: when it changes the planned shard count, CloudFormation reshards the stream to it
 * (undoing the autoscaler's work), and when it changes any property of the scaling alarms, it writes them back for the
 * planned count. Step 3 of the next invocation (the scheduled re-check at the latest) finds the alarms out of step with
 * the live shard count and rewrites them; the autoscaler then scales from the count the deploy left.
 *
 * `run` reads as those steps: `load` (1, 2), `resync` (3), `evaluate` (4, 5: the policy's decision) and `apply` (5, 6), each
 * taking its AWS calls, clock, logger and metrics as dependencies (`makeHandler`), as flink-app-control's handler does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { embeddedShards } from './alarms';
import { AutoscalerAws, ConcurrentUpdateError, StreamNotFoundError, StreamView, sdkAws } from './aws';
import { clients } from './clients';
import { alarmNameList, loadConfig, policyConfig } from './config';
import { AlarmTrigger, handledAt, judgeAlarmEvent, parseTriggers, Trigger } from './events';
import { MINUTE_MS, metricQueries, readings } from './metrics';
import { Decision, decide, requiredHistoryMinutes, restCheckDue, StreamStatus } from './policy';
import {
  AutoscalerState, callsInLast24h, forgetCall, hasCallLeft, intentDue, keepIntent, lastCall, nextCallAvailableAt,
  pruneCalls, recordCall, sameState,
} from './state';
import { KinesisLimits } from '../../lib/private/kinesis-limits';
import {
  AUTOSCALER_METRIC_NAMESPACE, AUTOSCALER_SERVICE, AutoscalerHandlerConfig, AutoscalerMetrics,
} from '../../lib/scaling/private/handler-config';

export { ConcurrentUpdateError };

/** Errors after which the intent is kept for the scheduled re-check instead of failing the invocation. */
export const KEPT_ERRORS = ['LimitExceededException', 'ResourceInUseException', 'ValidationException'] as const;

export type Action = 'ignored' | 'idle' | 'waiting' | 'none' | 'scaled' | 'dry-run' | 'intent-kept' | 'on-demand' | 'superseded' | 'stream-deleted';

/** What an invocation did, for the log, the tests and whoever invokes the function by hand. */
export interface Outcome {
  readonly action: Action;
  readonly reason: string;
  readonly streamStatus?: string;
  readonly openShards?: number;
  readonly targetShards?: number;
  readonly pendingTarget?: number;
  readonly error?: string;
  readonly alarmsRewritten: string[];
  readonly callsInLast24h?: number;
}

/** What the handler works with: its AWS calls, its clock, its logger and metrics, and the environment it reads its configuration from. */
export interface HandlerDeps {
  readonly aws: AutoscalerAws;
  readonly clock: { now(): number };
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly env: NodeJS.ProcessEnv;
}

export function makeHandler(deps: HandlerDeps): (event: unknown) => Promise<Outcome> {
  const { logger, metrics } = deps;
  return async (event: unknown): Promise<Outcome> => {
    const config = loadConfig(deps.env);
    metrics.setDefaultDimensions({ StreamName: config.streamName });
    let outcome: Outcome = { action: 'ignored', reason: 'no trigger', alarmsRewritten: [] };
    try {
      for (const trigger of parseTriggers(event)) {
        try {
          outcome = await run(deps, config, trigger);
        } catch (e) {
          if (!(e instanceof ConcurrentUpdateError)) throw e;
          // Lost the race to another invocation, which acts on the same stream: not an error (an error would page someone).
          metrics.addMetric(AutoscalerMetrics.CONCURRENCY_CONFLICTS, MetricUnit.Count, 1);
          logger.info('another invocation changed the state first; this one stops without acting', { trigger });
          outcome = { action: 'superseded', reason: e.message, alarmsRewritten: [] };
        }
      }
      return outcome;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** The notice fingerprint of a deleted stream: reported (and logged as a warning) once, until the stream exists again. */
const STREAM_DELETED = 'stream-deleted';

/**
 * One invocation's view of its stream and state. `state` is the working copy; `save` writes it when it differs from what
 * was read (conditionally, on the version read) and keeps the version for the next write.
 */
interface Session {
  readonly config: AutoscalerHandlerConfig;
  readonly now: number;
  readonly stream: StreamView;
  state: AutoscalerState;
  save(next: AutoscalerState): Promise<void>;
}

/** The scaling alarms as found: all of them, and those whose metric math embeds a shard count (the ones to rewrite). */
interface AlarmView {
  readonly all: MetricAlarm[];
  readonly shardAlarms: MetricAlarm[];
  /** Alarms rewritten by this invocation. */
  readonly rewritten: string[];
}

/** What the policy asked for, within reach and bounds. */
interface Plan {
  readonly decision: Decision;
  readonly target: number;
  readonly kind: 'scale-out' | 'scale-in';
}

type Base = Pick<Outcome, 'streamStatus' | 'openShards' | 'alarmsRewritten'>;

async function run(deps: HandlerDeps, config: AutoscalerHandlerConfig, trigger: Trigger): Promise<Outcome> {
  if (trigger.kind === 'unknown') {
    deps.logger.warn('ignored an event of unknown shape', { trigger });
    return { action: 'ignored', reason: `unknown event: ${trigger.description}`, alarmsRewritten: [] };
  }
  const loaded = await load(deps, config, trigger);
  if ('outcome' in loaded) return loaded.outcome;
  const session = loaded.session;
  if (session.stream.mode === 'ON_DEMAND') return onDemand(deps, session);
  const alarms = await resync(deps, session);
  const base: Base = { streamStatus: session.stream.status, openShards: session.stream.openShards, alarmsRewritten: alarms.rewritten };
  const evaluated = await evaluate(deps, session, trigger, alarms, base);
  if ('outcome' in evaluated) return evaluated.outcome;
  return apply(deps, session, alarms, base, evaluated.plan);
}

/**
 * Step 1 and 2: the stream (a deleted one ends the invocation), the state (calls older than 24 h pruned), and whether an
 * alarm event is to be acted on (a duplicate or stale one ends the invocation).
 */
async function load(
  deps: HandlerDeps, config: AutoscalerHandlerConfig, trigger: Exclude<Trigger, { kind: 'unknown' }>,
): Promise<{ session: Session } | { outcome: Outcome }> {
  const { aws, logger, metrics } = deps;
  const now = deps.clock.now();
  let stream: StreamView;
  try {
    stream = await aws.describeStream(config);
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
    return { outcome: await streamDeleted(deps, config, e.message) };
  }
  const read = await aws.loadState(config);
  let version = read.version;
  const session: Session = {
    config,
    now,
    stream,
    state: pruneCalls(read.state, now),
    async save(next) {
      if (sameState(next, read.state) && version === read.version) return;
      version = await aws.saveState(config, next, version);
      session.state = next;
    },
  };
  metrics.addMetric(AutoscalerMetrics.OPEN_SHARDS, MetricUnit.Count, stream.openShards);
  if (session.state.lastNotice === STREAM_DELETED) session.state = { ...session.state, lastNotice: undefined };

  if (trigger.kind === 'alarm') {
    const verdict = judgeAlarmEvent(trigger, {
      alarmNames: alarmNameList(config), lastAlarmEventMs: session.state.lastAlarmEventMs, lastCallMs: lastCall(session.state), now,
    });
    if (!verdict.accept) {
      logger.info('ignored alarm event', { why: verdict.why, detail: verdict.detail, alarm: trigger.alarmName, eventId: trigger.eventId });
      return { outcome: { action: 'ignored', reason: `${verdict.why}: ${verdict.detail}`, streamStatus: stream.status, openShards: stream.openShards, alarmsRewritten: [] } };
    }
    session.state = { ...session.state, lastAlarmEventMs: handledAt(trigger, now) };
  }
  return { session };
}

/** An on-demand stream: nothing to do but say so (once). */
async function onDemand(deps: HandlerDeps, s: Session): Promise<Outcome> {
  const { config, stream } = s;
  const reason = `stream ${config.streamName} is in on-demand mode: it scales itself and UpdateShardCount does not apply`;
  deps.logger.error(reason);
  s.state = await report(deps, config, s.state, 'on-demand', `Shard autoscaler: ${config.streamName} is on-demand`, { summary: reason });
  await s.save(s.state);
  return { action: 'on-demand', reason, streamStatus: stream.status, openShards: stream.openShards, alarmsRewritten: [] };
}

/** Step 3: the utilisation alarms re-synced with the shard count (a crash after a reshard, or a reshard by someone else). */
async function resync(deps: HandlerDeps, s: Session): Promise<AlarmView> {
  const { config, stream } = s;
  const all = await deps.aws.describeAlarms(config, alarmNameList(config));
  // Every scaling alarm embeds the shard count (an alarm changed by hand so that it no longer does is left alone, and reported).
  const shardAlarms = all.filter((a) => embeddedShards(a) !== undefined);
  const unrecognised = all.filter((a) => embeddedShards(a) === undefined).map((a) => a.AlarmName);
  if (unrecognised.length > 0) deps.logger.warn('scaling alarms without an embedded shard count: not rewritten', { alarms: unrecognised });
  const rewritten: string[] = [];
  if (!config.dryRun && stream.status === 'ACTIVE') {
    const outOfSync = shardAlarms.filter((a) => embeddedShards(a) !== stream.openShards);
    if (outOfSync.length > 0) {
      deps.logger.info('re-syncing alarms with the shard count', { alarms: outOfSync.map((a) => a.AlarmName), shards: stream.openShards });
      rewritten.push(...await deps.aws.rewriteAlarms(outOfSync, stream.openShards));
    }
  }
  return { all, shardAlarms, rewritten };
}

/**
 * Steps 4 and 5 up to the decision: whether there is reason to evaluate (else 'idle', or 'waiting' for an ACTIVE stream),
 * then the metrics and the policy's decision, kept within bounds and one call's reach. No target, or the current count:
 * 'none'.
 */
async function evaluate(
  deps: HandlerDeps, s: Session, trigger: Trigger, alarms: AlarmView, base: Base,
): Promise<{ plan: Plan } | { outcome: Outcome }> {
  const { config, stream, now } = s;
  const { logger, metrics } = deps;
  const inAlarm = alarms.all.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName);
  const outOfBounds = stream.openShards < config.minShards || stream.openShards > config.maxShards;
  const policy = policyConfig(config);
  const restCheck = restCheckDue(s.state.calls, s.state.lastRestCheckMs, now, policy);
  const reasons = [
    trigger.kind === 'alarm' ? `alarm event ${(trigger as AlarmTrigger).alarmName}` : undefined,
    inAlarm.length > 0 ? `in ALARM: ${inAlarm.join(', ')}` : undefined,
    s.state.followUp ? 'follow-up after a reshard' : undefined,
    intentDue(s.state, now) ? 'kept intent due' : undefined,
    outOfBounds ? `${stream.openShards} shards outside [${config.minShards}, ${config.maxShards}]` : undefined,
    restCheck ? 'rest check due (no call for 24 h)' : undefined,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) {
    await s.save(s.state);
    return { outcome: { ...base, action: 'idle', reason: 'nothing to evaluate' } };
  }
  if (stream.status !== 'ACTIVE') {
    // The step after a reshard waits for ACTIVE; the re-check looks again.
    s.state = { ...s.state, followUp: true };
    await s.save(s.state);
    logger.info('waiting for the stream to be ACTIVE', { status: stream.status, reasons });
    return { outcome: { ...base, action: 'waiting', reason: `stream is ${stream.status}` } };
  }

  const endMinute = Math.floor(now / MINUTE_MS);
  const request = {
    streamName: config.streamName,
    startMinute: endMinute - requiredHistoryMinutes(policy),
    endMinute,
    lagIteratorAge: config.lagGuardMillis !== undefined && config.lagGuardIteratorAge,
    lagConsumers: config.lagGuardMillis !== undefined ? config.lagGuardConsumers : [],
  };
  const read = readings(request, await deps.aws.getMetricData(request.startMinute, request.endMinute, metricQueries(request)));
  const decision = decide({
    currentShards: stream.openShards,
    streamStatus: stream.status as StreamStatus,
    samples: read.samples,
    lagMillis: read.lagMillis,
    scalingCallTimes: s.state.calls,
    now,
    config: policy,
  });
  s.state = { ...s.state, followUp: false, ...(restCheck ? { lastRestCheckMs: now } : {}) };
  const target = decision.targetShards === undefined
    ? undefined : withinReach(decision.targetShards, stream.openShards, config.minShards, config.maxShards);
  if (target !== decision.targetShards) logger.error('the policy asked for a target outside the bounds or one call\'s reach', { decision, target });
  metrics.addMetric(AutoscalerMetrics.TARGET_SHARDS, MetricUnit.Count, target ?? stream.openShards);
  if (decision.hotKey) metrics.addMetric(AutoscalerMetrics.HOT_KEY_THROTTLING, MetricUnit.Count, 1);
  logger.info('decision', {
    decision,
    target,
    openShards: stream.openShards,
    triggers: reasons,
    samples: read.samples.length,
    lastPublishedMinute: read.lastPublishedMinute,
    lagMillis: read.lagMillis,
    callsInLast24h: callsInLast24h(s.state, now),
    dryRun: config.dryRun,
  });

  if (target === undefined || target === stream.openShards) {
    if (s.state.intent) logger.info('kept intent dropped: the policy no longer asks for it', { intent: s.state.intent });
    s.state = { ...s.state, intent: undefined };
    await s.save(s.state);
    return { outcome: { ...base, action: 'none', reason: decision.reason, callsInLast24h: decision.callsInLast24h } };
  }
  return { plan: { decision, target, kind: target > stream.openShards ? 'scale-out' : 'scale-in' } };
}

/**
 * Steps 5 and 6: the call, within the 24 h budget (else the intent is kept), reported only in a dry run; recorded before
 * it is made; a refused call forgotten and its intent kept; after a call, the alarms rewritten for the target.
 */
async function apply(deps: HandlerDeps, s: Session, alarms: AlarmView, base: Base, plan: Plan): Promise<Outcome> {
  const { config, stream, now } = s;
  const { logger, metrics } = deps;
  const { decision, target, kind } = plan;

  if (!hasCallLeft(s.state, now)) {
    // The policy never asks for a call beyond the budget; this guards against a record that disagrees with it.
    const until = nextCallAvailableAt(s.state, now);
    return keep(deps, config, s.state, (next) => s.save(next), base, {
      kind,
      fromShards: stream.openShards,
      targetShards: target,
      reason: decision.reason,
      error: 'NoCallsLeft',
      errorMessage: `all ${KinesisLimits.MAX_SCALING_CALLS_PER_24H} calls of the rolling 24 h are used until ${new Date(until).toISOString()}`,
      notBefore: until,
    }, now);
  }

  if (config.dryRun) {
    const summary = `dry run: would scale ${config.streamName} from ${stream.openShards} to ${target} shards: ${decision.reason}`;
    logger.info(summary);
    s.state = await report(deps, config, s.state, `dry:${stream.openShards}->${target}`,
      `Shard autoscaler (dry run): ${config.streamName} ${stream.openShards} -> ${target}`, { summary, decision });
    await s.save(s.state);
    return { ...base, action: 'dry-run', reason: decision.reason, targetShards: target, pendingTarget: decision.pendingTarget };
  }

  // Record the call before making it, with a conditional write: a second invocation cannot make the same call.
  const calledAt = now;
  const previousIntent = s.state.intent;
  s.state = { ...recordCall(s.state, calledAt), intent: undefined, followUp: true };
  await s.save(s.state);
  try {
    await deps.aws.updateShardCount(config.streamName, target);
  } catch (e) {
    const err = e as Error;
    if ((KEPT_ERRORS as readonly string[]).includes(err.name)) {
      return keep(deps, config, { ...forgetCall(s.state, calledAt), intent: previousIntent, followUp: false }, (next) => s.save(next), base, {
        kind, fromShards: stream.openShards, targetShards: target, reason: decision.reason, error: err.name, errorMessage: err.message,
      }, now);
    }
    // The call may or may not have happened: it stays recorded, and the next invocation sees the stream as it is.
    logger.error('UpdateShardCount failed', { error: err.name, message: err.message, target });
    throw err;
  }
  metrics.addMetric(AutoscalerMetrics.SCALING_CALLS, MetricUnit.Count, 1);
  metrics.addMetric(AutoscalerMetrics.CALLS_IN_LAST_24H, MetricUnit.Count, callsInLast24h(s.state, now));
  logger.info('UpdateShardCount called', { from: stream.openShards, to: target, pendingTarget: decision.pendingTarget, reason: decision.reason });

  // The alarms now describe the target capacity. If this fails, the next invocation re-syncs them once the stream is ACTIVE.
  alarms.rewritten.push(...await deps.aws.rewriteAlarms(alarms.shardAlarms, target));
  const summary = `scaled ${config.streamName} from ${stream.openShards} to ${target} shards (${kind}): ${decision.reason}`;
  s.state = await report(deps, config, { ...s.state, lastNotice: undefined }, undefined,
    `Shard autoscaler: ${config.streamName} ${stream.openShards} -> ${target} shards`,
    { summary, decision, callsInLast24h: callsInLast24h(s.state, now) });
  await s.save(s.state);
  return {
    ...base,
    action: 'scaled',
    reason: decision.reason,
    targetShards: target,
    pendingTarget: decision.pendingTarget,
    callsInLast24h: callsInLast24h(s.state, now),
  };
}

/**
 * The stream is gone: nothing to scale and nothing to rewrite (the alarms are left as they are; with no data they stay
 * quiet). Reported and logged as a warning once, then at debug level, so that a deleted stream is not an error on every
 * invocation. If the state cannot be read or written (its table deleted with the stream), the invocation still ends
 * normally.
 */
async function streamDeleted(deps: HandlerDeps, config: AutoscalerHandlerConfig, detail: string): Promise<Outcome> {
  const { aws, logger } = deps;
  const reason = `stream ${config.streamName} does not exist: nothing to scale`;
  const outcome: Outcome = { action: 'stream-deleted', reason, alarmsRewritten: [] };
  try {
    const loaded = await aws.loadState(config);
    if (loaded.state.lastNotice === STREAM_DELETED) {
      logger.debug(reason);
      return outcome;
    }
    logger.warn(reason, { detail });
    const next = await report(deps, config, loaded.state, STREAM_DELETED, `Shard autoscaler: ${config.streamName} does not exist`, { summary: reason });
    await aws.saveState(config, next, loaded.version);
  } catch (e) {
    logger.warn(reason, { detail, stateError: (e as Error).name });
  }
  return outcome;
}

async function keep(
  deps: HandlerDeps, config: AutoscalerHandlerConfig, state: AutoscalerState, save: (s: AutoscalerState) => Promise<void>,
  base: Base, attempt: Parameters<typeof keepIntent>[1], now: number,
): Promise<Outcome> {
  const { logger, metrics } = deps;
  let next = keepIntent(state, attempt, now);
  const intent = next.intent!;
  metrics.addMetric(AutoscalerMetrics.SCALING_FAILURES, MetricUnit.Count, 1);
  const summary = `could not scale ${config.streamName} from ${attempt.fromShards} to ${attempt.targetShards} shards `
    + `(${attempt.error}${attempt.errorMessage ? `: ${attempt.errorMessage}` : ''}); the intent is kept and retried from `
    + `${new Date(intent.nextAttemptAt).toISOString()}`;
  logger.warn(summary, { intent });
  next = await report(deps, config, next, `intent:${attempt.targetShards}:${attempt.error}`,
    `Shard autoscaler: ${config.streamName} could not scale to ${attempt.targetShards}`, { summary, intent });
  await save(next);
  return { ...base, action: 'intent-kept', reason: attempt.reason, targetShards: attempt.targetShards, error: attempt.error };
}

/**
 * Keeps a target within [minShards, maxShards] in the direction of the move and within one call's reach
 * [ceil(current / 2), 2 × current]. Defence in depth: the policy already does both.
 */
export function withinReach(target: number, current: number, minShards: number, maxShards: number): number {
  let t = Math.round(target);
  if (t > current) t = Math.max(current, Math.min(t, maxShards));
  if (t < current) t = Math.min(current, Math.max(t, minShards));
  const lo = Math.max(1, Math.ceil(current / KinesisLimits.MAX_SCALING_FACTOR));
  const hi = Math.min(KinesisLimits.MAX_SHARDS_PER_STREAM, current * KinesisLimits.MAX_SCALING_FACTOR);
  return Math.min(hi, Math.max(lo, t));
}

/**
 * Publishes a report to the notification topic, unless `fingerprint` equals the last one sent (a repeated condition is
 * reported once). Returns the state with the fingerprint recorded. A report that cannot be sent is logged, not fatal.
 */
async function report(
  deps: HandlerDeps, config: AutoscalerHandlerConfig, state: AutoscalerState, fingerprint: string | undefined, subject: string,
  body: Record<string, unknown>,
): Promise<AutoscalerState> {
  if (fingerprint !== undefined && state.lastNotice === fingerprint) return state;
  if (config.topicArn) {
    try {
      await deps.aws.publish(config.topicArn, subject.replace(/[^\x20-\x7e]/g, '').slice(0, 99),
        JSON.stringify({ stream: config.streamName, ...body }, null, 2));
    } catch (e) {
      deps.logger.error('could not publish the report', { error: (e as Error).name, message: (e as Error).message, subject });
      return state;
    }
  }
  return { ...state, lastNotice: fingerprint };
}


const logger = new Logger({ serviceName: AUTOSCALER_SERVICE });

/** The handler's clock; tests move it without touching the SDK's own use of time (signing, retry rate limiting). */
export const clock = { now: (): number => Date.now() };

export const handler = makeHandler({
  aws: sdkAws(clients, (message, detail) => logger.warn(message, detail)),
  clock,
  logger,
  metrics: new Metrics({ namespace: AUTOSCALER_METRIC_NAMESPACE, serviceName: AUTOSCALER_SERVICE }),
  env: process.env,
});

export type { Decision };
