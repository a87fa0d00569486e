import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, Size, Stack, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FlinkCode, IotSensorPipeline } from '../../lib';
import { PipelineAnalytics } from '../../lib/analytics';
import { DataLakeBucket } from '../../lib/delivery';
import { ManagedPolicyRole } from '../../lib/private/managed-policy-role';
import { expectGatesPass, gatedApp } from '../support/gates';
import { roleStatements, sortedStatements } from '../support/iam';

const ENV = { account: '123456789012', region: 'us-east-1' };

function analytics(props: Partial<ConstructorParameters<typeof PipelineAnalytics>[2]> = {}) {
  const stack = new Stack(undefined, 'S', { env: ENV });
  const lake = new DataLakeBucket(stack, 'Lake');
  const a = new PipelineAnalytics(stack, 'Athena', { bucket: lake.bucket, ...props });
  return { stack, lake, a };
}

describe('PipelineAnalytics', () => {
  test('a workgroup with enforced, KMS-encrypted results in the data lake bucket and a scan limit', () => {
    const { stack, lake, a } = analytics();
    Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: a.workGroupName,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', stack.resolve(lake.bucket.bucketName), `/athena-results/${a.workGroupName}/`]] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: stack.resolve(lake.encryptionKey.keyArn) },
        },
      },
    });
  });

  test('query results expire through a lifecycle rule on their prefix', () => {
    const { stack, a } = analytics({ resultsExpiration: Duration.days(3) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireAthenaResults', Prefix: a.resultsPrefix, ExpirationInDays: 3, Status: 'Enabled' })]),
      },
    });
  });

  test('an imported bucket: a warning to add the lifecycle rule yourself', () => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'B', { bucketName: 'lake', encryptionKey: new kms.Key(stack, 'K') });
    new PipelineAnalytics(stack, 'Athena', { bucket, bytesScannedCutoffPerQuery: Size.mebibytes(100) });
    Annotations.fromStack(stack).hasWarning('/S/Athena', Match.stringLikeRegexp('lifecycle rule'));
    Template.fromStack(stack).hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 100 * 1024 ** 2 },
    });
  });

  test('grantQuery: the workgroup, the tables and their prefixes read only, results and key', () => {
    const { stack, lake, a } = analytics();
    a.addTable('anomalies', 'anomalies/');
    a.addTable('readings', 'readings/');
    const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    a.grantQuery(role);
    const arn = (service: string, resource: string, resourceName?: string) => stack.resolve(stack.formatArn({ service, resource, resourceName }));
    const bucketArn = stack.resolve(lake.bucket.bucketArn);
    // The role's whole policy. Read only: the one statement that writes is the results prefix (Athena writes results as
    // the caller); nothing else of the bucket, the catalog or the key.
    expect(roleStatements(Template.fromStack(stack), stack, role)).toEqual(sortedStatements([
      {
        Effect: 'Allow',
        Action: ['athena:BatchGetNamedQuery', 'athena:BatchGetQueryExecution', 'athena:GetNamedQuery', 'athena:GetQueryExecution',
          'athena:GetQueryResults', 'athena:GetQueryResultsStream', 'athena:GetWorkGroup', 'athena:ListNamedQueries',
          'athena:ListQueryExecutions', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
        Resource: [arn('athena', 'workgroup', a.workGroupName)],
      },
      {
        Effect: 'Allow',
        Action: ['glue:GetDatabase', 'glue:GetPartition', 'glue:GetPartitions', 'glue:GetTable', 'glue:GetTables'],
        Resource: [arn('glue', 'catalog'), arn('glue', 'database', a.databaseName),
          arn('glue', 'table', `${a.databaseName}/anomalies`), arn('glue', 'table', `${a.databaseName}/readings`)],
      },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [stack.resolve(lake.bucket.arnForObjects('anomalies/*')), stack.resolve(lake.bucket.arnForObjects('readings/*'))] },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
        Resource: [stack.resolve(lake.bucket.arnForObjects(`${a.resultsPrefix}*`))],
      },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': ['anomalies/*', 'readings/*', `${a.resultsPrefix}*`] } },
      },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [bucketArn] },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [stack.resolve(lake.encryptionKey.keyArn)] },
    ]));
  });

  test('a pipeline with an analyst granted query access passes the gates', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Test', { env: ENV });
    const jar = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
    fs.writeFileSync(jar, 'stand-in');
    const pipeline = new IotSensorPipeline(stack, 'Iot', { flinkCode: FlinkCode.sqlRunner({ jarPath: jar }) });
    // A role with a customer-managed policy, as the compliance packs want (no inline policy, no AWS-managed policy).
    const analysts = new ManagedPolicyRole(stack, 'Analysts', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantQuery(analysts);
    expectGatesPass(app);
  });

  test.each([
    ['the scan limit is below 10 MB', { bytesScannedCutoffPerQuery: Size.mebibytes(5) }, /bytesScannedCutoffPerQuery must be at least 10,000,000 bytes/],
    ['the results prefix does not end with /', { resultsPrefix: 'results' }, /resultsPrefix must be a non-empty key prefix/],
    ['the results expire in a fraction of a day', { resultsExpiration: Duration.hours(12) }, /resultsExpiration must be a whole number of days/],
    ['the workgroup name has a space', { workGroupName: 'my group' }, /workGroupName must be 1–128 characters/],
  ])('throws when %s', (_name, props, error) => {
    expect(() => analytics(props)).toThrow(error);
  });
});
