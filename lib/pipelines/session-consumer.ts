import {
  Duration, RemovalPolicy, Stack, Tokenization,
  aws_cloudwatch as cloudwatch, aws_dynamodb as dynamodb, aws_events as events, aws_events_targets as targets,
  aws_iam as iam, aws_kinesis as kinesis, aws_kms as kms, aws_lambda as lambda, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { S3RecordDestination } from './private/s3-record-destination';
import {
  SESSION_FUNCTION_DIMENSION, SESSION_METRIC_NAMESPACE, SESSION_SERVICE, SessionDefaults, SessionEnv,
  SessionMetrics, SessionTable, SWEEP_EVENT,
} from './private/session-contract';
import { sessionTiming } from './private/session-settings';
import { validateSessionConsumerProps } from './private/validation';
import { SessionConsumerAlarms, SessionConsumerAlarmsOptions } from './session-consumer-alarms';
import { DataLakeBucket } from '../delivery/data-lake-bucket';
import { NagRules, acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance';
import { NodeFunction } from '../private/node-function';

/** The layout of a session table. */
export interface SessionTableSchema {
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /** Sort key attribute (string). */
  readonly sortKey: string;
  /** TTL attribute (epoch seconds). */
  readonly timeToLiveAttribute: string;
  /** Name of the keys-only global secondary index the sweep queries. */
  readonly sweepIndexName: string;
  /** Its partition key attribute (string). */
  readonly sweepIndexPartitionKey: string;
  /** Its sort key attribute (number). */
  readonly sweepIndexSortKey: string;
}

export interface SessionConsumerProps {
  /** The stream of click events. */
  readonly stream: kinesis.IStream;
  /**
   * The enhanced fan-out consumer to read through (its own 2 MiB/s per shard, ~70 ms). Pass one from
   * `PipelineStream.addConsumer` so that it counts toward the stream's consumer quota and gets its lag alarm.
   * @default - a new consumer of `stream` (child `Consumer`), outside any quota check
   * @see https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
   */
  readonly consumer?: kinesis.IStreamConsumer;
  /** The stream the session summaries are written to (JSON, one per record, partition key the user). */
  readonly summaryStream: kinesis.IStream;
  /**
   * The session table. Bring your own with the layout of `SessionConsumer.TABLE_SCHEMA`: partition key `pk` and sort key `sk`
   * (strings), TTL on `expiresAt`, and a keys-only global secondary index `Sweep` (`sweepPk` string, `sweepAt` number).
   * Its key, if customer-managed and not exposed by the `ITable`, must be granted to `role` by you.
   * @default - a new table (child `Table`): on-demand, point-in-time recovery, TTL, a customer-managed KMS key with rotation
   * (child `TableKey`), deletion protection, retained
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
   */
  readonly table?: dynamodb.ITable;
  /**
   * Where failed records go, whole: Lambda's on-failure destination (batches discarded after `retryAttempts` or
   * `maxRecordAge`, under `aws/lambda/`) and the handler's malformed records (under `poison/`).
   * @default - a new `DataLakeBucket` (child `FailureBucket`): SSE-KMS with a customer-managed key, TLS only, versioned,
   * access-logged, to Standard-IA after 30 days and Glacier Instant Retrieval after 90, expired after 365, retained
   * @see https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
   */
  readonly failureBucket?: s3.IBucket;
  /**
   * Inactivity that ends a session (event time), 1 minute to 24 hours, whole seconds.
   * @default Duration.minutes(30)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
   */
  readonly inactivityGap?: Duration;
  /**
   * How long after the gap the scheduled sweep waits for stragglers before closing a session no later event closed:
   * events of that session arriving afterwards are recorded as late. 0 to 24 hours, whole seconds. Keep it above the
   * consumer's usual iterator age.
   * @default Duration.minutes(10)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   */
  readonly closeDelay?: Duration;
  /**
   * How often the sweep runs (closes idle sessions, writes pending summaries). Whole minutes, 1 to 60.
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
   */
  readonly sweepInterval?: Duration;
  /**
   * How long the table keeps an item after its last write (TTL): sessions, user state and the applied-event markers
   * that make redelivery harmless. A record redelivered after this window is applied again. 1 to 365 days, whole
   * seconds, longer than `maxRecordAge`.
   * @default Duration.days(7)
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
   */
  readonly retention?: Duration;
  /**
   * Event types that make a session `converted`. 1 to 64 characters of letters, digits, `_ . : -` each.
   * @default ['purchase']
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
   */
  readonly conversionEventTypes?: string[];
  /**
   * Records per invocation, 1 to 10,000.
   * @default 100
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking, 0 to 300 seconds: fewer, fuller invocations.
   * @default Duration.seconds(1)
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Records older than this go to the on-failure destination unprocessed, 60 seconds to 7 days. Keep it below the stream's
   * retention, or records expire from the stream before Lambda gives up on them and are never delivered anywhere; the
   * failure bucket then keeps them for as long as an investigation needs, whatever the stream's retention.
   * @default Duration.hours(1)
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly maxRecordAge?: Duration;
  /**
   * Retries of a failing batch before it goes to the on-failure destination, 0 to 10,000 (bisected batches do not count).
   * @default 3
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly retryAttempts?: number;
  /**
   * Split a failing batch in two and retry each half, isolating the failing records.
   * @default true
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly bisectBatchOnError?: boolean;
  /**
   * Batches processed concurrently per shard, 1 to 10. Safe above 1: the handler's writes are conditional and idempotent.
   * @default 1
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly parallelizationFactor?: number;
  /**
   * Where to start reading when the mapping is created: `TRIM_HORIZON` (everything retained) or `LATEST`.
   * @default lambda.StartingPosition.TRIM_HORIZON
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * The alarms (`SessionConsumerAlarms`, child `Alarms`): thresholds, actions, and the off switch `alarms.alarmsEnabled`.
   * @default - the defaults of each threshold, notifying a new KMS-encrypted topic
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   */
  readonly alarms?: SessionConsumerAlarmsOptions;
}

/**
 * Sessionizes a clickstream: a Lambda function reads the stream through an enhanced fan-out consumer, groups each user's
 * clicks into sessions (inactivity gap, event time), keeps them in DynamoDB idempotently (a redelivered batch, a
 * producer's retry or a concurrent invocation changes nothing twice), and writes a JSON summary of every closed session to
 * a second stream (for Firehose → Redshift):
 *
 * `{ userId, anonymous, sessionId, start, end, durationSeconds, events, pageViews, productViews, products, converted,
 *    clientSessionIds, closeReason, closedAt }`
 *
 * Failures never block a shard and never lose a record: malformed records are put whole in the failure bucket by the
 * handler; records that fail otherwise are reported as batch item failures, retried (bisecting) and finally sent, whole, to
 * the same bucket by Lambda's S3 on-failure destination. A session ends when a later click of the user comes after the gap,
 * or when a scheduled sweep finds it idle for gap + `closeDelay`.
 *
 * ```ts
 * new SessionConsumer(this, 'Sessions', {
 *   stream: clicks.stream,
 *   consumer: clicks.addConsumer('Sessions'),
 *   summaryStream: summaries.stream,
 * });
 * ```
 */
export class SessionConsumer extends Construct {
  /**
   * The table layout the handler expects (for a table you bring): key attributes, TTL attribute and the sweep index.
   */
  public static readonly TABLE_SCHEMA: SessionTableSchema = {
    partitionKey: SessionTable.PARTITION_KEY,
    sortKey: SessionTable.SORT_KEY,
    timeToLiveAttribute: SessionTable.TTL_ATTRIBUTE,
    sweepIndexName: SessionTable.SWEEP_INDEX,
    sweepIndexPartitionKey: SessionTable.SWEEP_PARTITION_KEY,
    sweepIndexSortKey: SessionTable.SWEEP_SORT_KEY,
  };

  /** The handler function. */
  public readonly function: lambda.IFunction;
  /** Its role; every grant lands in one customer-managed policy. */
  public readonly role: iam.IRole;
  /** The session table. */
  public readonly table: dynamodb.ITable;
  /** The key of the table, when this construct created it. */
  public readonly tableEncryptionKey?: kms.IKey;
  /** Where failed and malformed records are kept, whole. */
  public readonly failureBucket: s3.IBucket;
  /** The enhanced fan-out consumer the function reads through. */
  public readonly consumer: kinesis.IStreamConsumer;
  /** The event source mapping. */
  public readonly eventSourceMapping: lambda.IEventSourceMapping;
  /** The schedule of the sweep. */
  public readonly sweepRule: events.IRule;
  /** The alarms and dashboard widgets of the consumer. */
  public readonly alarms: SessionConsumerAlarms;
  /** The inactivity gap. */
  public readonly inactivityGap: Duration;
  /** The maximum record age of the event source mapping. */
  public readonly maxRecordAge: Duration;

  constructor(scope: Construct, id: string, props: SessionConsumerProps) {
    super(scope, id);
    validateSessionConsumerProps(this, props);

    const { inactivityGap, maxRecordAge, closeDelay, retention } = sessionTiming(props);
    this.inactivityGap = inactivityGap;
    this.maxRecordAge = maxRecordAge;

    this.consumer = props.consumer ?? new kinesis.StreamConsumer(this, 'Consumer', {
      stream: props.stream,
      streamConsumerName: `${Stack.of(this).stackName}-${this.node.id}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 128),
    });

    if (props.table) {
      this.table = props.table;
      this.tableEncryptionKey = props.table.encryptionKey;
    } else {
      const key = new kms.Key(this, 'TableKey', {
        description: `Encrypts the session table of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
        pendingWindow: Duration.days(30),
      });
      const table = new dynamodb.Table(this, 'Table', {
        partitionKey: { name: SessionTable.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: SessionTable.SORT_KEY, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: SessionTable.TTL_ATTRIBUTE,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      table.addGlobalSecondaryIndex({
        indexName: SessionTable.SWEEP_INDEX,
        partitionKey: { name: SessionTable.SWEEP_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: SessionTable.SWEEP_SORT_KEY, type: dynamodb.AttributeType.NUMBER },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
      acknowledgeFinding(table, NagRules.DYNAMODB_BACKUP_PLAN,
        'The table is derived state (sessions are also on the summary stream and in the warehouse) with items that '
        + 'expire by TTL; point-in-time recovery gives 35 days of continuous backups and a backup plan would only add cost');
      this.table = table;
      this.tableEncryptionKey = key;
    }

    this.failureBucket = props.failureBucket ?? new DataLakeBucket(this, 'FailureBucket', { expireAfter: Duration.days(365) }).bucket;

    const fn = new NodeFunction(this, 'Handler', {
      handlerName: SESSION_SERVICE,
      description: `Sessionizes the clicks of ${props.stream.streamName} into ${this.table.tableName}`,
      environment: {
        [SessionEnv.TABLE_NAME]: this.table.tableName,
        [SessionEnv.SUMMARY_STREAM_ARN]: props.summaryStream.streamArn,
        [SessionEnv.FAILURE_BUCKET]: this.failureBucket.bucketName,
        [SessionEnv.POISON_PREFIX]: SessionDefaults.POISON_PREFIX,
        [SessionEnv.GAP_SECONDS]: Tokenization.stringifyNumber(this.inactivityGap.toSeconds()),
        [SessionEnv.CLOSE_DELAY_SECONDS]: Tokenization.stringifyNumber(closeDelay.toSeconds()),
        [SessionEnv.RETENTION_SECONDS]: Tokenization.stringifyNumber(retention.toSeconds()),
        [SessionEnv.CONVERSION_EVENT_TYPES]: (props.conversionEventTypes ?? [...SessionDefaults.CONVERSION_EVENT_TYPES]).join(','),
      },
      timeout: Duration.minutes(1),
      memorySize: 512,
      // Asynchronous invocations are the sweep's: a failed one is superseded by the next.
      retryAttempts: 0,
      noDeadLetterQueueReason: 'Records come from the Kinesis event source mapping, whose failures go whole to the S3 on-failure '
        + 'destination; the only asynchronous invocations are the scheduled sweeps, which carry no data and are superseded by the next one',
      noReservedConcurrencyReason: 'The event source mapping bounds the concurrency: one invocation per shard times parallelizationFactor, '
        + 'plus the sweep. A reservation would have to follow every reshard, and one set too low throttles the mapping (the records '
        + 'then age toward maxRecordAge)',
    });
    this.function = fn.function;
    this.role = fn.role;

    // Permissions: exactly the calls the handler makes.
    // The table and its one index by name (Table.grant would add <table>/index/*); transactions need the item actions.
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      resources: [this.table.tableArn],
    }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${this.table.tableArn}/index/${SessionTable.SWEEP_INDEX}`],
    }));
    this.table.encryptionKey?.grant(fn.role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    props.summaryStream.grantWrite(fn.role);
    this.consumer.grantRead(fn.role);
    // Malformed records, whole, under the poison prefix only (the bucket may be a shared data lake).
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [this.failureBucket.arnForObjects(`${SessionDefaults.POISON_PREFIX}*`)],
    }));

    const mapping = new lambda.EventSourceMapping(this, 'EventSource', {
      target: fn.function,
      eventSourceArn: this.consumer.streamConsumerArn,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
      bisectBatchOnError: props.bisectBatchOnError ?? true,
      maxRecordAge: this.maxRecordAge,
      retryAttempts: props.retryAttempts ?? 3,
      parallelizationFactor: props.parallelizationFactor ?? 1,
      reportBatchItemFailures: true,
      onFailure: new S3RecordDestination(this.failureBucket),
    });
    // CloudFormation checks the role can read the consumer when it creates the mapping.
    mapping.node.addDependency(fn.role);
    this.eventSourceMapping = mapping;
    this.acknowledgeRole(fn.role);

    this.sweepRule = new events.Rule(this, 'Sweep', {
      description: `Closes idle sessions and writes pending summaries of ${this.node.path}`,
      schedule: events.Schedule.rate(props.sweepInterval ?? Duration.minutes(5)),
      targets: [new targets.LambdaFunction(fn.function, {
        event: events.RuleTargetInput.fromObject(SWEEP_EVENT),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
      })],
    });
    acknowledgeFinding(this.sweepRule, NagRules.EVENT_TARGET_DLQ,
      'The sweep event carries no data, only a wake-up: a lost one is superseded by the next, sweepInterval later');

    this.alarms = new SessionConsumerAlarms(this, 'Alarms', { ...props.alarms, sessionConsumer: this });
  }

  /** Grants reading the session table (and its key). */
  public grantReadSessions(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }

  /** Lambda `IteratorAge` of the mapping: age of the last record of each batch when read, Maximum per minute. */
  public metricIteratorAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1), ...props });
  }

  /** Function errors, as Lambda's `metricErrors`: Sum over 5 minutes by default. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /** Throttled invocations, as Lambda's `metricThrottles`: Sum over 5 minutes by default. */
  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }

  /** Discarded batches Lambda could not deliver to the on-failure bucket, Sum per minute. */
  public metricDestinationDeliveryFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metric('DestinationDeliveryFailures', { statistic: 'Sum', period: Duration.minutes(1), ...props });
  }

  /** Malformed records put in the failure bucket, Sum per minute. */
  public metricMalformedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.MALFORMED_RECORDS, props);
  }

  /** Records reported as batch item failures, Sum per minute. */
  public metricFailedRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.FAILED_RECORDS, props);
  }

  /** Kinesis records received, Sum per minute. */
  public metricRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.RECORDS, props);
  }

  /** Events applied to a session for the first time, Sum per minute. */
  public metricEventsApplied(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.EVENTS_APPLIED, props);
  }

  /** Events skipped because already applied (redeliveries, producer retries), Sum per minute. */
  public metricDuplicateEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.DUPLICATE_EVENTS, props);
  }

  /** Events recorded as late (older than a session already closed for the user), Sum per minute. */
  public metricLateEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.LATE_EVENTS, props);
  }

  /** Sessions closed, Sum per minute. */
  public metricSessionsClosed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.SESSIONS_CLOSED, props);
  }

  /** Summaries written to the summary stream, Sum per minute. */
  public metricSummariesEmitted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.SUMMARIES_EMITTED, props);
  }

  /** Summaries the summary stream refused after retries (left for the sweep), Sum per minute. */
  public metricSummaryEmitFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.handlerMetric(SessionMetrics.SUMMARY_EMIT_FAILURES, props);
  }

  /** Dashboard widgets of the consumer. */
  public widgets(): cloudwatch.IWidget[] {
    return this.alarms.widgets();
  }

  private handlerMetric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: SESSION_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { service: SESSION_SERVICE, [SESSION_FUNCTION_DIMENSION]: this.function.functionName },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  private acknowledgeRole(role: iam.IRole): void {
    acknowledgeFinding(role, NagRules.IAM_WILDCARD,
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; every other action is scoped '
      + 'to the stream, its consumer, the table, the summary stream and the failure bucket', 'Resource::*');
    acknowledgeWildcardResource(role, `${this.failureBucket.bucketArn}/${S3RecordDestination.PREFIX}*`,
      `s3:PutObject (only) under ${S3RecordDestination.PREFIX} of the failure bucket, where Lambda's on-failure destination names `
      + 'each discarded batch\'s object itself');
    acknowledgeWildcardResource(role, `${this.failureBucket.bucketArn}/${SessionDefaults.POISON_PREFIX}*`,
      `s3:PutObject (only) under ${SessionDefaults.POISON_PREFIX} of the failure bucket, where the handler names each malformed `
      + 'record by shard and sequence number');
  }
}

