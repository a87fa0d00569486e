/**
 * The autoscaler's alarm expressions evaluated on numbers (test/support/alarm-evaluator.ts), not only as text: the
 * utilisation is the larger of the bytes and the records share of the stream's capacity, a quiet minute reads 0, and the
 * saturation reaches 1 exactly at its thresholds.
 */
import { saturationExpression, shardsLabel, shardsOfExpression, utilizationExpression } from '../../lib/scaling/private/alarm-math';
import { evaluateExpression } from '../support/alarm-evaluator';

const MIB = 1024 * 1024;
const one = (v: number | undefined) => [v];

describe('alarm math on numbers', () => {
  test('utilisation of 4 shards: bytes share, records share, the larger of the two, per minute', () => {
    const u = (bytes: number | undefined, records: number | undefined) =>
      evaluateExpression(utilizationExpression(4), { bytes: one(bytes), records: one(records) });
    // 4 shards take 4 × 60 MiB and 4 × 60,000 records a minute
    expect(u(2 * 60 * MIB, 1000)).toEqual([0.5]);
    expect(u(1000, 3 * 60_000)).toEqual([0.75]);
    expect(u(4 * 60 * MIB, 4 * 60_000)).toEqual([1]);
    // a minute without data reads 0, not missing
    expect(u(undefined, undefined)).toEqual([0]);
    expect(u(undefined, 60_000)).toEqual([0.25]);
  });

  test('saturation of 2 shards: 1 at 0.1 % throttled records or at 95 % of either capacity, below 1 under both', () => {
    const s = (bytes: number | undefined, records: number | undefined, throttled: number | undefined) => (evaluateExpression(
      saturationExpression(2, 0.001, 0.95), { bytes: one(bytes), records: one(records), throttled: one(throttled) },
    ) as number[])[0];
    // 999 accepted + 1 throttled (+1 in the denominator so an empty minute is 0): 1 / 1,001 / 0.001 = 0.999
    expect(s(0, 999, 1)).toBeCloseTo(1 / 1001 / 0.001, 10);
    expect(s(0, 999, 1)).toBeLessThan(1);
    expect(s(0, 998, 2)).toBeCloseTo(2 / 1001 / 0.001, 10);
    expect(s(0, 998, 2)).toBeGreaterThan(1);
    // bytes: 95 % of 2 × 60 MiB
    expect(s(0.95 * 2 * 60 * MIB, 0, 0)).toBeCloseTo(1, 10);
    expect(s(0.9 * 2 * 60 * MIB, 0, 0)).toBeCloseTo(0.9 / 0.95, 10);
    // records: 95 % of 2 × 60,000
    expect(s(0, 0.95 * 120_000, 0)).toBeCloseTo(1, 10);
    // nothing written, nothing throttled: 0
    expect(s(undefined, undefined, undefined)).toBe(0);
    // throttled records alone (nothing accepted): saturated
    expect(s(undefined, undefined, 5)).toBeGreaterThan(1);
  });
});

describe('reading the shard count back (what the handler relies on to rewrite an alarm)', () => {
  test('a label names the count: "<what> of <n> shards"', () => {
    expect(shardsLabel('Write utilisation', 4)).toBe('Write utilisation of 4 shards');
  });

  test('an expression needs both a bytes and a records capacity term', () => {
    expect(shardsOfExpression('FILL(records, 0) / (60 * 1000 * 8)')).toBeUndefined();
    expect(shardsOfExpression('FILL(bytes, 0) / (60 * 1048576 * 8)')).toBeUndefined();
    expect(shardsOfExpression('MAX([FILL(bytes, 0) / (60 * 1048576 * 8), FILL(records, 0) / (60 * 1000 * 8)])')).toBe(8);
  });

  test('a count Kinesis does not allow (0, or above 10,000 shards) is not read back', () => {
    const written = (n: string) => `MAX([FILL(bytes, 0) / (60 * 1048576 * ${n}), FILL(records, 0) / (60 * 1000 * ${n})])`;
    expect(shardsOfExpression(written('0'))).toBeUndefined();
    expect(shardsOfExpression(written('10001'))).toBeUndefined();
    expect(shardsOfExpression(written('10000'))).toBe(10_000);
    expect(shardsOfExpression(written('1'))).toBe(1);
  });
});
