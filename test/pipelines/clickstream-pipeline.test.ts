import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Size, Stack, Validations, aws_ec2 as ec2, aws_redshiftserverless as rss, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CapacityMode, ClickstreamPipeline, FlinkCode, RedshiftTarget, StreamCapacity } from '../../lib';
import { CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU } from '../../lib/flink/private/sizing';
import { expectGatesPass, gatedApp } from '../support/gates';
import { roleStatements, sortedStatements } from '../support/iam';

const env = { account: '123456789012', region: 'us-east-1' };
const profile = { peakRecordsPerSecond: 5000, averageRecordSize: Size.kibibytes(1) };

/** The SQL runner from a stand-in jar: the real one is built by `npm run flink:build` and covered by the example stacks. */
const STAND_IN_JAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
fs.writeFileSync(STAND_IN_JAR, 'stand-in');
/** A FlinkCode binds to one stack: a new one per pipeline. */
const code = (): FlinkCode => FlinkCode.sqlRunner({ jarPath: STAND_IN_JAR });

function newStack(app = new App()): Stack {
  return new Stack(app, 'Test', { env });
}

function warehouse(stack: Stack): { target: RedshiftTarget; secret: secretsmanager.Secret } {
  const namespace = new rss.CfnNamespace(stack, 'Namespace', { namespaceName: 'clicks' });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'WarehouseSg', 'sg-0123456789abcdef0');
  const workgroup = new rss.CfnWorkgroup(stack, 'Workgroup', {
    workgroupName: 'clicks', namespaceName: namespace.namespaceName, publiclyAccessible: true, securityGroupIds: [securityGroup.securityGroupId],
  });
  const secret = new secretsmanager.Secret(stack, 'Loader', { generateSecretString: { secretStringTemplate: '{"username":"loader"}', generateStringKey: 'password' } });
  return { target: RedshiftTarget.fromWorkgroup(workgroup, { securityGroup }), secret };
}

describe('ClickstreamPipeline', () => {
  test('sizes the clicks stream for the peak with its two EFO consumers and the raw archive', () => {
    const stack = newStack();
    const p = new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code() });
    const plan = StreamCapacity.plan({ ...profile, efoConsumers: 2, sharedThroughputConsumers: 1 });
    expect(p.clicks.plan).toEqual(plan);
    expect(p.clicks.consumers).toHaveLength(2);
    expect(p.application.sourceConsumer).toBe(p.clicks.consumers[0]);
    expect(p.sessions.consumer).toBe(p.clicks.consumers[1]);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: plan.shardCount });
    // the session consumer reads through its EFO consumer
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: stack.resolve(p.clicks.consumers[1].streamConsumerArn) });
    expect(p.autoscaler).toBeDefined();
    expect(p.warehouseDelivery).toBeUndefined();
    expect(p.ingestionApi).toBeUndefined();
  });

  test('Flink is sized for the profile\'s peak at the clickstream script\'s planning figure, each KPU used at most 75 %', () => {
    const oneKpu = CLICKSTREAM_RECORDS_PER_SECOND_PER_KPU * 0.75;
    const sized = (peakRecordsPerSecond: number) => new ClickstreamPipeline(newStack(), 'Clicks', {
      profile: { ...profile, peakRecordsPerSecond }, flinkCode: code(),
    }).application.parallelism;
    expect(sized(Math.floor(oneKpu))).toBe(1);
    expect(sized(Math.floor(oneKpu) + 1)).toBe(2);
    expect(sized(Math.floor(oneKpu * 5))).toBe(5);
  });

  test('Flink ranks the top N products in 5-minute windows sliding every minute, into the insights stream', () => {
    const stack = newStack();
    const p = new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code(), topProducts: 20 });
    const t = Template.fromStack(stack);
    const app = Object.values(t.findResources('AWS::KinesisAnalyticsV2::Application'))[0];
    const groups = app.Properties.ApplicationConfiguration.EnvironmentProperties.PropertyGroups;
    const params = groups.find((g: any) => g.PropertyGroupId === 'SqlParameters').PropertyMap;
    expect(params).toEqual(expect.objectContaining({ 'top.n': '20', 'top.window.minutes': '5', 'top.slide.minutes': '1' }));
    expect(JSON.stringify(params)).toContain(JSON.stringify(stack.resolve(p.insights.stream.streamArn)).slice(1, -1));
  });

  test('session summaries go to Redshift through their own stream when a warehouse is given', () => {
    const stack = newStack();
    const { target, secret } = warehouse(stack);
    const p = new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code(), redshiftTarget: target, redshiftCredentials: secret });
    expect(p.warehouseDelivery).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: Match.objectLike({ KinesisStreamARN: stack.resolve(p.sessionSummaries.stream.streamArn) }),
      RedshiftDestinationConfiguration: Match.objectLike({
        CopyCommand: Match.objectLike({ DataTableName: 'session_summaries', DataTableColumns: ClickstreamPipeline.SESSION_SUMMARY_COLUMNS.join(',') }),
      }),
    });
  });

  test('the optional ingestion API and a producer role that may only put clicks', () => {
    const stack = newStack();
    const p = new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code(), ingestionApiEnabled: true, ingestionApi: { throttlingRateLimit: 200 } });
    expect(p.ingestionApi).toBeDefined();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 200 })] });
    // the producer role's whole policy
    expect(roleStatements(t, stack, p.producerRole)).toEqual(sortedStatements([
      { Effect: 'Allow', Action: ['kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'], Resource: [stack.resolve(p.clicks.stream.streamArn)] },
    ]));
  });

  test('on-demand clicks stream has no autoscaler', () => {
    const stack = newStack();
    const p = new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code(), capacityMode: CapacityMode.ON_DEMAND });
    expect(p.autoscaler).toBeUndefined();
  });

  describe('bad input', () => {
    test('throws when Redshift is enabled without a target or credentials', () => {
      expect(() => new ClickstreamPipeline(newStack(), 'Clicks', { profile, redshiftEnabled: true }))
        .toThrow(/ClickstreamPipeline "Test\/Clicks": redshiftEnabled is true but no redshiftTarget was given/);
      const stack = newStack();
      const { target } = warehouse(stack);
      expect(() => new ClickstreamPipeline(stack, 'Clicks', { profile, redshiftTarget: target })).toThrow(/redshiftTarget needs redshiftCredentials/);
    });
    test('throws when the profile plans more EFO consumers than the quota', () => {
      expect(() => new ClickstreamPipeline(newStack(), 'Clicks', { profile: { ...profile, efoConsumers: 21 } }))
        .toThrow(/profile.efoConsumers must be at most 20/);
    });
    test('throws when topProducts is out of range', () => {
      expect(() => new ClickstreamPipeline(newStack(), 'Clicks', { profile, topProducts: 0 })).toThrow(/topProducts must be a whole number from 1 to 100, got 0/);
    });
    test('throws when API options are given without the API', () => {
      expect(() => new ClickstreamPipeline(newStack(), 'Clicks', { profile, ingestionApi: { throttlingRateLimit: 5 } })).toThrow(/ingestionApi options are given but ingestionApiEnabled is not true/);
    });
    test('throws when autoscaling options are given for an on-demand stream', () => {
      expect(() => new ClickstreamPipeline(newStack(), 'Clicks', { profile, capacityMode: CapacityMode.ON_DEMAND, autoscaling: { minShards: 1, maxShards: 2 } }))
        .toThrow(/autoscaling applies to a provisioned clicks stream/);
    });
  });

  test('passes the gates with everything on', () => {
    const app = gatedApp();
    const stack = newStack(app);
    const { target, secret } = warehouse(stack);
    new ClickstreamPipeline(stack, 'Clicks', {
      profile, flinkCode: code(), redshiftTarget: target, redshiftCredentials: secret, ingestionApiEnabled: true,
    });
    // The example's Redshift and its secret are the user's, not the pipeline's: acknowledged here, in the test.
    Validations.of(stack.node.findChild('Loader')).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: 'test secret' }, { id: 'NIST.800.53.R5-SecretsManagerRotationEnabled', reason: 'test secret' },
      { id: 'HIPAA.Security-SecretsManagerRotationEnabled', reason: 'test secret' }, { id: 'PCI.DSS.321-SecretsManagerRotationEnabled', reason: 'test secret' },
      { id: 'NIST.800.53.R5-SecretsManagerUsingKMSKey', reason: 'test secret' }, { id: 'HIPAA.Security-SecretsManagerUsingKMSKey', reason: 'test secret' },
      { id: 'PCI.DSS.321-SecretsManagerUsingKMSKey', reason: 'test secret' },
    );
    expectGatesPass(app);
  });

  test('snapshots: default and fully configured', () => {
    const stack = newStack();
    new ClickstreamPipeline(stack, 'Clicks', { profile, flinkCode: code() });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    const full = newStack();
    const { target, secret } = warehouse(full);
    new ClickstreamPipeline(full, 'Clicks', {
      profile: { ...profile, retention: Duration.days(2) },
      capacityMode: CapacityMode.PROVISIONED,
      flinkCode: code(),
      topProducts: 25,
      sessionInactivityGap: Duration.minutes(20),
      redshiftTarget: target,
      redshiftCredentials: secret,
      redshiftTable: 'web.sessions',
      ingestionApiEnabled: true,
      autoscaling: { minShards: 2, maxShards: 20 },
    });
    expect(Template.fromStack(full).toJSON()).toMatchSnapshot();
  });
});
