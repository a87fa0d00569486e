import { App, Duration, Size, Stack, aws_iam as iam, aws_kinesisfirehose as firehose, aws_lambda as lambda, aws_logs as logs, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, importedStream } from './fixtures';
import {
  DataLakeColumn, DataLakeColumnType, DataLakeFormat, DataLakeTimePartitioning, DeliverySource, DeliveryTransform, S3DataLakeDelivery,
  S3DataLakeDeliveryProps,
} from '../../lib/delivery';

const SCHEMA: DataLakeColumn[] = [
  { name: 'site', type: DataLakeColumnType.STRING, comment: 'Plant' },
  { name: 'sensor', type: DataLakeColumnType.STRING },
  { name: 'temperature', type: DataLakeColumnType.DOUBLE },
  { name: 'ingested_at', type: DataLakeColumnType.TIMESTAMP },
];
const HOURLY = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
const ERRORS = 'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';

function newStack(): Stack {
  return new Stack(new App(), 'Lake', { env: ENV });
}

function lake(props: S3DataLakeDeliveryProps = {}): { stack: Stack; delivery: S3DataLakeDelivery; template: Template } {
  const stack = newStack();
  const delivery = new S3DataLakeDelivery(stack, 'Readings', props);
  return { stack, delivery, template: Template.fromStack(stack) };
}

function destination(template: Template): Record<string, any> {
  const streams = template.findResources('AWS::KinesisFirehose::DeliveryStream');
  expect(Object.keys(streams)).toHaveLength(1);
  return Object.values(streams)[0].Properties.ExtendedS3DestinationConfiguration;
}

function policyStatements(template: Template, stack: Stack, role: iam.IRole): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [stack.resolve(role.roleName)] } });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('S3DataLakeDelivery', () => {
  test('defaults: direct PUT encrypted with a new rotating key, GZIP JSON newline-delimited, hourly partitions, an error prefix', () => {
    const { stack, delivery, template } = lake();
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReadingsKey'), 'Arn'] } },
      ExtendedS3DestinationConfiguration: {
        BucketARN: stack.resolve(delivery.bucket.bucketArn),
        Prefix: `data/${HOURLY}`,
        ErrorOutputPrefix: ERRORS,
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: stack.resolve(delivery.bucket.encryptionKey!.keyArn) } },
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: stack.resolve(delivery.errorLogGroup.logGroupName), LogStreamName: { Ref: Match.stringLikeRegexp('^ReadingsDestinationLogStream') } },
        S3BackupMode: 'Disabled',
        DataFormatConversionConfiguration: Match.absent(),
        DynamicPartitioningConfiguration: Match.absent(),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('buffered by the delivery stream Lake/Readings') });
    template.resourceCountIs('AWS::KMS::Key', 4); // server-side encryption, bucket, log group, alarm topic
    template.hasResourceProperties('AWS::Logs::LogStream', { LogStreamName: 'DestinationDelivery' });
    expect(delivery.dataLakeBucket).toBeDefined();
    expect(delivery.dataPrefix).toBe(`data/${HOURLY}`);
    expect(delivery.transformFunction).toBeUndefined();
  });

  test('the delivery stream is aws-cdk-lib\'s DeliveryStream, child Resource, and waits for its policy', () => {
    const { stack, delivery, template } = lake();
    expect(delivery.deliveryStream).toBeInstanceOf(firehose.DeliveryStream);
    expect(delivery.node.findChild('Resource')).toBe(delivery.deliveryStream);
    const [logicalId] = Object.keys(template.findResources('AWS::KinesisFirehose::DeliveryStream'));
    const policyId = stack.getLogicalId(delivery.role.node.findChild('Policy').node.defaultChild as any);
    expect(template.toJSON().Resources[logicalId].DependsOn).toContain(policyId);
  });

  test('error logging: an encrypted log group with one-year retention and a stream for delivery errors', () => {
    const { template } = lake();
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Logs::LogStream', { LogStreamName: 'DestinationDelivery' });
  });

  test('the role trusts Firehose for this account only; its only policy is customer-managed and never deletes objects', () => {
    const { stack, delivery, template } = lake();
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Condition: { StringEquals: { 'sts:ExternalId': ENV.account } } }],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const statements = policyStatements(template, stack, delivery.role);
    const bucketArn = stack.resolve(delivery.bucket.bucketArn);
    // the whole policy, in any order: an added statement fails the test
    const byJson = (list: any[]) => list.slice().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(byJson(statements)).toEqual(byJson([
      { Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Effect: 'Allow', Resource: bucketArn },
      {
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Effect: 'Allow',
        // The static part of each prefix: data/year=..., errors/...
        Resource: [{ 'Fn::Join': ['', [bucketArn, '/data/year=*']] }, { 'Fn::Join': ['', [bucketArn, '/errors/*']] }],
      },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: stack.resolve(delivery.bucket.encryptionKey!.keyArn),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }] },
        },
      },
      {
        Action: 'logs:PutLogEvents',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:',
            stack.resolve(delivery.errorLogGroup.logGroupName), ':log-stream:', { Ref: expect.stringMatching(/^ReadingsDestinationLogStream/) }]],
        },
      },
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/Delete|s3:\*|"\*"/);
  });

  test('reads a Kinesis stream: no server-side encryption, read access to the stream and its key, lag alarm instead of quota alarms', () => {
    const stack = newStack();
    const stream = importedStream(stack);
    const delivery = new S3DataLakeDelivery(stack, 'Readings', { source: DeliverySource.fromStream(stream) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: stream.streamArn, RoleARN: stack.resolve(delivery.role.roleArn) },
      DeliveryStreamEncryptionConfigurationInput: Match.absent(),
    });
    const statements = policyStatements(template, stack, delivery.role);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']), Resource: stream.streamArn }),
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: stream.encryptionKey!.keyArn }),
    ]));
    expect(delivery.alarms.alarms.map((a) => a.node.id)).toEqual(['DataFreshness', 'DeliverySuccess', 'SourceLag']);
    template.resourceCountIs('AWS::KMS::Key', 3); // bucket, log group, alarm topic: no key for server-side encryption
  });

  test('partitions by JSON fields: dynamic partitioning with JQ, keys before time, 128 MiB buffers by default', () => {
    const { template } = lake({ partitionKeys: ['site', 'sensorType'], timePartitioning: DataLakeTimePartitioning.DAY, bufferingInterval: Duration.seconds(60) });
    expect(destination(template)).toMatchObject({
      Prefix: 'data/site=!{partitionKeyFromQuery:site}/sensortype=!{partitionKeyFromQuery:sensorType}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 300 } },
      BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 128 },
      ProcessingConfiguration: {
        Enabled: true,
        Processors: [
          { Type: 'MetadataExtraction', Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{site:.site,sensorType:.sensorType}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] },
          { Type: 'AppendDelimiterToRecord', Parameters: [] },
        ],
      },
    });
  });

  test('time partitions to the year, a custom static prefix and error prefix, and a retry duration', () => {
    const { template } = lake({
      prefix: 'iot/readings/',
      timePartitioning: DataLakeTimePartitioning.YEAR,
      errorOutputPrefix: 'failed/!{firehose:error-output-type}/',
      partitionKeys: ['site'],
      retryDuration: Duration.minutes(30),
    });
    expect(destination(template)).toMatchObject({
      Prefix: 'iot/readings/site=!{partitionKeyFromQuery:site}/year=!{timestamp:yyyy}/',
      ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/',
      DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: { DurationInSeconds: 1800 } },
    });
  });

  test('Parquet: converted with the schema of a new Glue table; partition columns leave the data columns; Glue read access', () => {
    const { stack, delivery, template } = lake({ format: DataLakeFormat.PARQUET, schema: SCHEMA, partitionKeys: ['site'] });
    const table = delivery.glueTable!;
    expect(destination(template)).toMatchObject({
      CompressionFormat: 'UNCOMPRESSED',
      BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
      DataFormatConversionConfiguration: {
        Enabled: true,
        InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
        OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
        SchemaConfiguration: {
          CatalogId: ENV.account,
          Region: ENV.region,
          DatabaseName: stack.resolve(delivery.glueDatabaseName),
          TableName: stack.resolve(table.ref),
          VersionId: 'LATEST',
          RoleARN: stack.resolve(delivery.role.roleArn),
        },
      },
      ProcessingConfiguration: { Processors: [{ Type: 'MetadataExtraction' }] },
    });
    template.hasResourceProperties('AWS::Glue::Database', { CatalogId: ENV.account, DatabaseInput: { Name: Match.stringLikeRegexp('^[a-z0-9_]+$') } });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: stack.resolve(delivery.glueDatabaseName),
      TableInput: {
        TableType: 'EXTERNAL_TABLE',
        Parameters: {
          'classification': 'parquet',
          'parquet.compression': 'SNAPPY',
          'EXTERNAL': 'TRUE',
          // Partition projection: queryable as soon as data lands, the template being the delivery's prefix.
          'projection.enabled': 'true',
          'projection.site.type': 'injected',
          'projection.year.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.hour.range': '0,23',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', stack.resolve(delivery.bucket.bucketName), '/data/site=${site}/year=${year}/month=${month}/day=${day}/hour=${hour}/']],
          },
        },
        PartitionKeys: [
          { Name: 'site', Type: 'string', Comment: Match.stringLikeRegexp('^Dynamic partition \\(JSON field\\)') },
          { Name: 'year', Type: 'string' }, { Name: 'month', Type: 'string' }, { Name: 'day', Type: 'string' }, { Name: 'hour', Type: 'string' },
        ],
        StorageDescriptor: {
          Location: { 'Fn::Join': ['', ['s3://', stack.resolve(delivery.bucket.bucketName), '/data/']] },
          Columns: [{ Name: 'sensor', Type: 'string' }, { Name: 'temperature', Type: 'double' }, { Name: 'ingested_at', Type: 'timestamp' }],
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
    expect(policyStatements(template, stack, delivery.role)).toContainEqual(expect.objectContaining({
      Action: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
      Resource: expect.arrayContaining([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:us-east-1:123456789012:catalog']] }]),
    }));
  });

  test('JSON with a schema: a Glue table over the GZIP JSON, in an existing database', () => {
    const { template } = lake({ schema: SCHEMA, glueDatabaseName: 'lake', glueTableName: 'readings' });
    template.resourceCountIs('AWS::Glue::Database', 0);
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'lake',
      TableInput: {
        Name: 'readings',
        Parameters: { classification: 'json', compressionType: 'gzip', EXTERNAL: 'TRUE' },
        StorageDescriptor: {
          Columns: [{ Name: 'site', Type: 'string', Comment: 'Plant' }, { Name: 'sensor', Type: 'string' }, { Name: 'temperature', Type: 'double' }, { Name: 'ingested_at', Type: 'timestamp' }],
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        },
      },
    });
    expect(destination(template).DataFormatConversionConfiguration).toBeUndefined();
  });

  test('the library transform: a Lambda processor it may invoke, and the function (not a processor) ends records with a newline', () => {
    const transform = DeliveryTransform.jsonRecords({ bufferSize: Size.kibibytes(512), bufferInterval: Duration.seconds(30), retries: 2 });
    const { stack, delivery, template } = lake({ transform });
    const fn = delivery.transformFunction!;
    expect(destination(template).ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [{
        Type: 'Lambda',
        Parameters: [
          { ParameterName: 'LambdaArn', ParameterValue: stack.resolve(fn.functionArn) },
          { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.5' },
          { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '30' },
          { ParameterName: 'NumberOfRetries', ParameterValue: '2' },
          { ParameterName: 'RoleArn', ParameterValue: stack.resolve(delivery.role.roleArn) },
        ],
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ INGEST_TIMESTAMP_FIELD: 'ingested_at', MAX_RECORD_BYTES: '1024000', APPEND_NEWLINE: 'true' }) },
    });
    expect(policyStatements(template, stack, delivery.role)).toContainEqual({
      Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], Effect: 'Allow', Resource: stack.resolve(fn.functionArn),
    });
    expect(delivery.alarms.dataFreshnessThresholdSeconds).toBe(300 + 30 + 300);
  });

  test('with Parquet the library transform writes no newline', () => {
    const { template } = lake({ transform: DeliveryTransform.jsonRecords(), format: DataLakeFormat.PARQUET, schema: SCHEMA });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ APPEND_NEWLINE: 'false' }) } });
  });

  test('your own transform: invoked as given, and the delivery adds the newline delimiter', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Mine', 'arn:aws:lambda:us-east-1:123456789012:function:enrich');
    const delivery = new S3DataLakeDelivery(stack, 'Readings', { transform: DeliveryTransform.fromFunction(fn) });
    const template = Template.fromStack(stack);
    expect(destination(template).ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual(['Lambda', 'AppendDelimiterToRecord']);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(delivery.transformFunction).toBe(fn);
  });

  test('source backup: the records as received, to the data bucket under source/', () => {
    const { stack, delivery, template } = lake({ transform: DeliveryTransform.jsonRecords(), sourceBackup: true });
    expect(destination(template)).toMatchObject({
      S3BackupMode: 'Enabled',
      S3BackupConfiguration: {
        BucketARN: stack.resolve(delivery.bucket.bucketArn),
        Prefix: 'source/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        ErrorOutputPrefix: ERRORS,
        CompressionFormat: 'GZIP',
        CloudWatchLoggingOptions: { Enabled: true, LogStreamName: { Ref: expect.stringMatching(/^ReadingsBackupLogStream/) } },
      },
    });
  });

  test('your own bucket, role and log group', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'my-lake');
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
    const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Logs', 'shared-firehose-errors');
    const delivery = new S3DataLakeDelivery(stack, 'Readings', { bucket, role, errorLogGroup: logGroup });
    const template = Template.fromStack(stack);
    expect(delivery.dataLakeBucket).toBeUndefined();
    expect(delivery.role).toBe(role);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    // In a shared log group the stream names are generated, so two deliveries cannot collide.
    template.hasResourceProperties('AWS::Logs::LogStream', { LogGroupName: 'shared-firehose-errors', LogStreamName: Match.absent() });
    expect(destination(template).BucketARN).toEqual(stack.resolve(bucket.bucketArn));
    expect(destination(template).EncryptionConfiguration).toBeUndefined();
  });

  test('grantPutRecords and grant give firehose actions on this delivery stream only', () => {
    const stack = newStack();
    const delivery = new S3DataLakeDelivery(stack, 'Readings');
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    delivery.grantPutRecords(producer);
    delivery.grant(producer, 'firehose:DescribeDeliveryStream');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(producer.roleName)],
      PolicyDocument: {
        Statement: [
          { Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Effect: 'Allow', Resource: stack.resolve(delivery.deliveryStreamArn) },
          { Action: 'firehose:DescribeDeliveryStream', Effect: 'Allow', Resource: stack.resolve(delivery.deliveryStreamArn) },
        ],
      },
    });
    expect(delivery.grantPrincipal).toBe(delivery.role);
  });

  test('metrics name the S3 delivery metrics of this stream, 5-minute periods', () => {
    const { stack, delivery } = lake();
    const name = stack.resolve(delivery.deliveryStreamName);
    const cases: [ReturnType<S3DataLakeDelivery['metric']>, string, string][] = [
      [delivery.metricDataFreshness(), 'DeliveryToS3.DataFreshness', 'Maximum'],
      [delivery.metricDeliverySuccess(), 'DeliveryToS3.Success', 'Average'],
      [delivery.metricDeliveryBytes(), 'DeliveryToS3.Bytes', 'Sum'],
      [delivery.metricDeliveryRecords(), 'DeliveryToS3.Records', 'Sum'],
      [delivery.metricIncomingBytes(), 'IncomingBytes', 'Sum'],
      [delivery.metricIncomingRecords(), 'IncomingRecords', 'Sum'],
      [delivery.metricIncomingPutRequests(), 'IncomingPutRequests', 'Sum'],
      [delivery.metricThrottledRecords(), 'ThrottledRecords', 'Sum'],
      [delivery.metricBytesPerSecondLimit(), 'BytesPerSecondLimit', 'Minimum'],
      [delivery.metricRecordsPerSecondLimit(), 'RecordsPerSecondLimit', 'Minimum'],
      [delivery.metricPutRequestsPerSecondLimit(), 'PutRequestsPerSecondLimit', 'Minimum'],
      [delivery.metricKinesisMillisBehindLatest(), 'KinesisMillisBehindLatest', 'Maximum'],
      [delivery.metricBackupToS3DataFreshness(), 'BackupToS3.DataFreshness', 'Average'],
      [delivery.metricBackupToS3Bytes(), 'BackupToS3.Bytes', 'Sum'],
      [delivery.metricBackupToS3Records(), 'BackupToS3.Records', 'Sum'],
      [delivery.metricTransformSuccess(), 'ExecuteProcessing.Success', 'Average'],
      [delivery.metric('PartitionCount', { statistic: 'Maximum' }), 'PartitionCount', 'Maximum'],
    ];
    for (const [metric, metricName, statistic] of cases) {
      const seen = {
        ns: metric.namespace,
        metricName: metric.metricName,
        statistic: metric.statistic,
        period: metric.period.toSeconds(),
        dims: stack.resolve(metric.dimensions),
      };
      expect(seen).toEqual({ ns: 'AWS/Firehose', metricName, statistic, period: 300, dims: { DeliveryStreamName: name } });
    }
  });

  test('imports an existing delivery stream by ARN: name, metrics, grants', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'FirehoseRole', 'arn:aws:iam::123456789012:role/firehose');
    const existing = S3DataLakeDelivery.fromDeliveryStreamAttributes(stack, 'Existing', {
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/legacy-lake', role,
    });
    expect(existing.deliveryStreamName).toBe('legacy-lake');
    expect(existing.metricDataFreshness().metricName).toBe('DeliveryToS3.DataFreshness');
    expect(existing.grantPrincipal).toBe(role);
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
    existing.grantPutRecords(producer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Resource: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/legacy-lake' }] },
    });
    expect(() => S3DataLakeDelivery.fromDeliveryStreamAttributes(stack, 'Bad', { deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream' }))
      .toThrow(/deliveryStreamArn must be a delivery stream ARN/);
  });

  test('snapshot: defaults', () => {
    const { template } = lake();
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('snapshot: everything on', () => {
    const stack = newStack();
    new S3DataLakeDelivery(stack, 'Readings', {
      source: DeliverySource.fromStream(importedStream(stack)),
      deliveryStreamName: 'readings-lake',
      partitionKeys: ['site'],
      format: DataLakeFormat.PARQUET,
      schema: SCHEMA,
      transform: DeliveryTransform.jsonRecords({ reservedConcurrentExecutions: 10 }),
      sourceBackup: true,
      bufferingInterval: Duration.seconds(120),
      bufferingSize: Size.mebibytes(64),
      alarms: { alarmNamePrefix: 'readings-lake' },
    });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  describe('throws when', () => {
    const cases: [string, S3DataLakeDeliveryProps, RegExp][] = [
      ['the buffering interval is above 900 s', { bufferingInterval: Duration.seconds(901) }, /Readings": bufferingInterval must be a whole number of seconds from 0 to 900, got 901/],
      ['the buffering interval is not whole seconds', { bufferingInterval: Duration.millis(1500) }, /bufferingInterval must be a whole number of seconds from 0 to 900, got 1.5/],
      ['the buffering size is above 128 MiB', { bufferingSize: Size.mebibytes(129) }, /bufferingSize must be a whole number of MiB from 1 to 128, got 129/],
      ['the buffering size is below 1 MiB', { bufferingSize: Size.kibibytes(512) }, /bufferingSize must be a whole number of MiB from 1 to 128, got 0.5/],
      ['zero buffering is asked with dynamic partitioning', { partitionKeys: ['site'], bufferingInterval: Duration.seconds(0) },
        /bufferingInterval must be a whole number of seconds from 60 to 900 with dynamic partitioning \(zero buffering is not allowed there\), got 0/],
      ['dynamic partitioning gets buffers under 64 MiB', { partitionKeys: ['site'], bufferingSize: Size.mebibytes(32) },
        /bufferingSize must be a whole number of MiB from 64 to 128 with dynamic partitioning, got 32/],
      ['Parquet conversion gets buffers under 64 MiB', { format: DataLakeFormat.PARQUET, schema: SCHEMA, bufferingSize: Size.mebibytes(63) },
        /bufferingSize must be a whole number of MiB from 64 to 128 with Parquet conversion, got 63/],
      ['Parquet has no schema', { format: DataLakeFormat.PARQUET }, /format PARQUET needs a schema/],
      ['Parquet gets a compression', { format: DataLakeFormat.PARQUET, schema: SCHEMA, compression: firehose.Compression.GZIP },
        /compression must not be set with format PARQUET .*, got GZIP/],
      ['a partition key is not in the schema', { schema: SCHEMA, partitionKeys: ['plant'] },
        /partitionKeys must be columns of the schema \(site, sensor, temperature, ingested_at\), got "plant"/],
      ['a partition key is a time partition name', { partitionKeys: ['Year'] }, /partitionKeys must not be a time partition name \(year, month, day, hour\), got "Year"/],
      ['a partition key is not a field name', { partitionKeys: ['site-id'] }, /partitionKeys must be top-level JSON field names .*, got "site-id"/],
      ['partition keys repeat', { partitionKeys: ['site', 'SITE'] }, /partitionKeys must be unique \(ignoring case\), got "SITE"/],
      ['a schema column is not lowercase', { schema: [{ name: 'siteId', type: DataLakeColumnType.STRING }] }, /schema column names must be lowercase identifiers .*, got "siteId"/],
      ['schema columns repeat', { schema: [{ name: 'a', type: DataLakeColumnType.STRING }, { name: 'a', type: DataLakeColumnType.INT }] }, /schema column names must be unique, got "a"/],
      ['the schema is empty', { schema: [] }, /schema must declare at least one column, got \[\]/],
      ['the prefix has an expression', { prefix: 'data/!{timestamp:yyyy}/' }, /prefix must be a static prefix/],
      ['the prefix does not end with a slash', { prefix: 'data' }, /prefix must not start with "\/" and must end with "\/", got "data"/],
      ['the error prefix has expressions but no error-output-type', { errorOutputPrefix: 'errors/!{timestamp:yyyy}/' },
        /errorOutputPrefix must include !\{firehose:error-output-type\} when it uses expressions/],
      ['the error prefix uses a partition key', { errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{partitionKeyFromQuery:site}/' },
        /errorOutputPrefix must not use partition keys/],
      ['the error prefix uses an unknown namespace', { errorOutputPrefix: 'errors/!{random:x}/' }, /errorOutputPrefix must use expressions of the form/],
      ['a retry duration is set without dynamic partitioning', { retryDuration: Duration.minutes(5) }, /retryDuration applies to dynamic partitioning only/],
      ['the retry duration is above 7,200 s', { partitionKeys: ['site'], retryDuration: Duration.seconds(7201) },
        /retryDuration must be a whole number of seconds from 0 to 7200, got 7201/],
      ['source backup has nothing to differ from', { sourceBackup: true }, /sourceBackup needs a transform or format PARQUET/],
      ['a source backup bucket is given without source backup', { sourceBackupPrefix: 'raw/' }, /sourceBackupBucket and sourceBackupPrefix need sourceBackup: true/],
      ['the source backup prefix uses a partition key', { sourceBackup: true, transform: DeliveryTransform.jsonRecords(), sourceBackupPrefix: 'raw/!{partitionKeyFromQuery:site}/' },
        /sourceBackupPrefix must use only !\{timestamp:...\} and !\{firehose:...\} expressions/],
      ['a Glue name is given without a schema', { glueTableName: 'readings' }, /glueDatabaseName and glueTableName need a schema/],
      ['the Glue table name is not lowercase', { schema: SCHEMA, glueTableName: 'Readings' }, /glueTableName must be 1–255 characters of \[a-z0-9_\], got "Readings"/],
      ['the delivery stream name has a space', { deliveryStreamName: 'my lake' }, /deliveryStreamName must be 1–64 characters of \[a-zA-Z0-9_.-\], got "my lake"/],
      ['the transform buffer is above 3 MB', { transform: DeliveryTransform.jsonRecords({ bufferSize: Size.mebibytes(4) }) }, /transform.bufferSize must be from 0.2 to 3 MB, got "4096 KiB"/],
      ['the transform interval is above 900 s', { transform: DeliveryTransform.jsonRecords({ bufferInterval: Duration.seconds(901) }) },
        /transform.bufferInterval must be a whole number of seconds from 0 to 900, got 901/],
      ['the transform retries are negative', { transform: DeliveryTransform.jsonRecords({ retries: -1 }) }, /transform.retries must be a whole number ≥ 0, got -1/],
      ['the transform record limit is above 1,000 KiB', { transform: DeliveryTransform.jsonRecords({ maxRecordSize: Size.kibibytes(1001) }) },
        /transform.maxRecordSize must be a whole number of bytes from 1 KiB to 1,000 KiB, got "1025024 bytes"/],
      ['the ingest timestamp field is not an identifier', { transform: DeliveryTransform.jsonRecords({ ingestTimestampField: 'ingested-at' }) },
        /transform.ingestTimestampField must be an identifier .*, got "ingested-at"/],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => new S3DataLakeDelivery(newStack(), 'Readings', props)).toThrow(message);
    });

    test('the error names the construct kind and path', () => {
      expect(() => new S3DataLakeDelivery(newStack(), 'Readings', { bufferingSize: Size.mebibytes(200) }))
        .toThrow('S3DataLakeDelivery "Lake/Readings": bufferingSize must be a whole number of MiB from 1 to 128, got 200');
    });
  });
});
