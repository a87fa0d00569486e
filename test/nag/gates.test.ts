import { Stack, Validations, aws_lambda as lambda, aws_s3 as s3, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { gateFindings, gatedApp } from '../support/gates';

describe('the gates', () => {
  test('report every pack\'s findings on a non-compliant bucket, and CloudFormation validation as errors', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Bucket');
    new sqs.CfnQueue(stack, 'Queue', { delaySeconds: 99_999 });
    const findings = gateFindings(app);
    const plugins = new Set(findings.map((f) => f.plugin));
    for (const pack of ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) expect(plugins).toContain(pack);
    expect(findings).toContainEqual(expect.objectContaining({ rule: 'AwsSolutions-S10', path: 'Bad/Bucket/Resource' }));
    // DelaySeconds above 900 is caught by @aws/cloudformation-validate
    expect(findings.some((f) => f.plugin === 'CloudFormation Validate' && f.path.startsWith('Bad/Queue'))).toBe(true);
  });

  test('an acknowledgement removes exactly the finding it names', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Ack');
    const bucket = new s3.Bucket(stack, 'Bucket');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test' });
    const rules = gateFindings(app).map((f) => f.rule);
    expect(rules).not.toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
  });

  test('the Serverless pack runs too', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Fn');
    new lambda.Function(stack, 'Function', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
    const findings = gateFindings(app).filter((f) => f.plugin === 'Serverless');
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['Serverless-LambdaDefaultMemorySize', 'Serverless-LambdaTracing']));
  });
});

describe('cfn-lint in the gates', () => {
  test('reports what template validation alone lets through: a DependsOn a GetAtt already enforces (W3005)', () => {
    const app = gatedApp();
    const stack = new Stack(app, 'Lint');
    const queue = new sqs.CfnQueue(stack, 'Queue');
    const topic = new sns.CfnTopic(stack, 'Topic', { topicName: queue.attrQueueName });
    topic.addResourceDependency(queue);
    const findings = gateFindings(app);
    expect(findings.filter((f) => f.rule === 'W3005').map((f) => [f.plugin, f.path])).toEqual([['cfn-lint', 'Lint.template.json:Resources/Topic']]);
  });
});
