import { Duration, Size, aws_kinesis as kinesis } from 'aws-cdk-lib';
import { planCapacity } from './private/plan';

/**
 * The traffic a stream must carry, as a user knows it: records per second at peak and their size.
 * `StreamCapacity.plan()` turns it into shards, a capacity mode and a monthly cost.
 */
export interface ThroughputProfile {
  /**
   * Records per second written at peak, summed over all producers. Must be > 0.
   */
  readonly peakRecordsPerSecond: number;
  /**
   * Average size of one record: data blob plus partition key (partition keys count toward the write limit).
   * Must be > 0 and at most the stream's maximum record size (1 MiB by default, up to 10 MiB).
   * Sized and billed rounded up to 1 KB, as AWS does.
   * @see https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
   */
  readonly averageRecordSize: Size;
  /**
   * Records per second averaged over a month, for the cost estimate only (sizing uses the peak).
   * Must be > 0 and at most the peak.
   * @default - the peak: the estimate is then an upper bound
   */
  readonly averageRecordsPerSecond?: number;
  /**
   * Consumers that read with GetRecords and share a shard's 2 MiB/s (KCL and Lambda applications, Firehose counts as one).
   * Whole number, 0–20. More than 2 adds latency (they share 5 GetRecords calls per second per shard): use EFO.
   * @default 1
   */
  readonly sharedThroughputConsumers?: number;
  /**
   * Enhanced fan-out consumers; each gets its own 2 MiB/s per shard and does not change the shard count, only the cost.
   * Whole number, 0–50 (20 per stream, 50 with On-demand Advantage).
   * @default 0
   */
  readonly efoConsumers?: number;
  /**
   * Multiplier on the peak that the stream is sized for, to absorb bursts above the declared peak. From 1 to 10.
   * @default 1.25
   */
  readonly headroom?: number;
  /**
   * How long records stay readable, 24 hours to 8,760 hours (365 days). Beyond 24 hours it adds to the cost.
   * @default Duration.hours(24)
   */
  readonly retention?: Duration;
  /**
   * The largest share of the traffic carried by one partition key, in (0, 1]. One key always maps to one shard, so a
   * hot key beyond one shard's 1 MiB/s or 1,000 records/s throttles whatever the shard count.
   * @default - keys assumed evenly spread; no hot-key check
   */
  readonly hotKeyShare?: number;
}

/** Which limit decides the shard count of a provisioned stream. */
export enum BindingConstraint {
  /** 1 MiB/s of writes per shard. */
  WRITE_BYTES = 'WRITE_BYTES',
  /** 1,000 records/s of writes per shard. */
  WRITE_RECORDS = 'WRITE_RECORDS',
  /** 2 MiB/s of reads per shard shared by the polling consumers. */
  SHARED_READS = 'SHARED_READS',
}

/** The result of `StreamCapacity.plan()`: plain data a user can print. */
export interface CapacityPlan {
  /** Shards a provisioned stream needs: max(writeShards, readShards), at least 1. */
  readonly shardCount: number;
  /** Shards needed for writes (bytes and records, with headroom). */
  readonly writeShards: number;
  /** Shards needed for the shared-throughput consumers' reads (with headroom). */
  readonly readShards: number;
  /** The limit that decides `shardCount`. */
  readonly bindingConstraint: BindingConstraint;
  /** The cheaper mode for this profile, unless a limit rules one out. */
  readonly recommendedMode: kinesis.StreamMode;
  /** Monthly cost in provisioned mode, USD (us-east-1): shard-hours, PUT payload units, EFO, retention. */
  readonly provisionedMonthlyCostUsd: number;
  /** Monthly cost in on-demand Standard mode, USD (us-east-1): stream-hours, ingest, shared reads, EFO, retention. */
  readonly onDemandMonthlyCostUsd: number;
  /** Write bytes per second the plan is sized for (peak × headroom, records rounded up to 1 KB). */
  readonly designWriteBytesPerSecond: number;
  /** Write records per second the plan is sized for (peak × headroom). */
  readonly designRecordsPerSecond: number;
  /** Advice: more than 2 shared consumers, hot keys, profiles past per-stream or on-demand limits. */
  readonly warnings: string[];
}

/** Capacity planning for Kinesis Data Streams. */
export class StreamCapacity {
  /**
   * Sizes a stream for a declared load, as AWS's sizing rule does: shards = max(write ÷ 1 MiB/s, write records ÷ 1,000,
   * write × shared consumers ÷ 2 MiB/s), records rounded up to 1 KB, all at peak × headroom; then prices both capacity
   * modes with the us-east-1 prices (https://aws.amazon.com/kinesis/data-streams/pricing/) and recommends the cheaper one. Pure: no construct, no AWS call.
   * @see https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
   */
  public static plan(profile: ThroughputProfile): CapacityPlan {
    return planCapacity(profile, 'StreamCapacity.plan');
  }

  private constructor() {}
}
