/**
 * The session consumer: a thin shell around the pure sessionizer (sessionize.ts).
 *
 * Kinesis batches (event source mapping on an enhanced fan-out consumer, partial batch responses):
 * 1. every record is parsed (events.ts); a malformed one is put whole in the failure bucket (poison.ts) and counts as
 *    processed — no retry can fix it and retrying would hold the shard back. Only if that put fails is the record reported
 *    as a batch item failure, so nothing is lost: the event source mapping retries it and, after its retries or maximum
 *    age, sends the batch to the S3 on-failure destination, whole;
 * 2. valid events are grouped by user; each user's group is applied in DynamoDB transactions (store.ts): state,
 *    applied-event markers and closed sessions together, idempotent and safe under concurrency. A group that fails (after
 *    conflict retries) fails its records, which the mapping retries; already-applied events are then skipped;
 * 3. the summaries of the sessions this batch closed go to the summary stream (emitter.ts); any that fail stay pending in
 *    the table and the sweep writes them later, so a summary is written at least once.
 * Powertools' BatchProcessor builds the `batchItemFailures` response; a batch in which every record failed makes the
 * invocation fail, and the mapping bisects it.
 *
 * The scheduled sweep (input `{ "action": "sweep" }`): closes open sessions that have been idle for gap + close delay, and
 * writes the summaries still pending. Idle is measured against the consumer's position in the stream (each batch records,
 * per shard, the arrival of the newest record it processed and when), not the wall clock: a consumer that lags behind
 * closes nothing whose next records are still unread.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { loadConfig, SessionConsumerConfig } from './config';
import { emitSummaries, EmitEntry, summaryPartitionKey } from './emitter';
import { arrivalOf, parseRecord, Parsed, recordPosition } from './events';
import { poisonObject } from './poison';
import { advance, closeIdle, ClickEvent, distinctSorted, SessionizeOptions } from './sessionize';
import {
  ConflictError, consumerClock, EVENTS_PER_TRANSACTION, SessionStore, SessionSummary, ShardPosition, sleep, StoreConfig, transactionItems,
} from './store';
import {
  SESSION_FUNCTION_DIMENSION, SESSION_METRIC_NAMESPACE, SESSION_SERVICE, SessionMetrics as M, SessionTable, SWEEP_EVENT,
} from '../../lib/pipelines/private/session-contract';

/**
 * Clients, created once per execution environment. Endpoints and Region come from the environment (AWS_REGION, and
 * AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>, which the SDK honours), so that tests point them at the moto server.
 */
export const clients = {
  db: DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5, retryMode: 'adaptive' }), { marshallOptions: { removeUndefinedValues: true } }),
  // HTTP/1.1: PutRecords needs no HTTP/2 (only SubscribeToShard does, which this function never calls), and emulators
  // such as moto speak HTTP/1.1 only.
  kinesis: new KinesisClient({ maxAttempts: 3, requestHandler: new NodeHttpHandler() }),
  s3: new S3Client({ maxAttempts: 5, forcePathStyle: process.env.AWS_ENDPOINT_URL !== undefined }),
};

const logger = new Logger({ serviceName: SESSION_SERVICE });
const metrics = new Metrics({
  namespace: SESSION_METRIC_NAMESPACE,
  serviceName: SESSION_SERVICE,
  ...(process.env.AWS_LAMBDA_FUNCTION_NAME ? { defaultDimensions: { [SESSION_FUNCTION_DIMENSION]: process.env.AWS_LAMBDA_FUNCTION_NAME } } : {}),
});

/** Users whose groups are applied at the same time, and conflict retries per group. */
const USER_CONCURRENCY = 16;
const MAX_CONFLICT_RETRIES = 5;
/** The sweep stops taking new work when the invocation has less time left than this. */
const SWEEP_TIME_RESERVE_MS = 15_000;
const SWEEP_BATCH = 100;

export interface SweepResult {
  readonly closed: number;
  readonly emitted: number;
  readonly emitFailures: number;
}

export async function handler(event: KinesisStreamEvent | typeof SWEEP_EVENT, context: Context): Promise<KinesisStreamBatchResponse | SweepResult> {
  try {
    if (Array.isArray((event as KinesisStreamEvent).Records)) return await processBatch(event as KinesisStreamEvent, context);
    if ((event as typeof SWEEP_EVENT).action === SWEEP_EVENT.action) return await sweep(context);
    throw new Error('unexpected event: neither a Kinesis batch nor a sweep');
  } finally {
    metrics.publishStoredMetrics();
  }
}

/** A summary to write, with the user it belongs to (its partition key on the stream is derived from the user key). */
interface Pending extends EmitEntry {
  readonly userKey: string;
}

function pendingOf(userKey: string, summary: SessionSummary): Pending {
  return { userKey, partitionKey: summaryPartitionKey(userKey), summary };
}

/** What applying one user's group did. */
interface GroupResult {
  readonly applied: number;
  readonly duplicates: number;
  readonly late: number;
}

async function processBatch(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const config = loadConfig(process.env);
  const store = new SessionStore(clients.db, storeConfig(config));
  const now = Date.now();
  const options: SessionizeOptions = { gapMs: config.gapMs, conversionEventTypes: config.conversionEventTypes };

  const parsed = new Map<string, Parsed>();
  const groups = new Map<string, ClickEvent[]>();
  for (const record of event.Records) {
    const p = parseRecord(record);
    parsed.set(recordKey(record), p);
    if (p.kind === 'event') {
      const list = groups.get(p.event.userKey) ?? [];
      list.push(p.event);
      groups.set(p.event.userKey, list);
    }
  }
  metrics.addMetric(M.RECORDS, MetricUnit.Count, event.Records.length);

  const closed: Pending[] = [];
  const limit = limiter(USER_CONCURRENCY);
  const running = new Map<string, Promise<GroupResult>>();
  const applyGroup = (userKey: string): Promise<GroupResult> => {
    let p = running.get(userKey);
    if (!p) {
      p = limit(() => applyUser(store, userKey, groups.get(userKey)!, options, now, closed));
      running.set(userKey, p);
    }
    return p;
  };

  let malformed = 0;
  const recordHandler = async (record: KinesisStreamRecord): Promise<string> => {
    const p = parsed.get(recordKey(record)) ?? parseRecord(record);
    if (p.kind === 'malformed') {
      const object = poisonObject(config.poisonPrefix, record, p.reason, now);
      await clients.s3.send(new PutObjectCommand({ Bucket: config.failureBucket, Key: object.key, Body: object.body, ContentType: 'application/json' }));
      malformed++;
      logger.warn('malformed record kept in the failure bucket', { ...recordPosition(record), reason: p.reason, key: object.key });
      return 'malformed';
    }
    await applyGroup(p.event.userKey);
    return 'applied';
  };

  const processor = new BatchProcessor(EventType.KinesisDataStreams);
  let response: KinesisStreamBatchResponse | undefined;
  try {
    response = await processPartialResponse(event, recordHandler, processor, { context });
    await advancePositions(store, event.Records, response, now);
    return response;
  } finally {
    // Sessions closed by the groups that did commit are emitted even when the batch failed as a whole.
    const totals = { applied: 0, duplicates: 0, late: 0 };
    for (const p of running.values()) {
      const r = await p.catch(() => undefined);
      if (r) { totals.applied += r.applied; totals.duplicates += r.duplicates; totals.late += r.late; }
    }
    const failed = response?.batchItemFailures.length ?? event.Records.length;
    metrics.addMetric(M.MALFORMED_RECORDS, MetricUnit.Count, malformed);
    metrics.addMetric(M.FAILED_RECORDS, MetricUnit.Count, failed);
    metrics.addMetric(M.EVENTS_APPLIED, MetricUnit.Count, totals.applied);
    metrics.addMetric(M.DUPLICATE_EVENTS, MetricUnit.Count, totals.duplicates);
    metrics.addMetric(M.LATE_EVENTS, MetricUnit.Count, totals.late);
    metrics.addMetric(M.SESSIONS_CLOSED, MetricUnit.Count, closed.length);
    await emitAndMark(store, config, closed);
    if (failed > 0) logger.warn('records reported as failures', { failed, records: event.Records.length });
  }
}

/**
 * Applies one user's events: reads the state and which events are already applied, folds the new ones in time order in
 * steps of at most `EVENTS_PER_TRANSACTION`, each written in one transaction. A lost race re-reads and goes on from what
 * is committed. Summaries of committed steps are added to `closed`.
 */
async function applyUser(
  store: SessionStore, userKey: string, events: ClickEvent[], options: SessionizeOptions, now: number, closed: Pending[],
): Promise<GroupResult> {
  let applied = 0;
  let late = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const { state, applied: already } = await store.read(userKey, events.map((e) => e.eventId));
      const fresh = distinctSorted(events.filter((e) => !already.has(e.eventId)));
      let current = state;
      for (let i = 0; i < fresh.length; i += EVENTS_PER_TRANSACTION) {
        const step = advance(current.user, fresh.slice(i, i + EVENTS_PER_TRANSACTION), options);
        const { items, summaries } = transactionItems(userKey, current, step, 'gap', now, store.config);
        await store.write(items);
        current = { user: step.state, version: current.version + 1 };
        applied += step.assignments.length;
        late += step.assignments.filter((a) => a.sessionId === undefined).length;
        closed.push(...summaries.map((summary) => pendingOf(userKey, summary)));
      }
      return { applied, duplicates: events.length - applied, late };
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw e;
      metrics.addMetric(M.CONFLICTS, MetricUnit.Count, 1);
      await sleep(Math.random() * 50 * 2 ** attempt);
    }
  }
}

/**
 * Records, per shard, the arrival of the newest record processed before the first one reported as failed (the mapping
 * resumes from that one, so nothing after it counts as read). The sweep closes idle sessions against it. A position that
 * cannot be written is logged: the sweep then closes later, never earlier.
 */
async function advancePositions(
  store: SessionStore, records: readonly KinesisStreamRecord[], response: KinesisStreamBatchResponse, now: number,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const newest = new Map<string, number>();
  const stopped = new Set<string>();
  for (const record of records) {
    const { shardId, sequenceNumber } = recordPosition(record);
    if (stopped.has(shardId)) continue;
    if (failed.has(sequenceNumber)) {
      stopped.add(shardId);
      continue;
    }
    const arrival = arrivalOf(record);
    if (Number.isFinite(arrival)) newest.set(shardId, Math.max(newest.get(shardId) ?? -Infinity, arrival));
  }
  await Promise.all([...newest].map(async ([shardId, newestArrival]) => {
    const position: ShardPosition = { newestArrival, processedAt: now };
    try {
      await store.advancePosition(shardId, position, now);
    } catch (e) {
      logger.warn('could not record the shard position; idle sessions of the shard close later', { shardId, error: (e as Error).name });
    }
  }));
}

/** Writes summaries to the stream and marks those written; the rest stay pending for the sweep. */
async function emitAndMark(store: SessionStore, config: SessionConsumerConfig, entries: Pending[]): Promise<{ emitted: number; failed: number }> {
  if (entries.length === 0) return { emitted: 0, failed: 0 };
  const result = await emitSummaries((c) => clients.kinesis.send(c), config.summaryStreamArn, entries);
  const now = Date.now();
  const limit = limiter(USER_CONCURRENCY);
  const marks = await Promise.allSettled(result.emitted.map((i) => limit(
    () => store.markEmitted(entries[i].userKey, entries[i].summary.sessionId, now),
  )));
  const unmarked = marks.filter((m) => m.status === 'rejected').length;
  metrics.addMetric(M.SUMMARIES_EMITTED, MetricUnit.Count, result.emitted.length);
  metrics.addMetric(M.SUMMARY_EMIT_FAILURES, MetricUnit.Count, result.failed.length);
  if (result.failed.length > 0 || unmarked > 0) {
    // Not a record failure: the sessions are committed and pending; the sweep writes them (again, if unmarked).
    logger.warn('summaries left pending for the sweep', { failed: result.failed.length, unmarked, errors: [...new Set(result.failed.map((f) => f.errorCode))] });
  }
  return { emitted: result.emitted.length, failed: result.failed.length };
}

/** The scheduled sweep: closes idle sessions, then writes every pending summary. */
async function sweep(context: Context): Promise<SweepResult> {
  const config = loadConfig(process.env);
  const store = new SessionStore(clients.db, storeConfig(config));
  const now = Date.now();
  const timeLeft = () => (typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity);
  const limit = limiter(USER_CONCURRENCY);
  const pending: Pending[] = [];
  const positions = new Map<string, Promise<ShardPosition | undefined>>();

  for (let n = 0; n < SessionTable.SWEEP_PARTITIONS && timeLeft() > SWEEP_TIME_RESERVE_MS; n++) {
    const due = await store.due(`OPEN#${n}`, now, SWEEP_BATCH);
    const summaries = await Promise.all(due.map((k) => limit(() => closeIdleUser(store, k.pk.slice('USER#'.length), now, positions))));
    for (const [i, summary] of summaries.entries()) {
      if (summary) pending.push(pendingOf(due[i].pk.slice('USER#'.length), summary));
    }
  }
  const closed = pending.length;
  metrics.addMetric(M.SESSIONS_CLOSED, MetricUnit.Count, closed);

  // Sessions closed earlier whose summary is still pending (their invocation failed to write or to mark it).
  for (let n = 0; n < SessionTable.SWEEP_PARTITIONS && timeLeft() > SWEEP_TIME_RESERVE_MS; n++) {
    const due = await store.due(`EMIT#${n}`, now, SWEEP_BATCH * 5);
    const items = await Promise.all(due.map((k) => limit(() => store.session(k.pk, k.sk))));
    for (const item of items) {
      if (item && item.emittedAt === undefined && item.summary) {
        pending.push(pendingOf(String(item.pk).slice('USER#'.length), item.summary as SessionSummary));
      }
    }
  }
  const { emitted, failed } = await emitAndMark(store, config, pending);
  logger.info('sweep done', { closed, emitted, emitFailures: failed });
  return { closed, emitted, emitFailures: failed };
}

/**
 * Closes a user's open session if it is still idle (read again, strongly consistent: the index lags), judged against the
 * consumer's position on the shard of the session's last record rather than the wall clock.
 */
async function closeIdleUser(
  store: SessionStore, userKey: string, now: number, positions: Map<string, Promise<ShardPosition | undefined>>,
): Promise<SessionSummary | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { state } = await store.read(userKey, []);
      const shard = state.user.open?.lastShard;
      let position: ShardPosition | undefined;
      if (shard !== undefined) {
        if (!positions.has(shard)) positions.set(shard, store.position(shard));
        position = await positions.get(shard);
      }
      const result = closeIdle(state.user, consumerClock(position, now), store.config.idleMs);
      if (!result.closed) return undefined;
      const { items, summaries } = transactionItems(userKey, state, { state: result.state, closed: [result.closed], assignments: [] }, 'idle', now, store.config);
      await store.write(items);
      return summaries[0];
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw e;
      metrics.addMetric(M.CONFLICTS, MetricUnit.Count, 1);
      await sleep(Math.random() * 50 * 2 ** attempt);
    }
  }
}

function storeConfig(config: SessionConsumerConfig): StoreConfig {
  return { tableName: config.tableName, retentionMs: config.retentionMs, idleMs: config.gapMs + config.closeDelayMs };
}

function recordKey(record: KinesisStreamRecord): string {
  return record.eventID ?? record.kinesis?.sequenceNumber;
}

/** Runs at most `n` of the given tasks at a time. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return <T>(task: () => Promise<T>) => new Promise<T>((resolve, reject) => {
    const run = () => {
      active++;
      task().then(resolve, reject).finally(() => {
        active--;
        queue.shift()?.();
      });
    };
    if (active < n) run(); else queue.push(run);
  });
}
