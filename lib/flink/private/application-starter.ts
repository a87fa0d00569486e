import * as crypto from 'node:crypto';
import { CustomResource, Duration, Lazy, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NodeFunction } from '../../private/node-function';

/** The handler folder under lambda/ (and assets/lambda/). */
export const CONTROL_HANDLER = 'flink-app-control';
/** CloudFormation type of the start/stop custom resource. */
export const START_RESOURCE_TYPE = 'Custom::FlinkApplicationStart';
const CONTROL_FUNCTION_ID = 'FlinkApplicationControl';

export interface ApplicationStarterProps {
  readonly applicationName: string;
  readonly applicationArn: string;
  readonly allowNonRestoredState: boolean;
  /** The application's CloudFormation properties; a change re-runs the start (and the wait for RUNNING). */
  readonly configuration: object;
}

/**
 * Starts a Managed Flink application after each deploy that changed it (restoring the latest snapshot when there is
 * one), waits until it is RUNNING, and stops it (waiting until READY) when the resource is deleted.
 *
 * One Lambda function per stack (`FlinkApplicationControl`, a NodeFunction) serves every application of the stack; it
 * answers CloudFormation itself, so there is no provider framework (no Step Functions, no extra functions).
 */
export class ApplicationStarter extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ApplicationStarterProps) {
    super(scope, id);
    const control = controlFunction(scope);
    control.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'kinesisanalytics:DescribeApplication', 'kinesisanalytics:StartApplication', 'kinesisanalytics:StopApplication',
        'kinesisanalytics:ListApplicationSnapshots',
      ],
      resources: [props.applicationArn],
    }));
    const stack = Stack.of(this);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: control.function.functionArn,
      resourceType: START_RESOURCE_TYPE,
      // The handler answers before its 15-minute timeout; this only bounds a crash of the function.
      serviceTimeout: Duration.minutes(20),
      properties: {
        ApplicationName: props.applicationName,
        AllowNonRestoredState: props.allowNonRestoredState,
        ConfigurationHash: Lazy.string({
          produce: () => crypto.createHash('sha256').update(JSON.stringify(stack.resolve(props.configuration))).digest('hex').slice(0, 32),
        }),
      },
    });
    // The grant above lands in the function role's policy, which the function (and so this resource) already waits for.
  }
}

/** The stack's one control function, created on first use. */
function controlFunction(scope: Construct): NodeFunction {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(CONTROL_FUNCTION_ID);
  if (existing) return existing as NodeFunction;
  const fn = new NodeFunction(stack, CONTROL_FUNCTION_ID, {
    handlerName: CONTROL_HANDLER,
    description: 'Starts the Managed Flink applications of this stack after deploy (restoring their latest snapshot) and stops them on delete',
    timeout: Duration.minutes(15),
    memorySize: 256,
    // CloudFormation invokes it asynchronously; a retry would answer twice. The handler always answers, and a crash is
    // bounded by the custom resource's service timeout.
    retryAttempts: 0,
    noDeadLetterQueueReason: 'CloudFormation invokes this function asynchronously and waits for its answer on the pre-signed ResponseURL; the '
      + 'handler answers on every path, errors included, and a lost invocation surfaces as the custom resource failing after its '
      + 'service timeout. A dead-letter queue would hold CloudFormation requests that nobody can replay',
    noReservedConcurrencyReason: 'Invoked only by CloudFormation, once per deploy of each Flink application of the stack; reserving '
      + 'concurrency would take capacity from the account pool and protect nothing',
  });
  return fn;
}
