import { Duration, Size, aws_kinesis as kinesis } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { BindingConstraint, StreamCapacity, ThroughputProfile } from '../../lib';
import { assertProperty } from '../support/property';

const MIB = 1024 * 1024;

describe('StreamCapacity.plan', () => {
  test('sizes by write bytes: 5,000 records/s of 2 KiB with 25 % headroom need 13 shards', () => {
    // 5,000 × 1.25 = 6,250 records/s × 2,048 B = 12,800,000 B/s ÷ 1,048,576 = 12.2 → 13; records 6.25 → 7; reads 6.1 → 7.
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2) });
    expect(plan.shardCount).toBe(13);
    expect(plan.writeShards).toBe(13);
    expect(plan.readShards).toBe(7);
    expect(plan.bindingConstraint).toBe(BindingConstraint.WRITE_BYTES);
    expect(plan.designRecordsPerSecond).toBe(6250);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });

  test('sizes by write records when records are small: 1,020 records/s of 500 B need 2 shards', () => {
    // 500 B rounds up to 1 KiB: 1,020 × 1,024 B = 0.996 MiB/s → 1 shard by bytes; 1,020 records/s → 2 shards by records.
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 1020, averageRecordSize: Size.bytes(500), headroom: 1 });
    expect(plan.shardCount).toBe(2);
    expect(plan.bindingConstraint).toBe(BindingConstraint.WRITE_RECORDS);
  });

  test('rounds record sizes up to 1 KiB as AWS does: 1,025 B sizes as 2 KiB', () => {
    // 600 records/s × 2,048 B = 1,228,800 B/s → 2 shards (with 1,024 B it would be 1).
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 600, averageRecordSize: Size.bytes(1025), headroom: 1 });
    expect(plan.shardCount).toBe(2);
    expect(plan.designWriteBytesPerSecond).toBe(600 * 2048);
  });

  test('sizes by shared reads with 3 polling consumers, and advises EFO', () => {
    // 1,000 × 1,024 B = 1,024,000 B/s: 1 shard for writes; × 3 consumers ÷ 2 MiB/s = 1.46 → 2 shards for reads.
    const plan = StreamCapacity.plan({
      peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1, sharedThroughputConsumers: 3,
    });
    expect(plan.writeShards).toBe(1);
    expect(plan.readShards).toBe(2);
    expect(plan.shardCount).toBe(2);
    expect(plan.bindingConstraint).toBe(BindingConstraint.SHARED_READS);
    expect(plan.warnings.join('\n')).toMatch(/3 shared-throughput consumers.*enhanced fan-out/);
  });

  test('EFO consumers change the cost, not the shard count', () => {
    const base: ThroughputProfile = { peakRecordsPerSecond: 2000, averageRecordSize: Size.kibibytes(1) };
    const without = StreamCapacity.plan(base);
    const withEfo = StreamCapacity.plan({ ...base, efoConsumers: 2 });
    expect(withEfo.shardCount).toBe(without.shardCount);
    // 2 consumers × shards × $0.015 × 730 h + 2 × GB × $0.013
    const gb = 2000 * 1024 * 3600 * 730 / 2 ** 30;
    expect(withEfo.provisionedMonthlyCostUsd - without.provisionedMonthlyCostUsd)
      .toBeCloseTo(2 * without.shardCount * 0.015 * 730 + 2 * gb * 0.013, 1);
  });

  test('prices both modes by hand: 1,000 records/s of 1 KiB, one consumer, 24 h', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1 });
    const records = 1000 * 3600 * 730; // per month
    const gb = records * 1024 / 2 ** 30;
    // 1 shard × $0.015 × 730 h + one 25 KB PUT payload unit per record at $0.014 per million
    expect(plan.provisionedMonthlyCostUsd).toBeCloseTo(1 * 0.015 * 730 + records / 1e6 * 0.014, 2);
    // $0.04 × 730 stream-hours + $0.08/GB ingest + $0.04/GB for the one shared consumer
    expect(plan.onDemandMonthlyCostUsd).toBeCloseTo(0.04 * 730 + gb * 0.08 + gb * 0.04, 2);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });

  test('a tiny stream is cheaper on-demand? no: 1 shard at $10.95 beats $29.20 of stream-hours', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 1, averageRecordSize: Size.bytes(200) });
    expect(plan.shardCount).toBe(1);
    expect(plan.provisionedMonthlyCostUsd).toBeLessThan(plan.onDemandMonthlyCostUsd);
  });

  test('retention beyond 24 h adds the extended-retention shard-hours, beyond 7 days the GB-months', () => {
    const base: ThroughputProfile = { peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1 };
    const day = StreamCapacity.plan(base);
    const week = StreamCapacity.plan({ ...base, retention: Duration.days(7) });
    const month = StreamCapacity.plan({ ...base, retention: Duration.days(30) });
    expect(week.provisionedMonthlyCostUsd - day.provisionedMonthlyCostUsd).toBeCloseTo(1 * 0.02 * 730, 1);
    const longTermGb = (30 - 7) * 24 * 3600 * 1000 * 1024 / 2 ** 30;
    expect(month.provisionedMonthlyCostUsd - week.provisionedMonthlyCostUsd).toBeCloseTo(longTermGb * 0.023, 1);
    const extendedGb = 6 * 24 * 3600 * 1000 * 1024 / 2 ** 30;
    expect(week.onDemandMonthlyCostUsd - day.onDemandMonthlyCostUsd).toBeCloseTo(extendedGb * 0.10, 1);
  });

  test('warns about a hot key beyond one shard', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 10_000, averageRecordSize: Size.bytes(100), hotKeyShare: 0.2 });
    expect(plan.warnings.join('\n')).toMatch(/hottest partition key carries 2500 records\/s/);
    const even = StreamCapacity.plan({ peakRecordsPerSecond: 10_000, averageRecordSize: Size.bytes(100), hotKeyShare: 0.01 });
    expect(even.warnings.join('\n')).not.toMatch(/hottest/);
  });

  test('beyond 10,000 shards it recommends on-demand and says why', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 20_000_000, averageRecordSize: Size.bytes(100), headroom: 1 });
    expect(plan.shardCount).toBe(20_000);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(plan.warnings.join('\n')).toMatch(/exceed the 10000 shards of one provisioned stream/);
  });

  test('beyond on-demand\'s 10 GB/s it recommends provisioned', () => {
    // 9,800 × 1 MiB = 10.3 GB/s: past on-demand's ceiling, within 10,000 shards.
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 9_800, averageRecordSize: Size.mebibytes(1), headroom: 1 });
    expect(plan.shardCount).toBe(9_800);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
    expect(plan.warnings.join('\n')).toMatch(/exceed on-demand's 10 GB\/s/);
  });

  describe('bad input', () => {
    const ok: ThroughputProfile = { peakRecordsPerSecond: 100, averageRecordSize: Size.kibibytes(1) };
    test.each([0, -5, NaN, Infinity])('throws when peakRecordsPerSecond is %p', (peak) => {
      expect(() => StreamCapacity.plan({ ...ok, peakRecordsPerSecond: peak }))
        .toThrow(/StreamCapacity.plan: peakRecordsPerSecond must be a finite number > 0, got/);
    });
    test('throws when averageRecordSize is above 10 MiB', () => {
      expect(() => StreamCapacity.plan({ ...ok, averageRecordSize: Size.mebibytes(11) }))
        .toThrow(/averageRecordSize must be at most 10485760 bytes \(10 MiB, the largest record Kinesis accepts\), got "11534336 bytes"/);
    });
    test('throws when averageRecordSize is zero', () => {
      expect(() => StreamCapacity.plan({ ...ok, averageRecordSize: Size.bytes(0) })).toThrow(/averageRecordSize/);
    });
    test.each([Duration.hours(23), Duration.hours(8761), Duration.minutes(1470)])('throws when retention is %s', (retention) => {
      expect(() => StreamCapacity.plan({ ...ok, retention })).toThrow(/retention must be whole hours from 24 to 8760/);
    });
    test('throws when headroom is below 1', () => {
      expect(() => StreamCapacity.plan({ ...ok, headroom: 0.9 })).toThrow(/headroom must be a number in \[1, 10\], got 0.9/);
    });
    test('throws when efoConsumers is beyond 50', () => {
      expect(() => StreamCapacity.plan({ ...ok, efoConsumers: 51 })).toThrow(/efoConsumers must be a whole number from 0 to 50, got 51/);
    });
    test('throws when hotKeyShare is outside (0, 1]', () => {
      expect(() => StreamCapacity.plan({ ...ok, hotKeyShare: 1.5 })).toThrow(/hotKeyShare/);
    });
    test('throws when the average rate is above the peak', () => {
      expect(() => StreamCapacity.plan({ ...ok, averageRecordsPerSecond: 101 })).toThrow(/averageRecordsPerSecond must be a number in \(0, 100\], got 101/);
    });
  });

  describe('properties', () => {
    const profile = fc.record({
      peakRecordsPerSecond: fc.double({ min: 0.001, max: 5_000_000, noNaN: true }),
      recordBytes: fc.integer({ min: 1, max: 10 * MIB }),
      shared: fc.integer({ min: 0, max: 20 }),
      headroom: fc.double({ min: 1, max: 10, noNaN: true }),
    });
    const toProfile = (p: { peakRecordsPerSecond: number; recordBytes: number; shared: number; headroom: number }): ThroughputProfile => ({
      peakRecordsPerSecond: p.peakRecordsPerSecond,
      averageRecordSize: Size.bytes(p.recordBytes),
      sharedThroughputConsumers: p.shared,
      headroom: p.headroom,
    });

    test('capacity is never below peak × headroom on any side, and one shard fewer would be', () => {
      assertProperty(fc.property(profile, (p) => {
        const plan = StreamCapacity.plan(toProfile(p));
        const records = p.peakRecordsPerSecond * p.headroom;
        const bytes = records * Math.ceil(p.recordBytes / 1024) * 1024;
        const tol = 1 + 1e-9;
        expect(plan.shardCount * 1000 * tol).toBeGreaterThanOrEqual(records);
        expect(plan.shardCount * MIB * tol).toBeGreaterThanOrEqual(bytes);
        expect(plan.shardCount * 2 * MIB * tol).toBeGreaterThanOrEqual(bytes * p.shared);
        if (plan.shardCount > 1) {
          const fewer = plan.shardCount - 1;
          const fits = fewer * 1000 >= records * tol && fewer * MIB >= bytes * tol && fewer * 2 * MIB >= bytes * p.shared * tol;
          expect(fits).toBe(false);
        }
      }));
    });

    test('monotone in load: more records, larger records or more consumers never need fewer shards', () => {
      assertProperty(fc.property(profile, fc.double({ min: 1, max: 100, noNaN: true }), fc.integer({ min: 0, max: MIB }), (p, factor, extraBytes) => {
        const base = StreamCapacity.plan(toProfile(p)).shardCount;
        const shards = (q: typeof p) => StreamCapacity.plan(toProfile(q)).shardCount;
        expect(shards({ ...p, peakRecordsPerSecond: p.peakRecordsPerSecond * factor })).toBeGreaterThanOrEqual(base);
        expect(shards({ ...p, recordBytes: Math.min(10 * MIB, p.recordBytes + extraBytes) })).toBeGreaterThanOrEqual(base);
        expect(StreamCapacity.plan(toProfile({ ...p, shared: Math.min(20, p.shared + 1) })).shardCount).toBeGreaterThanOrEqual(base);
      }));
    });

    test('never recommends a mode past its limits', () => {
      assertProperty(fc.property(profile, (p) => {
        const plan = StreamCapacity.plan(toProfile(p));
        const provisionedFits = plan.shardCount <= 10_000;
        const onDemandFits = plan.designWriteBytesPerSecond <= 10e9;
        if (plan.recommendedMode === kinesis.StreamMode.PROVISIONED) expect(provisionedFits || !onDemandFits).toBe(true);
        else expect(onDemandFits || !provisionedFits).toBe(true);
        if (!provisionedFits && !onDemandFits) expect(plan.warnings.join('\n')).toMatch(/split the traffic/);
        expect(plan.shardCount).toBeGreaterThanOrEqual(1);
      }));
    });
  });
});
