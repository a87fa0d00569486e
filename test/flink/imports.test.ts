import { App, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kinesis as kinesis, aws_s3 as s3 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { minimalProps, newStack } from './helpers';
import { FlinkApplication, IFlinkApplication } from '../../lib/flink';

/** The statements of every IAM policy in the template. */
function statements(stack: Stack): any[] {
  const policies = {
    ...Template.fromStack(stack).findResources('AWS::IAM::Policy'),
    ...Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'),
  };
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('FlinkApplication imports', () => {
  test('an import by name is grantable with no role: a grant to it becomes a warning, or fails with a clear error', () => {
    const stack = newStack();
    const imported = FlinkApplication.fromApplicationName(stack, 'Imp', 'legacy');
    iam.Grant.addToPrincipal({ grantee: imported, actions: ['kinesis:PutRecords'], resourceArns: ['*'] });
    expect(imported.grantPrincipal).toBeInstanceOf(iam.UnknownPrincipal);
    // A resource that could fall back to its resource policy says why it cannot.
    const stream = new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.MANAGED });
    expect(() => stream.grantWrite(imported)).toThrow(/imported without a role/);
    expect(statements(stack)).toEqual([]);
    // UnknownPrincipal turns the statement into a synth warning on the import, for the user to add by hand.
    expect(Annotations.fromStack(stack).findWarning('/S/Imp', Match.stringLikeRegexp('kinesis:PutRecords')).length).toBeGreaterThan(0);
    expect(imported.connections.securityGroups).toEqual([]);
  });

  test('an import with its role: grants go to the role', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/flink', { mutable: true });
    const imported: IFlinkApplication = FlinkApplication.fromApplicationAttributes(stack, 'Imp', { applicationName: 'legacy', role });
    new kinesis.Stream(stack, 'Out', { encryption: kinesis.StreamEncryption.MANAGED }).grantWrite(imported);
    expect(imported.grantPrincipal).toBe(role);
    expect(statements(stack).flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { Roles: ['flink'] });
  });

  test('an import by ARN takes its name, account and Region from the ARN', () => {
    const stack = newStack();
    const imported = FlinkApplication.fromApplicationArn(stack, 'Imp', 'arn:aws:kinesisanalytics:us-west-2:210987654321:application/other');
    expect(imported.applicationName).toBe('other');
    expect(imported.env).toEqual({ account: '210987654321', region: 'us-west-2' });
    expect(imported.metricKpus().dimensions).toEqual({ Application: 'other' });
  });

  test('an import with security groups is connectable through them', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0 });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    const imported = FlinkApplication.fromApplicationAttributes(stack, 'Imp', { applicationName: 'legacy', securityGroups: [group] });
    const peer = new ec2.SecurityGroup(stack, 'Peer', { vpc });
    imported.connections.allowTo(peer, ec2.Port.tcp(9092));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(peer.securityGroupId), SourceSecurityGroupId: stack.resolve(group.securityGroupId), FromPort: 9092,
    });
  });

  test('throws when neither applicationName nor applicationArn is given, or when they contradict', () => {
    const stack = newStack();
    expect(() => FlinkApplication.fromApplicationAttributes(stack, 'None', {})).toThrow(/FlinkApplication "S\/None": give applicationName or applicationArn/);
    expect(() => FlinkApplication.fromApplicationAttributes(stack, 'Both', {
      applicationName: 'a', applicationArn: 'arn:aws:kinesisanalytics:eu-west-1:123456789012:application/b',
    })).toThrow(/applicationName "a" contradicts the name in applicationArn "b"/);
  });
});

describe('FlinkApplication as IGrantable and IConnectable', () => {
  test('a grant to the application goes to its role; in a VPC its connections are its security groups', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const application = new FlinkApplication(stack, 'App', minimalProps(stack, { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }));
    const bucket = new s3.Bucket(stack, 'Extra');
    bucket.grantRead(application);
    expect(application.grantPrincipal).toBe(application.role);
    expect(application.connections.securityGroups).toEqual(application.securityGroups);
    expect(application.securityGroups).toHaveLength(1);
    expect(JSON.stringify(statements(stack))).toContain(stack.resolve(bucket.bucketArn)['Fn::GetAtt'][0]);
  });

  test('from another account, the ARN of a named application is its physical ARN (no cross-stack reference)', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer', { env: { account: '111111111111', region: 'eu-west-1' } });
    const application = new FlinkApplication(producer, 'App', minimalProps(producer, { applicationName: 'clicks' }));
    const consumer = new Stack(app, 'Consumer', { env: { account: '222222222222', region: 'eu-west-1' } });
    const arn = consumer.resolve(application.applicationArn);
    expect(JSON.stringify(arn)).toContain(':kinesisanalytics:eu-west-1:111111111111:application/clicks');
    expect(JSON.stringify(arn)).not.toContain('Fn::ImportValue');
  });
});
