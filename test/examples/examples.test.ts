import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClickstreamStack } from '../../examples/clickstream-stack';
import { IotSensorStack } from '../../examples/iot-sensor-stack';
import { StreamExampleStack } from '../../examples/stream-stack';
import { expectGatesPass, gatedApp } from '../support/gates';

// The example stacks deploy this repo's Flink job: `npm test` builds assets/flink/kinesis-sql-job.jar (flink:build)
// before jest runs.
const env = { account: '123456789012', region: 'us-east-1' };
const examples: Array<[string, new (scope: any, id: string, props?: any) => Stack]> = [
  ['IotSensorStack', IotSensorStack],
  ['ClickstreamStack', ClickstreamStack],
  ['StreamExampleStack', StreamExampleStack],
];

describe.each(examples)('%s', (name, StackClass) => {
  test('passes the gates', () => {
    const app = gatedApp();
    new StackClass(app, name, { env });
    expectGatesPass(app);
  });

  test('fits CloudFormation\'s 500 resources with room to grow', () => {
    const app = gatedApp();
    const stack = new StackClass(app, name, { env });
    const count = Object.keys(Template.fromStack(stack).toJSON().Resources).length;
    expect(count).toBeLessThan(250);
  });

  test('snapshot', () => {
    const app = gatedApp();
    const stack = new StackClass(app, name, { env });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

test('the IoT example sizes its stream for 10,000 devices every 5 seconds and scales it', () => {
  const app = gatedApp();
  const stack = new IotSensorStack(app, 'Iot', { env });
  expect(stack.pipeline.readings.plan?.designRecordsPerSecond).toBe(2500);
  expect(stack.pipeline.autoscaler).toBeDefined();
  expect(stack.pipeline.searchDelivery).toBeDefined();
});

test('the clickstream example loads sessions into Redshift Serverless and takes clicks through the API', () => {
  const app = gatedApp();
  const stack = new ClickstreamStack(app, 'Clicks', { env });
  expect(stack.pipeline.warehouseDelivery).toBeDefined();
  expect(stack.pipeline.ingestionApi).toBeDefined();
  Template.fromStack(stack).hasResourceProperties('AWS::RedshiftServerless::Workgroup', { PubliclyAccessible: true });
});

test('the clickstream workgroup: its own security group admits only the Firehose CIDR block on its port; SSL and audit logs on', () => {
  const app = gatedApp();
  const stack = new ClickstreamStack(app, 'Clicks', { env });
  const template = Template.fromStack(stack);
  const workgroup = Object.values(template.findResources('AWS::RedshiftServerless::Workgroup'))[0].Properties;
  expect(workgroup.ConfigParameters).toContainEqual({ ParameterKey: 'require_ssl', ParameterValue: 'true' });
  expect(workgroup.SubnetIds).toHaveLength(3);
  expect(workgroup.SecurityGroupIds).toHaveLength(1);
  const sgId = workgroup.SecurityGroupIds[0]['Fn::GetAtt'][0];
  const sg = template.toJSON().Resources[sgId].Properties;
  const ingress = [
    ...(sg.SecurityGroupIngress ?? []),
    ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(sgId)),
  ];
  // us-east-1's Firehose block (RegionInfo), on the workgroup's default port, and nothing else.
  expect(ingress).toEqual([expect.objectContaining({ CidrIp: '52.70.63.192/27', FromPort: 5439, ToPort: 5439, IpProtocol: 'tcp' })]);
  template.hasResourceProperties('AWS::RedshiftServerless::Namespace', { LogExports: ['connectionlog', 'userlog'] });
  template.hasResource('AWS::RedshiftServerless::Namespace', { DeletionPolicy: 'RetainExceptOnCreate' });
});
