import { App, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IotStreamRule, PipelineStream, StreamIngestionApi } from '../../lib';
import { expectGatesPass, gatedApp } from '../support/gates';
import { roleStatements, sortedStatements } from '../support/iam';

const env = { account: '123456789012', region: 'us-east-1' };

describe('IotStreamRule', () => {
  test('writes device messages to the stream, keyed per device, with an error action to an encrypted log group', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Readings');
    const rule = new IotStreamRule(stack, 'Rule', { stream: stream.stream });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: "SELECT *, topic(2) AS deviceId, timestamp() AS ingestedAt FROM 'sensors/+/telemetry'",
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ Kinesis: { StreamName: stack.resolve(stream.stream.streamName), PartitionKey: '${topic(2)}', RoleArn: stack.resolve(rule.role.roleArn) } }],
        ErrorAction: { CloudwatchLogs: { LogGroupName: stack.resolve(rule.errorLogGroup.logGroupName), RoleArn: stack.resolve(rule.role.roleArn) } },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    // The role may put records into this stream and write its error log, and nothing else: its whole policy.
    expect(roleStatements(template, stack, rule.role)).toEqual(sortedStatements([
      { Effect: 'Allow', Action: ['kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'], Resource: [stack.resolve(stream.stream.streamArn)] },
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [stack.resolve(rule.errorLogGroup.logGroupArn)] },
      // the IoT CloudWatch Logs action also needs DescribeLogStreams, on the group and its streams
      {
        Effect: 'Allow',
        Action: ['logs:DescribeLogStreams'],
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:', stack.resolve(rule.errorLogGroup.logGroupName)]] },
          stack.resolve(rule.errorLogGroup.logGroupArn),
        ],
      },
    ]));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'iot.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } })] },
    });
  });

  test('throws when the SQL is not an IoT SELECT ... FROM statement', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Readings');
    expect(() => new IotStreamRule(stack, 'Rule', { stream: stream.stream, sql: 'DELETE FROM x' }))
      .toThrow(/IotStreamRule "Test\/Rule": sql must be an IoT SQL statement: SELECT <fields> FROM '<topic filter>' \[WHERE ...\], got "DELETE FROM x"/);
  });

  test('throws when the rule name has characters IoT refuses', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Readings');
    expect(() => new IotStreamRule(stack, 'Rule', { stream: stream.stream, ruleName: 'my-rule' })).toThrow(/ruleName must be 1–128 characters of \[a-zA-Z0-9_\], got "my-rule"/);
  });
});

describe('StreamIngestionApi', () => {
  test('POST /events with IAM auth, a body validator and a PutRecords integration that base64-encodes each record', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    const api = new StreamIngestionApi(stack, 'Api', { stream: stream.stream, throttlingRateLimit: 500, throttlingBurstLimit: 800 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      Integration: {
        Type: 'AWS',
        PassthroughBehavior: 'NEVER',
        RequestTemplates: { 'application/json': Match.objectLike({}) },
      },
    });
    const method = Object.values(template.findResources('AWS::ApiGateway::Method'))[0];
    expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(':kinesis:action/PutRecords');
    const vtl = JSON.stringify(method.Properties.Integration.RequestTemplates['application/json']);
    expect(vtl).toContain('$util.base64Encode');
    expect(vtl).toContain('PartitionKey');
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['records'], properties: { records: Match.objectLike({ maxItems: 500, minItems: 1 }) } }) });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 800, LoggingLevel: 'ERROR' })],
      AccessLogSetting: Match.objectLike({ DestinationArn: stack.resolve(api.accessLogGroup.logGroupArn) }),
    });
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test('the integration sends Kinesis its own content type, whatever the client sent', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    new StreamIngestionApi(stack, 'Api', { stream: stream.stream });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ RequestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" } }),
    });
  });

  test('leaves the Region\'s API Gateway logging setting alone by default', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    new StreamIngestionApi(stack, 'Api', { stream: stream.stream });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties.Description)).not.toContain(expect.stringMatching(/logs of every REST API/));
  });

  test('when asked to set it: a role for every API of the Region, kept with its policy, the setting after the policy', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    new StreamIngestionApi(stack, 'Api', { stream: stream.stream, configureAccountLoggingRole: true });
    const template = Template.fromStack(stack);
    const [accountId, account] = Object.entries(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(account.DeletionPolicy).toBe('Retain');
    const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.DeletionPolicy).toBe('Retain');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    const [policyId, policy] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .find(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))!;
    expect(policy.DeletionPolicy).toBe('Retain');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Action: expect.arrayContaining(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups']),
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] },
    })]);
    expect(account.DependsOn).toContain(policyId);
    // The stage's logging needs the setting first.
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.DependsOn).toContain(accountId);
  });

  test('grantInvoke allows POST /events on the stage, nothing else', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    const api = new StreamIngestionApi(stack, 'Api', { stream: stream.stream });
    const role = new iam.Role(stack, 'Web', { assumedBy: new iam.ServicePrincipal('cognito-identity.amazonaws.com') });
    api.grantInvoke(role);
    // the role's whole policy: one action on one method of one stage
    expect(roleStatements(Template.fromStack(stack), stack, role)).toEqual([{
      Effect: 'Allow',
      Action: ['execute-api:Invoke'],
      Resource: [{
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:us-east-1:123456789012:', stack.resolve(api.api.restApiId), '/',
          stack.resolve(api.api.deploymentStage.stageName), '/POST/events']],
      }],
    }]);
  });

  test('uses a given web ACL, or none when WAF is turned off', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    new StreamIngestionApi(stack, 'A', { stream: stream.stream, webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1', configureAccountLoggingRole: false });
    new StreamIngestionApi(stack, 'B', { stream: stream.stream, wafEnabled: false, configureAccountLoggingRole: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('throws when throttling is out of range or WAF settings contradict', () => {
    const stack = new Stack(new App(), 'Test', { env });
    const stream = new PipelineStream(stack, 'Clicks');
    expect(() => new StreamIngestionApi(stack, 'A', { stream: stream.stream, throttlingRateLimit: 0 })).toThrow(/StreamIngestionApi "Test\/A": throttlingRateLimit must be a whole number from 1 to 10000, got 0/);
    expect(() => new StreamIngestionApi(stack, 'B', { stream: stream.stream, wafEnabled: false, webAclArn: 'arn:x' })).toThrow(/webAclArn arn:x contradicts wafEnabled false/);
  });
});

test('ingestion passes the gates with everything on', () => {
  const app = gatedApp();
  const stack = new Stack(app, 'Gates', { env });
  const stream = new PipelineStream(stack, 'Stream');
  new IotStreamRule(stack, 'Rule', { stream: stream.stream });
  new StreamIngestionApi(stack, 'Api', { stream: stream.stream, configureAccountLoggingRole: true });
  expectGatesPass(app);
});
