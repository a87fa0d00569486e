/**
 * The Firehose transform's documented limits, at their boundaries: Firehose's 1,000 KiB record (checked before the
 * record is parsed), the function's MAX_RECORD_BYTES setting, and a response that never exceeds its budget.
 */
import { InputRecord, TransformConfig, configFromEnv, transformBatch, transformRecord } from '../../../lambda/firehose-transform/transform';

const record = (data: string | Buffer, id: string): InputRecord => ({
  recordId: id, data: Buffer.from(data).toString('base64'), approximateArrivalTimestamp: 1_700_000_000_000,
});

describe('limits', () => {
  test('the default record limit is Firehose\'s 1,000 KiB; MAX_RECORD_BYTES overrides it with a whole number > 0 only', () => {
    expect(configFromEnv({}).maxRecordBytes).toBe(1_024_000);
    expect(configFromEnv({ MAX_RECORD_BYTES: '500' }).maxRecordBytes).toBe(500);
    for (const bad of ['0', '-5', '2.5', 'abc', '']) expect(configFromEnv({ MAX_RECORD_BYTES: bad }).maxRecordBytes).toBe(1_024_000);
  });

  test('an oversized record is refused as oversized before it is parsed, whatever it holds', () => {
    const config: TransformConfig = { ...configFromEnv({}), maxRecordBytes: 10 };
    expect(transformRecord(record('this is not json at all', 'a'), config)).toEqual({ reason: 'oversized' });
    expect(transformRecord(record(Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6, 0xf5]), 'b'), config))
      .toEqual({ reason: 'oversized' });
  });

  test('the response JSON never exceeds the budget, and needs at most 1 byte of slack to pass every record', () => {
    const records = ['{"a":1}', '{"b":"two"}', '{"c":[3]}', '{"d":{"e":4}}'].map((d, i) => record(d, `id-${i}`));
    const base = configFromEnv({});
    const all = transformBatch(records, base);
    expect(all.failures).toEqual([]);
    const full = JSON.stringify({ records: all.records }).length;
    for (let budget = full - 60; budget <= full + 3; budget++) {
      const out = transformBatch(records, { ...base, responseBudgetBytes: budget });
      const size = JSON.stringify({ records: out.records }).length;
      const originals = JSON.stringify({ records: records.map((r) => ({ recordId: r.recordId, result: 'ProcessingFailed', data: r.data })) }).length;
      // within the budget, unless even the originals alone would not fit (then they are all returned as they came)
      if (originals <= budget) expect({ budget, size: size <= budget }).toEqual({ budget, size: true });
      if (budget >= full + 1) expect({ budget, failures: out.failures }).toEqual({ budget, failures: [] });
    }
  });
});

describe('one JSON object per line', () => {
  const config: TransformConfig = { ...configFromEnv({}), ingestTimestampField: 'ingestedAt', appendNewline: true };
  const decode = (out: ReturnType<typeof transformRecord>) => ('data' in out ? Buffer.from(out.data, 'base64').toString('utf-8') : out);

  test('a pretty-printed object, starting with a line break, keeps its bytes with every CR and LF turned into a space', () => {
    const pretty = '\r\n{\r\n  "a": 1,\n  "b": "x"\r\n}\r\n';
    expect(decode(transformRecord(record(pretty, 'p'), config)))
      .toBe('  {    "a": 1,   "b": "x"  ,"ingestedAt":"2023-11-14T22:13:20.000Z"}\n');
    expect(decode(transformRecord(record('\n{"a":1}', 'q'), config))).toBe(' {"a":1,"ingestedAt":"2023-11-14T22:13:20.000Z"}\n');
  });

  test('an arrival time that is not a time gives a null stamp, not a lost record', () => {
    const bad: InputRecord = { recordId: 'n', data: Buffer.from('{"a":1}').toString('base64'), approximateArrivalTimestamp: Number.NaN };
    expect(decode(transformRecord(bad, config))).toBe('{"a":1,"ingestedAt":null}\n');
  });
});
