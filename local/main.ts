/**
 * npm run local -- <iot|clickstream> [--once] [--records N] [--app cdk.out] [--stack Name] [--no-flink]
 *
 * Runs a pipeline's whole data path on this machine, wired from the synthesized template (see local/README.md).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Args, parseArgs } from './args';
import { readAssembly } from './assembly';
import { EventSourceMapping } from './event-source-mapping';
import { expectedClickResults } from './expected';
import { FirehoseStandIn } from './firehose';
import { FlinkHop } from './flink';
import { ClickPlan, clickEvents, sensorMessages } from './generator';
import { applyIotRule, parseIotSql, substitute } from './iot-rule';
import { ShardReader, listShards, sleep, streamNameOf } from './kinesis-reader';
import { LambdaHost } from './lambda-host';
import { startMoto, stopAll } from './processes';
import { FunctionSpec, Wiring, readWiring } from './wiring';

interface Hop { readonly name: string; readonly expected: number | undefined; readonly actual: number; readonly detail: string }

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const wiring = readWiring(readAssembly(args.app, args.stack));
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `local-${args.pipeline}-`));
  console.log(`${args.stack}: ${wiring.streams.length} streams, ${wiring.mappings.length} event source mappings, ${wiring.deliveries.length} deliveries, `
    + `${wiring.flink.length} Flink applications, ${wiring.tables.length} tables; not emulated: ${Object.entries(wiring.notEmulated).map(([t, n]) => `${t} ×${n}`).join(', ')}; logs in ${logDir}`);

  const endpoint = await startMoto(logDir);
  const conf = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const kinesis = new KinesisClient({ ...conf, requestHandler: new NodeHttpHandler() });
  const s3 = new S3Client({ ...conf, forcePathStyle: true });
  const ddb = new DynamoDBClient(conf);
  for (const b of wiring.buckets) await s3.send(new CreateBucketCommand({ Bucket: b }));
  for (const s of wiring.streams) await kinesis.send(new CreateStreamCommand({ StreamName: s.name, ShardCount: s.shardCount }));
  for (const t of wiring.tables) {
    await ddb.send(new CreateTableCommand({
      TableName: t.name,
      AttributeDefinitions: t.attributeDefinitions as never,
      KeySchema: t.keySchema as never,
      BillingMode: 'PAY_PER_REQUEST',
      ...(t.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: t.globalSecondaryIndexes as never } : {}),
    }));
  }

  const workerEnv = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const needed = new Map<string, FunctionSpec>();
  const byName = new Map(wiring.functions.map((f) => [f.name, f]));
  const byArn = new Map(wiring.functions.map((f) => [f.arn, f]));
  for (const m of wiring.mappings) {
    needed.set(m.functionName,
      byName.get(m.functionName) ?? fail(`mapping ${m.logicalId}: function ${m.functionName} not in the template`));
  }
  for (const d of wiring.deliveries) for (const p of d.processors) if (p.type === 'Lambda') needed.set(byArn.get(p.functionArn)?.name ?? fail(`${d.logicalId}: ${p.functionArn}`), byArn.get(p.functionArn)!);
  const hosts = new Map<string, LambdaHost>();
  for (const f of needed.values()) {
    const h = new LambdaHost(f, workerEnv, logDir);
    await h.start();
    hosts.set(f.name, h);
    hosts.set(f.arn, h);
  }
  const idle = wiring.functions.filter((f) => !needed.has(f.name)).map((f) => f.name);
  if (idle.length > 0) console.log(`functions without a stream event source (schedules, alarms, custom resources), not run: ${idle.join(', ')}`);

  const mappings = wiring.mappings.map((m) => new EventSourceMapping(m, hosts.get(m.functionName)!, kinesis, s3));
  const deliveries = wiring.deliveries.map((d) => new FirehoseStandIn(d, kinesis, s3, hosts, args.once ? 1_000_000 : 30));
  for (const m of mappings) await m.start();
  for (const d of deliveries) await d.start();
  if (args.flink) for (const f of wiring.flink) new FlinkHop(f, endpoint, logDir).start();
  else if (wiring.flink.length > 0) console.log(`Flink: not started (--no-flink): ${wiring.flink.map((f) => f.logicalId).join(', ')}`);

  const run = args.pipeline === 'clickstream' ? clickstream : iot;
  return run(args, wiring, { kinesis, s3, ddb }, mappings, deliveries);
}

function fail(message: string): never {
  throw new Error(message);
}

type Clients = { kinesis: KinesisClient; s3: S3Client; ddb: DynamoDBClient };

async function putAll(kinesis: KinesisClient, streamName: string, records: Array<{ partitionKey: string; data: Buffer }>): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const out = await kinesis.send(new PutRecordsCommand({
      StreamName: streamName,
      Records: records.slice(i,
        i + 500).map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
    }));
    if (out.FailedRecordCount) throw new Error(`PutRecords: ${out.FailedRecordCount} records failed`);
  }
}

/** Lines of every object under a prefix (gunzipped when the key ends in .gz), and the object count. */
async function linesUnder(s3: S3Client, bucket: string, prefix: string): Promise<{ objects: number; lines: string[] }> {
  const lines: string[] = [];
  let objects = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      objects++;
      const body = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToByteArray());
      const text = (o.Key!.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
      lines.push(...text.split('\n').filter((l) => l !== ''));
    }
    token = page.NextContinuationToken;
  } while (token);
  return { objects, lines };
}

/** The fixed start of a Firehose prefix (before its first `!{...}`). */
const prefixRoot = (prefix: string) => prefix.split('!{')[0];

async function waitUntil(what: string, deadline: number, done: () => boolean | Promise<boolean>): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await done()) return true;
    await sleep(250);
  }
  console.log(`(gave up waiting for ${what})`);
  return false;
}

function report(hops: Hop[]): number {
  let failed = 0;
  for (const h of hops) {
    const ok = h.expected === undefined || h.expected === h.actual;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${h.name.padEnd(28)} ${String(h.actual).padStart(6)}${h.expected === undefined ? '' : ` / expected ${h.expected}`}  ${h.detail}`);
  }
  return failed === 0 ? 0 : 1;
}

async function clickstream(args: Args, wiring: Wiring, c: Clients, mappings: EventSourceMapping[], deliveries: FirehoseStandIn[]): Promise<number> {
  const session = wiring.mappings.find((m) => wiring.functions.find((f) => f.name === m.functionName)?.environment.SESSION_TABLE_NAME !== undefined)
    ?? fail('no event source mapping to a session consumer (a function with SESSION_TABLE_NAME) in the template');
  const fn = wiring.functions.find((f) => f.name === session.functionName)!;
  const clicks = streamNameOf(session.streamArn);
  const flinkSource = wiring.flink[0]?.propertyGroups.SqlParameters?.['source.stream.arn'];
  if (flinkSource !== undefined && flinkSource !== session.streamArn) throw new Error(`the Flink source ${flinkSource} and the session consumer's ${session.streamArn} differ`);
  const gap = Number(fn.environment.SESSION_GAP_SECONDS);
  const plan = clickEvents(args.records, args.malformedShare, gap, Date.now());
  const total = plan.records.length;
  const mapping = mappings[wiring.mappings.indexOf(session)];
  const summaryStream = streamNameOf(fn.environment.SUMMARY_STREAM_ARN);
  const raw = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === clicks);
  const summaries = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === summaryStream);

  if (!args.once) {
    return live(args, c, wiring, async () => putAll(c.kinesis, clicks, clickEvents(args.records, args.malformedShare, gap,
      Date.now(), Date.now(), `${Date.now().toString(36)}-`).records), mappings, deliveries);
  }

  const started = Date.now();
  await putAll(c.kinesis, clicks, plan.records);
  const deadline = started + args.timeoutSeconds * 1000;
  await waitUntil('the session consumer', deadline, () => mapping.counters.checkpointed + mapping.counters.recordsToDestination >= total);
  await waitUntil('the summaries delivery', deadline, () => (summaries?.counters.records ?? 0) >= plan.sessionsClosed);
  await waitUntil('the raw archive', deadline, () => (raw?.counters.records ?? 0) >= total);
  const flink = args.flink ? flinkClickHops(wiring, plan, deliveries) : [];
  for (const f of flink) await waitUntil(f.name, deadline, () => f.delivery.counters.records >= f.expected);
  for (const m of mappings) await m.stop();
  for (const d of deliveries) await d.stop();

  const events = await c.ddb.send(new ScanCommand({
    TableName: fn.environment.SESSION_TABLE_NAME, Select: 'COUNT', FilterExpression: 'begins_with(sk, :e)', ExpressionAttributeValues: { ':e': { S: 'EVENT#' } },
  }));
  const sessions = await c.ddb.send(new ScanCommand({
    TableName: fn.environment.SESSION_TABLE_NAME, Select: 'COUNT', FilterExpression: 'begins_with(sk, :s)', ExpressionAttributeValues: { ':s': { S: 'SESSION#' } },
  }));
  const poison = await linesUnder(c.s3, fn.environment.FAILURE_BUCKET_NAME, fn.environment.POISON_PREFIX);
  const onFailure = session.onFailureBucket ? await linesUnder(c.s3, session.onFailureBucket, 'aws/lambda/') : { objects: 0, lines: [] };
  const hops: Hop[] = [
    {
      name: `records in (${clicks})`,
      expected: total,
      actual: mapping.counters.records,
      detail: `${plan.valid} valid + ${plan.malformed} malformed, ${plan.users} users`,
    },
    {
      name: 'events applied (DynamoDB)',
      expected: plan.valid,
      actual: events.Count ?? 0,
      detail: `${mapping.counters.invocations} invocations, ${mapping.counters.retries} retries`,
    },
    {
      name: 'sessions closed (DynamoDB)',
      expected: plan.sessionsClosed,
      actual: sessions.Count ?? 0,
      detail: `${plan.sessionsPerUser} sessions per user, the last one left open`,
    },
    {
      name: 'poison records (S3)',
      expected: plan.malformed,
      actual: poison.objects,
      detail: `${fn.environment.POISON_PREFIX} in ${fn.environment.FAILURE_BUCKET_NAME}`,
    },
    {
      name: 'on-failure batches',
      expected: 0,
      actual: mapping.counters.batchesToDestination,
      detail: session.onFailureBucket ? `aws/lambda/ in ${session.onFailureBucket}: ${onFailure.objects} objects` : 'no destination',
    },
    {
      name: `summaries (${summaryStream})`,
      expected: plan.sessionsClosed,
      actual: summaries?.counters.records ?? 0,
      detail: 'one per session a later session closed',
    },
  ];
  for (const f of flink) hops.push({ name: f.name, expected: f.expected, actual: f.delivery.counters.records, detail: f.detail });
  for (const d of deliveries) {
    const under = await linesUnder(c.s3, d.spec.bucket, prefixRoot(d.spec.prefix));
    const expected = d === raw ? total : d === summaries ? plan.sessionsClosed : flink.find((f) => f.delivery === d)?.expected;
    hops.push({
      name: `delivery ${d.spec.name}`,
      expected,
      actual: under.lines.length,
      detail: `${under.objects} objects under ${prefixRoot(d.spec.prefix)}${d.spec.destination === 'redshift' ? ' (Redshift staging; COPY not emulated)' : ''}`,
    });
  }
  if (!args.flink && wiring.flink.length > 0) hops.push({ name: 'Flink', expected: undefined, actual: 0, detail: 'not run (--no-flink)' });
  console.log(`clickstream --once in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return report(hops);
}

/** The Flink job's outputs a run must produce: dead letters (every malformed record) and the closed windows' rows. */
function flinkClickHops(wiring: Wiring, plan: ClickPlan,
  deliveries: FirehoseStandIn[]): Array<{ name: string; expected: number; delivery: FirehoseStandIn; detail: string }> {
  return wiring.flink.flatMap((f) => {
    const p = f.propertyGroups.SqlParameters ?? {};
    const from = (key: string) => deliveries.find((d) => d.spec.sourceStreamArn === p[key]) ?? fail(`${f.logicalId}: no delivery reads ${key} ${p[key]}`);
    const e = expectedClickResults(plan.eventTimes, plan.productViews, {
      topN: Number(p['top.n'] ?? 10),
      windowMinutes: Number(p['top.window.minutes'] ?? 5),
      slideMinutes: Number(p['top.slide.minutes'] ?? 1),
      watermarkDelaySeconds: Number(p['watermark.delay.seconds'] ?? 5),
    });
    return [
      {
        name: `Flink dead letters (${f.logicalId})`,
        expected: plan.malformed,
        delivery: from('dlq.stream.arn'),
        detail: 'every malformed record, once',
      },
      {
        name: `Flink results (${f.logicalId})`,
        expected: e.topProductRows + e.trafficRows,
        delivery: from('sink.stream.arn'),
        detail: `${e.topProductRows} top-product rows + ${e.trafficRows} traffic minutes, windows closed by ${new Date(e.watermark).toISOString()}`,
      },
    ];
  });
}

async function iot(args: Args, wiring: Wiring, c: Clients, mappings: EventSourceMapping[], deliveries: FirehoseStandIn[]): Promise<number> {
  const rule = wiring.topicRules[0] ?? fail('no IoT topic rule in the template');
  const sql = parseIotSql(rule.sql);
  const toRecords = (plan: ReturnType<typeof sensorMessages>) => plan.messages.map((m) => {
    const out = applyIotRule(sql, m.topic, m.payload, Date.now()) ?? fail(`topic ${m.topic} does not match ${sql.topicFilter}`);
    return { partitionKey: substitute(rule.partitionKey, m.topic), data: Buffer.from(JSON.stringify(out)) };
  });
  if (!args.once) {
    return live(args, c, wiring, async () => putAll(c.kinesis, rule.streamName, toRecords(sensorMessages(args.records,
      args.malformedShare, Date.now(), Date.now()))), mappings, deliveries);
  }
  const plan = sensorMessages(args.records, args.malformedShare, Date.now());
  const total = plan.messages.length;
  const raw = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === rule.streamName);
  const started = Date.now();
  await putAll(c.kinesis, rule.streamName, toRecords(plan));
  await waitUntil('the raw archive', started + args.timeoutSeconds * 1000, () => (raw?.counters.records ?? 0) >= total);
  // the Flink job dead-letters every reading the schema refuses (the rule forwards them all)
  const dlq = args.flink ? wiring.flink.map((f) => ({
    name: `Flink dead letters (${f.logicalId})`,
    delivery: deliveries.find((d) => d.spec.sourceStreamArn === f.propertyGroups.SqlParameters?.['dlq.stream.arn'])
      ?? fail(`${f.logicalId}: no delivery reads its dlq.stream.arn`),
  })) : [];
  for (const f of dlq) await waitUntil(f.name, started + args.timeoutSeconds * 1000, () => f.delivery.counters.records >= plan.malformed);
  for (const m of mappings) await m.stop();
  for (const d of deliveries) await d.stop();
  const hops: Hop[] = [{
    name: `messages in (${rule.streamName})`,
    expected: total,
    actual: raw?.counters.records ?? 0,
    detail: `${plan.valid} valid + ${plan.malformed} malformed, through the rule's SQL`,
  }, ...dlq.map((f) => ({ name: f.name, expected: plan.malformed, actual: f.delivery.counters.records, detail: 'every reading the schema refuses, once' }))];
  for (const d of deliveries) {
    const under = await linesUnder(c.s3, d.spec.bucket, prefixRoot(d.spec.prefix));
    if (d.spec.destination === 'opensearch') {
      hops.push({
        name: `delivery ${d.spec.name}`,
        expected: undefined,
        actual: d.counters.documents,
        detail: 'documents for OpenSearch (counted, not indexed)',
      });
    } else {
      hops.push({
        name: `delivery ${d.spec.name}`,
        expected: d === raw ? total : dlq.some((f) => f.delivery === d) ? plan.malformed : undefined,
        actual: under.lines.length,
        detail: `${under.objects} objects under ${prefixRoot(d.spec.prefix)}`,
      });
    }
  }
  if (!args.flink && wiring.flink.length > 0) hops.push({ name: 'Flink', expected: undefined, actual: 0, detail: 'not run (--no-flink)' });
  console.log(`iot --once in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return report(hops);
}

/** The live view: a batch of events every second, counters per hop and the Flink results as they arrive, until Ctrl-C. */
async function live(args: Args, c: Clients, wiring: Wiring, send: () => Promise<void>, mappings: EventSourceMapping[],
  deliveries: FirehoseStandIn[]): Promise<number> {
  let stopping = false;
  process.once('SIGINT', () => { stopping = true; });
  const results = wiring.flink.flatMap((f) => Object.entries(f.propertyGroups.SqlParameters ?? {}).filter(([k]) => k.startsWith('sink.') && k.endsWith('.arn')).map(([, arn]) => streamNameOf(arn)));
  const readers: ShardReader[] = [];
  for (const s of results) for (const shard of await listShards(c.kinesis, s)) readers.push(new ShardReader(c.kinesis, s, shard, 'TRIM_HORIZON'));
  let tick = 0;
  while (!stopping) {
    await send();
    for (const r of readers) for (const rec of await r.next(100)) console.log(`result ${Buffer.from(rec.data).toString('utf8')}`);
    if (++tick % 2 === 0) {
      console.log(mappings.map((m,
        i) => `${wiring.mappings[i].functionName}: ${m.counters.records} records, ${m.counters.invocations} invocations`).concat(
        deliveries.map((d) => `${d.spec.name}: ${d.counters.records} in, ${d.counters.objects} objects`)).join(' | '));
    }
    await sleep(1000);
  }
  for (const m of mappings) await m.stop();
  for (const d of deliveries) await d.stop();
  void args;
  return 0;
}

main().then(async (code) => {
  await stopAll();
  process.exit(code);
}, async (err: Error) => {
  console.error(`local run failed: ${err.message}`);
  await stopAll();
  process.exit(2);
});
