import { App, Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { S3DataLakeDelivery } from '../../lib';

const MAPPING = 'awscdkawskinesisfirehoseCidrBlocks';

describe('the Firehose CIDR block mapping', () => {
  test('a stack without a Region carries no mapping when nothing uses the Firehose CIDR block', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new S3DataLakeDelivery(stack, 'Readings');
    expect(Template.fromStack(stack).toJSON().Mappings).toBeUndefined();
  });

  test('a security group rule from the delivery, made after it, renders the mapping it looks the block up in', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const delivery = new S3DataLakeDelivery(stack, 'Readings');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
    const warehouse = new ec2.SecurityGroup(stack, 'Warehouse', { vpc });
    warehouse.connections.allowFrom(delivery, ec2.Port.tcp(5439));

    const template = Template.fromStack(stack);
    expect(template.toJSON().Mappings[MAPPING]['us-east-1']).toEqual({ FirehoseCidrBlock: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/) });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: { 'Fn::FindInMap': [MAPPING, { Ref: 'AWS::Region' }, 'FirehoseCidrBlock'] }, FromPort: 5439 }],
    });
  });

  test('a stack in a known Region gets the block itself and no mapping', () => {
    const stack = new Stack(new App(), 'Virginia', { env: { region: 'us-east-1' } });
    const delivery = new S3DataLakeDelivery(stack, 'Readings');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1 });
    new ec2.SecurityGroup(stack, 'Warehouse', { vpc }).connections.allowFrom(delivery, ec2.Port.tcp(5439));

    const template = Template.fromStack(stack);
    expect(template.toJSON().Mappings).toBeUndefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '52.70.63.192/27', FromPort: 5439 }],
    });
  });
});
