import {
  ArnFormat, Names, RemovalPolicy, Stack,
  aws_apigateway as apigw, aws_iam as iam, aws_kinesis as kinesis, aws_logs as logs, aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { putEventsModelSchema, putRecordsIntegration, stageOptions } from './private/api-configuration';
import { validateStreamIngestionApiProps } from './private/validation';
import { ingestionWebAclProps } from './private/web-acl-rules';
import { NagRules, acknowledgeFinding, acknowledgeWildcardResource } from '../private/compliance';
import { encryptedLogGroup } from '../private/encrypted-log-group';
import { ManagedPolicyRole } from '../private/managed-policy-role';

/** Options of a `StreamIngestionApi`, everything but the stream. */
export interface StreamIngestionApiOptions {
  /**
   * Steady-state requests per second the stage accepts, 1–10,000 (API Gateway's account default is 10,000).
   * @default 1000
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the stage accepts, 1–5,000, at least the rate limit is not required.
   * @default 2000
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Put a WAF web ACL (AWS managed common rule set plus a per-IP rate limit) in front of the API.
   * About $7/month plus $0.60 per million requests.
   * @default true, unless `webAclArn` is given
   */
  readonly wafEnabled?: boolean;
  /**
   * An existing regional WAF web ACL to associate instead of creating one.
   * @default - a new web ACL when `wafEnabled`
   */
  readonly webAclArn?: string;
  /**
   * Requests per 5 minutes from one IP address before WAF blocks it, 10–2,000,000,000.
   * @default 20000
   */
  readonly wafRateLimitPer5Minutes?: number;
  /**
   * Set the API Gateway CloudWatch Logs role of the account in this Region (`AWS::ApiGateway::Account`), which execution
   * logging needs. There is one such setting per account and Region, shared by every REST API there: setting it
   * replaces the role already set (another stack's, or the console's), and a second stack that sets it replaces this
   * one's. Leave it off and set the role once per account and Region instead (README, "Deploying the examples").
   * When on, the role may write the logs of every API in the Region, and the role, its policy and the setting are kept
   * when the stack is deleted (the setting would otherwise name a role that no longer exists).
   * @default false
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly configureAccountLoggingRole?: boolean;
}

export interface StreamIngestionApiProps extends StreamIngestionApiOptions {
  /** The stream events go to. */
  readonly stream: kinesis.IStream;
  /**
   * The JSON Schema (draft 4) every `records[].data` must match: the request model rejects the whole request (400) when
   * one record does not. A `ClickstreamPipeline` passes its click event schema (`schemas/click-event.schema.json`).
   * Whatever the schema, `data` must be an object without the field `_ingest`, which is reserved for what the API stamps.
   * @default - any JSON object
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
   */
  readonly dataSchema?: apigw.JsonSchema;
}

/**
 * An API Gateway REST API that puts click events straight into a Kinesis stream (an AWS service integration: no Lambda
 * in the path). `POST /events` takes `{"records": [{"partitionKey": "...", "data": {...}}, ...]}` (1–500 records) and
 * returns Kinesis' PutRecords response (check `FailedRecordCount` and retry the failed entries). Callers sign with
 * SigV4 (IAM authorization): browsers and mobile apps get credentials from a Cognito identity pool whose role the
 * `grantInvoke` method allows. Requests are validated against a JSON schema, throttled at the stage, logged to an
 * encrypted log group, traced, and filtered by WAF.
 */
export class StreamIngestionApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The `POST /events` method. */
  public readonly putEventsMethod: apigw.Method;
  /** The access log group. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The web ACL created for the API, if any. */
  public readonly webAcl?: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: StreamIngestionApiProps) {
    super(scope, id);
    validateStreamIngestionApiProps(this, props);
    const throttlingRateLimit = props.throttlingRateLimit ?? 1000;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? 2000;
    const wafRateLimitPer5Minutes = props.wafRateLimitPer5Minutes ?? 20_000;
    const waf = props.webAclArn || (props.wafEnabled ?? true);
    const configureAccountLoggingRole = props.configureAccountLoggingRole ?? false;

    this.accessLogGroup = encryptedLogGroup(this, 'AccessLogs');
    const account = configureAccountLoggingRole ? accountLoggingSetting(this) : undefined;
    this.api = new apigw.RestApi(this, 'Resource', {
      description: `Click events into ${props.stream.streamName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: false,
      deployOptions: stageOptions(throttlingRateLimit, throttlingBurstLimit, this.accessLogGroup),
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    if (account) this.api.deploymentStage.node.addDependency(account);

    const role = new ManagedPolicyRole(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway puts records into the stream',
    });
    props.stream.grantWrite(role);

    const model = this.api.addModel('PutEventsModel', { contentType: 'application/json', schema: putEventsModelSchema(props.dataSchema) });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    this.putEventsMethod = this.api.root.addResource('events').addMethod('POST', putRecordsIntegration(props.stream.streamName, role), {
      requestModels: { 'application/json': model },
      requestValidator: validator,
      methodResponses: [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '500' }],
    });

    acknowledgeFinding(this.api, NagRules.API_CACHE,
      'An ingestion API only takes POSTs that must each reach the stream; a cache would serve nothing and could drop writes');
    acknowledgeFinding(this.api, NagRules.API_CLIENT_CERTIFICATE,
      'The only backend is the Kinesis service endpoint, reached over TLS with SigV4 by the integration role; a client certificate applies to HTTP backends');
    acknowledgeFinding(this.api, NagRules.API_COGNITO_AUTHORIZER,
      'Methods use IAM authorization (SigV4): web and mobile clients sign with Cognito identity pool credentials, which a user pool authorizer cannot take');

    this.webAcl = waf && !props.webAclArn ? this.createWebAcl(wafRateLimitPer5Minutes) : undefined;
    if (waf) {
      const aclArn = this.webAcl ? this.webAcl.attrArn : props.webAclArn as string;
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: aclArn });
    } else {
      const noWaf = 'The user turned the web ACL off (wafEnabled: false): requests reach the API with IAM authorization and the '
        + 'request validator only';
      acknowledgeFinding(this.api, NagRules.API_WAF, noWaf);
      acknowledgeFinding(this.api, NagRules.API_ASSOCIATED_WITH_WAF, noWaf);
    }
  }

  /** Lets a principal (e.g. a Cognito identity pool role) call `POST /events`. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.api.arnForExecuteApi('POST', '/events', this.api.deploymentStage.stageName)],
    });
  }

  /** The URL to POST events to. */
  public get eventsUrl(): string {
    return this.api.urlForPath('/events');
  }

  /** A web ACL for the API, logging to a log group of its own. */
  private createWebAcl(ratePerIpLimit: number): wafv2.CfnWebACL {
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', ingestionWebAclProps(ratePerIpLimit));
    // WAF logs go to a log group whose name must start with aws-waf-logs-. The name is fixed, so the group is kept on
    // delete but removed when the stack's first create rolls back: a retry can then create it again.
    const wafLogs = encryptedLogGroup(this, 'WafLogs', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    const wafLogGroup = wafLogs.node.defaultChild as logs.CfnLogGroup;
    wafLogGroup.logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 60 })}`;
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      logDestinationConfigs: [Stack.of(this).formatArn({
        service: 'logs', resource: 'log-group', resourceName: wafLogGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    }).node.addDependency(wafLogGroup);
    return webAcl;
  }
}

/**
 * The account's API Gateway CloudWatch Logs role in this Region and the setting that names it. The role may write the
 * logs of every API of the Region (the setting is theirs too), the setting waits for the role's policy (API Gateway
 * checks the role's permissions when it is set), and all three are kept on delete and on a rolled-back create: the
 * setting cannot be removed, so the role it names must stay.
 */
function accountLoggingSetting(scope: Construct): apigw.CfnAccount {
  const loggingRole = new ManagedPolicyRole(scope, 'AccountLoggingRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets API Gateway write the execution and access logs of every REST API in this Region',
  });
  const logGroupsArn = Stack.of(scope).formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  // The permissions of the AmazonAPIGatewayPushToCloudWatchLogs managed policy, on this account's log groups in this
  // Region: other APIs' access logs can go to log groups of any name.
  const { policyDependable } = loggingRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
      'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
    resources: [logGroupsArn],
  }));
  acknowledgeWildcardResource(loggingRole, logGroupsArn,
    'The account setting serves every REST API of the Region, whose execution logs (API-Gateway-Execution-Logs_<api>/<stage>) and access logs (any log group name) API Gateway writes with this role');
  const policy = policyDependable as iam.ManagedPolicy;
  loggingRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
  (policy.node.defaultChild as iam.CfnManagedPolicy).applyRemovalPolicy(RemovalPolicy.RETAIN);
  const account = new apigw.CfnAccount(scope, 'Account', { cloudWatchRoleArn: loggingRole.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  account.node.addDependency(policy);
  return account;
}
