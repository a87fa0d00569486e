import { MinuteSample, PolicyConfig, SHARD_BYTES_PER_MINUTE } from '../../../lambda/shard-autoscaler/policy';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** Decisions happen at epoch minute 1,000,000 (any fixed time works: the policy only compares times). */
export const NOW_MINUTE = 1_000_000;
export const NOW = NOW_MINUTE * MIN;
export const BASE: PolicyConfig = { minShards: 1, maxShards: 1000, targetUtilization: 0.7 };

/** A minute at `shardEq` shard equivalents of bytes (2 KiB records, so bytes bind), `throttled` records rejected. */
export function minute(m: number, shardEq: number, throttled = 0): MinuteSample {
  const bytes = shardEq * SHARD_BYTES_PER_MINUTE;
  return { minute: m, incomingBytes: bytes, incomingRecords: Math.round(bytes / 2048), throttledRecords: throttled };
}
