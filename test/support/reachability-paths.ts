/**
 * The data paths and alarm paths of a resolved template, derived from the template itself: every alarm action, Firehose
 * delivery, Managed Flink application, IoT topic rule, event source mapping, Lambda handler (from the SDK calls listed
 * in `lambda/<handler>/permissions.ts`), EventBridge target, S3 server access log, encrypted log group and API Gateway
 * integration becomes the calls AWS makes for it, each with the request context the real call carries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AccessRequest } from './reachability';
import { ResolvedTemplate } from './template-resolver';

const LAMBDA_DIR = path.resolve(__dirname, '..', '..', 'lambda');
const AWS_MANAGED_KINESIS_KEY = 'alias/aws/kinesis';

/** One SDK call a handler makes, as `lambda/<handler>/permissions.ts` lists it. */
export interface HandlerCall {
  readonly command: string;
  readonly actions: readonly string[];
  /**
   * ARN of what the call acts on, over the function's configuration: `${env.NAME}`, `${config.a.b}` (a JSON
   * environment variable named by `configEnv`), `${input.Name}` (a property of the custom resource the function serves),
   * `${partition}`, `${region}`, `${account}`; `*` for actions without resource-level permissions.
   */
  readonly resource: string;
}

export interface HandlerPermissions {
  /** Environment variable holding the handler's JSON configuration, for `${config.…}`. */
  readonly configEnv?: string;
  readonly calls: readonly HandlerCall[];
}

/** Loads `lambda/<handler>/permissions.ts`. */
export function handlerPermissions(handler: string): HandlerPermissions | undefined {
  const file = path.join(LAMBDA_DIR, handler, 'permissions.ts');
  if (!fs.existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).PERMISSIONS as HandlerPermissions;
}

/** The handler folder (`lambda/<name>`) of a function: the library sets POWERTOOLS_SERVICE_NAME to it. */
export function handlerOf(fn: any): string | undefined {
  return fn.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;
}

/** A sample object key under a Firehose prefix: each `!{...}` expression replaced by a value it evaluates to. */
export function sampleKey(prefix: string | undefined, name = 'object-1.gz'): string {
  const p = (prefix ?? '').replace(/!\{([^}]*)\}/g, (_m, expr: string) => {
    if (expr.startsWith('timestamp:')) return expr.slice('timestamp:'.length).replace(/yyyy/g, '2026').replace(/MM|dd|HH/g, '01');
    if (expr === 'firehose:error-output-type') return 'processing-failed';
    if (expr === 'firehose:random-string') return 'a1b2c3';
    if (expr.startsWith('partitionKeyFrom')) return `${expr.split(':')[1]}-value`;
    return 'value';
  });
  return `${p}${name}`;
}

export function derivePaths(t: ResolvedTemplate): AccessRequest[] {
  return [
    ...alarmPaths(t),
    ...firehosePaths(t),
    ...flinkPaths(t),
    ...iotPaths(t),
    ...eventSourceMappingPaths(t),
    ...handlerPaths(t),
    ...eventBridgePaths(t),
    ...accessLogPaths(t),
    ...logGroupKeyPaths(t),
    ...apiGatewayPaths(t),
  ];
}

function arnParts(t: ResolvedTemplate) {
  const { account, region, partition } = t.env;
  return {
    account,
    region,
    partition,
    arn: (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`,
  };
}

function keyOfStream(t: ResolvedTemplate, streamArn: string): string | undefined {
  const id = t.idOf(streamArn);
  const keyId = id ? t.resources[id].Properties.StreamEncryption?.KeyId : undefined;
  if (!keyId || keyId === AWS_MANAGED_KINESIS_KEY) return undefined;
  return keyId.startsWith('arn:') ? keyId : `arn:${t.env.partition}:kms:${t.env.region}:${t.env.account}:key/${keyId}`;
}

function keyOfBucket(t: ResolvedTemplate, bucketArn: string): { key?: string; bucketKey: boolean } {
  const id = t.idOf(bucketArn);
  const rule = id ? t.resources[id].Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0] : undefined;
  const key = rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
  return { key: typeof key === 'string' && key.startsWith('arn:') ? key : undefined, bucketKey: rule?.BucketKeyEnabled === true };
}

/** Reading a Kinesis stream (kms:Decrypt on its key) or writing to it (kms:GenerateDataKey) as `principal`. */
function streamAccess(
  t: ResolvedTemplate, why: string, principal: string, streamArn: string, actions: string[], keyAction: 'kms:Decrypt' | 'kms:GenerateDataKey',
): AccessRequest[] {
  const out: AccessRequest[] = actions.map((action) => ({ why, principal, action, resource: streamArn }));
  const key = keyOfStream(t, streamArn);
  if (key) {
    out.push({
      why,
      principal,
      action: keyAction,
      resource: key,
      context: { 'kms:ViaService': `kinesis.${t.env.region}.amazonaws.com`, 'kms:EncryptionContext:aws:kinesis:arn': streamArn },
    });
  }
  return out;
}

/** Reading a Kinesis stream (and its key) as `principal`. */
function streamRead(t: ResolvedTemplate, why: string, principal: string, streamArn: string, actions: string[]): AccessRequest[] {
  return streamAccess(t, why, principal, streamArn, actions, 'kms:Decrypt');
}

/** Writing to a Kinesis stream (and its key) as `principal`. */
function streamWrite(t: ResolvedTemplate, why: string, principal: string, streamArn: string, actions: string[]): AccessRequest[] {
  return streamAccess(t, why, principal, streamArn, actions, 'kms:GenerateDataKey');
}

/** Putting an object (and using the bucket's key) as `principal`. */
function objectWrite(t: ResolvedTemplate, why: string, principal: string, bucketArn: string, key: string, actions: string[],
  context: Record<string, string> = {}): AccessRequest[] {
  const objectArn = `${bucketArn}/${key}`;
  const out: AccessRequest[] = actions.map((action) => ({ why, principal, action, resource: objectArn, context }));
  const enc = keyOfBucket(t, bucketArn);
  if (enc.key) {
    out.push({
      why,
      principal,
      action: 'kms:GenerateDataKey',
      resource: enc.key,
      context: {
        ...context,
        'kms:ViaService': `s3.${t.env.region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': enc.bucketKey ? bucketArn : objectArn,
      },
    });
  }
  return out;
}

function assumeRole(t: ResolvedTemplate, why: string, service: string, roleArn: string, context: Record<string, string>): AccessRequest {
  return { why: `${why} (trust)`, principal: service, action: 'sts:AssumeRole', resource: roleArn, context: { 'aws:SourceAccount': t.env.account, ...context } };
}

function logStreamArn(t: ResolvedTemplate, group: string, stream: string): string {
  return arnParts(t).arn('logs', `log-group:${group}:log-stream:${stream}`);
}

// ---- alarms -> topics -> keys ----
function alarmPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::CloudWatch::Alarm')) {
    const alarmArn = t.getAtt(id, 'Arn');
    const actions = new Set<string>([...(p.AlarmActions ?? []), ...(p.OKActions ?? []), ...(p.InsufficientDataActions ?? [])]);
    for (const action of actions) {
      if (!action.startsWith(`arn:${t.env.partition}:sns:`)) continue;
      const why = `alarm ${id} notifies ${action}`;
      const context = { 'aws:SourceAccount': t.env.account, 'aws:SourceArn': alarmArn };
      out.push({ why, principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: action, context });
      const topicId = t.idOf(action);
      const key = topicId ? t.resources[topicId].Properties.KmsMasterKeyId : undefined;
      if (typeof key === 'string' && key.startsWith('arn:')) {
        for (const kmsAction of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          out.push({
            why,
            principal: 'cloudwatch.amazonaws.com',
            action: kmsAction,
            resource: key,
            context: { ...context, 'kms:ViaService': `sns.${t.env.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': action },
          });
        }
      }
    }
  }
  return out;
}

// ---- Firehose deliveries ----
function firehosePaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::KinesisFirehose::DeliveryStream')) {
    const deliveryArn = t.getAtt(id, 'Arn');
    const why = `Firehose delivery ${id}`;
    const roles = new Set<string>();
    const source = p.KinesisStreamSourceConfiguration;
    if (source) {
      roles.add(source.RoleARN);
      out.push(...streamRead(t, `${why} reads its source`, source.RoleARN, source.KinesisStreamARN,
        ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards']));
    }
    const destinations: Array<[string, any]> = Object.entries(p).filter(([k]) => k.endsWith('DestinationConfiguration')) as any;
    for (const [kind, d] of destinations) {
      roles.add(d.RoleARN);
      const role = d.RoleARN;
      const s3Configs: Array<[string, any]> = [];
      if (kind === 'ExtendedS3DestinationConfiguration' || kind === 'S3DestinationConfiguration') s3Configs.push(['destination', d]);
      if (d.S3Configuration) s3Configs.push([kind === 'RedshiftDestinationConfiguration' ? 'staging' : 'backup', d.S3Configuration]);
      if (d.S3BackupConfiguration && d.S3BackupMode && d.S3BackupMode !== 'Disabled' && d.S3BackupMode !== 'FailedDocumentsOnly') {
        s3Configs.push(['backup of all records', d.S3BackupConfiguration]);
      }
      for (const [what, s3] of s3Configs) {
        const r = s3.RoleARN ?? role;
        roles.add(r);
        const w = `${why} writes its ${what} to ${s3.BucketARN}`;
        for (const action of ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads']) {
          out.push({ why: w, principal: r, action, resource: s3.BucketARN });
        }
        out.push(...objectWrite(t, w, r, s3.BucketARN, sampleKey(s3.Prefix), ['s3:PutObject', 's3:AbortMultipartUpload']));
        out.push(...objectWrite(t, `${w} (errors)`, r, s3.BucketARN, sampleKey(s3.ErrorOutputPrefix), ['s3:PutObject']));
        if (what === 'staging') {
          // Redshift COPY reads the staged objects back through Firehose's role-issued manifests.
          out.push({ why: `${w} (COPY reads back)`, principal: r, action: 's3:GetObject', resource: `${s3.BucketARN}/${sampleKey(s3.Prefix)}` });
        }
        out.push(...logPaths(t, w, r, s3.CloudWatchLoggingOptions));
      }
      out.push(...logPaths(t, why, role, d.CloudWatchLoggingOptions));
      for (const processor of d.ProcessingConfiguration?.Enabled ? d.ProcessingConfiguration.Processors ?? [] : []) {
        if (processor.Type !== 'Lambda') continue;
        const fnArn: string = processor.Parameters.find((x: any) => x.ParameterName === 'LambdaArn').ParameterValue;
        for (const action of ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration']) {
          out.push({ why: `${why} transforms with ${fnArn}`, principal: role, action, resource: fnArn });
        }
      }
      const schema = d.DataFormatConversionConfiguration?.Enabled !== false ? d.DataFormatConversionConfiguration?.SchemaConfiguration : undefined;
      if (schema) {
        const region = schema.Region ?? t.env.region;
        const account = schema.CatalogId ?? t.env.account;
        const glue = (r: string) => `arn:${t.env.partition}:glue:${region}:${account}:${r}`;
        for (const resource of [glue('catalog'), glue(`database/${schema.DatabaseName}`), glue(`table/${schema.DatabaseName}/${schema.TableName}`)]) {
          for (const action of ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions']) {
            out.push({ why: `${why} converts records with the Glue table ${schema.TableName}`, principal: schema.RoleARN ?? role, action, resource });
          }
        }
      }
      if (kind === 'RedshiftDestinationConfiguration' && d.SecretsManagerConfiguration?.Enabled) {
        const secret = d.SecretsManagerConfiguration.SecretARN;
        const r = d.SecretsManagerConfiguration.RoleARN ?? role;
        out.push({ why: `${why} reads the Redshift credentials`, principal: r, action: 'secretsmanager:GetSecretValue', resource: secret });
        const secretId = t.idOf(secret);
        const secretKey = secretId ? t.resources[secretId].Properties.KmsKeyId : undefined;
        if (typeof secretKey === 'string' && secretKey.startsWith('arn:')) {
          out.push({
            why: `${why} reads the Redshift credentials`,
            principal: r,
            action: 'kms:Decrypt',
            resource: secretKey,
            context: { 'kms:ViaService': `secretsmanager.${t.env.region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': secret },
          });
        }
      }
      if (kind === 'AmazonOpenSearchServerlessDestinationConfiguration') {
        const collection = t.ofType('AWS::OpenSearchServerless::Collection')
          .find(([cid]) => t.getAtt(cid, 'CollectionEndpoint') === d.CollectionEndpoint)?.[0];
        const resource = collection ? t.getAtt(collection, 'Arn') : arnParts(t).arn('aoss', `collection/${d.CollectionEndpoint}`);
        out.push({ why: `${why} indexes into ${d.CollectionEndpoint}`, principal: role, action: 'aoss:APIAccessAll', resource });
      }
      if (kind === 'AmazonopensearchserviceDestinationConfiguration') {
        const domainArn: string = d.DomainARN;
        for (const action of ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig']) {
          out.push({ why: `${why} describes ${domainArn}`, principal: role, action, resource: domainArn });
        }
        for (const action of ['es:ESHttpPost', 'es:ESHttpPut']) {
          out.push({ why: `${why} indexes into ${domainArn}`, principal: role, action, resource: `${domainArn}/_bulk` });
        }
      }
    }
    for (const role of roles) {
      out.push(assumeRole(t, why, 'firehose.amazonaws.com', role, { 'sts:ExternalId': t.env.account, 'aws:SourceArn': deliveryArn }));
    }
  }
  return out;
}

function logPaths(t: ResolvedTemplate, why: string, principal: string, options: any): AccessRequest[] {
  if (!options?.Enabled) return [];
  return [{ why: `${why} (error log)`, principal, action: 'logs:PutLogEvents', resource: logStreamArn(t, options.LogGroupName, options.LogStreamName) }];
}

// ---- Managed Flink ----
function flinkPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  const consumers = t.ofType('AWS::Kinesis::StreamConsumer');
  for (const [id, p] of t.ofType('AWS::KinesisAnalyticsV2::Application')) {
    const why = `Managed Flink application ${id}`;
    const role: string = p.ServiceExecutionRole;
    const appArn = arnParts(t).arn('kinesisanalytics', `application/${t.ref(id)}`);
    out.push(assumeRole(t, why, 'kinesisanalytics.amazonaws.com', role, { 'aws:SourceArn': appArn }));
    const code = p.ApplicationConfiguration?.ApplicationCodeConfiguration?.CodeContent?.S3ContentLocation;
    if (code) {
      out.push({ why: `${why} loads its code`, principal: role, action: 's3:GetObject', resource: `${code.BucketARN}/${code.FileKey}` });
      if (code.ObjectVersion) {
        out.push({ why: `${why} loads its code`, principal: role, action: 's3:GetObjectVersion', resource: `${code.BucketARN}/${code.FileKey}` });
      }
    }
    // Streams and consumers named in the runtime properties: a consumer is read (EFO), a stream that no consumer of
    // the application reads is written.
    const values = new Set<string>();
    for (const g of p.ApplicationConfiguration?.EnvironmentProperties?.PropertyGroups ?? []) {
      for (const v of Object.values(g.PropertyMap ?? {})) values.add(String(v));
    }
    const readStreams = new Set<string>();
    for (const [cid, c] of consumers) {
      const consumerArn = t.getAtt(cid, 'ConsumerARN');
      if (!values.has(consumerArn)) continue;
      readStreams.add(c.StreamARN);
      for (const action of ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer']) {
        out.push({ why: `${why} reads through its EFO consumer`, principal: role, action, resource: consumerArn });
      }
      out.push(...streamRead(t, `${why} reads through its EFO consumer`, role, c.StreamARN, ['kinesis:ListShards', 'kinesis:DescribeStreamSummary']));
    }
    for (const v of values) {
      const sid = t.idOf(v);
      if (!sid || t.resources[sid].Type !== 'AWS::Kinesis::Stream' || readStreams.has(v)) continue;
      out.push(...streamWrite(t, `${why} writes to ${v}`, role, v, ['kinesis:PutRecords', 'kinesis:ListShards']));
    }
    for (const [, o] of t.ofType('AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption')) {
      if (o.ApplicationName !== t.ref(id)) continue;
      const streamArn: string = o.CloudWatchLoggingOption.LogStreamARN;
      const group = streamArn.split(':log-group:')[1].split(':log-stream:')[0];
      out.push({ why: `${why} logs`, principal: role, action: 'logs:PutLogEvents', resource: streamArn });
      out.push({ why: `${why} logs`, principal: role, action: 'logs:DescribeLogStreams', resource: arnParts(t).arn('logs', `log-group:${group}`) });
      out.push({ why: `${why} logs`, principal: role, action: 'logs:DescribeLogGroups', resource: arnParts(t).arn('logs', `log-group:${group}`) });
    }
    const enc = p.ApplicationConfiguration?.ApplicationEncryptionConfiguration;
    if (enc?.KeyType === 'CUSTOMER_MANAGED_KEY') {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']) {
        out.push({
          why: `${why} encrypts its state`,
          principal: role,
          action,
          resource: enc.KeyId,
          context: { 'kms:ViaService': `kinesisanalytics.${t.env.region}.amazonaws.com` },
        });
      }
    }
  }
  return out;
}

// ---- IoT topic rules ----
function iotPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::IoT::TopicRule')) {
    const ruleArn = t.getAtt(id, 'Arn');
    const payload = p.TopicRulePayload;
    const actions: Array<[string, any]> = (payload.Actions ?? []).map((a: any) => ['action', a]);
    if (payload.ErrorAction) actions.push(['error action', payload.ErrorAction]);
    for (const [what, a] of actions) {
      const why = `IoT topic rule ${id} ${what}`;
      const [kind, config] = Object.entries<any>(a)[0];
      out.push(assumeRole(t, why, 'iot.amazonaws.com', config.RoleArn, { 'aws:SourceArn': ruleArn }));
      if (kind === 'Kinesis') {
        const streamArn = arnParts(t).arn('kinesis', `stream/${config.StreamName}`);
        out.push(...streamWrite(t, why, config.RoleArn, streamArn, ['kinesis:PutRecord']));
      } else if (kind === 'CloudwatchLogs') {
        const group = config.LogGroupName;
        // The IoT CloudWatch Logs action: CreateLogStream, DescribeLogStreams, PutLogEvents.
        out.push({ why, principal: config.RoleArn, action: 'logs:CreateLogStream', resource: logStreamArn(t, group, 'rule-errors') });
        out.push({ why, principal: config.RoleArn, action: 'logs:DescribeLogStreams', resource: arnParts(t).arn('logs', `log-group:${group}`) });
        out.push({ why, principal: config.RoleArn, action: 'logs:PutLogEvents', resource: logStreamArn(t, group, 'rule-errors') });
      } else {
        throw new Error(`reachability: IoT rule action ${kind} of ${id} has no path model yet`);
      }
    }
  }
  return out;
}

// ---- event source mappings ----
function eventSourceMappingPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::Lambda::EventSourceMapping')) {
    const fnId = t.idOf(p.FunctionName)!;
    const role: string = t.resources[fnId].Properties.Role;
    const why = `event source mapping ${id} of ${fnId}`;
    const source: string = p.EventSourceArn;
    let streamArn = source;
    if (source.includes('/consumer/')) {
      streamArn = source.split('/consumer/')[0];
      for (const action of ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer']) {
        out.push({ why, principal: role, action, resource: source });
      }
    }
    out.push(...streamRead(t, why, role, streamArn,
      ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards']));
    const failure: string | undefined = p.DestinationConfig?.OnFailure?.Destination;
    if (failure?.startsWith(`arn:${t.env.partition}:s3:::`)) {
      const w = `${why} sends discarded batches to ${failure}`;
      out.push({ why: w, principal: role, action: 's3:ListBucket', resource: failure });
      // Lambda names the object aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/<timestamp>-<UUID>.
      out.push(...objectWrite(t, w, role, failure, 'aws/lambda/1f2e3d4c-0000-0000-0000-000000000000/shardId-000000000000/2026/01/01/2026-01-01T00.00.00-abc', ['s3:PutObject']));
    }
  }
  return out;
}

function lookup(obj: any, dotted: string): any {
  return dotted.split('.').reduce((o, k) => (o === undefined ? undefined : o[k]), obj);
}

// ---- Lambda handlers: the SDK calls listed beside each handler ----
function handlerPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, fn] of t.ofType('AWS::Lambda::Function')) {
    const role: string = fn.Role;
    const logGroup = fn.LoggingConfig?.LogGroup ?? `/aws/lambda/${t.ref(id)}`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      out.push({ why: `function ${id} logs`, principal: role, action, resource: logStreamArn(t, logGroup, '2026/01/01/[$LATEST]abc') });
    }
    const handler = handlerOf(fn);
    if (!handler) continue;
    const perms = handlerPermissions(handler);
    if (!perms) throw new Error(`reachability: function ${id} runs lambda/${handler}, which has no permissions.ts`);
    const vars = fn.Environment?.Variables ?? {};
    const config = perms.configEnv ? JSON.parse(vars[perms.configEnv]) : {};
    const inputs = t.ofType('AWS::CloudFormation::CustomResource').concat(
      Object.entries(t.resources).filter(([, r]) => r.Type.startsWith('Custom::')).map(([rid, r]) => [rid, r.Properties]),
    ).filter(([, p]) => p.ServiceToken === t.getAtt(id, 'Arn'));
    for (const call of perms.calls) {
      const expand = (input: any): string[] => {
        let values: string[] = [call.resource];
        values = values.flatMap((v) => {
          const m = /\$\{config\.([^}]+)\}/.exec(v);
          if (!m) return [v];
          const found = lookup(config, m[1]);
          const list = Array.isArray(found) ? found : typeof found === 'object' && found !== null ? Object.values(found) : [found];
          return list.map((x) => v.replace(m[0], String(x)));
        });
        return values.map((v) => v
          .replace(/\$\{env\.([^}]+)\}/g, (_m, k) => String(vars[k]))
          .replace(/\$\{input\.([^}]+)\}/g, (_m, k) => String(input?.[k]))
          .replace(/\$\{partition\}/g, t.env.partition)
          .replace(/\$\{region\}/g, t.env.region)
          .replace(/\$\{account\}/g, t.env.account));
      };
      const resources = call.resource.includes('${input.') ? inputs.flatMap(([, p]) => expand(p)) : expand(undefined);
      for (const resource of resources) {
        const why = `lambda/${handler} (${id}) calls ${call.command}`;
        for (const action of call.actions) out.push({ why, principal: role, action, resource });
        out.push(...keyUseOf(t, why, role, call.actions, resource));
      }
    }
  }
  return out;
}

/** The KMS calls a service makes with the caller's credentials when the resource a handler calls is encrypted. */
function keyUseOf(t: ResolvedTemplate, why: string, principal: string, actions: readonly string[], resource: string): AccessRequest[] {
  const service = resource.split(':')[2];
  if (service === 'kinesis' && resource.includes(':stream/')) {
    const writes = actions.some((a) => a.startsWith('kinesis:PutRecord'));
    const stream = resource.split('/consumer/')[0];
    return (writes ? streamWrite(t, why, principal, stream, []) : []).concat(
      actions.some((a) => a === 'kinesis:GetRecords') ? streamRead(t, why, principal, stream, []) : []);
  }
  if (service === 's3' && resource.includes('/') && actions.includes('s3:PutObject')) {
    const [bucket, ...key] = resource.split(':::')[1].split('/');
    return objectWrite(t, why, principal, `arn:${t.env.partition}:s3:::${bucket}`, key.join('/'), []);
  }
  if (service === 'sns' && actions.includes('sns:Publish')) {
    const topicId = t.idOf(resource);
    const key = topicId ? t.resources[topicId].Properties.KmsMasterKeyId : undefined;
    if (typeof key !== 'string' || !key.startsWith('arn:')) return [];
    return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
      why,
      principal,
      action,
      resource: key,
      context: { 'kms:ViaService': `sns.${t.env.region}.amazonaws.com`, 'kms:EncryptionContext:aws:sns:topicArn': resource },
    }));
  }
  if (service === 'dynamodb') {
    const tableName = resource.split(':table/')[1]?.split('/')[0];
    const tableId = t.ofType('AWS::DynamoDB::Table').find(([tid]) => t.ref(tid) === tableName)?.[0];
    const key = tableId ? t.resources[tableId].Properties.SSESpecification?.KMSMasterKeyId : undefined;
    if (typeof key !== 'string' || !key.startsWith('arn:')) return [];
    const writes = actions.some((a) => /:(Put|Update|BatchWrite|Delete)/.test(a));
    return (writes ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']).map((action) => ({
      why,
      principal,
      action,
      resource: key,
      context: { 'kms:ViaService': `dynamodb.${t.env.region}.amazonaws.com`, 'kms:EncryptionContext:aws:dynamodb:tableName': tableName },
    }));
  }
  return [];
}

// ---- EventBridge -> Lambda ----
function eventBridgePaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::Events::Rule')) {
    for (const target of p.Targets ?? []) {
      if (!String(target.Arn).includes(':lambda:')) continue;
      out.push({
        why: `EventBridge rule ${id} invokes ${target.Arn}`,
        principal: 'events.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: target.Arn,
        context: { 'aws:SourceAccount': t.env.account, 'aws:SourceArn': t.getAtt(id, 'Arn') },
      });
    }
  }
  return out;
}

// ---- S3 server access logging ----
function accessLogPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::S3::Bucket')) {
    const logging = p.LoggingConfiguration;
    if (!logging?.DestinationBucketName) continue;
    const dest = `arn:${t.env.partition}:s3:::${logging.DestinationBucketName}`;
    out.push(...objectWrite(t, `S3 server access logs of ${id}`, 'logging.s3.amazonaws.com', dest,
      `${logging.LogFilePrefix ?? ''}2026-01-01-00-00-00-ABCDEF`, ['s3:PutObject'],
      { 'aws:SourceAccount': t.env.account, 'aws:SourceArn': t.getAtt(id, 'Arn') }));
  }
  return out;
}

// ---- CloudWatch Logs -> each log group's key ----
function logGroupKeyPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::Logs::LogGroup')) {
    if (typeof p.KmsKeyId !== 'string' || !p.KmsKeyId.startsWith('arn:')) continue;
    const groupArn = arnParts(t).arn('logs', `log-group:${t.ref(id)}`);
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey']) {
      out.push({
        why: `CloudWatch Logs encrypts log group ${id}`,
        principal: `logs.${t.env.region}.amazonaws.com`,
        action,
        resource: p.KmsKeyId,
        context: { 'kms:EncryptionContext:aws:logs:arn': groupArn },
      });
    }
  }
  return out;
}

// ---- API Gateway -> Kinesis ----
function apiGatewayPaths(t: ResolvedTemplate): AccessRequest[] {
  const out: AccessRequest[] = [];
  for (const [id, p] of t.ofType('AWS::ApiGateway::Method')) {
    const integration = p.Integration;
    const m = /:apigateway:[^:]*:kinesis:action\/(\w+)$/.exec(integration?.Uri ?? '');
    if (!m || !integration.Credentials) continue;
    const why = `API Gateway method ${id} calls Kinesis ${m[1]}`;
    out.push(assumeRole(t, why, 'apigateway.amazonaws.com', integration.Credentials, {}));
    for (const template of Object.values<string>(integration.RequestTemplates ?? {})) {
      const stream = /"StreamName":\s*"([^"]+)"/.exec(template)?.[1];
      if (!stream) throw new Error(`reachability: ${id} integrates with Kinesis without a StreamName in its request template`);
      out.push(...streamWrite(t, why, integration.Credentials, arnParts(t).arn('kinesis', `stream/${stream}`), [`kinesis:${m[1]}`]));
    }
  }
  return out;
}
