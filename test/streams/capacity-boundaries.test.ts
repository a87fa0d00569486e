/**
 * The capacity plan at the exact boundaries of its limits and checks, each computed by hand: one value on each side of
 * every threshold the plan compares against (AWS's per-shard, on-demand and retention limits), and the full text of
 * each warning and error it gives there.
 */
import { Duration, Size, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { StreamCapacity, ThroughputProfile } from '../../lib';
import { onDemandColdStartWarning, planCapacity } from '../../lib/streams/private/plan';

const MiB = 1024 * 1024;
const plan = (p: ThroughputProfile) => StreamCapacity.plan(p);

describe('read shards', () => {
  test('one shared-throughput consumer needs at least one read shard however small the load; none without consumers', () => {
    // 0.000001 records/s × 1.25 × 1,024 B is far below 1e-9 of a shard's 2 MiB/s of reads
    const tiny = { peakRecordsPerSecond: 0.000001, averageRecordSize: Size.kibibytes(1) };
    expect(plan(tiny)).toMatchObject({ readShards: 1, writeShards: 1, shardCount: 1 });
    expect(plan({ ...tiny, sharedThroughputConsumers: 0 })).toMatchObject({ readShards: 0, writeShards: 1, shardCount: 1 });
  });
});

describe('the hot-key warning', () => {
  test('fires above one shard\'s 1 MiB/s of bytes, not at it', () => {
    // 1,024 records/s of 2 KiB, half under one key: 512 records/s × 2,048 B = exactly 1,048,576 B/s
    const at = { peakRecordsPerSecond: 1024, averageRecordSize: Size.kibibytes(2), headroom: 1, hotKeyShare: 0.5 };
    expect(plan(at).warnings.join('\n')).not.toMatch(/hottest partition key/);
    // 1,025 records/s: 512.5 records/s × 2,048 B = 1,049,600 B/s = 1,025 KiB/s
    expect(plan({ ...at, peakRecordsPerSecond: 1025 }).warnings).toContain('the hottest partition key carries 512.5 records/s and 1025 KiB/s, '
      + 'beyond one shard\'s 1,000 records/s or 1,024 KiB/s: it throttles whatever the shard count; spread it over more keys (e.g. a suffix)');
  });

  test('a hot-key share must be in (0, 1]', () => {
    expect(() => plan({ peakRecordsPerSecond: 10, averageRecordSize: Size.kibibytes(1), hotKeyShare: 0 }))
      .toThrow(/hotKeyShare must be a number in \(0, 1\], got 0/);
    expect(plan({ peakRecordsPerSecond: 10, averageRecordSize: Size.kibibytes(1), hotKeyShare: 1 }).warnings).toHaveLength(0);
  });
});

describe('on-demand write limits', () => {
  test('exactly 10 GB/s is still possible on demand (with the regional warning); one record more is not', () => {
    // 9,765,625 records/s × 1,024 B = 10,000,000,000 B/s; 9,766 shards (records bind), over the 1,000-shard default quota
    const at = plan({ peakRecordsPerSecond: 9_765_625, averageRecordSize: Size.kibibytes(1), headroom: 1 });
    expect(at.shardCount).toBe(9766);
    expect(at.warnings).toContain('10000 MB/s of writes exceed on-demand\'s 200 MB/s per stream outside us-east-1, us-west-2 and eu-west-1');
    expect(at.warnings.join('\n')).not.toMatch(/10 GB\/s/);
    const over = plan({ peakRecordsPerSecond: 9_765_626, averageRecordSize: Size.kibibytes(1), headroom: 1 });
    expect(over.warnings).toContain('10000 MB/s of writes exceed on-demand\'s 10 GB/s per stream: use provisioned mode');
    expect(over.recommendedMode).toBe(kinesis.StreamMode.PROVISIONED);
  });
});

describe('the on-demand start warning', () => {
  test('none at exactly 4 MiB/s of design load; above it, the whole advice', () => {
    expect(onDemandColdStartWarning(4 * MiB)).toBeUndefined();
    expect(onDemandColdStartWarning(4 * MiB + 1)).toBe('a new on-demand stream starts at 4 MiB/s of writes, below the 4 MiB/s planned, '
      + 'and adapts toward it over time: set warmThroughputMiBps (On-demand Advantage) or start provisioned if the first day carries the full peak');
    expect(onDemandColdStartWarning(6 * MiB)).toMatch(/below the 6 MiB\/s planned/);
  });

  test('an on-demand recommendation under 4 MiB/s carries no warning at all (not even an empty one)', () => {
    const p = plan({ peakRecordsPerSecond: 3000, averageRecordsPerSecond: 1, averageRecordSize: Size.kibibytes(1) });
    expect(p.recommendedMode).toBe(kinesis.StreamMode.ON_DEMAND);
    expect(p.warnings).toStrictEqual([]);
  });
});

describe('profile checks, each naming its prop', () => {
  const base = { peakRecordsPerSecond: 100, averageRecordSize: Size.kibibytes(1) };

  test('shared-throughput and EFO consumer counts', () => {
    expect(() => plan({ ...base, sharedThroughputConsumers: 21 })).toThrow(/sharedThroughputConsumers must be a whole number from 0 to 20, got 21/);
    expect(() => plan({ ...base, efoConsumers: 51 })).toThrow(/efoConsumers must be a whole number from 0 to 50, got 51/);
  });

  test('a record larger than the stream\'s maximum record size names both sizes', () => {
    expect(() => planCapacity({ peakRecordsPerSecond: 1, averageRecordSize: Size.kibibytes(1025) }, 'Stack/Clicks', Size.mebibytes(1)))
      .toThrow('Stack/Clicks: averageRecordSize must be at most the stream\'s maximum record size (maxRecordSize, 1048576 bytes): '
        + 'raise maxRecordSize, up to 10 MiB, got "1049600 bytes"');
    // 1 record/s of exactly 1 MiB, no headroom: one shard's 1 MiB/s
    expect(planCapacity({ peakRecordsPerSecond: 1, averageRecordSize: Size.mebibytes(1), headroom: 1 }, 'Stack/Clicks', Size.mebibytes(1)).shardCount).toBe(1);
  });

  test('retention: whole hours from 24 to 8,760, both ends included', () => {
    expect(plan({ ...base, retention: Duration.hours(24) }).shardCount).toBe(1);
    expect(plan({ ...base, retention: Duration.hours(8760) }).shardCount).toBe(1);
    expect(() => plan({ ...base, retention: Duration.hours(23) })).toThrow(/retention must be whole hours from 24 to 8760/);
    expect(() => plan({ ...base, retention: Duration.hours(8761) })).toThrow(/retention must be whole hours from 24 to 8760/);
  });
});
