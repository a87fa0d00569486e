/**
 * Integration test of `PipelineStream` for integ-runner, the building block of both pipelines: a provisioned stream
 * sized from a profile, with a customer-managed key, an enhanced fan-out consumer, the stream alarms and the shard
 * autoscaler. It registers the consumer, puts records and reads them back.
 *
 * - CI has no AWS account: `npm run integ:snapshot` synthesizes this app and compares it with the committed
 *   `integ.pipeline-stream.ts.snapshot/` (asset hashes are ignored), never deploying.
 * - With an account (about 5 minutes, a few cents): `npm run bundle:lambda`, then
 *   `npx integ-runner --language typescript --directory test --app 'npx tsx {filePath}' --update-on-failed
 *   --disable-update-workflow --parallel-regions us-east-1 integ.pipeline-stream.ts` (add `--force` when the snapshot is
 *   unchanged). It deploys, runs the assertions, destroys the stack and, on success, rewrites the snapshot.
 *
 * Clean-up: the stream (`removalPolicy`) and its key are destroyed with the stack; the key waits 7 days before deletion.
 * Retained by the library's defaults, to delete by hand after a run: the alarm topic's KMS key and the autoscaler's log
 * group and its key, named after the stack.
 * No cdk-nag packs here: the assertion stack's Lambda functions would not pass them; `npm run synth` gates the library.
 */
import { AwsApiCall, ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Size, Stack, aws_kms as kms } from 'aws-cdk-lib';
import { CapacityMode, PipelineStream } from '../lib';

// No stack traces in the cloud assembly: they hold absolute paths of this machine, which would churn the snapshot.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'PipelineStreamInteg');

const key = new kms.Key(stack, 'StreamKey', {
  enableKeyRotation: true, pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY,
});
// 500 records/s of 512 bytes: one provisioned shard.
const clicks = new PipelineStream(stack, 'Clicks', {
  profile: { peakRecordsPerSecond: 500, averageRecordSize: Size.bytes(512), efoConsumers: 1 },
  capacityMode: CapacityMode.PROVISIONED,
  encryptionKey: key,
  removalPolicy: RemovalPolicy.DESTROY,
});
const consumer = clicks.addConsumer('Analytics');
clicks.enableAutoscaling({ minShards: 1, maxShards: 2 });

const integ = new IntegTest(app, 'PipelineStreamTest', {
  testCases: [stack],
  // Nothing to update from, and without the update workflow integ-runner keeps the asset bundles out of the snapshot.
  stackUpdateWorkflow: false,
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

/** The key is customer-managed: producers need GenerateDataKey, readers Decrypt (the waiter's provider too, when it waits). */
function grantKey(call: IApiCall, action: string): void {
  const statement = { Effect: 'Allow', Action: [action], Resource: [key.keyArn] };
  call.provider.addToRolePolicy(statement);
  (call as AwsApiCall).waiterProvider?.addToRolePolicy(statement);
}

const registered = integ.assertions.awsApiCall('Kinesis', 'describeStreamConsumer', { ConsumerARN: consumer.streamConsumerArn })
  .assertAtPath('ConsumerDescription.ConsumerStatus', ExpectedResult.exact('ACTIVE'))
  .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(10), backoffRate: 1 });

// Hash key 0: every record goes to the first shard, whatever the autoscaler has done by then.
const put = registered.next(integ.assertions.awsApiCall('Kinesis', 'putRecords', {
  StreamARN: clicks.stream.streamArn,
  Records: [1, 2, 3].map((i) => ({
    Data: JSON.stringify({ eventId: `it-${i}`, eventType: 'page_view', ts: Date.UTC(2025, 0, 1) + i }),
    PartitionKey: 'it-user-1',
    ExplicitHashKey: '0',
  })),
}).assertAtPath('FailedRecordCount', ExpectedResult.exact(0)));
grantKey(put, 'kms:GenerateDataKey');

const iterator = put.next(integ.assertions.awsApiCall('Kinesis', 'getShardIterator', {
  StreamARN: clicks.stream.streamArn,
  ShardId: 'shardId-000000000000',
  ShardIteratorType: 'TRIM_HORIZON',
}));
const read = iterator.next(integ.assertions.awsApiCall('Kinesis', 'getRecords', {
  StreamARN: clicks.stream.streamArn,
  ShardIterator: iterator.getAttString('ShardIterator'),
  Limit: 1,
}).assertAtPath('Records.0.PartitionKey', ExpectedResult.exact('it-user-1'))
  // A first GetRecords may come back empty; a shard iterator lives 5 minutes.
  .waitForAssertions({ totalTimeout: Duration.minutes(3), interval: Duration.seconds(10), backoffRate: 1 }));
grantKey(read, 'kms:Decrypt');

app.synth();
