/**
 * The contract between the ShardAutoscaler construct and its handler: the construct serialises this object as JSON into
 * the function's `AUTOSCALER_CONFIG` environment variable, the handler parses and checks it. Pure types and constants.
 */
import type { SensitivityName } from './thresholds';

/** Name of the environment variable that carries the configuration. */
export const CONFIG_ENV = 'AUTOSCALER_CONFIG';

/** Namespace of the metrics the handler publishes (embedded metric format). */
export const AUTOSCALER_METRIC_NAMESPACE = 'KinesisStreamingPipelines/ShardAutoscaler';
/** Powertools service name of the handler; Powertools adds it to every metric as the `service` dimension. */
export const AUTOSCALER_SERVICE = 'shard-autoscaler';

/** Metrics the handler publishes, each with the dimensions `service` and `StreamName`. */
export const AutoscalerMetrics = {
  /** UpdateShardCount calls made. */
  SCALING_CALLS: 'ScalingCalls',
  /** Decisions that could not be applied (LimitExceeded, ResourceInUse, Validation, budget): the intent is kept. */
  SCALING_FAILURES: 'ScalingFailures',
  /** The open shard count the stream reports, at every invocation that reads it (CloudWatch has no such metric). */
  OPEN_SHARDS: 'OpenShards',
  /** The target of each decision (equal to OpenShards when nothing is to be done). */
  TARGET_SHARDS: 'TargetShards',
  /** UpdateShardCount calls in the rolling 24 h, including this decision's. */
  CALLS_IN_LAST_24H: 'ScalingCallsInLast24h',
  /** Invocations that stopped because another one changed the state first (they lost the race; nothing is wrong). */
  CONCURRENCY_CONFLICTS: 'ConcurrencyConflicts',
  /**
   * 1 for each decision on a newest minute that throttled while the stream's utilisation was low: a hot partition key,
   * which the autoscaler does not answer with shards.
   */
  HOT_KEY_THROTTLING: 'HotKeyThrottling',
} as const;

export interface AutoscalerAlarmNames {
  readonly scaleOutThrottling: string;
  readonly scaleOutUtilization: string;
  readonly scaleInUtilization: string;
}

export interface AutoscalerHandlerConfig {
  readonly streamName: string;
  readonly streamArn: string;
  /** DynamoDB table of the autoscaler's state (scaling calls of the last 24 h, kept intent, last alarm event). */
  readonly tableName: string;
  /** Topic for scaling reports; none means reports go to the log only. */
  readonly topicArn?: string;
  readonly alarmNames: AutoscalerAlarmNames;
  readonly minShards: number;
  readonly maxShards: number;
  readonly targetUtilization: number;
  readonly scaleOutSensitivity: SensitivityName;
  readonly scaleInSensitivity: SensitivityName;
  /** Undefined: the policy's default. */
  readonly reserveCallsForScaleOut?: number;
  /** No scale-in while the lag is above this many milliseconds. */
  readonly lagGuardMillis?: number;
  /** EFO consumers whose `SubscribeToShardEvent.MillisBehindLatest` counts toward the lag. */
  readonly lagGuardConsumers: string[];
  /** Whether `GetRecords.IteratorAgeMilliseconds` counts toward the lag. */
  readonly lagGuardIteratorAge: boolean;
  /** Decide and report, but never call UpdateShardCount nor rewrite the alarms. */
  readonly dryRun: boolean;
}
