import { ArnFormat, Stack, aws_iam as iam, aws_logs as logs, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { acknowledgeWildcardResource } from '../../private/compliance';
import { ManagedPolicyRole } from '../../private/managed-policy-role';

/**
 * The role Firehose assumes for one delivery stream: trusted by firehose.amazonaws.com only when the call carries this
 * account as external id (the confused-deputy guard of the Firehose documentation), permissions in a customer-managed
 * policy.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#firehose-assume-role
 */
export function createDeliveryRole(scope: Construct, id: string, description: string): iam.Role {
  return new ManagedPolicyRole(scope, id, {
    assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
      conditions: { StringEquals: { 'sts:ExternalId': Stack.of(scope).account } },
    }),
    description,
  });
}

/** Where the objects of one bucket may be written: the static part of each prefix (before the first expression). */
function staticPart(prefix: string | undefined): string {
  if (!prefix) return '';
  const at = prefix.indexOf('!{');
  return at < 0 ? prefix : prefix.slice(0, at);
}

/**
 * The least-privilege statements of one delivery role, collected while the destination is rendered. S3 access is the
 * Firehose documentation's list (no delete), limited to the prefixes the delivery writes; KMS use of a bucket key is
 * limited to S3 in this Region and to that bucket's encryption context.
 * @see https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
 */
export class DeliveryPermissions {
  /** The policies holding the statements, for the delivery stream to depend on (Firehose checks access at creation). */
  public readonly dependables: IDependable[] = [];
  private readonly objectStatements = new Map<s3.IBucket, { statement: iam.PolicyStatement; bases: Set<string> }>();
  private readonly putOnlyStatements = new Map<s3.IBucket, { statement: iam.PolicyStatement; bases: Set<string> }>();
  private readonly buckets = new Set<s3.IBucket>();

  constructor(public readonly role: iam.IRole) {}

  /** Writes (and reads back, for Redshift COPY) objects under `prefixes` of `bucket`. */
  public allowS3Write(bucket: s3.IBucket, ...prefixes: (string | undefined)[]): void {
    this.allowObjects(this.objectStatements, ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'], bucket, prefixes,
      (base) => `Firehose names the objects it writes itself (timestamps, partition values, a random suffix): access is limited to the prefix "${base}" this delivery writes, without delete`);
  }

  /** Writes objects under `prefixes` of `bucket` without reading them back (error manifests, error output). */
  public allowS3PutOnly(bucket: s3.IBucket, ...prefixes: (string | undefined)[]): void {
    this.allowObjects(this.putOnlyStatements, ['s3:AbortMultipartUpload', 's3:PutObject'], bucket, prefixes,
      (base) => `Firehose names the objects it writes itself: writes only (no read, no delete), limited to the prefix "${base}"`);
  }

  private allowObjects(statements: Map<s3.IBucket, { statement: iam.PolicyStatement; bases: Set<string> }>, actions: string[],
    bucket: s3.IBucket, prefixes: (string | undefined)[], reason: (base: string) => string): void {
    const first = !this.buckets.has(bucket);
    this.buckets.add(bucket);
    if (first) {
      this.add(new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }));
    }
    let entry = statements.get(bucket);
    if (!entry) {
      entry = { statement: new iam.PolicyStatement({ actions }), bases: new Set() };
      statements.set(bucket, entry);
      this.add(entry.statement);
    }
    if (first) this.allowBucketKey(bucket);
    for (const prefix of prefixes) {
      const base = staticPart(prefix);
      if (entry.bases.has(base)) continue;
      entry.bases.add(base);
      const arn = bucket.arnForObjects(`${base}*`);
      entry.statement.addResources(arn);
      if (this.role instanceof Construct) acknowledgeWildcardResource(this.role, arn, reason(base));
    }
  }

  /** Use of the bucket's key, limited to S3 in this Region and to that bucket's encryption context. */
  private allowBucketKey(bucket: s3.IBucket): void {
    if (!bucket.encryptionKey) return;
    const region = Stack.of(bucket).region;
    this.add(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [bucket.encryptionKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')] },
      },
    }));
  }

  /** Puts events into the given streams of an error log group (never creates streams or groups). */
  public allowLogStreams(logGroup: logs.ILogGroup, streamNames: string[]): void {
    const stack = Stack.of(logGroup);
    this.add(new iam.PolicyStatement({
      actions: ['logs:PutLogEvents'],
      resources: streamNames.map((name) => stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: `${logGroup.logGroupName}:log-stream:${name}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })),
    }));
  }

  /** Adds one statement to the role's policy and records what the delivery stream must wait for. */
  public add(statement: iam.PolicyStatement): void {
    const result = this.role.addToPrincipalPolicy(statement);
    if (result.policyDependable) this.dependables.push(result.policyDependable);
  }
}
