import {
  Duration, RemovalPolicy, Resource, aws_cloudwatch as cloudwatch, aws_iam as iam, aws_kinesis as kinesis, aws_kms as kms,
} from 'aws-cdk-lib';

/**
 * A Kinesis data stream with the capacity facts the rest of the library reads: a `PipelineStream`, or one imported with
 * `PipelineStream.fromStreamArn` / `fromStreamAttributes`. Anything that takes a `kinesis.IStream` (consumers,
 * deliveries, the ingestion API, Flink) takes it.
 */
export interface IPipelineStream extends kinesis.IStream {
  /** The stream's capacity mode. */
  readonly streamMode: kinesis.StreamMode;
  /** Shards of a provisioned stream at deploy time; undefined for an on-demand stream. */
  readonly shardCount?: number;
  /** How long records stay readable. */
  readonly retention: Duration;
}

/** A stream defined elsewhere, with its capacity. */
export interface PipelineStreamAttributes {
  /** ARN of the stream; its account and Region are the stream's. */
  readonly streamArn: string;
  /**
   * The customer-managed key the stream is encrypted with; grants then include it.
   * @default - none (the AWS-managed key `alias/aws/kinesis`, or no encryption)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The stream's capacity mode.
   * @default kinesis.StreamMode.ON_DEMAND
   */
  readonly streamMode?: kinesis.StreamMode;
  /**
   * Shards of a provisioned stream, 1–10,000. Provisioned streams only.
   * @default - none: required for a provisioned stream
   */
  readonly shardCount?: number;
  /**
   * How long records stay readable, 24–8,760 hours.
   * @default Duration.hours(24)
   */
  readonly retention?: Duration;
}

/**
 * What a `PipelineStream` and an imported one share: the `kinesis.IStream` of the underlying stream, so grants, metrics
 * and references go to it.
 */
export abstract class PipelineStreamBase extends Resource implements IPipelineStream {
  /** The underlying Kinesis stream. */
  public abstract readonly stream: kinesis.IStream;
  public abstract readonly streamMode: kinesis.StreamMode;
  public abstract readonly shardCount?: number;
  public abstract readonly retention: Duration;
  public abstract readonly encryptionKey?: kms.IKey;

  /** The ARN of the stream. */
  public get streamArn(): string {
    return this.stream.streamArn;
  }

  /** The name of the stream. */
  public get streamName(): string {
    return this.stream.streamName;
  }

  /** A reference to the stream, for L1 properties that take one. */
  public get streamRef(): kinesis.StreamReference {
    return this.stream.streamRef;
  }

  /** Applies the removal policy to the stream. */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.stream.applyRemovalPolicy(policy);
  }

  /** Adds a statement to the stream's resource policy (created streams only; an import cannot change its policy). */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return this.stream.addToResourcePolicy(statement);
  }

  /** Grants read access to the stream (and its key). For an enhanced fan-out consumer, use the consumer's `grantRead`. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantRead(grantee);
  }

  /** Grants write access to the stream (and its key). */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantWrite(grantee);
  }

  /** Grants read and write access to the stream (and its key). */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.stream.grantReadWrite(grantee);
  }

  /** Grants the given actions on the stream. */
  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return this.stream.grant(grantee, ...actions);
  }

  /** A metric of the stream (namespace AWS/Kinesis, dimension StreamName), as `kinesis.Stream.metric` defines it. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metric(metricName, props);
  }

  /** `GetRecords.Bytes`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricGetRecordsBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsBytes(props);
  }

  /** `GetRecords.IteratorAgeMilliseconds`, as `kinesis.Stream` defines it (Maximum over 5 minutes). */
  public metricGetRecordsIteratorAgeMilliseconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsIteratorAgeMilliseconds(props);
  }

  /** `GetRecords.Latency`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricGetRecordsLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsLatency(props);
  }

  /** `GetRecords.Records`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricGetRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecords(props);
  }

  /** `GetRecords.Success`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricGetRecordsSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricGetRecordsSuccess(props);
  }

  /** `IncomingBytes`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricIncomingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricIncomingBytes(props);
  }

  /** `IncomingRecords`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricIncomingRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricIncomingRecords(props);
  }

  /** `PutRecord.Bytes`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordBytes(props);
  }

  /** `PutRecord.Latency`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordLatency(props);
  }

  /** `PutRecord.Success`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordSuccess(props);
  }

  /** `PutRecords.Bytes`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsBytes(props);
  }

  /** `PutRecords.Latency`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsLatency(props);
  }

  /** `PutRecords.Success`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsSuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsSuccess(props);
  }

  /** `PutRecords.TotalRecords`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsTotalRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsTotalRecords(props);
  }

  /** `PutRecords.SuccessfulRecords`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsSuccessfulRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsSuccessfulRecords(props);
  }

  /** `PutRecords.FailedRecords`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsFailedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsFailedRecords(props);
  }

  /** `PutRecords.ThrottledRecords`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricPutRecordsThrottledRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricPutRecordsThrottledRecords(props);
  }

  /** `ReadProvisionedThroughputExceeded`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricReadProvisionedThroughputExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricReadProvisionedThroughputExceeded(props);
  }

  /** `WriteProvisionedThroughputExceeded`, as `kinesis.Stream` defines it (Average over 5 minutes). */
  public metricWriteProvisionedThroughputExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metricWriteProvisionedThroughputExceeded(props);
  }
}
