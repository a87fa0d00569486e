import {
  Duration, Names, RemovalPolicy, Stack,
  aws_glue as glue, aws_iam as iam, aws_kinesisfirehose as firehose, aws_lambda as lambda, aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLakeBucket } from './data-lake-bucket';
import { DataLakeColumn, DataLakeFormat, DataLakeTimePartitioning } from './data-lake-schema';
import { DeliveryAlarms } from './delivery-alarms';
import { DeliveryAttributes, DeliveryBase, DeliveryCommonProps, IDelivery } from './delivery-base';
import { DestinationMetricPrefix } from './private/delivery-metrics';
import { DeliveryPermissions } from './private/delivery-permissions';
import { ErrorLogStream } from './private/error-logging';
import { FirehoseLimits as L } from './private/firehose-limits';
import { importDelivery } from './private/imported-delivery';
import { TIME_PARTITIONS, createLakeTable, injectedPartition } from './private/lake-table';
import { renderProcessing } from './private/processing';
import { renderS3Configuration } from './private/s3-configuration';
import { mebibytesOf, secondsOf, validateS3DataLakeDeliveryProps } from './private/validation';

/** Properties of an `S3DataLakeDelivery`. */
export interface S3DataLakeDeliveryProps extends DeliveryCommonProps {
  /**
   * Bucket of the data lake. Firehose encrypts what it writes with the bucket's key when the bucket has one.
   * @default - a new `DataLakeBucket` (child `Bucket`): KMS, TLS-only, versioned, access-logged, tiered, retained
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-s3
   */
  readonly bucket?: s3.IBucket;
  /**
   * Static key prefix of the data; partitions follow it (`<prefix><key>=<value>/.../year=.../`).
   * Empty, or ending with "/".
   * @default 'data/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly prefix?: string;
  /**
   * Key prefix of the records Firehose could not process or deliver. When it has expressions, it must include
   * `!{firehose:error-output-type}`.
   * @default 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly errorOutputPrefix?: string;
  /**
   * Top-level JSON fields to partition by (dynamic partitioning, keys extracted inline with JQ): objects land under
   * `<field>=<value>/` before the time partitions. Turns on dynamic partitioning, which needs a buffering interval of
   * 60–900 s and buffers of 64–128 MiB, and allows 500 active partitions per delivery stream (more on request). With a
   * schema, each key must be one of its columns.
   * @default - partitioned by time only
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   */
  readonly partitionKeys?: string[];
  /**
   * Granularity of the time partitions, from the arrival time of the records (UTC).
   * @default DataLakeTimePartitioning.HOUR
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly timePartitioning?: DataLakeTimePartitioning;
  /**
   * How Firehose retries writing a dynamic partition that fails, 0–7,200 s. Dynamic partitioning only.
   * @default Duration.seconds(300)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
   */
  readonly retryDuration?: Duration;
  /**
   * Storage format of the data.
   * @default DataLakeFormat.JSON
   * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
   */
  readonly format?: DataLakeFormat;
  /**
   * Compression of JSON objects. Not allowed with Parquet (its files are Snappy-compressed inside).
   * @default firehose.Compression.GZIP
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-s3
   */
  readonly compression?: firehose.Compression;
  /**
   * The columns of the records. With a schema, a Glue database and table describe the data for Athena (partition
   * columns included); Parquet conversion reads its schema from that table. Required for Parquet.
   * @default - no Glue table
   * @see https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html
   */
  readonly schema?: DataLakeColumn[];
  /**
   * An existing Glue database for the table.
   * @default - a new database (child `Database`)
   * @see https://docs.aws.amazon.com/glue/latest/dg/define-database.html
   */
  readonly glueDatabaseName?: string;
  /**
   * Name of the Glue table, lowercase.
   * @default - derived from the construct path
   * @see https://docs.aws.amazon.com/glue/latest/dg/tables-described.html
   */
  readonly glueTableName?: string;
  /**
   * Keep a copy of every record as Firehose received it, before the transform or the Parquet conversion. Needs a
   * transform or Parquet.
   * @default false
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-s3
   */
  readonly sourceBackup?: boolean;
  /**
   * Bucket of the source backup.
   * @default - the data bucket
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-s3
   */
  readonly sourceBackupBucket?: s3.IBucket;
  /**
   * Key prefix of the source backup.
   * @default 'source/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly sourceBackupPrefix?: string;
}

const TIME_KEYS = ['year', 'month', 'day', 'hour'];
const TIME_EXPRESSIONS = ['!{timestamp:yyyy}', '!{timestamp:MM}', '!{timestamp:dd}', '!{timestamp:HH}'];
const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
const DEFAULT_SOURCE_PREFIX = 'source/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

/**
 * Firehose delivery into an S3 data lake, built on aws-cdk-lib's `DeliveryStream` (child `Resource`): from a Kinesis
 * data stream or direct PUT, newline-delimited JSON compressed with GZIP or converted to Parquet, partitioned Hive-style
 * by JSON fields (dynamic partitioning) and arrival time, failed records under an error prefix, an optional Lambda
 * transform, a Glue table for Athena when a schema is declared, error logging, least-privilege role and alarms.
 *
 * @example
 * new S3DataLakeDelivery(this, 'Readings', {
 *   source: DeliverySource.fromStream(stream),
 *   partitionKeys: ['site'],
 *   format: DataLakeFormat.PARQUET,
 *   schema: [
 *     { name: 'site', type: DataLakeColumnType.STRING },
 *     { name: 'temperature', type: DataLakeColumnType.DOUBLE },
 *   ],
 * });
 */
export class S3DataLakeDelivery extends DeliveryBase {
  /** An existing delivery stream into S3, to watch (`new DeliveryAlarms(...)`) or grant access to. */
  public static fromDeliveryStreamAttributes(scope: Construct, id: string, attrs: DeliveryAttributes): IDelivery {
    return importDelivery(scope, id, DestinationMetricPrefix.S3, attrs);
  }

  /** The aws-cdk-lib delivery stream. */
  public readonly deliveryStream: firehose.DeliveryStream;
  public readonly deliveryStreamArn: string;
  public readonly deliveryStreamName: string;
  public readonly role: iam.IRole;
  public readonly alarms: DeliveryAlarms;
  public readonly errorLogGroup: logs.ILogGroup;
  public readonly transformFunction?: lambda.IFunction;
  /** The data lake bucket. */
  public readonly bucket: s3.IBucket;
  /** The hardened bucket, when the construct created it. */
  public readonly dataLakeBucket?: DataLakeBucket;
  /** The static key prefix of the data (`data/`), where the table's partitions start. */
  public readonly prefix: string;
  /** The full key prefix of the data, partition expressions included. */
  public readonly dataPrefix: string;
  /** The Glue table, when a schema is declared. */
  public readonly glueTable?: glue.CfnTable;
  /** The Glue database name, when a schema is declared. */
  public readonly glueDatabaseName?: string;
  /** The Glue table name, when a schema is declared. */
  public readonly glueTableName?: string;

  constructor(scope: Construct, id: string, props: S3DataLakeDeliveryProps = {}) {
    super(scope, id, DestinationMetricPrefix.S3, props.deliveryStreamName);
    const format = props.format ?? DataLakeFormat.JSON;
    const parquet = format === DataLakeFormat.PARQUET;
    const keys = props.partitionKeys ?? [];
    const dynamicPartitioning = keys.length > 0;
    validateS3DataLakeDeliveryProps(this, props, { parquet, dynamicPartitioning, timeKeys: TIME_KEYS });

    const basePrefix = props.prefix ?? 'data/';
    this.prefix = basePrefix;
    const timeDepth = TIME_KEYS.indexOf((props.timePartitioning ?? DataLakeTimePartitioning.HOUR).toLowerCase()) + 1;
    const timeKeys = TIME_KEYS.slice(0, timeDepth);
    this.dataPrefix = basePrefix
      + keys.map((k) => `${k.toLowerCase()}=!{partitionKeyFromQuery:${k}}/`).join('')
      + timeKeys.map((k, i) => `${k}=${TIME_EXPRESSIONS[i]}/`).join('');
    const errorOutputPrefix = props.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX;

    if (props.bucket) {
      this.bucket = props.bucket;
    } else {
      this.dataLakeBucket = new DataLakeBucket(this, 'Bucket');
      this.bucket = this.dataLakeBucket.bucket;
    }

    const libraryTransformNewline = !parquet;
    const f = this._foundation(props, `Firehose delivery ${this.node.path} into the S3 data lake`, libraryTransformNewline, false);
    this.role = f.role;
    this.errorLogGroup = f.logging.logGroup;
    this.transformFunction = f.transform?.function;
    f.permissions.allowS3Write(this.bucket, this.dataPrefix, errorOutputPrefix);

    if (props.schema) {
      const table = this.createGlueTable(props, basePrefix, keys, timeKeys, parquet);
      this.glueTable = table.table;
      this.glueDatabaseName = table.databaseName;
      this.glueTableName = table.tableName;
    }

    const intervalSeconds = secondsOf(props.bufferingInterval) ?? L.DEFAULT_BUFFER_INTERVAL_SECONDS;
    const sizeMiB = mebibytesOf(props.bufferingSize) ?? (parquet || dynamicPartitioning ? L.S3_MAX_BUFFER_MIB : L.DEFAULT_BUFFER_MIB);
    const appendNewline = !parquet && !(f.transform && props.transform?._isLibraryFunction);

    const config: firehose.CfnDeliveryStream.ExtendedS3DestinationConfigurationProperty = {
      bucketArn: this.bucket.bucketArn,
      roleArn: this.role.roleArn,
      prefix: this.dataPrefix,
      errorOutputPrefix,
      bufferingHints: { intervalInSeconds: intervalSeconds, sizeInMBs: sizeMiB },
      compressionFormat: parquet ? 'UNCOMPRESSED' : (props.compression ?? firehose.Compression.GZIP).value,
      encryptionConfiguration: this.bucket.encryptionKey ? { kmsEncryptionConfig: { awskmsKeyArn: this.bucket.encryptionKey.keyArn } } : undefined,
      cloudWatchLoggingOptions: f.logging.options(ErrorLogStream.DESTINATION),
      processingConfiguration: renderProcessing(f.permissions, {
        transform: f.transform,
        partitionQueries: Object.fromEntries(keys.map((k) => [k, `.${k}`])),
        appendNewline,
      }),
      dynamicPartitioningConfiguration: dynamicPartitioning
        ? { enabled: true, retryOptions: { durationInSeconds: secondsOf(props.retryDuration) ?? 300 } }
        : undefined,
      dataFormatConversionConfiguration: parquet ? this.renderConversion(f.permissions) : undefined,
      s3BackupMode: props.sourceBackup ? 'Enabled' : 'Disabled',
      s3BackupConfiguration: props.sourceBackup ? renderS3Configuration(f.permissions, {
        bucket: props.sourceBackupBucket ?? this.bucket,
        prefix: props.sourceBackupPrefix ?? DEFAULT_SOURCE_PREFIX,
        errorOutputPrefix,
        compression: firehose.Compression.GZIP.value,
        logging: f.logging.options(ErrorLogStream.BACKUP),
      }) : undefined,
    };

    this.deliveryStream = new firehose.DeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName,
      role: this.role,
      source: f.source.stream ? new firehose.KinesisStreamSource(f.source.stream) : undefined,
      destination: { bind: () => ({ extendedS3DestinationConfiguration: config, dependables: f.permissions.dependables }) },
    });
    this.deliveryStreamArn = this.deliveryStream.deliveryStreamArn;
    this.deliveryStreamName = this.deliveryStream.deliveryStreamName;

    const transformSeconds = f.transform?.bufferIntervalSeconds ?? 0;
    const expected = intervalSeconds * (dynamicPartitioning ? L.DYNAMIC_PARTITIONING_DELAY_FACTOR : 1) + transformSeconds;
    const cfn = this.deliveryStream.node.defaultChild as firehose.CfnDeliveryStream;
    this.alarms = this._finish(cfn, f, Duration.seconds(Math.ceil(expected)), props.alarms);
  }

  /** Applies the removal policy to the delivery stream (the data lives in the bucket, which keeps its own policy). */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.deliveryStream.applyRemovalPolicy(policy);
  }

  /** JSON to Parquet with the schema of the Glue table, which the role may read (that table only). */
  private renderConversion(permissions: DeliveryPermissions): firehose.CfnDeliveryStream.DataFormatConversionConfigurationProperty {
    const stack = Stack.of(this);
    const table = this.glueTable!;
    const databaseName = this.glueDatabaseName!;
    const tableName = table.ref;
    permissions.add(new iam.PolicyStatement({
      actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      resources: [
        stack.formatArn({ service: 'glue', resource: 'catalog' }),
        stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
        stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${tableName}` }),
      ],
    }));
    return {
      enabled: true,
      inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
      outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
      schemaConfiguration: {
        catalogId: stack.account,
        region: stack.region,
        databaseName,
        tableName,
        roleArn: permissions.role.roleArn,
        versionId: 'LATEST',
      },
    };
  }

  private createGlueTable(
    props: S3DataLakeDeliveryProps, basePrefix: string, keys: string[], timeKeys: string[], parquet: boolean,
  ): { table: glue.CfnTable; databaseName: string; tableName: string } {
    const stack = Stack.of(this);
    let databaseName = props.glueDatabaseName;
    if (databaseName === undefined) {
      const database = new glue.CfnDatabase(this, 'Database', {
        catalogId: stack.account,
        databaseInput: {
          name: Names.uniqueResourceName(this, { maxLength: 128, separator: '_' }).toLowerCase(),
          description: `Data lake of ${this.node.path}`,
        },
      });
      databaseName = database.ref;
    }
    const schema = props.schema!;
    const typeOf = (name: string) => schema.find((c) => c.name === name)?.type.hiveType ?? 'string';
    const tableName = props.glueTableName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '_' }).toLowerCase();
    const table = createLakeTable(this, 'Table', {
      databaseName,
      tableName,
      description: `Records delivered by Firehose ${this.node.path}`,
      bucket: this.bucket,
      prefix: basePrefix,
      columns: schema,
      // Segment for segment the prefix of the delivery (dataPrefix): dynamic partitions, then the time partitions.
      partitions: [
        ...keys.map((k) => injectedPartition(k.toLowerCase(), typeOf(k.toLowerCase()))),
        ...timeKeys.map((k) => TIME_PARTITIONS[k]),
      ],
      storage: { parquet, compression: (props.compression ?? firehose.Compression.GZIP).value },
    });
    return { table, databaseName, tableName };
  }
}
