import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Compliance in one place: the cdk-nag rule packs every construct of this library is checked against, the rules it
 * acknowledges findings of, the format of a finding id, and the one way to acknowledge a finding.
 *
 * An acknowledgement is construct metadata (`Validations.of(scope).acknowledge`), never a template change; its reason
 * states the fact that makes the finding harmless for this resource, so that a reviewer can check it.
 * @see https://github.com/cdklabs/cdk-nag/blob/main/RULES.md
 */

/** The cdk-nag packs, by the prefix they give their finding ids. */
export const NagPack = {
  AWS_SOLUTIONS: 'AwsSolutions',
  NIST_800_53_R5: 'NIST.800.53.R5',
  HIPAA_SECURITY: 'HIPAA.Security',
  PCI_DSS_321: 'PCI.DSS.321',
  SERVERLESS: 'Serverless',
} as const;

export type NagPackName = typeof NagPack[keyof typeof NagPack];

/** The three compliance packs, which share many rule names (`<pack>-LambdaInsideVPC`, ...) but not all. */
const COMPLIANCE_PACKS: readonly NagPackName[] = [NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY, NagPack.PCI_DSS_321];

/** A rule as cdk-nag names it, with the packs that raise a finding of it. */
export interface NagRule {
  readonly name: string;
  readonly packs: readonly NagPackName[];
}

function rule(name: string, ...packs: NagPackName[]): NagRule {
  return { name, packs };
}

/**
 * Every rule this library acknowledges a finding of, with the packs of cdk-nag 3 that raise it (test/nag/compliance.test.ts
 * checks the lists against the packs).
 */
export const NagRules = {
  /** Wildcard actions or resources; the finding id names which (`[Resource::...]`, `[Action::...]`). */
  IAM_WILDCARD: rule('IAM5', NagPack.AWS_SOLUTIONS),
  /** Kinesis stream encrypted with a customer-managed key rather than `alias/aws/kinesis`. */
  KINESIS_STREAM_CMK: rule('KDS3', NagPack.AWS_SOLUTIONS),
  /** Firehose delivery stream without server-side encryption. */
  FIREHOSE_ENCRYPTION: rule('KDF1', NagPack.AWS_SOLUTIONS),
  /** Lambda function not on the latest runtime. */
  LAMBDA_LATEST_RUNTIME: rule('L1', NagPack.AWS_SOLUTIONS),
  /** Lambda function not on the latest runtime (Serverless pack). */
  LAMBDA_LATEST_VERSION: rule('LambdaLatestVersion', NagPack.SERVERLESS),
  /** REST API without a Cognito user pool authorizer. */
  API_COGNITO_AUTHORIZER: rule('COG4', NagPack.AWS_SOLUTIONS),
  /** REST API stage without a WAF web ACL (AwsSolutions' name). */
  API_WAF: rule('APIG3', NagPack.AWS_SOLUTIONS),
  /** REST API stage without a WAF web ACL (the compliance packs' name). */
  API_ASSOCIATED_WITH_WAF: rule('APIGWAssociatedWithWAF', NagPack.NIST_800_53_R5, NagPack.PCI_DSS_321),
  /** REST API stage without an encrypted cache. */
  API_CACHE: rule('APIGWCacheEnabledAndEncrypted', ...COMPLIANCE_PACKS),
  /** REST API stage without a client certificate for its backend. */
  API_CLIENT_CERTIFICATE: rule('APIGWSSLEnabled', ...COMPLIANCE_PACKS),
  /** DynamoDB table outside an AWS Backup plan. */
  DYNAMODB_BACKUP_PLAN: rule('DynamoDBInBackupPlan', NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY),
  /** S3 bucket encrypted with SSE-S3 rather than SSE-KMS. */
  S3_KMS_ENCRYPTION: rule('S3DefaultEncryptionKMS', ...COMPLIANCE_PACKS),
  /** S3 bucket without cross-Region replication. */
  S3_REPLICATION: rule('S3BucketReplicationEnabled', ...COMPLIANCE_PACKS),
  /** Lambda function outside a VPC. */
  LAMBDA_IN_VPC: rule('LambdaInsideVPC', ...COMPLIANCE_PACKS),
  /** Lambda function without a dead-letter queue. */
  LAMBDA_DLQ: rule('LambdaDLQ', NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY, NagPack.SERVERLESS),
  /** Lambda function without an on-failure destination for asynchronous invocations. */
  LAMBDA_FAILURE_DESTINATION: rule('LambdaAsyncFailureDestination', NagPack.SERVERLESS),
  /** Lambda function without reserved concurrency. */
  LAMBDA_CONCURRENCY: rule('LambdaConcurrency', NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY),
  /** CloudWatch alarm without an alarm action. */
  ALARM_ACTION: rule('CloudWatchAlarmAction', NagPack.NIST_800_53_R5, NagPack.HIPAA_SECURITY),
  /** EventBridge rule target without a dead-letter queue. */
  EVENT_TARGET_DLQ: rule('EventBusDLQ', NagPack.SERVERLESS),
} as const;

/** A finding id as cdk-nag reports it: `<pack>-<rule>`, with `[<detail>]` for the rules that name what they flag. */
export function findingId(pack: NagPackName, nagRule: NagRule, detail?: string): string {
  return `${pack}-${nagRule.name}${detail === undefined ? '' : `[${detail}]`}`;
}

/**
 * Acknowledges the finding of `nagRule` on `scope` (and its children) in every pack that raises it, with one reason: the
 * fact that makes the finding harmless here.
 */
export function acknowledgeFinding(scope: IConstruct, nagRule: NagRule, reason: string, detail?: string): void {
  for (const pack of nagRule.packs) {
    Validations.of(scope).acknowledge({ id: findingId(pack, nagRule, detail), reason });
  }
}

/**
 * Acknowledges the one wildcard-resource finding (AwsSolutions-IAM5) that `resourceArn` produces in a policy of `scope`
 * (a role: its managed policy is a child, so the acknowledgement covers it). The id names the resource as cdk-nag
 * renders it from the template, so it is computed from the ARN rather than typed.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  acknowledgeFinding(scope, NagRules.IAM_WILDCARD, reason, `Resource::${renderedValue(Stack.of(scope).resolve(resourceArn))}`);
}

/** Acknowledges the wildcard-action finding (AwsSolutions-IAM5) of `action` (such as `kms:GenerateDataKey*`) on `scope`. */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  acknowledgeFinding(scope, NagRules.IAM_WILDCARD, reason, `Action::${action}`);
}

/**
 * A resolved CloudFormation value as cdk-nag writes it in finding ids: `Ref` and `Fn::GetAtt` as `<Name>` and
 * `<Name.Attribute>`, `Fn::Join` joined, `${...}` of `Fn::Sub` as `<...>`.
 */
export function renderedValue(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    if (obj['Fn::Join']) {
      const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
      return items.map(renderedValue).join(delimiter);
    }
    if (obj['Fn::Sub']) return renderedValue(obj['Fn::Sub']);
    if (obj['Fn::GetAtt']) {
      const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
      return `<${renderedValue(resource)}.${renderedValue(attribute)}>`;
    }
    if (obj['Fn::ImportValue']) return renderedValue(obj['Fn::ImportValue']);
    if (obj.Ref) return `<${renderedValue(obj.Ref)}>`;
  }
  return JSON.stringify(node);
}
