/**
 * The README's claims about the capacity plan, each pinned by numbers computed here by hand from AWS's prices and
 * limits (us-east-1, 730 hours a month, GB = 2^30 bytes), never from the values the plan returns.
 */
import { Duration, Size, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { BindingConstraint, StreamCapacity, ThroughputProfile } from '../../lib';
import { monthlyCosts } from '../../lib/streams/private/plan';

const HOURS = 730;
const GB = 2 ** 30;
const warningsOf = (p: ThroughputProfile) => StreamCapacity.plan(p).warnings.join('\n');

describe('the README\'s cost table, recomputed', () => {
  test('5,000 records/s × 2 KiB: 13 shards, $326.31 provisioned, $3,036.71 on-demand', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2) });
    // 13 shards × $0.015 × 730 h = $142.35; 13.14 billion records a month, one 25 KB PUT payload unit each,
    // at $0.014 per million = $183.96.
    expect(13 * 0.015 * HOURS + 13_140 * 0.014).toBeCloseTo(326.31, 2);
    expect(plan.provisionedMonthlyCostUsd).toBe(326.31);
    // 13.14e9 records × 2,048 B = 25,062.56 GB: $0.04 × 730 stream-hours + $0.08/GB ingest + $0.04/GB for one consumer.
    const gb = 13.14e9 * 2048 / GB;
    expect(gb).toBeCloseTo(25_062.56, 2);
    expect(29.2 + gb * 0.08 + gb * 0.04).toBeCloseTo(3036.71, 2);
    expect(plan.onDemandMonthlyCostUsd).toBe(3036.71);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });

  test('the same with one EFO consumer: $794.47 and $4,289.84', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(2), efoConsumers: 1 });
    const gb = 13.14e9 * 2048 / GB;
    // + 13 consumer-shards × $0.015 × 730 h + $0.013/GB; on-demand + $0.05/GB
    expect(plan.provisionedMonthlyCostUsd).toBeCloseTo(326.31 + 142.35 + gb * 0.013, 2);
    expect(plan.provisionedMonthlyCostUsd).toBe(794.47);
    expect(plan.onDemandMonthlyCostUsd).toBeCloseTo(3036.71 + gb * 0.05, 1);
    expect(plan.onDemandMonthlyCostUsd).toBe(4289.84);
  });

  test('1,000 records/s × 1 KiB, headroom 1: 1 shard, $47.74 and $329.95', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1 });
    expect(plan.shardCount).toBe(1);
    // before rounding: 1,000 of a shard's 1,000 records/s, 1,024,000 of its 1,048,576 bytes/s: records are tighter
    expect(plan.bindingConstraint).toBe(BindingConstraint.WRITE_RECORDS);
    expect(plan.provisionedMonthlyCostUsd).toBe(47.74); // 10.95 + 2,628 million PUT units × $0.014
    expect(plan.onDemandMonthlyCostUsd).toBe(329.95); // 29.20 + 2,506.26 GB × ($0.08 + $0.04)
  });
});

describe('AUTO picks the cheaper mode', () => {
  test('on-demand where it is cheaper: a 5,000 records/s peak of 1 KiB that averages 10 records/s', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 5000, averageRecordsPerSecond: 10, averageRecordSize: Size.kibibytes(1) });
    // Sized for the peak: 6,250 records/s × 1,024 B = 6.1 MiB/s → 7 shards, $0.015 × 7 × 730 h = $76.65, plus 26.28
    // million PUT units × $0.014 per million = $0.37: $77.02.
    expect(plan.shardCount).toBe(7);
    expect(plan.provisionedMonthlyCostUsd).toBe(77.02);
    // On-demand is billed for the traffic: $29.20 of stream-hours + 25.06 GB × ($0.08 ingest + $0.04 read) = $32.21.
    expect(plan.onDemandMonthlyCostUsd).toBe(32.21);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.ON_DEMAND);
    // and, on-demand being recommended for a design load above its 4 MiB/s start, the plan says so
    expect(plan.warnings.join('\n')).toMatch(/a new on-demand stream starts at 4 MiB\/s of writes, below the 6.1 MiB\/s planned/);
  });

  test('provisioned where it is not: the same peak, all month', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(1) });
    // 7 shards: $76.65 + 13,140 million PUT units × $0.014 = $260.61; on-demand: 29.20 + 12,531.28 GB × $0.12 = $1,532.95
    expect(plan.provisionedMonthlyCostUsd).toBe(260.61);
    expect(plan.onDemandMonthlyCostUsd).toBe(1532.95);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
    expect(plan.warnings.join('\n')).not.toMatch(/on-demand stream starts/);
  });

  test('on-demand recommended for a small design load gives no start warning (it fits in 4 MiB/s)', () => {
    // 3,000 records/s of 1 KiB × 1.25 = 3.66 MiB/s (under 4 MiB/s), averaging 1 record/s: 4 shards ($43.84) vs $29.50.
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 3000, averageRecordsPerSecond: 1, averageRecordSize: Size.kibibytes(1) });
    expect(plan.shardCount).toBe(4);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(plan.warnings).toEqual([]);
  });
});

describe('each warning the README lists, at its boundary', () => {
  test('more than 2 shared consumers: EFO advised at 3, not at 2', () => {
    const base = { peakRecordsPerSecond: 100, averageRecordSize: Size.kibibytes(1) };
    expect(warningsOf({ ...base, sharedThroughputConsumers: 3 })).toMatch(/^3 shared-throughput consumers share 5 GetRecords calls\/s and 2 MiB\/s per shard/);
    expect(warningsOf({ ...base, sharedThroughputConsumers: 2 })).toBe('');
  });

  test('a hot key beyond one shard by records: 1,001 records/s warns, 1,000 does not', () => {
    const base = { peakRecordsPerSecond: 10_000, averageRecordSize: Size.bytes(100), headroom: 1 };
    expect(warningsOf({ ...base, hotKeyShare: 0.1001 })).toMatch(/the hottest partition key carries 1001 records\/s and 1001 KiB\/s, beyond one shard's/);
    expect(warningsOf({ ...base, hotKeyShare: 0.1 })).toBe('');
  });

  test('a hot key beyond one shard by bytes alone: 500 records/s of 100 KiB', () => {
    const base = { peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(100), headroom: 1 };
    // 500 records/s is within 1,000/s, but 500 × 100 KiB = 50,000 KiB/s is far beyond 1,024 KiB/s
    expect(warningsOf({ ...base, hotKeyShare: 0.5 })).toMatch(/the hottest partition key carries 500 records\/s and 50000 KiB\/s/);
    // 10 records/s of 100 KiB = 1,000 KiB/s: within one shard
    expect(warningsOf({ ...base, hotKeyShare: 0.01 })).not.toMatch(/hottest/);
    // the bytes are counted at the sized record (rounded up to 1 KiB): 600 records/s of 1,025 B are 1,200 KiB/s, not 600
    expect(warningsOf({ peakRecordsPerSecond: 1000, averageRecordSize: Size.bytes(1025), headroom: 1, hotKeyShare: 0.6 }))
      .toMatch(/carries 600 records\/s and 1200 KiB\/s/);
  });

  test('the account quota: 1,001 shards warn (quota outside the three large Regions), 1,000 do not', () => {
    const at = (records: number) => StreamCapacity.plan({ peakRecordsPerSecond: records, averageRecordSize: Size.bytes(100), headroom: 1 });
    expect(at(1_000_000).shardCount).toBe(1000);
    expect(at(1_000_000).warnings.join('\n')).not.toMatch(/account quota/);
    expect(at(1_000_001).shardCount).toBe(1001);
    expect(at(1_000_001).warnings.join('\n')).toMatch(/^1001 shards exceed the default account quota outside us-east-1, us-west-2 and eu-west-1/);
    expect(at(1_000_001).recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });

  test('beyond 10,000 shards: on-demand, with no account-quota warning on top', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 10_000_001, averageRecordSize: Size.bytes(100), headroom: 1 });
    expect(plan.shardCount).toBe(10_001);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(plan.warnings.join('\n')).toMatch(/^10001 shards exceed the 10000 shards of one provisioned stream/);
    expect(plan.warnings.join('\n')).not.toMatch(/account quota/);
    const at = StreamCapacity.plan({ peakRecordsPerSecond: 10_000_000, averageRecordSize: Size.bytes(100), headroom: 1 });
    expect(at.warnings.join('\n')).not.toMatch(/one provisioned stream/);
  });

  test('past on-demand\'s 200 MB/s outside the large Regions: 204.8 MB/s warns, 200 MB/s does not', () => {
    expect(warningsOf({ peakRecordsPerSecond: 200_000, averageRecordSize: Size.kibibytes(1), headroom: 1 }))
      .toMatch(/204.8 MB\/s of writes exceed on-demand's 200 MB\/s per stream outside us-east-1/);
    // 195,312.5 records/s × 1,024 B = exactly 200,000,000 B/s
    expect(warningsOf({ peakRecordsPerSecond: 195_312.5, averageRecordSize: Size.kibibytes(1), headroom: 1 })).not.toMatch(/200 MB\/s/);
  });

  test('past on-demand\'s 10 GB/s: provisioned, even if on-demand would be cheaper', () => {
    // 9,800 records/s of 1 MiB averaging 1 record/s: on-demand would cost far less, but cannot carry the peak
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 9_800, averageRecordsPerSecond: 1, averageRecordSize: Size.mebibytes(1), headroom: 1 });
    expect(plan.onDemandMonthlyCostUsd).toBeLessThan(plan.provisionedMonthlyCostUsd);
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
    expect(plan.warnings.join('\n')).toMatch(/10276.04 MB\/s of writes exceed on-demand's 10 GB\/s per stream: use provisioned mode/);
  });
});

describe('sizing details', () => {
  test('exactly one shard of load is one shard (no floating-point spill into a second)', () => {
    // 1,000 records/s of 1 KiB fill one shard exactly on both sides; 800 × 1.25 = 1,000 too
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1 }).shardCount).toBe(1);
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 800, averageRecordSize: Size.kibibytes(1) }).shardCount).toBe(1);
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 1001, averageRecordSize: Size.kibibytes(1), headroom: 1 }).shardCount).toBe(2);
  });

  test('no polling consumer: no read shards, writes decide', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), sharedThroughputConsumers: 0, headroom: 1 });
    expect(plan.readShards).toBe(0);
    expect(plan.shardCount).toBe(1);
    // and no shared-read cost on-demand: $29.20 + 2,506.26 GB × $0.08
    expect(plan.onDemandMonthlyCostUsd).toBe(229.7);
  });

  test('the binding constraint is the one tightest before rounding up', () => {
    // 2,000 × 1 KiB: 2.0 shards of records, 1.95 of bytes
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 2000, averageRecordSize: Size.kibibytes(1), headroom: 1 }).bindingConstraint)
      .toBe(BindingConstraint.WRITE_RECORDS);
    // 2,000 × 1.5 KiB: 2.93 shards of bytes, 2.0 of records
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 2000, averageRecordSize: Size.bytes(1536), headroom: 1 }).bindingConstraint)
      .toBe(BindingConstraint.WRITE_BYTES);
    expect(StreamCapacity.plan({ peakRecordsPerSecond: 2001, averageRecordSize: Size.bytes(10), headroom: 1 }).bindingConstraint)
      .toBe(BindingConstraint.WRITE_RECORDS);
  });

  test('a tie between reads and writes is reported as a write constraint', () => {
    // 2,048 records/s of 1 KiB = 2 MiB/s: 2 write shards; × 2 consumers ÷ 2 MiB/s = 2 read shards
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 2048, averageRecordSize: Size.kibibytes(1), headroom: 1, sharedThroughputConsumers: 2 });
    expect([plan.writeShards, plan.readShards]).toEqual([3, 2]);
    const tie = StreamCapacity.plan({ peakRecordsPerSecond: 1024, averageRecordSize: Size.kibibytes(2), headroom: 1, sharedThroughputConsumers: 2 });
    expect([tie.writeShards, tie.readShards, tie.bindingConstraint]).toEqual([2, 2, BindingConstraint.WRITE_BYTES]);
  });

  test('the design load is reported at peak × headroom, records to 3 decimals and bytes whole', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 333.3333, averageRecordSize: Size.bytes(1500), headroom: 1.5 });
    expect(plan.designRecordsPerSecond).toBe(500);
    expect(plan.designWriteBytesPerSecond).toBe(1_024_000); // 499.99995 × 2,048 B, rounded
  });
});

describe('each cost term, by hand', () => {
  // 100 records/s of 30,000 B averaged over the month: 262.8 million records, 7,342.53 GB.
  const records = 100 * 3600 * HOURS;
  const gb = records * 30_000 / GB;
  const inputs = { shardCount: 3, averageRecords: 100, recordBytes: 30_000, shared: 2, efo: 0, retentionHours: 24 };

  test('provisioned: shard-hours, and PUT payload units of 25 KB (a 30,000 B record is 2 units)', () => {
    expect(monthlyCosts(inputs).provisioned).toBeCloseTo(3 * 0.015 * HOURS + records * 2 / 1e6 * 0.014, 6);
  });

  test('on-demand: stream-hours, ingest on records rounded up to 1 KB (30,720 B), shared reads per consumer', () => {
    const billedGb = records * 30_720 / GB;
    expect(monthlyCosts(inputs).onDemand).toBeCloseTo(0.04 * HOURS + billedGb * 0.08 + 2 * gb * 0.04, 6);
    // each shared consumer adds its reads: a third one costs $0.04/GB more
    expect(monthlyCosts({ ...inputs, shared: 3 }).onDemand - monthlyCosts(inputs).onDemand).toBeCloseTo(gb * 0.04, 6);
  });

  test('EFO: per consumer-shard-hour and per GB provisioned, per GB on-demand', () => {
    const two = monthlyCosts({ ...inputs, efo: 2 });
    expect(two.provisioned - monthlyCosts(inputs).provisioned).toBeCloseTo(2 * (3 * 0.015 * HOURS + gb * 0.013), 6);
    expect(two.onDemand - monthlyCosts(inputs).onDemand).toBeCloseTo(2 * gb * 0.05, 6);
  });

  test('retention: 25 h already pays the extended shard-hours; 7 days and beyond add GB-months in both modes', () => {
    const bytesPerHour = 100 * 30_000 * 3600;
    const r = (hours: number) => monthlyCosts({ ...inputs, retentionHours: hours });
    expect(r(25).provisioned - r(24).provisioned).toBeCloseTo(3 * 0.02 * HOURS, 6);
    // on-demand: the hour beyond 24 h at $0.10 per GB-month
    expect(r(25).onDemand - r(24).onDemand).toBeCloseTo(bytesPerHour / GB * 0.10, 6);
    // 30 days: 144 h of extended retention (on-demand) and 552 h beyond 7 days at $0.023 (both modes)
    const longTerm = 552 * bytesPerHour / GB * 0.023;
    expect(r(720).provisioned - r(24).provisioned).toBeCloseTo(3 * 0.02 * HOURS + longTerm, 6);
    expect(r(720).onDemand - r(24).onDemand).toBeCloseTo(144 * bytesPerHour / GB * 0.10 + longTerm, 6);
    expect(r(168).provisioned - r(24).provisioned).toBeCloseTo(3 * 0.02 * HOURS, 6);
  });

  test('the average rate drives traffic costs, the peak drives shards', () => {
    const peak = StreamCapacity.plan({ peakRecordsPerSecond: 1000, averageRecordSize: Size.kibibytes(1), headroom: 1 });
    const quiet = StreamCapacity.plan({
      peakRecordsPerSecond: 1000, averageRecordsPerSecond: 500, averageRecordSize: Size.kibibytes(1), headroom: 1,
    });
    expect(quiet.shardCount).toBe(peak.shardCount);
    // half the records: half the PUT units ($36.79 → $18.40) and half the GB
    expect(quiet.provisionedMonthlyCostUsd).toBe(29.35);
    expect(quiet.onDemandMonthlyCostUsd).toBe(179.58);
  });

  test('retention in the plan: 30 days on a 1-shard stream, both modes by hand', () => {
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 50, averageRecordSize: Size.bytes(300), retention: Duration.days(30) });
    const recs = 50 * 3600 * HOURS;
    const bytesPerHour = 50 * 300 * 3600;
    const longTerm = 552 * bytesPerHour / GB * 0.023;
    expect(plan.provisionedMonthlyCostUsd).toBeCloseTo(10.95 + 14.6 + recs / 1e6 * 0.014 + longTerm, 2);
    const extended = 144 * bytesPerHour / GB * 0.1;
    expect(plan.onDemandMonthlyCostUsd).toBeCloseTo(29.2 + recs * 1024 / GB * 0.08 + recs * 300 / GB * 0.04 + extended + longTerm, 2);
    // that profile is cheaper provisioned ($28.03 against $42.06)
    expect(plan.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });
});
