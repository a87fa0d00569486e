import fc from 'fast-check';
import { DEFAULT_MAX_RECORD_BYTES, InputRecord, TransformConfig, configFromEnv, transformBatch, transformRecord } from '../../../lambda/firehose-transform/transform';
import { assertProperty } from '../../support/property';

const CONFIG: TransformConfig = { ingestTimestampField: 'ingested_at', maxRecordBytes: 1024, appendNewline: true, responseBudgetBytes: 6_000_000 };
const ARRIVAL = Date.UTC(2024, 4, 27, 9, 30, 0, 123);

function record(data: string | Buffer, id = 'r1', at = ARRIVAL): InputRecord {
  return { recordId: id, approximateArrivalTimestamp: at, data: (typeof data === 'string' ? Buffer.from(data, 'utf-8') : data).toString('base64') };
}

function decode(data: string): string {
  return Buffer.from(data, 'base64').toString('utf-8');
}

describe('transformRecord', () => {
  test('stamps a JSON object with its arrival time and ends it with a newline', () => {
    const out = transformRecord(record('{"site":"a","t":1.5}'), CONFIG);
    expect('data' in out && decode(out.data)).toBe('{"site":"a","t":1.5,"ingested_at":"2024-05-27T09:30:00.123Z"}\n');
  });

  test('accepts a record the producer already ended with a newline', () => {
    const out = transformRecord(record('{"site":"a"}\n'), CONFIG);
    expect('data' in out && decode(out.data)).toBe('{"site":"a","ingested_at":"2024-05-27T09:30:00.123Z"}\n');
  });

  test('adds nothing when the field is empty and no newline when turned off', () => {
    const out = transformRecord(record('{"site":"a"}'), { ...CONFIG, ingestTimestampField: '', appendNewline: false });
    expect('data' in out && decode(out.data)).toBe('{"site":"a"}');
  });

  test.each([
    ['not-json', 'Hello, this is a test 123.'],
    ['not-json', '{"site":'],
    ['not-an-object', '[1,2]'],
    ['not-an-object', '"text"'],
    ['not-an-object', 'null'],
    ['not-an-object', '42'],
  ])('marks %s: %s', (reason, data) => {
    expect(transformRecord(record(data), CONFIG)).toEqual({ reason });
  });

  test('marks bytes that are not UTF-8', () => {
    expect(transformRecord(record(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])), CONFIG)).toEqual({ reason: 'not-utf8' });
  });

  test('marks a record too large as received, and one that the timestamp makes too large', () => {
    expect(transformRecord(record(`{"b":"${'x'.repeat(2000)}"}`), CONFIG)).toEqual({ reason: 'oversized' });
    const justFits = `{"b":"${'x'.repeat(1024 - 8)}"}`;
    expect(Buffer.byteLength(justFits)).toBe(1024);
    expect(transformRecord(record(justFits), CONFIG)).toEqual({ reason: 'oversized' });
    expect(transformRecord(record(justFits), { ...CONFIG, ingestTimestampField: '', appendNewline: false })).toHaveProperty('data');
  });
});

describe('transformBatch', () => {
  test('returns every record id in order, Ok or ProcessingFailed with the original data', () => {
    const input = [record('{"a":1}', 'r1'), record('oops', 'r2'), record('{"a":2}', 'r3')];
    const { records, failures } = transformBatch(input, CONFIG);
    expect(records.map((r) => [r.recordId, r.result])).toEqual([['r1', 'Ok'], ['r2', 'ProcessingFailed'], ['r3', 'Ok']]);
    expect(records[1].data).toBe(input[1].data);
    expect(failures).toEqual([{ recordId: 'r2', reason: 'not-json' }]);
  });

  test('property: ids and order are preserved, failed records keep their data, Ok records are one JSON object per line', () => {
    const recordArb = fc.record({
      id: fc.uuid(),
      body: fc.oneof(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.boolean())).map((o) => JSON.stringify(o)),
        fc.string(),
        fc.constant('[]'),
      ),
    });
    assertProperty(fc.property(fc.array(recordArb, { maxLength: 40 }), (items) => {
      const input = items.map((i) => record(i.body, i.id));
      const { records, failures } = transformBatch(input, { ...CONFIG, maxRecordBytes: DEFAULT_MAX_RECORD_BYTES });
      expect(records.map((r) => r.recordId)).toEqual(input.map((r) => r.recordId));
      expect(failures.map((f) => f.recordId)).toEqual(records.filter((r) => r.result === 'ProcessingFailed').map((r) => r.recordId));
      records.forEach((r, i) => {
        if (r.result === 'ProcessingFailed') {
          expect(r.data).toBe(input[i].data);
        } else {
          const text = decode(r.data);
          expect(text.endsWith('\n')).toBe(true);
          const parsed = JSON.parse(text);
          expect(parsed.ingested_at).toBe('2024-05-27T09:30:00.123Z');
        }
      });
    }));
  });

  test('property: the response never exceeds the budget when the originals fit in it', () => {
    const sizesArb = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 });
    assertProperty(fc.property(sizesArb, fc.integer({ min: 2_000, max: 40_000 }), (sizes, budget) => {
      const input = sizes.map((n, i) => record(`{"p":"${'y'.repeat(n)}"}`, `id-${i}`));
      const { records } = transformBatch(input, { ...CONFIG, responseBudgetBytes: budget });
      const originals = JSON.stringify({ records: input.map((r) => ({ recordId: r.recordId, result: 'ProcessingFailed', data: r.data })) }).length;
      const response = JSON.stringify({ records }).length;
      if (originals <= budget) expect(response).toBeLessThanOrEqual(budget);
      expect(records).toHaveLength(input.length);
    }));
  });

  test('records beyond the budget are failed with reason response-budget, the earlier ones transformed', () => {
    const input = Array.from({ length: 10 }, (_, i) => record('{"a":1}', `id-${i}`));
    const originals = JSON.stringify({ records: input.map((r) => ({ recordId: r.recordId, result: 'ProcessingFailed', data: r.data })) }).length;
    const { records, failures } = transformBatch(input, { ...CONFIG, responseBudgetBytes: originals + 120 });
    expect(records[0].result).toBe('Ok');
    expect(records[records.length - 1].result).toBe('ProcessingFailed');
    expect(new Set(failures.map((f) => f.reason))).toEqual(new Set(['response-budget']));
  });
});

describe('configFromEnv', () => {
  test('reads the environment the construct sets, with defaults', () => {
    expect(configFromEnv({})).toEqual({ ingestTimestampField: 'ingested_at', maxRecordBytes: DEFAULT_MAX_RECORD_BYTES, appendNewline: true, responseBudgetBytes: 6_000_000 });
    expect(configFromEnv({ INGEST_TIMESTAMP_FIELD: '', MAX_RECORD_BYTES: '2048', APPEND_NEWLINE: 'false' }))
      .toMatchObject({ ingestTimestampField: '', maxRecordBytes: 2048, appendNewline: false });
    expect(configFromEnv({ MAX_RECORD_BYTES: 'junk' }).maxRecordBytes).toBe(DEFAULT_MAX_RECORD_BYTES);
  });
});
