import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { METRIC_PERIOD } from './delivery-metrics';
import { FirehoseLimits as L } from './firehose-limits';
import { checkEvaluations } from '../../monitoring/private/thresholds';
import { comboError, propError } from '../../private/errors';
import { checkRange } from '../../private/validation';
import type { DeliveryAlarmsProps } from '../delivery-alarms';
import type { OpenSearchDeliveryProps } from '../opensearch-delivery';
import type { RedshiftDeliveryProps } from '../redshift-delivery';
import type { S3DataLakeDeliveryProps } from '../s3-data-lake-delivery';

/**
 * Small pure checks of the delivery constructs. Each skips values that are tokens (known only at deploy) and undefined
 * (an optional prop not given), and throws the library's error naming the construct, the prop, the value and the range.
 */

/** The destination families whose buffering ranges differ. */
export enum BufferingDestination {
  /** S3, and the S3 staging bucket of Redshift: 1–128 MiB. */
  S3 = 'S3',
  /** OpenSearch Service and OpenSearch Serverless: 1–100 MB. */
  OPENSEARCH = 'OpenSearch',
}

export interface BufferingSettings {
  readonly destination: BufferingDestination;
  readonly interval?: Duration;
  readonly size?: Size;
  /** Dynamic partitioning on: interval ≥ 60 s, size ≥ 64 MiB. */
  readonly dynamicPartitioning?: boolean;
  /** Data-format conversion on: size ≥ 64 MiB. */
  readonly formatConversion?: boolean;
}

/** Seconds of a duration, or undefined when it is a token. */
export function secondsOf(duration: Duration | undefined): number | undefined {
  if (duration === undefined || duration.isUnresolved()) return undefined;
  return duration.toSeconds({ integral: false });
}

/** MiB of a size, fractional allowed, or undefined when it is a token. */
export function mebibytesOf(size: Size | undefined): number | undefined {
  if (size === undefined || size.isUnresolved()) return undefined;
  return size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
}

/** Buffering hints within the ranges of the destination and of the features turned on (https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html,
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html). */
export function checkBuffering(scope: IConstruct | string, settings: BufferingSettings): void {
  const seconds = secondsOf(settings.interval);
  if (seconds !== undefined) {
    const min = settings.dynamicPartitioning ? L.DYNAMIC_PARTITIONING_MIN_BUFFER_INTERVAL_SECONDS : L.MIN_BUFFER_INTERVAL_SECONDS;
    if (!Number.isInteger(seconds) || seconds < min || seconds > L.MAX_BUFFER_INTERVAL_SECONDS) {
      const why = settings.dynamicPartitioning ? ' with dynamic partitioning (zero buffering is not allowed there)' : '';
      throw propError(scope, 'bufferingInterval', seconds, `must be a whole number of seconds from ${min} to ${L.MAX_BUFFER_INTERVAL_SECONDS}${why}`);
    }
  }
  const mib = mebibytesOf(settings.size);
  if (mib === undefined) return;
  if (settings.destination === BufferingDestination.OPENSEARCH) {
    if (!Number.isInteger(mib) || mib < L.OPENSEARCH_MIN_BUFFER_MB || mib > L.OPENSEARCH_MAX_BUFFER_MB) {
      throw propError(scope, 'bufferingSize', mib, `must be a whole number of MiB from ${L.OPENSEARCH_MIN_BUFFER_MB} to ${L.OPENSEARCH_MAX_BUFFER_MB} for OpenSearch delivery`);
    }
    return;
  }
  const needsLarge = settings.dynamicPartitioning || settings.formatConversion;
  const min = needsLarge ? L.CONVERSION_MIN_BUFFER_MIB : L.S3_MIN_BUFFER_MIB;
  if (!Number.isInteger(mib) || mib < min || mib > L.S3_MAX_BUFFER_MIB) {
    const why = settings.formatConversion ? ' with Parquet conversion' : settings.dynamicPartitioning ? ' with dynamic partitioning' : '';
    throw propError(scope, 'bufferingSize', mib, `must be a whole number of MiB from ${min} to ${L.S3_MAX_BUFFER_MIB}${why}`);
  }
}

/** Retry duration of Redshift and OpenSearch delivery: whole seconds, 0–7,200. */
export function checkRetryDuration(scope: IConstruct | string, duration: Duration | undefined): void {
  const seconds = secondsOf(duration);
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < L.MIN_RETRY_SECONDS || seconds > L.MAX_RETRY_SECONDS) {
    throw propError(scope, 'retryDuration', seconds, `must be a whole number of seconds from ${L.MIN_RETRY_SECONDS} to ${L.MAX_RETRY_SECONDS}`);
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const GLUE_COLUMN = /^[a-z_][a-z0-9_]*$/;

/** Schema column names: lowercase identifiers (Glue stores them lowercase), unique, at least one. */
export function checkSchemaColumns(scope: IConstruct | string, names: string[]): void {
  if (names.length === 0) throw propError(scope, 'schema', [], 'must declare at least one column');
  const seen = new Set<string>();
  for (const name of names) {
    if (Token.isUnresolved(name)) continue;
    if (!GLUE_COLUMN.test(name) || name.length > 255) {
      throw propError(scope, 'schema', name, 'column names must be lowercase identifiers ([a-z_][a-z0-9_]*, at most 255 characters; JSON keys match them case-insensitively)');
    }
    if (seen.has(name)) throw propError(scope, 'schema', name, 'column names must be unique');
    seen.add(name);
  }
}

/**
 * Dynamic-partitioning keys: top-level JSON field names (identifiers), unique ignoring case, not a time partition name,
 * and, when a schema is declared, a column of it.
 */
export function checkPartitionKeys(scope: IConstruct | string, keys: string[], reserved: string[], schemaColumns?: string[]): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (Token.isUnresolved(key)) continue;
    if (!IDENTIFIER.test(key)) throw propError(scope, 'partitionKeys', key, 'must be top-level JSON field names ([A-Za-z_][A-Za-z0-9_]*)');
    const lower = key.toLowerCase();
    if (seen.has(lower)) throw propError(scope, 'partitionKeys', key, 'must be unique (ignoring case)');
    if (reserved.includes(lower)) throw propError(scope, 'partitionKeys', key, `must not be a time partition name (${reserved.join(', ')})`);
    if (schemaColumns && !schemaColumns.includes(lower)) {
      throw propError(scope, 'partitionKeys', key, `must be columns of the schema (${schemaColumns.join(', ')})`);
    }
    seen.add(lower);
  }
}

/** A static S3 key prefix: no expressions, no leading slash, ends with a slash when not empty. */
export function checkStaticPrefix(scope: IConstruct | string, prop: string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix) || prefix === '') return;
  if (prefix.includes('!{')) throw propError(scope, prop, prefix, 'must be a static prefix (the construct adds the partition expressions)');
  if (prefix.startsWith('/') || !prefix.endsWith('/')) throw propError(scope, prop, prefix, 'must not start with "/" and must end with "/"');
}

const NAMESPACES = /!\{(?!(?:firehose|timestamp|partitionKeyFrom(?:Lambda|Query)):[^{}]+\})/;
const ERROR_OUTPUT_TYPE = '!{firehose:error-output-type}';

/**
 * The prefix of failed records: expressions in a known namespace; when it has any, it must include
 * `!{firehose:error-output-type}`; no partition keys (Firehose rules, s3-prefixes.html).
 */
export function checkErrorOutputPrefix(scope: IConstruct | string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) return;
  if (prefix === '') throw propError(scope, 'errorOutputPrefix', prefix, 'must not be empty');
  if (NAMESPACES.test(prefix)) throw propError(scope, 'errorOutputPrefix', prefix, 'must use expressions of the form !{firehose:...} or !{timestamp:...}');
  if (prefix.includes('!{partitionKeyFrom')) throw propError(scope, 'errorOutputPrefix', prefix, 'must not use partition keys');
  if (prefix.includes('!{') && !prefix.includes(ERROR_OUTPUT_TYPE)) {
    throw propError(scope, 'errorOutputPrefix', prefix, `must include ${ERROR_OUTPUT_TYPE} when it uses expressions`);
  }
}

/** A key prefix that may use `!{timestamp:...}` and `!{firehose:...}` expressions but no partition keys (backup, staging). */
export function checkTimestampPrefix(scope: IConstruct | string, prop: string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix) || prefix === '') return;
  if (NAMESPACES.test(prefix) || prefix.includes('!{partitionKeyFrom')) {
    throw propError(scope, prop, prefix, 'must use only !{timestamp:...} and !{firehose:...} expressions');
  }
  if (prefix.startsWith('/')) throw propError(scope, prop, prefix, 'must not start with "/"');
}

/** A Redshift table name, optionally schema-qualified. */
export function checkRedshiftTable(scope: IConstruct | string, table: string): void {
  if (Token.isUnresolved(table)) return;
  if (!/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(table) || table.length > 127) {
    throw propError(scope, 'table', table, 'must be a Redshift table name, optionally schema-qualified (schema.table)');
  }
}

/** The columns of the COPY: at least one, identifiers (plain, or double-quoted for reserved words), unique. */
export function checkRedshiftColumns(scope: IConstruct | string, columns: string[]): void {
  if (columns.length === 0) throw propError(scope, 'columns', columns, 'must list at least one column of the table');
  const seen = new Set<string>();
  for (const column of columns) {
    if (Token.isUnresolved(column)) continue;
    if (!/^([A-Za-z_][A-Za-z0-9_$]*|"[^"\u0000]{1,127}")$/.test(column)) {
      throw propError(scope, 'columns', column, 'must be column names ([A-Za-z_][A-Za-z0-9_$]*, or double-quoted like "end" for reserved words)');
    }
    const lower = column.replace(/^"(.*)"$/, '$1').toLowerCase();
    if (seen.has(lower)) throw propError(scope, 'columns', column, 'must be unique');
    seen.add(lower);
  }
}

/** COPY options and the staging compression agree: GZIP-staged objects need the GZIP option and only those. */
export function checkCopyCompression(scope: IConstruct | string, copyOptions: string, compression: string): void {
  if (Token.isUnresolved(copyOptions) || Token.isUnresolved(compression)) return;
  const saysGzip = /\bGZIP\b/i.test(copyOptions);
  if (compression === 'GZIP' && !saysGzip) {
    throw comboError(scope, `copyOptions must include GZIP when the staging compression is GZIP, got ${JSON.stringify(copyOptions)}`);
  }
  if (compression === 'UNCOMPRESSED' && saysGzip) {
    throw comboError(scope, `copyOptions must not include GZIP when the staging compression is UNCOMPRESSED, got ${JSON.stringify(copyOptions)}`);
  }
}

/** An OpenSearch index name: lowercase, 1–80 characters, none of the characters OpenSearch refuses. */
export function checkIndexName(scope: IConstruct | string, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (name.length < 1 || name.length > 80 || name !== name.toLowerCase() || /[\\/*?"<>| ,#:]/.test(name) || /^[-_+.]/.test(name)) {
    throw propError(scope, 'indexName', name, 'must be 1–80 lowercase characters, not start with - _ + . and contain none of \\ / * ? " < > | , # : or space');
  }
}

/** A fraction of a quota in percent, (0, 100]. */
export function checkPercent(scope: IConstruct | string, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isFinite(value) || value <= 0 || value > 100) throw propError(scope, prop, value, 'must be a percentage in (0, 100]');
}

/** Every check of `DeliveryAlarms`: the evaluation of each threshold (5-minute periods) and its limit. */
export function validateDeliveryAlarmsProps(scope: IConstruct, p: DeliveryAlarmsProps, defaultPeriods: Record<string, number>): void {
  checkEvaluations(scope, METRIC_PERIOD, {
    dataFreshness: p.dataFreshness,
    deliverySuccess: p.deliverySuccess,
    throttledRecords: p.throttledRecords,
    quotaUtilization: p.quotaUtilization,
    sourceLag: p.sourceLag,
  }, defaultPeriods);
  checkRange(scope, 'deliverySuccess.minRatio', p.deliverySuccess?.minRatio, 0, 1, true);
  checkPercent(scope, 'quotaUtilization.maxPercent', p.quotaUtilization?.maxPercent);
  const maxRecords = p.throttledRecords?.maxRecords;
  if (maxRecords !== undefined && !Token.isUnresolved(maxRecords) && (!Number.isFinite(maxRecords) || maxRecords < 0)) {
    throw propError(scope, 'throttledRecords.maxRecords', maxRecords, 'must be a number ≥ 0');
  }
  // A zero age or lag would alarm on every datapoint (durations cannot be negative; a zero margin is allowed).
  for (const [name, d] of [['dataFreshness.maxAge', p.dataFreshness?.maxAge], ['sourceLag.maxLag', p.sourceLag?.maxLag]] as const) {
    const s = secondsOf(d);
    if (s !== undefined && s <= 0) throw propError(scope, name, s, 'must be a duration > 0 seconds');
  }
}

/** A delivery stream name Firehose accepts: 1–64 characters of [a-zA-Z0-9_.-]. */
export function checkDeliveryStreamName(scope: IConstruct, name: string | undefined): void {
  if (name !== undefined && !Token.isUnresolved(name) && !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
    throw propError(scope, 'deliveryStreamName', name, 'must be 1–64 characters of [a-zA-Z0-9_.-]');
  }
}

/** The DataLakeBucket's lifecycle, in seconds, with its defaults applied. */
export interface DataLakeLifecycleSeconds {
  readonly infrequentAccessAfter: number;
  readonly glacierInstantRetrievalAfter: number;
  readonly expireAfter?: number;
  readonly noncurrentVersionExpiration: number;
}

const DAY = 86_400;

/** Every check of the DataLakeBucket props: whole days, each storage class at least 30 days after the one before. */
export function validateDataLakeBucketLifecycle(scope: IConstruct, l: DataLakeLifecycleSeconds): void {
  const { infrequentAccessAfter: ia, glacierInstantRetrievalAfter: glacier, expireAfter: expire, noncurrentVersionExpiration: noncurrent } = l;
  if (ia < 30 * DAY || ia % DAY !== 0) throw propError(scope, 'infrequentAccessAfter', `${ia / DAY} days`, 'must be a whole number of days, at least 30');
  if (glacier < ia + 30 * DAY || glacier % DAY !== 0) {
    throw propError(scope, 'glacierInstantRetrievalAfter', `${glacier / DAY} days`, `must be a whole number of days, at least 30 after infrequentAccessAfter (${ia / DAY} days)`);
  }
  if (expire !== undefined && (expire <= glacier || expire % DAY !== 0)) {
    throw propError(scope, 'expireAfter', `${expire / DAY} days`, `must be a whole number of days after glacierInstantRetrievalAfter (${glacier / DAY} days)`);
  }
  if (noncurrent < DAY || noncurrent % DAY !== 0) throw propError(scope, 'noncurrentVersionExpiration', `${noncurrent / DAY} days`, 'must be a whole number of days, at least 1');
}

/** What the S3DataLakeDelivery props resolve to that its checks depend on. */
export interface S3DataLakeDeliveryShape {
  /** Format PARQUET: records converted with the schema's Glue table. */
  readonly parquet: boolean;
  /** Partition keys given: dynamic partitioning on. */
  readonly dynamicPartitioning: boolean;
  /** The time partition names (`year`, `month`...), which partition keys may not take. */
  readonly timeKeys: string[];
}

/** Every check of the S3DataLakeDelivery props. */
export function validateS3DataLakeDeliveryProps(scope: IConstruct, props: S3DataLakeDeliveryProps, shape: S3DataLakeDeliveryShape): void {
  const { parquet, dynamicPartitioning } = shape;
  checkStaticPrefix(scope, 'prefix', props.prefix);
  checkErrorOutputPrefix(scope, props.errorOutputPrefix);
  checkTimestampPrefix(scope, 'sourceBackupPrefix', props.sourceBackupPrefix);
  if (props.schema) checkSchemaColumns(scope, props.schema.map((c) => c.name));
  if (parquet && !props.schema) throw comboError(scope, 'format PARQUET needs a schema: Firehose converts JSON to Parquet with the columns of a Glue table');
  if (parquet && props.compression) throw comboError(scope, `compression must not be set with format PARQUET (Parquet files are Snappy-compressed inside), got ${props.compression.value}`);
  checkPartitionKeys(scope, props.partitionKeys ?? [], shape.timeKeys, props.schema?.map((c) => c.name));
  checkBuffering(scope, {
    destination: BufferingDestination.S3,
    interval: props.bufferingInterval,
    size: props.bufferingSize,
    dynamicPartitioning,
    formatConversion: parquet,
  });
  if (props.retryDuration && !dynamicPartitioning) throw comboError(scope, 'retryDuration applies to dynamic partitioning only: set partitionKeys, or remove it');
  checkRetryDuration(scope, props.retryDuration);
  if (props.sourceBackup && !props.transform && !parquet) {
    throw comboError(scope, 'sourceBackup needs a transform or format PARQUET: without either, the delivered records are the source records');
  }
  if (!props.sourceBackup && (props.sourceBackupBucket || props.sourceBackupPrefix !== undefined)) {
    throw comboError(scope, 'sourceBackupBucket and sourceBackupPrefix need sourceBackup: true');
  }
  if (!props.schema && (props.glueDatabaseName !== undefined || props.glueTableName !== undefined)) {
    throw comboError(scope, 'glueDatabaseName and glueTableName need a schema: the Glue table is built from it');
  }
  if (props.glueTableName !== undefined && !/^[a-z0-9_]{1,255}$/.test(props.glueTableName)) {
    throw comboError(scope, `glueTableName must be 1–255 characters of [a-z0-9_], got ${JSON.stringify(props.glueTableName)}`);
  }
}

/** Every check of the OpenSearchDelivery props. */
export function validateOpenSearchDeliveryProps(scope: IConstruct, props: OpenSearchDeliveryProps): void {
  checkIndexName(scope, props.indexName);
  checkBuffering(scope, { destination: BufferingDestination.OPENSEARCH, interval: props.bufferingInterval, size: props.bufferingSize });
  checkRetryDuration(scope, props.retryDuration);
  checkTimestampPrefix(scope, 'backupPrefix', props.backupPrefix);
  checkErrorOutputPrefix(scope, props.errorOutputPrefix);
  if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
    throw comboError(scope, 'vpcSubnets and securityGroups need vpc');
  }
  if (props.securityGroups && props.securityGroups.length === 0) throw propError(scope, 'securityGroups', [], 'must hold at least one security group');
  if (props.target.isServerless && (props.indexRotation !== undefined || props.documentId !== undefined)) {
    throw comboError(scope, 'indexRotation and documentId are not available for OpenSearch Serverless collections');
  }
}

/** What the RedshiftDelivery props resolve to that its checks depend on. */
export interface RedshiftDeliveryShape {
  /** The staging compression (`GZIP` by default). */
  readonly compression: string;
  /** The COPY options in effect (the default follows the compression). */
  readonly copyOptions: string;
  /** backupMode ALL. */
  readonly backupAll: boolean;
}

/** Every check of the RedshiftDelivery props. */
export function validateRedshiftDeliveryProps(scope: IConstruct, props: RedshiftDeliveryProps, shape: RedshiftDeliveryShape): void {
  const { compression, copyOptions, backupAll } = shape;
  checkRedshiftTable(scope, props.table);
  checkRedshiftColumns(scope, props.columns);
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED') {
    throw propError(scope, 'stagingCompression', compression, 'must be GZIP or UNCOMPRESSED (Redshift COPY reads neither ZIP nor Snappy)');
  }
  checkCopyCompression(scope, copyOptions, compression);
  checkBuffering(scope, { destination: BufferingDestination.S3, interval: props.bufferingInterval, size: props.bufferingSize });
  checkRetryDuration(scope, props.retryDuration);
  checkTimestampPrefix(scope, 'stagingPrefix', props.stagingPrefix);
  checkTimestampPrefix(scope, 'backupPrefix', props.backupPrefix);
  checkErrorOutputPrefix(scope, props.errorOutputPrefix);
  if (!backupAll && (props.backupBucket || props.backupPrefix !== undefined)) {
    throw comboError(scope, 'backupBucket and backupPrefix need backupMode ALL (failed batches stay in the staging bucket)');
  }
}
