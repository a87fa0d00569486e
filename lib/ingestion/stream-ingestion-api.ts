import {
  ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations,
  aws_apigateway as apigw, aws_iam as iam, aws_kinesis as kinesis, aws_logs as logs, aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../private/encrypted-log-group';
import { comboError } from '../private/errors';
import { ManagedPolicyRole } from '../private/managed-policy-role';
import { checkIntRange } from '../private/validation';

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
   * Configure the account's API Gateway CloudWatch Logs role (an account-wide, per-Region setting that access and
   * execution logging need). Turn off when the account already has one.
   * @default true
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
    checkIntRange(this, 'throttlingRateLimit', props.throttlingRateLimit, 1, 10_000);
    checkIntRange(this, 'throttlingBurstLimit', props.throttlingBurstLimit, 1, 5_000);
    checkIntRange(this, 'wafRateLimitPer5Minutes', props.wafRateLimitPer5Minutes, 10, 2_000_000_000);
    if (props.wafEnabled === false && props.webAclArn !== undefined) {
      throw comboError(this, `webAclArn ${props.webAclArn} contradicts wafEnabled false: give one`);
    }

    this.accessLogGroup = encryptedLogGroup(this, 'AccessLogs');
    let account: apigw.CfnAccount | undefined;
    if (props.configureAccountLoggingRole ?? true) {
      const loggingRole = new ManagedPolicyRole(this, 'AccountLoggingRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        description: 'Lets API Gateway write execution and access logs in this Region',
      });
      const stack = Stack.of(this);
      loggingRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
          'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
        resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'API-Gateway-Execution-Logs_*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }));
      this.accessLogGroup.grantWrite(loggingRole);
      // cdk-nag names the finding by the rendered ARN: tokens appear as <AWS::Region>, concrete values as themselves.
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const accountId = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      Validations.of(loggingRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${accountId}:log-group:API-Gateway-Execution-Logs_*]`,
        reason: 'API Gateway names its execution log groups API-Gateway-Execution-Logs_<api id>/<stage>; the prefix is the narrowest resource',
      });
      // The setting is per account and Region and outlives this stack: keep the role it names when the stack goes, or API
      // Gateway logging breaks for every API of the Region (aws-cdk-lib's RestApi keeps both too).
      loggingRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
      account = new apigw.CfnAccount(this, 'Account', { cloudWatchRoleArn: loggingRole.roleArn });
      account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }

    this.api = new apigw.RestApi(this, 'Resource', {
      description: `Click events into ${props.stream.streamName}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.throttlingRateLimit ?? 1000,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 2000,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    if (account) this.api.deploymentStage.node.addDependency(account);

    const role = new ManagedPolicyRole(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway puts records into the stream',
    });
    props.stream.grantWrite(role);

    const model = this.api.addModel('PutEventsModel', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'PutEvents',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['records'],
        properties: {
          records: {
            type: apigw.JsonSchemaType.ARRAY,
            minItems: 1,
            maxItems: 500,
            items: {
              type: apigw.JsonSchemaType.OBJECT,
              required: ['partitionKey', 'data'],
              properties: {
                partitionKey: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 256 },
                data: recordDataSchema(props.dataSchema),
              },
            },
          },
        },
      },
    });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });

    const integration = new apigw.AwsIntegration({
      service: 'kinesis',
      action: 'PutRecords',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigw.PassthroughBehavior.NEVER,
        requestTemplates: {
          'application/json': [
            '#set($records = $input.path(\'$.records\'))',
            '{',
            `  "StreamName": "${props.stream.streamName}",`,
            '  "Records": [',
            '#foreach($r in $records)',
            '    { "Data": "$util.base64Encode($input.json("$.records[$foreach.index].data"))", "PartitionKey": "$util.escapeJavaScript($r.partitionKey)" }#if($foreach.hasNext),#end',
            '#end',
            '  ]',
            '}',
          ].join('\n'),
        },
        integrationResponses: [
          { statusCode: '200' },
          { statusCode: '400', selectionPattern: '4\\d{2}' },
          { statusCode: '500', selectionPattern: '5\\d{2}' },
        ],
        timeout: Duration.seconds(10),
      },
    });
    this.putEventsMethod = this.api.root.addResource('events').addMethod('POST', integration, {
      requestModels: { 'application/json': model },
      requestValidator: validator,
      methodResponses: [{ statusCode: '200' }, { statusCode: '400' }, { statusCode: '500' }],
    });

    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      Validations.of(this.api).acknowledge({
        id: `${pack}-APIGWCacheEnabledAndEncrypted`,
        reason: 'An ingestion API only takes POSTs that must each reach the stream; a cache would serve nothing and could drop writes',
      });
      Validations.of(this.api).acknowledge({
        id: `${pack}-APIGWSSLEnabled`,
        reason: 'The only backend is the Kinesis service endpoint, reached over TLS with SigV4 by the integration role; a client certificate applies to HTTP backends',
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Methods use IAM authorization (SigV4): web and mobile clients sign with Cognito identity pool credentials, which a user pool authorizer cannot take',
    });

    if (props.webAclArn || (props.wafEnabled ?? true)) {
      let aclArn = props.webAclArn;
      if (!aclArn) {
        this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
          scope: 'REGIONAL',
          defaultAction: { allow: {} },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'StreamIngestionApi' },
          rules: [
            {
              name: 'AWSManagedRulesCommonRuleSet',
              priority: 0,
              overrideAction: { none: {} },
              statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesCommonRuleSet' } },
              visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'CommonRuleSet' },
            },
            {
              name: 'RatePerIp',
              priority: 1,
              action: { block: {} },
              statement: { rateBasedStatement: { limit: props.wafRateLimitPer5Minutes ?? 20_000, aggregateKeyType: 'IP' } },
              visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RatePerIp' },
            },
          ],
        });
        aclArn = this.webAcl.attrArn;
        // WAF logs go to a log group whose name must start with aws-waf-logs-.
        const wafLogs = encryptedLogGroup(this, 'WafLogs', { removalPolicy: RemovalPolicy.RETAIN });
        const wafLogGroup = wafLogs.node.defaultChild as logs.CfnLogGroup;
        wafLogGroup.logGroupName = `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 60 })}`;
        new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
          resourceArn: this.webAcl.attrArn,
          logDestinationConfigs: [Stack.of(this).formatArn({
            service: 'logs', resource: 'log-group', resourceName: wafLogGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })],
        }).node.addDependency(wafLogGroup);
      }
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: aclArn });
    } else {
      for (const finding of ['AwsSolutions-APIG3', 'NIST.800.53.R5-APIGWAssociatedWithWAF', 'PCI.DSS.321-APIGWAssociatedWithWAF', 'HIPAA.Security-APIGWAssociatedWithWAF']) {
        Validations.of(this.api).acknowledge({ id: finding, reason: 'WAF turned off by the user (wafEnabled: false)' });
      }
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
}

/** The field of `data` the API reserves for what it stamps on a record. */
export const RESERVED_DATA_FIELD = '_ingest';

/** The model of one record's `data`: an object, matching the given schema (its version keyword dropped), without `_ingest`. */
function recordDataSchema(dataSchema: apigw.JsonSchema | undefined): apigw.JsonSchema {
  const reserved: apigw.JsonSchema = { type: apigw.JsonSchemaType.OBJECT, not: { required: [RESERVED_DATA_FIELD] } };
  if (dataSchema === undefined) return reserved;
  const { schema: _version, ...body } = dataSchema;
  return { allOf: [body, reserved] };
}
