/**
 * Integration test of `ClickstreamPipeline` for integ-runner: deploys the pipeline with its ingestion API, sends clicks
 * through the API and straight into the clicks stream, and waits for them in DynamoDB, on the session summary stream
 * and in the S3 data lake.
 *
 * - CI has no AWS account: `npm run integ:snapshot` synthesizes this app and compares it with the committed
 *   `integ.clickstream-pipeline.ts.snapshot/` (asset hashes are ignored), never deploying.
 * - With an account (about 45 minutes, under $1: a Flink application of 2 KPUs, 4 one-shard streams, 3 Firehose streams,
 *   the API with its WAF web ACL) whose API Gateway settings in the Region already name a CloudWatch Logs role (any CDK
 *   RestApi deployed there sets one; the stage's logging needs it): `npm run bundle:lambda && npm run flink:build`, then
 *   `npx integ-runner --language typescript --directory test --app 'npx tsx {filePath}' --update-on-failed
 *   --disable-update-workflow --parallel-regions us-east-1 integ.clickstream-pipeline.ts` (add `--force` when the snapshot
 *   is unchanged). It deploys, runs the assertions, destroys the stack and, on success, rewrites the snapshot.
 *
 * What is checked:
 * 1. a user's four clicks go through the ingestion API (TestInvokeMethod: the mapping template and the integration role,
 *    without SigV4) into the stream; the session consumer (EFO, from TRIM_HORIZON) sessionizes them: the fourth click comes
 *    two hours after the third, past the 30-minute gap, so the first session closes at once. Its item in the session table
 *    holds the summary (3 events, converted by the purchase) and `emittedAt`, set once the summary is on the summary
 *    stream, whose first record is then read back;
 * 2. a record that is not JSON, put straight into the stream, lands whole under `poison/` of the failure bucket;
 * 3. the raw clicks reach `raw-clicks/` (Firehose, up to 300 s of buffering), which also gives the Flink job, reading from
 *    LATEST once RUNNING, time to subscribe through its EFO consumer;
 * 4. then product views of three users, a click a few minutes later (moves the watermark past the windows) and two
 *    malformed records come out of Flink and through Firehose (dynamic partitioning: up to 1.5 × 300 s) as
 *    `insights/record_type=top_products/…`, `insights/record_type=traffic_minute/…` and `dead-letters/…`.
 * Redshift is off: loading the summaries needs the loader user and table created inside the workgroup first (README),
 * which no AWS API call of the assertion provider can do safely; the summary stream is checked instead.
 *
 * Clean-up: the streams, the Flink application and the data lake bucket (emptied first) are destroyed with the stack.
 * Retained by the library's defaults, to delete by hand after a run: the session table (deletion protection on) and its
 * KMS key, the alarm topic's KMS key, and 9 log groups (Flink, the 3 Firehose streams, the session consumer, the
 * autoscaler, the Flink control function, API access logs, WAF) with their KMS keys, all named after the stack.
 * No cdk-nag packs here: the assertion stack's Lambda functions would not pass them; `npm run synth` gates the library.
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { Aws, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { PipelineAssertions, deletableDataLake, integStack } from './support/integ';
import { sessionIdOf } from '../lambda/session-consumer/sessionize';
import { CapacityMode, ClickstreamPipeline } from '../lib';

/** Event times: fixed, so that the synthesized template (and the snapshot) never changes. */
const SESSION_START = Date.UTC(2025, 0, 1, 9, 0, 0);
const FLINK_START = SESSION_START + 3 * 3_600_000;

interface Click {
  readonly eventId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly eventType: string;
  readonly productId?: string;
  /** Event time, epoch ms: `ts` for the Flink job, `timestamp` for the session consumer. */
  readonly ts: number;
  readonly timestamp: number;
}

function click(eventId: string, userId: string, eventType: string, ts: number, productId?: string): Click {
  return { eventId, userId, sessionId: `web-${userId}`, eventType, ...(productId ? { productId } : {}), ts, timestamp: ts };
}

/** it-user-1: a page, a product, a purchase within two minutes, then a page two hours later. */
const SESSION_USER = 'it-user-1';
const sessionClicks: Click[] = [
  click('it-click-001', SESSION_USER, 'page_view', SESSION_START),
  click('it-click-002', SESSION_USER, 'product_view', SESSION_START + 60_000, 'sku-1'),
  click('it-click-003', SESSION_USER, 'purchase', SESSION_START + 120_000),
  click('it-click-004', SESSION_USER, 'page_view', SESSION_START + 2 * 3_600_000),
];
/** The session the first three clicks form, keyed as the session consumer keys it. */
const SESSION_USER_KEY = `u:${SESSION_USER}`;
const FIRST_SESSION_ID = sessionIdOf(SESSION_USER_KEY, sessionClicks[0].eventId);

/** Product views within a minute (sku-a 4, sku-b 2, sku-c 1), a page and a cart, then a page 7 minutes on. */
const flinkClicks: Click[] = [
  ...['sku-a', 'sku-b', 'sku-a', 'sku-c', 'sku-a', 'sku-b', 'sku-a'].map((sku, i) =>
    click(`it-click-1${String(i).padStart(2, '0')}`, `it-user-${2 + (i % 3)}`, 'product_view', FLINK_START + i * 5_000, sku)),
  click('it-click-110', 'it-user-2', 'page_view', FLINK_START + 40_000),
  click('it-click-111', 'it-user-3', 'add_to_cart', FLINK_START + 45_000, 'sku-a'),
  click('it-click-112', 'it-user-2', 'page_view', FLINK_START + 7 * 60_000),
];

/** Not JSON: the session consumer keeps it under poison/, the Flink job under dead-letters/. */
const NOT_JSON = { data: 'not json at all', partitionKey: 'it-bad' };
/** A product view without productId: a dead letter for the Flink job. */
const NO_PRODUCT = {
  data: JSON.stringify({ eventId: 'it-click-199', sessionId: 'web-it-bad', eventType: 'product_view', ts: FLINK_START + 30_000 }),
  partitionKey: 'it-bad',
};

function asRecord(c: Click): { data: string; partitionKey: string } {
  return { data: JSON.stringify(c), partitionKey: c.userId };
}

const { app, stack } = integStack('ClickstreamPipelineInteg');

const bucket = deletableDataLake(stack);

// 50 clicks/s at peak: a provisioned one-shard clicks stream with the autoscaler. The ingestion API leaves the Region's
// API Gateway logging role alone: the stack would delete the role it sets there, and the setting would then point to
// nothing for every API of the account in the Region.
const pipeline = new ClickstreamPipeline(stack, 'Clickstream', {
  profile: { peakRecordsPerSecond: 50, averageRecordSize: Size.bytes(512) },
  capacityMode: CapacityMode.AUTO,
  ingestionApiEnabled: true,
  ingestionApi: { configureAccountLoggingRole: false },
  topProducts: 3,
  dataLakeBucket: bucket,
});
for (const s of [pipeline.clicks, pipeline.insights, pipeline.deadLetters, pipeline.sessionSummaries]) {
  s.stream.applyRemovalPolicy(RemovalPolicy.DESTROY);
}
pipeline.application.cfnApplication.applyRemovalPolicy(RemovalPolicy.DESTROY);

const integ = new IntegTest(app, 'ClickstreamPipelineTest', {
  testCases: [stack],
  // Nothing to update from, and without the update workflow integ-runner keeps the asset bundles out of the snapshot.
  stackUpdateWorkflow: false,
  cdkCommandOptions: { destroy: { args: { force: true } } },
});
const checks = new PipelineAssertions(integ, bucket);
const grant = checks.grant.bind(checks);
const putRecords = checks.putRecords.bind(checks);
const waitForObject = checks.waitForObject.bind(checks);


// 1. The session clicks through the ingestion API. TestInvokeMethod is authorized as a POST on the method's resource.
const ingestion = pipeline.ingestionApi!;
const sendThroughApi = integ.assertions.awsApiCall('APIGateway', 'testInvokeMethod', {
  restApiId: ingestion.api.restApiId,
  resourceId: ingestion.putEventsMethod.resource.resourceId,
  httpMethod: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ records: sessionClicks.map((c) => ({ partitionKey: c.userId, data: c })) }),
}).assertAtPath('status', ExpectedResult.exact(200));
grant(sendThroughApi, {
  Effect: 'Allow',
  Action: ['apigateway:POST'],
  Resource: [`arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis/${ingestion.api.restApiId}/resources/${ingestion.putEventsMethod.resource.resourceId}/methods/POST`],
});

// The closed session: its summary and emittedAt (the summary is on the summary stream). The table's key is customer-managed.
const sessionClosed = sendThroughApi.next(integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: pipeline.sessions.table.tableName,
  Key: { pk: { S: `USER#${SESSION_USER_KEY}` }, sk: { S: `SESSION#${FIRST_SESSION_ID}` } },
  ConsistentRead: true,
  ProjectionExpression: '#s.#events, #s.#pageViews, #s.#productViews, #s.#converted, #s.#closeReason, emittedAt',
  ExpressionAttributeNames: {
    '#s': 'summary',
    '#events': 'events',
    '#pageViews': 'pageViews',
    '#productViews': 'productViews',
    '#converted': 'converted',
    '#closeReason': 'closeReason',
  },
}).expect(ExpectedResult.objectLike({
  Item: {
    summary: {
      M: {
        events: { N: '3' }, pageViews: { N: '1' }, productViews: { N: '1' }, converted: { BOOL: true }, closeReason: { S: 'gap' },
      },
    },
    emittedAt: Match.objectLike({}),
  },
})).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(20), backoffRate: 1 }));
grant(sessionClosed, { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [pipeline.sessions.tableEncryptionKey!.keyArn] });

// The summary stream has one shard; its first record is that session's summary, keyed by the user.
const summaryIterator = sessionClosed.next(integ.assertions.awsApiCall('Kinesis', 'getShardIterator', {
  StreamARN: pipeline.sessionSummaries.stream.streamArn,
  ShardId: 'shardId-000000000000',
  ShardIteratorType: 'TRIM_HORIZON',
}));
summaryIterator.next(integ.assertions.awsApiCall('Kinesis', 'getRecords', {
  StreamARN: pipeline.sessionSummaries.stream.streamArn,
  ShardIterator: summaryIterator.getAttString('ShardIterator'),
  Limit: 1,
}).assertAtPath('Records.0.PartitionKey', ExpectedResult.exact(SESSION_USER_KEY))
  // A shard iterator lives 5 minutes.
  .waitForAssertions({ totalTimeout: Duration.minutes(4), interval: Duration.seconds(15), backoffRate: 1 }));

// 2. A record that is not JSON: kept whole under poison/<yyyy>/<mm>/<dd>/<shard>/<sequence number>.json.
putRecords(pipeline.clicks.stream, [NOT_JSON])
  .next(waitForObject('poison/', '^poison/\\d{4}/\\d{2}/\\d{2}/shardId-\\d+/\\d+\\.json$', Duration.minutes(15)));

// 3. The raw archive: Firehose reads the clicks stream through the shared-throughput path.
const rawArchived = sendThroughApi.next(waitForObject('raw-clicks/', '^raw-clicks/year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}/', Duration.minutes(15)));

// 4. Flink's results, once it has long been RUNNING.
const putFlinkClicks = rawArchived.next(putRecords(pipeline.clicks.stream, [...flinkClicks.map(asRecord), NOT_JSON, NO_PRODUCT]));
const DAY = 'year=\\d{4}/month=\\d{2}/day=\\d{2}/';
const resultTimeout = Duration.minutes(20);
putFlinkClicks.next(waitForObject('insights/record_type=top_products/', `^insights/record_type=top_products/${DAY}`, resultTimeout));
putFlinkClicks.next(waitForObject('insights/record_type=traffic_minute/', `^insights/record_type=traffic_minute/${DAY}`, resultTimeout));
putFlinkClicks.next(waitForObject('dead-letters/', '^dead-letters/year=\\d{4}/', resultTimeout));

app.synth();
