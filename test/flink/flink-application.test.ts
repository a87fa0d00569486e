import * as path from 'node:path';
import {
  Duration, RemovalPolicy, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms,
  aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { app, minimalProps, newStack, propertyGroup, roleStatements, source, tmpFile } from './helpers';
import {
  FlinkApplication, FlinkCode, FlinkLogLevel, FlinkMetricsLevel, FlinkRuntime, SqlScript,
} from '../../lib/flink';
import { parseSqlStatements } from '../../lib/flink/private/job-properties';
import { SQL_RUNNER_JAR_PATH } from '../../lib/flink/private/paths';
import { CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU, DEFAULT_RECORDS_PER_SECOND_PER_KPU, IOT_RECORDS_PER_SECOND_PER_KPU } from '../../lib/flink/private/sizing';
import { NodeFunction } from '../../lib/private/node-function';
import { expectGatesPass, gatedApp } from '../support/gates';
import { roleStatements as allRoleStatements, sortedStatements } from '../support/iam';

const APP = 'AWS::KinesisAnalyticsV2::Application';

/** Every statement of the application role's policy that grants an action of `service` (all of them, for "only" claims). */
function statementsOf(template: Template, stack: Stack, application: FlinkApplication, service: string): any[] {
  return roleStatements(template, stack, application).filter((s) => [s.Action].flat().some((a: string) => a.startsWith(`${service}:`)));
}

function withApp(stack: Stack, extra: object): Stack {
  new FlinkApplication(stack, 'App', minimalProps(stack, extra));
  return stack;
}

describe('FlinkApplication', () => {
  describe('defaults', () => {
    test('runs on FLINK-1_19 with checkpointing explicitly on (CUSTOM, 60 s, 5 s pause), snapshots, 1 KPU with autoscaling', () => {
      const { template } = app();
      template.hasResourceProperties(APP, {
        RuntimeEnvironment: 'FLINK-1_19',
        ApplicationConfiguration: {
          ApplicationCodeConfiguration: { CodeContentType: 'ZIPFILE' },
          ApplicationSnapshotConfiguration: { SnapshotsEnabled: true },
          FlinkApplicationConfiguration: {
            CheckpointConfiguration: { ConfigurationType: 'CUSTOM', CheckpointingEnabled: true, CheckpointInterval: 60000, MinPauseBetweenCheckpoints: 5000 },
            ParallelismConfiguration: { ConfigurationType: 'CUSTOM', Parallelism: 1, ParallelismPerKPU: 1, AutoScalingEnabled: true },
            MonitoringConfiguration: { ConfigurationType: 'CUSTOM', LogLevel: 'INFO', MetricsLevel: 'APPLICATION' },
          },
        },
        RunConfiguration: {
          ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' },
          FlinkRunConfiguration: { AllowNonRestoredState: false },
        },
      });
      template.hasResource(APP, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('exposes parallelism, KPUs, runtime and the resources it created', () => {
      const { application } = app();
      expect(application.parallelism).toBe(1);
      expect(application.kpus).toBe(1);
      expect(application.runtime).toBe(FlinkRuntime.FLINK_1_19);
      expect(application.role).toBeDefined();
      expect(application.logGroup).toBeDefined();
      expect(application.securityGroups).toEqual([]);
      expect(application.alarms.alarms.length).toBe(8);
    });

    test('the default code is the SQL job jar that npm run flink:build puts in assets/flink/', () => {
      expect(path.relative(path.resolve(__dirname, '..', '..'), SQL_RUNNER_JAR_PATH)).toBe(path.join('assets', 'flink', 'kinesis-sql-job.jar'));
    });

    test('the SQL job jar ships as an S3 asset the role may read, object only', () => {
      const { stack, application, template } = app();
      const code = template.findResources(APP);
      const location = Object.values(code)[0].Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.S3ContentLocation;
      expect(location.FileKey).toMatch(/^[0-9a-f]{64}\.jar$/);
      // the role's only S3 statement
      expect(statementsOf(template, stack, application, 's3')).toEqual([{
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${location.FileKey}`]] },
      }]);
    });
  });

  describe('SQL and runtime properties', () => {
    test('writes each statement to SqlStatements as statement.000, statement.001, ...', () => {
      const { template } = app({ sqlStatements: ['CREATE TABLE a (x INT)', 'INSERT INTO b SELECT x FROM a'] });
      expect(propertyGroup(template, 'SqlStatements')).toEqual({
        'statement.000': 'CREATE TABLE a (x INT)',
        'statement.001': 'INSERT INTO b SELECT x FROM a',
      });
    });

    test('splits a statement longer than 2,048 characters into statement.NNN.part.K keys that re-assemble verbatim', () => {
      const long = `INSERT INTO sink SELECT ${Array.from({ length: 800 }, (_, i) => `c${i}`).join(', ')} FROM src`;
      expect(long.length).toBeGreaterThan(4096);
      const { template } = app({ sqlStatements: ['SET x = 1', long] });
      const map = propertyGroup(template, 'SqlStatements') as Record<string, string>;
      expect(Object.keys(map)).toEqual(['statement.000', 'statement.001', 'statement.001.part.1', 'statement.001.part.2']);
      for (const value of Object.values(map)) expect(value.length).toBeLessThanOrEqual(2048);
      expect(parseSqlStatements(map)).toEqual(['SET x = 1', long]);
    });

    test('fills SqlParameters with the source stream, its EFO consumer, the named sinks and the dead-letter stream', () => {
      const stack = newStack();
      const out = new kinesis.Stream(stack, 'Out');
      const anomalies = new kinesis.Stream(stack, 'Anomalies');
      const dlq = new kinesis.Stream(stack, 'Dlq');
      const delivery = firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Delivery', 'to-s3');
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, {
        kinesisSinks: { sink: out, anomalies },
        firehoseSinks: { archive: delivery },
        deadLetterStream: dlq,
        sqlParameters: { 'anomaly.sigma': '4.0' },
      }));
      const template = Template.fromStack(stack);
      expect(propertyGroup(template, 'SqlParameters')).toEqual({
        'source.stream.arn': stack.resolve(application.sourceStream.streamArn),
        'source.efo.consumer.arn': stack.resolve(application.sourceConsumer.streamConsumerArn),
        'source.efo.consumer.name': stack.resolve(application.sourceConsumer.streamConsumerName),
        'sink.stream.arn': stack.resolve(out.streamArn),
        'anomalies.stream.arn': stack.resolve(anomalies.streamArn),
        'archive.delivery.stream.name': 'to-s3',
        'dlq.stream.arn': stack.resolve(dlq.streamArn),
        'anomaly.sigma': '4.0',
      });
    });

    test('runs a script bundled in the job (sql.resource)', () => {
      const stack = newStack();
      const sink = new kinesis.Stream(stack, 'Out');
      const template = Template.fromStack(withApp(stack, { sqlStatements: undefined, sqlScript: SqlScript.IOT_ANOMALIES, kinesisSinks: { sink } }));
      expect(propertyGroup(template, 'SqlStatements')).toEqual({ 'sql.resource': 'sql/iot-anomalies.sql' });
      const stack2 = newStack();
      const sink2 = new kinesis.Stream(stack2, 'Out');
      const t2 = Template.fromStack(withApp(stack2, {
        sqlStatements: undefined, sqlScript: SqlScript.CLICKSTREAM_TOP_PRODUCTS, kinesisSinks: { sink: sink2 },
      }));
      expect(propertyGroup(t2, 'SqlStatements')).toEqual({ 'sql.resource': 'sql/clickstream-top-products.sql' });
    });

    test('runs a script from your bucket (sql.s3.uri) and may read that object only', () => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Scripts', 'my-scripts');
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { sqlStatements: undefined, sqlScript: SqlScript.fromBucket(bucket, 'jobs/etl.sql') }));
      const template = Template.fromStack(stack);
      expect(propertyGroup(template, 'SqlStatements')).toEqual({ 'sql.s3.uri': 's3://my-scripts/jobs/etl.sql' });
      // the script is the role's only S3 grant besides the job's own jar
      expect(statementsOf(template, stack, application, 's3').filter((st) => !/cdk-hnb659fds-assets/.test(JSON.stringify(st.Resource)))).toEqual([{
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-scripts/jobs/etl.sql']] },
      }]);
      expect(statementsOf(template, stack, application, 's3')).toHaveLength(2);
    });

    test('uploads a local script as an asset (sql.s3.uri)', () => {
      const { template } = app({ sqlStatements: undefined, sqlScript: SqlScript.fromAsset(tmpFile('job.sql', 'SELECT 1;')) });
      const uri = JSON.stringify(propertyGroup(template, 'SqlStatements'));
      expect(uri).toMatch(/sql\.s3\.uri.*s3:\/\/.*cdk-hnb659fds-assets.*[0-9a-f]{64}\.sql/);
    });

    test('adds your property groups beside its own', () => {
      const { template } = app({ propertyGroups: { Custom: { 'a.b': 'c' } } });
      expect(propertyGroup(template, 'Custom')).toEqual({ 'a.b': 'c' });
      expect(propertyGroup(template, 'SqlStatements')).toBeDefined();
    });
  });

  describe('source and sinks', () => {
    test('registers an EFO consumer of the source and reads through it only (no polling actions)', () => {
      const { stack, application, template } = app({ consumerName: 'flink-reader' });
      template.hasResourceProperties('AWS::Kinesis::StreamConsumer', {
        ConsumerName: 'flink-reader',
        StreamARN: stack.resolve(application.sourceStream.streamArn),
      });
      const statements = roleStatements(template, stack, application);
      // every Kinesis statement of the role
      expect(statementsOf(template, stack, application, 'kinesis')).toEqual([
        {
          Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
          Effect: 'Allow',
          Resource: stack.resolve(application.sourceStream.streamArn),
        },
        {
          Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
          Effect: 'Allow',
          Resource: stack.resolve(application.sourceConsumer.streamConsumerArn),
        },
      ]);
      const actions = statements.flatMap((s: any) => [s.Action].flat());
      expect(actions).not.toContain('kinesis:GetRecords');
      expect(actions).not.toContain('kinesis:GetShardIterator');
      expect(actions.filter((a: string) => a.startsWith('kinesis:Register') || a.startsWith('kinesis:Deregister'))).toEqual([]);
    });

    test('names the consumer it registers deterministically when consumerName is not given', () => {
      const { template } = app();
      template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { ConsumerName: Match.stringLikeRegexp('^SApp[A-Za-z0-9]+$') });
    });

    test('reads through your consumer and registers none', () => {
      const stack = newStack();
      const stream = kinesis.Stream.fromStreamArn(stack, 'Src', 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks');
      const consumer = kinesis.StreamConsumer.fromStreamConsumerArn(stack, 'C', 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks/consumer/mine:1700000000');
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { sourceStream: stream, sourceConsumer: consumer }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
      expect(application.sourceConsumer).toBe(consumer);
      expect(propertyGroup(template, 'SqlParameters')).toMatchObject({
        'source.efo.consumer.arn': 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks/consumer/mine:1700000000',
        'source.efo.consumer.name': 'mine',
      });
    });

    test('decrypts a KMS-encrypted source and encrypts into KMS-encrypted sinks', () => {
      const stack = newStack();
      const srcKey = new kms.Key(stack, 'SrcKey');
      const outKey = new kms.Key(stack, 'OutKey');
      const src = new kinesis.Stream(stack, 'Src', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: srcKey });
      const out = new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.KMS, encryptionKey: outKey });
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { sourceStream: src, kinesisSinks: { sink: out } }));
      const statements = roleStatements(Template.fromStack(stack), stack, application);
      expect(statements).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: stack.resolve(srcKey.keyArn) });
      expect(statements).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey*']), Resource: stack.resolve(outKey.keyArn),
      }));
      expect(statements).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']), Resource: stack.resolve(out.streamArn),
      }));
    });

    test('may put records into Firehose sinks and the dead-letter stream', () => {
      const stack = newStack();
      const delivery = firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Delivery', 'to-s3');
      const dlq = new kinesis.Stream(stack, 'Dlq');
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { firehoseSinks: { archive: delivery }, deadLetterStream: dlq }));
      const statements = roleStatements(Template.fromStack(stack), stack, application);
      expect(statements).toContainEqual(expect.objectContaining({
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: stack.resolve(delivery.deliveryStreamArn),
      }));
      expect(statements).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['kinesis:PutRecords']), Resource: stack.resolve(dlq.streamArn),
      }));
    });
  });

  describe('code and runtime', () => {
    test('runs your jar from your bucket at a pinned version, and may read that object only', () => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Jars', 'my-jars');
      const application = new FlinkApplication(stack, 'App', {
        sourceStream: source(stack), code: FlinkCode.fromBucket(bucket, 'app/job-1.0.jar', 'v42'), runtime: FlinkRuntime.FLINK_1_20,
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties(APP, {
        RuntimeEnvironment: 'FLINK-1_20',
        ApplicationConfiguration: {
          ApplicationCodeConfiguration: {
            CodeContent: { S3ContentLocation: { BucketARN: stack.resolve(bucket.bucketArn), FileKey: 'app/job-1.0.jar', ObjectVersion: 'v42' } },
          },
        },
      });
      expect(statementsOf(template, stack, application, 's3')).toEqual([{
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-jars/app/job-1.0.jar']] },
      }]);
      // Your own code needs no SQL: only the parameters group.
      expect(propertyGroup(template, 'SqlStatements')).toBeUndefined();
      expect(propertyGroup(template, 'SqlParameters')).toBeDefined();
    });

    test('decrypts code from a KMS-encrypted bucket', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'Key');
      const bucket = new s3.Bucket(stack, 'Jars', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
      const application = new FlinkApplication(stack, 'App', { sourceStream: source(stack), code: FlinkCode.fromBucket(bucket, 'job.jar') });
      expect(roleStatements(Template.fromStack(stack), stack, application)).toContainEqual({ Action: 'kms:Decrypt', Effect: 'Allow', Resource: stack.resolve(key.keyArn) });
    });

    test('ships a local jar as an asset', () => {
      const { template } = app({ code: FlinkCode.fromAsset(tmpFile('mine.jar')), sqlStatements: undefined });
      const apps = template.findResources(APP);
      expect(Object.values(apps)[0].Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.S3ContentLocation.FileKey)
        .toMatch(/^[0-9a-f]{64}\.jar$/);
    });

    test('a runtime given as a string works through FlinkRuntime.of', () => {
      const { template, application } = app({ runtime: FlinkRuntime.of('FLINK-2_3') });
      template.hasResourceProperties(APP, { RuntimeEnvironment: 'FLINK-2_3' });
      expect([application.runtime.majorVersion, application.runtime.minorVersion]).toEqual([2, 3]);
      expect(application.metricRestarts().metricName).toBe('numRestarts');
    });
  });

  describe('sizing', () => {
    test('turns peakRecordsPerSecond into KPUs at 75% CPU: 30,000 records/s at 2,000 per KPU need 20 KPUs', () => {
      // 30,000 / (2,000 * 0.75) = 20 KPUs; 2 tasks per KPU -> parallelism 40.
      const { application, template } = app({ peakRecordsPerSecond: 30_000, recordsPerSecondPerKpu: 2_000, parallelismPerKpu: 2 });
      expect(application.kpus).toBe(20);
      expect(application.parallelism).toBe(40);
      template.hasResourceProperties(APP, {
        ApplicationConfiguration: { FlinkApplicationConfiguration: { ParallelismConfiguration: { Parallelism: 40, ParallelismPerKPU: 2 } } },
      });
    });

    test('uses the default records-per-second figure (the heavier shipped script\'s) when only the peak is given', () => {
      // 0.8 of a KPU's figure is more than its 75 %: 2 KPUs; 0.7 of it fits in 1.
      expect(app({ peakRecordsPerSecond: Math.round(DEFAULT_RECORDS_PER_SECOND_PER_KPU * 0.8) }).application.kpus).toBe(2);
      expect(app({ peakRecordsPerSecond: Math.round(DEFAULT_RECORDS_PER_SECOND_PER_KPU * 0.7) }).application.kpus).toBe(1);
      expect(DEFAULT_RECORDS_PER_SECOND_PER_KPU).toBe(Math.min(IOT_RECORDS_PER_SECOND_PER_KPU, CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU));
    });

    test('takes an explicit parallelism, per-KPU parallelism and autoscaling off', () => {
      const { application, template } = app({ parallelism: 12, parallelismPerKpu: 4, autoScalingEnabled: false });
      expect(application.kpus).toBe(3);
      template.hasResourceProperties(APP, {
        ApplicationConfiguration: {
          FlinkApplicationConfiguration: { ParallelismConfiguration: { Parallelism: 12, ParallelismPerKPU: 4, AutoScalingEnabled: false } },
        },
      });
    });

    test('allows more than 64 KPUs once maxKpus is raised', () => {
      expect(app({ parallelism: 100, maxKpus: 128 }).application.kpus).toBe(100);
    });
  });

  describe('operations', () => {
    test('checkpoint interval and pause, snapshots off (then no restore), non-restored state allowed', () => {
      const { template } = app({
        checkpointInterval: Duration.seconds(30),
        minPauseBetweenCheckpoints: Duration.seconds(10),
        snapshotsEnabled: false,
        allowNonRestoredState: true,
      });
      template.hasResourceProperties(APP, {
        ApplicationConfiguration: {
          ApplicationSnapshotConfiguration: { SnapshotsEnabled: false },
          FlinkApplicationConfiguration: {
            CheckpointConfiguration: { CheckpointingEnabled: true, CheckpointInterval: 30000, MinPauseBetweenCheckpoints: 10000 },
          },
        },
        RunConfiguration: {
          ApplicationRestoreConfiguration: { ApplicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' },
          FlinkRunConfiguration: { AllowNonRestoredState: true },
        },
      });
      template.hasResourceProperties('Custom::FlinkApplicationStart', { AllowNonRestoredState: true });
    });

    test('logs to an explicit KMS-encrypted log group and stream through a CloudWatch logging option', () => {
      const { stack, application, template } = app({ logLevel: FlinkLogLevel.WARN, metricsLevel: FlinkMetricsLevel.OPERATOR });
      template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
      template.hasResourceProperties('AWS::Logs::LogStream', { LogGroupName: stack.resolve(application.logGroup.logGroupName) });
      template.hasResourceProperties('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption', {
        ApplicationName: stack.resolve(application.applicationName),
        CloudWatchLoggingOption: {
          LogStreamARN: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:', stack.resolve(application.logGroup.logGroupName),
              ':log-stream:', stack.resolve(application.logStream.logStreamName),
            ]],
          },
        },
      });
      template.hasResourceProperties(APP, {
        ApplicationConfiguration: { FlinkApplicationConfiguration: { MonitoringConfiguration: { LogLevel: 'WARN', MetricsLevel: 'OPERATOR' } } },
      });
      expect(roleStatements(template, stack, application)).toContainEqual(expect.objectContaining({ Action: 'logs:PutLogEvents' }));
    });

    test('writes to your log group', () => {
      const stack = newStack();
      const logGroup = logs.LogGroup.fromLogGroupName(stack, 'Logs', 'my-flink-logs');
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { logGroup }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Logs::LogGroup', 1); // the control function's only
      template.hasResourceProperties('AWS::Logs::LogStream', { LogGroupName: 'my-flink-logs' });
      expect(application.logGroup).toBe(logGroup);
    });

    test('runs in a VPC with a new security group and the EC2 permissions the service needs', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { vpc }));
      const template = Template.fromStack(stack);
      template.hasResourceProperties(APP, {
        ApplicationConfiguration: {
          VpcConfigurations: [{
            SubnetIds: stack.resolve(vpc.privateSubnets.map((s) => s.subnetId)),
            SecurityGroupIds: [stack.resolve(application.securityGroups[0].securityGroupId)],
          }],
        },
      });
      expect(roleStatements(template, stack, application)).toContainEqual(expect.objectContaining({
        Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface']), Resource: '*',
      }));
    });

    test('runs in your subnets with your security groups', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
      const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, securityGroups: [sg] }));
      Template.fromStack(stack).hasResourceProperties(APP, {
        ApplicationConfiguration: {
          VpcConfigurations: [{
            SubnetIds: stack.resolve(vpc.publicSubnets.map((s) => s.subnetId)),
            SecurityGroupIds: [stack.resolve(sg.securityGroupId)],
          }],
        },
      });
      expect(application.securityGroups).toEqual([sg]);
    });

    test('a name, a removal policy and your role', () => {
      const stack = newStack();
      const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('kinesisanalytics.amazonaws.com') });
      const application = new FlinkApplication(stack, 'App', minimalProps(stack, { applicationName: 'clicks-top-n', removalPolicy: RemovalPolicy.DESTROY, role }));
      const template = Template.fromStack(stack);
      template.hasResource(APP, { DeletionPolicy: 'Delete', Properties: { ApplicationName: 'clicks-top-n', ServiceExecutionRole: stack.resolve(role.roleArn) } });
      expect(application.applicationName).toBe('clicks-top-n');
      expect(stack.resolve(application.applicationArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisanalytics:eu-west-1:123456789012:application/clicks-top-n']],
      });
    });
  });

  describe('start after deploy', () => {
    test('a custom resource starts the application once the logging option and the role policy exist', () => {
      const { stack, application, template } = app();
      const logicalId = (c: any) => stack.resolve(c.logicalId);
      const start = template.findResources('Custom::FlinkApplicationStart');
      expect(Object.keys(start)).toHaveLength(1);
      const resource = Object.values(start)[0];
      expect(resource.Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^FlinkApplicationControlFunction/), 'Arn'] },
        ServiceTimeout: '1200',
        ApplicationName: { Ref: logicalId(application.cfnApplication) },
        AllowNonRestoredState: false,
        ConfigurationHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(resource.DependsOn).toEqual(expect.arrayContaining([
        logicalId(application.node.findChild('LoggingOption')),
        logicalId(application.role.node.findChild('Policy').node.defaultChild),
      ]));
    });

    test('the control function may describe, start, stop and list snapshots of this application only', () => {
      const { stack, application, template } = app();
      // the control function's whole policy: its log group, X-Ray, and this application
      const control = stack.node.findChild('FlinkApplicationControl') as NodeFunction;
      expect(allRoleStatements(template, stack, control.role)).toEqual(sortedStatements([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [stack.resolve(control.logGroup.logGroupArn)] },
        { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: ['*'] },
        {
          Effect: 'Allow',
          Action: ['kinesisanalytics:DescribeApplication', 'kinesisanalytics:ListApplicationSnapshots', 'kinesisanalytics:StartApplication', 'kinesisanalytics:StopApplication'],
          Resource: [stack.resolve(application.applicationArn)],
        },
      ]));
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 900, Architectures: ['arm64'] });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    });

    test('one control function serves every application of the stack', () => {
      const stack = newStack();
      new FlinkApplication(stack, 'A', minimalProps(stack));
      new FlinkApplication(stack, 'B', minimalProps(stack, { sourceStream: kinesis.Stream.fromStreamArn(stack, 'Other', 'arn:aws:kinesis:eu-west-1:123456789012:stream/other') }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.resourceCountIs('Custom::FlinkApplicationStart', 2);
    });

    test('a configuration change changes the hash, so the start (and the wait for RUNNING) runs again', () => {
      const hash = (extra: object) => Object.values(app(extra).template.findResources('Custom::FlinkApplicationStart'))[0].Properties.ConfigurationHash;
      expect(hash({ parallelism: 2 })).toBe(hash({ parallelism: 2 }));
      expect(hash({ parallelism: 2 })).not.toBe(hash({ parallelism: 3 }));
      expect(hash({ sqlStatements: ['SELECT 1'] })).not.toBe(hash({ sqlStatements: ['SELECT 2'] }));
    });

    test('startAfterDeploy false: no custom resource and no function', () => {
      const { template } = app({ startAfterDeploy: false });
      template.resourceCountIs('Custom::FlinkApplicationStart', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
    });
  });

  describe('imports and metrics', () => {
    test('an imported application has the metrics of its runtime', () => {
      const stack = newStack();
      const imported = FlinkApplication.fromApplicationName(stack, 'Imp', 'legacy');
      expect(stack.resolve(imported.applicationArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kinesisanalytics:eu-west-1:123456789012:application/legacy']],
      });
      expect(imported.metricRestarts().metricName).toBe('fullRestarts');
      const v2 = FlinkApplication.fromApplicationAttributes(stack, 'Imp2', { applicationName: 'new', runtime: FlinkRuntime.FLINK_2_2 });
      expect(v2.metricRestarts().metricName).toBe('numRestarts');
      expect(v2.metricCpuUtilization().dimensions).toEqual({ Application: 'new' });
    });

    test('metric methods: namespace AWS/KinesisAnalytics, dimension Application, 1-minute period, the statistic that fits', () => {
      const { stack, application } = app();
      const name = stack.resolve(application.applicationName);
      const cases: Array<[any, string, string]> = [
        [application.metricDowntime(), 'downtime', 'Maximum'],
        [application.metricRestarts(), 'fullRestarts', 'Maximum'],
        [application.metricNumberOfFailedCheckpoints(), 'numberOfFailedCheckpoints', 'Maximum'],
        [application.metricLastCheckpointDuration(), 'lastCheckpointDuration', 'Maximum'],
        [application.metricLastCheckpointSize(), 'lastCheckpointSize', 'Maximum'],
        [application.metricCpuUtilization(), 'cpuUtilization', 'Maximum'],
        [application.metricHeapMemoryUtilization(), 'heapMemoryUtilization', 'Maximum'],
        [application.metricNumRecordsInPerSecond(), 'numRecordsInPerSecond', 'Average'],
        [application.metricNumRecordsOutPerSecond(), 'numRecordsOutPerSecond', 'Average'],
        [application.metricKpus(), 'KPUs', 'Maximum'],
        [application.metric('busyTimeMsPerSecond'), 'busyTimeMsPerSecond', 'Average'],
      ];
      for (const [metric, metricName, statistic] of cases) {
        const seen = {
          metricName: metric.metricName, statistic: metric.statistic, period: metric.period.toSeconds(), dims: stack.resolve(metric.dimensions),
        };
        expect({ ns: metric.namespace, ...seen })
          .toEqual({ ns: 'AWS/KinesisAnalytics', metricName, statistic, period: 60, dims: { Application: name } });
      }
    });

    test('metricMillisBehindLatest is the EFO consumer lag (AWS/Kinesis, StreamName and ConsumerName)', () => {
      const { stack, application } = app({ consumerName: 'reader' });
      const metric = application.metricMillisBehindLatest();
      expect(metric.namespace).toBe('AWS/Kinesis');
      expect(metric.metricName).toBe('SubscribeToShardEvent.MillisBehindLatest');
      expect(metric.statistic).toBe('Maximum');
      expect(stack.resolve(metric.dimensions)).toEqual({
        StreamName: stack.resolve(application.sourceStream.streamName),
        ConsumerName: { 'Fn::GetAtt': [stack.resolve((application.sourceConsumer.node.defaultChild as any).logicalId), 'ConsumerName'] },
      });
    });
  });

  describe('bad input', () => {
    const throws = (extra: object, message: RegExp) => {
      const stack = newStack();
      expect(() => new FlinkApplication(stack, 'App', minimalProps(stack, extra))).toThrow(message);
    };

    test('throws when parallelism < 1', () => {
      throws({ parallelism: 0 }, /FlinkApplication "S\/App": parallelism must be a whole number >= 1, got 0/);
      throws({ parallelism: 2.5 }, /parallelism must be a whole number >= 1, got 2.5/);
    });
    test('throws when parallelismPerKpu < 1', () => throws({ parallelismPerKpu: 0 }, /parallelismPerKpu must be a whole number >= 1, got 0/));
    test('throws when maxKpus < 1', () => throws({ maxKpus: 0 }, /maxKpus must be a whole number >= 1, got 0/));
    test('throws when the parallelism needs more than 64 KPUs', () => {
      throws({ parallelism: 65 }, /parallelism 65 at parallelismPerKpu 1 needs 65 KPUs, more than maxKpus 64/);
      throws({ parallelism: 260, parallelismPerKpu: 4 }, /needs 65 KPUs, more than maxKpus 64/);
    });
    test('throws when the declared peak needs more than 64 KPUs', () => {
      // 100,000 / (1,000 * 0.75) = 134 KPUs
      throws({ peakRecordsPerSecond: 100_000, recordsPerSecondPerKpu: 1_000 }, /parallelism 134 at parallelismPerKpu 1 needs 134 KPUs, more than maxKpus 64/);
    });
    test('throws when peakRecordsPerSecond or recordsPerSecondPerKpu is not > 0', () => {
      throws({ peakRecordsPerSecond: -5 }, /peakRecordsPerSecond must be a finite number > 0, got -5/);
      throws({ peakRecordsPerSecond: 10, recordsPerSecondPerKpu: 0 }, /recordsPerSecondPerKpu must be a finite number > 0, got 0/);
    });
    test('throws when parallelism and peakRecordsPerSecond are both given', () => throws({ parallelism: 2, peakRecordsPerSecond: 10 }, /give parallelism \(2\) or peakRecordsPerSecond \(10\), not both/));
    test('throws when recordsPerSecondPerKpu comes without peakRecordsPerSecond', () => throws({ recordsPerSecondPerKpu: 5000 }, /recordsPerSecondPerKpu \(5000\) only applies with peakRecordsPerSecond/));
    test('throws when the runtime string is malformed', () => {
      expect(() => FlinkRuntime.of('flink-1_19')).toThrow('FlinkRuntime.of: runtime must look like FLINK-<major>_<minor> (for example FLINK-2_2), got "flink-1_19"');
      expect(() => FlinkRuntime.of('FLINK-1.19')).toThrow(/got "FLINK-1.19"/);
      expect(() => FlinkRuntime.of('')).toThrow(/got ""/);
    });
    test('throws when the SQL job gets no SQL', () => {
      throws({ sqlStatements: undefined }, /sqlStatements must list the SQL to run \(or give sqlScript\) when code is FlinkCode.sqlRunner\(\), got undefined/);
      throws({ sqlStatements: [] }, /sqlStatements must list at least one statement, got \[\]/);
      throws({ sqlStatements: ['SELECT 1', '   '] }, /sqlStatements\[1\] must be a non-empty SQL statement, got " {3}"/);
    });
    test('throws when the statements need more than 50 property entries', () => {
      throws({ sqlStatements: Array.from({ length: 51 }, (_, i) => `SELECT ${i}`) }, /sqlStatements must fit in 50 property entries .* got "51 statements in 51 property entries"/);
      // 20 statements of 5,000 characters take 3 entries each
      throws({ sqlStatements: Array.from({ length: 20 }, () => `SELECT '${'x'.repeat(5000)}'`) }, /got "20 statements in 60 property entries"/);
    });
    test('throws when sqlStatements and sqlScript are both given', () => throws({ sqlScript: SqlScript.IOT_ANOMALIES }, /give sqlStatements or sqlScript, not both/));
    test('throws when a bundled script is given to your own code', () => {
      throws({ code: FlinkCode.fromBucket(s3.Bucket.fromBucketName(newStack(), 'B', 'jars-bucket'), 'k.jar'), sqlStatements: undefined, sqlScript: SqlScript.IOT_ANOMALIES },
        /sqlScript \{"sql.resource":"sql\/iot-anomalies.sql"\} is bundled in the library's SQL job: it needs code FlinkCode.sqlRunner\(\)/);
    });
    test('throws when an output table of a bundled script has no stream', () => {
      throws({ sqlStatements: undefined, sqlScript: SqlScript.CLICKSTREAM_TOP_PRODUCTS },
        /sqlScript sql\/clickstream-top-products.sql writes to top.stream.arn, traffic.stream.arn, dlq.stream.arn \(each defaulting to sink.stream.arn\), which nothing sets: give kinesisSinks \{ sink: <stream> \} or \{ top: <stream> \} or \{ traffic: <stream> \} and deadLetterStream/);
      const stack = newStack();
      const anomalies = new kinesis.Stream(stack, 'Anomalies');
      expect(() => withApp(stack, { sqlStatements: undefined, sqlScript: SqlScript.IOT_ANOMALIES, kinesisSinks: { anomalies } }))
        .toThrow(/writes to aggregates.stream.arn, dlq.stream.arn .* or \{ aggregates: <stream> \} and deadLetterStream/);
    });
    test('a bundled script with one stream per table needs no common sink', () => {
      const stack = newStack();
      const [anomalies, aggregates, dlq] = ['A', 'B', 'C'].map((id) => new kinesis.Stream(stack, id));
      const props = { sqlStatements: undefined, sqlScript: SqlScript.IOT_ANOMALIES, kinesisSinks: { anomalies, aggregates }, deadLetterStream: dlq };
      expect(() => withApp(stack, props)).not.toThrow();
    });
    test('throws when SqlScript.bundled names a script the jar does not have', () => {
      expect(() => SqlScript.bundled('sql/nope.sql')).toThrow(/SqlScript.bundled: resourcePath must be one of the scripts in the job's jar: .*, got "sql\/nope.sql"/);
    });
    test('throws when the jar or script file is missing', () => {
      throws({ code: FlinkCode.sqlRunner({ jarPath: '/nonexistent/kinesis-sql-job.jar' }) },
        /code FlinkCode.sqlRunner\(\) jar must be an existing file \(npm run flink:build builds it\), got "\/nonexistent\/kinesis-sql-job.jar"/);
      throws({ code: FlinkCode.fromAsset('/nonexistent/x.jar') }, /code FlinkCode.fromAsset\(\) path must be an existing file, got "\/nonexistent\/x.jar"/);
      throws({ sqlStatements: undefined, sqlScript: SqlScript.fromAsset('/nonexistent/x.sql') }, /sqlScript SqlScript.fromAsset\(\) path must be an existing file/);
    });
    test('throws when a property group takes a reserved id', () => throws({ propertyGroups: { SqlParameters: { a: 'b' } } }, /propertyGroups must not use the group ids the construct writes \(SqlStatements, SqlParameters\).*got "SqlParameters"/));
    test('throws when a property group id is malformed', () => throws({ propertyGroups: { 'bad id!': { a: 'b' } } }, /propertyGroups ids must be 1-50 characters of \[a-zA-Z0-9_.-\], got "bad id!"/));
    test('throws when there are more than 50 property groups', () => {
      const groups = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`G${i}`, { k: 'v' }]));
      throws({ propertyGroups: groups }, /propertyGroups must make at most 50 property groups together with the ones the construct writes .*, got "51 groups"/);
    });
    test('throws when a property group has more than 50 entries', () => {
      throws({ propertyGroups: { Big: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) } }, /propertyGroups\["Big"\] must hold at most 50 entries, got "51 entries"/);
    });
    test('throws when a property value is longer than 2,048 characters or empty', () => {
      throws({ propertyGroups: { G: { k: 'x'.repeat(2049) } } }, /propertyGroups\["G"\]\["k"\] must be 1-2048 characters, got "2049 characters"/);
      throws({ propertyGroups: { G: { k: '' } } }, /propertyGroups\["G"\]\["k"\] must be 1-2048 characters, got "0 characters"/);
    });
    test('throws when sqlParameters set what the construct fills, or use a bad name or value', () => {
      throws({ sqlParameters: { 'source.stream.arn': 'x' } }, /sqlParameters must not set a parameter the construct fills from its props .*, got "source.stream.arn"/);
      throws({ sqlParameters: { 'bad name': 'x' } }, /sqlParameters names must be 1-2048 characters of \[A-Za-z0-9_.-\], got "bad name"/);
      throws({ sqlParameters: { ok: 'x'.repeat(2049) } }, /sqlParameters\["ok"\] must be 1-2048 characters, got "2049 characters"/);
    });
    test('throws when sqlParameters and the construct parameters exceed 50 entries', () => {
      throws({ sqlParameters: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`p${i}`, 'v'])) }, /sqlParameters must hold at most 50 entries together with the ones the construct fills, got "51 entries"/);
    });
    test('throws when a sink name cannot be a parameter prefix', () => {
      const stack = newStack();
      expect(() => new FlinkApplication(stack, 'App', minimalProps(stack, { kinesisSinks: { 'a.b': new kinesis.Stream(stack, 'O') } })))
        .toThrow(/kinesisSinks names must be 1-100 characters of \[A-Za-z0-9_-\], got "a.b"/);
    });
    test('throws when consumerName is given with sourceConsumer', () => {
      const stack = newStack();
      const props = minimalProps(stack);
      const consumer = new kinesis.StreamConsumer(stack, 'C', { stream: props.sourceStream, streamConsumerName: 'c' });
      expect(() => new FlinkApplication(stack, 'App', { ...props, sourceConsumer: consumer, consumerName: 'other' }))
        .toThrow(/consumerName \("other"\) names a consumer this construct registers; it cannot rename sourceConsumer/);
    });
    test('throws when sourceConsumer belongs to another stream', () => {
      const stack = newStack();
      const stream = kinesis.Stream.fromStreamArn(stack, 'Src', 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks');
      const consumer = kinesis.StreamConsumer.fromStreamConsumerArn(stack, 'C', 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders/consumer/c:1');
      expect(() => new FlinkApplication(stack, 'App', minimalProps(stack, { sourceStream: stream, sourceConsumer: consumer })))
        .toThrow(/sourceConsumer reads arn:aws:kinesis:eu-west-1:123456789012:stream\/orders, not sourceStream arn:aws:kinesis:eu-west-1:123456789012:stream\/clicks/);
    });
    test('throws when the checkpoint interval is not a whole number of ms >= 1', () => {
      throws({ checkpointInterval: Duration.millis(0) }, /checkpointInterval must be a whole number of milliseconds >= 1, got "0 millis"/);
    });
    test('throws when vpcSubnets or securityGroups come without vpc', () => throws({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /vpcSubnets and securityGroups need vpc/));
    test('throws when applicationName is malformed', () => throws({ applicationName: 'has space' }, /applicationName must be 1-128 characters of \[a-zA-Z0-9_.-\], got "has space"/));
    test('throws when an alarm threshold is out of range', () => throws({ alarms: { cpuUtilization: { maxPercent: 120 } } }, /cpuUtilization.maxPercent must be a number in \[1, 100\], got 120/));
  });

  describe('snapshots', () => {
    test('default', () => {
      const stack = newStack();
      new FlinkApplication(stack, 'App', minimalProps(stack));
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    });

    test('fully configured', () => {
      const stack = newStack();
      fullyConfigured(stack);
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    });
  });

  test('passes every gate with everything on', () => {
    const gated = gatedApp();
    const stack = new Stack(gated, 'Gated', { env: { account: '123456789012', region: 'eu-west-1' } });
    fullyConfigured(stack);
    expectGatesPass(gated);
  });
});

/** Every prop on: VPC, sinks of both kinds, dead-letter stream, sizing from a peak, custom checkpoints, alarms. */
function fullyConfigured(stack: Stack): FlinkApplication {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  });
  const out = new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.MANAGED });
  const dlq = new kinesis.Stream(stack, 'Dlq', { encryption: kinesis.StreamEncryption.MANAGED });
  return new FlinkApplication(stack, 'App', {
    sourceStream: source(stack),
    consumerName: 'iot-anomalies',
    kinesisSinks: { sink: out },
    firehoseSinks: { archive: firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Archive', 'iot-archive') },
    deadLetterStream: dlq,
    code: FlinkCode.sqlRunner({ jarPath: tmpFile() }),
    runtime: FlinkRuntime.FLINK_1_19,
    sqlScript: SqlScript.IOT_ANOMALIES,
    sqlParameters: { 'anomaly.sigma': '3.5', 'stats.window.minutes': '15' },
    propertyGroups: { Extra: { 'feature.flag': 'on' } },
    peakRecordsPerSecond: 20_000,
    recordsPerSecondPerKpu: 4_000,
    parallelismPerKpu: 2,
    maxKpus: 32,
    autoScalingEnabled: true,
    checkpointInterval: Duration.seconds(30),
    minPauseBetweenCheckpoints: Duration.seconds(10),
    snapshotsEnabled: true,
    startAfterDeploy: true,
    allowNonRestoredState: false,
    applicationName: 'iot-anomalies',
    logLevel: FlinkLogLevel.INFO,
    metricsLevel: FlinkMetricsLevel.TASK,
    vpc,
    removalPolicy: RemovalPolicy.RETAIN,
    alarms: {
      cpuUtilization: { maxPercent: 75 },
      heapMemoryUtilization: { maxPercent: 85 },
      consumerLag: { maxLag: Duration.seconds(30) },
      checkpointDuration: { maxDuration: Duration.seconds(20) },
      recordsOutZero: { evaluationPeriods: 10 },
      alarmNamePrefix: 'iot',
    },
  });
}
