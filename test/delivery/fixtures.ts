import { Stack, aws_ec2 as ec2, aws_kinesis as kinesis, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';

export const ENV = { account: '123456789012', region: 'us-east-1' };

/** An existing KMS-encrypted stream, as a delivery reads it. */
export function importedStream(stack: Stack): kinesis.IStream {
  return kinesis.Stream.fromStreamAttributes(stack, 'Source', {
    streamArn: `arn:aws:kinesis:${ENV.region}:${ENV.account}:stream/readings`,
    encryptionKey: kms.Key.fromKeyArn(stack, 'SourceKey', `arn:aws:kms:${ENV.region}:${ENV.account}:key/11111111-2222-3333-4444-555555555555`),
  });
}

/** An existing secret with the Redshift user's credentials. */
export function importedSecret(stack: Stack): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, 'Credentials', `arn:aws:secretsmanager:${ENV.region}:${ENV.account}:secret:firehose-user-AbCdEf`);
}

/** An existing VPC with two private subnets. */
export function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.0.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
  });
}
