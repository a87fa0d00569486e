/**
 * Least-privilege checks compare a role's whole policy, not a subset: every statement of every policy attached to the
 * role (inline and customer-managed), each with its actions as a sorted list and its resources as a list, the
 * statements sorted. A test that says "only" then fails when an action or a resource is added.
 */
import { Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export interface NormalStatement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: unknown;
}

const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Every statement granted to `role` in the template, normalised and sorted. */
export function roleStatements(template: Template, stack: Stack, role: iam.IRole): NormalStatement[] {
  const roleRef = JSON.stringify(stack.resolve(role.roleName));
  const attached = (props: any) => list(props.Roles).some((r) => JSON.stringify(r) === roleRef);
  const docs = [
    ...Object.values<any>(template.findResources('AWS::IAM::Policy')).filter((p) => attached(p.Properties)),
    ...Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => attached(p.Properties)),
  ].map((p) => p.Properties.PolicyDocument);
  return docs.flatMap((d) => list(d.Statement) as any[])
    .map((s) => ({
      Effect: s.Effect,
      Action: (list(s.Action) as string[]).slice().sort(),
      Resource: list(s.Resource),
      ...(s.Condition ? { Condition: s.Condition } : {}),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The same list sorted as roleStatements sorts it, for an expected value written in any order. */
export function sortedStatements(statements: NormalStatement[]): NormalStatement[] {
  return statements.map((s) => ({ ...s, Action: s.Action.slice().sort() }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
