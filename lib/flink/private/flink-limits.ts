/**
 * The Managed Service for Apache Flink limits and defaults this library designs against, in one place
 * (https://docs.aws.amazon.com/managed-flink/latest/java/limits.html and the API reference
 * https://docs.aws.amazon.com/managed-flink/latest/apiv2/). Pure data: the construct, its tests and the bench scripts import it.
 */
export const FlinkLimits = {
  /** KPUs per application without a quota increase. */
  DEFAULT_MAX_KPUS: 64,
  /** Runtime property groups per application. */
  MAX_PROPERTY_GROUPS: 50,
  /** Entries (key/value pairs) per property group. */
  MAX_PROPERTIES_PER_GROUP: 50,
  /** Characters of a property key or value. */
  MAX_PROPERTY_LENGTH: 2048,
  /** Characters of a property group id, which must match GROUP_ID_PATTERN. */
  MAX_GROUP_ID_LENGTH: 50,
  GROUP_ID_PATTERN: /^[a-zA-Z0-9_.-]+$/,
  /** Application names: 1-128 characters of [a-zA-Z0-9_.-]. */
  MAX_APPLICATION_NAME_LENGTH: 128,
  APPLICATION_NAME_PATTERN: /^[a-zA-Z0-9_.-]+$/,
  /** Checkpoint interval and minimum pause of the service's DEFAULT checkpoint configuration, milliseconds. */
  DEFAULT_CHECKPOINT_INTERVAL_MS: 60_000,
  DEFAULT_MIN_PAUSE_BETWEEN_CHECKPOINTS_MS: 5_000,
  /** CPU utilisation at which service autoscaling doubles parallelism (after 15 minutes). */
  AUTOSCALING_SCALE_UP_CPU: 0.75,
} as const;
