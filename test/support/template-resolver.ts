/**
 * Resolves a synthesized CloudFormation template to concrete values for one account and Region, as CloudFormation would
 * after a deploy: every `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and pseudo parameter the
 * library's templates use. Physical names that CloudFormation generates are stood in for by the logical id, so that
 * every ARN is deterministic and an ARN built in one place (`Fn::Join` of a name) equals the one read elsewhere (`Arn`).
 */

export interface ResolveEnv {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: any;
  readonly DependsOn?: string | string[];
}

/** A template whose resources' properties hold only concrete values. */
export class ResolvedTemplate {
  public readonly resources: Record<string, CfnResource>;
  /** The value `Ref` of a resource, parameter or pseudo parameter resolves to. */
  public readonly ref: (logicalId: string) => string;
  /** The value `Fn::GetAtt` of a resource attribute resolves to. */
  public readonly getAtt: (logicalId: string, attr: string) => string;

  constructor(public readonly raw: any, public readonly env: Required<ResolveEnv>) {
    const resolver = new Resolver(raw, env);
    this.resources = {};
    for (const [id, r] of Object.entries<any>(raw.Resources ?? {})) {
      this.resources[id] = { Type: r.Type, Properties: resolver.resolve(r.Properties ?? {}, id) };
    }
    this.ref = (id) => resolver.ref(id);
    this.getAtt = (id, attr) => resolver.getAtt(id, attr);
  }

  /** The logical ids and resolved properties of every resource of a type. */
  public ofType(type: string): Array<[string, any]> {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type).map(([id, r]) => [id, r.Properties]);
  }

  /** The logical id of the resource whose `Ref` or ARN is `value`, if it is one of this template. */
  public idOf(value: string): string | undefined {
    for (const id of Object.keys(this.resources)) {
      if (this.ref(id) === value || this.arnOf(id) === value) return id;
    }
    return undefined;
  }

  /** The ARN of a resource of this template (`Arn`, `ConsumerARN`, or a `Ref` that is an ARN). */
  public arnOf(logicalId: string): string {
    const type = this.resources[logicalId]?.Type;
    if (type === 'AWS::Kinesis::StreamConsumer') return this.getAtt(logicalId, 'ConsumerARN');
    const ref = this.ref(logicalId);
    if (ref.startsWith('arn:')) return ref;
    return this.getAtt(logicalId, 'Arn');
  }
}

class Resolver {
  private readonly resources: Record<string, any>;

  constructor(private readonly template: any, private readonly env: Required<ResolveEnv>) {
    this.resources = template.Resources ?? {};
  }

  private arn(service: string, resource: string, region = this.env.region, account = this.env.account): string {
    return `arn:${this.env.partition}:${service}:${region}:${account}:${resource}`;
  }

  private props(id: string): any {
    const r = this.resources[id];
    if (!r) throw new Error(`template resolver: no resource ${id}`);
    return r.Properties ?? {};
  }

  private nameProp(id: string, prop: string, transform: (s: string) => string = (s) => s): string {
    const v = this.props(id)[prop];
    return v === undefined ? transform(id) : String(this.resolve(v, id));
  }

  public ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': this.env.account,
      'AWS::Region': this.env.region,
      'AWS::Partition': this.env.partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'Stack',
      'AWS::StackId': this.arn('cloudformation', 'stack/Stack/00000000-0000-0000-0000-000000000000'),
      'AWS::NoValue': '',
    };
    if (id in pseudo) return pseudo[id];
    const parameters = this.template.Parameters ?? {};
    if (id in parameters) {
      const p = parameters[id];
      if (p.Default !== undefined) return String(p.Default);
      return `param-${id}`;
    }
    const type: string = this.resources[id]?.Type;
    if (!type) throw new Error(`template resolver: Ref to unknown ${id}`);
    switch (type) {
      case 'AWS::SNS::Topic': return this.arn('sns', this.nameProp(id, 'TopicName'));
      case 'AWS::S3::Bucket': return this.nameProp(id, 'BucketName', (s) => s.toLowerCase());
      case 'AWS::Kinesis::Stream': return this.nameProp(id, 'Name');
      case 'AWS::Kinesis::StreamConsumer': return this.getAtt(id, 'ConsumerARN');
      case 'AWS::IAM::Role': return this.nameProp(id, 'RoleName');
      case 'AWS::IAM::ManagedPolicy': return `arn:${this.env.partition}:iam::${this.env.account}:policy/${id}`;
      case 'AWS::Logs::LogGroup': return this.nameProp(id, 'LogGroupName');
      case 'AWS::Logs::LogStream': return this.nameProp(id, 'LogStreamName');
      case 'AWS::Lambda::Function': return this.nameProp(id, 'FunctionName');
      case 'AWS::DynamoDB::Table': return this.nameProp(id, 'TableName');
      case 'AWS::CloudWatch::Alarm': return this.nameProp(id, 'AlarmName');
      case 'AWS::KinesisFirehose::DeliveryStream': return this.nameProp(id, 'DeliveryStreamName');
      case 'AWS::KinesisAnalyticsV2::Application': return this.nameProp(id, 'ApplicationName');
      case 'AWS::SecretsManager::Secret': return this.arn('secretsmanager', `secret:${this.nameProp(id, 'Name')}-AbCdEf`);
      case 'AWS::SQS::Queue': return `https://sqs.${this.env.region}.amazonaws.com/${this.env.account}/${this.nameProp(id, 'QueueName')}`;
      case 'AWS::IoT::TopicRule': return this.nameProp(id, 'RuleName');
      case 'AWS::Events::Rule': return this.nameProp(id, 'Name');
      case 'AWS::OpenSearchService::Domain': return this.nameProp(id, 'DomainName', (s) => s.toLowerCase().slice(0, 28));
      default: return id;
    }
  }

  public getAtt(id: string, attr: string): string {
    const type: string = this.resources[id]?.Type;
    if (!type) throw new Error(`template resolver: GetAtt of unknown ${id}`);
    const key = `${type}.${attr}`;
    switch (key) {
      case 'AWS::Kinesis::Stream.Arn': return this.arn('kinesis', `stream/${this.ref(id)}`);
      case 'AWS::Kinesis::StreamConsumer.ConsumerARN': {
        const p = this.props(id);
        return `${this.resolve(p.StreamARN, id)}/consumer/${this.resolve(p.ConsumerName, id)}:1700000000`;
      }
      case 'AWS::Kinesis::StreamConsumer.ConsumerName': return String(this.resolve(this.props(id).ConsumerName, id));
      case 'AWS::Kinesis::StreamConsumer.StreamARN': return String(this.resolve(this.props(id).StreamARN, id));
      case 'AWS::S3::Bucket.Arn': return `arn:${this.env.partition}:s3:::${this.ref(id)}`;
      case 'AWS::S3::Bucket.DomainName': return `${this.ref(id)}.s3.amazonaws.com`;
      case 'AWS::S3::Bucket.RegionalDomainName': return `${this.ref(id)}.s3.${this.env.region}.amazonaws.com`;
      case 'AWS::KMS::Key.Arn': return this.arn('kms', `key/${id}`);
      case 'AWS::KMS::Key.KeyId': return id;
      case 'AWS::SNS::Topic.TopicArn': return this.ref(id);
      case 'AWS::SNS::Topic.TopicName': return this.ref(id).split(':').pop()!;
      case 'AWS::IAM::Role.Arn': return `arn:${this.env.partition}:iam::${this.env.account}:role/${this.ref(id)}`;
      case 'AWS::IAM::Role.RoleId': return `AROA${id.toUpperCase()}`;
      case 'AWS::Logs::LogGroup.Arn': return this.arn('logs', `log-group:${this.ref(id)}:*`);
      case 'AWS::Lambda::Function.Arn': return this.arn('lambda', `function:${this.ref(id)}`);
      case 'AWS::DynamoDB::Table.Arn': return this.arn('dynamodb', `table/${this.ref(id)}`);
      case 'AWS::DynamoDB::Table.StreamArn': return this.arn('dynamodb', `table/${this.ref(id)}/stream/2026-01-01T00:00:00.000`);
      case 'AWS::CloudWatch::Alarm.Arn': return this.arn('cloudwatch', `alarm:${this.ref(id)}`);
      case 'AWS::Events::Rule.Arn': return this.arn('events', `rule/${this.ref(id)}`);
      case 'AWS::KinesisFirehose::DeliveryStream.Arn': return this.arn('firehose', `deliverystream/${this.ref(id)}`);
      case 'AWS::IoT::TopicRule.Arn': return this.arn('iot', `rule/${this.ref(id)}`);
      case 'AWS::OpenSearchServerless::Collection.Arn': return this.arn('aoss', `collection/${id.toLowerCase()}`);
      case 'AWS::OpenSearchServerless::Collection.Id': return id.toLowerCase();
      case 'AWS::OpenSearchServerless::Collection.CollectionEndpoint':
        return `https://${id.toLowerCase()}.${this.env.region}.aoss.amazonaws.com`;
      case 'AWS::OpenSearchService::Domain.Arn': return this.arn('es', `domain/${this.ref(id)}`);
      case 'AWS::OpenSearchService::Domain.DomainArn': return this.arn('es', `domain/${this.ref(id)}`);
      case 'AWS::OpenSearchService::Domain.DomainEndpoint':
        return `search-${this.ref(id)}.${this.env.region}.es.amazonaws.com`;
      case 'AWS::SQS::Queue.Arn': return this.arn('sqs', this.nameProp(id, 'QueueName'));
      case 'AWS::ApiGateway::RestApi.RootResourceId': return `${id}-root`;
      default: return `${id}.${attr}`;
    }
  }

  public resolve(value: any, where: string): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, where));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      switch (k) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? [arg.split('.')[0], arg.split('.').slice(1).join('.')] : arg;
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg;
          return (this.resolve(parts, where) as any[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg;
          return (this.resolve(list, where) as any[])[Number(this.resolve(index, where))];
        }
        case 'Fn::Split': {
          const [sep, text] = arg;
          return String(this.resolve(text, where)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
          const resolvedVars = this.resolve(vars, where);
          return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_m: string, name: string) => {
            if (name in resolvedVars) return String(resolvedVars[name]);
            if (name.includes('.')) {
              const [id, ...attr] = name.split('.');
              return this.getAtt(id, attr.join('.'));
            }
            return this.ref(name);
          });
        }
        case 'Fn::GetAZs': return [`${this.env.region}a`, `${this.env.region}b`, `${this.env.region}c`];
        case 'Fn::If': throw new Error(`template resolver: Fn::If in ${where} is not supported`);
        default: break;
      }
    }
    const out: Record<string, any> = {};
    for (const k of keys) out[k] = this.resolve(value[k], where);
    return out;
  }
}

/** Resolves a synthesized template (the JSON of `Template.fromStack(stack).toJSON()`). */
export function resolveTemplate(template: any, env: ResolveEnv): ResolvedTemplate {
  return new ResolvedTemplate(template, { partition: 'aws', ...env });
}
