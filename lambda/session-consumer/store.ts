/**
 * The session table: item layout (pure builders) and the reads and transactions the handler makes.
 *
 * Idempotency: every applied event leaves a marker item (`EVENT#<eventId>`), written in the same transaction as the user's
 * state and the sessions it closes, with `attribute_not_exists` conditions; the state item carries a version checked on
 * every write. An event whose marker exists is skipped, so a redelivered batch, a retried PutRecords of the producer (same
 * eventId, new sequence number) or two concurrent invocations (parallelization factor > 1, events of one user on two
 * shards) change nothing twice. Why markers rather than a per-shard sequence-number watermark: a watermark neither catches
 * producer retries (new sequence numbers) nor survives a parallelization factor above 1 unless the partition key is the
 * user; and why markers rather than a set of event ids on the session item: the set makes every update rewrite an item
 * that grows with the session (write units grow with its size, and an item stops at 400 KB), a marker costs the same for
 * the first event and the ten-thousandth.
 */
import { createHash } from 'node:crypto';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { userOf } from './events';
import type { Advance, ClickEvent, SessionAccumulator, UserState } from './sessionize';
import { SessionTable as T } from '../../lib/pipelines/private/session-contract';

/** What a session summary on the summary stream looks like (one JSON object per record). */
export interface SessionSummary {
  /** The user's id, or the anonymous id when `anonymous`. */
  readonly userId: string;
  readonly anonymous: boolean;
  readonly sessionId: string;
  /** ISO 8601, UTC, event time. */
  readonly start: string;
  readonly end: string;
  readonly durationSeconds: number;
  readonly events: number;
  readonly pageViews: number;
  readonly productViews: number;
  readonly products: string[];
  readonly converted: boolean;
  readonly clientSessionIds: string[];
  /** `gap`: a later event came after the inactivity gap; `idle`: the sweep found no record for gap + close delay. */
  readonly closeReason: 'gap' | 'idle';
  /** ISO 8601, UTC, processing time. */
  readonly closedAt: string;
}

export interface StoredState {
  readonly user: UserState;
  /** Version of the state item; 0 when there is none. */
  readonly version: number;
}

export interface StoreConfig {
  readonly tableName: string;
  /** TTL of every item after its last write, milliseconds. */
  readonly retentionMs: number;
  /** gap + close delay, milliseconds: when the sweep may close an idle session. */
  readonly idleMs: number;
}

/** The sweep leaves a just-closed session this long to the invocation that closed it before emitting it itself. */
export const EMIT_GRACE_MS = 60_000;
/** Actions per transaction: 1 state + n markers + at most n closed sessions must stay within DynamoDB's 100. */
export const EVENTS_PER_TRANSACTION = 45;

export const userPk = (userKey: string) => `USER#${userKey}`;
export const STATE_SK = 'STATE';
export const sessionSk = (sessionId: string) => `SESSION#${sessionId}`;
export const eventSk = (eventId: string) => `EVENT#${eventId}`;
export const shardPk = (shardId: string) => `SHARD#${shardId}`;
export const POSITION_SK = 'POSITION';

/**
 * How far the consumer has read a shard: the arrival time of the newest record it processed there, and when it did so.
 * Their difference is the consumer's lag at that moment.
 */
export interface ShardPosition {
  /** Arrival (at Kinesis) of the newest record processed on the shard, epoch milliseconds. */
  readonly newestArrival: number;
  /** When that batch was processed, epoch milliseconds (the function's clock). */
  readonly processedAt: number;
}

/**
 * The consumer's clock for a shard: the wall clock less the lag the consumer had when it last processed the shard
 * (`now - (processedAt - newestArrival)`), never ahead of the wall clock. A consumer two hours behind sees its sessions
 * idle two hours later than the wall clock would, so the sweep never closes a session whose next records are still unread
 * in the stream; a consumer that is caught up (lag near zero) sees the wall clock, so a shard that goes quiet still has
 * its sessions closed.
 */
export function consumerClock(position: ShardPosition | undefined, now: number): number {
  if (position === undefined) return now;
  const lag = Math.max(0, position.processedAt - position.newestArrival);
  return Math.min(now, now - lag);
}

/** Sweep index partition of a user: a small hash, so that the sweep's queries are spread over a few partitions. */
export function sweepShard(userKey: string): number {
  return createHash('md5').update(userKey).digest().readUInt16BE(0) % T.SWEEP_PARTITIONS;
}

export function toSummary(userKey: string, s: SessionAccumulator, closeReason: 'gap' | 'idle', closedAt: number): SessionSummary {
  const { userId, anonymous } = userOf(userKey);
  return {
    userId,
    anonymous,
    sessionId: s.sessionId,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
    durationSeconds: Math.round((s.end - s.start) / 1000),
    events: s.events,
    pageViews: s.pageViews,
    productViews: s.productViews,
    products: s.products,
    converted: s.converted,
    clientSessionIds: s.clientSessionIds,
    closeReason,
    closedAt: new Date(closedAt).toISOString(),
  };
}

/** The state item for a user state. */
export function stateItem(userKey: string, user: UserState, version: number, now: number, c: StoreConfig): Record<string, unknown> {
  return {
    [T.PARTITION_KEY]: userPk(userKey),
    [T.SORT_KEY]: STATE_SK,
    version,
    ...(user.closedUntil !== undefined ? { closedUntil: user.closedUntil } : {}),
    ...(user.open ? {
      open: user.open,
      // Sparse index entry: present only while a session is open, due when it may be closed as idle.
      [T.SWEEP_PARTITION_KEY]: `OPEN#${sweepShard(userKey)}`,
      [T.SWEEP_SORT_KEY]: user.open.lastArrival + c.idleMs + 1,
    } : {}),
    [T.TTL_ATTRIBUTE]: ttl(now, c),
  };
}

export function fromStateItem(item: Record<string, unknown> | undefined): StoredState {
  if (!item) return { user: {}, version: 0 };
  const open = item.open as SessionAccumulator | undefined;
  const closedUntil = item.closedUntil as number | undefined;
  return {
    user: { ...(open ? { open } : {}), ...(closedUntil !== undefined ? { closedUntil } : {}) },
    version: Number(item.version ?? 0),
  };
}

/** A closed session's item, pending emission until `markEmitted`. */
export function sessionItem(userKey: string, summary: SessionSummary, now: number, c: StoreConfig): Record<string, unknown> {
  return {
    [T.PARTITION_KEY]: userPk(userKey),
    [T.SORT_KEY]: sessionSk(summary.sessionId),
    summary,
    closedAt: now,
    [T.SWEEP_PARTITION_KEY]: `EMIT#${sweepShard(userKey)}`,
    [T.SWEEP_SORT_KEY]: now + EMIT_GRACE_MS,
    [T.TTL_ATTRIBUTE]: ttl(now, c),
  };
}

/** An applied event's marker: the session it went to, or late (then with the event itself, for reconciliation). */
export function eventItem(userKey: string, event: ClickEvent, sessionId: string | undefined, now: number, c: StoreConfig): Record<string, unknown> {
  return {
    [T.PARTITION_KEY]: userPk(userKey),
    [T.SORT_KEY]: eventSk(event.eventId),
    ...(sessionId !== undefined ? { sessionId } : { late: true, event: JSON.stringify(event) }),
    timestamp: event.timestamp,
    arrival: event.arrival,
    ...(event.origin !== undefined ? { origin: event.origin } : {}),
    appliedAt: now,
    [T.TTL_ATTRIBUTE]: ttl(now, c),
  };
}

/**
 * The writes of one step: the state (conditional on its version), a marker per event and the closed sessions (each
 * conditional on not existing).
 */
export function transactionItems(
  userKey: string, previous: StoredState, step: Advance, closeReason: 'gap' | 'idle', now: number, c: StoreConfig,
): { items: Array<Record<string, unknown>>; summaries: SessionSummary[] } {
  const notExists = `attribute_not_exists(${T.PARTITION_KEY})`;
  const summaries = step.closed.map((s) => toSummary(userKey, s, closeReason, now));
  const items: Array<Record<string, unknown>> = [{
    Put: {
      TableName: c.tableName,
      Item: stateItem(userKey, step.state, previous.version + 1, now, c),
      ...(previous.version === 0
        ? { ConditionExpression: notExists }
        : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': previous.version } }),
    },
  }];
  for (const a of step.assignments) {
    items.push({ Put: { TableName: c.tableName, Item: eventItem(userKey, a.event, a.sessionId, now, c), ConditionExpression: notExists } });
  }
  for (const summary of summaries) {
    items.push({ Put: { TableName: c.tableName, Item: sessionItem(userKey, summary, now, c), ConditionExpression: notExists } });
  }
  return { items, summaries };
}

/** Thrown when a transaction lost a race (a condition or a concurrent transaction): re-read and try again. */
export class ConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class SessionStore {
  constructor(private readonly db: DynamoDBDocumentClient, readonly config: StoreConfig) {}

  /** The user's state and which of the given event ids are already applied (strongly consistent reads). */
  async read(userKey: string, eventIds: readonly string[]): Promise<{ state: StoredState; applied: Set<string> }> {
    const [stateOut, applied] = await Promise.all([
      this.db.send(new GetCommand({
        TableName: this.config.tableName,
        Key: { [T.PARTITION_KEY]: userPk(userKey), [T.SORT_KEY]: STATE_SK },
        ConsistentRead: true,
      })),
      this.appliedEvents(userKey, eventIds),
    ]);
    return { state: fromStateItem(stateOut.Item), applied };
  }

  /** Writes one step; a lost race becomes a `ConflictError`. */
  async write(items: Array<Record<string, unknown>>): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (e) {
      const err = e as { name?: string; message?: string };
      if (err.name === 'TransactionCanceledException' || err.name === 'TransactionConflictException' || err.name === 'ConditionalCheckFailedException') {
        throw new ConflictError(err.message ?? err.name);
      }
      throw e;
    }
  }

  /** Moves a shard's position forward (never back: a redelivered older batch leaves it as it is). */
  async advancePosition(shardId: string, position: ShardPosition, now: number): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.config.tableName,
        Key: { [T.PARTITION_KEY]: shardPk(shardId), [T.SORT_KEY]: POSITION_SK },
        UpdateExpression: 'SET newestArrival = :a, processedAt = :p, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(newestArrival) OR newestArrival < :a',
        ExpressionAttributeNames: { '#ttl': T.TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':a': position.newestArrival, ':p': position.processedAt, ':ttl': ttl(now, this.config) },
      }));
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  /** A shard's position (strongly consistent), or undefined when none was recorded. */
  async position(shardId: string): Promise<ShardPosition | undefined> {
    const out = await this.db.send(new GetCommand({
      TableName: this.config.tableName, Key: { [T.PARTITION_KEY]: shardPk(shardId), [T.SORT_KEY]: POSITION_SK }, ConsistentRead: true,
    }));
    const a = Number(out.Item?.newestArrival);
    const p = Number(out.Item?.processedAt);
    return Number.isFinite(a) && Number.isFinite(p) ? { newestArrival: a, processedAt: p } : undefined;
  }

  /** The session is on the summary stream: leave the sweep index and record when. */
  async markEmitted(userKey: string, sessionId: string, now: number): Promise<void> {
    await this.db.send(new UpdateCommand({
      TableName: this.config.tableName,
      Key: { [T.PARTITION_KEY]: userPk(userKey), [T.SORT_KEY]: sessionSk(sessionId) },
      UpdateExpression: `SET emittedAt = :now REMOVE ${T.SWEEP_PARTITION_KEY}, ${T.SWEEP_SORT_KEY}`,
      ConditionExpression: `attribute_exists(${T.PARTITION_KEY})`,
      ExpressionAttributeValues: { ':now': now },
    }));
  }

  /** Keys due in one sweep partition (`OPEN#n` or `EMIT#n`), oldest first, at most `limit`. */
  async due(partition: string, now: number, limit: number): Promise<Array<{ pk: string; sk: string }>> {
    const keys: Array<{ pk: string; sk: string }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({
        TableName: this.config.tableName,
        IndexName: T.SWEEP_INDEX,
        KeyConditionExpression: '#p = :p AND #a <= :now',
        ExpressionAttributeNames: { '#p': T.SWEEP_PARTITION_KEY, '#a': T.SWEEP_SORT_KEY },
        ExpressionAttributeValues: { ':p': partition, ':now': now },
        Limit: limit - keys.length,
        ExclusiveStartKey: start,
      }));
      for (const item of out.Items ?? []) keys.push({ pk: String(item[T.PARTITION_KEY]), sk: String(item[T.SORT_KEY]) });
      start = out.LastEvaluatedKey;
    } while (start && keys.length < limit);
    return keys;
  }

  /** A closed session's item (strongly consistent), or undefined. */
  async session(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.db.send(new GetCommand({
      TableName: this.config.tableName, Key: { [T.PARTITION_KEY]: pk, [T.SORT_KEY]: sk }, ConsistentRead: true,
    }));
    return out.Item;
  }

  private async appliedEvents(userKey: string, eventIds: readonly string[]): Promise<Set<string>> {
    const applied = new Set<string>();
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Array<Record<string, unknown>> | undefined = unique.slice(i, i + 100)
        .map((id) => ({ [T.PARTITION_KEY]: userPk(userKey), [T.SORT_KEY]: eventSk(id) }));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
        if (attempt > 8) throw new Error('BatchGetItem left keys unprocessed after 8 retries');
        const out = await this.db.send(new BatchGetCommand({
          RequestItems: { [this.config.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#s', ExpressionAttributeNames: { '#s': T.SORT_KEY } } },
        }));
        for (const item of out.Responses?.[this.config.tableName] ?? []) applied.add(String(item[T.SORT_KEY]).slice('EVENT#'.length));
        keys = out.UnprocessedKeys?.[this.config.tableName]?.Keys as Array<Record<string, unknown>> | undefined;
      }
    }
    return applied;
  }
}

function ttl(now: number, c: StoreConfig): number {
  return Math.floor((now + c.retentionMs) / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
