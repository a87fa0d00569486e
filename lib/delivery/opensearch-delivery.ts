import {
  Annotations, Duration, Names, RemovalPolicy, Stack, Token,
  aws_ec2 as ec2, aws_iam as iam, aws_kinesisfirehose as firehose, aws_kms as kms, aws_lambda as lambda, aws_logs as logs,
  aws_opensearchserverless as aoss, aws_opensearchservice as opensearch, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { DataLakeBucket } from './data-lake-bucket';
import { DeliveryAlarms } from './delivery-alarms';
import { DeliveryAttributes, DeliveryBase, DeliveryCommonProps, IDelivery } from './delivery-base';
import { DestinationMetricPrefix } from './private/delivery-metrics';
import { DeliveryPermissions } from './private/delivery-permissions';
import { ErrorLogStream } from './private/error-logging';
import { FirehoseLimits as L } from './private/firehose-limits';
import { importDelivery } from './private/imported-delivery';
import { NagRules, acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance';
import { renderProcessing } from './private/processing';
import { renderS3Configuration } from './private/s3-configuration';
import { mebibytesOf, secondsOf, validateOpenSearchDeliveryProps } from './private/validation';
import { propError } from '../private/errors';

/** How often Firehose starts a new index (it appends the date to the index name). */
export enum OpenSearchIndexRotation {
  NO_ROTATION = 'NoRotation',
  ONE_HOUR = 'OneHour',
  ONE_DAY = 'OneDay',
  ONE_WEEK = 'OneWeek',
  ONE_MONTH = 'OneMonth',
}

/** Who names the documents. */
export enum OpenSearchDocumentId {
  /**
   * Firehose derives a stable id per record, so a retried delivery overwrites rather than duplicates.
   */
  FIREHOSE_DEFAULT = 'FIREHOSE_DEFAULT',
  /**
   * OpenSearch generates ids: cheaper indexing for logs and metrics, but a retry can index a record twice.
   */
  NO_DOCUMENT_ID = 'NO_DOCUMENT_ID',
}

/** Kind of a new OpenSearch Serverless collection. */
export enum OpenSearchCollectionType {
  /** Log and metric data, appended and queried by time. */
  TIMESERIES = 'TIMESERIES',
  /** Full-text search over documents that are updated. */
  SEARCH = 'SEARCH',
}

/** Options of a new OpenSearch Serverless collection. */
export interface OpenSearchCollectionOptions {
  /**
   * Name, 3–28 characters `[a-z][a-z0-9-]*` (its policies are named after it).
   * @default - derived from the delivery's path
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-manage.html
   */
  readonly collectionName?: string;
  /**
   * @default OpenSearchCollectionType.TIMESERIES
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-overview.html
   */
  readonly type?: OpenSearchCollectionType;
  /**
   * Key that encrypts the collection (encryption policy).
   * @default - a new customer-managed key with rotation (child `CollectionKey`)
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-encryption.html
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Keep standby replicas in a second Availability Zone.
   * @default true
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-overview.html
   */
  readonly standbyReplicas?: boolean;
  /**
   * What happens to the collection and its key when they leave the stack. The default keeps them on update and delete
   * but removes them when the stack's first create rolls back: a collection has a fixed name, and one kept by a failed
   * first deploy would make the retry fail with "already exists".
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** An existing OpenSearch Serverless collection. */
export interface OpenSearchCollectionAttributes {
  readonly collectionName: string;
  readonly collectionArn: string;
  /** `https://<id>.<region>.aoss.amazonaws.com` */
  readonly collectionEndpoint: string;
}

/** A target once bound to a delivery. */
interface BoundOpenSearchTarget {
  readonly serverless: boolean;
  readonly domainArn?: string;
  readonly collectionEndpoint?: string;
  /** Resources the delivery stream must wait for (the data access policy of its role). */
  readonly dependables: IConstruct[];
}

/** What the target needs from the delivery to bind. */
interface OpenSearchBindContext {
  readonly permissions: DeliveryPermissions;
  readonly indexName: string;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly subnets?: ec2.SelectedSubnets;
  readonly vpc?: ec2.IVpc;
}

/**
 * The OpenSearch a delivery indexes into: an OpenSearch Service domain (created with the L2 `Domain` or imported), or an
 * OpenSearch Serverless collection (created here with its encryption, network and data access policies, or existing).
 */
export class OpenSearchTarget {
  /**
   * A managed domain. The role gets Firehose's documented permissions on this domain only. When the domain uses
   * fine-grained access control, map the delivery role to a backend role allowed to write the index. A VPC domain
   * created in this app lets the delivery's security group in on 443.
   * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-es
   */
  public static fromDomain(domain: opensearch.IDomain): OpenSearchTarget {
    return new OpenSearchTarget(false, (scope, ctx) => {
      const arn = domain.domainArn;
      ctx.permissions.add(new iam.PolicyStatement({
        actions: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig', 'es:ESHttpPost', 'es:ESHttpPut'],
        resources: [arn, `${arn}/*`],
      }));
      const gets = ['_all/_settings', '_cluster/stats', `${ctx.indexName}*/_mapping/*`, '_nodes', '_nodes/stats', '_nodes/*/stats', '_stats', `${ctx.indexName}*/_stats`, ''];
      ctx.permissions.add(new iam.PolicyStatement({ actions: ['es:ESHttpGet'], resources: gets.map((p) => `${arn}/${p}`) }));
      const role = ctx.permissions.role;
      if (role instanceof Construct) {
        acknowledgeWildcardResource(role, `${arn}/*`, 'Firehose indexes with the _bulk API and creates the rotated indices (<index>-<date>) itself: writes (POST, PUT) cover the paths of this one domain, reads are limited to the stats and settings paths of the Firehose documentation');
        for (const path of [`${ctx.indexName}*/_mapping/*`, '_nodes/*/stats', `${ctx.indexName}*/_stats`]) {
          acknowledgeWildcardResource(role, `${arn}/${path}`, 'Read-only stats and mapping path of the Firehose documentation; the wildcard stands for the rotated index dates or node ids');
        }
      }
      const connections = vpcDomainConnections(domain);
      if (connections && ctx.securityGroups) {
        for (const sg of ctx.securityGroups) connections.allowFrom(sg, ec2.Port.tcp(443), `Firehose delivery ${scope.node.path}`);
      }
      return { serverless: false, domainArn: arn, dependables: [] };
    });
  }

  /**
   * A new OpenSearch Serverless collection (child `Collection`), with an encryption policy (customer-managed key), a
   * network policy and a data access policy letting the delivery role create and write indices. With a `vpc` on the
   * delivery the collection is private: reachable only through a new OpenSearch Serverless VPC endpoint that admits the
   * delivery's security groups on 443. Without one its endpoint is public, protected by IAM (SigV4) and the data access
   * policy only, and a synth-time warning (`kinesis-streaming-pipelines:openSearchCollectionPublic`) says so. No index
   * rotation or document-id option (the service does not offer them).
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/serverless-manage.html
   */
  public static newCollection(options: OpenSearchCollectionOptions = {}): OpenSearchTarget {
    return new OpenSearchTarget(true, (scope, ctx) => {
      const name = options.collectionName ?? collectionNameFor(scope);
      if (!Token.isUnresolved(name) && !/^[a-z][a-z0-9-]{2,27}$/.test(name)) {
        throw propError(scope, 'target.collectionName', name, 'must be 3–28 characters of [a-z0-9-], starting with a letter');
      }
      const removalPolicy = options.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
      const key = options.encryptionKey ?? new kms.Key(scope, 'CollectionKey', {
        description: `Encrypts the OpenSearch Serverless collection of ${scope.node.path}`,
        enableKeyRotation: true,
        removalPolicy,
        pendingWindow: Duration.days(30),
      });
      const stack = Stack.of(scope);
      const encryption = new aoss.CfnSecurityPolicy(scope, 'EncryptionPolicy', {
        name: `${name}-enc`,
        type: 'encryption',
        description: `Encryption of collection ${name}`,
        policy: stack.toJsonString({ Rules: [{ ResourceType: 'collection', Resource: [`collection/${name}`] }], AWSOwnedKey: false, KmsARN: key.keyArn }),
      });
      let sourceVpce: string | undefined;
      if (ctx.vpc && ctx.subnets && ctx.securityGroups) {
        const endpointSg = new ec2.SecurityGroup(scope, 'CollectionEndpointSecurityGroup', {
          vpc: ctx.vpc,
          description: `OpenSearch Serverless endpoint of ${scope.node.path}`,
          allowAllOutbound: false,
        });
        for (const sg of ctx.securityGroups) endpointSg.connections.allowFrom(sg, ec2.Port.tcp(443), 'Firehose to the collection');
        const endpoint = new aoss.CfnVpcEndpoint(scope, 'CollectionEndpoint', {
          name: `${name}-vpce`.slice(0, 32),
          vpcId: ctx.vpc.vpcId,
          subnetIds: ctx.subnets.subnetIds,
          securityGroupIds: [endpointSg.securityGroupId],
        });
        sourceVpce = endpoint.attrId;
      } else {
        Annotations.of(scope).addWarningV2('kinesis-streaming-pipelines:openSearchCollectionPublic',
          `the OpenSearch Serverless collection ${name} is reachable from the internet: its endpoint is public and protected only by IAM (SigV4) and its data access policy. Pass a vpc to the delivery (IotSensorPipeline: openSearchVpc) to make it private`);
      }
      const network = new aoss.CfnSecurityPolicy(scope, 'NetworkPolicy', {
        name: `${name}-net`,
        type: 'network',
        description: `Network access to collection ${name}`,
        policy: stack.toJsonString([{
          Rules: [{ ResourceType: 'collection', Resource: [`collection/${name}`] }],
          ...(sourceVpce ? { AllowFromPublic: false, SourceVPCEs: [sourceVpce] } : { AllowFromPublic: true }),
        }]),
      });
      const collection = new aoss.CfnCollection(scope, 'Collection', {
        name,
        type: options.type ?? OpenSearchCollectionType.TIMESERIES,
        description: `Indexed by Firehose delivery ${scope.node.path}`,
        standbyReplicas: (options.standbyReplicas ?? true) ? 'ENABLED' : 'DISABLED',
      });
      collection.applyRemovalPolicy(removalPolicy);
      collection.node.addDependency(encryption);
      collection.node.addDependency(network);
      return bindCollection(scope, ctx, name, collection.attrArn, collection.attrCollectionEndpoint);
    });
  }

  /**
   * A collection created in this app with the L1 `CfnCollection` (its encryption and network policies are yours). The
   * construct adds the data access policy of the delivery role.
   */
  public static fromCollection(collection: aoss.CfnCollection): OpenSearchTarget {
    return new OpenSearchTarget(true, (scope, ctx) =>
      bindCollection(scope, ctx, collection.name, collection.attrArn, collection.attrCollectionEndpoint));
  }

  /** An existing collection. The construct adds the data access policy of the delivery role. */
  public static fromCollectionAttributes(attrs: OpenSearchCollectionAttributes): OpenSearchTarget {
    return new OpenSearchTarget(true, (scope, ctx) =>
      bindCollection(scope, ctx, attrs.collectionName, attrs.collectionArn, attrs.collectionEndpoint));
  }

  /** Whether the target is an OpenSearch Serverless collection (rather than a managed domain). */
  public readonly isServerless: boolean;

  private constructor(serverless: boolean, private readonly binder: (scope: Construct, ctx: OpenSearchBindContext) => BoundOpenSearchTarget) {
    this.isServerless = serverless;
  }

  /** @internal */
  public _bind(scope: Construct, ctx: OpenSearchBindContext): BoundOpenSearchTarget {
    return this.binder(scope, ctx);
  }
}

/** The role may call the collection's data plane, and a data access policy (child `DataAccessPolicy`) lets it write indices. */
function bindCollection(scope: Construct, ctx: OpenSearchBindContext, name: string, arn: string, endpoint: string): BoundOpenSearchTarget {
  ctx.permissions.add(new iam.PolicyStatement({ actions: ['aoss:APIAccessAll'], resources: [arn] }));
  // Policy names: 3–32 characters [a-z0-9-].
  const policyName = `${(Token.isUnresolved(name) ? collectionNameFor(scope) : name).slice(0, 23)}-firehose`;
  const accessPolicy = new aoss.CfnAccessPolicy(scope, 'DataAccessPolicy', {
    name: policyName,
    type: 'data',
    description: `Firehose delivery ${scope.node.path} writes indices of ${Token.isUnresolved(name) ? 'its collection' : name}`,
    policy: Stack.of(scope).toJsonString([{
      Rules: [{
        ResourceType: 'index',
        Resource: [`index/${name}/*`],
        Permission: ['aoss:CreateIndex', 'aoss:UpdateIndex', 'aoss:DescribeIndex', 'aoss:WriteDocument'],
      }],
      Principal: [ctx.permissions.role.roleArn],
    }]),
  });
  return { serverless: true, collectionEndpoint: endpoint, dependables: [accessPolicy] };
}

function collectionNameFor(scope: Construct): string {
  const base = Names.uniqueResourceName(scope, { maxLength: 27, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '');
  return /^[a-z]/.test(base) ? base : `c${base}`.slice(0, 28);
}

/** The connections of a VPC domain created in this app; none for imported or public domains. */
function vpcDomainConnections(domain: opensearch.IDomain): ec2.Connections | undefined {
  if (!(domain instanceof opensearch.Domain)) return undefined;
  try {
    return domain.connections;
  } catch {
    // aws-cdk-lib throws for a domain outside a VPC: nothing to allow.
    return undefined;
  }
}

/** Properties of an `OpenSearchDelivery`. */
export interface OpenSearchDeliveryProps extends DeliveryCommonProps {
  /** The domain or collection to index into. */
  readonly target: OpenSearchTarget;
  /** Index name, lowercase, 1–80 characters; with rotation, Firehose appends the date (`-2024-05-01`). */
  readonly indexName: string;
  /**
   * Index rotation, so old data can be dropped by index (Index State Management). Domains only.
   * @default - OpenSearchIndexRotation.ONE_DAY for a domain
   * @see https://docs.aws.amazon.com/firehose/latest/dev/es-index-rotation.html
   */
  readonly indexRotation?: OpenSearchIndexRotation;
  /**
   * Document ids. Domains only.
   * @default - OpenSearchDocumentId.FIREHOSE_DEFAULT for a domain (retries do not duplicate documents)
   * @see https://docs.aws.amazon.com/firehose/latest/APIReference/API_DocumentIdOptions.html
   */
  readonly documentId?: OpenSearchDocumentId;
  /**
   * How long Firehose retries an index request that fails, 0–7,200 s; then the documents go to the S3 backup.
   * @default Duration.seconds(300)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/retry.html
   */
  readonly retryDuration?: Duration;
  /**
   * VPC to deliver into (a VPC domain, or a collection through a VPC endpoint): Firehose creates network interfaces in
   * `vpcSubnets` (up to three per subnet), with `securityGroups`.
   * @default - public endpoint
   * @see https://docs.aws.amazon.com/firehose/latest/dev/vpc.html
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of Firehose's network interfaces (one per Availability Zone of the domain).
   * @default - the private subnets of the VPC
   * @see https://docs.aws.amazon.com/firehose/latest/dev/vpc.html
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of Firehose's network interfaces.
   * @default - a new security group (child `SecurityGroup`) allowing only HTTPS out to the VPC
   * @see https://docs.aws.amazon.com/firehose/latest/dev/vpc.html
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Which documents are written to S3: `FAILED` (documents that could not be indexed, under
   * `AmazonOpenSearchService-failed/`) or `ALL` (every document, plus the failed ones).
   * @default firehose.BackupMode.FAILED
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-elasticsearch
   */
  readonly backupMode?: firehose.BackupMode;
  /**
   * Bucket of the S3 backup.
   * @default - a new `DataLakeBucket` (child `BackupBucket`)
   * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-elasticsearch
   */
  readonly backupBucket?: s3.IBucket;
  /**
   * Key prefix of the backup.
   * @default 'opensearch-backup/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly backupPrefix?: string;
  /**
   * Key prefix of the records Firehose could not write to the backup.
   * @default 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/'
   * @see https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
   */
  readonly errorOutputPrefix?: string;
}

const DEFAULT_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/';

/**
 * Firehose delivery into OpenSearch: an OpenSearch Service domain or an OpenSearch Serverless collection, from a
 * Kinesis stream or direct PUT, optionally inside a VPC, with index rotation, document ids, retries, failed (or all)
 * documents backed up to S3, error logging, least-privilege role and alarms. Built on the L1 `CfnDeliveryStream`
 * (aws-cdk-lib's DeliveryStream has no OpenSearch destination) with the same interface: `firehose.IDeliveryStream`,
 * grants and metrics.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/create-destination.html#create-destination-elasticsearch
 */
export class OpenSearchDelivery extends DeliveryBase {
  /** An existing delivery stream into an OpenSearch Service domain, to watch (`new DeliveryAlarms(...)`) or grant access to. */
  public static fromDeliveryStreamAttributes(scope: Construct, id: string, attrs: DeliveryAttributes): IDelivery {
    return importDelivery(scope, id, DestinationMetricPrefix.OPENSEARCH_SERVICE, attrs);
  }

  /** An existing delivery stream into an OpenSearch Serverless collection. */
  public static fromServerlessDeliveryStreamAttributes(scope: Construct, id: string, attrs: DeliveryAttributes): IDelivery {
    return importDelivery(scope, id, DestinationMetricPrefix.OPENSEARCH_SERVERLESS, attrs);
  }

  public readonly deliveryStreamArn: string;
  public readonly deliveryStreamName: string;
  public readonly role: iam.IRole;
  public readonly alarms: DeliveryAlarms;
  public readonly errorLogGroup: logs.ILogGroup;
  public readonly transformFunction?: lambda.IFunction;
  /** The bucket of the S3 backup. */
  public readonly backupBucket: s3.IBucket;
  /** Security groups of Firehose's network interfaces, when it delivers into a VPC. */
  public readonly securityGroups?: ec2.ISecurityGroup[];
  private readonly resource: firehose.CfnDeliveryStream;

  constructor(scope: Construct, id: string, props: OpenSearchDeliveryProps) {
    const metricPrefix = props.target.isServerless ? DestinationMetricPrefix.OPENSEARCH_SERVERLESS : DestinationMetricPrefix.OPENSEARCH_SERVICE;
    super(scope, id, metricPrefix, props.deliveryStreamName);
    validateOpenSearchDeliveryProps(this, props);

    const f = this._foundation(props, `Firehose delivery ${this.node.path} into OpenSearch`, false);
    this.role = f.role;
    this.errorLogGroup = f.logging.logGroup;
    this.transformFunction = f.transform?.function;
    this.backupBucket = props.backupBucket ?? new DataLakeBucket(this, 'BackupBucket').bucket;

    let subnets: ec2.SelectedSubnets | undefined;
    if (props.vpc) {
      subnets = props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
      this.securityGroups = props.securityGroups ?? [this.createSecurityGroup(props.vpc)];
      this.useConnections(new ec2.Connections({ securityGroups: this.securityGroups }));
      f.permissions.add(new iam.PolicyStatement({
        actions: ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeNetworkInterfaces',
          'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'],
        resources: ['*'],
      }));
      if (this.role instanceof Construct) {
        acknowledgeFinding(this.role, NagRules.IAM_WILDCARD,
          'Firehose creates and deletes its network interfaces in the delivery subnets; the EC2 Describe actions support no resource-level permissions and the network-interface ARNs do not exist before Firehose creates them (Firehose VPC delivery documentation)',
          'Resource::*');
      }
    }
    const bound = props.target._bind(this, {
      permissions: f.permissions, indexName: props.indexName, vpc: props.vpc, subnets, securityGroups: this.securityGroups,
    });

    const intervalSeconds = secondsOf(props.bufferingInterval) ?? L.DEFAULT_BUFFER_INTERVAL_SECONDS;
    const sizeMb = mebibytesOf(props.bufferingSize) ?? L.DEFAULT_BUFFER_MIB;
    const backupAll = props.backupMode === firehose.BackupMode.ALL;
    const s3Configuration = renderS3Configuration(f.permissions, {
      bucket: this.backupBucket,
      prefix: props.backupPrefix ?? 'opensearch-backup/',
      errorOutputPrefix: props.errorOutputPrefix ?? DEFAULT_ERROR_PREFIX,
      compression: firehose.Compression.GZIP.value,
      logging: f.logging.options(ErrorLogStream.BACKUP),
    });
    const common = {
      indexName: props.indexName,
      roleArn: this.role.roleArn,
      bufferingHints: { intervalInSeconds: intervalSeconds, sizeInMBs: sizeMb },
      retryOptions: { durationInSeconds: secondsOf(props.retryDuration) ?? L.OPENSEARCH_DEFAULT_RETRY_SECONDS },
      s3BackupMode: backupAll ? 'AllDocuments' : 'FailedDocumentsOnly',
      s3Configuration,
      processingConfiguration: renderProcessing(f.permissions, { transform: f.transform }),
      cloudWatchLoggingOptions: f.logging.options(ErrorLogStream.DESTINATION),
      vpcConfiguration: subnets && this.securityGroups ? {
        roleArn: this.role.roleArn,
        subnetIds: subnets.subnetIds,
        securityGroupIds: this.securityGroups.map((sg) => sg.securityGroupId),
      } : undefined,
    };
    this.resource = new firehose.CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: f.source.deliveryStreamType,
      kinesisStreamSourceConfiguration: f.source.kinesisStreamSourceConfiguration,
      amazonopensearchserviceDestinationConfiguration: bound.serverless ? undefined : {
        ...common,
        domainArn: bound.domainArn,
        indexRotationPeriod: props.indexRotation ?? OpenSearchIndexRotation.ONE_DAY,
        documentIdOptions: { defaultDocumentIdFormat: props.documentId ?? OpenSearchDocumentId.FIREHOSE_DEFAULT },
      },
      amazonOpenSearchServerlessDestinationConfiguration: bound.serverless ? { ...common, collectionEndpoint: bound.collectionEndpoint } : undefined,
    });
    this.deliveryStreamArn = this.resource.attrArn;
    this.deliveryStreamName = this.resource.ref;
    const expected = intervalSeconds + (f.transform?.bufferIntervalSeconds ?? 0);
    for (const dependable of bound.dependables) this.resource.node.addDependency(dependable);
    this.alarms = this._finish(this.resource, f, Duration.seconds(expected), props.alarms);
  }

  /** Applies the removal policy to the delivery stream (the data lives in OpenSearch and the backup bucket). */
  public applyRemovalPolicy(policy: RemovalPolicy): void {
    this.resource.applyRemovalPolicy(policy);
  }

  private createSecurityGroup(vpc: ec2.IVpc): ec2.ISecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Network interfaces of Firehose delivery ${this.node.path}`,
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS to OpenSearch in the VPC');
    return sg;
  }
}
