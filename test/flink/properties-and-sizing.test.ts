import * as fc from 'fast-check';
import { FlinkRuntime } from '../../lib/flink';
import { FlinkLimits } from '../../lib/flink/private/flink-limits';
import { chunk, parseSqlStatements, renderSqlStatements, statementKey } from '../../lib/flink/private/job-properties';
import { BENCH_HEADROOM, PEAK_CPU_TARGET, kpusFor, plannedRecordsPerKpu, sizeForPeak } from '../../lib/flink/private/sizing';
import { assertProperty } from '../support/property';

// The key patterns of flink/src/main/java/.../JobProperties.java (STATEMENT_KEY, STATEMENT_PART_KEY).
const STATEMENT_KEY = /^statement\.(\d{3})$/;
const STATEMENT_PART_KEY = /^statement\.(\d{3})\.part\.([1-9]\d*)$/;

describe('SqlStatements rendering (the contract with flink/)', () => {
  const statement = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 7000 });

  test('round-trips any statements, every value within 2,048 characters, every key in the job\'s patterns', () => {
    assertProperty(fc.property(fc.array(statement, { minLength: 1, maxLength: 12 }), (statements) => {
      const map = renderSqlStatements(statements);
      expect(parseSqlStatements(map)).toEqual(statements);
      for (const [key, value] of Object.entries(map)) {
        expect(STATEMENT_KEY.test(key) || STATEMENT_PART_KEY.test(key)).toBe(true);
        expect(value.length).toBeGreaterThan(0);
        expect(value.length).toBeLessThanOrEqual(FlinkLimits.MAX_PROPERTY_LENGTH);
      }
      // one key per statement plus one per further 2,048 characters at most (a surrogate pair may push one more split)
      const minimum = statements.reduce((n, s) => n + Math.ceil(s.length / FlinkLimits.MAX_PROPERTY_LENGTH), 0);
      expect(Object.keys(map).length).toBeGreaterThanOrEqual(minimum);
    }), { numRuns: 200 });
  });

  test('statement keys are contiguous from 000 and parts from 1, as the job requires', () => {
    assertProperty(fc.property(fc.array(statement, { minLength: 1, maxLength: 12 }), (statements) => {
      const keys = Object.keys(renderSqlStatements(statements));
      const indexes = keys.filter((k) => STATEMENT_KEY.test(k)).map((k) => Number(STATEMENT_KEY.exec(k)![1]));
      expect(indexes).toEqual(statements.map((_, i) => i));
      for (let i = 0; i < statements.length; i++) {
        const parts = keys.filter((k) => k.startsWith(`${statementKey(i)}.part.`)).map((k) => Number(STATEMENT_PART_KEY.exec(k)![2]));
        expect(parts).toEqual(parts.map((_, j) => j + 1));
      }
    }), { numRuns: 200 });
  });

  test('never splits a surrogate pair (an emoji straddling the 2,048th character stays whole)', () => {
    const text = `${'a'.repeat(2047)}😀b`;
    const parts = chunk(text);
    expect(parts.map((p) => p.length)).toEqual([2047, 3]);
    expect(parts.join('')).toBe(text);
    assertProperty(fc.property(fc.string({ unit: 'grapheme', maxLength: 9000 }), fc.integer({ min: 2, max: 3000 }), (value, size) => {
      const pieces = chunk(value, size);
      expect(pieces.join('')).toBe(value);
      for (const piece of pieces) {
        expect(piece.length).toBeLessThanOrEqual(size);
        expect(/^[\uDC00-\uDFFF]/.test(piece)).toBe(false);
        expect(/[\uD800-\uDBFF]$/.test(piece)).toBe(false);
      }
    }), { numRuns: 300 });
  });
});

describe('sizing from a declared peak', () => {
  test('the smallest KPU count that keeps the peak at or below 75% CPU', () => {
    assertProperty(fc.property(
      fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 100, max: 100_000 }), fc.integer({ min: 1, max: 8 }),
      (peak, perKpu, perKpuParallelism) => {
        const { kpus, parallelism } = sizeForPeak(peak, perKpu, perKpuParallelism);
        expect(parallelism).toBe(kpus * perKpuParallelism);
        expect(kpusFor(parallelism, perKpuParallelism)).toBe(kpus);
        expect(kpus * perKpu * PEAK_CPU_TARGET).toBeGreaterThanOrEqual(peak - 1e-6);
        if (kpus > 1) expect((kpus - 1) * perKpu * PEAK_CPU_TARGET).toBeLessThan(peak);
      },
    ), { numRuns: 500 });
  });

  test('worked example: 9,000 records/s at 2,000 per KPU -> 6 KPUs (9,000 / 1,500)', () => {
    expect(sizeForPeak(9000, 2000, 1)).toEqual({ kpus: 6, parallelism: 6 });
    expect(sizeForPeak(9001, 2000, 1)).toEqual({ kpus: 7, parallelism: 7 });
    expect(sizeForPeak(1, 2000, 4)).toEqual({ kpus: 1, parallelism: 4 });
  });
});

describe('planning figures from the bench', () => {
  test('half the measured records per CPU-second, rounded down to two significant digits', () => {
    expect(BENCH_HEADROOM).toBe(0.5);
    expect(plannedRecordsPerKpu(12_345)).toBe(6_100);
    expect(plannedRecordsPerKpu(95_000)).toBe(47_000);
    expect(plannedRecordsPerKpu(1_500)).toBe(750);
    expect(plannedRecordsPerKpu(99)).toBe(49);
  });

  test('never above the halved figure, never more than 10 % below it', () => {
    assertProperty(fc.property(fc.integer({ min: 20, max: 10_000_000 }), (measured) => {
      const planned = plannedRecordsPerKpu(measured);
      expect(planned).toBeLessThanOrEqual(measured * BENCH_HEADROOM);
      expect(planned).toBeGreaterThan(measured * BENCH_HEADROOM * 0.9);
    }), { numRuns: 500 });
  });
});

describe('FlinkRuntime', () => {
  test('the constants are the RuntimeEnvironment strings of CloudFormation', () => {
    const all = [
      FlinkRuntime.FLINK_1_15, FlinkRuntime.FLINK_1_18, FlinkRuntime.FLINK_1_19,
      FlinkRuntime.FLINK_1_20, FlinkRuntime.FLINK_2_2, FlinkRuntime.FLINK_2_3,
    ];
    expect(all.map((r) => r.value)).toEqual(['FLINK-1_15', 'FLINK-1_18', 'FLINK-1_19', 'FLINK-1_20', 'FLINK-2_2', 'FLINK-2_3']);
  });

  test('of() accepts FLINK-<major>_<minor> and parses the version', () => {
    assertProperty(fc.property(fc.nat({ max: 99 }), fc.nat({ max: 99 }), (major, minor) => {
      const runtime = FlinkRuntime.of(`FLINK-${major}_${minor}`);
      expect([runtime.value, runtime.majorVersion, runtime.minorVersion]).toEqual([`FLINK-${major}_${minor}`, major, minor]);
    }));
  });

  test('of() rejects everything else, naming the value', () => {
    for (const bad of ['FLINK-1.19', 'flink-1_19', 'FLINK_1_19', 'FLINK-1_', 'FLINK-1_19 ', 'FLINK-2', 'SQL-1_0']) {
      expect(() => FlinkRuntime.of(bad)).toThrow(`FlinkRuntime.of: runtime must look like FLINK-<major>_<minor> (for example FLINK-2_2), got ${JSON.stringify(bad)}`);
    }
  });

  test('restarts are counted by fullRestarts before Flink 2 and numRestarts from Flink 2 (fullRestarts was removed in 2.2)', () => {
    expect(FlinkRuntime.FLINK_1_20.restartsMetricName).toBe('fullRestarts');
    expect(FlinkRuntime.FLINK_2_2.restartsMetricName).toBe('numRestarts');
    expect(FlinkRuntime.of('FLINK-3_1').restartsMetricName).toBe('numRestarts');
  });
});
