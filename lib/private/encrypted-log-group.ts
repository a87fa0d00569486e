import { ArnFormat, Duration, RemovalPolicy, Stack, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface EncryptedLogGroupOptions {
  /** @default - a new customer-managed key with rotation, usable by CloudWatch Logs in this Region */
  readonly encryptionKey?: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly retention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Log groups are created explicitly, with retention and KMS encryption (never through the log-retention helper Lambda).
 * Returns the log group; the key, when created here, is its child `Key`.
 */
export function encryptedLogGroup(scope: Construct, id: string, options: EncryptedLogGroupOptions = {}): logs.LogGroup {
  const container = new Construct(scope, id);
  const key = options.encryptionKey ?? logsKey(container, 'Key');
  return new logs.LogGroup(container, 'Resource', {
    encryptionKey: key,
    retention: options.retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
  });
}

/** A rotating customer-managed key that CloudWatch Logs in this account and Region may use. */
export function logsKey(scope: Construct, id: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    enableKeyRotation: true,
    description: `Encrypts the logs of ${scope.node.path}`,
    removalPolicy: RemovalPolicy.RETAIN,
    pendingWindow: Duration.days(30),
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  return key;
}
