/**
 * The session consumer's handler against the moto server: real Kinesis event payloads (base64 data, sequence numbers,
 * eventSourceARN) with poison records mixed in, the DynamoDB table, the failure bucket and the summary stream, read back
 * with GetShardIterator/GetRecords.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { createSessionTable } from './session-table';
import { SessionEnv, SessionTable as T, SWEEP_EVENT } from '../../../lib/pipelines/private/session-contract';
import { motoClientConfig, motoEndpoint, resetMoto } from '../../support/moto';

type Handler = typeof import('../../../lambda/session-consumer/handler');

const TABLE = 'sessions';
const BUCKET = 'session-failures';
const SUMMARY_STREAM = 'session-summaries';
const SUMMARY_ARN = `arn:aws:kinesis:us-east-1:123456789012:stream/${SUMMARY_STREAM}`;
const SOURCE_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
const MIN = 60_000;

let mod: Handler;
let ddb: DynamoDBClient;
let kinesis: KinesisClient;
let s3: S3Client;

const context = { getRemainingTimeInMillis: () => 60_000, functionName: 'session-consumer', awsRequestId: 'test' } as unknown as Context;

beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  process.env[SessionEnv.TABLE_NAME] = TABLE;
  process.env[SessionEnv.SUMMARY_STREAM_ARN] = SUMMARY_ARN;
  process.env[SessionEnv.FAILURE_BUCKET] = BUCKET;
  process.env[SessionEnv.GAP_SECONDS] = String(30 * 60);
  process.env[SessionEnv.CLOSE_DELAY_SECONDS] = String(10 * 60);
  process.env[SessionEnv.CONVERSION_EVENT_TYPES] = 'purchase,checkout_completed';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // Loaded after the environment is set: the handler creates its clients when its module loads, as in Lambda.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mod = require('../../../lambda/session-consumer/handler') as Handler;
  ddb = new DynamoDBClient(motoClientConfig());
  // The handler's own Kinesis client speaks HTTP/1.1, which moto needs (the SDK's default for Kinesis is HTTP/2).
  kinesis = mod.clients.kinesis;
  s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
});

afterAll(() => {
  delete process.env.AWS_ENDPOINT_URL;
});

beforeEach(async () => {
  await resetMoto();
  await createTable();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await createSummaryStream();
});

afterEach(() => {
  jest.restoreAllMocks();
});

async function createTable(): Promise<void> {
  await createSessionTable(ddb, TABLE);
}

async function createSummaryStream(): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: SUMMARY_STREAM, ShardCount: 1 }));
  for (let i = 0; i < 50; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: SUMMARY_STREAM }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- building real Kinesis events ----------------------------------------------------------------------------------

let sequence = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

function kinesisRecord(data: string, partitionKey: string, arrival: number): KinesisStreamRecord {
  sequence += 1_000_000n;
  const seq = sequence.toString();
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber: seq, data, approximateArrivalTimestamp: arrival / 1000 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/session-consumer',
    awsRegion: 'us-east-1',
    eventSourceARN: SOURCE_ARN,
  };
}

interface Click {
  eventId: string;
  userId?: string;
  anonymousId?: string;
  eventType: string;
  timestamp: string | number;
  productId?: string;
  page?: string;
}

function click(c: Click, arrival: number): KinesisStreamRecord {
  return kinesisRecord(Buffer.from(JSON.stringify(c)).toString('base64'), c.userId ?? c.anonymousId ?? 'x', arrival);
}

const batch = (records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });

/** A batch of three users' clicks (alice's in two sessions 45 minutes apart) with four poison records in between. */
function mixedBatch(now: number) {
  const at = (minutesAgo: number) => now - minutesAgo * MIN;
  const iso = (minutesAgo: number) => new Date(at(minutesAgo)).toISOString();
  const good = [
    click({ eventId: 'a1', userId: 'alice', eventType: 'page_view', timestamp: iso(60), page: '/' }, at(60)),
    click({ eventId: 'a2', userId: 'alice', eventType: 'product_view', timestamp: at(58), productId: 'p-42' }, at(58)),
    click({ eventId: 'a3', userId: 'alice', eventType: 'purchase', timestamp: iso(55), productId: 'p-42' }, at(55)),
    click({ eventId: 'a4', userId: 'alice', eventType: 'page_view', timestamp: iso(10), page: '/again' }, at(10)),
    click({ eventId: 'b1', userId: 'bob', eventType: 'page_view', timestamp: iso(5) }, at(5)),
    click({ eventId: 'b2', userId: 'bob', eventType: 'product_view', timestamp: iso(4), productId: 'p-7' }, at(4)),
    click({ eventId: 'c1', anonymousId: 'anon-1', eventType: 'page_view', timestamp: iso(3) }, at(3)),
  ];
  const poison = [
    kinesisRecord('%%% not base64 %%%', 'x', at(2)),
    kinesisRecord(Buffer.from('{"eventId": "half').toString('base64'), 'x', at(2)),
    kinesisRecord(Buffer.from(JSON.stringify({ eventId: 'm1', eventType: 'page_view', timestamp: iso(2) })).toString('base64'), 'x', at(2)),
    kinesisRecord(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('base64'), 'x', at(2)),
  ];
  const records = [good[0], poison[0], good[1], good[2], poison[1], good[3], good[4], poison[2], good[5], poison[3], good[6]];
  return { records, good, poison };
}

// ---- reading back ---------------------------------------------------------------------------------------------------

async function scanTable(): Promise<Array<Record<string, any>>> {
  const out = await DynamoDBDocumentClient.from(ddb).send(new ScanCommand({ TableName: TABLE }));
  return (out.Items ?? []).sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

async function summaries(): Promise<Array<Record<string, any>>> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: SUMMARY_STREAM }));
  const out: Array<Record<string, any>> = [];
  for (const shard of shards.Shards ?? []) {
    const it = await kinesis.send(new GetShardIteratorCommand({ StreamName: SUMMARY_STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    let iterator = it.ShardIterator;
    for (let i = 0; iterator && i < 10; i++) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of page.Records ?? []) out.push({ partitionKey: r.PartitionKey, ...JSON.parse(Buffer.from(r.Data!).toString()) });
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

async function poisonObjects(): Promise<Array<Record<string, any>>> {
  const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'poison/' }));
  return Promise.all((list.Contents ?? []).map(async (o) => {
    const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key! }));
    return { key: o.Key, ...JSON.parse(await body.Body!.transformToString()) };
  }));
}

const markers = (items: Array<Record<string, any>>) => items.filter((i) => i.sk.startsWith('EVENT#'));
const sessionItems = (items: Array<Record<string, any>>) => items.filter((i) => i.sk.startsWith('SESSION#'));
const states = (items: Array<Record<string, any>>) => items.filter((i) => i.sk === 'STATE');

async function run(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  return await mod.handler(event, context) as KinesisStreamBatchResponse;
}

// ---- tests ----------------------------------------------------------------------------------------------------------

describe('session consumer handler (moto)', () => {
  test('good records are applied exactly once, poison records land whole in the failure bucket, the closed session is summarised', async () => {
    const now = Date.now();
    const { records, good, poison } = mixedBatch(now);
    const response = await run(batch(records));
    expect(response).toEqual({ batchItemFailures: [] });

    const items = await scanTable();
    // One marker per good event, each in exactly one session.
    expect(markers(items).map((m) => m.sk).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'c1'].map((id) => `EVENT#${id}`));
    expect(markers(items).every((m) => typeof m.sessionId === 'string' && !m.late)).toBe(true);
    const aliceSessions = new Set(markers(items).filter((m) => m.pk === 'USER#u:alice').map((m) => m.sessionId));
    expect(aliceSessions.size).toBe(2);

    // Alice's first session closed (a later event came after the 30-minute gap), written and marked emitted.
    const closed = sessionItems(items);
    expect(closed).toHaveLength(1);
    expect(closed[0].emittedAt).toEqual(expect.any(Number));
    expect(closed[0][T.SWEEP_PARTITION_KEY]).toBeUndefined();
    expect(states(items).map((s) => [s.pk, s.open.events, s.version])).toEqual([
      ['USER#a:anon-1', 1, 1], ['USER#u:alice', 1, 1], ['USER#u:bob', 2, 1],
    ]);

    // The summary on the second stream.
    const out = await summaries();
    expect(out).toEqual([{
      partitionKey: 'u:alice',
      userId: 'alice',
      anonymous: false,
      sessionId: closed[0].summary.sessionId,
      start: new Date(now - 60 * MIN).toISOString(),
      end: new Date(now - 55 * MIN).toISOString(),
      durationSeconds: 300,
      events: 3,
      pageViews: 1,
      productViews: 1,
      products: ['p-42'],
      converted: true,
      clientSessionIds: [],
      closeReason: 'gap',
      closedAt: expect.any(String),
    }]);

    // Every poison record, whole, with its reason; none reported as a failure, none lost.
    const objects = await poisonObjects();
    expect(objects.map((o) => o.sequenceNumber).sort()).toEqual(poison.map((p) => p.kinesis.sequenceNumber).sort());
    for (const o of objects) {
      const original = poison.find((p) => p.kinesis.sequenceNumber === o.sequenceNumber)!;
      expect(o.record).toEqual(original);
      expect(o.reason).toEqual(expect.any(String));
    }
    expect(objects.map((o) => o.reason).sort()).toEqual([
      'data is not JSON', 'data is not UTF-8', 'data is not base64', 'userId or anonymousId is required',
    ]);
    expect(good.length + poison.length).toBe(records.length);
  });

  test('replaying the same batch changes nothing: no new markers, counts or summaries', async () => {
    const { records } = mixedBatch(Date.now());
    await run(batch(records));
    const before = await scanTable();
    const summariesBefore = await summaries();
    const objectsBefore = await poisonObjects();

    expect(await run(batch(records))).toEqual({ batchItemFailures: [] });
    // And a replay in another order, split differently (bisected retries look like this).
    await run(batch(records.slice(5).reverse()));
    await run(batch(records.slice(0, 5)));

    expect(await scanTable()).toEqual(before);
    expect(await summaries()).toEqual(summariesBefore);
    expect(await poisonObjects()).toEqual(objectsBefore);
  });

  test('a producer retry (same eventId, new sequence number) counts once', async () => {
    const now = Date.now();
    const c = { eventId: 'dup', userId: 'dora', eventType: 'page_view', timestamp: now - MIN };
    await run(batch([click(c, now - MIN), click(c, now - MIN + 20)]));
    await run(batch([click(c, now - MIN + 40)]));
    const items = await scanTable();
    expect(markers(items)).toHaveLength(1);
    expect(states(items)[0].open.events).toBe(1);
  });

  test('an invocation that loses a race (another committed between its read and its write) re-reads: nothing lost, nothing twice', async () => {
    const now = Date.now();
    const records = Array.from({ length: 12 }, (_, i) => click(
      { eventId: `r${i}`, userId: 'racer', eventType: i % 5 === 0 ? 'purchase' : 'page_view', timestamp: now - (40 - 3 * i) * MIN }, now - MIN,
    ));
    // The first transaction of one invocation (the first six clicks) waits until another invocation, with the other six
    // clicks of the same user, has committed: a lost update would drop one half from the session counts.
    const send = mod.clients.db.send.bind(mod.clients.db) as (c: unknown) => Promise<unknown>;
    let raced = false;
    let transactions = 0;
    jest.spyOn(mod.clients.db, 'send').mockImplementation((async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'TransactWriteCommand') {
        transactions++;
        if (!raced) {
          raced = true;
          expect(await run(batch(records.slice(6)))).toEqual({ batchItemFailures: [] });
        }
      }
      return send(command);
    }) as never);
    expect(await run(batch(records.slice(0, 6)))).toEqual({ batchItemFailures: [] });
    expect(raced).toBe(true);
    // The loser's stale transaction was refused; it re-read the state and applied its clicks on top.
    expect(transactions).toBe(3);
    const items = await scanTable();
    expect(markers(items)).toHaveLength(12);
    const open = states(items).map((s) => s.open.events).reduce((a, b) => a + b, 0);
    const closed = sessionItems(items).map((s) => s.summary.events).reduce((a, b) => a + b, 0);
    expect(open + closed).toBe(12);
    expect(states(items)[0].version).toBe(2);
  });

  test('a large group is applied in several transactions, still exactly once', async () => {
    const now = Date.now();
    const records = Array.from({ length: 230 }, (_, i) => click(
      // A 31-minute pause after every 50th event: five sessions.
      { eventId: `big${i}`, userId: 'heavy', eventType: 'page_view', timestamp: now - 300 * MIN + i * 1000 + Math.floor(i / 50) * 31 * MIN },
      now - 300 * MIN + i * 1000 + Math.floor(i / 50) * 31 * MIN,
    ));
    expect(await run(batch(records))).toEqual({ batchItemFailures: [] });
    expect(await run(batch(records))).toEqual({ batchItemFailures: [] });
    const items = await scanTable();
    expect(markers(items)).toHaveLength(230);
    expect(sessionItems(items).map((s) => s.summary.events)).toEqual([50, 50, 50, 50]);
    expect(states(items)[0].open.events).toBe(30);
    expect((await summaries()).map((s) => s.events)).toEqual([50, 50, 50, 50]);
  });

  test('when the failure bucket is unreachable, the poison records are reported as failures and the good ones applied', async () => {
    const now = Date.now();
    const { records, poison } = mixedBatch(now);
    process.env[SessionEnv.FAILURE_BUCKET] = 'no-such-bucket';
    let response: KinesisStreamBatchResponse;
    try {
      response = await run(batch(records));
    } finally {
      process.env[SessionEnv.FAILURE_BUCKET] = BUCKET;
    }
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(poison.map((p) => p.kinesis.sequenceNumber).sort());
    expect(markers(await scanTable())).toHaveLength(7);
  });

  test('a user whose state cannot be written fails only that user\'s records', async () => {
    const now = Date.now();
    // A state item whose version no condition can match: every transaction for this user is cancelled.
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'USER#u:stuck' }, sk: { S: 'STATE' }, version: { S: 'corrupt' } } }));
    const stuck = [0, 1].map((i) => click({ eventId: `s${i}`, userId: 'stuck', eventType: 'page_view', timestamp: now - MIN }, now - MIN));
    const fine = click({ eventId: 'f1', userId: 'fine', eventType: 'page_view', timestamp: now - MIN }, now - MIN);
    const response = await run(batch([stuck[0], fine, stuck[1]]));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(stuck.map((r) => r.kinesis.sequenceNumber).sort());
    const items = await scanTable();
    expect(markers(items).map((m) => m.sk)).toEqual(['EVENT#f1']);
  });

  test('a batch in which every record fails makes the invocation fail, so the mapping bisects and retries it', async () => {
    const now = Date.now();
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'USER#u:stuck' }, sk: { S: 'STATE' }, version: { S: 'corrupt' } } }));
    const stuck = click({ eventId: 's0', userId: 'stuck', eventType: 'page_view', timestamp: now - MIN }, now - MIN);
    await expect(run(batch([stuck]))).rejects.toThrow(/All records failed processing/);
  });

  test('summaries the stream refused stay pending, records are not failed, and the sweep writes them later', async () => {
    const now = Date.now();
    const { records } = mixedBatch(now);
    process.env[SessionEnv.SUMMARY_STREAM_ARN] = 'arn:aws:kinesis:us-east-1:123456789012:stream/missing';
    try {
      expect(await run(batch(records))).toEqual({ batchItemFailures: [] });
    } finally {
      process.env[SessionEnv.SUMMARY_STREAM_ARN] = SUMMARY_ARN;
    }
    const pending = sessionItems(await scanTable());
    expect(pending).toHaveLength(1);
    expect(pending[0].emittedAt).toBeUndefined();
    expect(pending[0][T.SWEEP_PARTITION_KEY]).toMatch(/^EMIT#\d$/);
    expect(await summaries()).toEqual([]);

    // Within the grace period the sweep leaves it to the invocation that closed it; after it, the sweep writes it.
    expect(await mod.handler(SWEEP_EVENT, context)).toEqual({ closed: 0, emitted: 0, emitFailures: 0 });
    jest.spyOn(Date, 'now').mockReturnValue(now + 2 * MIN);
    expect(await mod.handler(SWEEP_EVENT, context)).toEqual({ closed: 0, emitted: 1, emitFailures: 0 });
    expect((await summaries()).map((s) => [s.userId, s.events, s.converted])).toEqual([['alice', 3, true]]);
    expect(sessionItems(await scanTable())[0].emittedAt).toBe(now + 2 * MIN);
    // Once written, never again.
    expect(await mod.handler(SWEEP_EVENT, context)).toEqual({ closed: 0, emitted: 0, emitFailures: 0 });
  });

  test('the sweep closes sessions idle for gap + close delay and summarises them; a late event afterwards is recorded as late', async () => {
    const now = Date.now();
    const { records } = mixedBatch(now);
    await run(batch(records));
    expect(await summaries()).toHaveLength(1);

    // 39 minutes after bob's last record (4 minutes ago) is before gap + delay (40 minutes): nothing to close for him.
    jest.spyOn(Date, 'now').mockReturnValue(now + 35 * MIN);
    expect(await mod.handler(SWEEP_EVENT, context)).toMatchObject({ closed: 1 }); // alice's second session (10 minutes ago)
    jest.spyOn(Date, 'now').mockReturnValue(now + 60 * MIN);
    expect(await mod.handler(SWEEP_EVENT, context)).toMatchObject({ closed: 2, emitted: 2 });

    const items = await scanTable();
    expect(states(items).every((s) => s.open === undefined && s[T.SWEEP_PARTITION_KEY] === undefined)).toBe(true);
    expect(sessionItems(items).map((s) => [s.summary.userId, s.summary.closeReason, s.summary.events]).sort()).toEqual([
      ['alice', 'gap', 3], ['alice', 'idle', 1], ['anon-1', 'idle', 1], ['bob', 'idle', 2],
    ]);
    const out = await summaries();
    expect(out).toHaveLength(4);
    expect(out.find((s) => s.userId === 'anon-1')).toMatchObject({ anonymous: true, pageViews: 1 });

    // A click of bob's within the gap after his closed session (its event time within the clock tolerance of its arrival)
    // is read only now: late, kept, in no session.
    const lateClick = click({ eventId: 'b0', userId: 'bob', eventType: 'page_view', timestamp: now + 20 * MIN }, now + 30 * MIN);
    expect(await run(batch([lateClick]))).toEqual({ batchItemFailures: [] });
    const marker = markers(await scanTable()).find((m) => m.sk === 'EVENT#b0')!;
    expect(marker).toMatchObject({ late: true });
    expect(JSON.parse(marker.event)).toMatchObject({ eventId: 'b0', userKey: 'u:bob' });
    expect(await summaries()).toHaveLength(4);
  });
});

describe('session consumer handler (moto): valid input at the edges', () => {
  test('a user id at its 256-character maximum: every summary of the request reaches the stream, under a key that fits', async () => {
    const now = Date.now();
    const longId = 'ü'.repeat(200) + 'x'.repeat(56);
    const records = [longId, 'alice'].flatMap((userId) => [
      click({ eventId: `${userId.slice(-3)}-1`, userId, eventType: 'page_view', timestamp: now - 60 * MIN }, now - 60 * MIN),
      click({ eventId: `${userId.slice(-3)}-2`, userId, eventType: 'page_view', timestamp: now - 10 * MIN }, now - 10 * MIN),
    ]);
    expect(await run(batch(records))).toEqual({ batchItemFailures: [] });
    const out = await summaries();
    expect(out.map((s) => s.userId).sort()).toEqual(['alice', longId].sort());
    expect(out.every((s) => s.partitionKey.length <= 256)).toBe(true);
    expect(sessionItems(await scanTable()).every((s) => typeof s.emittedAt === 'number')).toBe(true);
  });

  test('a valid click event of 4 MiB is applied, and a malformed one of 9 MiB is kept whole: the batch never throws', async () => {
    const now = Date.now();
    const big = click({ eventId: 'big-1', userId: 'bulky', eventType: 'page_view', timestamp: now - MIN, extra: 'x'.repeat(4 * 1024 * 1024) } as Click, now - MIN);
    const bad = kinesisRecord(Buffer.from(`{"eventId":"big-2","pad":"${'y'.repeat(9 * 1024 * 1024)}`).toString('base64'), 'bulky', now - MIN);
    const small = click({ eventId: 'small-1', userId: 'slim', eventType: 'page_view', timestamp: now - MIN }, now - MIN);
    expect(await run(batch([big, bad, small]))).toEqual({ batchItemFailures: [] });
    expect(markers(await scanTable()).map((m) => m.sk).sort()).toEqual(['EVENT#big-1', 'EVENT#small-1']);
    const objects = await poisonObjects();
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ reason: 'data is not JSON', record: bad });
  });

  test('a consumer behind by more than gap + close delay closes nothing whose next records it has not read yet', async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => now - minutesAgo * MIN;
    const c = (id: string, minutesAgo: number) => click({ eventId: id, userId: 'lagger', eventType: 'page_view', timestamp: at(minutesAgo) }, at(minutesAgo));
    // The consumer reads records that arrived two hours ago.
    expect(await run(batch([c('l1', 120), c('l2', 119)]))).toEqual({ batchItemFailures: [] });
    // The wall clock says lagger has been idle for 119 minutes; the consumer has read nothing after those records.
    expect(await mod.handler(SWEEP_EVENT, context)).toMatchObject({ closed: 0 });
    // The next record of the session (19 minutes later in the stream) is read now: same session, not late.
    expect(await run(batch([c('l3', 100)]))).toEqual({ batchItemFailures: [] });
    expect(await mod.handler(SWEEP_EVENT, context)).toMatchObject({ closed: 0 });
    // The consumer catches up (a record of another user that arrived a minute ago); 45 minutes later the session is idle.
    const other = click({ eventId: 'o1', userId: 'other', eventType: 'page_view', timestamp: at(1) }, at(1));
    expect(await run(batch([other]))).toEqual({ batchItemFailures: [] });
    jest.spyOn(Date, 'now').mockReturnValue(now + 45 * MIN);
    expect(await mod.handler(SWEEP_EVENT, context)).toMatchObject({ closed: 2 });
    const items = await scanTable();
    expect(markers(items).filter((m) => m.pk === 'USER#u:lagger').every((m) => !m.late)).toBe(true);
    expect(sessionItems(items).filter((s) => s.pk === 'USER#u:lagger').map((s) => s.summary.events)).toEqual([3]);
  });
});
