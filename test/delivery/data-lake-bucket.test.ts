import { App, Duration, RemovalPolicy, Stack, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV } from './fixtures';
import { DataLakeBucket, DataLakeBucketProps, DataLakeColumnType } from '../../lib/delivery';

function newStack(): Stack {
  return new Stack(new App(), 'Lake', { env: ENV });
}

describe('DataLakeBucket', () => {
  test('KMS with a bucket key, TLS only, public access blocked, versioned, access-logged, tiered, retained', () => {
    const stack = newStack();
    const lake = new DataLakeBucket(stack, 'Bucket');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(lake.encryptionKey.keyArn) },
          }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: stack.resolve(lake.accessLogsBucket.bucketName), LogFilePrefix: 'access-logs/' },
        LifecycleConfiguration: {
          Rules: [{
            Id: 'TierDown',
            Status: 'Enabled',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }, { StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
            ExpirationInDays: Match.absent(),
          }],
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(lake.bucket.bucketName),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the access-log bucket: SSE-S3, TLS only, versioned, logs expire after a year, written through a bucket policy (not an ACL)', () => {
    const stack = newStack();
    const lake = new DataLakeBucket(stack, 'Bucket');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpireLogs', ExpirationInDays: 365 })] },
      AccessControl: Match.absent(),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(lake.accessLogsBucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: { ArnLike: { 'aws:SourceArn': stack.resolve(lake.bucket.bucketArn) }, StringEquals: { 'aws:SourceAccount': ENV.account } },
        })]),
      },
    });
  });

  test('lifecycle, key, log bucket and removal policy as given', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:${ENV.region}:${ENV.account}:key/99999999-8888-7777-6666-555555555555`);
    const logs = s3.Bucket.fromBucketName(stack, 'Logs', 'central-access-logs');
    const lake = new DataLakeBucket(stack, 'Bucket', {
      encryptionKey: key,
      accessLogsBucket: logs,
      accessLogsPrefix: 'lake/',
      infrequentAccessAfter: Duration.days(45),
      glacierInstantRetrievalAfter: Duration.days(180),
      expireAfter: Duration.days(730),
      noncurrentVersionExpiration: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        LoggingConfiguration: { DestinationBucketName: 'central-access-logs', LogFilePrefix: 'lake/' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 45 }, { StorageClass: 'GLACIER_IR', TransitionInDays: 180 }],
            ExpirationInDays: 730,
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          })],
        },
      },
      DeletionPolicy: 'Delete',
    });
    expect(lake.encryptionKey).toBe(key);
    expect(lake.accessLogsBucket).toBe(logs);
  });

  describe('throws when', () => {
    const cases: [string, DataLakeBucketProps, RegExp][] = [
      ['Standard-IA comes before 30 days', { infrequentAccessAfter: Duration.days(10) }, /DataLakeBucket "Lake\/Bucket": infrequentAccessAfter must be a whole number of days, at least 30, got "10 days"/],
      ['Glacier IR comes less than 30 days after Standard-IA', { glacierInstantRetrievalAfter: Duration.days(45) },
        /glacierInstantRetrievalAfter must be a whole number of days, at least 30 after infrequentAccessAfter \(30 days\), got "45 days"/],
      ['objects expire before they reach Glacier IR', { expireAfter: Duration.days(60) }, /expireAfter must be a whole number of days after glacierInstantRetrievalAfter \(90 days\), got "60 days"/],
      ['a duration is not whole days', { infrequentAccessAfter: Duration.hours(800) }, /infrequentAccessAfter must be a whole number of days/],
      ['noncurrent versions would expire within a day', { noncurrentVersionExpiration: Duration.hours(12) }, /noncurrentVersionExpiration must be a whole number of days, at least 1, got "0.5 days"/],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => new DataLakeBucket(newStack(), 'Bucket', props)).toThrow(message);
    });
  });
});

describe('DataLakeColumnType', () => {
  test('renders Hive types, nested ones included', () => {
    expect(DataLakeColumnType.decimal(10, 2).hiveType).toBe('decimal(10,2)');
    expect(DataLakeColumnType.arrayOf(DataLakeColumnType.BIGINT).hiveType).toBe('array<bigint>');
    expect(DataLakeColumnType.mapOf(DataLakeColumnType.DOUBLE).hiveType).toBe('map<string,double>');
    expect(DataLakeColumnType.structOf([{ name: 'lat', type: DataLakeColumnType.DOUBLE }, { name: 'tags', type: DataLakeColumnType.arrayOf(DataLakeColumnType.STRING) }]).hiveType)
      .toBe('struct<lat:double,tags:array<string>>');
    expect(DataLakeColumnType.of('varchar(64)').hiveType).toBe('varchar(64)');
  });

  test('throws when a decimal precision or scale is out of range, or a struct is empty', () => {
    expect(() => DataLakeColumnType.decimal(39, 2)).toThrow('DataLakeColumnType.decimal: precision must be a whole number from 1 to 38, got 39');
    expect(() => DataLakeColumnType.decimal(10, 11)).toThrow('DataLakeColumnType.decimal: scale must be a whole number from 0 to the precision (10), got 11');
    expect(() => DataLakeColumnType.structOf([])).toThrow('DataLakeColumnType.structOf: fields must hold at least one field, got []');
  });
});
