import {
  Duration, RemovalPolicy, aws_iam as iam, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';

/** How a delivery binds its source. */
export interface DeliverySourceBindOptions {
  /** The delivery role, which reads a source stream. */
  readonly role: iam.IRole;
  /**
   * Grant the role read access to a source stream (off when aws-cdk-lib's `DeliveryStream` grants it itself).
   * @default true
   */
  readonly grantRead?: boolean;
}

/** What a `DeliverySource` contributes to one delivery stream. */
export interface DeliverySourceConfig {
  /** `DirectPut` or `KinesisStreamAsSource` (the delivery stream's `DeliveryStreamType`). */
  readonly deliveryStreamType: string;
  /**
   * The stream read, when the source is a data stream.
   * @default - none: direct PUT
   */
  readonly stream?: kinesis.IStream;
  /**
   * The source configuration of a delivery stream that reads that stream.
   * @default - none: direct PUT
   */
  readonly kinesisStreamSourceConfiguration?: firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty;
  /**
   * The server-side encryption key, when the source is direct PUT.
   * @default - none: a stream source (Firehose refuses server-side encryption there)
   */
  readonly encryptionKey?: kms.IKey;
  /** What the delivery stream must wait for (the read permission Firehose checks at creation). */
  readonly dependables: IDependable[];
}

/** Options of a direct-PUT delivery stream. */
export interface DirectPutOptions {
  /**
   * Customer-managed key for server-side encryption of the data Firehose holds while buffering.
   * @default - a new customer-managed key with rotation (child `Key` of the delivery)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/encryption.html
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Where a delivery stream gets its records: a Kinesis data stream it reads, or producers that call PutRecord /
 * PutRecordBatch on it (direct PUT).
 *
 * A direct-PUT delivery stream encrypts the data it buffers with a customer-managed key. A delivery stream that reads a
 * data stream cannot encrypt server-side (Firehose refuses it): the data is protected by the encryption of the source
 * stream and of the destination.
 */
export class DeliverySource {
  /**
   * Reads a Kinesis data stream. Firehose polls each shard once per second with GetRecords, starting at LATEST: it is one
   * of the stream's shared-throughput consumers (the 2 MiB/s and 5 GetRecords calls per second of each shard are split
   * among them), and there is no Firehose throughput quota to watch. The delivery role gets read access to the stream
   * and, when the stream is encrypted with a key, decrypt permission on it.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html
   */
  public static fromStream(stream: kinesis.IStream): DeliverySource {
    return new DeliverySource(stream, undefined);
  }

  /**
   * Producers put records directly (PutRecord, PutRecordBatch; grant with `grantPutRecords`). Throughput is limited by
   * the Region's direct-PUT quotas, which the delivery alarms watch; the buffered data is encrypted with a
   * customer-managed key.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/writing-with-sdk.html
   */
  public static directPut(options: DirectPutOptions = {}): DeliverySource {
    return new DeliverySource(undefined, options);
  }

  /** The data stream read, for a stream source. */
  public readonly stream?: kinesis.IStream;
  private readonly directPutOptions?: DirectPutOptions;

  private constructor(stream: kinesis.IStream | undefined, directPutOptions: DirectPutOptions | undefined) {
    this.stream = stream;
    this.directPutOptions = directPutOptions;
  }

  /** Whether producers put records directly. */
  public get isDirectPut(): boolean {
    return this.stream === undefined;
  }

  /**
   * Binds the source to the delivery `scope`: grants the delivery role read access to a source stream, or creates the
   * encryption key of a direct-PUT stream (child `Key` of scope) unless one was given.
   */
  public bind(scope: Construct, options: DeliverySourceBindOptions): DeliverySourceConfig {
    const role = options.role;
    if (this.stream) {
      const dependables = (options.grantRead ?? true) ? [this.stream.grantRead(role)] : [];
      return {
        deliveryStreamType: 'KinesisStreamAsSource',
        stream: this.stream,
        kinesisStreamSourceConfiguration: { kinesisStreamArn: this.stream.streamArn, roleArn: role.roleArn },
        dependables,
      };
    }
    const encryptionKey = this.directPutOptions?.encryptionKey ?? new kms.Key(scope, 'Key', {
      description: `Encrypts the records buffered by the delivery stream ${scope.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });
    return { deliveryStreamType: 'DirectPut', encryptionKey, dependables: [] };
  }
}
