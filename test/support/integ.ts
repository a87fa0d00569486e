/**
 * What the integration tests (test/integ.*.ts) share: an app whose assembly does not churn between machines, a data lake
 * bucket the test stack can delete, and the assertions that put records and wait for objects in that bucket.
 */
import { AwsApiCall, ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack, aws_kinesis as kinesis, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';

/** An app and its one stack. No stack traces in the cloud assembly: they hold absolute paths, which would churn the snapshot. */
export function integStack(stackName: string): { app: App; stack: Stack } {
  const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
  return { app, stack: new Stack(app, stackName) };
}

/**
 * A data lake bucket for a pipeline's `dataLakeBucket` prop, so that the test stack can delete it and its objects. Its key
 * is customer-managed like the default DataLakeBucket's, so the pipeline's key grants are exercised.
 */
export function deletableDataLake(stack: Stack): s3.Bucket {
  return new s3.Bucket(stack, 'DataLake', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: new kms.Key(stack, 'DataLakeKey', {
      enableKeyRotation: true, pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY,
    }),
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
}

/** Assertions on a pipeline's streams and data lake. */
export class PipelineAssertions {
  private listGranted = false;

  constructor(private readonly integ: IntegTest, private readonly bucket: s3.IBucket) {}

  /** Grants a call (and its waiter, when it waits) what the provider cannot derive from the API name. */
  public grant(call: IApiCall, statement: { Effect: string; Action: string[]; Resource: string[] }): void {
    call.provider.addToRolePolicy(statement);
    (call as AwsApiCall).waiterProvider?.addToRolePolicy(statement);
  }

  /** PutRecords, asserting that every record was accepted (only that count comes back: a custom resource returns 4 KiB at most). */
  public putRecords(stream: kinesis.IStream, records: Array<{ data: string; partitionKey: string }>): IApiCall {
    return this.integ.assertions.awsApiCall('Kinesis', 'putRecords', {
      StreamARN: stream.streamArn,
      Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
    }).assertAtPath('FailedRecordCount', ExpectedResult.exact(0));
  }

  /** Lists the data lake under a prefix until its first key matches a pattern. */
  public waitForObject(prefix: string, keyPattern: string, totalTimeout: Duration): IApiCall {
    const call = this.integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: this.bucket.bucketName, Prefix: prefix, MaxKeys: 1 })
      .assertAtPath('Contents.0.Key', ExpectedResult.stringLikeRegexp(keyPattern))
      .waitForAssertions({ totalTimeout, interval: Duration.seconds(30), backoffRate: 1 });
    if (!this.listGranted) {
      // ListObjectsV2 is authorized by s3:ListBucket; both providers are singletons of the assertion stack: granted once.
      this.grant(call, { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [this.bucket.bucketArn] });
      this.listGranted = true;
    }
    return call;
  }
}
