import { App, Duration, Size, Stack, aws_ec2 as ec2, aws_kinesisfirehose as firehose, aws_redshift as redshift, aws_redshiftserverless as redshiftserverless, aws_s3 as s3 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ENV, importedSecret, importedStream } from './fixtures';
import { DeliverySource, DeliveryTransform, RedshiftDelivery, RedshiftDeliveryProps, RedshiftTarget } from '../../lib/delivery';
import { roleStatements, sortedStatements } from '../support/iam';

const ENDPOINT = { endpointAddress: 'sessions.abc123xyz.us-east-1.redshift.amazonaws.com', database: 'analytics' };

function newStack(): Stack {
  return new Stack(new App(), 'Warehouse', { env: ENV });
}

function props(stack: Stack, extra: Partial<RedshiftDeliveryProps> = {}): RedshiftDeliveryProps {
  return {
    target: RedshiftTarget.fromEndpoint(ENDPOINT),
    credentials: importedSecret(stack),
    table: 'public.sessions',
    columns: ['session_id', 'user_id', 'started_at', 'events'],
    ...extra,
  };
}

/** A security group of its own for a warehouse created in the test. */
function warehouseSg(stack: Stack): ec2.ISecurityGroup {
  return ec2.SecurityGroup.fromSecurityGroupId(stack, 'WarehouseSg', 'sg-0123456789abcdef0');
}

function destination(template: Template): Record<string, any> {
  return Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties.RedshiftDestinationConfiguration;
}

describe('RedshiftDelivery', () => {
  test('defaults: staged GZIP in a new hardened bucket, COPY of the columns with JSON auto, credentials from Secrets Manager, 1-hour retry', () => {
    const stack = newStack();
    const delivery = new RedshiftDelivery(stack, 'Sessions', props(stack));
    const template = Template.fromStack(stack);
    const roleArn = stack.resolve(delivery.role.roleArn);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK' },
      RedshiftDestinationConfiguration: {
        ClusterJDBCURL: 'jdbc:redshift://sessions.abc123xyz.us-east-1.redshift.amazonaws.com:5439/analytics',
        RoleARN: roleArn,
        SecretsManagerConfiguration: { Enabled: true, SecretARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:firehose-user-AbCdEf', RoleARN: roleArn },
        Username: Match.absent(),
        Password: Match.absent(),
        CopyCommand: { DataTableName: 'public.sessions', DataTableColumns: 'session_id,user_id,started_at,events', CopyOptions: "JSON 'auto ignorecase' GZIP TIMEFORMAT 'auto'" },
        RetryOptions: { DurationInSeconds: 3600 },
        S3BackupMode: 'Disabled',
        S3Configuration: {
          BucketARN: stack.resolve(delivery.stagingBucket.bucketArn),
          Prefix: 'staging/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
          CompressionFormat: 'GZIP',
          BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: stack.resolve(delivery.stagingBucket.encryptionKey!.keyArn) } },
          CloudWatchLoggingOptions: { Enabled: true },
        },
        CloudWatchLoggingOptions: { Enabled: true },
        ProcessingConfiguration: Match.absent(),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogStream', { LogStreamName: 'StagingDelivery' });
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: Match.anyValue() });
    expect(delivery.jdbcUrl).toBe('jdbc:redshift://sessions.abc123xyz.us-east-1.redshift.amazonaws.com:5439/analytics');
  });

  test('the role reads the secret and its staging prefix only (objects and COPY manifests), writes its error manifests under errors/ without reading them, never deletes', () => {
    const stack = newStack();
    const delivery = new RedshiftDelivery(stack, 'Sessions', props(stack));
    const template = Template.fromStack(stack);
    // The role's whole policy, sorted (test/support/iam.ts): an added action or resource fails the test.
    const staging = stack.resolve(delivery.stagingBucket.bucketArn);
    const group = stack.resolve(delivery.errorLogGroup.logGroupName);
    const streams = Object.keys(template.findResources('AWS::Logs::LogStream', { Properties: { LogGroupName: group } })).sort();
    expect(streams).toHaveLength(2); // the destination's and the staging copy's error streams
    const logStream = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:', group, ':log-stream:', { Ref: id }]] });
    expect(roleStatements(template, stack, delivery.role)).toEqual(sortedStatements([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:firehose-user-AbCdEf'] },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: [staging] },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], Resource: [{ 'Fn::Join': ['', [staging, '/staging/*']] }] },
      { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: [{ 'Fn::Join': ['', [staging, '/errors/*']] }] },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [stack.resolve(delivery.stagingBucket.encryptionKey!.keyArn)],
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [staging, { 'Fn::Join': ['', [staging, '/*']] }] },
        },
      },
      ...streams.map((id) => ({ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [logStream(id)] })),
    ]));
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a provisioned cluster created here: its endpoint, its database, Firehose allowed in on its port', () => {
    const stack = newStack();
    const sg = new ec2.SecurityGroup(stack, 'ClusterSg', { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }) });
    const cluster = new redshift.CfnCluster(stack, 'Cluster', {
      clusterType: 'multi-node',
      numberOfNodes: 2,
      nodeType: 'ra3.xlplus',
      dbName: 'sessions',
      masterUsername: 'admin',
      manageMasterPassword: true,
      publiclyAccessible: true,
      port: 5440,
      vpcSecurityGroupIds: [sg.securityGroupId],
    });
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromCluster(cluster, { securityGroup: sg }) }));
    const template = Template.fromStack(stack);
    expect(destination(template).ClusterJDBCURL).toEqual({
      'Fn::Join': ['', ['jdbc:redshift://', { 'Fn::GetAtt': ['Cluster', 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': ['Cluster', 'Endpoint.Port'] }, '/sessions']],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '52.70.63.192/27', FromPort: 5440, ToPort: 5440, IpProtocol: 'tcp', Description: 'Firehose delivery Warehouse/Sessions' }],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('not publicly accessible'));
  });

  test('connections carry the Firehose CIDR block of the Region, for your own security group rules', () => {
    const stack = newStack();
    const delivery = new RedshiftDelivery(stack, 'Sessions', props(stack));
    const sg = new ec2.SecurityGroup(stack, 'WarehouseSg', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }) });
    sg.connections.allowFrom(delivery, ec2.Port.tcp(5439), 'Firehose');
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '52.70.63.192/27', FromPort: 5439, ToPort: 5439, IpProtocol: 'tcp' }],
    });
  });

  test('a cluster that is not publicly accessible gets a warning: Firehose cannot reach it', () => {
    const stack = newStack();
    const sg = warehouseSg(stack);
    const cluster = new redshift.CfnCluster(stack, 'Cluster', { clusterType: 'single-node', nodeType: 'ra3.xlplus', dbName: 'dev', masterUsername: 'admin', vpcSecurityGroupIds: [sg.securityGroupId] });
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromCluster(cluster, { database: 'analytics', securityGroup: sg }) }));
    Annotations.fromStack(stack).hasWarning('/Warehouse/Sessions', Match.stringLikeRegexp('cluster Warehouse/Cluster is not publicly accessible, so deliveries will fail to connect'));
  });

  test('a Serverless workgroup created here: its endpoint on its port, database dev by default', () => {
    const stack = newStack();
    const sg = warehouseSg(stack);
    const workgroup = new redshiftserverless.CfnWorkgroup(stack, 'Workgroup', { workgroupName: 'sessions', namespaceName: 'sessions', publiclyAccessible: true, securityGroupIds: [sg.securityGroupId] });
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromWorkgroup(workgroup, { securityGroup: sg }) }));
    expect(destination(Template.fromStack(stack)).ClusterJDBCURL).toEqual({
      'Fn::Join': ['', ['jdbc:redshift://', { 'Fn::GetAtt': ['Workgroup', 'Workgroup.Endpoint.Address'] }, ':5439/dev']],
    });
  });

  test('a private workgroup gets a warning', () => {
    const stack = newStack();
    const sg = warehouseSg(stack);
    const workgroup = new redshiftserverless.CfnWorkgroup(stack, 'Workgroup', { workgroupName: 'sessions', publiclyAccessible: false, securityGroupIds: [sg.securityGroupId] });
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromWorkgroup(workgroup, { securityGroup: sg }) }));
    Annotations.fromStack(stack).hasWarning('/Warehouse/Sessions', Match.stringLikeRegexp('workgroup Warehouse/Workgroup is not publicly accessible'));
  });

  test('throws when a warehouse created here has no security group to admit Firehose, or one that is not its own', () => {
    const bareWorkgroup = (stack: Stack) => new redshiftserverless.CfnWorkgroup(stack, 'Bare', { workgroupName: 'bare', publiclyAccessible: true });
    const stackA = newStack();
    expect(() => new RedshiftDelivery(stackA, 'A', props(stackA, { target: RedshiftTarget.fromWorkgroup(bareWorkgroup(stackA)) })))
      .toThrow(/RedshiftDelivery "Warehouse\/A": target.securityGroup is required for workgroup Warehouse\/Bare: Firehose connects from the Firehose CIDR block of the Region/);
    const stackB = newStack();
    expect(() => new RedshiftDelivery(stackB, 'B', props(stackB, { target: RedshiftTarget.fromWorkgroup(bareWorkgroup(stackB), { securityGroup: warehouseSg(stackB) }) })))
      .toThrow(/target.securityGroup must be one of the securityGroupIds of workgroup Warehouse\/Bare \(it has none, so it uses its VPC's default security group\), got "Warehouse\/WarehouseSg"/);
    const stackC = newStack();
    const other = new redshift.CfnCluster(stackC, 'Cluster', {
      clusterType: 'single-node', nodeType: 'ra3.xlplus', dbName: 'dev', masterUsername: 'admin', publiclyAccessible: true, vpcSecurityGroupIds: ['sg-0fffffffffffffff0'],
    });
    expect(() => new RedshiftDelivery(stackC, 'C', props(stackC, { target: RedshiftTarget.fromCluster(other, { securityGroup: warehouseSg(stackC) }) })))
      .toThrow(/target.securityGroup must be one of the vpcSecurityGroupIds of cluster Warehouse\/Cluster \(it has sg-0fffffffffffffff0\)/);
  });

  test('an existing endpoint without a security group gets a warning: the Firehose rule is the user\'s to add', () => {
    const stack = newStack();
    new RedshiftDelivery(stack, 'Sessions', props(stack));
    Annotations.fromStack(stack).hasWarning('/Warehouse/Sessions', Match.stringLikeRegexp('no securityGroup was given for sessions.abc123xyz.us-east-1.redshift.amazonaws.com: make sure'));
  });

  test('an existing endpoint with its security group: port and ingress as given', () => {
    const stack = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromEndpoint({ ...ENDPOINT, port: 5500, securityGroup: sg }) }));
    const template = Template.fromStack(stack);
    expect(destination(template).ClusterJDBCURL).toBe('jdbc:redshift://sessions.abc123xyz.us-east-1.redshift.amazonaws.com:5500/analytics');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', CidrIp: '52.70.63.192/27', FromPort: 5500, ToPort: 5500 });
  });

  test('an existing Serverless workgroup by name: the endpoint of the stack\'s account and Region, database dev, the Firehose rule on its group', () => {
    const stack = newStack();
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0');
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromWorkgroupName({ workgroupName: 'analytics-wg', securityGroup: sg }) }));
    const template = Template.fromStack(stack);
    // the partition's domain (amazonaws.com, amazonaws.com.cn) comes from AWS::URLSuffix
    expect(destination(template).ClusterJDBCURL).toEqual({
      'Fn::Join': ['', [`jdbc:redshift://analytics-wg.${ENV.account}.${ENV.region}.redshift-serverless.`, { Ref: 'AWS::URLSuffix' }, ':5439/dev']],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', CidrIp: '52.70.63.192/27', FromPort: 5439, ToPort: 5439 });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no securityGroup'))).toHaveLength(0);
  });

  test('a workgroup by name in an environment-agnostic stack: the endpoint takes the account, Region and URL suffix at deploy; no group is a warning', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new RedshiftDelivery(stack, 'Sessions', props(stack, { target: RedshiftTarget.fromWorkgroupName({ workgroupName: 'analytics-wg', database: 'sales', port: 5440 }) }));
    const url = stack.resolve(destination(Template.fromStack(stack)).ClusterJDBCURL);
    expect(JSON.stringify(url)).toMatch(/jdbc:redshift:\/\/analytics-wg\.".*AWS::AccountId.*AWS::Region.*\.redshift-serverless\.".*AWS::URLSuffix.*:5440\/sales/);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no securityGroup was given .*port 5440'))).toHaveLength(1);
  });

  test('from a stream, with a transform, uncompressed staging, custom COPY, retry and backup of all records to another bucket', () => {
    const stack = newStack();
    const backup = s3.Bucket.fromBucketName(stack, 'Backup', 'session-backup');
    const staging = s3.Bucket.fromBucketName(stack, 'Staging', 'session-staging');
    const delivery = new RedshiftDelivery(stack, 'Sessions', props(stack, {
      source: DeliverySource.fromStream(importedStream(stack)),
      transform: DeliveryTransform.jsonRecords(),
      stagingBucket: staging,
      stagingPrefix: 'load/!{timestamp:yyyy/MM/dd}/',
      stagingCompression: firehose.Compression.UNCOMPRESSED,
      copyOptions: "JSON 's3://session-staging/jsonpaths.json' TIMEFORMAT 'epochmillisecs'",
      retryDuration: Duration.minutes(10),
      bufferingInterval: Duration.seconds(60),
      bufferingSize: Size.mebibytes(64),
      backupMode: firehose.BackupMode.ALL,
      backupBucket: backup,
    }));
    const template = Template.fromStack(stack);
    expect(destination(template)).toMatchObject({
      CopyCommand: { CopyOptions: "JSON 's3://session-staging/jsonpaths.json' TIMEFORMAT 'epochmillisecs'" },
      RetryOptions: { DurationInSeconds: 600 },
      S3Configuration: { BucketARN: stack.resolve(staging.bucketArn), Prefix: 'load/!{timestamp:yyyy/MM/dd}/', CompressionFormat: 'UNCOMPRESSED', BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 } },
      S3BackupMode: 'Enabled',
      S3BackupConfiguration: { BucketARN: stack.resolve(backup.bucketArn), Prefix: 'backup/!{timestamp:yyyy/MM/dd}/', CompressionFormat: 'GZIP' },
      ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda' }] },
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      DeliveryStreamEncryptionConfigurationInput: Match.absent(),
    });
    // Redshift COPY reads JSON objects on consecutive lines: the library transform ends each record with a newline.
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ APPEND_NEWLINE: 'true' }) } });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(delivery.alarms.dataFreshnessThresholdSeconds).toBe(60 + 60 + 300);
  });

  test('implements IDeliveryStream: grants and Redshift metrics', () => {
    const stack = newStack();
    const delivery = new RedshiftDelivery(stack, 'Sessions', props(stack));
    expect(delivery.metricDataFreshness().metricName).toBe('DeliveryToRedshift.DataFreshness');
    expect(delivery.metricDeliverySuccess().metricName).toBe('DeliveryToRedshift.Success');
    expect(delivery.metricDeliveryRecords().metricName).toBe('DeliveryToRedshift.Records');
    expect(stack.resolve(delivery.deliveryStreamArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Sessions/), 'Arn'] });
    expect(stack.resolve(delivery.deliveryStreamRef)).toEqual({
      deliveryStreamArn: stack.resolve(delivery.deliveryStreamArn), deliveryStreamName: stack.resolve(delivery.deliveryStreamName),
    });
    expect(delivery.alarms.alarms.map((a) => a.node.id)).toEqual(['DataFreshness', 'DeliverySuccess', 'ThrottledRecords', 'BytesQuota', 'RecordsQuota', 'PutRequestsQuota']);
  });

  test('imports an existing delivery stream with the Redshift metric names', () => {
    const stack = newStack();
    const existing = RedshiftDelivery.fromDeliveryStreamAttributes(stack, 'Existing', { deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/old-sessions' });
    expect(existing.metricDeliverySuccess().metricName).toBe('DeliveryToRedshift.Success');
    expect(existing.deliveryStreamName).toBe('old-sessions');
  });

  test('snapshot', () => {
    const stack = newStack();
    const sg = warehouseSg(stack);
    const workgroup = new redshiftserverless.CfnWorkgroup(stack, 'Workgroup', { workgroupName: 'sessions', namespaceName: 'sessions', publiclyAccessible: true, securityGroupIds: [sg.securityGroupId] });
    new RedshiftDelivery(stack, 'Sessions', props(stack, {
      target: RedshiftTarget.fromWorkgroup(workgroup, { database: 'analytics', securityGroup: sg }),
      source: DeliverySource.fromStream(importedStream(stack)),
      transform: DeliveryTransform.jsonRecords(),
      backupMode: firehose.BackupMode.ALL,
    }));
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  describe('throws when', () => {
    const cases: [string, Partial<RedshiftDeliveryProps>, RegExp][] = [
      ['the table has no columns', { columns: [] }, /RedshiftDelivery "Warehouse\/Sessions": columns must list at least one column of the table, got \[\]/],
      ['a column is not a name', { columns: ['session id'] }, /columns must be column names .*, got "session id"/],
      ['columns repeat', { columns: ['a', 'A'] }, /columns must be unique, got "A"/],
      ['the table is not a table name', { table: 'sessions; drop table x' }, /table must be a Redshift table name, optionally schema-qualified .*, got "sessions; drop table x"/],
      ['the staging compression is one COPY cannot read', { stagingCompression: firehose.Compression.SNAPPY }, /stagingCompression must be GZIP or UNCOMPRESSED .*, got "Snappy"/],
      ['GZIP staging with COPY options lacking GZIP', { copyOptions: "JSON 'auto'" }, /copyOptions must include GZIP when the staging compression is GZIP, got "JSON 'auto'"/],
      ['uncompressed staging with COPY options saying GZIP', { stagingCompression: firehose.Compression.UNCOMPRESSED, copyOptions: "JSON 'auto' GZIP" },
        /copyOptions must not include GZIP when the staging compression is UNCOMPRESSED/],
      ['the retry duration is above 7,200 s', { retryDuration: Duration.hours(3) }, /retryDuration must be a whole number of seconds from 0 to 7200, got 10800/],
      ['the buffering size is above 128 MiB', { bufferingSize: Size.mebibytes(256) }, /bufferingSize must be a whole number of MiB from 1 to 128, got 256/],
      ['the buffering interval is above 900 s', { bufferingInterval: Duration.minutes(16) }, /bufferingInterval must be a whole number of seconds from 0 to 900, got 960/],
      ['a backup bucket is given without backupMode ALL', { backupPrefix: 'all/' }, /backupBucket and backupPrefix need backupMode ALL/],
      ['the staging prefix uses a partition key', { stagingPrefix: '!{partitionKeyFromQuery:x}/' }, /stagingPrefix must use only !\{timestamp:...\} and !\{firehose:...\} expressions/],
      ['the endpoint is not a Redshift host', { target: RedshiftTarget.fromEndpoint({ ...ENDPOINT, endpointAddress: 'db.example.com' }) },
        /target.endpointAddress must be the host name of a Redshift cluster or Serverless workgroup endpoint .*, got "db.example.com"/],
      ['the database name has a space', { target: RedshiftTarget.fromEndpoint({ ...ENDPOINT, database: 'my db' }) }, /target.database must be a database name of \[a-zA-Z0-9_\$-\], got "my db"/],
      ['the workgroup name has upper-case letters', { target: RedshiftTarget.fromWorkgroupName({ workgroupName: 'Analytics' }) },
        /target.workgroupName must be a Redshift Serverless workgroup name: 3 to 64 lowercase letters, digits and hyphens, got "Analytics"/],
      ['the workgroup name is too short', { target: RedshiftTarget.fromWorkgroupName({ workgroupName: 'wg' }) }, /target.workgroupName must be .*, got "wg"/],
      ['the endpoint port is not a Redshift port', { target: RedshiftTarget.fromEndpoint({ ...ENDPOINT, port: 80 }) }, /target.port must be a Redshift port from 1150 to 65535, got 80/],
    ];
    test.each(cases)('%s', (_name, extra, message) => {
      const stack = newStack();
      expect(() => new RedshiftDelivery(stack, 'Sessions', props(stack, extra))).toThrow(message);
    });
  });
});
