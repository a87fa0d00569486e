import {
  Arn, ArnFormat, Duration, IResource, Lazy, Names, RemovalPolicy, Resource, Stack, Token,
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_iam as iam, aws_kinesis as kinesis, aws_kinesisanalyticsv2 as kda,
  aws_kinesisfirehose as firehose, aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { FlinkCode, FlinkCodeConfig } from './code';
import { FlinkApplicationAlarms, FlinkApplicationAlarmsOptions } from './flink-application-alarms';
import { applicationProps, constructSqlParameters, jobPropertyGroups } from './private/application-configuration';
import { ApplicationStarter } from './private/application-starter';
import { FlinkLimits } from './private/flink-limits';
import { FlinkMetricSpec, FlinkMetrics, flinkMetric, restartsSpec } from './private/metrics';
import { initialParallelism, kpusFor } from './private/sizing';
import { validateFlinkApplicationBuild, validateFlinkApplicationProps } from './private/validation';
import { FlinkRuntime } from './runtime';
import { SqlScript, SqlScriptConfig } from './sql-script';
import { NagRules, acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance';
import { encryptedLogGroup } from '../private/encrypted-log-group';
import { comboError } from '../private/errors';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { StreamMetrics } from '../streams/stream-metrics';

/** Log level of the application's CloudWatch logs. */
export enum FlinkLogLevel {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARN = 'WARN',
  ERROR = 'ERROR',
}

/** Granularity of the CloudWatch metrics the service publishes; finer levels publish more (billed) metrics. */
export enum FlinkMetricsLevel {
  APPLICATION = 'APPLICATION',
  TASK = 'TASK',
  OPERATOR = 'OPERATOR',
  PARALLELISM = 'PARALLELISM',
}

/**
 * A Managed Service for Apache Flink application, created here or imported. It is grantable (its role is the principal
 * of `grant*` calls on other resources) and connectable (its security groups, when it runs in a VPC).
 */
export interface IFlinkApplication extends IResource, iam.IGrantable, ec2.IConnectable {
  /**
   * The application name.
   * @attribute
   */
  readonly applicationName: string;
  /**
   * The application ARN.
   * @attribute
   */
  readonly applicationArn: string;
  /** The runtime the application runs on (decides some metric names). */
  readonly runtime: FlinkRuntime;

  /** A metric of this application (namespace AWS/KinesisAnalytics, dimension Application), 1-minute period. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time the job has been down in the current outage, ms; Maximum over 1 minute. Deprecated by Flink 2.2, still published. */
  metricDowntime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Restarts since the job started (`numRestarts` on Flink 2.x, `fullRestarts` on 1.x); Maximum over 1 minute. */
  metricRestarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Failed checkpoints since the job started; Maximum over 1 minute. */
  metricNumberOfFailedCheckpoints(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Duration of the last checkpoint, ms; Maximum over 1 minute. */
  metricLastCheckpointDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Size of the last checkpoint, bytes; Maximum over 1 minute. */
  metricLastCheckpointSize(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** CPU utilisation of the busiest task manager, %; Maximum over 1 minute. */
  metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Heap utilisation of the fullest task manager, %; Maximum over 1 minute. */
  metricHeapMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Records the application receives per second; Average over 1 minute. */
  metricNumRecordsInPerSecond(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Records the application emits per second; Average over 1 minute. */
  metricNumRecordsOutPerSecond(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** KPUs the application runs on; Maximum over 1 minute. */
  metricKpus(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Attributes of an application defined elsewhere: its name or its ARN (an ARN places it in its own account and Region). */
export interface FlinkApplicationAttributes {
  /**
   * The application name.
   * @default - the name in `applicationArn`; one of the two is required
   */
  readonly applicationName?: string;
  /**
   * The application ARN, `arn:<partition>:kinesisanalytics:<region>:<account>:application/<name>`.
   * @default - built from `applicationName` in this stack's account and Region
   */
  readonly applicationArn?: string;
  /**
   * Its runtime, which decides the name of the restarts metric.
   * @default FlinkRuntime.FLINK_1_19
   */
  readonly runtime?: FlinkRuntime;
  /**
   * The role the application assumes; grants to the import go to it.
   * @default - no role: grants to the import change no policy (`iam.UnknownPrincipal`, with a warning)
   */
  readonly role?: iam.IRole;
  /**
   * The application's security groups, when it runs in a VPC; `connections` of the import uses them.
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

abstract class FlinkApplicationBase extends Resource implements IFlinkApplication {
  public abstract readonly applicationName: string;
  public abstract readonly applicationArn: string;
  public abstract readonly runtime: FlinkRuntime;
  public abstract readonly grantPrincipal: iam.IPrincipal;
  public abstract readonly connections: ec2.Connections;

  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return flinkMetric(this.applicationName, { metricName, statistic: cloudwatch.Stats.AVERAGE, label: metricName }, props);
  }
  public metricDowntime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.downtime, props);
  }
  public metricRestarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(restartsSpec(this.runtime.restartsMetricName), props);
  }
  public metricNumberOfFailedCheckpoints(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.numberOfFailedCheckpoints, props);
  }
  public metricLastCheckpointDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.lastCheckpointDuration, props);
  }
  public metricLastCheckpointSize(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.lastCheckpointSize, props);
  }
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.cpuUtilization, props);
  }
  public metricHeapMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.heapMemoryUtilization, props);
  }
  public metricNumRecordsInPerSecond(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.numRecordsInPerSecond, props);
  }
  public metricNumRecordsOutPerSecond(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.numRecordsOutPerSecond, props);
  }
  public metricKpus(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.specMetric(FlinkMetrics.kpus, props);
  }

  private specMetric(spec: FlinkMetricSpec, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return flinkMetric(this.applicationName, spec, props);
  }
}

export interface FlinkApplicationProps {
  /**
   * The Kinesis data stream the application reads, through an enhanced fan-out (EFO) consumer.
   * @see https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html
   */
  readonly sourceStream: kinesis.IStream;
  /**
   * The EFO consumer to read through; it must belong to `sourceStream`. The job uses it with the `SELF_MANAGED`
   * lifecycle: it neither registers nor deregisters it.
   * @default - a new consumer of `sourceStream` (child `Consumer`), named `consumerName`
   */
  readonly sourceConsumer?: kinesis.IStreamConsumer;
  /**
   * Name of the EFO consumer this construct registers. 1-128 characters of [a-zA-Z0-9_.-]; at most 20 consumers per stream.
   * @default - a name unique to this construct in the account
   */
  readonly consumerName?: string;
  /**
   * Kinesis data streams the application writes to, by name: the role may put records into each, and the SQL job gets
   * its ARN as parameter `<name>.stream.arn` (and derives `<name>.stream.name`). The shipped scripts write to `sink`
   * unless `anomalies`, `aggregates`, `top` or `traffic` name other streams. Names: [A-Za-z0-9_-]+.
   * @default - none
   */
  readonly kinesisSinks?: Record<string, kinesis.IStream>;
  /**
   * Firehose delivery streams the application writes to, by name: the role may put records into each, and the job gets
   * parameter `<name>.delivery.stream.name`. Names: [A-Za-z0-9_-]+.
   * @default - none
   */
  readonly firehoseSinks?: Record<string, firehose.IDeliveryStream>;
  /**
   * Stream that receives malformed rows (parameter `dlq.stream.arn`); the role may put records into it.
   * @default - the shipped scripts send them to the `sink` stream
   */
  readonly deadLetterStream?: kinesis.IStream;

  /**
   * The code to run.
   * @default FlinkCode.sqlRunner() - this library's Flink SQL job, which runs `sqlStatements`
   */
  readonly code?: FlinkCode;
  /**
   * The Managed Flink runtime. The default is the runtime the library's SQL job is built for (flink/README.md).
   * @default FlinkRuntime.FLINK_1_19
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/earlier.html
   */
  readonly runtime?: FlinkRuntime;
  /**
   * Flink SQL statements the SQL job runs in order (CREATE TABLE ..., INSERT INTO ...), written to the `SqlStatements`
   * property group as `statement.000`, `statement.001`, ...; a statement longer than 2,048 characters continues in
   * `statement.NNN.part.1`, `.part.2`, ... At most 50 entries in all; ship more as `sqlScript`.
   * Required (or `sqlScript`) with `FlinkCode.sqlRunner()`.
   * @default - none
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_PropertyGroup.html
   */
  readonly sqlStatements?: string[];
  /**
   * A SQL script the SQL job runs instead of `sqlStatements`: one bundled in the job (`SqlScript.IOT_ANOMALIES`), or
   * one in S3 for SQL beyond the property limits. Exclusive with `sqlStatements`.
   * @default - none
   */
  readonly sqlScript?: SqlScript;
  /**
   * Values of the `${name}` placeholders of the SQL (property group `SqlParameters`), besides the ones the construct
   * fills: `source.stream.arn`, `source.efo.consumer.arn`, `source.efo.consumer.name`, `<sink>.stream.arn`,
   * `dlq.stream.arn`. Names [A-Za-z0-9_.-]+, values 1-2,048 characters, at most 50 entries with the construct's.
   * @default - none
   */
  readonly sqlParameters?: Record<string, string>;
  /**
   * Further runtime property groups, `{ groupId: { key: value } }`, for your own code: ids 1-50 characters of
   * [a-zA-Z0-9_.-] other than `SqlStatements` and `SqlParameters`, at most 50 entries per group and 50 groups, keys and
   * values 1-2,048 characters.
   * @default - none
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-properties.html
   */
  readonly propertyGroups?: Record<string, Record<string, string>>;

  /**
   * Peak records per second the application must keep up with; sets parallelism and KPUs so that the peak uses at most
   * 75% of each KPU (the service's autoscaling threshold) at `recordsPerSecondPerKpu`. Exclusive with `parallelism`.
   * @default - no sizing: `parallelism` or 1
   */
  readonly peakRecordsPerSecond?: number;
  /**
   * Records per second one KPU (one vCPU, 4 GiB) sustains for your SQL, used with `peakRecordsPerSecond`. Measure
   * yours with `npm run bench:flink` (the records per CPU-second of its RocksDB runs, halved for the Kinesis I/O it
   * leaves out). Must be > 0.
   * @default - the figure of the library's heavier shipped script (the IoT job: JSON parsing, rolling statistics per device
   * and a windowed aggregate), measured by `npm run bench:flink` on the RocksDB backend and halved; README, "Flink
   * throughput and KPUs"
   */
  readonly recordsPerSecondPerKpu?: number;
  /**
   * Initial parallelism; with autoscaling on, the service never goes below it. Whole number >= 1.
   * @default - from `peakRecordsPerSecond`, else 1
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html
   */
  readonly parallelism?: number;
  /**
   * Parallel tasks per KPU; KPUs = ceil(parallelism / parallelismPerKpu). Whole number >= 1.
   * @default 1
   */
  readonly parallelismPerKpu?: number;
  /**
   * The KPU quota of the application; the KPUs the parallelism needs must not exceed it. Raise it only after AWS raised
   * your quota. Whole number >= 1.
   * @default 64
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/limits.html
   */
  readonly maxKpus?: number;
  /**
   * Service autoscaling: doubles parallelism after 15 minutes at >= 75% CPU, halves it after 6 hours below 10%,
   * never below `parallelism`.
   * @default true
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling-auto.html
   */
  readonly autoScalingEnabled?: boolean;

  /**
   * Interval between checkpoints (checkpointing is always on, with a CUSTOM configuration). >= 1 ms.
   * @default Duration.minutes(1)
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CheckpointConfiguration.html
   */
  readonly checkpointInterval?: Duration;
  /**
   * Minimum pause between the end of one checkpoint and the start of the next. >= 0.
   * @default Duration.seconds(5)
   */
  readonly minPauseBetweenCheckpoints?: Duration;
  /**
   * Snapshots: taken when the application stops or updates, restored when it starts.
   * @default true
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-fault-snapshot.html
   */
  readonly snapshotsEnabled?: boolean;
  /**
   * Start the application after each deploy (a custom resource calls StartApplication, restoring the latest snapshot
   * when there is one, and waits until it is RUNNING; on delete it stops the application and waits until READY).
   * Turning it off on an existing stack removes that custom resource, which stops the application.
   * @default true
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_StartApplication.html
   */
  readonly startAfterDeploy?: boolean;
  /**
   * Start even when a snapshot holds state that no operator of the new code can restore (that state is dropped).
   * @default false
   */
  readonly allowNonRestoredState?: boolean;

  /**
   * @default - generated by CloudFormation
   */
  readonly applicationName?: string;
  /**
   * Role the application assumes.
   * @default - a new role whose permissions live in one customer-managed policy
   */
  readonly role?: iam.IRole;
  /**
   * Log group of the application logs.
   * @default - a new KMS-encrypted log group kept for a year (child `LogGroup`)
   */
  readonly logGroup?: logs.ILogGroup;
  /** @default FlinkLogLevel.INFO */
  readonly logLevel?: FlinkLogLevel;
  /** @default FlinkMetricsLevel.APPLICATION */
  readonly metricsLevel?: FlinkMetricsLevel;
  /**
   * VPC to run the application in (to reach resources in private subnets). Kinesis and Firehose are then reached
   * through the VPC's route to AWS endpoints (NAT or VPC endpoints).
   * @default - not in a VPC
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/vpc.html
   */
  readonly vpc?: ec2.IVpc;
  /** @default - the VPC's private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default - a new security group allowing all outbound traffic (child `SecurityGroup`), when `vpc` is set */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * What happens to the application (and its snapshots) when it leaves the stack; it is stopped first either way.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Alarms under the application (child `Alarms`): downtime, restarts, failed checkpoints, checkpoint duration, CPU,
   * heap, consumer lag, records out at zero.
   * @default - all alarms with their default thresholds, notifying a new KMS-encrypted topic
   */
  readonly alarms?: FlinkApplicationAlarmsOptions;
}

/**
 * A Managed Service for Apache Flink application that reads a Kinesis data stream through an EFO consumer and writes
 * to Kinesis streams or Firehose, built on the stable `AWS::KinesisAnalyticsV2::Application`.
 *
 * Checkpointing is explicitly on; snapshots are on; parallelism can be derived from a declared peak; logs go to an
 * encrypted log group; the role is least-privilege; the application is started after deploy (restoring its latest
 * snapshot) and stopped before delete; alarms are created under it.
 */
export class FlinkApplication extends FlinkApplicationBase {
  /** An application defined elsewhere, by name, in this stack's account and Region. */
  public static fromApplicationName(scope: Construct, id: string, applicationName: string): IFlinkApplication {
    return FlinkApplication.fromApplicationAttributes(scope, id, { applicationName });
  }

  /** An application defined elsewhere, by ARN (possibly in another account or Region). */
  public static fromApplicationArn(scope: Construct, id: string, arn: string): IFlinkApplication {
    return FlinkApplication.fromApplicationAttributes(scope, id, { applicationArn: arn });
  }

  /** An application defined elsewhere. */
  public static fromApplicationAttributes(scope: Construct, id: string, attrs: FlinkApplicationAttributes): IFlinkApplication {
    const where = `FlinkApplication "${scope.node.path}/${id}"`;
    const arn = attrs.applicationArn;
    if (attrs.applicationName === undefined && arn === undefined) {
      throw comboError(where, 'give applicationName or applicationArn to import an application, got neither');
    }
    const nameInArn = arn === undefined ? undefined : Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resourceName;
    if (attrs.applicationName !== undefined && nameInArn !== undefined && !Token.isUnresolved(attrs.applicationName)
      && !Token.isUnresolved(nameInArn) && attrs.applicationName !== nameInArn) {
      throw comboError(where, `applicationName ${JSON.stringify(attrs.applicationName)} contradicts the name in applicationArn ${JSON.stringify(nameInArn)}: give one`);
    }
    const name = attrs.applicationName ?? nameInArn!;
    class Import extends FlinkApplicationBase {
      public readonly applicationName = name;
      public readonly applicationArn = arn ?? applicationArn(this, name);
      public readonly runtime = attrs.runtime ?? FlinkRuntime.FLINK_1_19;
      public readonly grantPrincipal: iam.IPrincipal = attrs.role ?? new iam.UnknownPrincipal({ resource: this });
      public readonly connections = new ec2.Connections({ securityGroups: attrs.securityGroups });
    }
    return new Import(scope, id, { environmentFromArn: arn });
  }

  public readonly applicationName: string;
  public readonly applicationArn: string;
  public readonly runtime: FlinkRuntime;
  /** The role the application assumes. */
  public readonly role: iam.IRole;
  public readonly grantPrincipal: iam.IPrincipal;
  /** The stream the application reads. */
  public readonly sourceStream: kinesis.IStream;
  /** The EFO consumer the application reads through. */
  public readonly sourceConsumer: kinesis.IStreamConsumer;
  /** Log group of the application logs. */
  public readonly logGroup: logs.ILogGroup;
  /** Log stream the application writes to. */
  public readonly logStream: logs.ILogStream;
  /** Initial parallelism (a token when given as one). */
  public readonly parallelism: number;
  /** Parallel tasks per KPU. */
  public readonly parallelismPerKpu: number;
  /** KPUs at the initial parallelism, excluding the orchestration KPU the service adds (a token when parallelism is one). */
  public readonly kpus: number;
  /** Security groups of the application, when in a VPC. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The application's network connections: its security groups, when in a VPC. */
  public readonly connections: ec2.Connections;
  /** The alarms and dashboard widgets of this application. */
  public readonly alarms: FlinkApplicationAlarms;
  /** The underlying L1. */
  public readonly cfnApplication: kda.CfnApplication;

  constructor(scope: Construct, id: string, props: FlinkApplicationProps) {
    super(scope, id, { physicalName: props.applicationName });
    validateFlinkApplicationProps(this, props);
    const settings = resolveDefaults(props);

    const codeConfig = settings.code.bind(this);
    const sqlScript = props.sqlScript?.bind(this);
    this.parallelism = settings.parallelism;
    this.parallelismPerKpu = settings.parallelismPerKpu;
    this.kpus = Token.isUnresolved(this.parallelism) || Token.isUnresolved(this.parallelismPerKpu)
      ? Token.asNumber(Lazy.number({ produce: () => kpusFor(this.parallelism, this.parallelismPerKpu) }))
      : kpusFor(this.parallelism, this.parallelismPerKpu);
    this.runtime = settings.runtime;
    this.sourceStream = props.sourceStream;

    this.role = props.role ?? this.createRole(props.applicationName);
    this.grantPrincipal = this.role;
    this.sourceConsumer = props.sourceConsumer ?? new kinesis.StreamConsumer(this, 'Consumer', {
      stream: props.sourceStream,
      streamConsumerName: props.consumerName ?? Names.uniqueResourceName(this, { maxLength: 128 }),
    });
    // Logs: an explicit encrypted group and stream, attached with a CloudWatch logging option.
    this.logGroup = props.logGroup ?? encryptedLogGroup(this, 'LogGroup');
    this.logStream = new logs.LogStream(this, 'LogStream', { logGroup: this.logGroup, removalPolicy: RemovalPolicy.RETAIN });
    this.securityGroups = props.securityGroups ?? (props.vpc ? [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Managed Flink application ${this.node.path}`,
      allowAllOutbound: true,
    })] : []);
    this.connections = new ec2.Connections({ securityGroups: this.securityGroups });
    const logStreamArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `${this.logGroup.logGroupName}:log-stream:${this.logStream.logStreamName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const constructParameters = constructSqlParameters({ ...props, sourceConsumer: this.sourceConsumer });
    const propertyGroups = jobPropertyGroups({ ...props, sqlScript }, constructParameters);
    validateFlinkApplicationBuild(this, props, {
      code: codeConfig,
      sqlScript,
      parallelism: this.parallelism,
      parallelismPerKpu: this.parallelismPerKpu,
      maxKpus: settings.maxKpus,
      constructParameters,
      propertyGroups,
    });
    const cfnProps = applicationProps({
      applicationName: props.applicationName,
      description: `Managed Flink application ${this.node.path}`,
      runtime: this.runtime.value,
      roleArn: this.role.roleArn,
      code: codeConfig,
      propertyGroups,
      snapshotsEnabled: settings.snapshotsEnabled,
      checkpointInterval: settings.checkpointInterval,
      minPauseBetweenCheckpoints: settings.minPauseBetweenCheckpoints,
      parallelism: this.parallelism,
      parallelismPerKpu: this.parallelismPerKpu,
      autoScalingEnabled: settings.autoScalingEnabled,
      logLevel: settings.logLevel,
      metricsLevel: settings.metricsLevel,
      allowNonRestoredState: settings.allowNonRestoredState,
      vpc: props.vpc ? {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
        securityGroups: this.securityGroups,
      } : undefined,
    });

    this.grantJobAccess(props, codeConfig, sqlScript, logStreamArn);

    this.cfnApplication = new kda.CfnApplication(this, 'Resource', cfnProps);
    this.cfnApplication.applyRemovalPolicy(settings.removalPolicy);
    // The role's policies must exist before the service validates the code location and starts the job.
    dependOnPolicies(this.cfnApplication, this.role);
    this.applicationName = props.applicationName ?? this.getResourceNameAttribute(this.cfnApplication.ref);
    // The ARN as other stacks see it: a reference here, the physical name's ARN from another account or Region.
    this.applicationArn = this.getResourceArnAttribute(applicationArn(this, this.applicationName), {
      service: 'kinesisanalytics', resource: 'application', resourceName: this.physicalName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const loggingOption = new kda.CfnApplicationCloudWatchLoggingOption(this, 'LoggingOption', {
      applicationName: this.cfnApplication.ref,
      cloudWatchLoggingOption: { logStreamArn },
    });
    if (settings.startAfterDeploy) {
      const starter = new ApplicationStarter(this, 'Start', {
        // A Ref, so that the start waits for the application.
        applicationName: this.cfnApplication.ref,
        applicationArn: this.applicationArn,
        allowNonRestoredState: settings.allowNonRestoredState,
        configuration: cfnProps,
      });
      // It references the application already; it must also wait for the logging option and the role's policies.
      starter.node.addDependency(loggingOption);
      dependOnPolicies(starter, this.role);
    }

    this.alarms = new FlinkApplicationAlarms(this, 'Alarms', {
      ...props.alarms,
      application: this,
      sourceConsumer: this.sourceConsumer,
      checkpointInterval: props.checkpointInterval ?? Duration.millis(FlinkLimits.DEFAULT_CHECKPOINT_INTERVAL_MS),
    });
  }

  /**
   * How far the EFO consumer is behind the tip of the stream, ms (AWS/Kinesis `SubscribeToShardEvent.MillisBehindLatest`).
   * Statistic Maximum, period 1 minute by default.
   */
  public metricMillisBehindLatest(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return StreamMetrics.consumerMillisBehindLatest(this.sourceConsumer.stream, this.sourceConsumer.streamConsumerName, props);
  }

  /** Dashboard widgets of this application (health, checkpoints, resources, throughput, consumer lag, alarms). */
  public widgets(): cloudwatch.IWidget[] {
    return this.alarms.widgets();
  }

  /**
   * The application's role. Confused-deputy guard: the service may assume it only for an application of this account
   * (named, when the name is known; a generated name is known only after the application exists, which needs the role
   * first).
   */
  private createRole(applicationName: string | undefined): iam.IRole {
    const stack = Stack.of(this);
    return new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'kinesisanalytics', resource: 'application', resourceName: applicationName ?? '*' }),
          },
        },
      }),
      description: `Runs the Managed Flink application ${this.node.path}`,
    });
  }

  /** The role's permissions: everything the job needs, nothing more (code, source, sinks, script, logs, VPC). */
  private grantJobAccess(props: FlinkApplicationProps, code: FlinkCodeConfig, sqlScript: SqlScriptConfig | undefined, logStreamArn: string): void {
    this.grantReadObject(code.bucket, code.fileKey);
    this.grantReadThroughConsumer();
    for (const sink of Object.values(props.kinesisSinks ?? {})) sink.grantWrite(this.role);
    for (const sink of Object.values(props.firehoseSinks ?? {})) sink.grantPutRecords(this.role);
    props.deadLetterStream?.grantWrite(this.role);
    if (sqlScript?.bucket && sqlScript.objectKey) this.grantReadObject(sqlScript.bucket, sqlScript.objectKey);
    this.grantLogging(logStreamArn);
    if (props.vpc) this.grantVpcAccess();
  }

  private grantReadObject(bucket: s3.IBucket, key: string): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [bucket.arnForObjects(key)],
    }));
    bucket.encryptionKey?.grantDecrypt(this.role);
  }

  /**
   * EFO read: subscribe through the consumer; list and describe the stream's shards (shard discovery); decrypt its
   * records. No GetRecords/GetShardIterator: the EFO source never polls.
   */
  private grantReadThroughConsumer(): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
      resources: [this.sourceStream.streamArn],
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
      resources: [this.sourceConsumer.streamConsumerArn],
    }));
    this.sourceStream.encryptionKey?.grantDecrypt(this.role);
  }

  private grantLogging(logStreamArn: string): void {
    const stack = Stack.of(this);
    const groupsArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const streamsArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${this.logGroup.logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [groupsArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogStreams'], resources: [streamsArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:PutLogEvents'], resources: [logStreamArn] }));
    acknowledgeWildcardResource(this.role, streamsArn,
      'The service lists the log streams of the application log group before writing to its one stream; the wildcard is the stream name within that group');
    acknowledgeWildcardResource(this.role, groupsArn,
      'logs:DescribeLogGroups is a list action without resource-level scoping; the service calls it to find the application log group');
  }

  private grantVpcAccess(): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions',
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
      ],
      resources: ['*'],
    }));
    acknowledgeFinding(this.role, NagRules.IAM_WILDCARD,
      'Managed Flink creates its elastic network interfaces in the VPC with the application role; the ec2 Describe* and network-interface actions it needs support no resource-level restriction',
      'Resource::*');
  }
}

/** The props the construct reads, with every default applied: the one place the construct's defaults are decided. */
function resolveDefaults(props: FlinkApplicationProps) {
  const parallelismPerKpu = props.parallelismPerKpu ?? 1;
  return {
    code: props.code ?? FlinkCode.sqlRunner(),
    runtime: props.runtime ?? FlinkRuntime.FLINK_1_19,
    parallelism: initialParallelism(props, parallelismPerKpu),
    parallelismPerKpu,
    maxKpus: props.maxKpus ?? FlinkLimits.DEFAULT_MAX_KPUS,
    snapshotsEnabled: props.snapshotsEnabled ?? true,
    checkpointInterval: props.checkpointInterval ?? Duration.millis(FlinkLimits.DEFAULT_CHECKPOINT_INTERVAL_MS),
    minPauseBetweenCheckpoints: props.minPauseBetweenCheckpoints ?? Duration.millis(FlinkLimits.DEFAULT_MIN_PAUSE_BETWEEN_CHECKPOINTS_MS),
    autoScalingEnabled: props.autoScalingEnabled ?? true,
    logLevel: props.logLevel ?? FlinkLogLevel.INFO,
    metricsLevel: props.metricsLevel ?? FlinkMetricsLevel.APPLICATION,
    allowNonRestoredState: props.allowNonRestoredState ?? false,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    startAfterDeploy: props.startAfterDeploy ?? true,
  };
}

function applicationArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'kinesisanalytics', resource: 'application', resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * Makes `target` depend on the policies attached to `role` (its children other than the role resource itself, which
 * `target` already references: a DependsOn on it would be redundant).
 */
function dependOnPolicies(target: IConstruct, role: iam.IRole): void {
  for (const child of role.node.children) {
    if (child !== role.node.defaultChild) target.node.addDependency(child);
  }
}

/**
 * How cdk-nag names a resource in an IAM5 finding id: the resolved ARN with `<LogicalId>` for a Ref,
 * `<LogicalId.Attr>` for a GetAtt and `<AWS::Partition>` for a pseudo parameter.
 */
