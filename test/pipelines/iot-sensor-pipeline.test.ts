import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Size, Stack, aws_ec2 as ec2, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CapacityMode, FlinkCode, IotSensorPipeline, OpenSearchTarget, StreamCapacity } from '../../lib';
import { IOT_RECORDS_PER_SECOND_PER_KPU } from '../../lib/flink/private/sizing';
import { expectGatesPass, gatedApp } from '../support/gates';

const env = { account: '123456789012', region: 'us-east-1' };
const fleet = { devices: 10_000, messagesPerDevicePerSecond: 0.2, averageMessageSize: Size.bytes(600) };

function newStack(app = new App()): Stack {
  return new Stack(app, 'Test', { env });
}

/** The SQL runner from a stand-in jar: the real one is built by `npm run flink:build` and covered by the example stacks. */
const STAND_IN_JAR = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jar-')), 'kinesis-sql-job.jar');
fs.writeFileSync(STAND_IN_JAR, 'stand-in');
function testCode(_stack: Stack): FlinkCode {
  return FlinkCode.sqlRunner({ jarPath: STAND_IN_JAR });
}

describe('IotSensorPipeline', () => {
  test('with no props: on-demand readings, the rule, Flink through an EFO consumer, the data lake, no OpenSearch, a dashboard', () => {
    const stack = newStack();
    const p = new IotSensorPipeline(stack, 'Iot', { flinkCode: testCode(stack) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    t.resourceCountIs('AWS::Kinesis::Stream', 4);
    t.resourceCountIs('AWS::Kinesis::StreamConsumer', 1);
    t.resourceCountIs('AWS::IoT::TopicRule', 1);
    t.resourceCountIs('AWS::KinesisAnalyticsV2::Application', 1);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 4);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(p.searchDelivery).toBeUndefined();
    expect(p.autoscaler).toBeUndefined();
    // The topic rule writes the readings stream; Flink reads it through the consumer the pipeline registered.
    t.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: Match.objectLike({ Actions: [{ Kinesis: Match.objectLike({ StreamName: stack.resolve(p.readings.stream.streamName) }) }] }),
    });
    expect(p.application.sourceConsumer).toBe(p.readings.consumers[0]);
  });

  test('anomalies land partitioned by device and day, aggregates by machine and day', () => {
    const stack = newStack();
    new IotSensorPipeline(stack, 'Iot', { flinkCode: testCode(stack) });
    const t = Template.fromStack(stack);
    const prefixes = Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream'))
      .map((r) => r.Properties.ExtendedS3DestinationConfiguration?.Prefix).filter(Boolean).map((x) => JSON.stringify(x));
    expect(prefixes.some((x) => x.includes('anomalies/device_id=!{partitionKeyFromQuery:device_id}/') && x.includes('day=!{timestamp:dd}'))).toBe(true);
    expect(prefixes.some((x) => x.includes('machine-minutes/machine_id=!{partitionKeyFromQuery:machine_id}/'))).toBe(true);
    expect(prefixes.some((x) => x.startsWith('"raw/'))).toBe(true);
  });

  test('sized from a fleet: the plan of devices × rate × size, the autoscaler on the provisioned stream, Flink sized for the peak', () => {
    const stack = newStack();
    const p = new IotSensorPipeline(stack, 'Iot', { fleet, capacityMode: CapacityMode.PROVISIONED, flinkCode: testCode(stack) });
    const plan = StreamCapacity.plan({ peakRecordsPerSecond: 2000, averageRecordSize: Size.bytes(600), efoConsumers: 1 });
    expect(p.readings.shardCount).toBe(plan.shardCount);
    expect(p.autoscaler).toBeDefined();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: plan.shardCount });
    // The IoT script's planning figure (from bench:flink), each KPU used at most 75 %: a fleet just below one KPU's
    // share needs 1 KPU, one just above 2, and ten times that 10 KPUs.
    const oneKpu = IOT_RECORDS_PER_SECOND_PER_KPU * 0.75;
    const sized = (readingsPerSecond: number) => new IotSensorPipeline(newStack(), 'Iot', {
      fleet: { ...fleet, devices: readingsPerSecond, messagesPerDevicePerSecond: 1 }, flinkCode: testCode(stack),
    }).application.parallelism;
    expect(sized(Math.floor(oneKpu))).toBe(1);
    expect(sized(Math.floor(oneKpu) + 1)).toBe(2);
    expect(sized(Math.floor(oneKpu * 10))).toBe(10);
  });

  test('OpenSearch delivery of anomalies into a new Serverless collection', () => {
    const stack = newStack();
    const p = new IotSensorPipeline(stack, 'Iot', { openSearchTarget: OpenSearchTarget.newCollection({ collectionName: 'iot-anomalies' }), flinkCode: testCode(stack) });
    expect(p.searchDelivery).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::OpenSearchServerless::Collection', { Name: 'iot-anomalies' });
    // Without a VPC the collection is public: the user is told at synth.
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('iot-anomalies is reachable from the internet'));
    expect(warnings.map((w) => w.id)).toEqual(['/Test/Iot/AnomaliesToSearch']);
  });

  test('with openSearchVpc the collection is private: a VPC endpoint only, Firehose in the given subnets, no warning', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const p = new IotSensorPipeline(stack, 'Iot', {
      openSearchTarget: OpenSearchTarget.newCollection({ collectionName: 'iot-private' }),
      openSearchVpc: vpc,
      openSearchVpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      flinkCode: testCode(stack),
    });
    const t = Template.fromStack(stack);
    const [endpointId] = Object.keys(t.findResources('AWS::OpenSearchServerless::VpcEndpoint'));
    t.hasResourceProperties('AWS::OpenSearchServerless::VpcEndpoint', {
      VpcId: stack.resolve(vpc.vpcId),
      SubnetIds: stack.resolve(vpc.isolatedSubnets.map((s) => s.subnetId)),
    });
    const network = Object.values(t.findResources('AWS::OpenSearchServerless::SecurityPolicy')).find((r) => r.Properties.Type === 'network')!;
    const policy = JSON.stringify(network.Properties.Policy);
    expect(policy).toContain('\\"AllowFromPublic\\":false');
    expect(policy).toContain(JSON.stringify({ 'Fn::GetAtt': [endpointId, 'Id'] }));
    expect(policy).not.toContain('\\"AllowFromPublic\\":true');
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      AmazonOpenSearchServerlessDestinationConfiguration: Match.objectLike({
        VpcConfiguration: Match.objectLike({ SubnetIds: stack.resolve(vpc.isolatedSubnets.map((s) => s.subnetId)) }),
      }),
    });
    expect(p.searchDelivery!.securityGroups).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('reachable from the internet'))).toEqual([]);
  });

  test('every alarm of every part notifies the one topic given', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Pager');
    new IotSensorPipeline(stack, 'Iot', { alarmTopic: topic, flinkCode: testCode(stack) });
    const t = Template.fromStack(stack);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(20);
    for (const alarm of alarms) {
      if (alarm.Properties.AlarmActions) expect(alarm.Properties.AlarmActions).toContainEqual(stack.resolve(topic.topicArn));
    }
    t.resourceCountIs('AWS::SNS::Topic', 1);
  });

  describe('bad input', () => {
    test('throws when OpenSearch is enabled without a target', () => {
      expect(() => new IotSensorPipeline(newStack(), 'Iot', { openSearchEnabled: true }))
        .toThrow(/IotSensorPipeline "Test\/Iot": openSearchEnabled is true but no openSearchTarget was given/);
    });
    test('throws when a VPC is given for an OpenSearch delivery that is off, or subnets without a VPC', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
      expect(() => new IotSensorPipeline(stack, 'A', { openSearchVpc: vpc }))
        .toThrow(/IotSensorPipeline "Test\/A": openSearchVpc and openSearchVpcSubnets apply to the OpenSearch delivery, which is off/);
      expect(() => new IotSensorPipeline(stack, 'B', { openSearchTarget: OpenSearchTarget.newCollection(), openSearchVpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
        .toThrow(/IotSensorPipeline "Test\/B": openSearchVpcSubnets needs openSearchVpc/);
    });
    test('throws when the fleet is empty', () => {
      expect(() => new IotSensorPipeline(newStack(), 'Iot', { fleet: { ...fleet, devices: 0 } }))
        .toThrow(/fleet.devices must be a finite number > 0, got 0/);
    });
    test('throws when the anomaly threshold is out of range', () => {
      expect(() => new IotSensorPipeline(newStack(), 'Iot', { anomalySigma: 0.5 })).toThrow(/anomalySigma must be a number in \[1, 10\], got 0.5/);
    });
    test('throws when autoscaling options are given for an on-demand stream', () => {
      expect(() => new IotSensorPipeline(newStack(), 'Iot', { autoscaling: { minShards: 1, maxShards: 4 } }))
        .toThrow(/autoscaling applies to a provisioned readings stream/);
    });
    test('throws when the stats window is not whole minutes within a day', () => {
      expect(() => new IotSensorPipeline(newStack(), 'Iot', { statsWindow: Duration.hours(25) })).toThrow(/statsWindow \(minutes\) must be a whole number from 1 to 1440, got 1500/);
    });
  });

  test('passes the gates with everything on', () => {
    const app = gatedApp();
    const stack = newStack(app);
    new IotSensorPipeline(stack, 'Iot', {
      fleet, openSearchTarget: OpenSearchTarget.newCollection({ collectionName: 'iot-gates' }), flinkCode: testCode(stack),
    });
    expectGatesPass(app);
  });

  test('snapshots: default and fully configured', () => {
    const stack = newStack();
    new IotSensorPipeline(stack, 'Iot', { flinkCode: testCode(stack) });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    const full = newStack();
    new IotSensorPipeline(full, 'Iot', {
      fleet,
      capacityMode: CapacityMode.PROVISIONED,
      retention: Duration.days(3),
      anomalySigma: 4,
      statsWindow: Duration.minutes(30),
      openSearchTarget: OpenSearchTarget.newCollection({ collectionName: 'iot-full' }),
      flinkCode: testCode(full),
      autoscaling: { minShards: 2, maxShards: 40 },
    });
    expect(Template.fromStack(full).toJSON()).toMatchSnapshot();
  });
});
