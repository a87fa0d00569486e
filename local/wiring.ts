/**
 * The data path of a stack, read from its template: streams, consumers, functions and their event source mappings,
 * tables, Firehose deliveries, the Flink application, IoT rules and buckets. Strict: a resource type the runner does not
 * know, a property of a wired resource it does not understand or an intrinsic it cannot resolve is an error.
 */
import { Assembly, CfnResource, LOCAL_ACCOUNT, LOCAL_REGION } from './assembly';

/** Types that carry no data on the path the runner emulates (permissions, keys, logs, alarms, deployment plumbing). */
const NOT_ON_THE_DATA_PATH = new Set([
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::Logs::LogGroup', 'AWS::Logs::LogStream', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm',
  'AWS::CloudWatch::Dashboard', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::S3::BucketPolicy',
  'AWS::Lambda::Permission', 'AWS::Lambda::EventInvokeConfig', 'AWS::Events::Rule',
  'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Deployment', 'AWS::ApiGateway::Stage', 'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method', 'AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator', 'AWS::ApiGateway::Account',
  'AWS::WAFv2::WebACL', 'AWS::WAFv2::LoggingConfiguration', 'AWS::WAFv2::WebACLAssociation',
  'AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', 'AWS::SecretsManager::Secret',
  'AWS::RedshiftServerless::Namespace', 'AWS::RedshiftServerless::Workgroup', 'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress', 'AWS::OpenSearchServerless::Collection', 'AWS::OpenSearchServerless::SecurityPolicy',
  'AWS::OpenSearchServerless::AccessPolicy', 'AWS::OpenSearchService::Domain', 'AWS::CDK::Metadata',
  'Custom::S3AutoDeleteObjects', 'Custom::FlinkApplicationStart', 'Custom::AWSCDKOpenIdConnectProvider',
  // the network of the Redshift workgroup, and the query side of the lake (Athena reads what the deliveries wrote)
  'AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::InternetGateway', 'AWS::EC2::VPCGatewayAttachment', 'AWS::Glue::Database', 'AWS::Glue::Table',
  'AWS::Athena::WorkGroup', 'AWS::Athena::NamedQuery',
]);

export interface StreamSpec { readonly logicalId: string; readonly name: string; readonly arn: string; readonly shardCount: number }
export interface ConsumerSpec { readonly logicalId: string; readonly streamArn: string; readonly arn: string }
export interface FunctionSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly codePath: string;
  readonly environment: Record<string, string>;
}
export interface MappingSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly streamArn: string;
  readonly viaConsumer: boolean;
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly reportBatchItemFailures: boolean;
  readonly bisectOnError: boolean;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  readonly onFailureBucket?: string;
}
export interface TableSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly attributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  readonly keySchema: Array<{ AttributeName: string; KeyType: string }>;
  readonly globalSecondaryIndexes: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: string }>;
    Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  }>;
  readonly ttlAttribute?: string;
}
export type FirehoseProcessor =
  | { readonly type: 'AppendDelimiterToRecord' }
  | { readonly type: 'MetadataExtraction'; readonly query: string }
  | { readonly type: 'Lambda'; readonly functionArn: string };
export interface DeliverySpec {
  readonly logicalId: string;
  readonly name: string;
  readonly sourceStreamArn: string;
  readonly bucket: string;
  /**
   * `s3`; `redshift` (the stand-in writes the intermediate S3 objects; the COPY is not emulated); `opensearch` (documents
   * are counted, not indexed: no OpenSearch here; the S3 configuration only receives failed documents, none locally).
   */
  readonly destination: 's3' | 'redshift' | 'opensearch';
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly compression: 'GZIP' | 'UNCOMPRESSED';
  readonly bufferSeconds: number;
  readonly bufferMb: number;
  readonly dynamicPartitioning: boolean;
  readonly processors: FirehoseProcessor[];
}
export interface FlinkSpec {
  readonly logicalId: string;
  readonly jarPath: string;
  readonly propertyGroups: Record<string, Record<string,
    string>>;
  readonly parallelism: number;
}
export interface TopicRuleSpec { readonly logicalId: string; readonly sql: string; readonly streamName: string; readonly partitionKey: string }

export interface Wiring {
  readonly streams: StreamSpec[];
  readonly consumers: ConsumerSpec[];
  readonly functions: FunctionSpec[];
  readonly mappings: MappingSpec[];
  readonly tables: TableSpec[];
  readonly deliveries: DeliverySpec[];
  readonly flink: FlinkSpec[];
  readonly topicRules: TopicRuleSpec[];
  readonly buckets: string[];
  /** Types present but not on the emulated path, with their counts (printed, so that nothing is skipped silently). */
  readonly notEmulated: Record<string, number>;
}

/** The local physical name of a resource: its logical id, lower-cased for buckets (S3 names are lower case). */
function physicalName(logicalId: string, type: string): string {
  return type === 'AWS::S3::Bucket' ? `local-${logicalId.toLowerCase()}` : logicalId;
}

function arnOf(logicalId: string, r: CfnResource): string {
  const name = physicalName(logicalId, r.Type);
  switch (r.Type) {
    case 'AWS::Kinesis::Stream': return `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${name}`;
    case 'AWS::S3::Bucket': return `arn:aws:s3:::${name}`;
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
    case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
    case 'AWS::KinesisFirehose::DeliveryStream': return `arn:aws:firehose:${LOCAL_REGION}:${LOCAL_ACCOUNT}:deliverystream/${name}`;
    case 'AWS::SNS::Topic': return `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`;
    case 'AWS::KMS::Key': return `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT}:key/${name}`;
    case 'AWS::IAM::Role': return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;
    case 'AWS::Logs::LogGroup': return `arn:aws:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:log-group:${name}:*`;
    default: throw new Error(`Fn::GetAtt ${logicalId}.Arn: no local ARN for ${r.Type}`);
  }
}

/** Resolves intrinsic functions to local values. */
export class Resolver {
  constructor(private readonly resources: Readonly<Record<string, CfnResource>>, private readonly stackName: string) {}

  public resolve(v: unknown, where: string): unknown {
    if (Array.isArray(v)) return v.map((x, i) => this.resolve(x, `${where}[${i}]`));
    if (typeof v !== 'object' || v === null) return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return this.intrinsic(keys[0], (v as Record<string,
        unknown>)[keys[0]], where);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x, `${where}.${k}`)]));
  }

  public str(v: unknown, where: string): string {
    const r = this.resolve(v, where);
    if (typeof r !== 'string' && typeof r !== 'number') throw new Error(`${where}: expected a string, got ${JSON.stringify(r)}`);
    return String(r);
  }

  private ref(name: string, where: string): string {
    switch (name) {
      case 'AWS::Region': return LOCAL_REGION;
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      default: {
        const r = this.resources[name];
        if (!r) throw new Error(`${where}: Ref to unknown ${name}`);
        return physicalName(name, r.Type);
      }
    }
  }

  private getAtt(logicalId: string, attr: string, where: string): string {
    const r = this.resources[logicalId];
    if (!r) throw new Error(`${where}: Fn::GetAtt of unknown ${logicalId}`);
    if (attr === 'Arn') return arnOf(logicalId, r);
    if (r.Type === 'AWS::Kinesis::StreamConsumer' && (attr === 'ConsumerARN' || attr === 'ConsumerName')) {
      const streamArn = this.str(r.Properties?.StreamARN, `${logicalId}.StreamARN`);
      return attr === 'ConsumerName' ? logicalId : `${streamArn}/consumer/${logicalId}:0`;
    }
    if (r.Type === 'AWS::OpenSearchServerless::Collection' && attr === 'CollectionEndpoint') return `https://${logicalId.toLowerCase()}.aoss.local`;
    if (r.Type === 'AWS::OpenSearchService::Domain' && (attr === 'DomainEndpoint' || attr === 'DomainArn')) return attr === 'DomainArn' ? `arn:aws:es:${LOCAL_REGION}:${LOCAL_ACCOUNT}:domain/${logicalId.toLowerCase()}` : `${logicalId.toLowerCase()}.es.local`;
    if (r.Type === 'AWS::DynamoDB::Table' && attr === 'StreamArn') return `${arnOf(logicalId, r)}/stream/local`;
    throw new Error(`${where}: Fn::GetAtt ${logicalId}.${attr} (${r.Type}) not understood`);
  }

  private intrinsic(fn: string, arg: unknown, where: string): unknown {
    switch (fn) {
      case 'Ref': return this.ref(arg as string, where);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg as string[] : String(arg).split('.');
        return this.getAtt(id, attr, where);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return (this.resolve(parts, where) as unknown[]).map((p) => String(p)).join(sep);
      }
      case 'Fn::Select': {
        const [i, list] = arg as [number, unknown];
        return (this.resolve(list, where) as unknown[])[Number(i)];
      }
      case 'Fn::Split': {
        const [sep, s] = arg as [string, unknown];
        return this.str(s, where).split(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg as [string, Record<string, unknown>] : [arg as string, {}];
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
          if (name in vars) return this.str(vars[name], where);
          const [id, attr] = name.split('.');
          return attr ? this.getAtt(id, attr, where) : this.ref(id, where);
        });
      }
      default: throw new Error(`${where}: intrinsic ${fn} not understood`);
    }
  }
}

/** Fails on a property the runner does not know for a wired resource type. */
function checkKeys(where: string, props: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(props)) if (!known.includes(k)) throw new Error(`${where}: property ${k} not understood by the local runner`);
}

export function readWiring(asm: Assembly): Wiring {
  const rs = new Resolver(asm.resources, asm.stackName);
  const w: Wiring = {
    streams: [],
    consumers: [],
    functions: [],
    mappings: [],
    tables: [],
    deliveries: [],
    flink: [],
    topicRules: [],
    buckets: [],
    notEmulated: {},
  };
  for (const [id, r] of Object.entries(asm.resources)) {
    const p = r.Properties ?? {};
    const at = `${id} (${r.Type})`;
    switch (r.Type) {
      case 'AWS::Kinesis::Stream': {
        checkKeys(at, p, ['Name', 'RetentionPeriodHours', 'ShardCount', 'StreamEncryption', 'StreamModeDetails', 'Tags']);
        if (p.Name !== undefined) throw new Error(`${at}: an explicit Name is not supported locally`);
        const onDemand = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
        // on-demand streams start with 4 shards (Kinesis' initial on-demand capacity)
        w.streams.push({ logicalId: id, name: id, arn: arnOf(id, r), shardCount: onDemand ? 4 : Number(p.ShardCount ?? 1) });
        break;
      }
      case 'AWS::Kinesis::StreamConsumer':
        checkKeys(at, p, ['ConsumerName', 'StreamARN', 'Tags']);
        w.consumers.push({
          logicalId: id,
          streamArn: rs.str(p.StreamARN, `${at}.StreamARN`),
          arn: rs.str({ 'Fn::GetAtt': [id, 'ConsumerARN'] },
            at),
        });
        break;
      case 'AWS::Lambda::Function': {
        checkKeys(at, p, ['Architectures', 'Code', 'Description', 'Environment', 'Handler', 'LoggingConfig', 'MemorySize', 'Role',
          'Runtime', 'Timeout', 'TracingConfig', 'ReservedConcurrentExecutions', 'FunctionName', 'DeadLetterConfig', 'Tags', 'KmsKeyArn']);
        const code = p.Code as { S3Key?: unknown; ZipFile?: unknown };
        if (code.S3Key === undefined) throw new Error(`${at}: only file-asset code (Code.S3Key) is understood`);
        const env = ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
        w.functions.push({
          logicalId: id,
          name: id,
          arn: arnOf(id, r),
          handler: String(p.Handler),
          timeoutSeconds: Number(p.Timeout ?? 3),
          memoryMb: Number(p.MemorySize ?? 128),
          codePath: asm.assetPath(rs.str(code.S3Key, `${at}.Code.S3Key`)),
          environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, rs.str(v, `${at}.Environment.${k}`)])),
        });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        checkKeys(at, p, ['BatchSize', 'BisectBatchOnFunctionError', 'DestinationConfig', 'EventSourceArn', 'FunctionName', 'FunctionResponseTypes',
          'MaximumBatchingWindowInSeconds', 'MaximumRecordAgeInSeconds', 'MaximumRetryAttempts', 'ParallelizationFactor', 'StartingPosition', 'Enabled']);
        const source = rs.str(p.EventSourceArn, `${at}.EventSourceArn`);
        const consumer = /^(arn:aws:kinesis:[^:]+:\d+:stream\/[^/]+)\/consumer\//.exec(source);
        if (!source.startsWith('arn:aws:kinesis:')) throw new Error(`${at}: event source ${source} not understood (Kinesis only)`);
        const position = String(p.StartingPosition);
        if (position !== 'TRIM_HORIZON' && position !== 'LATEST') throw new Error(`${at}: StartingPosition ${position} not understood`);
        const responseTypes = (p.FunctionResponseTypes as string[] | undefined) ?? [];
        for (const t of responseTypes) if (t !== 'ReportBatchItemFailures') throw new Error(`${at}: FunctionResponseTypes ${t} not understood`);
        const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
        let onFailureBucket: string | undefined;
        if (onFailure !== undefined) {
          const dest = rs.str(onFailure, `${at}.DestinationConfig`);
          if (!dest.startsWith('arn:aws:s3:::')) throw new Error(`${at}: on-failure destination ${dest} not understood (S3 only)`);
          onFailureBucket = dest.slice('arn:aws:s3:::'.length);
        }
        if (p.Enabled === false) throw new Error(`${at}: a disabled mapping is not understood`);
        w.mappings.push({
          logicalId: id,
          functionName: rs.str(p.FunctionName, `${at}.FunctionName`),
          streamArn: consumer ? consumer[1] : source,
          viaConsumer: consumer !== null,
          batchSize: Number(p.BatchSize ?? 100),
          startingPosition: position,
          reportBatchItemFailures: responseTypes.length > 0,
          bisectOnError: p.BisectBatchOnFunctionError === true,
          maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? -1),
          maximumRecordAgeSeconds: Number(p.MaximumRecordAgeInSeconds ?? -1),
          maximumBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
          parallelizationFactor: Number(p.ParallelizationFactor ?? 1),
          onFailureBucket,
        });
        break;
      }
      case 'AWS::DynamoDB::Table': {
        checkKeys(at, p, ['AttributeDefinitions', 'BillingMode', 'DeletionProtectionEnabled', 'GlobalSecondaryIndexes', 'KeySchema',
          'PointInTimeRecoverySpecification', 'SSESpecification', 'TimeToLiveSpecification', 'Tags', 'ProvisionedThroughput']);
        const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
        w.tables.push({
          logicalId: id,
          name: id,
          attributeDefinitions: p.AttributeDefinitions as TableSpec['attributeDefinitions'],
          keySchema: p.KeySchema as TableSpec['keySchema'],
          globalSecondaryIndexes: (p.GlobalSecondaryIndexes as TableSpec['globalSecondaryIndexes'] | undefined) ?? [],
          ttlAttribute: ttl?.Enabled ? ttl.AttributeName : undefined,
        });
        break;
      }
      case 'AWS::KinesisFirehose::DeliveryStream':
        w.deliveries.push(readDelivery(id, p, rs, at));
        break;
      case 'AWS::KinesisAnalyticsV2::Application': {
        checkKeys(at, p, ['ApplicationConfiguration', 'ApplicationDescription', 'ApplicationName', 'RuntimeEnvironment', 'ServiceExecutionRole',
          'RunConfiguration', 'Tags', 'ApplicationMode']);
        const conf = p.ApplicationConfiguration as Record<string, any>;
        checkKeys(`${at}.ApplicationConfiguration`, conf, ['ApplicationCodeConfiguration', 'ApplicationSnapshotConfiguration',
          'EnvironmentProperties', 'FlinkApplicationConfiguration', 'ApplicationSystemRollbackConfiguration', 'VpcConfigurations']);
        if (conf.VpcConfigurations !== undefined) throw new Error(`${at}: VpcConfigurations not understood locally`);
        const fileKey = rs.str(conf.ApplicationCodeConfiguration?.CodeContent?.S3ContentLocation?.FileKey, `${at}.FileKey`);
        const groups: Record<string, Record<string, string>> = {};
        for (const g of (conf.EnvironmentProperties?.PropertyGroups ?? []) as Array<{
          PropertyGroupId: string;
          PropertyMap: Record<string,
            unknown>;
        }>) {
          groups[g.PropertyGroupId] = Object.fromEntries(Object.entries(g.PropertyMap).map(([k, v]) => [k, rs.str(v,
            `${at}.${g.PropertyGroupId}.${k}`)]));
        }
        const par = conf.FlinkApplicationConfiguration?.ParallelismConfiguration;
        w.flink.push({ logicalId: id, jarPath: asm.assetPath(fileKey), propertyGroups: groups, parallelism: Number(par?.Parallelism ?? 1) });
        break;
      }
      case 'AWS::IoT::TopicRule': {
        checkKeys(at, p, ['RuleName', 'TopicRulePayload', 'Tags']);
        const payload = p.TopicRulePayload as Record<string, any>;
        if (payload.RuleDisabled === true) throw new Error(`${at}: a disabled rule is not understood`);
        const actions = payload.Actions as Array<Record<string, any>>;
        if (actions.length !== 1 || !actions[0].Kinesis) throw new Error(`${at}: only one Kinesis action is understood`);
        w.topicRules.push({
          logicalId: id,
          sql: String(payload.Sql),
          streamName: rs.str(actions[0].Kinesis.StreamName, at),
          partitionKey: String(actions[0].Kinesis.PartitionKey ?? '${newuuid()}'),
        });
        break;
      }
      case 'AWS::S3::Bucket':
        w.buckets.push(physicalName(id, r.Type));
        break;
      default:
        if (!NOT_ON_THE_DATA_PATH.has(r.Type)) throw new Error(`${at}: resource type not understood by the local runner`);
        (w.notEmulated as Record<string, number>)[r.Type] = ((w.notEmulated as Record<string, number>)[r.Type] ?? 0) + 1;
    }
  }
  return w;
}

function readDelivery(id: string, p: Record<string, unknown>, rs: Resolver, at: string): DeliverySpec {
  checkKeys(at, p, ['DeliveryStreamType', 'DeliveryStreamName', 'ExtendedS3DestinationConfiguration', 'RedshiftDestinationConfiguration',
    'KinesisStreamSourceConfiguration', 'DeliveryStreamEncryptionConfigurationInput', 'Tags', 'AmazonOpenSearchServerlessDestinationConfiguration', 'AmazonopensearchserviceDestinationConfiguration']);
  if (p.DeliveryStreamType !== 'KinesisStreamAsSource') throw new Error(`${at}: DeliveryStreamType ${String(p.DeliveryStreamType)} not understood`);
  const source = rs.str((p.KinesisStreamSourceConfiguration as Record<string, unknown>).KinesisStreamARN, `${at}.KinesisStreamARN`);
  let s3: Record<string, any>;
  let destination: DeliverySpec['destination'];
  let processing: Record<string, any> | undefined;
  if (p.ExtendedS3DestinationConfiguration) {
    s3 = p.ExtendedS3DestinationConfiguration as Record<string, any>;
    checkKeys(`${at}.ExtendedS3DestinationConfiguration`, s3, ['BucketARN', 'BufferingHints', 'CloudWatchLoggingOptions', 'CompressionFormat',
      'DynamicPartitioningConfiguration', 'EncryptionConfiguration', 'ErrorOutputPrefix', 'Prefix', 'ProcessingConfiguration', 'RoleARN', 'S3BackupMode']);
    if (s3.S3BackupMode === 'Enabled') throw new Error(`${at}: S3 backup not understood locally`);
    destination = 's3';
    processing = s3.ProcessingConfiguration;
  } else if (p.RedshiftDestinationConfiguration) {
    const rd = p.RedshiftDestinationConfiguration as Record<string, any>;
    checkKeys(`${at}.RedshiftDestinationConfiguration`, rd, ['ClusterJDBCURL', 'CopyCommand', 'Username', 'Password',
      'SecretsManagerConfiguration', 'RoleARN',
      'S3Configuration', 'CloudWatchLoggingOptions', 'ProcessingConfiguration', 'RetryOptions', 'S3BackupMode']);
    if (rd.S3BackupMode === 'Enabled') throw new Error(`${at}: S3 backup not understood locally`);
    s3 = rd.S3Configuration;
    checkKeys(`${at}.S3Configuration`, s3, ['BucketARN', 'BufferingHints', 'CloudWatchLoggingOptions', 'CompressionFormat',
      'EncryptionConfiguration', 'ErrorOutputPrefix', 'Prefix', 'RoleARN']);
    destination = 'redshift';
    processing = rd.ProcessingConfiguration;
  } else if (p.AmazonOpenSearchServerlessDestinationConfiguration || p.AmazonopensearchserviceDestinationConfiguration) {
    const os = (p.AmazonOpenSearchServerlessDestinationConfiguration ?? p.AmazonopensearchserviceDestinationConfiguration) as Record<string, any>;
    checkKeys(`${at}.OpenSearch`, os, ['BufferingHints', 'CloudWatchLoggingOptions', 'CollectionEndpoint', 'DomainARN', 'ClusterEndpoint',
      'IndexName',
      'IndexRotationPeriod', 'TypeName', 'RetryOptions', 'RoleARN', 'S3BackupMode', 'S3Configuration', 'ProcessingConfiguration', 'VpcConfiguration', 'DocumentIdOptions']);
    if (os.VpcConfiguration !== undefined) throw new Error(`${at}: OpenSearch in a VPC not understood locally`);
    if (os.S3BackupMode !== undefined && os.S3BackupMode !== 'FailedDocumentsOnly') throw new Error(`${at}: S3BackupMode ${os.S3BackupMode} not understood locally`);
    s3 = { ...os.S3Configuration, BufferingHints: os.BufferingHints };
    checkKeys(`${at}.S3Configuration`, os.S3Configuration, ['BucketARN', 'BufferingHints', 'CloudWatchLoggingOptions', 'CompressionFormat',
      'EncryptionConfiguration', 'ErrorOutputPrefix', 'Prefix', 'RoleARN']);
    destination = 'opensearch';
    processing = os.ProcessingConfiguration;
  } else {
    throw new Error(`${at}: destination not understood locally (S3, Redshift and OpenSearch only)`);
  }
  const compression = String(s3.CompressionFormat ?? 'UNCOMPRESSED');
  if (compression !== 'GZIP' && compression !== 'UNCOMPRESSED') throw new Error(`${at}: CompressionFormat ${compression} not understood`);
  const processors: FirehoseProcessor[] = [];
  if (processing?.Enabled) {
    for (const pr of processing.Processors as Array<{ Type: string; Parameters?: Array<{ ParameterName: string; ParameterValue: unknown }> }>) {
      const param = (name: string) => pr.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;
      const known = (names: string[]) => { for (const x of pr.Parameters ?? []) if (!names.includes(x.ParameterName)) throw new Error(`${at}: processor ${pr.Type} parameter ${x.ParameterName} not understood`); };
      if (pr.Type === 'AppendDelimiterToRecord') {
        known([]);
        processors.push({ type: 'AppendDelimiterToRecord' });
      } else if (pr.Type === 'MetadataExtraction') {
        known(['MetadataExtractionQuery', 'JsonParsingEngine']);
        processors.push({ type: 'MetadataExtraction', query: String(param('MetadataExtractionQuery')) });
      } else if (pr.Type === 'Lambda') {
        known(['LambdaArn', 'NumberOfRetries', 'BufferSizeInMBs', 'BufferIntervalInSeconds', 'RoleArn']);
        processors.push({ type: 'Lambda', functionArn: rs.str(param('LambdaArn'), `${at}.LambdaArn`) });
      } else {
        throw new Error(`${at}: processor ${pr.Type} not understood`);
      }
    }
  }
  const bucketArn = rs.str(s3.BucketARN, `${at}.BucketARN`);
  return {
    logicalId: id,
    name: id,
    sourceStreamArn: source,
    bucket: bucketArn.slice('arn:aws:s3:::'.length),
    destination,
    prefix: String(s3.Prefix ?? ''),
    errorOutputPrefix: String(s3.ErrorOutputPrefix ?? ''),
    compression,
    bufferSeconds: Number(s3.BufferingHints?.IntervalInSeconds ?? 300),
    bufferMb: Number(s3.BufferingHints?.SizeInMBs ?? 5),
    dynamicPartitioning: s3.DynamicPartitioningConfiguration?.Enabled === true,
    processors,
  };
}
