/**
 * The Kinesis Data Streams limits and prices this library designs against, in one place.
 * Limits from https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html and the Kinesis API reference;
 * prices (us-east-1) from https://aws.amazon.com/kinesis/data-streams/pricing/. Pure data: the Lambda handlers,
 * the simulator and the constructs all import it, so a number AWS changes is changed here only.
 */
export const KinesisLimits = {
  /** Write capacity of one shard: 1 MiB/s (partition keys count toward bytes). */
  SHARD_WRITE_BYTES_PER_SECOND: 1024 * 1024,
  /** Write capacity of one shard: 1,000 records/s. */
  SHARD_WRITE_RECORDS_PER_SECOND: 1000,
  /** Shared (GetRecords) read capacity of one shard, for all polling consumers together: 2 MiB/s. */
  SHARD_SHARED_READ_BYTES_PER_SECOND: 2 * 1024 * 1024,
  /** Enhanced fan-out read capacity of one shard per registered consumer: 2 MiB/s. */
  SHARD_EFO_READ_BYTES_PER_SECOND: 2 * 1024 * 1024,
  /** Records are rounded up to 1 KB for sizing. */
  SIZING_RECORD_ROUNDING_BYTES: 1024,
  /** Shards per stream (UpdateShardCount upper bound). */
  MAX_SHARDS_PER_STREAM: 10_000,
  /** Account shard quota in us-east-1, us-west-2, eu-west-1 (1,000 or 6,000 elsewhere). */
  ACCOUNT_SHARD_QUOTA_LARGE_REGIONS: 20_000,
  /** EFO consumers per stream (provisioned and on-demand Standard). */
  MAX_EFO_CONSUMERS: 20,
  /** EFO consumers per stream with On-demand Advantage. */
  MAX_EFO_CONSUMERS_ON_DEMAND_ADVANTAGE: 50,
  /** Retention bounds, hours. */
  MIN_RETENTION_HOURS: 24,
  MAX_RETENTION_HOURS: 8760,
  /** Retention beyond this is billed per GB-month ("long-term" retention). */
  EXTENDED_RETENTION_HOURS: 168,
  /** Default maximum record size, KiB; per stream up to 10,240 KiB via MaxRecordSizeInKiB. */
  DEFAULT_MAX_RECORD_SIZE_KIB: 1024,
  MAX_RECORD_SIZE_KIB: 10240,
  /** UpdateShardCount calls per rolling 24 h per stream. */
  MAX_SCALING_CALLS_PER_24H: 10,
  /** UpdateShardCount: target at most this factor above, and at least its inverse below, the current count. */
  MAX_SCALING_FACTOR: 2,
  /** On-demand Standard write ceiling in the three large Regions (10 GB/s) and elsewhere (200 MB/s), bytes/s. */
  ON_DEMAND_MAX_WRITE_BYTES_PER_SECOND_LARGE_REGIONS: 10 * 1000 * 1000 * 1000,
  ON_DEMAND_MAX_WRITE_BYTES_PER_SECOND: 200 * 1000 * 1000,
  /** A new on-demand stream starts at 4 MiB/s write. */
  ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND: 4 * 1024 * 1024,
  /** PutRecords: records per request. */
  PUT_RECORDS_MAX_RECORDS: 500,
  /**
   * PutRecords: bytes per request, data blobs (decoded) and partition keys together. The API reference now says 10 MiB;
   * the 5 MiB it said before is the bound that holds in every Region and behind API Gateway's 10 MB payload limit
   * (the data travels base64-encoded there).
   */
  PUT_RECORDS_MAX_BYTES: 5 * 1024 * 1024,
  /** Partition key length, Unicode characters. */
  PARTITION_KEY_MAX_CHARS: 256,
  /** Shared-throughput consumers beyond which EFO is advised (they share 5 GetRecords/s per shard). */
  SHARED_CONSUMERS_BEFORE_EFO: 2,
} as const;

/** Prices in USD, us-east-1 (https://aws.amazon.com/kinesis/data-streams/pricing/). */
export const KinesisPrices = {
  /** The Region these prices are from. */
  REGION: 'us-east-1',
  /** Hours in a billing month as AWS computes monthly estimates (730). */
  HOURS_PER_MONTH: 730,
  PROVISIONED_SHARD_HOUR: 0.015,
  /** Per million PUT payload units of 25 KB. */
  PROVISIONED_PUT_PAYLOAD_UNITS_PER_MILLION: 0.014,
  PUT_PAYLOAD_UNIT_BYTES: 25 * 1024,
  PROVISIONED_EFO_CONSUMER_SHARD_HOUR: 0.015,
  PROVISIONED_EFO_PER_GB: 0.013,
  /** Extended retention (24 h to 7 d), per shard-hour. */
  PROVISIONED_EXTENDED_RETENTION_SHARD_HOUR: 0.02,
  /** Retention beyond 7 days, per GB-month (both modes). */
  LONG_TERM_RETENTION_PER_GB_MONTH: 0.023,
  ON_DEMAND_STREAM_HOUR: 0.04,
  ON_DEMAND_INGEST_PER_GB: 0.08,
  ON_DEMAND_SHARED_READ_PER_GB: 0.04,
  ON_DEMAND_EFO_PER_GB: 0.05,
  ON_DEMAND_EXTENDED_RETENTION_PER_GB_MONTH: 0.10,
  /** On-demand bills each record rounded up to 1 KB. */
  ON_DEMAND_RECORD_ROUNDING_BYTES: 1024,
  /** GB as billed: 2^30 bytes. */
  BYTES_PER_GB: 1024 * 1024 * 1024,
} as const;
