/**
 * The Amazon Data Firehose limits the delivery constructs design against, in one place, from the Firehose developer guide
 * (https://docs.aws.amazon.com/firehose/latest/dev/limits.html) and API reference
 * (https://docs.aws.amazon.com/firehose/latest/APIReference/). Pure data, no CDK import.
 */
export const FirehoseLimits = {
  /** Buffering of S3 destinations and of the Redshift staging bucket: 1–128 MiB (API_BufferingHints). */
  S3_MIN_BUFFER_MIB: 1,
  S3_MAX_BUFFER_MIB: 128,
  /** Buffering of OpenSearch Service and OpenSearch Serverless destinations: 1–100 MB. */
  OPENSEARCH_MIN_BUFFER_MB: 1,
  OPENSEARCH_MAX_BUFFER_MB: 100,
  /** Buffering interval of every destination: 0 (zero buffering) to 900 s. */
  MIN_BUFFER_INTERVAL_SECONDS: 0,
  MAX_BUFFER_INTERVAL_SECONDS: 900,
  /** Defaults of the service: 5 MiB / 300 s. */
  DEFAULT_BUFFER_MIB: 5,
  DEFAULT_BUFFER_INTERVAL_SECONDS: 300,
  /**
   * Dynamic partitioning needs a buffering interval of at least 60 s (zero buffering is refused) and, like data-format
   * conversion, a buffer of at least 64 MiB; aws-cdk-lib's S3 destination enforces the same.
   */
  DYNAMIC_PARTITIONING_MIN_BUFFER_INTERVAL_SECONDS: 60,
  /** Data-format conversion (and dynamic partitioning) need buffers of at least 64 MiB. */
  CONVERSION_MIN_BUFFER_MIB: 64,
  /** With dynamic partitioning, delivery can take up to about 1.5 times the buffering interval. */
  DYNAMIC_PARTITIONING_DELAY_FACTOR: 1.5,
  /** Active partitions per delivery stream (5,000 on request). */
  MAX_ACTIVE_PARTITIONS: 500,
  /** Retry duration of Redshift and OpenSearch delivery: 0–7,200 s. */
  MIN_RETRY_SECONDS: 0,
  MAX_RETRY_SECONDS: 7200,
  /** Service defaults of the retry duration: Redshift 3,600 s, OpenSearch 300 s. */
  REDSHIFT_DEFAULT_RETRY_SECONDS: 3600,
  OPENSEARCH_DEFAULT_RETRY_SECONDS: 300,
  /** Lambda transform buffering (data-transformation.html): 0.2–3 MB (default 1 MB), 0–900 s (default 60 s). */
  TRANSFORM_MIN_BUFFER_KIB: 0.2 * 1024,
  TRANSFORM_MAX_BUFFER_KIB: 3 * 1024,
  TRANSFORM_DEFAULT_BUFFER_KIB: 1024,
  TRANSFORM_MAX_BUFFER_INTERVAL_SECONDS: 900,
  TRANSFORM_DEFAULT_BUFFER_INTERVAL_SECONDS: 60,
  /** Lambda transform invocation retries (API_ProcessorParameter default 3). */
  TRANSFORM_DEFAULT_RETRIES: 3,
  /** Largest record Firehose accepts before base64 encoding: 1,000 KiB (API_PutRecord). */
  MAX_RECORD_BYTES: 1000 * 1024,
  /** Firehose publishes its metrics in 5-minute periods; its recommended quota alarms use 5-minute sums. */
  METRIC_PERIOD_SECONDS: 300,
} as const;

