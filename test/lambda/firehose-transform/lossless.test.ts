/**
 * The transform is lossless: a delivery adds the ingest field and a newline, and never changes the producer's data
 * otherwise (numbers beyond double precision, duplicate keys, escapes, key order, deep nesting).
 */
import * as fc from 'fast-check';
import { TransformConfig, transformRecord } from '../../../lambda/firehose-transform/transform';
import { assertProperty } from '../../support/property';

const SEED = 20261207;
const CONFIG: TransformConfig = { ingestTimestampField: 'ingested_at', maxRecordBytes: 1000 * 1024, appendNewline: true, responseBudgetBytes: 6_000_000 };
const AT = Date.UTC(2024, 4, 27, 9, 30, 0, 123);
const STAMP = '"ingested_at":"2024-05-27T09:30:00.123Z"';

const run = (text: string | Buffer, config = CONFIG) => transformRecord(
  { recordId: 'r', approximateArrivalTimestamp: AT, data: Buffer.from(text).toString('base64') }, config,
);
const out = (text: string | Buffer, config = CONFIG): string => {
  const r = run(text, config);
  if (!('data' in r)) throw new Error(`expected Ok, got ${r.reason}`);
  return Buffer.from(r.data, 'base64').toString('utf-8');
};

describe('firehose transform: lossless', () => {
  test.each([
    ['an integer beyond 2^53', '{"id":12345678901234567890123}'],
    ['a number beyond double range', '{"x":1e400,"y":-1E-400}'],
    ['trailing zeros and exponents', '{"a":1.50,"b":1.0e+2,"c":-0}'],
    ['duplicate keys', '{"k":1,"k":2}'],
    ['unicode and escapes', '{"s":"\\u00e9\\ud83d\\ude00 é 😀 \\"\\\\\\/\\b\\f\\n\\r\\t","\\u006b":1}'],
    ['key order and spacing', '{ "z" : [ 1 , 2 ] ,"a":{}}'],
    ['__proto__ as a key', '{"__proto__":{"polluted":true}}'],
  ])('keeps %s byte for byte, adding only the field', (_name, text) => {
    expect(out(text)).toBe(`${text.slice(0, -1)},${STAMP}}\n`);
  });

  test('an empty object gets the field without a comma', () => {
    expect(out('{}')).toBe(`{${STAMP}}\n`);
    expect(out(' { \t } ')).toBe(` { \t ${STAMP}}\n`);
  });

  test('a producer field of the same name is kept, not overwritten, and no second one is added', () => {
    expect(out('{"ingested_at":"producer value","v":1}')).toBe('{"ingested_at":"producer value","v":1}\n');
    // Only a top-level field collides.
    expect(out('{"inner":{"ingested_at":1}}')).toBe(`{"inner":{"ingested_at":1},${STAMP}}\n`);
  });

  test('pretty-printed JSON becomes one line: line breaks between tokens become spaces; trailing whitespace is dropped', () => {
    expect(out('{\r\n  "a": 1,\n  "b": "x"\n}\n\n')).toBe(`{    "a": 1,   "b": "x" ,${STAMP}}\n`);
  });

  test('deep nesting is validated without a stack overflow and kept', () => {
    const depth = 100_000;
    const text = `{"d":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(out(text)).toBe(`${text.slice(0, -1)},${STAMP}}\n`);
  });

  test('every JSON type at the top: objects pass; the others are failed with their data kept', () => {
    for (const text of ['[]', '[{"a":1}]', '"s"', '1', '12345678901234567890', 'true', 'false', 'null']) {
      expect(run(text)).toEqual({ reason: 'not-an-object' });
    }
    expect(out('{"a":null}')).toBe(`{"a":null,${STAMP}}\n`);
  });

  test('invalid base64 is rejected strictly, never decoded leniently', () => {
    for (const data of ['eyJhIjoxfQ', 'eyJhIjoxfQ==!', 'ey JhIjoxfQ==', 'eyJhIjoxfQ==\n', 'eyJhIjoxfR==']) {
      expect(transformRecord({ recordId: 'r', approximateArrivalTimestamp: AT, data }, CONFIG)).toEqual({ reason: 'not-base64' });
    }
  });

  test('property: for any JSON object text, the output is the input with only the field and a newline added', () => {
    // Objects written by hand so that they hold what JSON.stringify never writes: big integers, exponents, duplicates.
    const number = fc.oneof(fc.bigInt().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.constantFrom('1e400', '-0', '0.10', '1E+2', '9007199254740993'));
    const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, number, fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s)),
        fc.constantFrom('true', 'false', 'null'),
        fc.array(tie('v'), { maxLength: 4 }).map((a) => `[${a.join(',')}]`),
        fc.array(fc.tuple(fc.constantFrom('k', 'id', 'é', 'ingested'), tie('v')), { maxLength: 4 })
          .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)),
    })).v;
    const object = fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), value), { maxLength: 6 })
      .filter((kv) => kv.every(([k]) => k !== 'ingested_at'))
      .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
    assertProperty(fc.property(object, (text) => {
      const expected = `${text.slice(0, -1)}${text === '{}' ? '' : ','}${STAMP}}\n`;
      expect(out(text)).toBe(expected);
    }), { seed: SEED, numRuns: 300 });
  });
});
