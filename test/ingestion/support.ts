import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { render } from 'velocityjs';
import { PipelineStream, StreamIngestionApi, StreamIngestionApiOptions } from '../../lib';

export const STREAM_NAME = 'clicks-stream';

/** A stack with a `StreamIngestionApi` and its synthesized template. */
export function ingestionStack(options: StreamIngestionApiOptions = {}): { stack: Stack; api: StreamIngestionApi; template: Template } {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const stream = new PipelineStream(stack, 'Clicks');
  const api = new StreamIngestionApi(stack, 'Api', { stream: stream.stream, ...options });
  return { stack, api, template: Template.fromStack(stack) };
}

/** The `POST /events` request template as deployed, with the stream's `Ref` replaced by `STREAM_NAME`. */
export function deployedRequestTemplate(template: Template): string {
  const method = Object.values(template.findResources('AWS::ApiGateway::Method'))[0];
  return flatten(method.Properties.Integration.RequestTemplates['application/json']);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref) return STREAM_NAME;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0]);
  throw new Error(`unexpected intrinsic in the request template: ${JSON.stringify(value)}`);
}

/** The `$context.identity` of a caller, as API Gateway fills it for SigV4 requests. */
export interface CallerIdentity {
  readonly cognitoIdentityId?: string;
  readonly caller: string;
  readonly userArn: string;
  readonly sourceIp: string;
}

export const COGNITO_CALLER: CallerIdentity = {
  cognitoIdentityId: 'us-east-1:7d3b1f2a-0c4e-4f5a-9b6c-1e2d3f4a5b6c',
  caller: 'AROAEXAMPLEROLEID123:CognitoIdentityCredentials',
  userArn: 'arn:aws:sts::123456789012:assumed-role/web-clients/CognitoIdentityCredentials',
  sourceIp: '198.51.100.7',
};

export const IAM_CALLER: CallerIdentity = {
  caller: 'AROAEXAMPLEROLEID456:backend-producer',
  userArn: 'arn:aws:sts::123456789012:assumed-role/producers/backend-producer',
  sourceIp: '203.0.113.9',
};

/**
 * How `$input.json(path)` serialises a value. API Gateway documents only that the result is JSON; both a serialiser
 * that writes non-ASCII characters as they are and one that escapes them as `\uXXXX` are tried.
 */
export type JsonSerialiser = (value: unknown) => string;
export const rawUnicode: JsonSerialiser = (v) => JSON.stringify(v);
export const asciiOnly: JsonSerialiser = (v) => JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * Renders a request template the way API Gateway does for the subset it uses: Velocity (velocityjs) with `$input`
 * (`path` and `json` over the parsed body; JSONPath `$.a[0].b` only), `$util.base64Encode` (UTF-8 bytes) and
 * `$context`. Java string methods the template calls (`trim`, `substring`, `lastIndexOf`) behave the same on
 * JavaScript strings.
 */
export function renderRequest(vtl: string, body: unknown, identity: CallerIdentity, serialise: JsonSerialiser = rawUnicode): string {
  const select = (path: string): unknown => {
    if (!path.startsWith('$')) throw new Error(`unsupported JSONPath ${path}`);
    let node: any = body;
    for (const [, name, index] of path.slice(1).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)) {
      node = name !== undefined ? node?.[name] : node?.[Number(index)];
    }
    return node;
  };
  return render(vtl, {
    input: { path: select, json: (path: string) => serialise(select(path)) },
    util: { base64Encode: (s: string) => Buffer.from(String(s), 'utf8').toString('base64') },
    context: { requestId: 'c0ffee00-1234-4abc-8def-000000000001', requestTimeEpoch: 1767607200123, identity },
  });
}

/** The PutRecords request a rendered template is, with each record's data decoded. */
export function decodePutRecords(rendered: string): { StreamName: string; Records: Array<{ PartitionKey: string; data: any; bytes: number }> } {
  const request = JSON.parse(rendered);
  return {
    StreamName: request.StreamName,
    Records: request.Records.map((r: { Data: string; PartitionKey: string }) => {
      const raw = Buffer.from(r.Data, 'base64');
      return { PartitionKey: r.PartitionKey, data: JSON.parse(raw.toString('utf8')), bytes: raw.length + Buffer.byteLength(r.PartitionKey) };
    }),
  };
}
