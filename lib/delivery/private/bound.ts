import { aws_iam as iam, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms, aws_lambda as lambda } from 'aws-cdk-lib';
import { IDependable } from 'constructs';
import type { DeliveryPermissions } from './delivery-permissions';
import type { ErrorLogging } from './error-logging';

/** What a source contributes to a delivery stream once bound. */
export interface BoundDeliverySource {
  /** `DirectPut` or `KinesisStreamAsSource`. */
  readonly deliveryStreamType: string;
  /** The stream read, when the source is a data stream. */
  readonly stream?: kinesis.IStream;
  /** The source configuration of an L1 delivery stream reading that stream. */
  readonly kinesisStreamSourceConfiguration?: firehose.CfnDeliveryStream.KinesisStreamSourceConfigurationProperty;
  /** The server-side encryption key, when the source is direct PUT. */
  readonly encryptionKey?: kms.IKey;
  /** What the delivery stream must wait for (the read permission Firehose checks at creation). */
  readonly dependables: IDependable[];
}

/** A Lambda transform once bound to a delivery. */
export interface BoundTransform {
  readonly function: lambda.IFunction;
  /** Buffer Firehose fills before invoking, in KiB. */
  readonly bufferKiB: number;
  readonly bufferIntervalSeconds: number;
  readonly retries: number;
}

/** What the base prepares for a delivery construct before it renders its destination. */
export interface DeliveryFoundation {
  readonly role: iam.IRole;
  readonly permissions: DeliveryPermissions;
  readonly source: BoundDeliverySource;
  readonly logging: ErrorLogging;
  readonly transform?: BoundTransform;
}

