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
    const { stack, a } = analytics();
    a.addTable('anomalies', 'anomalies/');
    const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    a.grantQuery(role);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0] as any;
    const statements: any[] = stack.resolve(policy.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['athena:StartQueryExecution', 'glue:GetTable', 's3:GetObject', 's3:ListBucket', 'kms:Decrypt']));
    // Read only: nothing that writes or deletes, except the results prefix (Athena writes results as the caller).
    const writes = statements.filter((s) => [s.Action].flat().some((x: string) => /Put|Delete|Create|Update/.test(x)));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0].Resource)).toContain(`/${a.resultsPrefix}*`);
    const objects = statements.find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(objects.Resource)).toContain('/anomalies/*');
    expect(JSON.stringify(statements)).not.toMatch(/"glue:\*"|"s3:\*"|"athena:\*"/);
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
