/**
 * Valid input at the edge of what the session consumer accepts: the longest ids, the largest records, client clocks that
 * are off. Pure parts; the handler-level cases are in handler.test.ts ("valid input at the edges").
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import * as fc from 'fast-check';
import { ClickEventLimits } from '../../../lambda/session-consumer/click-event';
import { emitSummaries, MAX_PARTITION_KEY_LENGTH, PutRecords, summaryPartitionKey } from '../../../lambda/session-consumer/emitter';
import { CLOCK_TOLERANCE_MS, parseRecord } from '../../../lambda/session-consumer/events';
import { advance, ClickEvent, SessionizeOptions, UserState } from '../../../lambda/session-consumer/sessionize';
import { consumerClock, type SessionSummary } from '../../../lambda/session-consumer/store';
import { decodeStrictBase64 } from '../../../lambda/shared/base64';
import { assertProperty } from '../../support/property';

const MIN = 60_000;
const SEED = 20261207;
const T0 = Date.UTC(2026, 0, 5, 10);
const options: SessionizeOptions = { gapMs: 30 * MIN, conversionEventTypes: new Set(['purchase']) };

let seq = 1000n;
function record(body: unknown, arrival: number, raw?: string): KinesisStreamRecord {
  seq += 1n;
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'k',
      sequenceNumber: String(seq),
      approximateArrivalTimestamp: arrival / 1000,
      data: raw ?? Buffer.from(JSON.stringify(body)).toString('base64'),
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000001:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks',
  };
}

function eventOf(r: KinesisStreamRecord): ClickEvent {
  const p = parseRecord(r);
  if (p.kind !== 'event') throw new Error(`expected an event, got ${p.reason}`);
  return p.event;
}

describe('records up to the stream\'s largest record', () => {
  test('a valid 4 MiB click event parses (the old base64 pattern threw RangeError on it)', () => {
    const body = { eventId: 'e', userId: 'u', eventType: 'page_view', timestamp: T0, blob: 'z'.repeat(4 * 1024 * 1024) };
    expect(eventOf(record(body, T0)).eventId).toBe('e');
  });

  test('a 10 MiB record that is not JSON, or not base64, is malformed, never an exception', () => {
    const text = `{"eventId":"e","pad":"${'q'.repeat(10 * 1024 * 1024 - 40)}`;
    expect(parseRecord(record(undefined, T0, Buffer.from(text).toString('base64')))).toEqual({ kind: 'malformed', reason: 'data is not JSON' });
    const notBase64 = `${Buffer.from(text).toString('base64').slice(0, -8)}!!!!====`;
    expect(parseRecord(record(undefined, T0, notBase64))).toEqual({ kind: 'malformed', reason: 'data is not base64' });
  });

  test('strict base64: canonical padded standard alphabet only', () => {
    expect(decodeStrictBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeStrictBase64('')?.length).toBe(0);
    for (const bad of ['aGk', 'aGk=\n', 'aG k=', 'aGl=', 'aGk-', 'a===', '====', 'aGk_', 'aGs=aGs=']) expect(decodeStrictBase64(bad)).toBeUndefined();
    assertProperty(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const b = Buffer.from(bytes);
      expect(decodeStrictBase64(b.toString('base64'))?.equals(b)).toBe(true);
      expect(decodeStrictBase64(b.toString('base64url') + '*')).toBeUndefined();
    }), { seed: SEED, numRuns: 300 });
  });
});

describe('ids at their maximum length', () => {
  test('property: the summary partition key of any accepted user or anonymous id fits Kinesis and is stable', () => {
    const id = fc.string({ unit: 'binary', minLength: 1, maxLength: ClickEventLimits.MAX_ID_LENGTH });
    assertProperty(fc.property(id, fc.constantFrom('u:', 'a:'), (raw, prefix) => {
      const userKey = `${prefix}${raw}`;
      const key = summaryPartitionKey(userKey);
      expect([...key].length).toBeGreaterThanOrEqual(1);
      expect([...key].length).toBeLessThanOrEqual(MAX_PARTITION_KEY_LENGTH);
      expect(summaryPartitionKey(userKey)).toBe(key);
    }), { seed: SEED, numRuns: 500 });
    expect(summaryPartitionKey('u:alice')).toBe('u:alice');
    expect(summaryPartitionKey(`u:${'x'.repeat(256)}`)).toMatch(/^h:[0-9a-f]{64}$/);
  });

  test('one entry the stream refuses never holds back the others of its request', async () => {
    const requests: number[] = [];
    // Like Kinesis: a partition key over 256 characters fails the whole request.
    const put: PutRecords = async (command: PutRecordsCommand) => {
      const records = command.input.Records!;
      requests.push(records.length);
      if (records.some((r) => r.PartitionKey === 'poison')) throw Object.assign(new Error('invalid'), { name: 'InvalidArgumentException' });
      return { Records: records.map(() => ({ SequenceNumber: '1', ShardId: 'shardId-0' })), FailedRecordCount: 0 };
    };
    const entries = Array.from({ length: 9 }, (_, i) => ({
      partitionKey: i === 4 ? 'poison' : `u:${i}`, summary: { sessionId: `s${i}` } as unknown as SessionSummary,
    }));
    const result = await emitSummaries(put, 'arn', entries, { sleep: async () => undefined });
    expect(result.emitted).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(result.failed).toEqual([{ index: 4, errorCode: 'InvalidArgumentException' }]);
    // Halved around the bad entry, never resent once alone: 1 + 2 + 2 + 2 requests (9 -> 4|5 -> 2|2 -> 1|1), each entry once.
    expect(requests.reduce((a, b) => a + b, 0)).toBeLessThan(9 * 4);
    // And an entry that cannot fit is failed without a request.
    const tooLong = await emitSummaries(put, 'arn', [{ partitionKey: 'x'.repeat(257), summary: {} as SessionSummary }], { sleep: async () => undefined });
    expect(tooLong.failed).toEqual([{ index: 0, errorCode: 'InvalidEntry' }]);
  });
});

describe('client clocks', () => {
  const click = (id: string, arrivalMin: number, skewMin = 0) => eventOf(record(
    { eventId: id, userId: 'alice', eventType: 'page_view', timestamp: T0 + (arrivalMin + skewMin) * MIN }, T0 + arrivalMin * MIN,
  ));

  test.each([['fast', 120], ['slow', -120]])('one event from a clock 2 h %s neither splits the session nor makes on-time events late', (_name, skew) => {
    let state: UserState = {};
    const first = advance(state, [click('e1', 0), click('e2', 1, skew), click('e3', 2)], options);
    state = first.state;
    const second = advance(state, [click('e4', 5), click('e5', 6)], options);
    expect([...first.closed, ...second.closed]).toEqual([]);
    expect(second.assignments.every((a) => a.sessionId === state.open!.sessionId)).toBe(true);
    expect(second.state.open!.events).toBe(5);
    // The client's own time is kept for the audit trail.
    expect(click('e2', 1, skew)).toMatchObject({ timestamp: T0 + MIN, clientTimestamp: T0 + (1 + skew) * MIN });
  });

  test('within the tolerance the event time is used, both ways', () => {
    for (const skew of [CLOCK_TOLERANCE_MS, -CLOCK_TOLERANCE_MS, 0]) {
      const e = eventOf(record({ eventId: 'e', userId: 'u', eventType: 'x', timestamp: T0 + skew }, T0));
      expect([e.timestamp, e.clientTimestamp]).toEqual([T0 + skew, undefined]);
    }
    const beyond = eventOf(record({ eventId: 'e', userId: 'u', eventType: 'x', timestamp: T0 + CLOCK_TOLERANCE_MS + 1 }, T0));
    expect(beyond.timestamp).toBe(T0);
  });
});

describe('the consumer\'s clock', () => {
  test('runs behind the wall clock by the lag the consumer last had, never ahead', () => {
    const now = T0 + 300 * MIN;
    expect(consumerClock(undefined, now)).toBe(now);
    expect(consumerClock({ newestArrival: T0, processedAt: T0 + 120 * MIN }, now)).toBe(now - 120 * MIN);
    // A Kinesis arrival stamped after the function's clock (clock skew) counts as no lag.
    expect(consumerClock({ newestArrival: T0 + 5000, processedAt: T0 }, now)).toBe(now);
  });
});
