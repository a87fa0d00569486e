import {
  Duration, aws_cloudwatch as cloudwatch, aws_glue as glue, aws_dynamodb as dynamodb, aws_iam as iam, aws_kms as kms, aws_s3 as s3,
  aws_secretsmanager as secretsmanager, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addLakeQueries, addStreamWidgets, defaultAutoscaling, resultStream } from './private/composition';
import { CLICK_EVENT_SCHEMA_FILE, loadJsonSchema } from './private/event-schemas';
import { SessionDefaults } from './private/session-contract';
import { validateClickstreamPipelineProps, validatePipelineAutoscaling } from './private/validation';
import { SessionConsumer } from './session-consumer';
import { PipelineAnalytics, PipelineAnalyticsOptions } from '../analytics/pipeline-analytics';
import { FLINK_SINKS, eventSchemaColumns, poisonColumns, sinkColumns } from '../analytics/private/lake-columns';
import { CLICKSTREAM_QUERIES, LakeTables } from '../analytics/private/pipeline-queries';
import { DataLakeBucket } from '../delivery/data-lake-bucket';
import { DataLakeTimePartitioning } from '../delivery/data-lake-schema';
import { DeliverySource } from '../delivery/delivery-source';
import { createLakeTable, datePartition } from '../delivery/private/lake-table';
import { RedshiftDelivery, RedshiftTarget } from '../delivery/redshift-delivery';
import { S3DataLakeDelivery } from '../delivery/s3-data-lake-delivery';
import { FlinkCode } from '../flink/code';
import { FlinkApplication } from '../flink/flink-application';
import { CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU } from '../flink/private/sizing';
import { SqlScript } from '../flink/sql-script';
import { StreamIngestionApi, StreamIngestionApiOptions } from '../ingestion/stream-ingestion-api';
import { AlarmTopic } from '../monitoring/alarm-topic';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { ShardAutoscaler, ShardAutoscalerOptions } from '../scaling/shard-autoscaler';
import { ThroughputProfile } from '../streams/capacity';
import { CapacityMode, PipelineStream } from '../streams/pipeline-stream';

export interface ClickstreamPipelineProps {
  /**
   * The click traffic at peak. The pipeline registers 2 enhanced fan-out consumers (Flink and the session consumer)
   * and, with the raw archive, one shared-throughput consumer (Firehose); the plan counts at least those.
   * @default - no profile: an on-demand clicks stream (capacityMode must then be ON_DEMAND or unset)
   */
  readonly profile?: ThroughputProfile;
  /**
   * Capacity mode of the clicks stream.
   * @default - `AUTO` (the cheaper mode for the profile) with a profile, `ON_DEMAND` without
   */
  readonly capacityMode?: CapacityMode;
  /**
   * Customer-managed key for the streams.
   * @default - the AWS-managed key alias/aws/kinesis
   */
  readonly streamEncryptionKey?: kms.IKey;
  /**
   * Scale a provisioned clicks stream with the `ShardAutoscaler`.
   * @default true when the stream is provisioned
   */
  readonly autoscalingEnabled?: boolean;
  /**
   * Options of the autoscaler.
   * @default - minShards a quarter of the planned shards (at least 1), maxShards 4 × planned (at most 10,000)
   */
  readonly autoscaling?: ShardAutoscalerOptions;
  /**
   * Principals that may assume the producer role (`producerRole`), which may put records into the clicks stream.
   * @default - the account root: IAM policies of the account decide who assumes it
   */
  readonly producerPrincipals?: iam.IPrincipal[];
  /**
   * Put an API Gateway → Kinesis proxy in front of the stream for web and mobile clients (`StreamIngestionApi`).
   * @default false
   */
  readonly ingestionApiEnabled?: boolean;
  /**
   * Options of the ingestion API.
   * @default - its defaults (IAM auth, 1,000 requests/s, WAF)
   */
  readonly ingestionApi?: StreamIngestionApiOptions;
  /**
   * How many products the "top products in the last 5 minutes" ranking keeps, 1–100.
   * @default 10
   */
  readonly topProducts?: number;
  /**
   * Code of the Flink application.
   * @default FlinkCode.sqlRunner() - this library's SQL job
   */
  readonly flinkCode?: FlinkCode;
  /**
   * Inactivity that ends a session, 1 minute to 24 hours.
   * @default Duration.minutes(30)
   */
  readonly sessionInactivityGap?: Duration;
  /**
   * Table of the session consumer.
   * @default - a new table with PITR, TTL and a customer-managed key
   */
  readonly sessionTable?: dynamodb.ITable;
  /**
   * The Redshift cluster or Serverless workgroup that receives the session summaries.
   * @default - none
   */
  readonly redshiftTarget?: RedshiftTarget;
  /**
   * Secret with the `username` and `password` Firehose uses to COPY. Required with `redshiftTarget`.
   * @default - none
   */
  readonly redshiftCredentials?: secretsmanager.ISecret;
  /**
   * Table of the session summaries; it must exist, with the columns of `ClickstreamPipeline.SESSION_SUMMARY_COLUMNS` (README).
   * @default 'session_summaries'
   */
  readonly redshiftTable?: string;
  /**
   * Load session summaries into Redshift. Needs `redshiftTarget` and `redshiftCredentials`.
   * @default - true when `redshiftTarget` is given
   */
  readonly redshiftEnabled?: boolean;
  /**
   * Bucket of the data lake (raw clicks, insights, dead letters, Redshift staging, session consumer failures).
   * @default - a new `DataLakeBucket`
   */
  readonly dataLakeBucket?: s3.IBucket;
  /**
   * Archive every raw click to the data lake (`raw-clicks/`, partitioned by hour).
   * @default true
   */
  readonly rawArchiveEnabled?: boolean;
  /**
   * Topic every alarm of the pipeline notifies.
   * @default - one new KMS-encrypted `AlarmTopic`
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Create a CloudWatch dashboard of the whole pipeline.
   * @default true
   */
  readonly dashboardEnabled?: boolean;
  /**
   * The Athena workgroup of the pipeline (every data lake prefix has a Glue table with partition projection, queryable
   * as soon as data lands; saved queries in the workgroup).
   * @default - a workgroup with a 10 GiB scan limit per query, results under `athena-results/` for 7 days
   * @see https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html
   */
  readonly analytics?: PipelineAnalyticsOptions;
}

/**
 * Web and mobile clicks → a Kinesis stream sized for the peak (optionally behind an API Gateway proxy) → Managed Flink
 * ("top products in the last 5 minutes" every minute, per-minute traffic) and a session consumer (Lambda, DynamoDB),
 * both through enhanced fan-out → session summaries on a second stream → Firehose → Redshift; raw clicks and insights →
 * Firehose → the S3 data lake; alarms on every part notify one topic; one dashboard; the autoscaler when provisioned.
 */
export class ClickstreamPipeline extends Construct {
  /**
   * The columns of the session summaries table, in the order of the summary JSON; COPY (`JSON 'auto ignorecase'`) maps
   * the JSON keys to them. `start` and `end` are quoted (reserved words); `products` and `clientSessionIds` are arrays,
   * for SUPER columns. The README has the CREATE TABLE.
   */
  public static readonly SESSION_SUMMARY_COLUMNS: string[] = [
    'userId', 'anonymous', 'sessionId', '"start"', '"end"', 'durationSeconds', 'events', 'pageViews', 'productViews',
    'products', 'converted', 'clientSessionIds', 'closeReason', 'closedAt',
  ];

  /** The clicks stream. */
  public readonly clicks: PipelineStream;
  /** The role producers assume to put clicks. */
  public readonly producerRole: iam.IRole;
  /** The ingestion API, when enabled. */
  public readonly ingestionApi?: StreamIngestionApi;
  /** The Flink application. */
  public readonly application: FlinkApplication;
  /** Top products and per-minute traffic, written by Flink (`record_type` tells them apart). */
  public readonly insights: PipelineStream;
  /** Clicks the Flink job could not parse. */
  public readonly deadLetters: PipelineStream;
  /** The session consumer. */
  public readonly sessions: SessionConsumer;
  /** Session summaries, written by the session consumer. */
  public readonly sessionSummaries: PipelineStream;
  /** Session summaries to Redshift, when enabled. */
  public readonly warehouseDelivery?: RedshiftDelivery;
  /** The data lake bucket. */
  public readonly dataLakeBucket: s3.IBucket;
  /** Raw clicks to `raw-clicks/`, unless turned off. */
  public readonly rawArchive?: S3DataLakeDelivery;
  /** Insights to `insights/record_type=.../`. */
  public readonly insightsDelivery: S3DataLakeDelivery;
  /** Dead letters to `dead-letters/`. */
  public readonly deadLettersDelivery: S3DataLakeDelivery;
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The autoscaler of the clicks stream, when provisioned. */
  public readonly autoscaler?: ShardAutoscaler;
  /** The Glue database of the data lake tables, the Athena workgroup and its saved queries. */
  public readonly analytics: PipelineAnalytics;
  /** The Glue table of the session consumer's malformed records (`poison/`). */
  public readonly poisonRecordsTable: glue.CfnTable;

  constructor(scope: Construct, id: string, props: ClickstreamPipelineProps) {
    super(scope, id);
    validateClickstreamPipelineProps(this, props);
    const raw = props.rawArchiveEnabled ?? true;
    const warehouse = props.redshiftEnabled ?? props.redshiftTarget !== undefined;

    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'AlarmTopic').topic;
    const alarms = { alarmTopic: this.alarmTopic };

    const profile = props.profile;
    this.clicks = new PipelineStream(this, 'Clicks', {
      profile: profile ? {
        ...profile,
        efoConsumers: Math.max(profile.efoConsumers ?? 0, 2),
        sharedThroughputConsumers: Math.max(profile.sharedThroughputConsumers ?? 1, raw ? 1 : 0),
      } : undefined,
      capacityMode: props.capacityMode ?? (profile ? CapacityMode.AUTO : CapacityMode.ON_DEMAND),
      encryptionKey: props.streamEncryptionKey,
      alarms,
    });
    validatePipelineAutoscaling(this, 'clicks', props.autoscaling, this.clicks);
    if (this.clicks.shardCount !== undefined && (props.autoscalingEnabled ?? true)) {
      this.autoscaler = this.clicks.enableAutoscaling(props.autoscaling ?? defaultAutoscaling(this.clicks.shardCount));
    }

    const producer = new ManagedPolicyRole(this, 'ProducerRole', {
      assumedBy: new iam.CompositePrincipal(...(props.producerPrincipals ?? [new iam.AccountRootPrincipal()])),
      description: 'Puts click events into the clicks stream',
    });
    this.clicks.grantWrite(producer);
    this.producerRole = producer;
    if (props.ingestionApiEnabled) {
      this.ingestionApi = new StreamIngestionApi(this, 'IngestionApi', {
        ...props.ingestionApi, stream: this.clicks.stream, dataSchema: loadJsonSchema(CLICK_EVENT_SCHEMA_FILE),
      });
    }

    this.insights = resultStream(this, 'Insights', props.streamEncryptionKey, alarms);
    this.deadLetters = resultStream(this, 'DeadLetters', props.streamEncryptionKey, alarms);
    this.application = new FlinkApplication(this, 'TopProducts', {
      sourceStream: this.clicks.stream,
      sourceConsumer: this.clicks.addConsumer('TopProducts'),
      code: props.flinkCode,
      sqlScript: SqlScript.CLICKSTREAM_TOP_PRODUCTS,
      sqlParameters: { 'top.n': String(props.topProducts ?? 10), 'top.window.minutes': '5', 'top.slide.minutes': '1' },
      kinesisSinks: { sink: this.insights.stream },
      deadLetterStream: this.deadLetters.stream,
      peakRecordsPerSecond: profile?.peakRecordsPerSecond,
      // From `npm run bench:flink` for the shipped clickstream script (README, "Flink throughput and KPUs").
      recordsPerSecondPerKpu: profile ? CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU : undefined,
      alarms,
    });

    const bucket = props.dataLakeBucket ?? new DataLakeBucket(this, 'DataLake').bucket;
    this.dataLakeBucket = bucket;
    this.analytics = new PipelineAnalytics(this, 'Athena', { ...props.analytics, bucket });
    const glueDatabaseName = this.analytics.databaseName;

    this.sessionSummaries = resultStream(this, 'SessionSummaries', props.streamEncryptionKey, alarms);
    this.sessions = new SessionConsumer(this, 'Sessions', {
      stream: this.clicks.stream,
      consumer: this.clicks.addConsumer('Sessions'),
      summaryStream: this.sessionSummaries.stream,
      table: props.sessionTable,
      failureBucket: bucket,
      inactivityGap: props.sessionInactivityGap,
      alarms,
    });
    if (warehouse) {
      this.warehouseDelivery = new RedshiftDelivery(this, 'SummariesToRedshift', {
        source: DeliverySource.fromStream(this.sessionSummaries.stream),
        target: props.redshiftTarget!,
        credentials: props.redshiftCredentials!,
        table: props.redshiftTable ?? 'session_summaries',
        columns: ClickstreamPipeline.SESSION_SUMMARY_COLUMNS,
        stagingBucket: bucket,
        stagingPrefix: 'redshift-staging/',
        alarms,
      });
    }

    if (raw) {
      this.rawArchive = new S3DataLakeDelivery(this, 'RawClicksToLake', {
        source: DeliverySource.fromStream(this.clicks.stream),
        bucket,
        prefix: 'raw-clicks/',
        schema: eventSchemaColumns('click-event.schema.json'),
        glueDatabaseName,
        glueTableName: LakeTables.RAW_CLICKS,
        alarms,
      });
    }
    this.insightsDelivery = new S3DataLakeDelivery(this, 'InsightsToLake', {
      source: DeliverySource.fromStream(this.insights.stream),
      bucket,
      prefix: 'insights/',
      partitionKeys: ['record_type'],
      timePartitioning: DataLakeTimePartitioning.DAY,
      schema: sinkColumns(FLINK_SINKS.TOP_PRODUCTS, FLINK_SINKS.TRAFFIC_MINUTES),
      glueDatabaseName,
      glueTableName: LakeTables.INSIGHTS,
      alarms,
    });
    this.deadLettersDelivery = new S3DataLakeDelivery(this, 'DeadLettersToLake', {
      source: DeliverySource.fromStream(this.deadLetters.stream),
      bucket,
      prefix: 'dead-letters/',
      schema: sinkColumns(FLINK_SINKS.CLICK_DEAD_LETTERS),
      glueDatabaseName,
      glueTableName: LakeTables.DEAD_LETTERS,
      alarms,
    });
    // The session consumer's malformed records: one uncompressed JSON object per file, under poison/yyyy/MM/dd/<shard>/.
    this.poisonRecordsTable = createLakeTable(this, 'PoisonRecordsTable', {
      databaseName: glueDatabaseName,
      tableName: LakeTables.POISON_RECORDS,
      description: `Malformed click records kept whole by the session consumer ${this.sessions.node.path}`,
      bucket,
      prefix: SessionDefaults.POISON_PREFIX,
      columns: poisonColumns(),
      partitions: [datePartition('dt', 'yyyy/MM/dd', 'DAYS')],
      storage: { parquet: false, compression: 'UNCOMPRESSED' },
    });
    this.analytics.addTable(LakeTables.POISON_RECORDS, SessionDefaults.POISON_PREFIX);
    addLakeQueries(this.analytics, [this.rawArchive, this.insightsDelivery, this.deadLettersDelivery], CLICKSTREAM_QUERIES);

    if (props.dashboardEnabled ?? true) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
      addStreamWidgets(this.dashboard, 'Clicks stream', this.clicks);
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Top products (Flink)', width: 24, height: 1 }));
      this.dashboard.addWidgets(...this.application.widgets());
      if (this.sessions.alarms) {
        this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Sessions', width: 24, height: 1 }));
        this.dashboard.addWidgets(...this.sessions.alarms.widgets());
      }
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Delivery', width: 24, height: 1 }));
      for (const d of [this.warehouseDelivery, this.rawArchive, this.insightsDelivery, this.deadLettersDelivery]) {
        if (d) this.dashboard.addWidgets(...d.alarms.widgets());
      }
    }
  }

  /**
   * Lets a principal query the pipeline's data lake in Athena, read only: the workgroup, the tables, their key prefixes
   * and the bucket's key (plus writing its own query results under the workgroup's results prefix).
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    return this.analytics.grantQuery(grantee);
  }

  /** Lets a principal put clicks into the stream. */
  public grantProduce(grantee: iam.IGrantable): iam.Grant {
    return this.clicks.grantWrite(grantee);
  }
}
