import { Duration, Size, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PipelineAnalytics, PipelineAnalyticsOptions } from '../analytics/pipeline-analytics';
import { FLINK_SINKS, eventSchemaColumns, sinkColumns } from '../analytics/private/lake-columns';
import { IOT_QUERIES, LakeTables } from '../analytics/private/pipeline-queries';
import { DataLakeBucket } from '../delivery/data-lake-bucket';
import { DataLakeTimePartitioning } from '../delivery/data-lake-schema';
import { DeliverySource } from '../delivery/delivery-source';
import { OpenSearchDelivery, OpenSearchIndexRotation, OpenSearchTarget } from '../delivery/opensearch-delivery';
import { S3DataLakeDelivery } from '../delivery/s3-data-lake-delivery';
import { FlinkCode } from '../flink/code';
import { FlinkApplication } from '../flink/flink-application';
import { IOT_RECORDS_PER_SECOND_PER_KPU } from '../flink/private/sizing';
import { SqlScript } from '../flink/sql-script';
import { IotStreamRule } from '../ingestion/iot-stream-rule';
import { AlarmTopic } from '../monitoring/alarm-topic';
import { ShardAutoscaler, ShardAutoscalerOptions } from '../scaling/shard-autoscaler';
import { CapacityMode, PipelineStream } from '../streams/pipeline-stream';
import { addLakeQueries, addStreamWidgets, defaultAutoscaling, resultStream } from './private/composition';
import { validateIotSensorPipelineProps, validatePipelineAutoscaling } from './private/validation';

/** A device fleet, to size the stream from. */
export interface IotFleet {
  /** Devices publishing at peak. Must be > 0. */
  readonly devices: number;
  /** Messages each device publishes per second at peak. Must be > 0. */
  readonly messagesPerDevicePerSecond: number;
  /** Average size of one message as the rule writes it (the payload plus the fields the rule SQL adds). */
  readonly averageMessageSize: Size;
}

export interface IotSensorPipelineProps {
  /**
   * The fleet at peak: devices × messages per second × bytes sizes the stream (`StreamCapacity.plan`).
   * @default - no fleet: an on-demand stream
   */
  readonly fleet?: IotFleet;
  /**
   * Capacity mode of the readings stream.
   * @default - `AUTO` (the cheaper for the fleet) with a fleet, `ON_DEMAND` without
   */
  readonly capacityMode?: CapacityMode;
  /**
   * Retention of the readings stream, 24–8,760 hours.
   * @default Duration.hours(24)
   */
  readonly retention?: Duration;
  /**
   * Customer-managed key for the streams.
   * @default - the AWS-managed key alias/aws/kinesis
   */
  readonly streamEncryptionKey?: kms.IKey;
  /**
   * SQL of the IoT Core topic rule. The anomaly job reads `deviceId`, `machineId`, `ts` (epoch ms) and the readings
   * `temperature`, `vibration`, `pressure`.
   * @default "SELECT *, topic(2) AS deviceId, timestamp() AS ingestedAt FROM 'sensors/+/telemetry'"
   */
  readonly topicRuleSql?: string;
  /**
   * Partition key of the rule's records.
   * @default '${topic(2)}' (one device's readings stay in order)
   */
  readonly partitionKey?: string;
  /**
   * Scale a provisioned readings stream with the `ShardAutoscaler`.
   * @default true when the stream is provisioned
   */
  readonly autoscalingEnabled?: boolean;
  /**
   * Options of the autoscaler.
   * @default - minShards a quarter of the planned shards (at least 1), maxShards 4 × planned (at most 10,000)
   */
  readonly autoscaling?: ShardAutoscalerOptions;
  /**
   * A reading is an anomaly when it is more than this many standard deviations from the device's rolling mean. 1–10.
   * @default 3
   */
  readonly anomalySigma?: number;
  /**
   * Length of the rolling window of each device's statistics, 1–1,440 minutes.
   * @default Duration.minutes(10)
   */
  readonly statsWindow?: Duration;
  /**
   * Code of the Flink application.
   * @default FlinkCode.sqlRunner() - this library's SQL job
   */
  readonly flinkCode?: FlinkCode;
  /**
   * Bucket of the data lake (raw archive, anomalies, machine aggregates, dead letters, OpenSearch backup).
   * @default - a new `DataLakeBucket`: KMS, TLS-only, versioned, access-logged, tiered, retained
   */
  readonly dataLakeBucket?: s3.IBucket;
  /**
   * Archive every raw reading to the data lake (`raw/`, partitioned by time).
   * @default true
   */
  readonly rawArchiveEnabled?: boolean;
  /**
   * Where anomalies are indexed for dashboards: a domain or OpenSearch Serverless collection.
   * @default - none
   */
  readonly openSearchTarget?: OpenSearchTarget;
  /**
   * Index anomalies in OpenSearch. Needs `openSearchTarget`.
   * @default - true when `openSearchTarget` is given
   */
  readonly openSearchEnabled?: boolean;
  /**
   * VPC of the OpenSearch delivery. With it, Firehose delivers from network interfaces in `openSearchVpcSubnets`, and a
   * collection created with `OpenSearchTarget.newCollection` is private (reachable only through a new OpenSearch
   * Serverless VPC endpoint in those subnets); a VPC domain admits the delivery's security group on 443. The subnets need
   * no internet access.
   * @default - no VPC: a new collection's endpoint is public, protected by IAM and its data access policy only (a
   * synth-time warning says so)
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-vpc.html
   */
  readonly openSearchVpc?: ec2.IVpc;
  /**
   * Subnets of the OpenSearch delivery's network interfaces and of the collection's VPC endpoint. Needs `openSearchVpc`.
   * @default - the private subnets with egress of `openSearchVpc`
   * @see https://docs.aws.amazon.com/firehose/latest/dev/vpc.html
   */
  readonly openSearchVpcSubnets?: ec2.SubnetSelection;
  /**
   * Topic every alarm of the pipeline notifies.
   * @default - one new KMS-encrypted `AlarmTopic` for the whole pipeline
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
 * Devices → IoT Core topic rule → Kinesis stream → Managed Flink (rolling mean and standard deviation per device,
 * anomalies beyond k σ, one-minute aggregates per machine) → Firehose → the S3 data lake (anomalies partitioned by
 * device and date, aggregates by machine and date) and OpenSearch; raw readings archived to S3; malformed readings kept
 * as dead letters; alarms on every part notify one topic; one dashboard; the shard autoscaler when provisioned.
 */
export class IotSensorPipeline extends Construct {
  /** The readings stream the topic rule writes. */
  public readonly readings: PipelineStream;
  /** The IoT Core topic rule. */
  public readonly topicRule: IotStreamRule;
  /** The Flink application. */
  public readonly application: FlinkApplication;
  /** Anomalies, written by the Flink application. */
  public readonly anomalies: PipelineStream;
  /** One-minute aggregates per machine, written by the Flink application. */
  public readonly aggregates: PipelineStream;
  /** Readings the Flink job could not parse. */
  public readonly deadLetters: PipelineStream;
  /** The data lake bucket. */
  public readonly dataLakeBucket: s3.IBucket;
  /** Raw readings to `raw/`, unless turned off. */
  public readonly rawArchive?: S3DataLakeDelivery;
  /** Anomalies to `anomalies/device_id=.../year=.../month=.../day=.../`. */
  public readonly anomaliesDelivery: S3DataLakeDelivery;
  /** Aggregates to `machine-minutes/machine_id=.../year=.../month=.../day=.../`. */
  public readonly aggregatesDelivery: S3DataLakeDelivery;
  /** Dead letters to `dead-letters/`. */
  public readonly deadLettersDelivery: S3DataLakeDelivery;
  /** Anomalies to OpenSearch, when enabled. */
  public readonly searchDelivery?: OpenSearchDelivery;
  /** The topic every alarm notifies. */
  public readonly alarmTopic: sns.ITopic;
  /** The dashboard, unless turned off. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The autoscaler of the readings stream, when provisioned. */
  public readonly autoscaler?: ShardAutoscaler;
  /** The Glue database of the data lake tables, the Athena workgroup and its saved queries. */
  public readonly analytics: PipelineAnalytics;

  constructor(scope: Construct, id: string, props: IotSensorPipelineProps = {}) {
    super(scope, id);
    validateIotSensorPipelineProps(this, props);
    const openSearch = props.openSearchEnabled ?? props.openSearchTarget !== undefined;

    this.alarmTopic = props.alarmTopic ?? new AlarmTopic(this, 'AlarmTopic').topic;
    const alarms = { alarmTopic: this.alarmTopic };

    const fleet = props.fleet;
    this.readings = new PipelineStream(this, 'Readings', {
      profile: fleet ? {
        peakRecordsPerSecond: fleet.devices * fleet.messagesPerDevicePerSecond,
        averageRecordSize: fleet.averageMessageSize,
        efoConsumers: 1,
        sharedThroughputConsumers: (props.rawArchiveEnabled ?? true) ? 1 : 0,
        retention: props.retention,
      } : undefined,
      retention: fleet ? undefined : props.retention,
      capacityMode: props.capacityMode ?? (fleet ? CapacityMode.AUTO : CapacityMode.ON_DEMAND),
      encryptionKey: props.streamEncryptionKey,
      alarms,
    });
    validatePipelineAutoscaling(this, 'readings', props.autoscaling, this.readings);
    if (this.readings.shardCount !== undefined && (props.autoscalingEnabled ?? true)) {
      this.autoscaler = this.readings.enableAutoscaling(props.autoscaling ?? defaultAutoscaling(this.readings.shardCount));
    }

    this.topicRule = new IotStreamRule(this, 'TopicRule', {
      stream: this.readings.stream,
      sql: props.topicRuleSql,
      partitionKey: props.partitionKey,
    });

    this.anomalies = resultStream(this, 'Anomalies', props.streamEncryptionKey, alarms);
    this.aggregates = resultStream(this, 'Aggregates', props.streamEncryptionKey, alarms);
    this.deadLetters = resultStream(this, 'DeadLetters', props.streamEncryptionKey, alarms);

    this.application = new FlinkApplication(this, 'Analytics', {
      sourceStream: this.readings.stream,
      sourceConsumer: this.readings.addConsumer('Analytics'),
      code: props.flinkCode,
      sqlScript: SqlScript.IOT_ANOMALIES,
      sqlParameters: {
        'anomaly.sigma': String(props.anomalySigma ?? 3),
        'stats.window.minutes': String((props.statsWindow ?? Duration.minutes(10)).toMinutes()),
      },
      // The script writes anomalies to `anomalies`, else to `sink`: the anomalies stream is the job's main sink.
      kinesisSinks: { sink: this.anomalies.stream, aggregates: this.aggregates.stream },
      deadLetterStream: this.deadLetters.stream,
      peakRecordsPerSecond: fleet ? fleet.devices * fleet.messagesPerDevicePerSecond : undefined,
      // From `npm run bench:flink` for the shipped IoT script (README, "Flink throughput and KPUs").
      recordsPerSecondPerKpu: fleet ? IOT_RECORDS_PER_SECOND_PER_KPU : undefined,
      alarms,
    });

    const bucket = props.dataLakeBucket ?? new DataLakeBucket(this, 'DataLake').bucket;
    this.dataLakeBucket = bucket;
    this.analytics = new PipelineAnalytics(this, 'Athena', { ...props.analytics, bucket });
    const glueDatabaseName = this.analytics.databaseName;
    if (props.rawArchiveEnabled ?? true) {
      this.rawArchive = new S3DataLakeDelivery(this, 'RawArchive', {
        source: DeliverySource.fromStream(this.readings.stream),
        bucket,
        prefix: 'raw/',
        schema: eventSchemaColumns('sensor-reading.schema.json'),
        glueDatabaseName,
        glueTableName: LakeTables.RAW_READINGS,
        alarms,
      });
    }
    this.anomaliesDelivery = new S3DataLakeDelivery(this, 'AnomaliesToLake', {
      source: DeliverySource.fromStream(this.anomalies.stream),
      bucket,
      prefix: 'anomalies/',
      partitionKeys: ['device_id'],
      timePartitioning: DataLakeTimePartitioning.DAY,
      schema: sinkColumns(FLINK_SINKS.IOT_ANOMALIES),
      glueDatabaseName,
      glueTableName: LakeTables.ANOMALIES,
      alarms,
    });
    this.aggregatesDelivery = new S3DataLakeDelivery(this, 'AggregatesToLake', {
      source: DeliverySource.fromStream(this.aggregates.stream),
      bucket,
      prefix: 'machine-minutes/',
      partitionKeys: ['machine_id'],
      timePartitioning: DataLakeTimePartitioning.DAY,
      schema: sinkColumns(FLINK_SINKS.IOT_MACHINE_MINUTES),
      glueDatabaseName,
      glueTableName: LakeTables.MACHINE_MINUTES,
      alarms,
    });
    this.deadLettersDelivery = new S3DataLakeDelivery(this, 'DeadLettersToLake', {
      source: DeliverySource.fromStream(this.deadLetters.stream),
      bucket,
      prefix: 'dead-letters/',
      schema: sinkColumns(FLINK_SINKS.IOT_DEAD_LETTERS),
      glueDatabaseName,
      glueTableName: LakeTables.DEAD_LETTERS,
      alarms,
    });
    addLakeQueries(this.analytics, [this.rawArchive, this.anomaliesDelivery, this.aggregatesDelivery, this.deadLettersDelivery], IOT_QUERIES);
    if (openSearch) {
      this.searchDelivery = new OpenSearchDelivery(this, 'AnomaliesToSearch', {
        source: DeliverySource.fromStream(this.anomalies.stream),
        target: props.openSearchTarget!,
        indexName: 'iot-anomalies',
        // Serverless collections manage their own index lifecycle; a domain gets one index a day.
        indexRotation: props.openSearchTarget!.isServerless ? undefined : OpenSearchIndexRotation.ONE_DAY,
        backupBucket: bucket,
        backupPrefix: 'search-backup/',
        vpc: props.openSearchVpc,
        vpcSubnets: props.openSearchVpcSubnets,
        alarms,
      });
    }

    if (props.dashboardEnabled ?? true) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
      addStreamWidgets(this.dashboard, 'Readings stream', this.readings);
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Flink analytics', width: 24, height: 1 }));
      this.dashboard.addWidgets(...this.application.widgets());
      this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: '## Delivery', width: 24, height: 1 }));
      for (const d of [this.rawArchive, this.anomaliesDelivery, this.aggregatesDelivery, this.deadLettersDelivery, this.searchDelivery]) {
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
}
