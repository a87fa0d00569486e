/**
 * The local runner's parts: the template reader refuses what it does not understand, the Firehose prefix and JQ subset,
 * and the event source mapping's Lambda semantics against moto with a real function process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Assembly, CfnResource } from '../../local/assembly';
import { EventSourceMapping } from '../../local/event-source-mapping';
import { expectedClickResults, expectedIotResults } from '../../local/expected';
import { evaluatePrefix, parseMetadataQuery } from '../../local/firehose';
import { LOCAL_WATERMARK_DELAY_SECONDS, clickEvents, fenceShards, sensorMessages } from '../../local/generator';
import { ShardReader, listShards, shardHashKeys, sleep } from '../../local/kinesis-reader';
import { LambdaHost } from '../../local/lambda-host';
import { stopAll } from '../../local/processes';
import { MappingSpec, readWiring } from '../../local/wiring';
import { motoClientConfig, resetMoto } from '../support/moto';

const asm = (resources: Record<string, CfnResource>): Assembly => ({ stackName: 'S', resources, assetPath: (k) => `/assets/${k}` });
const stream: CfnResource = { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 2, StreamModeDetails: { StreamMode: 'PROVISIONED' } } };

describe('readWiring', () => {
  test('resolves a mapping from the template: consumer ARN to its stream, on-failure bucket, Lambda settings', () => {
    const w = readWiring(asm({
      Clicks: stream,
      Consumer: { Type: 'AWS::Kinesis::StreamConsumer', Properties: { ConsumerName: 'c', StreamARN: { 'Fn::GetAtt': ['Clicks', 'Arn'] } } },
      Lake: { Type: 'AWS::S3::Bucket', Properties: {} },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Key: 'abc.zip' },
          Handler: 'index.handler',
          Timeout: 60,
          Environment: { Variables: { T: { Ref: 'Clicks' } } },
        },
      },
      Esm: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          BatchSize: 100,
          BisectBatchOnFunctionError: true,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Lake', 'Arn'] } } },
          EventSourceArn: { 'Fn::GetAtt': ['Consumer', 'ConsumerARN'] },
          FunctionName: { Ref: 'Fn' },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          MaximumRecordAgeInSeconds: 3600,
          MaximumRetryAttempts: 3,
          StartingPosition: 'TRIM_HORIZON',
        },
      },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
    }));
    expect(w.streams).toEqual([expect.objectContaining({ name: 'Clicks', shardCount: 2 })]);
    expect(w.functions[0]).toMatchObject({ codePath: '/assets/abc.zip', timeoutSeconds: 60, environment: { T: 'Clicks' } });
    expect(w.mappings[0]).toMatchObject({
      functionName: 'Fn',
      streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/Clicks',
      viaConsumer: true,
      batchSize: 100,
      bisectOnError: true,
      reportBatchItemFailures: true,
      maximumRetryAttempts: 3,
      maximumRecordAgeSeconds: 3600,
      onFailureBucket: 'local-lake',
    });
    expect(w.notEmulated).toEqual({ 'AWS::CloudWatch::Alarm': 1 });
  });

  test('throws on a resource type, a property, a processor or an intrinsic it does not understand', () => {
    expect(() => readWiring(asm({ Q: { Type: 'AWS::SQS::Queue', Properties: {} } }))).toThrow('Q (AWS::SQS::Queue): resource type not understood');
    expect(() => readWiring(asm({
      S: {
        Type: 'AWS::Kinesis::Stream',
        Properties: {
          ShardCount: 1,
          Foo: 1,
        },
      },
    }))).toThrow('property Foo not understood');
    expect(() => readWiring(asm({
      S: stream,
      D: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamType: 'KinesisStreamAsSource',
          KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': ['S', 'Arn'] } },
          ExtendedS3DestinationConfiguration: {
            BucketARN: 'arn:aws:s3:::b',
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [{ Type: 'RecordDeAggregation' }],
            },
          },
        },
      },
    }))).toThrow('processor RecordDeAggregation not understood');
    expect(() => readWiring(asm({
      F: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Code: { S3Key: 'k.zip' },
          Handler: 'h',
          Environment: { Variables: { X: { 'Fn::ImportValue': 'y' } } },
        },
      },
    }))).toThrow('intrinsic Fn::ImportValue not understood');
  });
});

describe('Firehose stand-in', () => {
  test('evaluates timestamp, partition key and error namespaces; refuses the others', () => {
    const at = Date.UTC(2026, 0, 5, 7, 8, 9);
    expect(evaluatePrefix('insights/record_type=!{partitionKeyFromQuery:record_type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/', at, { record_type: 'top' }))
      .toBe('insights/record_type=top/year=2026/month=01/day=05/hour=07/');
    expect(evaluatePrefix('errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/', at, {},
      'processing-failed')).toBe('errors/processing-failed/2026/01/05/');
    expect(() => evaluatePrefix('x/!{partitionKeyFromQuery:missing}/', at, {})).toThrow('no partition key missing');
    expect(() => evaluatePrefix('x/!{firehose:other}/', at, {})).toThrow('not understood');
  });

  test('reads the JQ the deliveries use, and nothing more', () => {
    expect(parseMetadataQuery('{record_type:.record_type, day:.a.b}')).toEqual([{ key: 'record_type', path: ['record_type'] }, {
      key: 'day',
      path: ['a', 'b'],
    }]);
    expect(() => parseMetadataQuery('.record_type | ascii_downcase')).toThrow('not understood');
  });
});

test('expected Flink rows: top N per closed hopping window, one row per closed minute', () => {
  const m = 60_000;
  const views = [{ productId: 'a', timestamp: 10 * m + 1 }, { productId: 'b', timestamp: 10 * m + 2 }, { productId: 'a', timestamp: 12 * m }];
  // watermark 17:05 - 5 s = 17:00. Windows holding minute 10 start at 6..10, those holding 12:00 at 8..12, all end <= 17:00.
  const e = expectedClickResults([10 * m + 1, 10 * m + 2, 12 * m, 17 * m + 5000], views, {
    topN: 1,
    windowMinutes: 5,
    slideMinutes: 1,
    watermarkDelaySeconds: 5,
  });
  // windows starting 6..12: 7 windows, one row each with top 1
  expect(e.topProductRows).toBe(7);
  // minutes 10 and 12 closed; the minute of 17:05 is not
  expect(e.trafficRows).toBe(2);
});

test('expected IoT rows: an anomaly is a reading beyond k sigma of the readings before it in the window, emitted up to the watermark', () => {
  const m = 60_000;
  const r = (ts: number, temperature: number, deviceId = 'd1') => ({ deviceId, machineId: 'm1', ts, temperature });
  // five priors 10, 12, 10, 12, 10: mean 10.8, population sd 0.98; 14 is 3.27 sd away, 13 is 2.25
  const priors = [10, 12, 10, 12, 10].map((t, i) => r(i * 1000, t));
  const params = { statsWindowMinutes: 10, sigma: 3, minSamples: 5, watermarkDelaySeconds: 5 };
  const tick = r(3 * m + 5000, 10, 'd2');
  expect(expectedIotResults([...priors, r(5000, 14), tick], params).anomalies).toBe(1);
  expect(expectedIotResults([...priors, r(5000, 13), tick], params).anomalies).toBe(0);
  // four priors are not enough; a reading after the watermark is not emitted yet
  expect(expectedIotResults([...priors.slice(1), r(5000, 20), tick], params).anomalies).toBe(0);
  expect(expectedIotResults([...priors, r(3 * m + 1, 30), tick], params).anomalies).toBe(0);
  // priors older than the window do not count
  expect(expectedIotResults([...priors, r(11 * m, 14), r(14 * m + 5000, 10, 'd2')], params).anomalies).toBe(0);
  // machine minutes: m1 in minute 0 (closed by 3:00); d2's minute 3 is not closed
  expect(expectedIotResults([...priors, tick], params).machineMinuteRows).toBe(1);
});

test('generated events lie within the session consumer\'s clock tolerance, span less than the local watermark delay, and the tick closes them', () => {
  const now = Date.UTC(2026, 11, 7, 10);
  const click = clickEvents(200, 0.1, 120, now);
  const iot = sensorMessages(200, 0.1, now);
  for (const times of [click.eventTimes, iot.readings.map((x) => x.ts)]) {
    expect(Math.min(...times)).toBeGreaterThanOrEqual(now - 15 * 60_000);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(LOCAL_WATERMARK_DELAY_SECONDS * 1000);
    expect(Math.max(...times)).toBeLessThan(now);
  }
  // the tick is within the Flink job's 300 s future skew and moves the watermark past some of the data's windows
  expect(click.tick.timestamp - now).toBeLessThan(300_000);
  expect(click.tick.timestamp - LOCAL_WATERMARK_DELAY_SECONDS * 1000).toBeGreaterThan(Math.min(...click.eventTimes) + 60_000);
  // each user's second session starts more than the gap after the first ends
  const user0 = click.records.filter((x) => x.valid).map((x) => JSON.parse(x.data.toString())).filter((e) => e.userId === 'u-0000').map((e) => Number(e.timestamp));
  expect(user0[5] - user0[4]).toBeGreaterThan(120_000);
  expect(() => clickEvents(200, 0.1, 1800, now)).toThrow('a session gap of 1800 s does not fit');
  // the planted spikes are anomalies the job must report
  const e = expectedIotResults([...iot.readings, { deviceId: 't', machineId: 't', ts: iot.tick.timestamp, temperature: 1 }],
    { statsWindowMinutes: 10, sigma: 3, minSamples: 5, watermarkDelaySeconds: LOCAL_WATERMARK_DELAY_SECONDS });
  expect(e.anomalies).toBeGreaterThanOrEqual(4);
  expect(e.machineMinuteRows).toBeGreaterThan(0);
});

test('a --once run ends every shard with a malformed record, so the job has read every shard once it dead-lettered them all', async () => {
  await resetMoto();
  const kinesis = new KinesisClient({ ...motoClientConfig(), requestHandler: new NodeHttpHandler() });
  await kinesis.send(new CreateStreamCommand({ StreamName: 'fenced', ShardCount: 7 }));
  const plan = clickEvents(200, 0.1, 120, Date.now());
  const { records, fenced } = fenceShards(plan.records, await shardHashKeys(kinesis, 'fenced'));
  expect(fenced).toBe(true);
  await kinesis.send(new PutRecordsCommand({
    StreamName: 'fenced',
    Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data, ExplicitHashKey: r.explicitHashKey })),
  }));
  const valid = new Set(plan.records.filter((r) => r.valid).map((r) => r.data.toString()));
  const shards = await Promise.all((await listShards(kinesis, 'fenced')).map(async (id) => new ShardReader(kinesis, 'fenced', id, 'TRIM_HORIZON').next(1000)));
  expect(shards.flat()).toHaveLength(plan.records.length);
  for (const shard of shards) expect(valid.has(Buffer.from(shard[shard.length - 1].data).toString())).toBe(false);
  // each key's records keep their order, and most malformed records stay among the valid ones
  expect(records.filter((r) => r.valid).map((r) => r.data.toString())).toEqual(plan.records.filter((r) => r.valid).map((r) => r.data.toString()));
  const oneMalformed = [...plan.records.filter((r) => r.valid).slice(0, 4), plan.records.find((r) => !r.valid)!];
  expect(fenceShards(oneMalformed, ['0', '1'])).toEqual({ records: oneMalformed, fenced: false });
});

describe('EventSourceMapping (moto, a real function process)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-'));
  // The function: throws on a batch holding "boom", reports "bad" as a failed item; records every batch it saw.
  fs.writeFileSync(path.join(dir, 'index.js'), `
    const fs = require('fs');
    exports.handler = async (event) => {
      const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
      fs.appendFileSync(process.env.SEEN, JSON.stringify(data) + '\\n');
      if (data.includes('boom')) throw new Error('boom');
      return { batchItemFailures: event.Records.filter((r, i) => data[i] === 'bad').map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) };
    };`);
  let kinesis: KinesisClient;
  let s3: S3Client;
  beforeEach(async () => {
    await resetMoto();
    kinesis = new KinesisClient({ ...motoClientConfig(), requestHandler: new NodeHttpHandler() });
    s3 = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'dlq' }));
  });
  afterAll(() => stopAll());

  async function run(streamName: string, records: string[], spec: Partial<MappingSpec>) {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records.map((d) => ({ PartitionKey: 'k', Data: Buffer.from(d) })) }));
    const seen = path.join(dir, `${streamName}.seen`);
    const config = motoClientConfig();
    const host = new LambdaHost({
      logicalId: 'F',
      name: 'F',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:F',
      handler: 'index.handler',
      timeoutSeconds: 10,
      memoryMb: 128,
      codePath: dir,
      environment: { SEEN: seen },
    },
    { AWS_ENDPOINT_URL: config.endpoint }, dir);
    await host.start();
    const esm = new EventSourceMapping({
      logicalId: 'M',
      functionName: 'F',
      streamArn: `arn:aws:kinesis:us-east-1:123456789012:stream/${streamName}`,
      viaConsumer: false,
      batchSize: 10,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: true,
      bisectOnError: true,
      maximumRetryAttempts: 2,
      maximumRecordAgeSeconds: 3600,
      maximumBatchingWindowSeconds: 0,
      parallelizationFactor: 1,
      onFailureBucket: 'dlq',
      ...spec,
    }, host, kinesis, s3);
    await esm.start();
    for (let i = 0; i < 200 && esm.counters.checkpointed + esm.counters.recordsToDestination < records.length; i++) await sleep(100);
    await esm.stop();
    const batches = fs.readFileSync(seen, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'dlq' }))).Contents?.map((o) => o.Key!) ?? [];
    const failures = await Promise.all(keys.map(async (Key) => JSON.parse(await (await s3.send(new GetObjectCommand({
      Bucket: 'dlq',
      Key,
    }))).Body!.transformToString())));
    return { counters: esm.counters, batches, failures };
  }

  test('a function error bisects down to the record that fails it, which goes to the destination after its retries; the rest are processed',
    async () => {
      const r = await run('boom', ['a', 'b', 'c', 'boom', 'd', 'e'], {});
      expect(r.counters).toMatchObject({ records: 6, checkpointed: 5, batchesToDestination: 1, recordsToDestination: 1, retries: 2 });
      expect(r.batches[0]).toEqual(['a', 'b', 'c', 'boom', 'd', 'e']);
      // the failing record alone, first try and two retries
      expect(r.batches.filter((b) => b.length === 1 && b[0] === 'boom')).toHaveLength(3);
      expect(r.failures).toHaveLength(1);
      expect(r.failures[0]).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
        KinesisBatchInfo: { batchSize: 1 },
      });
      expect(JSON.parse(r.failures[0].payload).Records.map((x: { kinesis: { data: string } }) => Buffer.from(x.kinesis.data,
        'base64').toString())).toEqual(['boom']);
    });

  test('a partial batch response retries from the failed record; after the retries that record and the ones after it go to the destination',
    async () => {
      const r = await run('partial', ['a', 'bad', 'c'], {});
      // the first try and two retries
      expect(r.batches).toEqual([['a', 'bad', 'c'], ['bad', 'c'], ['bad', 'c']]);
      expect(r.counters).toMatchObject({ checkpointed: 1, partialFailures: 3, batchesToDestination: 1, recordsToDestination: 2 });
    });

  test('without bisect a function error retries the whole batch', async () => {
    const r = await run('whole', ['a', 'boom'], { bisectOnError: false, maximumRetryAttempts: 1 });
    expect(r.batches).toEqual([['a', 'boom'], ['a', 'boom']]);
    expect(r.counters).toMatchObject({ checkpointed: 0, recordsToDestination: 2 });
  });
});
