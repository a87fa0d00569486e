import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges the one AwsSolutions-IAM5 finding a wildcard resource produces, on `scope` (a role: its managed policy
 * is a child, so the acknowledgement covers it). The finding names the resource as cdk-nag flattens it
 * (`<Logical.Arn>/prefix/*`), so the id is computed from the resolved ARN rather than typed.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = flatten(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}

/** The flat form cdk-nag gives a CloudFormation value in its finding ids. */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    if (obj['Fn::Join']) {
      const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (obj['Fn::Sub']) return flatten(obj['Fn::Sub']);
    if (obj['Fn::GetAtt']) {
      const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (obj['Fn::ImportValue']) return flatten(obj['Fn::ImportValue']);
    if (obj.Ref) return `<${flatten(obj.Ref)}>`;
  }
  return JSON.stringify(node);
}
