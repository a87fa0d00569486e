/**
 * The one definition of each event (schemas/*.schema.json) against every TypeScript consumer of its stream: every line of
 * schemas/examples/*.valid.jsonl is accepted, every line of *.invalid.jsonl is rejected or kept whole, never dropped.
 * (The Flink jobs have the same test on the Java side.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import { App, Size, Stack, aws_apigateway as apigw } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { KinesisStreamRecord } from 'aws-lambda';
import { configFromEnv, transformBatch } from '../../lambda/firehose-transform/transform';
import { ClickEventJson, clickEventSchema } from '../../lambda/session-consumer/click-event';
import { parseRecord } from '../../lambda/session-consumer/events';
import { ClickstreamPipeline, FlinkCode, IotSensorPipeline, PipelineStream, StreamIngestionApi } from '../../lib';
import { CLICK_EVENT_SCHEMA_FILE, SENSOR_READING_SCHEMA_FILE, loadJsonSchema, toJsonSchema } from '../../lib/pipelines/private/event-schemas';
import { applyIotRule, parseIotSql } from '../../local/iot-rule';

const ROOT = path.join(__dirname, '..', '..');
const lines = (name: string): unknown[] => fs.readFileSync(path.join(ROOT, 'schemas', 'examples', name), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
const clickValid = lines('click-event.valid.jsonl');
const clickInvalid = lines('click-event.invalid.jsonl');
const sensorValid = lines('sensor-reading.valid.jsonl');
const sensorInvalid = lines('sensor-reading.invalid.jsonl');
const sensorSchema = JSON.parse(fs.readFileSync(SENSOR_READING_SCHEMA_FILE, 'utf8'));

const env = { account: '123456789012', region: 'us-east-1' };
const STAND_IN_JAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
fs.writeFileSync(STAND_IN_JAR, 'stand-in');

function ajv(): Ajv {
  return new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
}

/** A Kinesis record of the Lambda event carrying a JSON value, arrived on 2026-01-05 at noon (the examples' day). */
function kinesisRecord(value: unknown, seq: number): KinesisStreamRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'k',
      sequenceNumber: String(seq),
      data: Buffer.from(JSON.stringify(value)).toString('base64'),
      approximateArrivalTimestamp: Date.UTC(2026, 0, 5, 12) / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
  };
}

/** The synthesized `records[].data` model of the API a ClickstreamPipeline puts in front of its clicks stream, compiled. */
function ingestionModel(build: (stack: Stack) => void): (body: unknown) => boolean {
  const stack = new Stack(new App(), 'Test', { env });
  build(stack);
  const models = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Model'));
  expect(models).toHaveLength(1);
  return ajv().compile(models[0].Properties.Schema);
}
const put = (data: unknown) => ({ records: [{ partitionKey: 'k', data }] });

describe('click event (schemas/click-event.schema.json)', () => {
  test('the examples are what the schema says: valid lines valid, invalid lines invalid', () => {
    const validate = ajv().compile(clickEventSchema);
    expect(clickValid.map((e) => validate(e))).toEqual(clickValid.map(() => true));
    expect(clickInvalid.map((e) => validate(e))).toEqual(clickInvalid.map(() => false));
  });

  test('the session consumer accepts every valid line and keeps every invalid line as malformed (whole, in the failure bucket)', () => {
    const parsed = clickValid.map((e, i) => parseRecord(kinesisRecord(e, i)));
    expect(parsed.map((p) => p.kind === 'malformed' ? p.reason : p.kind)).toEqual(clickValid.map(() => 'event'));
    // sessionId, the client's session id, is carried as the session's hint
    expect(parsed[0]).toEqual({ kind: 'event', event: expect.objectContaining({ eventId: 'e-0001', userKey: 'u:u-77', sessionHint: 's-1234', productId: 'sku-123' }) });
    // an ISO time with an offset is the instant it names (the record arrives a second later, within the clock tolerance)
    const third = kinesisRecord(clickValid[2], 2);
    const own = parseRecord({ ...third, kinesis: { ...third.kinesis, approximateArrivalTimestamp: Date.parse('2026-01-05T09:00:03Z') / 1000 } });
    expect(own.kind === 'event' && own.event.timestamp).toBe(Date.parse('2026-01-05T09:00:02.250Z'));
    expect(clickInvalid.map((e, i) => parseRecord(kinesisRecord(e, i)).kind)).toEqual(clickInvalid.map(() => 'malformed'));
  });

  test('the ingestion API of a ClickstreamPipeline takes a request of valid lines and refuses one with an invalid line or _ingest', () => {
    const validate = ingestionModel((stack) => new ClickstreamPipeline(stack, 'Clicks', {
      profile: { peakRecordsPerSecond: 100, averageRecordSize: Size.bytes(500) },
      flinkCode: FlinkCode.sqlRunner({ jarPath: STAND_IN_JAR }),
      ingestionApiEnabled: true,
    }));
    expect(clickValid.map((e) => validate(put(e)))).toEqual(clickValid.map(() => true));
    expect(validate({ records: clickValid.map((data, i) => ({ partitionKey: `k${i}`, data })) })).toBe(true);
    expect(clickInvalid.map((e) => validate(put(e)))).toEqual(clickInvalid.map(() => false));
    expect(validate({ records: [...clickValid, clickInvalid[0]].map((data) => ({ partitionKey: 'k', data })) })).toBe(false);
    expect(validate(put({ ...(clickValid[0] as object), _ingest: { at: 1 } }))).toBe(false);
  });

  test('a StreamIngestionApi without a data schema takes any object but _ingest', () => {
    const validate = ingestionModel((stack) => new StreamIngestionApi(stack, 'Api', { stream: new PipelineStream(stack, 'S').stream }));
    expect(validate(put({ anything: 1 }))).toBe(true);
    expect(validate(put([1]))).toBe(false);
    expect(validate(put({ _ingest: 1 }))).toBe(false);
  });

  test('the Firehose transform writes every valid line and keeps every line whole (transformed or as a failure)', () => {
    const config = configFromEnv({});
    const input = [...clickValid, ...clickInvalid].map((e, i) => ({
      recordId: String(i), approximateArrivalTimestamp: Date.UTC(2026, 0, 5, 12), data: Buffer.from(JSON.stringify(e)).toString('base64'),
    }));
    const out = transformBatch(input, config);
    expect(out.records.map((r) => r.recordId)).toEqual(input.map((r) => r.recordId));
    expect(out.records.slice(0, clickValid.length).map((r) => r.result)).toEqual(clickValid.map(() => 'Ok'));
    for (const [i, r] of out.records.entries()) {
      if (r.result === 'ProcessingFailed') expect(r.data).toBe(input[i].data);
      else expect(JSON.parse(Buffer.from(r.data, 'base64').toString())).toMatchObject(JSON.parse(Buffer.from(input[i].data, 'base64').toString()));
    }
  });

  test('ClickEventJson names exactly the schema properties (plus the reserved _ingest)', () => {
    // A missing or extra key here fails the type check: the object covers ClickEventJson exactly.
    const keys: Record<keyof ClickEventJson, true> = {
      eventId: true, userId: true, anonymousId: true, sessionId: true, eventType: true, productId: true, page: true, timestamp: true, _ingest: true,
    };
    expect(Object.keys(keys).filter((k) => k !== '_ingest').sort()).toEqual(Object.keys(clickEventSchema.properties).sort());
    expect(clickEventSchema.required.every((r) => r in keys)).toBe(true);
  });

  test('every schema file converts to an API Gateway model without loss', () => {
    for (const file of [CLICK_EVENT_SCHEMA_FILE, SENSOR_READING_SCHEMA_FILE]) {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      const stack = new Stack();
      const api = new apigw.RestApi(stack, 'A');
      api.root.addMethod('GET');
      api.addModel('M', { schema: loadJsonSchema(file) });
      expect(Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::Model'))[0].Properties.Schema).toEqual(raw);
    }
  });

  test('throws on a keyword the API Gateway model type lacks, or a version other than draft 4', () => {
    expect(() => toJsonSchema({ type: 'object', $id: 'x' }, 'f.json')).toThrow('f.json/$id: unknown JSON Schema keyword');
    expect(() => toJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#' }, 'f.json')).toThrow('draft 4');
    expect(() => toJsonSchema({ properties: { a: { type: 'decimal' } } }, 'f.json')).toThrow('f.json/properties/a/type: unknown type "decimal"');
  });
});

describe('sensor reading (schemas/sensor-reading.schema.json)', () => {
  test('the examples are what the schema says', () => {
    const validate = ajv().compile(sensorSchema);
    expect(sensorValid.map((e) => validate(e))).toEqual(sensorValid.map(() => true));
    expect(sensorInvalid.map((e) => validate(e))).toEqual(sensorInvalid.map(() => false));
  });

  test("the IotSensorPipeline's default rule turns a device's message into a valid reading: deviceId from the topic, ingestedAt added", () => {
    const stack = new Stack(new App(), 'Test', { env });
    new IotSensorPipeline(stack, 'Iot', { flinkCode: FlinkCode.sqlRunner({ jarPath: STAND_IN_JAR }) });
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::IoT::TopicRule'));
    const iot = parseIotSql(rule.Properties.TopicRulePayload.Sql);
    const validate = ajv().compile(sensorSchema);
    for (const reading of sensorValid as Array<Record<string, unknown>>) {
      const { deviceId, ingestedAt: _set, ...message } = reading;
      const out = applyIotRule(iot, `sensors/${deviceId}/telemetry`, message, 1767607200150);
      expect(out).toEqual({ ...message, deviceId, ingestedAt: 1767607200150 });
      expect(validate(out)).toBe(true);
    }
    // the rule adds only fields the schema defines, with the schema's types
    for (const p of iot.projections) expect(Object.keys(sensorSchema.properties)).toContain(p.alias);
    // a device's message that lacks what the schema requires stays invalid after the rule (the Flink job dead-letters it)
    const noMachine = applyIotRule(iot, 'sensors/sensor-0001/telemetry', { ts: 1767607200000, temperature: 1 }, 1);
    expect(validate(noMachine)).toBe(false);
  });
});
