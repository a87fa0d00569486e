import type { KinesisStreamRecord } from 'aws-lambda';
import * as fc from 'fast-check';
import { CLOCK_TOLERANCE_MS, MAX_FUTURE_SKEW_MS, parseRecord, parseTimestamp, recordPosition } from '../../../lambda/session-consumer/events';
import { poisonObject } from '../../../lambda/session-consumer/poison';
import { assertProperty } from '../../support/property';

const ARRIVAL_S = Date.UTC(2026, 0, 5, 10) / 1000;

function record(data: string, seq = '49590338271490256608559692538361571095921575989136588898'): KinesisStreamRecord {
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'alice', sequenceNumber: seq, data, approximateArrivalTimestamp: ARRIVAL_S },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000003:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
  };
}
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
const valid = { eventId: 'e1', userId: 'alice', eventType: 'page_view', timestamp: '2026-01-05T09:59:00Z', page: '/home' };

describe('parseRecord', () => {
  test('a valid click: user key, event time from ISO or epoch milliseconds, arrival and origin from the record', () => {
    const p = parseRecord(record(b64(valid)));
    expect(p).toEqual({
      kind: 'event',
      event: {
        eventId: 'e1',
        userKey: 'u:alice',
        eventType: 'page_view',
        timestamp: Date.UTC(2026, 0, 5, 9, 59),
        arrival: ARRIVAL_S * 1000,
        page: '/home',
        origin: 'shardId-000000000003:49590338271490256608559692538361571095921575989136588898',
      },
    });
    const epoch = parseRecord(record(b64({ ...valid, userId: undefined, anonymousId: 'anon-7', timestamp: Date.UTC(2026, 0, 5, 9, 58) })));
    expect(epoch.kind === 'event' && [epoch.event.userKey, epoch.event.timestamp]).toEqual(['a:anon-7', Date.UTC(2026, 0, 5, 9, 58)]);
  });

  test.each([
    ['bad base64', 'not base64!', 'data is not base64'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), 'data is not UTF-8'],
    ['text that is not JSON', b64('{"eventId":'), 'data is not JSON'],
    ['a JSON array', b64([valid]), 'event must be object'],
    ['no user', b64({ ...valid, userId: undefined }), 'userId or anonymousId is required'],
    ['no eventId', b64({ ...valid, eventId: undefined }), 'eventId is required'],
    ['a numeric eventType', b64({ ...valid, eventType: 3 }), 'eventType must be string'],
    ['an eventType of 65 characters', b64({ ...valid, eventType: 'x'.repeat(65) }), 'eventType must NOT have more than 64 characters'],
    ['a timestamp without a time', b64({ ...valid, timestamp: '2026-01-05' }), 'timestamp must match pattern'],
    ['a timestamp without a zone', b64({ ...valid, timestamp: '2026-01-05T09:59:00' }), 'timestamp must match pattern'],
    ['a timestamp that is no date', b64({ ...valid, timestamp: '2026-13-05T09:59:00Z' }), 'timestamp is not a valid date'],
    ['a timestamp in seconds', b64({ ...valid, timestamp: 1767607200 }), 'timestamp must be >= 946684800000'],
    ['a product view without a product', b64({ ...valid, eventType: 'product_view' }), 'eventType must NOT be valid or productId is required'],
    ['a timestamp two days after arrival', b64({ ...valid, timestamp: ARRIVAL_S * 1000 + MAX_FUTURE_SKEW_MS + 1 }), 'more than a day after'],
  ])('malformed: %s', (_name, data, reason) => {
    const p = parseRecord(record(data));
    expect(p.kind).toBe('malformed');
    expect(p.kind === 'malformed' && p.reason).toContain(reason);
  });

  test('property: any object with the required fields round-trips through base64 JSON', () => {
    assertProperty(fc.property(
      fc.string({ minLength: 1, maxLength: 256 }), fc.string({ minLength: 1, maxLength: 256 }), fc.string({ minLength: 1, maxLength: 64 }),
      // Event times within the clock tolerance of the arrival are kept as they are (edges.test.ts covers the others).
      fc.integer({ min: ARRIVAL_S * 1000 - CLOCK_TOLERANCE_MS, max: ARRIVAL_S * 1000 + CLOCK_TOLERANCE_MS }),
      (eventId, userId, eventType, timestamp) => {
        const p = parseRecord(record(b64({ eventId, userId, eventType, timestamp })));
        expect(p).toEqual({ kind: 'event', event: expect.objectContaining({ eventId, userKey: `u:${userId}`, eventType, timestamp }) });
      },
    ));
  });

  test('property: random bytes never throw, they parse or are malformed', () => {
    assertProperty(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const p = parseRecord(record(Buffer.from(bytes).toString('base64')));
      expect(['event', 'malformed']).toContain(p.kind);
    }));
  });

  test('parseTimestamp accepts ISO with a zone and whole milliseconds only', () => {
    expect(parseTimestamp('2026-01-05T10:00:00+02:00')).toBe(Date.UTC(2026, 0, 5, 8));
    expect(parseTimestamp(1.5)).toBeUndefined();
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp('2026-01-05T10:00:00')).toBeUndefined();
  });
});

describe('poisonObject', () => {
  test('keyed by arrival day, shard and sequence number, so a redelivery overwrites the same object; keeps the whole record', () => {
    const r = record('not base64!');
    const a = poisonObject('poison/', r, 'data is not base64', Date.now());
    const b = poisonObject('poison/', r, 'data is not base64', Date.now() + 86_400_000);
    expect(a).toEqual(b);
    expect(a.key).toBe(`poison/2026/01/05/shardId-000000000003/${recordPosition(r).sequenceNumber}.json`);
    expect(JSON.parse(a.body)).toMatchObject({ reason: 'data is not base64', shardId: 'shardId-000000000003', record: r });
  });
});
