import * as path from 'node:path';
import { CfnResource, Duration, aws_ec2 as ec2, aws_iam as iam, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NagRules, acknowledgeFinding } from './compliance';
import { encryptedLogGroup } from './encrypted-log-group';
import { ManagedPolicyRole } from './managed-policy-role';

/** Where `npm run bundle:lambda` puts lambda/<name>/handler.ts, relative to this file (lib/private or build/private). */
export const LAMBDA_ASSETS = path.join(__dirname, '..', '..', 'assets', 'lambda');

export interface NodeFunctionOptions {
  /** Folder name under lambda/ (and assets/lambda/). */
  readonly handlerName: string;
  readonly description: string;
  readonly environment?: Record<string, string>;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - no reservation */
  readonly reservedConcurrentExecutions?: number;
  /** @default - not in a VPC (the handler calls only AWS APIs) */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Async invocations that fail go here. @default - none */
  readonly onFailure?: lambda.IDestination;
  /** @default 2 */
  readonly retryAttempts?: number;
  /**
   * Why failed invocations need no dead-letter queue or async failure destination (how this function is invoked and
   * where a failure surfaces). Acknowledges the packs' LambdaDLQ and LambdaAsyncFailureDestination findings with it.
   * @default - not acknowledged (give `onFailure`, or the findings stand)
   */
  readonly noDeadLetterQueueReason?: string;
  /**
   * Why the function has no reserved concurrency, when it has none. Acknowledges LambdaConcurrency with it.
   * @default - not acknowledged
   */
  readonly noReservedConcurrencyReason?: string;
}

/**
 * The one way the library creates a Lambda function: Node.js 22 on arm64, the esbuild bundle of lambda/<name>/,
 * X-Ray tracing, an explicit KMS-encrypted log group with retention, and a role whose permissions live in a
 * customer-managed policy. Acknowledgements that hold for every such function are made here, once.
 */
export class NodeFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, options: NodeFunctionOptions) {
    super(scope, id);
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: options.description,
    });
    this.logGroup = encryptedLogGroup(this, 'LogGroup', { retention: options.logRetention });
    this.logGroup.grantWrite(this.role);
    if (options.vpc) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
      acknowledgeFinding(this.role, NagRules.IAM_WILDCARD,
        'Lambda needs ec2:*NetworkInterface* on all resources to attach to its VPC; these actions support no resource-level restriction',
        'Resource::*');
    }
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(LAMBDA_ASSETS, options.handlerName)),
      description: options.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      timeout: options.timeout ?? Duration.minutes(1),
      memorySize: options.memorySize ?? 256,
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      tracing: lambda.Tracing.ACTIVE,
      vpc: options.vpc,
      vpcSubnets: options.vpcSubnets,
      onFailure: options.onFailure,
      retryAttempts: options.retryAttempts,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: options.handlerName,
        ...options.environment,
      },
    });
    if (!options.vpc) {
      acknowledgeFinding(this.function, NagRules.LAMBDA_IN_VPC, 'A Lambda function accepts no inbound network connection, '
        + 'in a VPC or not, and this one reaches only AWS service endpoints, over TLS with IAM-signed requests: a VPC would add NAT '
        + 'or endpoint cost without narrowing who can reach it or its data. Pass vpc to place it in one');
    }
    if (options.noDeadLetterQueueReason && !options.onFailure) {
      acknowledgeFinding(this.function, NagRules.LAMBDA_DLQ, options.noDeadLetterQueueReason);
      acknowledgeFinding(this.function, NagRules.LAMBDA_FAILURE_DESTINATION, options.noDeadLetterQueueReason);
    }
    if (options.noReservedConcurrencyReason && options.reservedConcurrentExecutions === undefined) {
      acknowledgeFinding(this.function, NagRules.LAMBDA_CONCURRENCY, options.noReservedConcurrencyReason);
    }
    const runtime = 'Node.js 24 (LTS) is the runtime every function of this library is built and tested for; it moves to the next '
      + 'LTS here, in NodeFunction, once';
    acknowledgeFinding(this.function, NagRules.LAMBDA_LATEST_RUNTIME, runtime);
    acknowledgeFinding(this.function, NagRules.LAMBDA_LATEST_VERSION, runtime);
    // cfn-lint W3005: lambda.Function makes the function depend on its whole role construct (so that the role's managed
    // policy exists before it runs); the part of that DependsOn naming the role itself repeats the GetAtt of the role ARN.
    (this.function.node.defaultChild as CfnResource).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });

    // X-Ray writes need a wildcard resource: the service has no resource-level permissions.
    acknowledgeFinding(this.role, NagRules.IAM_WILDCARD,
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions', 'Resource::*');
  }
}
