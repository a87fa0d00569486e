import { RemovalPolicy, Stack, aws_iam as iam, aws_iot as iot, aws_kinesis as kinesis, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validateIotStreamRuleProps } from './private/validation';
import { encryptedLogGroup } from '../private/encrypted-log-group';
import { ManagedPolicyRole } from '../private/managed-policy-role';

export interface IotStreamRuleProps {
  /** The stream the rule writes to. */
  readonly stream: kinesis.IStream;
  /**
   * The rule's SQL (version 2016-03-23). Must start with SELECT and read FROM a topic filter.
   * @default "SELECT *, topic(2) AS deviceId, timestamp() AS ingestedAt FROM 'sensors/+/telemetry'"
   * @see https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-reference.html
   */
  readonly sql?: string;
  /**
   * Partition key of each record: a substitution template. Per device keeps a device's readings in order.
   * @default '${topic(2)}' (the device id of topics `sensors/<deviceId>/telemetry`)
   */
  readonly partitionKey?: string;
  /**
   * Log group for messages the rule could not deliver (the rule's error action).
   * @default - a new KMS-encrypted log group with one-year retention
   */
  readonly errorLogGroup?: logs.ILogGroup;
  /** @default - generated */
  readonly ruleName?: string;
}

/**
 * An AWS IoT Core topic rule that writes device messages to a Kinesis stream, with an error action that keeps every
 * message the rule could not deliver in CloudWatch Logs. Its role may only put records into that stream.
 * @see https://docs.aws.amazon.com/iot/latest/developerguide/kinesis-rule-action.html
 */
export class IotStreamRule extends Construct {
  /** The topic rule. */
  public readonly rule: iot.CfnTopicRule;
  /** The role IoT Core assumes to write the stream and the error log. */
  public readonly role: iam.IRole;
  /** Where undeliverable messages go. */
  public readonly errorLogGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: IotStreamRuleProps) {
    super(scope, id);
    validateIotStreamRuleProps(this, props);
    const sql = props.sql ?? "SELECT *, topic(2) AS deviceId, timestamp() AS ingestedAt FROM 'sensors/+/telemetry'";
    const partitionKey = props.partitionKey ?? '${topic(2)}';

    const role = new ManagedPolicyRole(this, 'Role', {
      // Confused-deputy guard: rules of this account only (this rule, when it is named; a generated name is known only
      // after the rule exists, which needs the role first).
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'iot', resource: 'rule', resourceName: props.ruleName ?? '*' }) },
        },
      }),
      description: `IoT Core rule ${this.node.path} writes to its stream`,
    });
    this.role = role;
    props.stream.grantWrite(role);
    this.errorLogGroup = props.errorLogGroup ?? encryptedLogGroup(this, 'ErrorLog', { removalPolicy: RemovalPolicy.RETAIN });
    // The IoT CloudWatch Logs action needs CreateLogStream, DescribeLogStreams and PutLogEvents.
    // https://docs.aws.amazon.com/iot/latest/developerguide/cloudwatch-logs-rule-action.html
    this.errorLogGroup.grantWrite(role);
    this.errorLogGroup.grant(role, 'logs:DescribeLogStreams');

    this.rule = new iot.CfnTopicRule(this, 'Resource', {
      ruleName: props.ruleName,
      topicRulePayload: {
        sql,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        description: `Devices to ${props.stream.streamName}`,
        actions: [{
          kinesis: { streamName: props.stream.streamName, partitionKey, roleArn: role.roleArn },
        }],
        errorAction: {
          cloudwatchLogs: { logGroupName: this.errorLogGroup.logGroupName, roleArn: role.roleArn, batchMode: false },
        },
      },
    });
    // Wait for the role's permissions (not only the role, which the RoleArn reference already waits for).
    const policy = role.node.tryFindChild('Policy');
    if (policy) this.rule.node.addDependency(policy);
  }
}
