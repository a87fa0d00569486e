/**
 * Property: any batch of accepted click events, with ids, times and sizes at the edges of what is accepted, delivered
 * twice in any split, is applied exactly once in effect against the real table (moto): every event in exactly one
 * session or recorded late, nothing dropped, nothing counted twice, every closed session's summary on the stream under a
 * key that fits. Fixed seed; fast-check prints it with the counterexample on failure.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import * as fc from 'fast-check';
import { createSessionTable } from './session-table';
import { ClickEventLimits } from '../../../lambda/session-consumer/click-event';
import { SessionEnv, SWEEP_EVENT } from '../../../lib/pipelines/private/session-contract';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto';
import { assertAsyncProperty } from '../../support/property';

type Handler = typeof import('../../../lambda/session-consumer/handler');

const SEED = 20261207;
const TABLE = 'sessions';
const SUMMARY_STREAM = 'session-summaries';
const MIN = 60_000;
/** The documented clock tolerance: an event time within 15 minutes of its arrival is used as it is. */
const CLOCK_TOLERANCE_MS = 15 * MIN;
const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'session-consumer', awsRequestId: 'p' } as unknown as Context;

let mod: Handler;
let ddb: DynamoDBClient;

beforeAll(() => {
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  process.env[SessionEnv.TABLE_NAME] = TABLE;
  process.env[SessionEnv.SUMMARY_STREAM_ARN] = `arn:aws:kinesis:us-east-1:123456789012:stream/${SUMMARY_STREAM}`;
  process.env[SessionEnv.FAILURE_BUCKET] = 'failures';
  process.env[SessionEnv.GAP_SECONDS] = String(30 * 60);
  process.env[SessionEnv.CLOSE_DELAY_SECONDS] = String(10 * 60);
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mod = require('../../../lambda/session-consumer/handler') as Handler;
  ddb = new DynamoDBClient(motoClientConfig());
});

afterAll(() => {
  delete process.env.AWS_ENDPOINT_URL;
});

async function fresh(): Promise<void> {
  await resetMoto();
  await createSessionTable(ddb, TABLE);
  await new S3Client({ ...motoClientConfig(), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'failures' }));
  await mod.clients.kinesis.send(new CreateStreamCommand({ StreamName: SUMMARY_STREAM, ShardCount: 1 }));
}

async function summaries(kinesis: KinesisClient): Promise<Array<{ partitionKey: string; sessionId: string; events: number }>> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: SUMMARY_STREAM }));
  const out: Array<{ partitionKey: string; sessionId: string; events: number }> = [];
  for (const shard of shards.Shards ?? []) {
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: SUMMARY_STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
    for (const r of page.Records ?? []) out.push({ partitionKey: r.PartitionKey!, ...JSON.parse(Buffer.from(r.Data!).toString()) });
  }
  return out;
}

let seq = 10n ** 50n;
function record(body: Record<string, unknown>, arrival: number, shard: number): KinesisStreamRecord {
  seq += 1n;
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'p', sequenceNumber: String(seq), data: Buffer.from(JSON.stringify(body)).toString('base64'), approximateArrivalTimestamp: arrival / 1000 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-00000000000${shard}:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
  };
}

/** Ids at the edges: one character, the maximum (in UTF-16 units, some astral), and plain ones. */
const edgeId = (prefix: string) => fc.oneof(
  fc.constantFrom(`${prefix}`, `${prefix}-1`, `${prefix}-2`),
  fc.constant('😀'.repeat(ClickEventLimits.MAX_ID_LENGTH / 2 - 1) + prefix.slice(0, 2)),
  fc.constant(`${prefix}${'w'.repeat(ClickEventLimits.MAX_ID_LENGTH - prefix.length)}`),
);

describe('session consumer property (moto)', () => {
  test('property: accepted events at the edges, delivered twice in any split: each applied once, in one session or late; every summary on the stream', async () => {
    const now = Date.now();
    const click = fc.record({
      user: edgeId('user'),
      anonymous: fc.boolean(),
      n: fc.integer({ min: 0, max: 39 }),
      eventType: fc.constantFrom('page_view', 'product_view', 'purchase', 'x'.repeat(ClickEventLimits.MAX_EVENT_TYPE_LENGTH)),
      // Arrival over the last three hours; the event's own time off by up to the tolerance, or by hours (wrong clocks).
      arrivalAgo: fc.integer({ min: 1, max: 180 }),
      skew: fc.oneof(
        fc.integer({ min: -CLOCK_TOLERANCE_MS, max: CLOCK_TOLERANCE_MS }),
        fc.constantFrom(-3 * 3_600_000, 2 * 3_600_000, CLOCK_TOLERANCE_MS + 1),
      ),
      page: fc.option(fc.constant(`/${'p'.repeat(ClickEventLimits.MAX_PAGE_LENGTH - 1)}`), { nil: undefined }),
      shard: fc.integer({ min: 0, max: 1 }),
    });
    const batches = fc.array(click, { minLength: 1, maxLength: 25 });
    await assertAsyncProperty(fc.asyncProperty(batches, fc.integer({ min: 1, max: 25 }), async (clicks, cut) => {
      await fresh();
      const records = clicks.map((c) => {
        const arrival = now - c.arrivalAgo * MIN;
        const body = {
          eventId: `e${c.n}`,
          ...(c.anonymous ? { anonymousId: c.user } : { userId: c.user }),
          eventType: c.eventType,
          // the schema requires a product on a product_view
          ...(c.eventType === 'product_view' ? { productId: `sku-${c.n % 3}` } : {}),
          timestamp: arrival + c.skew,
          ...(c.page ? { page: c.page } : {}),
        };
        return record(body, arrival, c.shard);
      });
      const batch = (r: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: r });
      expect(await mod.handler(batch(records), context)).toEqual({ batchItemFailures: [] });
      // Redelivered, split differently.
      await mod.handler(batch(records.slice(cut)), context);
      await mod.handler(batch(records.slice(0, cut)), context);
      await mod.handler(SWEEP_EVENT, context);

      const items = (await DynamoDBDocumentClient.from(ddb).send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
      const distinct = new Set(clicks.map((c) => `${c.anonymous ? 'a' : 'u'}:${c.user}|e${c.n}`));
      const markers = items.filter((i) => String(i.sk).startsWith('EVENT#'));
      expect(markers.map((m) => `${String(m.pk).slice(5)}|${String(m.sk).slice(6)}`).sort()).toEqual([...distinct].sort());
      // Each event counted once: open sessions plus closed ones hold exactly the events not recorded late.
      const late = markers.filter((m) => m.late).length;
      const open = items.filter((i) => i.sk === 'STATE').reduce((n, s) => n + (s.open?.events ?? 0), 0);
      const closed = items.filter((i) => String(i.sk).startsWith('SESSION#'));
      expect(open + closed.reduce((n, s) => n + s.summary.events, 0) + late).toBe(distinct.size);
      // Every closed session's summary reached the stream, once per session, under a key Kinesis accepts.
      const out = await summaries(mod.clients.kinesis);
      expect(new Set(out.map((s) => s.sessionId))).toEqual(new Set(closed.map((s) => s.summary.sessionId)));
      expect(out.every((s) => [...s.partitionKey].length <= 256)).toBe(true);
    }), { seed: SEED, numRuns: 8 });
  }, 300_000);
});
