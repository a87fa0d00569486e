import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { KinesisStreamRecord } from 'aws-lambda';
import { poisonObject } from '../../lambda/session-consumer/poison';
import { FLINK_SINKS, poisonColumns } from '../../lib/analytics/private/lake-columns';
import { ClickstreamPipeline, IotSensorPipeline } from '../../lib/pipelines';

const ENV = { account: '123456789012', region: 'us-east-1' };
/** When Firehose received the sample records: 2026-03-04 05:06:07 UTC. */
const ARRIVAL = Date.UTC(2026, 2, 4, 5, 6, 7);

function pipelines() {
  const app = new App();
  const iotStack = new Stack(app, 'Iot', { env: ENV });
  const iot = new IotSensorPipeline(iotStack, 'Iot');
  const clickStack = new Stack(app, 'Clicks', { env: ENV });
  const clicks = new ClickstreamPipeline(clickStack, 'Clicks', { profile: { peakRecordsPerSecond: 1000, averageRecordSize: Size.bytes(500) } });
  return { iot, iotStack, clicks, clickStack };
}

/** Joins a resolved CloudFormation string, the data lake bucket's Ref standing for the bucket name `lake`. */
function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flat).join(join[0]);
  if ((value as { Ref?: string }).Ref) return 'lake';
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

interface GlueTable { name: string; parameters: Record<string, string>; partitionKeys: string[]; columns: Record<string, string> }

function glueTables(stack: Stack): Map<string, GlueTable> {
  const tables = new Map<string, GlueTable>();
  for (const r of Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')) as any[]) {
    const input = stack.resolve(r.Properties.TableInput);
    const parameters = Object.fromEntries(Object.entries(input.Parameters).map(([k, v]) => [k, flat(v)]));
    const columns: Record<string, string> = {};
    for (const c of [...input.StorageDescriptor.Columns, ...input.PartitionKeys]) columns[c.Name] = c.Type;
    tables.set(input.Name, { name: input.Name, parameters, partitionKeys: input.PartitionKeys.map((p: any) => p.Name), columns });
  }
  return tables;
}

/**
 * The S3 key Firehose writes for `record` arriving at ARRIVAL: the delivery's prefix from the template, its
 * `!{timestamp:...}` expressions from the arrival time (UTC) and its `!{partitionKeyFromQuery:k}` expressions from the
 * record through the JQ query of the delivery's metadata extraction, then an object name as Firehose forms it.
 */
function firehoseKey(stack: Stack, prefixStatic: string, record: Record<string, unknown>): string {
  const streams = Object.values(Template.fromStack(stack).findResources('AWS::KinesisFirehose::DeliveryStream')) as any[];
  const config = streams.map((s) => s.Properties.ExtendedS3DestinationConfiguration)
    .find((c) => c?.Prefix?.startsWith(prefixStatic));
  if (!config) throw new Error(`no delivery writes ${prefixStatic}`);
  const processors: any[] = config.ProcessingConfiguration?.Processors ?? [];
  const extraction = processors.find((p) => p.Type === 'MetadataExtraction');
  const query: string = extraction?.Parameters.find((p: any) => p.ParameterName === 'MetadataExtractionQuery').ParameterValue ?? '{}';
  // The library's queries are `{key:.field,...}`: evaluate them on the record.
  const keys = Object.fromEntries([...query.matchAll(/([A-Za-z0-9_]+):\.([A-Za-z0-9_]+)/g)].map((m) => [m[1], String(record[m[2]])]));
  const d = new Date(ARRIVAL);
  const two = (n: number) => String(n).padStart(2, '0');
  const time: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()), MM: two(d.getUTCMonth() + 1), dd: two(d.getUTCDate()), HH: two(d.getUTCHours()),
  };
  const prefix = (config.Prefix as string)
    .replace(/!\{timestamp:([A-Za-z]+)\}/g, (_m, f: string) => time[f])
    .replace(/!\{partitionKeyFromQuery:([A-Za-z0-9_]+)\}/g, (_m, k: string) => {
      if (keys[k] === undefined) throw new Error(`no query extracts ${k}`);
      return keys[k];
    });
  return `${prefix}delivery-1-2026-03-04-05-06-07-0b1c2d3e-0000-4000-8000-000000000000.gz`;
}

/**
 * The partition values Athena's projection gives an object key: the key must lie under the table's
 * `storage.location.template` with each `${column}` replaced by a value its `projection.<column>.*` rules allow.
 */
function projectedPartition(table: GlueTable, key: string): Record<string, string> {
  const p = table.parameters;
  expect(p['projection.enabled']).toBe('true');
  const template = p['storage.location.template'];
  expect(template).toMatch(/\/$/);
  const columns: string[] = [];
  const pattern = template.split(/(\$\{[a-z_]+\})/).map((part) => {
    const m = /^\$\{([a-z_]+)\}$/.exec(part);
    if (!m) return part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
    columns.push(m[1]);
    return p[`projection.${m[1]}.type`] === 'date' ? `(${dateRegex(p[`projection.${m[1]}.format`])})` : '([^/]+)';
  }).join('');
  expect(columns).toEqual(table.partitionKeys);
  const match = new RegExp(`^${pattern}`).exec(`s3://lake/${key}`);
  if (!match) throw new Error(`${key} is not under ${template}`);
  const values: Record<string, string> = {};
  columns.forEach((c, i) => {
    const v = match[i + 1];
    const type = p[`projection.${c}.type`];
    if (type === 'integer') {
      const [min, max] = p[`projection.${c}.range`].split(',').map(Number);
      expect(Number(v)).toBeGreaterThanOrEqual(min);
      expect(Number(v)).toBeLessThanOrEqual(max);
      expect(v).toHaveLength(Number(p[`projection.${c}.digits`]));
      expect(v).toMatch(/^\d+$/);
    } else if (type === 'date') {
      // The formats in use are numeric: yyyy, MM, dd, HH and literal separators.
      expect(v).toMatch(new RegExp(`^${dateRegex(p[`projection.${c}.format`])}$`));
      expect(p[`projection.${c}.range`]).toMatch(/,NOW$/);
    } else {
      expect(type).toBe('injected');
    }
    values[c] = v;
  });
  // The object must be directly in (or, for the poison records, below) the partition's folder.
  expect(key.length).toBeGreaterThan(match[0].length - 's3://lake/'.length);
  return values;
}

/** A regular expression of the values of a numeric date format (yyyy, MM, dd, HH and literal separators). */
function dateRegex(format: string): string {
  return format.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&').replace('yyyy', '\\d{4}').replace(/MM|dd|HH/g, '\\d{2}');
}

describe('data lake tables', () => {
  const { iot, iotStack, clicks, clickStack } = pipelines();
  const iotTables = glueTables(iotStack);
  const clickTables = glueTables(clickStack);

  test('every prefix a pipeline writes has a table with projection', () => {
    expect([...iotTables.keys()].sort()).toEqual(['anomalies', 'dead_letters', 'machine_minutes', 'raw_readings']);
    expect([...clickTables.keys()].sort()).toEqual(['dead_letters', 'insights', 'poison_records', 'raw_clicks']);
    for (const t of [...iotTables.values(), ...clickTables.values()]) expect(t.parameters['projection.enabled']).toBe('true');
    expect(iot.anomaliesDelivery.glueDatabaseName).toBe(iot.analytics.databaseName);
    expect(clicks.insightsDelivery.glueDatabaseName).toBe(clicks.analytics.databaseName);
  });

  test.each([
    ['iot raw readings', 'raw_readings', 'raw/', { deviceId: 'sensor-0001', machineId: 'press-07', ts: 1, temperature: 70 },
      { year: '2026', month: '03', day: '04', hour: '05' }],
    ['iot anomalies', 'anomalies', 'anomalies/', { record_type: 'iot_anomaly', device_id: 'sensor-0001', machine_id: 'press-07' },
      { device_id: 'sensor-0001', year: '2026', month: '03', day: '04' }],
    ['iot machine aggregates', 'machine_minutes', 'machine-minutes/', { record_type: 'iot_machine_minute', machine_id: 'press-07' },
      { machine_id: 'press-07', year: '2026', month: '03', day: '04' }],
    ['iot dead letters', 'dead_letters', 'dead-letters/', { record_type: 'dead_letter', error: 'not a JSON object' },
      { year: '2026', month: '03', day: '04', hour: '05' }],
  ])('%s: the key Firehose writes maps to the right partition values', (_name, table, prefix, record, expected) => {
    const key = firehoseKey(iotStack, prefix, record);
    expect(projectedPartition(iotTables.get(table)!, key)).toEqual(expected);
  });

  test.each([
    ['raw clicks', 'raw_clicks', 'raw-clicks/', { eventId: 'e-1', eventType: 'page_view', userId: 'u-1', timestamp: 1 },
      { year: '2026', month: '03', day: '04', hour: '05' }],
    ['top products', 'insights', 'insights/', { record_type: 'top_products', product_id: 'sku-1', view_count: 3 },
      { record_type: 'top_products', year: '2026', month: '03', day: '04' }],
    ['traffic minutes', 'insights', 'insights/', { record_type: 'traffic_minute', events: 10 },
      { record_type: 'traffic_minute', year: '2026', month: '03', day: '04' }],
    ['clickstream dead letters', 'dead_letters', 'dead-letters/', { record_type: 'dead_letter' },
      { year: '2026', month: '03', day: '04', hour: '05' }],
  ])('%s: the key Firehose writes maps to the right partition values', (_name, table, prefix, record, expected) => {
    const key = firehoseKey(clickStack, prefix, record);
    expect(projectedPartition(clickTables.get(table)!, key)).toEqual(expected);
  });

  test('poison records: the key the session consumer writes maps to its arrival day', () => {
    const fn = Object.values(Template.fromStack(clickStack).findResources('AWS::Lambda::Function'))
      .find((f: any) => f.Properties.Environment?.Variables?.POISON_PREFIX) as any;
    const prefix = fn.Properties.Environment.Variables.POISON_PREFIX;
    const record = {
      eventSource: 'aws:kinesis',
      eventID: 'shardId-000000000001:4959',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
      kinesis: { partitionKey: 'u-1', sequenceNumber: '4959', data: 'bm90IGpzb24=', approximateArrivalTimestamp: ARRIVAL / 1000, kinesisSchemaVersion: '1.0' },
    } as unknown as KinesisStreamRecord;
    const object = poisonObject(prefix, record, 'not JSON', ARRIVAL);
    expect(projectedPartition(clickTables.get('poison_records')!, object.key)).toEqual({ dt: '2026/03/04' });
    // The columns are the object's keys, and the struct reaches the payload.
    const body = JSON.parse(object.body);
    expect(Object.keys(body).map((k) => k.toLowerCase()).sort()).toEqual(poisonColumns().map((c) => c.name).sort());
    expect(body.record.kinesis.data).toBe('bm90IGpzb24=');
  });

  test('the tables of the Flink results have the columns of the jobs\' sink tables', () => {
    for (const sink of Object.values(FLINK_SINKS)) {
      const sql = fs.readFileSync(path.join(__dirname, '..', '..', 'flink', 'src', 'main', 'resources', 'sql', sink.script), 'utf-8');
      const body = new RegExp(`CREATE TABLE ${sink.table} \\(([\\s\\S]*?)\\n\\)`, 'm').exec(sql);
      expect(body).not.toBeNull();
      const columns = body![1].split(',\n').map((l) => l.trim().split(/\s+/)).map(([n, t]) => [n, t]);
      expect(columns).toEqual(sink.columns.map(([n, t]) => [n, t]));
    }
    const insights = clickTables.get('insights')!.columns;
    for (const sink of [FLINK_SINKS.TOP_PRODUCTS, FLINK_SINKS.TRAFFIC_MINUTES]) {
      for (const [name] of sink.columns) expect(insights[name]).toBeDefined();
    }
    expect(iotTables.get('anomalies')!.columns.z_score).toBe('double');
    expect(iotTables.get('raw_readings')!.columns).toMatchObject({ deviceid: 'string', ts: 'bigint', temperature: 'double' });
  });

  test('every saved query parses as Trino SQL and names only tables and columns of the Glue tables', () => {
    for (const [stack, tables, expected] of [
      [iotStack, iotTables, 3],
      [clickStack, clickTables, 4],
    ] as const) {
      const queries = Object.fromEntries((Object.values(Template.fromStack(stack).findResources('AWS::Athena::NamedQuery')) as any[])
        .map((q) => [q.Properties.Name, q.Properties.QueryString]));
      expect(Object.keys(queries)).toHaveLength(expected);
      const input = { tables: Object.fromEntries([...tables.values()].map((t) => [t.name, t.columns])), queries };
      const out = spawnSync(path.join(__dirname, '..', '..', '.venv', 'bin', 'python'), [path.join(__dirname, 'check-queries.py')], { input: JSON.stringify(input), encoding: 'utf-8' });
      expect(out.stderr).toBe('');
      const results = JSON.parse(out.stdout);
      expect(results).toEqual(Object.fromEntries(Object.keys(queries).map((k) => [k, null])));
    }
  });

  test('the query check rejects an unknown column and an unknown table', () => {
    const input = {
      tables: { anomalies: { device_id: 'string', year: 'string' } },
      queries: { column: 'SELECT temperature FROM anomalies', table: 'SELECT device_id FROM readings', syntax: 'SELECT FROM WHERE' },
    };
    const out = spawnSync(path.join(__dirname, '..', '..', '.venv', 'bin', 'python'), [path.join(__dirname, 'check-queries.py')], { input: JSON.stringify(input), encoding: 'utf-8' });
    const results = JSON.parse(out.stdout);
    expect(results.column).toMatch(/temperature/);
    expect(results.table).toMatch(/readings/);
    expect(results.syntax).not.toBeNull();
  });
});
