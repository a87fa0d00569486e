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
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DescribeAlarmsCommand, GetMetricDataCommand, MetricAlarm, MetricDataResult, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { embeddedShards, rewriteForShards } from './alarms';
import { clients } from './clients';
import { alarmNameList, loadConfig, policyConfig } from './config';
import { AlarmTrigger, handledAt, judgeAlarmEvent, parseTriggers, Trigger } from './events';
import { MINUTE_MS, metricQueries, readings } from './metrics';
import { Decision, decide, requiredHistoryMinutes, restCheckDue, StreamStatus } from './policy';
import {
  AutoscalerState, callsInLast24h, forgetCall, fromItem, hasCallLeft, intentDue, keepIntent, lastCall, nextCallAvailableAt,
  pruneCalls, recordCall, sameState, toItem,
} from './state';
import { KinesisLimits } from '../../lib/private/kinesis-limits';
import {
  AUTOSCALER_METRIC_NAMESPACE, AUTOSCALER_SERVICE, AutoscalerHandlerConfig, AutoscalerMetrics,
} from '../../lib/scaling/private/handler-config';

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

const logger = new Logger({ serviceName: AUTOSCALER_SERVICE });
const metrics = new Metrics({ namespace: AUTOSCALER_METRIC_NAMESPACE, serviceName: AUTOSCALER_SERVICE });

/** The handler's clock; tests move it without touching the SDK's own use of time (signing, retry rate limiting). */
export const clock = { now: (): number => Date.now() };

export async function handler(event: unknown): Promise<Outcome> {
  const config = loadConfig(process.env);
  metrics.setDefaultDimensions({ StreamName: config.streamName });
  let outcome: Outcome = { action: 'ignored', reason: 'no trigger', alarmsRewritten: [] };
  try {
    for (const trigger of parseTriggers(event)) {
      try {
        outcome = await run(config, trigger);
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
}

/** Another invocation wrote the state between this one's read and its write. */
export class ConcurrentUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentUpdateError';
  }
}

/** The stream does not exist (deleted, or not yet created). */
class StreamNotFoundError extends Error {}

/** The notice fingerprint of a deleted stream: reported (and logged as a warning) once, until the stream exists again. */
const STREAM_DELETED = 'stream-deleted';

interface Loaded {
  readonly state: AutoscalerState;
  readonly version: number;
}

async function run(config: AutoscalerHandlerConfig, trigger: Trigger): Promise<Outcome> {
  const now = clock.now();
  const names = alarmNameList(config);

  if (trigger.kind === 'unknown') {
    logger.warn('ignored an event of unknown shape', { trigger });
    return { action: 'ignored', reason: `unknown event: ${trigger.description}`, alarmsRewritten: [] };
  }

  let stream: StreamView;
  try {
    stream = await describeStream(config);
  } catch (e) {
    if (!(e instanceof StreamNotFoundError)) throw e;
    return streamDeleted(config, e.message);
  }
  const loaded = await loadState(config);
  let state = pruneCalls(loaded.state, now);
  let version = loaded.version;
  const save = async (next: AutoscalerState): Promise<void> => {
    if (sameState(next, loaded.state) && version === loaded.version) return;
    version = await saveState(config, next, version);
    state = next;
  };
  metrics.addMetric(AutoscalerMetrics.OPEN_SHARDS, MetricUnit.Count, stream.openShards);
  if (state.lastNotice === STREAM_DELETED) state = { ...state, lastNotice: undefined };

  if (trigger.kind === 'alarm') {
    const verdict = judgeAlarmEvent(trigger, { alarmNames: names, lastAlarmEventMs: state.lastAlarmEventMs, lastCallMs: lastCall(state), now });
    if (!verdict.accept) {
      logger.info('ignored alarm event', { why: verdict.why, detail: verdict.detail, alarm: trigger.alarmName, eventId: trigger.eventId });
      return { action: 'ignored', reason: `${verdict.why}: ${verdict.detail}`, streamStatus: stream.status, openShards: stream.openShards, alarmsRewritten: [] };
    }
    state = { ...state, lastAlarmEventMs: handledAt(trigger, now) };
  }

  if (stream.mode === 'ON_DEMAND') {
    const reason = `stream ${config.streamName} is in on-demand mode: it scales itself and UpdateShardCount does not apply`;
    logger.error(reason);
    state = await report(config, state, 'on-demand', `Shard autoscaler: ${config.streamName} is on-demand`, { summary: reason });
    await save(state);
    return { action: 'on-demand', reason, streamStatus: stream.status, openShards: stream.openShards, alarmsRewritten: [] };
  }

  // Re-sync the utilisation alarms with the shard count (a crash after a reshard, or a reshard by someone else).
  const alarms = await describeAlarms(config, names);
  // Every scaling alarm embeds the shard count (an alarm changed by hand so that it no longer does is left alone, and reported).
  const shardAlarms = alarms.filter((a) => embeddedShards(a) !== undefined);
  const unrecognised = alarms.filter((a) => embeddedShards(a) === undefined).map((a) => a.AlarmName);
  if (unrecognised.length > 0) logger.warn('scaling alarms without an embedded shard count: not rewritten', { alarms: unrecognised });
  const rewritten: string[] = [];
  if (!config.dryRun && stream.status === 'ACTIVE') {
    const outOfSync = shardAlarms.filter((a) => embeddedShards(a) !== stream.openShards);
    if (outOfSync.length > 0) {
      logger.info('re-syncing alarms with the shard count', { alarms: outOfSync.map((a) => a.AlarmName), shards: stream.openShards });
      rewritten.push(...await rewriteAlarms(outOfSync, stream.openShards));
    }
  }

  const inAlarm = alarms.filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName);
  const outOfBounds = stream.openShards < config.minShards || stream.openShards > config.maxShards;
  const policy = policyConfig(config);
  const restCheck = restCheckDue(state.calls, state.lastRestCheckMs, now, policy);
  const reasons = [
    trigger.kind === 'alarm' ? `alarm event ${(trigger as AlarmTrigger).alarmName}` : undefined,
    inAlarm.length > 0 ? `in ALARM: ${inAlarm.join(', ')}` : undefined,
    state.followUp ? 'follow-up after a reshard' : undefined,
    intentDue(state, now) ? 'kept intent due' : undefined,
    outOfBounds ? `${stream.openShards} shards outside [${config.minShards}, ${config.maxShards}]` : undefined,
    restCheck ? 'rest check due (no call for 24 h)' : undefined,
  ].filter((r): r is string => r !== undefined);
  const base = { streamStatus: stream.status, openShards: stream.openShards, alarmsRewritten: rewritten };
  if (reasons.length === 0) {
    await save(state);
    return { ...base, action: 'idle', reason: 'nothing to evaluate' };
  }
  if (stream.status !== 'ACTIVE') {
    // The step after a reshard waits for ACTIVE; the re-check looks again.
    state = { ...state, followUp: true };
    await save(state);
    logger.info('waiting for the stream to be ACTIVE', { status: stream.status, reasons });
    return { ...base, action: 'waiting', reason: `stream is ${stream.status}` };
  }

  // Evaluate.
  const endMinute = Math.floor(now / MINUTE_MS);
  const request = {
    streamName: config.streamName,
    startMinute: endMinute - requiredHistoryMinutes(policy),
    endMinute,
    lagIteratorAge: config.lagGuardMillis !== undefined && config.lagGuardIteratorAge,
    lagConsumers: config.lagGuardMillis !== undefined ? config.lagGuardConsumers : [],
  };
  const read = readings(request, await getMetricData(request.startMinute, request.endMinute, metricQueries(request)));
  const decision = decide({
    currentShards: stream.openShards,
    streamStatus: stream.status as StreamStatus,
    samples: read.samples,
    lagMillis: read.lagMillis,
    scalingCallTimes: state.calls,
    now,
    config: policy,
  });
  state = { ...state, followUp: false, ...(restCheck ? { lastRestCheckMs: now } : {}) };
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
    callsInLast24h: callsInLast24h(state, now),
    dryRun: config.dryRun,
  });

  if (target === undefined || target === stream.openShards) {
    if (state.intent) logger.info('kept intent dropped: the policy no longer asks for it', { intent: state.intent });
    state = { ...state, intent: undefined };
    await save(state);
    return { ...base, action: 'none', reason: decision.reason, callsInLast24h: decision.callsInLast24h };
  }
  const kind = target > stream.openShards ? 'scale-out' : 'scale-in';

  if (!hasCallLeft(state, now)) {
    // The policy never asks for a call beyond the budget; this guards against a record that disagrees with it.
    const until = nextCallAvailableAt(state, now);
    return keep(config, state, save, base, {
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
    state = await report(config, state, `dry:${stream.openShards}->${target}`,
      `Shard autoscaler (dry run): ${config.streamName} ${stream.openShards} -> ${target}`, { summary, decision });
    await save(state);
    return { ...base, action: 'dry-run', reason: decision.reason, targetShards: target, pendingTarget: decision.pendingTarget };
  }

  // Record the call before making it, with a conditional write: a second invocation cannot make the same call.
  const calledAt = now;
  const previousIntent = state.intent;
  state = { ...recordCall(state, calledAt), intent: undefined, followUp: true };
  await save(state);
  try {
    await clients.kinesisScaling.send(new UpdateShardCountCommand({
      StreamName: config.streamName,
      TargetShardCount: target,
      ScalingType: 'UNIFORM_SCALING',
    }));
  } catch (e) {
    const err = e as Error;
    if ((KEPT_ERRORS as readonly string[]).includes(err.name)) {
      return keep(config, { ...forgetCall(state, calledAt), intent: previousIntent, followUp: false }, save, base, {
        kind, fromShards: stream.openShards, targetShards: target, reason: decision.reason, error: err.name, errorMessage: err.message,
      }, now);
    }
    // The call may or may not have happened: it stays recorded, and the next invocation sees the stream as it is.
    logger.error('UpdateShardCount failed', { error: err.name, message: err.message, target });
    throw err;
  }
  metrics.addMetric(AutoscalerMetrics.SCALING_CALLS, MetricUnit.Count, 1);
  metrics.addMetric(AutoscalerMetrics.CALLS_IN_LAST_24H, MetricUnit.Count, callsInLast24h(state, now));
  logger.info('UpdateShardCount called', { from: stream.openShards, to: target, pendingTarget: decision.pendingTarget, reason: decision.reason });

  // The alarms now describe the target capacity. If this fails, the next invocation re-syncs them once the stream is ACTIVE.
  rewritten.push(...await rewriteAlarms(shardAlarms, target));
  const summary = `scaled ${config.streamName} from ${stream.openShards} to ${target} shards (${kind}): ${decision.reason}`;
  state = await report(config, { ...state, lastNotice: undefined }, undefined,
    `Shard autoscaler: ${config.streamName} ${stream.openShards} -> ${target} shards`,
    { summary, decision, callsInLast24h: callsInLast24h(state, now) });
  await save(state);
  return {
    ...base,
    action: 'scaled',
    reason: decision.reason,
    targetShards: target,
    pendingTarget: decision.pendingTarget,
    callsInLast24h: callsInLast24h(state, now),
  };
}

/**
 * The stream is gone: nothing to scale and nothing to rewrite (the alarms are left as they are; with no data they stay
 * quiet). Reported and logged as a warning once, then at debug level, so that a deleted stream is not an error on every
 * invocation. If the state cannot be read or written (its table deleted with the stream), the invocation still ends
 * normally.
 */
async function streamDeleted(config: AutoscalerHandlerConfig, detail: string): Promise<Outcome> {
  const reason = `stream ${config.streamName} does not exist: nothing to scale`;
  const outcome: Outcome = { action: 'stream-deleted', reason, alarmsRewritten: [] };
  try {
    const loaded = await loadState(config);
    if (loaded.state.lastNotice === STREAM_DELETED) {
      logger.debug(reason);
      return outcome;
    }
    logger.warn(reason, { detail });
    const next = await report(config, loaded.state, STREAM_DELETED, `Shard autoscaler: ${config.streamName} does not exist`, { summary: reason });
    await saveState(config, next, loaded.version);
  } catch (e) {
    logger.warn(reason, { detail, stateError: (e as Error).name });
  }
  return outcome;
}

async function keep(
  config: AutoscalerHandlerConfig, state: AutoscalerState, save: (s: AutoscalerState) => Promise<void>,
  base: Pick<Outcome, 'streamStatus' | 'openShards' | 'alarmsRewritten'>, attempt: Parameters<typeof keepIntent>[1], now: number,
): Promise<Outcome> {
  let next = keepIntent(state, attempt, now);
  const intent = next.intent!;
  metrics.addMetric(AutoscalerMetrics.SCALING_FAILURES, MetricUnit.Count, 1);
  const summary = `could not scale ${config.streamName} from ${attempt.fromShards} to ${attempt.targetShards} shards `
    + `(${attempt.error}${attempt.errorMessage ? `: ${attempt.errorMessage}` : ''}); the intent is kept and retried from `
    + `${new Date(intent.nextAttemptAt).toISOString()}`;
  logger.warn(summary, { intent });
  next = await report(config, next, `intent:${attempt.targetShards}:${attempt.error}`,
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

interface StreamView {
  readonly status: string;
  readonly openShards: number;
  readonly mode: string;
}

async function describeStream(config: AutoscalerHandlerConfig): Promise<StreamView> {
  let out;
  try {
    out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName }));
  } catch (e) {
    if ((e as Error).name === 'ResourceNotFoundException') throw new StreamNotFoundError((e as Error).message);
    throw e;
  }
  const d = out.StreamDescriptionSummary;
  if (!d || d.OpenShardCount === undefined || !d.StreamStatus) throw new Error(`DescribeStreamSummary of ${config.streamName} returned no summary`);
  return { status: d.StreamStatus, openShards: d.OpenShardCount, mode: d.StreamModeDetails?.StreamMode ?? 'PROVISIONED' };
}

async function loadState(config: AutoscalerHandlerConfig): Promise<Loaded> {
  const out = await clients.dynamodb.send(new GetCommand({ TableName: config.tableName, Key: { stream: config.streamName }, ConsistentRead: true }));
  const item = out.Item as Record<string, unknown> | undefined;
  return { state: fromItem(item), version: typeof item?.version === 'number' ? item.version : 0 };
}

/** Writes the state if nobody wrote it since it was read; returns the new version. */
async function saveState(config: AutoscalerHandlerConfig, state: AutoscalerState, version: number): Promise<number> {
  const next = version + 1;
  try {
    await clients.dynamodb.send(new PutCommand({
      TableName: config.tableName,
      Item: { stream: config.streamName, version: next, updatedAt: new Date().toISOString(), ...toItem(state) },
      ConditionExpression: version === 0 ? 'attribute_not_exists(#s) OR #v = :zero' : '#v = :v',
      ExpressionAttributeNames: version === 0 ? { '#s': 'stream', '#v': 'version' } : { '#v': 'version' },
      ExpressionAttributeValues: version === 0 ? { ':zero': 0 } : { ':v': version },
    }));
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') {
      throw new ConcurrentUpdateError(`another invocation changed the autoscaler state of ${config.streamName} concurrently; this one stops without acting`);
    }
    throw e;
  }
  return next;
}

async function describeAlarms(config: AutoscalerHandlerConfig, names: string[]): Promise<MetricAlarm[]> {
  const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] }));
  const found = out.MetricAlarms ?? [];
  const missing = names.filter((n) => !found.some((a) => a.AlarmName === n));
  if (missing.length > 0) logger.warn('scaling alarms not found; they wake the autoscaler and must exist', { missing, stream: config.streamName });
  return found;
}

async function rewriteAlarms(alarms: MetricAlarm[], shards: number): Promise<string[]> {
  // Build every input first: an alarm that cannot be rewritten stops the rewrite before any alarm changes.
  const inputs = alarms.map((a) => rewriteForShards(a, shards));
  const done: string[] = [];
  for (const input of inputs) {
    await clients.cloudwatch.send(new PutMetricAlarmCommand(input));
    done.push(input.AlarmName!);
  }
  return done;
}

async function getMetricData(startMinute: number, endMinute: number, queries: ReturnType<typeof metricQueries>): Promise<MetricDataResult[]> {
  const results: MetricDataResult[] = [];
  let token: string | undefined;
  do {
    const out = await clients.cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(startMinute * MINUTE_MS),
      EndTime: new Date(endMinute * MINUTE_MS),
      MetricDataQueries: queries,
      ScanBy: 'TimestampAscending',
      NextToken: token,
    }));
    results.push(...(out.MetricDataResults ?? []));
    token = out.NextToken;
  } while (token);
  return results;
}

/**
 * Publishes a report to the notification topic, unless `fingerprint` equals the last one sent (a repeated condition is
 * reported once). Returns the state with the fingerprint recorded. A report that cannot be sent is logged, not fatal.
 */
async function report(
  config: AutoscalerHandlerConfig, state: AutoscalerState, fingerprint: string | undefined, subject: string, body: Record<string, unknown>,
): Promise<AutoscalerState> {
  if (fingerprint !== undefined && state.lastNotice === fingerprint) return state;
  if (config.topicArn) {
    try {
      await clients.sns.send(new PublishCommand({
        TopicArn: config.topicArn,
        Subject: subject.replace(/[^\x20-\x7e]/g, '').slice(0, 99),
        Message: JSON.stringify({ stream: config.streamName, ...body }, null, 2),
      }));
    } catch (e) {
      logger.error('could not publish the report', { error: (e as Error).name, message: (e as Error).message, subject });
      return state;
    }
  }
  return { ...state, lastNotice: fingerprint };
}

export type { Decision };
