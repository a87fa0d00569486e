import { aws_iam as iam, aws_lambda as lambda, aws_s3 as s3 } from 'aws-cdk-lib';

/**
 * The S3 on-failure destination of a stream event source mapping: where Lambda puts a discarded batch, whole (the
 * invocation record and the records themselves, unlike SQS and SNS destinations, which carry only metadata).
 *
 * Same as aws-cdk-lib's `S3OnFailureDestination`, but with least privilege: that one grants the function read, write and
 * delete on the whole bucket, while Lambda needs only `s3:PutObject` (under `aws/lambda/`, where it names the objects) and
 * `s3:ListBucket` (and `kms:GenerateDataKey` on a KMS-encrypted bucket).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
export class S3RecordDestination implements lambda.IEventSourceDlq {
  /** The key prefix under which Lambda puts discarded batches. */
  public static readonly PREFIX = 'aws/lambda/';

  constructor(private readonly bucket: s3.IBucket) {}

  public bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    // Lambda names the object aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/<timestamp>-<UUID>: nothing else of the
    // bucket (which may be a shared data lake) is writable through this grant.
    targetHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${S3RecordDestination.PREFIX}*`)] }));
    this.bucket.encryptionKey?.grant(targetHandler, 'kms:GenerateDataKey');
    return { destination: this.bucket.bucketArn };
  }
}
