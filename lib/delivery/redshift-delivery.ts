import {
  Annotations, Duration, RemovalPolicy, Stack, Token,
  aws_ec2 as ec2, aws_iam as iam, aws_kinesisfirehose as firehose, aws_lambda as lambda, aws_logs as logs,
  aws_redshift as redshift, aws_redshiftserverless as redshiftserverless, aws_s3 as s3, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataLakeBucket } from './data-lake-bucket';
import { DeliveryAlarms } from './delivery-alarms';
import { DeliveryAttributes, DeliveryBase, DeliveryCommonProps, IDelivery } from './delivery-base';
import { DestinationMetricPrefix } from './private/delivery-metrics';
import { ErrorLogStream } from './private/error-logging';
import { FirehoseLimits as L } from './private/firehose-limits';
import { firehosePeer } from './private/firehose-peer';
import { importDelivery } from './private/imported-delivery';
import { renderProcessing } from './private/processing';
import { renderS3Configuration } from './private/s3-configuration';
import { mebibytesOf, secondsOf, validateRedshiftDeliveryProps } from './private/validation';
import { propError } from '../private/errors';

/** Options of a Redshift warehouse created in this app. */
export interface RedshiftTargetOptions {
  /**
   * Database of the table.
   * @default - the cluster's `dbName`; `dev` for a workgroup
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-redshift
   */
  readonly database?: string;
  /**
   * Security group of the warehouse, one of its `securityGroupIds` (`vpcSecurityGroupIds` for a cluster). The
   * construct allows the Firehose CIDR block of the Region in on the warehouse port. Required: without a rule for that
   * block Firehose can never connect. Give the warehouse a security group of its own whose only ingress is this rule:
   * the block is shared by every AWS customer's Firehose in the Region.
   * @default - none: an error (a warehouse created in the app must admit Firehose)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
   */
  readonly securityGroup?: ec2.ISecurityGroup;
}

/** An existing Redshift cluster or Serverless workgroup, by endpoint. */
export interface RedshiftEndpointAttributes {
  /** Host name of the endpoint (`cluster.abc123.us-east-1.redshift.amazonaws.com`, `wg.123456789012.us-east-1.redshift-serverless.amazonaws.com`). */
  readonly endpointAddress: string;
  /**
   * @default 5439
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
   */
  readonly port?: number;
  /** Database of the table. */
  readonly database: string;
  /**
   * Security group of the warehouse, to allow Firehose in.
   * @default - no rule is added, and a synth-time warning says the rule must exist
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
   */
  readonly securityGroup?: ec2.ISecurityGroup;
}

/** An existing Redshift Serverless workgroup, by name, in the stack's account and Region. */
export interface RedshiftWorkgroupAttributes {
  /**
   * Name of the workgroup: 3 to 64 lowercase letters, digits and hyphens. Its endpoint is
   * `<name>.<account>.<region>.redshift-serverless.amazonaws.com`, in the stack's account and Region.
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-connecting.html
   */
  readonly workgroupName: string;
  /**
   * Database of the table.
   * @default 'dev'
   */
  readonly database?: string;
  /**
   * Port of the workgroup, from 5431 to 5455 or 8191 to 8215.
   * @default 5439
   * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-connecting.html
   */
  readonly port?: number;
  /**
   * Security group of the workgroup, to allow Firehose in.
   * @default - no rule is added, and a synth-time warning says the rule must exist
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
   */
  readonly securityGroup?: ec2.ISecurityGroup;
}

/** What a `RedshiftTarget` resolves to for one delivery. */
export interface RedshiftTargetConfig {
  /** JDBC URL of the database Firehose loads: `jdbc:redshift://<endpoint>:<port>/<database>`. */
  readonly jdbcUrl: string;
}

/**
 * The Redshift warehouse a `RedshiftDelivery` loads: a provisioned cluster or a Serverless workgroup, created in this
 * app (L1 `CfnCluster` / `CfnWorkgroup`) or existing.
 *
 * Network access: Firehose connects to Redshift from the Firehose CIDR block of the Region (RegionInfo
 * `firehoseCidrBlock`; `delivery.connections` carries it as a peer) over the warehouse's public endpoint. The cluster or
 * workgroup must be publicly accessible, with a public IP address in a public subnet, and its security group must allow
 * that block on the warehouse port (5439 by default); Firehose has no VPC delivery to Redshift.
 *
 * That block is shared by every AWS customer's Firehose in the Region, so the network admits far more than your
 * delivery, and the database user's password is the barrier. Require SSL on the warehouse (`require_ssl` parameter),
 * turn on its audit logging (connection and user logs: a namespace's `logExports`, a cluster's logging properties),
 * and give the Firehose user only INSERT on its one table.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-rs-vpc
 */
export abstract class RedshiftTarget {
  /** A provisioned cluster created in this app. It must be publicly accessible (a warning says when it is not). */
  public static fromCluster(cluster: redshift.CfnCluster, options: RedshiftTargetOptions = {}): RedshiftTarget {
    return new FunctionTarget((scope) => {
      warnIfPrivate(scope, cluster.publiclyAccessible, `cluster ${cluster.node.path}`);
      requireSecurityGroup(scope, options.securityGroup, cluster.vpcSecurityGroupIds, `cluster ${cluster.node.path}`, 'vpcSecurityGroupIds');
      allowFirehose(scope, options.securityGroup, cluster.port ?? 5439);
      return { jdbcUrl: jdbcUrl(scope, cluster.attrEndpointAddress, cluster.attrEndpointPort, options.database ?? cluster.dbName) };
    });
  }

  /** A Serverless workgroup created in this app. It must be publicly accessible (a warning says when it is not). */
  public static fromWorkgroup(workgroup: redshiftserverless.CfnWorkgroup, options: RedshiftTargetOptions = {}): RedshiftTarget {
    return new FunctionTarget((scope) => {
      warnIfPrivate(scope, workgroup.publiclyAccessible, `workgroup ${workgroup.node.path}`);
      const port = workgroup.port ?? 5439;
      requireSecurityGroup(scope, options.securityGroup, workgroup.securityGroupIds, `workgroup ${workgroup.node.path}`, 'securityGroupIds');
      allowFirehose(scope, options.securityGroup, port);
      return { jdbcUrl: jdbcUrl(scope, workgroup.attrWorkgroupEndpointAddress, Token.asString(port), options.database ?? 'dev') };
    });
  }

  /**
   * An existing Serverless workgroup of the stack's account and Region, by name: the endpoint is derived from the name
   * (`<name>.<account>.<region>.redshift-serverless.amazonaws.com`), so an environment-agnostic stack works too.
   */
  public static fromWorkgroupName(attrs: RedshiftWorkgroupAttributes): RedshiftTarget {
    return new FunctionTarget((scope) => {
      const name = attrs.workgroupName;
      if (!Token.isUnresolved(name) && !/^[a-z0-9-]{3,64}$/.test(name)) {
        throw propError(scope, 'target.workgroupName', name, 'must be a Redshift Serverless workgroup name: 3 to 64 lowercase letters, digits and hyphens');
      }
      const stack = Stack.of(scope);
      const host = `${name}.${stack.account}.${stack.region}.redshift-serverless.${stack.urlSuffix}`;
      return bindEndpoint(scope, { endpointAddress: host, database: attrs.database ?? 'dev', port: attrs.port, securityGroup: attrs.securityGroup });
    });
  }

  /** An existing cluster or workgroup, by endpoint. */
  public static fromEndpoint(attrs: RedshiftEndpointAttributes): RedshiftTarget {
    return new FunctionTarget((scope) => bindEndpoint(scope, attrs));
  }

  /**
   * Resolves the target for the delivery `scope`: its JDBC URL, after any network rule or check it needs. Implement it
   * to load a warehouse these factories do not cover.
   */
  public abstract bind(scope: Construct): RedshiftTargetConfig;
}

/** A target of the static factories: binds through the function it was built with. */
class FunctionTarget extends RedshiftTarget {
  constructor(private readonly binder: (scope: Construct) => RedshiftTargetConfig) {
    super();
  }

  public bind(scope: Construct): RedshiftTargetConfig {
    return this.binder(scope);
  }
}

/** An existing warehouse by endpoint: checks, the Firehose ingress rule (or a warning without a group), the URL. */
function bindEndpoint(scope: Construct, attrs: RedshiftEndpointAttributes): RedshiftTargetConfig {
  const port = attrs.port ?? 5439;
  if (!Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1150 || port > 65535)) {
    throw propError(scope, 'target.port', port, 'must be a Redshift port from 1150 to 65535');
  }
  const host = attrs.endpointAddress;
  if (!Token.isUnresolved(host) && !/^((?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)+redshift(-serverless)?\.[A-Za-z0-9.-]+$/.test(host)) {
    throw propError(scope, 'target.endpointAddress', host, 'must be the host name of a Redshift cluster or Serverless workgroup endpoint (....redshift.amazonaws.com or ....redshift-serverless.amazonaws.com)');
  }
  if (!attrs.securityGroup) {
    Annotations.of(scope).addWarningV2('kinesis-streaming-pipelines:redshiftNoFirehoseIngress',
      `no securityGroup was given for ${host}: make sure the warehouse's security group admits the Firehose CIDR block of the Region on port ${port} (delivery.connections carries it as a peer), or Firehose cannot connect`);
  }
  allowFirehose(scope, attrs.securityGroup, port);
  return { jdbcUrl: jdbcUrl(scope, attrs.endpointAddress, String(port), attrs.database) };
}

/** The URL Firehose connects to; the database name as CloudFormation accepts it. */
function jdbcUrl(scope: Construct, address: string, port: string, database: string): string {
  if (!Token.isUnresolved(database) && !/^[a-zA-Z0-9_$-]{1,64}$/.test(database)) {
    throw propError(scope, 'target.database', database, 'must be a database name of [a-zA-Z0-9_$-]');
  }
  return `jdbc:redshift://${address}:${port}/${database}`;
}

function warnIfPrivate(scope: Construct, publiclyAccessible: boolean | unknown, what: string): void {
  if (publiclyAccessible === true || Token.isUnresolved(publiclyAccessible)) return;
  Annotations.of(scope).addWarningV2('kinesis-streaming-pipelines:redshiftNotPublic',
    `Firehose reaches Redshift only through its public endpoint, from the Firehose CIDR block of the Region; ${what} is not publicly accessible, so deliveries will fail to connect`);
}

/**
 * A warehouse created in the app is only reachable by Firehose through a security group rule this construct adds: the
 * group must be given, and be one of the warehouse's.
 */
function requireSecurityGroup(
  scope: Construct, securityGroup: ec2.ISecurityGroup | undefined, warehouseGroupIds: string[] | undefined, what: string, idsProp: string,
): void {
  if (!securityGroup) {
    throw propError(scope, 'target.securityGroup', undefined,
      `is required for ${what}: Firehose connects from the Firehose CIDR block of the Region, which only a rule on the warehouse's security group admits; give the warehouse a security group of its own (${idsProp}) and pass it`);
  }
  if (warehouseGroupIds === undefined || (!Token.isUnresolved(warehouseGroupIds) && !warehouseGroupIds.includes(securityGroup.securityGroupId))) {
    throw propError(scope, 'target.securityGroup', securityGroup.node.path,
      `must be one of the ${idsProp} of ${what} (${warehouseGroupIds === undefined ? 'it has none, so it uses its VPC\'s default security group' : `it has ${warehouseGroupIds.join(', ')}`})`);
  }
}

function allowFirehose(scope: Construct, securityGroup: ec2.ISecurityGroup | undefined, port: number): void {
  securityGroup?.addIngressRule(firehosePeer(scope), ec2.Port.tcp(port), `Firehose delivery ${scope.node.path}`);
}

/** Properties of a `RedshiftDelivery`. */
export interface RedshiftDeliveryProps extends DeliveryCommonProps {
  /** The cluster or workgroup to load. */
  readonly target: RedshiftTarget;
  /**
   * Secret with the database user's `username` and `password` (JSON keys), read by Firehose at delivery time
   * (Secrets Manager integration): no password in the template. The user needs INSERT on the table.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/using-secrets-manager.html
   */
  readonly credentials: secretsmanager.ISecret;
  /** Table the records are copied into (it must exist), optionally `schema.table`. */
  readonly table: string;
  /** Columns the COPY fills, in the order of the table's column list; at least one. */
  readonly columns: string[];
  /**
   * Options of the COPY command. Must include GZIP exactly when the staging compression is GZIP.
   * @default "JSON 'auto ignorecase' GZIP TIMEFORMAT 'auto'" (without GZIP when staging is uncompressed)
   * @see https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
   */
  readonly copyOptions?: string;
  /**
   * Bucket Firehose stages the batches in before each COPY (objects, COPY manifests and error manifests).
   * @default - a new `DataLakeBucket` (child `StagingBucket`)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-redshift
   */
  readonly stagingBucket?: s3.IBucket;
  /**
   * Key prefix of the staged objects.
   * @default 'staging/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly stagingPrefix?: string;
  /**
   * Key prefix of the records Firehose could not stage.
   * @default 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly errorOutputPrefix?: string;
  /**
   * Compression of the staged objects: GZIP or UNCOMPRESSED (COPY reads neither ZIP nor Snappy).
   * @default firehose.Compression.GZIP
   * @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html
   */
  readonly stagingCompression?: firehose.Compression;
  /**
   * How long Firehose retries a failed COPY, 0–7,200 s; then it skips the batch and writes its manifest under
   * `errors/` in the staging bucket.
   * @default Duration.seconds(3600)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/retry.html
   */
  readonly retryDuration?: Duration;
  /**
   * Which records are kept in S3 besides the load: `FAILED` keeps only what failed (the error manifests in the staging
   * bucket point at the staged objects of skipped batches); `ALL` also writes every source record to the backup bucket.
   * @default firehose.BackupMode.FAILED
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-redshift
   */
  readonly backupMode?: firehose.BackupMode;
  /**
   * Bucket of the backup of all records (`backupMode` ALL).
   * @default - the staging bucket
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-redshift
   */
  readonly backupBucket?: s3.IBucket;
  /**
   * Key prefix of the backup of all records.
   * @default 'backup/!{timestamp:yyyy/MM/dd}/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly backupPrefix?: string;
}

const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/';
const DEFAULT_BACKUP_PREFIX = 'backup/!{timestamp:yyyy/MM/dd}/';

/**
 * Firehose delivery into Amazon Redshift (a provisioned cluster or a Serverless workgroup): batches are staged in S3,
 * then loaded with COPY using credentials Firehose reads from Secrets Manager. Built on the L1 `CfnDeliveryStream`
 * (aws-cdk-lib's DeliveryStream has no Redshift destination) with the same interface: `firehose.IDeliveryStream`,
 * grants and metrics. Failed COPYs are retried for `retryDuration`, then left as manifests under `errors/` of the
 * staging bucket.
 *
 * Network: see `RedshiftTarget` (public endpoint, Firehose CIDR block allowed on the warehouse port).
 * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-redshift
 */
export class RedshiftDelivery extends DeliveryBase {
  /** An existing delivery stream into Redshift, to watch (`new DeliveryAlarms(...)`) or grant access to. */
  public static fromDeliveryStreamAttributes(scope: Construct, id: string, attrs: DeliveryAttributes): IDelivery {
    return importDelivery(scope, id, DestinationMetricPrefix.REDSHIFT, attrs);
  }

  public readonly deliveryStreamArn: string;
  public readonly deliveryStreamName: string;
  public readonly role: iam.IRole;
  public readonly alarms: DeliveryAlarms;
  public readonly errorLogGroup: logs.ILogGroup;
  public readonly transformFunction?: lambda.IFunction;
  /** The staging bucket. */
  public readonly stagingBucket: s3.IBucket;
  /** The JDBC URL Firehose connects to. */
  public readonly jdbcUrl: string;
  private readonly resource: firehose.CfnDeliveryStream;

  constructor(scope: Construct, id: string, props: RedshiftDeliveryProps) {
    super(scope, id, DestinationMetricPrefix.REDSHIFT, props.deliveryStreamName);
    const compression = (props.stagingCompression ?? firehose.Compression.GZIP).value;
    const copyOptions = props.copyOptions ?? `JSON 'auto ignorecase'${compression === 'GZIP' ? ' GZIP' : ''} TIMEFORMAT 'auto'`;
    const backupAll = props.backupMode === firehose.BackupMode.ALL;
    validateRedshiftDeliveryProps(this, props, { compression, copyOptions, backupAll });

    this.jdbcUrl = props.target.bind(this).jdbcUrl;
    this.stagingBucket = props.stagingBucket ?? new DataLakeBucket(this, 'StagingBucket').bucket;
    const f = this._foundation(props, `Firehose delivery ${this.node.path} into Redshift`, true);
    this.role = f.role;
    this.errorLogGroup = f.logging.logGroup;
    this.transformFunction = f.transform?.function;
    props.credentials.grantRead(this.role);

    const intervalSeconds = secondsOf(props.bufferingInterval) ?? L.DEFAULT_BUFFER_INTERVAL_SECONDS;
    const sizeMiB = mebibytesOf(props.bufferingSize) ?? L.DEFAULT_BUFFER_MIB;
    this.resource = new firehose.CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: f.source.deliveryStreamType,
      kinesisStreamSourceConfiguration: f.source.kinesisStreamSourceConfiguration,
      redshiftDestinationConfiguration: {
        clusterJdbcurl: this.jdbcUrl,
        roleArn: this.role.roleArn,
        secretsManagerConfiguration: { enabled: true, secretArn: props.credentials.secretArn, roleArn: this.role.roleArn },
        copyCommand: { dataTableName: props.table, dataTableColumns: props.columns.join(','), copyOptions },
        retryOptions: { durationInSeconds: secondsOf(props.retryDuration) ?? L.REDSHIFT_DEFAULT_RETRY_SECONDS },
        s3Configuration: renderS3Configuration(f.permissions, {
          bucket: this.stagingBucket,
          prefix: props.stagingPrefix ?? 'staging/',
          errorOutputPrefix: props.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX,
          bufferingHints: { intervalInSeconds: intervalSeconds, sizeInMBs: sizeMiB },
          compression,
          logging: f.logging.options(ErrorLogStream.STAGING),
          // The staging prefix (objects and COPY manifests) read and written, the error output and the error manifests
          // written only: never the rest of a bucket shared with other deliveries.
          redshiftStaging: true,
        }),
        processingConfiguration: renderProcessing(f.permissions, { transform: f.transform }),
        s3BackupMode: backupAll ? 'Enabled' : 'Disabled',
        s3BackupConfiguration: backupAll ? renderS3Configuration(f.permissions, {
          bucket: props.backupBucket ?? this.stagingBucket,
          prefix: props.backupPrefix ?? DEFAULT_BACKUP_PREFIX,
          errorOutputPrefix: props.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX,
          compression: firehose.Compression.GZIP.value,
          logging: f.logging.options(ErrorLogStream.BACKUP),
        }) : undefined,
        cloudWatchLoggingOptions: f.logging.options(ErrorLogStream.DESTINATION),
      },
    });
    this.deliveryStreamArn = this.resource.attrArn;
    this.deliveryStreamName = this.resource.ref;
    const expected = intervalSeconds + (f.transform?.bufferIntervalSeconds ?? 0);
    this.alarms = this._finish(this.resource, f, Duration.seconds(expected), props.alarms);
  }

  /** Applies the removal policy to the delivery stream (the data lives in Redshift and the staging bucket). */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
  }
}
