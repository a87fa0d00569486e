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
import { expectedClickResults, expectedIotResults } from './expected';
import { FirehoseStandIn } from './firehose';
import { FlinkHop } from './flink';
import { ClickPlan, LOCAL_WATERMARK_DELAY_SECONDS, clickEvents, fenceShards, sensorMessages } from './generator';
import { applyIotRule, parseIotSql, substitute } from './iot-rule';
import { ShardReader, listShards, shardHashKeys, sleep, streamNameOf } from './kinesis-reader';
import { LambdaHost } from './lambda-host';
import { startMoto, stopAll } from './processes';
import { FunctionSpec, Wiring, readWiring } from './wiring';

interface Hop { readonly name: string; readonly expected: number | undefined; readonly actual: number; readonly detail: string }

/** The session gap a local run can cross: generated events must lie within the consumer's clock tolerance of now. */
export const LOCAL_SESSION_GAP_SECONDS = 120;

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

  // The Flink job first: its JVM takes longest to start (a minute or more on a loaded machine).
  const flinkStarted = Date.now();
  const flink = args.flink ? wiring.flink.map((f) => new FlinkHop(f, endpoint, logDir, LOCAL_WATERMARK_DELAY_SECONDS)) : [];
  for (const f of flink) f.start();
  if (!args.flink && wiring.flink.length > 0) console.log(`Flink: not started (--no-flink): ${wiring.flink.map((f) => f.logicalId).join(', ')}`);

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
    const h = new LambdaHost(localFunction(f), workerEnv, logDir);
    await h.start();
    hosts.set(f.name, h);
    hosts.set(f.arn, h);
  }
  const idle = wiring.functions.filter((f) => !needed.has(f.name)).map((f) => f.name);
  if (idle.length > 0) console.log(`functions without a stream event source (schedules, alarms, custom resources), not run: ${idle.join(', ')}`);

  const mappings = wiring.mappings.map((m) => new EventSourceMapping(m, hosts.get(m.functionName)!, kinesis, s3));
  const deliveries = wiring.deliveries.map((d) => new FirehoseStandIn(d, kinesis, s3, hosts, args.once ? 1_000_000 : 30));
  pollers.push(...mappings, ...deliveries);
  for (const m of mappings) await m.start();
  for (const d of deliveries) await d.start();
  for (const f of flink) {
    const source = wiring.streams.find((s) => s.arn === f.spec.propertyGroups.SqlParameters?.['source.stream.arn'])
      ?? fail(`${f.spec.logicalId}: its source.stream.arn is not a stream of the template`);
    await f.reading(source.shardCount, args.flinkStartSeconds * 1000);
  }
  if (flink.length > 0) {
    console.log(`Flink: reading after ${((Date.now() - flinkStarted) / 1000).toFixed(1)} s and ${flink.map((f) => f.cpuSeconds()?.toFixed(1) ?? '?').join(' + ')} CPU s `
      + `(JVM start, planning, MiniCluster, shard discovery; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
  }

  const run = args.pipeline === 'clickstream' ? clickstream : iot;
  return run(args, wiring, { kinesis, s3, ddb }, mappings, deliveries);
}

/**
 * A function as the local run hosts it: the template's, except a session consumer's gap above what generated events
 * can cross ({@link LOCAL_SESSION_GAP_SECONDS}), said on the console.
 */
function localFunction(f: FunctionSpec): FunctionSpec {
  const gap = f.environment.SESSION_GAP_SECONDS;
  if (gap === undefined || Number(gap) <= LOCAL_SESSION_GAP_SECONDS) return f;
  console.log(`${f.name}: SESSION_GAP_SECONDS ${gap} -> ${LOCAL_SESSION_GAP_SECONDS} locally (the consumer takes an event's time only within `
    + '15 minutes of its arrival, so generated sessions can only be that far apart)');
  return { ...f, environment: { ...f.environment, SESSION_GAP_SECONDS: String(LOCAL_SESSION_GAP_SECONDS) } };
}

function fail(message: string): never {
  throw new Error(message);
}

type Clients = { kinesis: KinesisClient; s3: S3Client; ddb: DynamoDBClient };

async function putAll(kinesis: KinesisClient, streamName: string,
  records: ReadonlyArray<{ partitionKey: string; data: Buffer; explicitHashKey?: string }>): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    const out = await kinesis.send(new PutRecordsCommand({
      StreamName: streamName,
      Records: records.slice(i,
        i + 500).map((r) => ({ PartitionKey: r.partitionKey, Data: r.data, ExplicitHashKey: r.explicitHashKey })),
    }));
    if (out.FailedRecordCount) throw new Error(`PutRecords: ${out.FailedRecordCount} records failed`);
  }
}

/** The records with each shard's last one malformed (see {@link fenceShards}); says so when there are too few. */
async function fenced<T extends { valid: boolean }>(kinesis: KinesisClient, streamName: string, records: readonly T[]) {
  const hashKeys = await shardHashKeys(kinesis, streamName);
  const out = fenceShards(records, hashKeys);
  if (!out.fenced) {
    console.log(`fewer malformed records than the ${hashKeys.length} shards of ${streamName}: the tick may overtake a record `
      + 'of another shard, which then comes in behind the Flink watermark');
  }
  return out.records;
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
  const gap = Math.min(Number(fn.environment.SESSION_GAP_SECONDS), LOCAL_SESSION_GAP_SECONDS);
  const mapping = mappings[wiring.mappings.indexOf(session)];
  const summaryStream = streamNameOf(fn.environment.SUMMARY_STREAM_ARN);
  const raw = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === clicks);
  const summaries = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === summaryStream);

  if (!args.once) {
    const clock = liveClock();
    return live(c, wiring, async (batch) => {
      const plan = clickEvents(args.records, args.malformedShare, gap, clock(), batch, `${batch}-`);
      await putAll(c.kinesis, clicks, plan.records);
    }, mappings, deliveries);
  }

  const plan = clickEvents(args.records, args.malformedShare, gap, Date.now());
  const total = plan.records.length + 1;
  const started = Date.now();
  await putAll(c.kinesis, clicks, await fenced(c.kinesis, clicks, plan.records));
  const deadline = started + args.timeoutSeconds * 1000;
  const flink = args.flink ? flinkClickHops(wiring, plan, deliveries) : [];
  // the tick goes last, once the job has read the data (every dead letter out), so that no record is behind the watermark
  for (const f of flink.filter((h) => h.deadLetters)) await waitUntil(f.name, deadline, () => f.delivery.counters.records >= f.expected);
  if (flink.length > 0) await sleep(2000);
  await putAll(c.kinesis, clicks, [plan.tick]);
  await waitUntil('the session consumer', deadline, () => mapping.counters.checkpointed + mapping.counters.recordsToDestination >= total);
  await waitUntil('the summaries delivery', deadline, () => (summaries?.counters.records ?? 0) >= plan.sessionsClosed);
  await waitUntil('the raw archive', deadline, () => (raw?.counters.records ?? 0) >= total);
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
      detail: `${plan.valid} valid + ${plan.malformed} malformed + 1 tick, ${plan.users} users`,
    },
    {
      name: 'events applied (DynamoDB)',
      expected: plan.valid + 1,
      actual: events.Count ?? 0,
      detail: `${mapping.counters.invocations} invocations (${durations(mapping.counters.invocationMs)}), ${mapping.counters.retries} retries`,
    },
    {
      name: 'sessions closed (DynamoDB)',
      expected: plan.sessionsClosed,
      actual: sessions.Count ?? 0,
      detail: `${plan.sessionsPerUser} sessions per user ${gap + 60} s apart, the last one left open`,
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
    const check = flink.find((f) => f.delivery === d);
    const expected = d === raw ? total : d === summaries ? plan.sessionsClosed : check?.expected;
    const diff = check?.rowsByWindow && expected !== under.lines.length ? windowDiff(under.lines, check.rowsByWindow) : '';
    hops.push({
      name: `delivery ${d.spec.name}`,
      expected,
      actual: under.lines.length,
      detail: `${under.objects} objects under ${prefixRoot(d.spec.prefix)}${d.spec.destination === 'redshift' ? ' (Redshift staging; COPY not emulated)' : ''}`
        + (diff ? `; windows that differ: ${diff}` : ''),
    });
  }
  if (!args.flink && wiring.flink.length > 0) hops.push({ name: 'Flink', expected: undefined, actual: 0, detail: 'not run (--no-flink)' });
  console.log(`clickstream --once: data path in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return report(hops);
}

/** Median and largest of a list of durations, for the hop lines. */
function durations(ms: readonly number[]): string {
  if (ms.length === 0) return 'none';
  const sorted = [...ms].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`;
}

interface FlinkHopCheck {
  name: string;
  expected: number;
  delivery: FirehoseStandIn;
  detail: string;
  deadLetters: boolean;
  /** Expected rows per window, to name the windows that differ when the count does not match. */
  rowsByWindow?: Record<string, number>;
}

/** The windows whose row counts differ between the lines a delivery wrote and the expectation, or '' when none do. */
function windowDiff(lines: readonly string[], expected: Record<string, number>): string {
  const got: Record<string, number> = {};
  for (const l of lines) {
    try {
      const r = JSON.parse(l) as { record_type?: string; window_start?: string };
      if (r.window_start === undefined) continue;
      const key = `${r.record_type} ${new Date(r.window_start.endsWith('Z') ? r.window_start : `${r.window_start}Z`).toISOString()}`;
      got[key] = (got[key] ?? 0) + 1;
    } catch {
      // not a result row
    }
  }
  return [...new Set([...Object.keys(got), ...Object.keys(expected)])].sort()
    .filter((k) => (got[k] ?? 0) !== (expected[k] ?? 0)).map((k) => `${k}: ${got[k] ?? 0} rows, expected ${expected[k] ?? 0}`).join('; ');
}

/** The Flink job's outputs a run must produce: dead letters (every malformed record) and the closed windows' rows. */
function flinkClickHops(wiring: Wiring, plan: ClickPlan, deliveries: FirehoseStandIn[]): FlinkHopCheck[] {
  return wiring.flink.flatMap((f) => {
    const p = f.propertyGroups.SqlParameters ?? {};
    const from = (key: string) => deliveries.find((d) => d.spec.sourceStreamArn === (p[key] ?? p['sink.stream.arn']))
      ?? fail(`${f.logicalId}: no delivery reads its ${key} ${p[key]}`);
    const e = expectedClickResults([...plan.eventTimes, plan.tick.timestamp], plan.productViews, {
      topN: Number(p['top.n'] ?? 10),
      windowMinutes: Number(p['top.window.minutes'] ?? 5),
      slideMinutes: Number(p['top.slide.minutes'] ?? 1),
      watermarkDelaySeconds: LOCAL_WATERMARK_DELAY_SECONDS,
    });
    const results = from('sink.stream.arn');
    return [
      {
        name: `Flink dead letters (${f.logicalId})`,
        expected: plan.malformed,
        delivery: from('dlq.stream.arn'),
        detail: 'every malformed record, once',
        deadLetters: true,
      },
      {
        name: `Flink results (${f.logicalId})`,
        expected: e.topProductRows + e.trafficRows,
        delivery: results,
        detail: `${e.topProductRows} top-product rows + ${e.trafficRows} traffic minutes, windows closed by ${new Date(e.watermark).toISOString()}`,
        deadLetters: false,
        rowsByWindow: e.rowsByWindow,
      },
    ];
  });
}

async function iot(args: Args, wiring: Wiring, c: Clients, mappings: EventSourceMapping[], deliveries: FirehoseStandIn[]): Promise<number> {
  const rule = wiring.topicRules[0] ?? fail('no IoT topic rule in the template');
  const sql = parseIotSql(rule.sql);
  const toRecord = (m: { topic: string; payload: unknown }) => {
    const out = applyIotRule(sql, m.topic, m.payload, Date.now()) ?? fail(`topic ${m.topic} does not match ${sql.topicFilter}`);
    return { partitionKey: substitute(rule.partitionKey, m.topic), data: Buffer.from(JSON.stringify(out)) };
  };
  if (!args.once) {
    const clock = liveClock();
    return live(c, wiring, async (batch) => putAll(c.kinesis, rule.streamName,
      sensorMessages(args.records, args.malformedShare, clock(), batch).messages.map(toRecord)), mappings, deliveries);
  }
  const plan = sensorMessages(args.records, args.malformedShare, Date.now());
  const total = plan.messages.length + 1;
  const raw = deliveries.find((d) => streamNameOf(d.spec.sourceStreamArn) === rule.streamName);
  const started = Date.now();
  const deadline = started + args.timeoutSeconds * 1000;
  await putAll(c.kinesis, rule.streamName, await fenced(c.kinesis, rule.streamName,
    plan.messages.map((m) => ({ ...toRecord(m), valid: m.valid }))));
  const flink: FlinkHopCheck[] = args.flink ? wiring.flink.flatMap((f) => {
    const p = f.propertyGroups.SqlParameters ?? {};
    const from = (key: string) => deliveries.filter((d) => d.spec.sourceStreamArn === (p[key] ?? p['sink.stream.arn']));
    const e = expectedIotResults([...plan.readings, { deviceId: 'sensor-tick', machineId: 'machine-tick', ts: plan.tick.timestamp, temperature: 60 }], {
      statsWindowMinutes: Number(p['stats.window.minutes'] ?? 10),
      sigma: Number(p['anomaly.sigma'] ?? 3),
      minSamples: Number(p['anomaly.min.samples'] ?? 5),
      watermarkDelaySeconds: LOCAL_WATERMARK_DELAY_SECONDS,
    });
    const one = (key: string) => from(key)[0] ?? fail(`${f.logicalId}: no delivery reads its ${key}`);
    const checks: FlinkHopCheck[] = [
      { name: `Flink dead letters (${f.logicalId})`, expected: plan.malformed, delivery: one('dlq.stream.arn'), detail: 'every reading the schema refuses, once', deadLetters: true },
    ];
    const anomalies = one('anomalies.stream.arn');
    const aggregates = one('aggregates.stream.arn');
    if (anomalies === aggregates) {
      checks.push({ name: `Flink results (${f.logicalId})`, expected: e.anomalies + e.machineMinuteRows, delivery: anomalies, detail: `${e.anomalies} anomalies + ${e.machineMinuteRows} machine minutes`, deadLetters: false });
    } else {
      checks.push({ name: `Flink anomalies (${f.logicalId})`, expected: e.anomalies, delivery: anomalies, detail: `readings up to ${new Date(e.watermark).toISOString()}`, deadLetters: false });
      checks.push({ name: `Flink machine minutes (${f.logicalId})`, expected: e.machineMinuteRows, delivery: aggregates, detail: 'one row per machine and closed minute', deadLetters: false });
    }
    // a second delivery of a Flink output (the anomalies to OpenSearch) must see the same records
    for (const [key, check] of [['anomalies.stream.arn', checks[1]], ['aggregates.stream.arn', checks[checks.length - 1]]] as const) {
      for (const d of from(key).slice(1)) checks.push({ ...check, name: `${check.name} via ${d.spec.name}`, delivery: d });
    }
    return checks;
  }) : [];
  for (const f of flink.filter((h) => h.deadLetters)) await waitUntil(f.name, deadline, () => f.delivery.counters.records >= f.expected);
  if (flink.length > 0) await sleep(2000);
  await putAll(c.kinesis, rule.streamName, [toRecord(plan.tick)]);
  await waitUntil('the raw archive', deadline, () => (raw?.counters.records ?? 0) >= total);
  for (const f of flink) await waitUntil(f.name, deadline, () => f.delivery.counters.records >= f.expected);
  for (const m of mappings) await m.stop();
  for (const d of deliveries) await d.stop();
  const hops: Hop[] = [{
    name: `messages in (${rule.streamName})`,
    expected: total,
    actual: raw?.counters.records ?? 0,
    detail: `${plan.valid} valid + ${plan.malformed} malformed + 1 tick, through the rule's SQL`,
  }];
  for (const f of flink) hops.push({ name: f.name, expected: f.expected, actual: f.delivery.counters.records, detail: f.detail });
  for (const d of deliveries) {
    const check = flink.find((f) => f.delivery === d);
    if (d.spec.destination === 'opensearch') {
      hops.push({ name: `delivery ${d.spec.name}`, expected: check?.expected, actual: d.counters.documents, detail: 'documents for OpenSearch (counted, not indexed)' });
    } else {
      const under = await linesUnder(c.s3, d.spec.bucket, prefixRoot(d.spec.prefix));
      hops.push({
        name: `delivery ${d.spec.name}`,
        expected: d === raw ? total : check?.expected,
        actual: under.lines.length,
        detail: `${under.objects} objects under ${prefixRoot(d.spec.prefix)}`,
      });
    }
  }
  if (!args.flink && wiring.flink.length > 0) hops.push({ name: 'Flink', expected: undefined, actual: 0, detail: 'not run (--no-flink)' });
  console.log(`iot --once: data path in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return report(hops);
}

/**
 * The live view's event clock: it starts 10 minutes back and runs 20 times faster than the wall clock until it is 3
 * minutes ahead of it (inside the Flink job's 300 s future skew), then at wall-clock speed. Windows close every few
 * seconds at first, then once a minute.
 */
function liveClock(): () => number {
  const start = Date.now();
  return () => {
    const now = Date.now();
    return Math.min(start - 10 * MINUTE_MS + (now - start) * 20, now + 3 * MINUTE_MS);
  };
}
const MINUTE_MS = 60_000;

/** The live view: a batch of events every second, counters per hop and the Flink results as they arrive, until Ctrl-C. */
async function live(c: Clients, wiring: Wiring, send: (batch: number) => Promise<void>, mappings: EventSourceMapping[],
  deliveries: FirehoseStandIn[]): Promise<number> {
  let stopping = false;
  onInterrupt = () => {
    console.log('stopping (SIGINT): every process this run started');
    stopping = true;
  };
  const results = wiring.flink.flatMap((f) => Object.entries(f.propertyGroups.SqlParameters ?? {})
    .filter(([k]) => (k.startsWith('sink.') || k.endsWith('.stream.arn')) && k !== 'source.stream.arn' && k !== 'dlq.stream.arn').map(([, arn]) => streamNameOf(arn)));
  const readers: ShardReader[] = [];
  for (const s of new Set(results)) for (const shard of await listShards(c.kinesis, s)) readers.push(new ShardReader(c.kinesis, s, shard, 'TRIM_HORIZON'));
  let tick = 0;
  while (!stopping) {
    await send(++tick);
    for (const r of readers) for (const rec of await r.next(100)) console.log(`result ${Buffer.from(rec.data).toString('utf8')}`);
    if (tick % 5 === 0) {
      console.log(mappings.map((m,
        i) => `${wiring.mappings[i].functionName}: ${m.counters.records} records, ${m.counters.invocations} invocations`).concat(
        deliveries.map((d) => `${d.spec.name}: ${d.counters.records} in, ${d.counters.objects} objects`)).join(' | '));
    }
    await sleep(1000);
  }
  for (const m of mappings) await m.stop();
  for (const d of deliveries) await d.stop();
  return 0;
}

/** The pollers reading moto (event source mappings, Firehose stand-ins), stopped before moto is. */
const pollers: Array<{ stop(): Promise<void> }> = [];
/** What SIGINT does once the live view runs; before that, it ends the run. */
let onInterrupt: (() => void) | undefined;

/** Stops the pollers, then every process the run started, and exits with `code`. */
async function shutdown(code: number): Promise<never> {
  // a poller's next call would fail once moto is gone: stop them first
  await Promise.all(pollers.map((p) => p.stop().catch(() => undefined)));
  await stopAll();
  process.exit(code);
}

process.on('SIGINT', () => {
  if (onInterrupt) {
    onInterrupt();
  } else {
    console.log('stopping (SIGINT): every process this run started');
    void shutdown(130);
  }
});

main().then((code) => shutdown(code), (err: Error) => {
  console.error(`local run failed: ${err.message}`);
  return shutdown(2);
});
