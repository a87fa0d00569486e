import { aws_iam as iam } from 'aws-cdk-lib';

/**
 * A role whose permissions all live in one customer-managed policy (`AWS::IAM::ManagedPolicy`) attached to it.
 *
 * This is how the library settles the conflict between cdk-nag's AwsSolutions-IAM4 (no AWS-managed policies) and the
 * compliance packs' IAMNoInlinePolicy (no inline policies): every role the library creates uses neither. Grants made
 * through any aws-cdk-lib L2 (`stream.grantRead(role)`, event sources, log groups) land in the managed policy because
 * `addToPrincipalPolicy` is routed there.
 */
export class ManagedPolicyRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.managedPolicy) {
      this.managedPolicy = new iam.ManagedPolicy(this, 'Policy', {
        description: `Permissions of ${this.node.path}`,
        roles: [this],
      });
    }
    this.managedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.managedPolicy };
  }
}
