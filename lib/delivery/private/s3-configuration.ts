import { aws_kinesisfirehose as firehose, aws_s3 as s3 } from 'aws-cdk-lib';
import { DeliveryPermissions } from './delivery-permissions';

export interface S3ConfigurationOptions {
  readonly bucket: s3.IBucket;
  /** Key prefix of the objects; may hold `!{timestamp:...}` expressions. */
  readonly prefix?: string;
  /** Key prefix of the records Firehose could not write there. */
  readonly errorOutputPrefix?: string;
  /** Buffering hints; omitted: the service defaults (5 MiB, 300 s). */
  readonly bufferingHints?: firehose.CfnDeliveryStream.BufferingHintsProperty;
  /** `GZIP`, `UNCOMPRESSED`... */
  readonly compression: string;
  readonly logging: firehose.CfnDeliveryStream.CloudWatchLoggingOptionsProperty;
  /**
   * Redshift staging: the role reads back only `prefix` (the staged objects and the COPY manifests Firehose writes under
   * it) and writes, without reading, `errorOutputPrefix` and the `errors/` folder where Firehose leaves the manifests of
   * the COPYs it gave up on.
   */
  readonly redshiftStaging?: boolean;
}

/**
 * An S3 configuration for Firehose's staging (Redshift) or backup (Redshift, OpenSearch, S3) writes: objects encrypted
 * with the bucket's key when it has one, least-privilege access for the role, errors logged.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-kinesisfirehose-deliverystream-s3destinationconfiguration.html
 */
export function renderS3Configuration(
  permissions: DeliveryPermissions, o: S3ConfigurationOptions,
): firehose.CfnDeliveryStream.S3DestinationConfigurationProperty {
  if (o.redshiftStaging) {
    permissions.allowS3Write(o.bucket, o.prefix);
    permissions.allowS3PutOnly(o.bucket, o.errorOutputPrefix, 'errors/');
  } else {
    permissions.allowS3Write(o.bucket, o.prefix, o.errorOutputPrefix);
  }
  return {
    bucketArn: o.bucket.bucketArn,
    roleArn: permissions.role.roleArn,
    prefix: o.prefix,
    errorOutputPrefix: o.errorOutputPrefix,
    bufferingHints: o.bufferingHints,
    compressionFormat: o.compression,
    encryptionConfiguration: o.bucket.encryptionKey ? { kmsEncryptionConfig: { awskmsKeyArn: o.bucket.encryptionKey.keyArn } } : undefined,
    cloudWatchLoggingOptions: o.logging,
  };
}
