import { Size, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { checkRetention } from './validation';
import { propError } from '../../private/errors';
import { KinesisLimits as L, KinesisPrices as P } from '../../private/kinesis-limits';
import { checkIntRange, checkPositive, checkRange } from '../../private/validation';
import { BindingConstraint, CapacityPlan, ThroughputProfile } from '../capacity';

/** The implementation of `StreamCapacity.plan`, and the pieces the constructs share with it. */

/** Defaults of ThroughputProfile, in one place. */
export const PROFILE_DEFAULTS = {
  sharedThroughputConsumers: 1,
  efoConsumers: 0,
  headroom: 1.25,
  retentionHours: 24,
} as const;

/** Relative tolerance so that 5,000 records/s × 1.0 does not become 6 shards through floating-point noise. */
const EPSILON = 1e-9;
const ceil = (x: number): number => Math.ceil(x - EPSILON);

/** `StreamCapacity.plan`, with the scope named in errors (a construct path, or the method). */
export function planCapacity(profile: ThroughputProfile, scope: string, maxRecordSize?: Size): CapacityPlan {
  validateProfile(profile, scope, maxRecordSize);
  const shared = profile.sharedThroughputConsumers ?? PROFILE_DEFAULTS.sharedThroughputConsumers;
  const efo = profile.efoConsumers ?? PROFILE_DEFAULTS.efoConsumers;
  const headroom = profile.headroom ?? PROFILE_DEFAULTS.headroom;
  const retentionHours = profile.retention?.toHours() ?? PROFILE_DEFAULTS.retentionHours;
  const recordBytes = profile.averageRecordSize.toBytes();
  const sizedRecordBytes = roundUp(recordBytes, L.SIZING_RECORD_ROUNDING_BYTES);

  const designRecords = profile.peakRecordsPerSecond * headroom;
  const designWriteBytes = designRecords * sizedRecordBytes;
  const shardsForBytes = ceil(designWriteBytes / L.SHARD_WRITE_BYTES_PER_SECOND);
  const shardsForRecords = ceil(designRecords / L.SHARD_WRITE_RECORDS_PER_SECOND);
  const writeShards = Math.max(1, shardsForBytes, shardsForRecords);
  const readShards = Math.max(shared > 0 ? 1 : 0, ceil(designWriteBytes * shared / L.SHARD_SHARED_READ_BYTES_PER_SECOND));
  const shardCount = Math.max(writeShards, readShards);

  // The tightest limit before rounding up: 15,000 records/s of 1 KB need 14.6 shards for bytes and 15 for records, and
  // both round to 15, yet records decide. Its ceiling is the shard count (max of ceilings = ceiling of the max).
  const bytesLoad = designWriteBytes / L.SHARD_WRITE_BYTES_PER_SECOND;
  const recordsLoad = designRecords / L.SHARD_WRITE_RECORDS_PER_SECOND;
  const readsLoad = designWriteBytes * shared / L.SHARD_SHARED_READ_BYTES_PER_SECOND;
  let bindingConstraint: BindingConstraint;
  if (readsLoad > Math.max(bytesLoad, recordsLoad)) bindingConstraint = BindingConstraint.SHARED_READS;
  else if (recordsLoad > bytesLoad) bindingConstraint = BindingConstraint.WRITE_RECORDS;
  else bindingConstraint = BindingConstraint.WRITE_BYTES;

  const averageRecords = profile.averageRecordsPerSecond ?? profile.peakRecordsPerSecond;
  const cost = monthlyCosts({ shardCount, averageRecords, recordBytes, shared, efo, retentionHours });

  const warnings: string[] = [];
  if (shared > L.SHARED_CONSUMERS_BEFORE_EFO) {
    warnings.push(`${shared} shared-throughput consumers share 5 GetRecords calls/s and 2 MiB/s per shard (about 200 ms of latency each): `
      + 'register the latency-sensitive ones as enhanced fan-out consumers');
  }
  if (profile.hotKeyShare !== undefined) {
    const hotRecords = designRecords * profile.hotKeyShare;
    const hotBytes = hotRecords * sizedRecordBytes;
    if (hotRecords > L.SHARD_WRITE_RECORDS_PER_SECOND || hotBytes > L.SHARD_WRITE_BYTES_PER_SECOND) {
      warnings.push(`the hottest partition key carries ${round2(hotRecords)} records/s and ${round2(hotBytes / 1024)} KiB/s, beyond one shard's `
        + '1,000 records/s or 1,024 KiB/s: it throttles whatever the shard count; spread it over more keys (e.g. a suffix)');
    }
  }
  let provisionedPossible = true;
  if (shardCount > L.MAX_SHARDS_PER_STREAM) {
    provisionedPossible = false;
    warnings.push(`${shardCount} shards exceed the ${L.MAX_SHARDS_PER_STREAM} shards of one provisioned stream: use on-demand or split the traffic over several streams`);
  } else if (shardCount > 1000) {
    warnings.push(`${shardCount} shards exceed the default account quota outside us-east-1, us-west-2 and eu-west-1 (1,000 or 6,000 shards): request an increase first`);
  }
  let onDemandPossible = true;
  if (designWriteBytes > L.ON_DEMAND_MAX_WRITE_BYTES_PER_SECOND_LARGE_REGIONS) {
    onDemandPossible = false;
    warnings.push(`${round2(designWriteBytes / 1e6)} MB/s of writes exceed on-demand's 10 GB/s per stream: use provisioned mode`);
  } else if (designWriteBytes > L.ON_DEMAND_MAX_WRITE_BYTES_PER_SECOND) {
    warnings.push(`${round2(designWriteBytes / 1e6)} MB/s of writes exceed on-demand's 200 MB/s per stream outside us-east-1, us-west-2 and eu-west-1`);
  }

  let recommendedMode: kinesis.StreamMode;
  if (!provisionedPossible) recommendedMode = kinesis.StreamMode.ON_DEMAND;
  else if (!onDemandPossible) recommendedMode = kinesis.StreamMode.PROVISIONED;
  else recommendedMode = cost.provisioned <= cost.onDemand ? kinesis.StreamMode.PROVISIONED : kinesis.StreamMode.ON_DEMAND;
  if (recommendedMode === kinesis.StreamMode.ON_DEMAND) {
    const coldStart = onDemandColdStartWarning(designWriteBytes);
    if (coldStart) warnings.push(coldStart);
  }

  return {
    shardCount,
    writeShards,
    readShards,
    bindingConstraint,
    recommendedMode,
    provisionedMonthlyCostUsd: round2(cost.provisioned),
    onDemandMonthlyCostUsd: round2(cost.onDemand),
    designWriteBytesPerSecond: Math.round(designWriteBytes),
    designRecordsPerSecond: Math.round(designRecords * 1000) / 1000,
    warnings,
  };
}

interface CostInputs {
  readonly shardCount: number;
  readonly averageRecords: number;
  readonly recordBytes: number;
  readonly shared: number;
  readonly efo: number;
  readonly retentionHours: number;
}

/** Monthly costs of both modes (us-east-1 prices of https://aws.amazon.com/kinesis/data-streams/pricing/, 730 hours a month). Exported for tests and the simulator. */
export function monthlyCosts(c: CostInputs): { provisioned: number; onDemand: number } {
  const hours = P.HOURS_PER_MONTH;
  const recordsPerMonth = c.averageRecords * 3600 * hours;
  const gbPerMonth = recordsPerMonth * c.recordBytes / P.BYTES_PER_GB;
  const billedGbPerMonth = recordsPerMonth * roundUp(c.recordBytes, P.ON_DEMAND_RECORD_ROUNDING_BYTES) / P.BYTES_PER_GB;
  const bytesPerHour = c.averageRecords * c.recordBytes * 3600;
  // Data held beyond the first 24 hours (up to 7 days), and beyond 7 days, in GB at steady state.
  const extendedGb = Math.max(0, Math.min(c.retentionHours, L.EXTENDED_RETENTION_HOURS) - 24) * bytesPerHour / P.BYTES_PER_GB;
  const longTermGb = Math.max(0, c.retentionHours - L.EXTENDED_RETENTION_HOURS) * bytesPerHour / P.BYTES_PER_GB;

  const putUnits = recordsPerMonth * Math.ceil(c.recordBytes / P.PUT_PAYLOAD_UNIT_BYTES);
  const provisioned = c.shardCount * P.PROVISIONED_SHARD_HOUR * hours
    + putUnits / 1e6 * P.PROVISIONED_PUT_PAYLOAD_UNITS_PER_MILLION
    + c.efo * (c.shardCount * P.PROVISIONED_EFO_CONSUMER_SHARD_HOUR * hours + gbPerMonth * P.PROVISIONED_EFO_PER_GB)
    + (c.retentionHours > 24 ? c.shardCount * P.PROVISIONED_EXTENDED_RETENTION_SHARD_HOUR * hours : 0)
    + longTermGb * P.LONG_TERM_RETENTION_PER_GB_MONTH;

  const onDemand = P.ON_DEMAND_STREAM_HOUR * hours
    + billedGbPerMonth * P.ON_DEMAND_INGEST_PER_GB
    + c.shared * gbPerMonth * P.ON_DEMAND_SHARED_READ_PER_GB
    + c.efo * gbPerMonth * P.ON_DEMAND_EFO_PER_GB
    + extendedGb * P.ON_DEMAND_EXTENDED_RETENTION_PER_GB_MONTH
    + longTermGb * P.LONG_TERM_RETENTION_PER_GB_MONTH;
  return { provisioned, onDemand };
}

function validateProfile(p: ThroughputProfile, scope: string, maxRecordSize?: Size): void {
  checkPositive(scope, 'peakRecordsPerSecond', p.peakRecordsPerSecond);
  const bytes = p.averageRecordSize.toBytes();
  const maxBytes = (maxRecordSize ?? Size.mebibytes(L.MAX_RECORD_SIZE_KIB / 1024)).toBytes();
  checkPositive(scope, 'averageRecordSize (bytes)', bytes);
  if (bytes > maxBytes) {
    throw propError(scope, 'averageRecordSize', `${bytes} bytes`, maxRecordSize
      ? `must be at most the stream's maximum record size (maxRecordSize, ${maxBytes} bytes): raise maxRecordSize, up to 10 MiB`
      : `must be at most ${maxBytes} bytes (10 MiB, the largest record Kinesis accepts)`);
  }
  if (p.averageRecordsPerSecond !== undefined) {
    checkRange(scope, 'averageRecordsPerSecond', p.averageRecordsPerSecond, 0, p.peakRecordsPerSecond, true);
  }
  checkIntRange(scope, 'sharedThroughputConsumers', p.sharedThroughputConsumers, 0, L.MAX_EFO_CONSUMERS);
  checkIntRange(scope, 'efoConsumers', p.efoConsumers, 0, L.MAX_EFO_CONSUMERS_ON_DEMAND_ADVANTAGE);
  checkRange(scope, 'headroom', p.headroom, 1, 10);
  checkRetention(scope, 'retention', p.retention);
  checkRange(scope, 'hotKeyShare', p.hotKeyShare, 0, 1, true);
}

/** A new on-demand stream starts at 4 MiB/s of writes: the warning for a design load above that, if it is. */
export function onDemandColdStartWarning(designWriteBytesPerSecond: number): string | undefined {
  if (designWriteBytesPerSecond <= L.ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND) return undefined;
  return `a new on-demand stream starts at 4 MiB/s of writes, below the ${round2(designWriteBytesPerSecond / 1024 / 1024)} MiB/s planned, `
    + 'and adapts toward it over time: set warmThroughputMiBps (On-demand Advantage) or start provisioned if the first day carries the full peak';
}

function roundUp(value: number, unit: number): number {
  return Math.ceil(value / unit) * unit;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
