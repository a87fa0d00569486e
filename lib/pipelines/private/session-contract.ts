/**
 * The contract between the SessionConsumer construct and its handler (lambda/session-consumer): the environment variables
 * the construct sets, the table layout both rely on, and the metrics the handler publishes. Pure constants, no CDK import,
 * so that the handler bundles it.
 */

/** Environment variables of the session consumer function. */
export const SessionEnv = {
  /** DynamoDB table of sessions, user state and applied-event markers. */
  TABLE_NAME: 'SESSION_TABLE_NAME',
  /** ARN of the stream the session summaries are written to. */
  SUMMARY_STREAM_ARN: 'SUMMARY_STREAM_ARN',
  /** Bucket where the handler puts malformed records (under POISON_PREFIX), whole. */
  FAILURE_BUCKET: 'FAILURE_BUCKET_NAME',
  /** Key prefix of malformed records in the failure bucket. */
  POISON_PREFIX: 'POISON_PREFIX',
  /** Inactivity gap that ends a session, in seconds (default 1,800 = 30 minutes). */
  GAP_SECONDS: 'SESSION_GAP_SECONDS',
  /** How long after the gap the sweeper waits for stragglers before closing an idle session, in seconds. */
  CLOSE_DELAY_SECONDS: 'SESSION_CLOSE_DELAY_SECONDS',
  /** How long items live after their last write (DynamoDB TTL), in seconds: also the de-duplication window. */
  RETENTION_SECONDS: 'SESSION_RETENTION_SECONDS',
  /** Comma-separated event types that mark a session as converted. */
  CONVERSION_EVENT_TYPES: 'CONVERSION_EVENT_TYPES',
} as const;

/** Defaults the handler applies when a variable is absent (the construct always sets them). */
export const SessionDefaults = {
  GAP_SECONDS: 30 * 60,
  CLOSE_DELAY_SECONDS: 10 * 60,
  RETENTION_SECONDS: 7 * 24 * 3600,
  CONVERSION_EVENT_TYPES: ['purchase'],
  POISON_PREFIX: 'poison/',
} as const;

/** Bounds both sides enforce. */
export const SessionLimits = {
  MIN_GAP_SECONDS: 60,
  MAX_GAP_SECONDS: 24 * 3600,
  MAX_CLOSE_DELAY_SECONDS: 24 * 3600,
  MIN_RETENTION_SECONDS: 24 * 3600,
  MAX_RETENTION_SECONDS: 365 * 24 * 3600,
  /** Distinct products kept per session (the smallest ids, so that the set is the same whatever the order of arrival). */
  MAX_PRODUCTS_PER_SESSION: 100,
  /** Distinct client session ids (the events' `sessionId`) kept per session. Field limits are the click event schema's. */
  MAX_CLIENT_SESSION_IDS: 10,
} as const;

/**
 * Table layout. One table, partition key `pk` and sort key `sk` (both strings), TTL attribute `expiresAt`, and a sparse
 * global secondary index `Sweep` (`sweepPk` string, `sweepAt` number, keys only) through which the scheduled sweep finds
 * open sessions that went idle and closed sessions whose summary is not yet on the summary stream.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | a user's state (open session, end of the last closed one, version) | `USER#<userKey>` | `STATE` |
 * | a closed session (summary, emission state) | `USER#<userKey>` | `SESSION#<sessionId>` |
 * | an applied event (which session it went to, or late) | `USER#<userKey>` | `EVENT#<eventId>` |
 * | how far the consumer has read a shard (newest arrival processed, when) | `SHARD#<shardId>` | `POSITION` |
 */
export const SessionTable = {
  PARTITION_KEY: 'pk',
  SORT_KEY: 'sk',
  TTL_ATTRIBUTE: 'expiresAt',
  SWEEP_INDEX: 'Sweep',
  SWEEP_PARTITION_KEY: 'sweepPk',
  SWEEP_SORT_KEY: 'sweepAt',
  /** Write sharding of the sweep index: `OPEN#0..n-1` and `EMIT#0..n-1`. */
  SWEEP_PARTITIONS: 8,
} as const;

/** Namespace of the handler's metrics (embedded metric format). */
export const SESSION_METRIC_NAMESPACE = 'KinesisStreamingPipelines/SessionConsumer';
/** Powertools service name: every metric carries the dimensions `service` and `FunctionName`. */
export const SESSION_SERVICE = 'session-consumer';
/** The second dimension of every metric: the function's name, so that two consumers in one account stay apart. */
export const SESSION_FUNCTION_DIMENSION = 'FunctionName';

/** Metrics the handler publishes. */
export const SessionMetrics = {
  /** Kinesis records received. */
  RECORDS: 'Records',
  /** Records that were not a valid click event (bad base64, UTF-8 or JSON, missing or invalid fields): put whole in the failure bucket. */
  MALFORMED_RECORDS: 'MalformedRecords',
  /** Records reported as batch item failures: the event source mapping retries them, then sends them to the on-failure destination. */
  FAILED_RECORDS: 'FailedRecords',
  /** Events applied to a session for the first time. */
  EVENTS_APPLIED: 'EventsApplied',
  /** Events already applied (redelivered batches, producer retries): skipped. */
  DUPLICATE_EVENTS: 'DuplicateEvents',
  /** Events older than a session already closed for the user: recorded as late, in no session. */
  LATE_EVENTS: 'LateEvents',
  /** Sessions closed, by a later event or by the sweep. */
  SESSIONS_CLOSED: 'SessionsClosed',
  /** Summaries written to the summary stream. */
  SUMMARIES_EMITTED: 'SummariesEmitted',
  /** Summaries that could not be written after retries; the sweep writes them later. */
  SUMMARY_EMIT_FAILURES: 'SummaryEmitFailures',
  /** Optimistic-concurrency conflicts on a user's state, retried. */
  CONFLICTS: 'StateConflicts',
} as const;

/** The input of the scheduled sweep (an EventBridge rule target input). */
export const SWEEP_EVENT = { action: 'sweep', source: 'kinesis-streaming-pipelines.session-consumer' } as const;
