/**
 * The metric math of the autoscaler's alarms, shared by the construct (which creates the alarms for the initial shard count)
 * and the handler (which rewrites them after every reshard). Pure: no CDK, no SDK.
 *
 * CloudWatch has no shard-count metric, so the expressions embed the shard count, always as the last factor of a
 * per-minute capacity term: `(60 * 1048576 * N)` for bytes and `(60 * 1000 * N)` for records. The thresholds are fractions
 * that do not change when the stream is resharded; only the expressions (and their labels) do, and a rewrite replaces N in
 * those terms and nothing else.
 */
import { comboError, propError } from '../../private/errors';
import { KinesisLimits } from '../../private/kinesis-limits';

/** Metric ids used inside the alarms' metric math. */
export const MetricIds = {
  BYTES: 'bytes',
  RECORDS: 'records',
  THROTTLED: 'throttled',
} as const;

const BYTES = KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND;
const RECORDS = KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND;
const { BYTES: B, RECORDS: R, THROTTLED: T } = MetricIds;

function bytesShare(shards: number): string {
  return `FILL(${B}, 0) / (60 * ${BYTES} * ${shards})`;
}

function recordsShare(shards: number): string {
  return `FILL(${R}, 0) / (60 * ${RECORDS} * ${shards})`;
}

/**
 * Write utilisation of `shards` shards per 1-minute period: the larger of the bytes share and the records share of the
 * stream's write capacity (MAX of an array is taken point by point), e.g. for 4 shards
 * `MAX([FILL(bytes, 0) / (60 * 1048576 * 4), FILL(records, 0) / (60 * 1000 * 4)])`.
 */
export function utilizationExpression(shards: number): string {
  assertShardCount(shards);
  return `MAX([${bytesShare(shards)}, ${recordsShare(shards)}])`;
}

/**
 * Saturation of `shards` shards, 1 or more when a minute is throttled (at least `minThrottledFraction` of the records
 * written were refused) or saturated (utilisation at or above `saturationUtilization`, where per-second peaks already
 * throttle). One record is added to the throttled share's denominator so that a minute without writes gives 0, not a
 * division by zero.
 */
export function saturationExpression(shards: number, minThrottledFraction: number, saturationUtilization: number): string {
  assertShardCount(shards);
  return `MAX([FILL(${T}, 0) / (FILL(${R}, 0) + FILL(${T}, 0) + 1) / ${minThrottledFraction}, `
    + `${bytesShare(shards)} / ${saturationUtilization}, ${recordsShare(shards)} / ${saturationUtilization}])`;
}

/** Label of an expression for `shards` shards: names the shard count the alarm is written for. */
export function shardsLabel(what: string, shards: number): string {
  return `${what} of ${shards} shards`;
}

const BYTES_TERM = new RegExp(`\\(60 \\* ${BYTES} \\* (\\d+)\\)`, 'g');
const RECORDS_TERM = new RegExp(`\\(60 \\* ${RECORDS} \\* (\\d+)\\)`, 'g');
const LABEL_COUNT = /of (\d+) shards/g;

/**
 * The shard count an expression was written for: every capacity term carries the same count, and there is at least one
 * for bytes and one for records. Undefined for an expression this library did not write (or one changed by hand).
 */
export function shardsOfExpression(expression: string): number | undefined {
  const bytes = [...expression.matchAll(BYTES_TERM)].map((m) => m[1]);
  const records = [...expression.matchAll(RECORDS_TERM)].map((m) => m[1]);
  const counts = new Set([...bytes, ...records]);
  if (bytes.length === 0 || records.length === 0 || counts.size !== 1) return undefined;
  const [count] = counts;
  const shards = Number(count);
  return Number.isInteger(shards) && shards >= 1 && shards <= KinesisLimits.MAX_SHARDS_PER_STREAM ? shards : undefined;
}

/** The same expression for another shard count (only the capacity terms change). */
export function withShards(expression: string, shards: number): string {
  assertShardCount(shards);
  if (shardsOfExpression(expression) === undefined) throw comboError(undefined, `not an expression with an embedded shard count: ${expression}`);
  return expression
    .replace(BYTES_TERM, `(60 * ${BYTES} * ${shards})`)
    .replace(RECORDS_TERM, `(60 * ${RECORDS} * ${shards})`);
}

/** The same label for another shard count. */
export function labelWithShards(label: string, shards: number): string {
  return label.replace(LABEL_COUNT, `of ${shards} shards`);
}

function assertShardCount(shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > KinesisLimits.MAX_SHARDS_PER_STREAM) {
    throw propError(undefined, 'shard count', shards, `must be a whole number from 1 to ${KinesisLimits.MAX_SHARDS_PER_STREAM}`);
  }
}
