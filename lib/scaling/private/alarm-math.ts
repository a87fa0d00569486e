/**
 * The metric math of the autoscaler's alarms, shared by the construct (which creates the alarms for the initial shard count)
 * and the handler (which rewrites them after every reshard). Pure: no CDK, no SDK.
 *
 * CloudWatch has no shard-count metric, so the utilisation expression embeds the shard count. Its threshold is a fraction
 * that does not change when the stream is resharded; only the expression (and its label) do.
 */
import { KinesisLimits } from '../../private/kinesis-limits';

/** Metric ids used inside the alarms' metric math. */
export const MetricIds = {
  BYTES: 'bytes',
  RECORDS: 'records',
  THROTTLED: 'throttled',
} as const;

const BYTES = KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND;
const RECORDS = KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND;

/**
 * Write utilisation of `shards` shards per 1-minute period: the larger of the bytes share and the records share of the
 * stream's write capacity, e.g. for 4 shards
 * `MAX([FILL(bytes, 0) / (60 * 1048576 * 4), FILL(records, 0) / (60 * 1000 * 4)])`.
 */
export function utilizationExpression(shards: number): string {
  assertShardCount(shards);
  return `MAX([FILL(${MetricIds.BYTES}, 0) / (60 * ${BYTES} * ${shards}), FILL(${MetricIds.RECORDS}, 0) / (60 * ${RECORDS} * ${shards})])`;
}

/** Label of the utilisation expression: names the shard count the alarm is written for. */
export function utilizationLabel(shards: number): string {
  return `Write utilisation of ${shards} shards`;
}

/** Throttled share of the records written in a minute: throttled / (accepted + throttled). */
export const THROTTLED_FRACTION_EXPRESSION =
  `FILL(${MetricIds.THROTTLED}, 0) / (FILL(${MetricIds.RECORDS}, 0) + FILL(${MetricIds.THROTTLED}, 0))`;

const BYTES_TERM = new RegExp(`\\(60 \\* ${BYTES} \\* (\\d+)\\)`);
const RECORDS_TERM = new RegExp(`\\(60 \\* ${RECORDS} \\* (\\d+)\\)`);

/**
 * The shard count a utilisation expression was written for, or undefined when the expression is not one this library
 * wrote (or its two terms disagree).
 */
export function shardsOfExpression(expression: string): number | undefined {
  const bytes = BYTES_TERM.exec(expression);
  const records = RECORDS_TERM.exec(expression);
  if (!bytes || !records || bytes[1] !== records[1]) return undefined;
  const shards = Number(bytes[1]);
  return utilizationExpression(shards) === expression ? shards : undefined;
}

function assertShardCount(shards: number): void {
  if (!Number.isInteger(shards) || shards < 1 || shards > KinesisLimits.MAX_SHARDS_PER_STREAM) {
    throw new Error(`shard count must be a whole number from 1 to ${KinesisLimits.MAX_SHARDS_PER_STREAM}, got ${shards}`);
  }
}
