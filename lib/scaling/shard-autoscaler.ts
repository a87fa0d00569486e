import {
  Duration, RemovalPolicy, Stack,
  aws_cloudwatch as cloudwatch, aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets,
  aws_iam as iam, aws_kinesis as kinesis, aws_lambda as lambda, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmTopic } from '../monitoring/alarm-topic';
import { NagRules, acknowledgeFinding, acknowledgeWildcardAction } from '../private/compliance';
import { NodeFunction } from '../private/node-function';
import { AutoscalerSettings, autoscalerHandlerConfig, autoscalerSettings } from './private/configuration';
import { AUTOSCALER_METRIC_NAMESPACE, AUTOSCALER_SERVICE, AutoscalerMetrics, CONFIG_ENV } from './private/handler-config';
import { createScalingAlarms } from './private/scaling-alarms';
import { sensitivityName } from './private/thresholds';
import { validateShardAutoscalerProps } from './private/validation';
import { ShardAutoscalerAlarms, ShardAutoscalerAlarmsOptions } from './shard-autoscaler-alarms';

/**
 * How quickly the autoscaler reacts in one direction. Higher sensitivity reacts on less evidence: faster, at the price
 * of more of the 10 UpdateShardCount calls a stream may make in a rolling 24 h.
 */
export enum ScalingSensitivity {
  /**
   * Scale-out after 2 minutes at or above the scale-out utilisation, or 1 throttled minute.
   * Scale-in after 30 minutes at or below the scale-in utilisation.
   */
  HIGH = 'HIGH',
  /**
   * Scale-out after 3 minutes at or above the scale-out utilisation, or 1 throttled minute.
   * Scale-in after 60 minutes at or below the scale-in utilisation.
   */
  MEDIUM = 'MEDIUM',
  /**
   * Scale-out after 5 minutes at or above the scale-out utilisation, or 2 throttled minutes.
   * Scale-in after 180 minutes at or below the scale-in utilisation.
   */
  LOW = 'LOW',
}

/**
 * What `PipelineStream.enableAutoscaling()` takes: every ShardAutoscaler prop except the stream and its shard count.
 */
export interface ShardAutoscalerOptions {
  /**
   * The fewest shards the autoscaler ever asks for. A stream found below it is scaled out to it.
   *
   * Range: 1 to 10,000, and at most `maxShards`.
   */
  readonly minShards: number;

  /**
   * The most shards the autoscaler ever asks for: the cost ceiling (each shard costs $0.015 per hour in us-east-1).
   * A stream found above it is scaled in to it.
   *
   * Range: 1 to 10,000 (the per-stream limit of UpdateShardCount); mind the account's shard quota too.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
   */
  readonly maxShards: number;

  /**
   * The write utilisation the autoscaler sizes the stream for: after a scaling step the stream has
   * ceil(demand / targetUtilization) shards, where demand is in shards' worth of writes (1 MiB/s or 1,000 records/s each,
   * whichever binds). Scale-out triggers halfway between the target and 100% (0.8 for 0.6); scale-in triggers at
   * three quarters of the target (0.45 for 0.6). The default leaves the headroom with which the stream, reacting to a
   * surge, throttles no more than an on-demand stream on the benchmark's surges (a 5× flash sale among them) at a
   * fifth to a third of the on-demand price; 0.7 costs about 15% less on diurnal traffic and throttles more on surges.
   *
   * Range: (0, 1].
   * @default 0.6
   * @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
   */
  readonly targetUtilization?: number;

  /**
   * How quickly the autoscaler scales out.
   * @default ScalingSensitivity.HIGH - 2 minutes at or above the scale-out utilisation, or 1 throttled minute
   */
  readonly scaleOutSensitivity?: ScalingSensitivity;

  /**
   * How quickly the autoscaler scales in.
   * @default ScalingSensitivity.MEDIUM - 60 minutes at or below the scale-in utilisation
   */
  readonly scaleInSensitivity?: ScalingSensitivity;

  /**
   * UpdateShardCount calls, of the 10 a stream may make per rolling 24 h, that scale-in may never use, so that scale-out
   * always has some left.
   *
   * Range: 0 to 9.
   * @default - the policy's default: 2 (two calls reach 4x the shard count)
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
   */
  readonly reserveCallsForScaleOut?: number;

  /**
   * Lag guard: no scale-in while the consumers are more than this far behind the tip of the stream. The bound applies to
   * the stream's `GetRecords.IteratorAgeMilliseconds` (polling consumers, unless `lagGuardIteratorAge` is false) and to
   * `SubscribeToShardEvent.MillisBehindLatest` of each consumer in `lagGuardConsumers` (enhanced fan-out); the largest
   * value of the last 10 minutes counts (a source that stopped publishing stops counting). Scale-out is never held back.
   *
   * Range: longer than zero.
   * @default - no lag guard
   * @see https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
   */
  readonly lagGuard?: Duration;

  /**
   * Enhanced fan-out consumers whose `MillisBehindLatest` the lag guard watches. Needs `lagGuard`.
   *
   * Range: at most 50 names of 1-128 characters `[a-zA-Z0-9_.-]`.
   * @default - none
   * @see https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
   */
  readonly lagGuardConsumers?: string[];

  /**
   * Whether the lag guard watches the stream's `GetRecords.IteratorAgeMilliseconds` (polling consumers). Needs `lagGuard`.
   * @default true
   */
  readonly lagGuardIteratorAge?: boolean;

  /**
   * Dry run: the handler decides, logs, publishes its metrics and notifies, but never calls UpdateShardCount and never
   * rewrites the alarms. Use it to watch what the autoscaler would do on your traffic before letting it act.
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * How often a scheduled re-check runs. It takes the next step of a scaling beyond 2× (as soon as the stream is ACTIVE
   * again), retries a kept intent, follows an alarm that stays in ALARM and re-syncs the alarms with the shard count;
   * while no UpdateShardCount call has been made for 24 h it also runs a rest check once per scale-in window (one
   * GetMetricData call and one DynamoDB write), which gives an inherited count the headroom a scale-in would leave.
   * When there is nothing to do it costs one DescribeStreamSummary, one DynamoDB read and one DescribeAlarms call.
   *
   * Range: whole minutes from 1 to 60.
   * @default Duration.minutes(1)
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
   */
  readonly recheckInterval?: Duration;

  /**
   * Topic the autoscaler reports to: every UpdateShardCount call, every decision it could not apply (with the error), and
   * its own alarms (handler errors, failing decisions).
   * @default - a new KMS-encrypted `AlarmTopic` (child `Topic`)
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The autoscaler's own alarms (child `Alarms`: handler errors, decisions that could not be applied, hot key), which
   * notify `notificationTopic` unless given their own topic. `alarms.alarmsEnabled` false turns them off; the scaling
   * alarms that trigger the handler are always created. `alarms.alarmNamePrefix` names the scaling alarms too
   * (`<prefix>-ScaleOutThrottling`, `<prefix>-HandlerErrors`, ...).
   * @default - all three alarms with their default evaluation, names generated by CloudFormation
   */
  readonly alarms?: ShardAutoscalerAlarmsOptions;
}

export interface ShardAutoscalerProps extends ShardAutoscalerOptions {
  /** The provisioned stream to scale. Imported streams work (`Stream.fromStreamArn`). */
  readonly stream: kinesis.IStream;

  /**
   * The stream's shard count at deploy. The utilisation alarms embed it in their metric math; after each reshard the
   * handler rewrites them for the new count (and re-syncs them if the count changed by other means).
   *
   * Range: whole number from 1 to 10,000, known at synth time.
   */
  readonly initialShardCount: number;

  /**
   * The stream's capacity mode. Only provisioned streams can be scaled with UpdateShardCount; on-demand streams scale
   * themselves, and the construct refuses them.
   * @default kinesis.StreamMode.PROVISIONED
   * @see https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html
   */
  readonly streamMode?: kinesis.StreamMode;
}

/**
 * Scales a provisioned Kinesis data stream with UpdateShardCount, within minutes, without breaking the resharding limits.
 *
 * - Three 1-minute alarms wake the handler: write throttling, high utilisation, sustained low utilisation. Utilisation is
 *   metric math over `IncomingBytes` and `IncomingRecords` with the shard count embedded, because CloudWatch has no
 *   shard-count metric; the handler rewrites the expressions after every reshard.
 * - An EventBridge rule sends the alarms' transitions to ALARM to the handler, and a schedule re-checks every minute (for
 *   steps beyond 2×, kept intents, alarms that stay in ALARM, and a rest check once per scale-in window while no call has
 *   been made for 24 h).
 * - The handler reads the per-minute metrics with GetMetricData, asks a pure policy for a target and calls
 *   UpdateShardCount (UNIFORM_SCALING). It records its calls in a small DynamoDB table (child `State`) to stay within 10 per
 *   rolling 24 h with a reserve for scale-out, ignores stale and duplicate alarm events, runs one at a time (reserved
 *   concurrency 1, plus a stream status check and a conditional write), and keeps a decision it could not apply for the
 *   next re-check, reporting it to `notificationTopic`.
 *
 * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
 */
export class ShardAutoscaler extends Construct {
  /** The handler function. */
  public readonly function: lambda.IFunction;
  /** The table of the handler's state: its UpdateShardCount calls of the last 24 h, a kept intent, the last alarm event. */
  public readonly stateTable: dynamodb.ITable;
  /** The topic the autoscaler reports to. */
  public readonly notificationTopic: sns.ITopic;
  /** Wakes the handler after `throttleMinutes` throttled or saturated (near-capacity) minutes. */
  public readonly scaleOutThrottlingAlarm: cloudwatch.IAlarm;
  /** Wakes the handler after `scaleOutMinutes` minutes at or above the scale-out utilisation. */
  public readonly scaleOutUtilizationAlarm: cloudwatch.IAlarm;
  /** Wakes the handler after the scale-in window at or below the scale-in utilisation. */
  public readonly scaleInUtilizationAlarm: cloudwatch.IAlarm;
  /** The rule that sends the scaling alarms' transitions to ALARM to the handler. */
  public readonly alarmRule: events.IRule;
  /** The scheduled re-check. */
  public readonly recheckRule: events.IRule;
  /** The autoscaler's own alarms (handler errors, failing decisions). */
  public readonly alarms: ShardAutoscalerAlarms;
  /** Utilisation at or above which the scale-out alarm counts a minute (the policy's threshold). */
  public readonly scaleOutUtilization: number;
  /** Utilisation at or below which the scale-in alarm counts a minute (the policy's threshold). */
  public readonly scaleInUtilization: number;

  private readonly stream: kinesis.IStream;

  constructor(scope: Construct, id: string, props: ShardAutoscalerProps) {
    super(scope, id);
    validateShardAutoscalerProps(this, props);
    const settings = resolveDefaults(props);
    const { thresholds, alarmNamePrefix: prefix } = settings;

    this.stream = props.stream;
    this.scaleOutUtilization = thresholds.scaleOutUtilization;
    this.scaleInUtilization = thresholds.scaleInUtilization;

    this.notificationTopic = props.notificationTopic ?? new AlarmTopic(this, 'Topic').topic;

    const table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'stream', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // One item per stream holding the last 24 h of scaling calls: losing it costs at most calls that Kinesis itself
      // then rejects (LimitExceededException, which the handler handles), so it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateTable = table;
    acknowledgeFinding(table, NagRules.DYNAMODB_BACKUP_PLAN,
      'The table holds one item of operational state (scaling calls of the last 24 h), rebuilt by use and useless after '
      + '24 h; point-in-time recovery is on, a backup plan would only add cost');

    const { scaleOutThrottling, scaleOutUtilization, scaleInUtilization, names } = createScalingAlarms(this, {
      stream: this.stream, shards: props.initialShardCount, thresholds, alarmNamePrefix: prefix,
    });
    this.scaleOutThrottlingAlarm = scaleOutThrottling;
    this.scaleOutUtilizationAlarm = scaleOutUtilization;
    this.scaleInUtilizationAlarm = scaleInUtilization;
    const scalingAlarms = [scaleOutThrottling, scaleOutUtilization, scaleInUtilization];

    const config = autoscalerHandlerConfig(settings, {
      streamName: this.stream.streamName,
      streamArn: this.stream.streamArn,
      tableName: table.tableName,
      topicArn: this.notificationTopic.topicArn,
      alarmNames: names,
    });
    const fn = new NodeFunction(this, 'Handler', {
      handlerName: 'shard-autoscaler',
      description: `Scales the Kinesis stream ${this.stream.streamName} with UpdateShardCount`,
      environment: { [CONFIG_ENV]: Stack.of(this).toJsonString(config) },
      // One invocation at a time: concurrent alarm events and re-checks queue up instead of racing.
      reservedConcurrentExecutions: 1,
      timeout: Duration.minutes(1),
      // A failed invocation is not retried: the next re-check (at most recheckInterval later) starts from fresh metrics.
      retryAttempts: 0,
      noDeadLetterQueueReason: 'The events carry no data, only a wake-up: a failed or lost invocation is superseded by the scheduled '
        + 're-check a minute later, which decides from fresh metrics, and failures are alarmed by HandlerErrors; a dead-letter queue '
        + 'would hold events nobody should replay',
    });
    this.function = fn.function;
    this.grantHandler(fn.role, table, scalingAlarms);

    // Alarm transitions to ALARM → the handler.
    this.alarmRule = new events.Rule(this, 'AlarmEvents', {
      description: `Sends the scaling alarms of ${this.stream.streamName} to its shard autoscaler`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: scalingAlarms.map((a) => a.alarmArn),
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 2, maxEventAge: Duration.minutes(10) })],
    });
    this.recheckRule = new events.Rule(this, 'Recheck', {
      description: `Re-checks the shard autoscaler of ${this.stream.streamName}: multi-step scaling, kept intents, alarm sync`,
      schedule: events.Schedule.rate(settings.recheckInterval),
      targets: [new targets.LambdaFunction(fn.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    for (const rule of [this.alarmRule, this.recheckRule]) {
      acknowledgeFinding(rule, NagRules.EVENT_TARGET_DLQ,
        'A lost event costs nothing: the scheduled re-check runs every recheckInterval and decides from fresh metrics');
    }

    this.alarms = new ShardAutoscalerAlarms(this, 'Alarms', {
      alarmTopic: this.notificationTopic,
      defaultAlarmTopic: false,
      ...props.alarms,
      autoscaler: this,
      handler: fn.function,
    });
  }

  /**
   * UpdateShardCount calls the autoscaler made.
   *
   * Statistic Sum, period 5 minutes by default.
   */
  public metricScalingCalls(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.autoscalerMetric(AutoscalerMetrics.SCALING_CALLS, { statistic: 'Sum', ...props });
  }

  /**
   * Decisions the autoscaler could not apply (LimitExceededException, ResourceInUseException, ValidationException, or the
   * 24 h budget): each kept for the next re-check.
   *
   * Statistic Sum, period 5 minutes by default.
   */
  public metricScalingFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.autoscalerMetric(AutoscalerMetrics.SCALING_FAILURES, { statistic: 'Sum', ...props });
  }

  /**
   * The open shard count the handler saw at each evaluation.
   *
   * Statistic Maximum, period 5 minutes by default.
   */
  public metricOpenShards(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.autoscalerMetric(AutoscalerMetrics.OPEN_SHARDS, { statistic: 'Maximum', ...props });
  }

  /**
   * The shard count each decision aimed for.
   *
   * Statistic Maximum, period 5 minutes by default.
   */
  public metricTargetShards(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.autoscalerMetric(AutoscalerMetrics.TARGET_SHARDS, { statistic: 'Maximum', ...props });
  }

  /**
   * Decisions taken while the stream throttled at low utilisation: a hot partition key (one shard full, the stream not),
   * which the autoscaler does not answer with more shards. Fix it at the producer (a better-spread partition key).
   *
   * Statistic Sum, period 5 minutes by default.
   */
  public metricHotKeyThrottling(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.autoscalerMetric(AutoscalerMetrics.HOT_KEY_THROTTLING, { statistic: 'Sum', ...props });
  }

  /** Permissions: exactly the calls the handler makes. */
  private grantHandler(role: iam.IRole, table: dynamodb.ITable, scalingAlarms: cloudwatch.IAlarm[]): void {
    // The Service Authorization Reference lists kinesis:UpdateShardCount without resource types, so IAM evaluates it on
    // `*`: a statement scoped to the stream's ARN would not allow it.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisdatastreams.html
    this.stream.grant(role, 'kinesis:DescribeStreamSummary');
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kinesis:UpdateShardCount'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm'],
      resources: scalingAlarms.map((a) => a.alarmArn),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
    }));
    acknowledgeWildcardAction(role, 'kms:GenerateDataKey*',
      'Publishing to the KMS-encrypted notification topic needs kms:GenerateDataKey* (all its variants) on that one key, '
      + 'which is the resource of the statement');
    acknowledgeFinding(role, NagRules.IAM_WILDCARD,
      'kinesis:UpdateShardCount, cloudwatch:GetMetricData, xray:PutTraceSegments and xray:PutTelemetryRecords support no '
      + 'resource-level permissions (the Service Authorization Reference lists no resource types for them); every other action is '
      + 'scoped to the stream, its three scaling alarms, the state table and the topic', 'Resource::*');
    table.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.notificationTopic.grantPublish(role);
  }

  private autoscalerMetric(metricName: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: AUTOSCALER_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { service: AUTOSCALER_SERVICE, StreamName: this.stream.streamName },
      period: Duration.minutes(5),
      ...props,
    });
  }
}

/** The props with every default applied: the one place the construct's defaults are decided. */
function resolveDefaults(props: ShardAutoscalerProps): AutoscalerSettings {
  return autoscalerSettings({
    minShards: props.minShards,
    maxShards: props.maxShards,
    targetUtilization: props.targetUtilization ?? 0.6,
    scaleOutSensitivity: sensitivityName(props.scaleOutSensitivity ?? ScalingSensitivity.HIGH),
    scaleInSensitivity: sensitivityName(props.scaleInSensitivity ?? ScalingSensitivity.MEDIUM),
    reserveCallsForScaleOut: props.reserveCallsForScaleOut,
    lagGuard: props.lagGuard,
    lagGuardConsumers: props.lagGuardConsumers ?? [],
    lagGuardIteratorAge: props.lagGuardIteratorAge ?? true,
    dryRun: props.dryRun ?? false,
    recheckInterval: props.recheckInterval ?? Duration.minutes(1),
    alarmNamePrefix: props.alarms?.alarmNamePrefix,
  });
}
