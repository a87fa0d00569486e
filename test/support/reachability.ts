/**
 * Reachability: can each principal of a synthesized stack do what its data path or alarm path needs, once its identity
 * policies, the resource's own policy (bucket, topic, Lambda permission, role trust) and the KMS key policy are all
 * applied? The paths are derived from the template itself (`derivePaths`), each evaluated with an IAM policy simulator
 * (`@cloud-copilot/iam-simulate`, a test-only devDependency) with the request context the real call carries.
 *
 * Adapters, each as narrow as the simulator needs:
 * - a role's session is simulated as the role ARN (policies are the role's; session policies are not used here);
 * - CloudWatch Logs authorizes log-group actions against `log-group:<name>:*`, the form of a log group's `Arn`
 *   attribute, which is how every grant in these templates names it: a statement on `log-group:<name>:*` is read as
 *   covering the log group `log-group:<name>` too;
 * - the simulator ignores `kms:EncryptionContext:<key>` request keys: the harness evaluates those conditions itself
 *   (String*, Arn* operators, with their IfExists forms) and leaves in the statement either nothing (met) or a condition
 *   that cannot be met and names the mismatch (`kms:EncryptionContextKeys` = `mismatch: <key> <value>`);
 * - an action the Service Authorization Reference lists without resource types is evaluated on `*`, as AWS does (so
 *   `kinesis:UpdateShardCount`, which the reference lists without any, needs a grant on `*`); except
 *   `logs:DescribeLogGroups` (granted on `log-group:*` as the Managed Flink documentation shows), which is evaluated on
 *   the resource named (what that grant assumes; only a deploy proves it);
 * - streams encrypted with the AWS managed key `alias/aws/kinesis` have no key policy of ours to check (that key allows
 *   every principal of the account through Kinesis);
 * - Lambda permissions (`AWS::Lambda::Permission`) are turned into the function's resource-policy statements, as Lambda
 *   does (`SourceArn` -> `ArnLike aws:SourceArn`, `SourceAccount` -> `StringEquals aws:SourceAccount`).
 */
import { isWildcardOnlyAction, runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { ResolvedTemplate } from './template-resolver';

/** One call of one data path or alarm path. */
export interface AccessRequest {
  /** The path this call belongs to, for the failure message. */
  readonly why: string;
  /** A role ARN or a service principal (`cloudwatch.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
}

export interface Decision {
  readonly request: AccessRequest;
  readonly allowed: boolean;
  /** `Allowed`, `ExplicitlyDenied`, `ImplicitlyDenied`, or `Error`. */
  readonly result: string;
  /** Principal, action, resource, and the denying statement or where an allow is missing. */
  readonly explanation: string;
}

interface NamedPolicy { readonly name: string; readonly policy: any }

/** The identity and resource policies of a resolved template, found by principal and resource ARN. */
export class PolicyModel {
  constructor(public readonly t: ResolvedTemplate) {}

  /** Identity policies of a role of this template (managed, inline, and `AWS::IAM::Policy`). */
  public identityPolicies(principal: string): NamedPolicy[] {
    const roleId = this.roleId(principal);
    if (!roleId) return [];
    const roleName = this.t.ref(roleId);
    const out: NamedPolicy[] = [];
    const role = this.t.resources[roleId].Properties;
    for (const p of role.Policies ?? []) out.push({ name: `${roleId}/${p.PolicyName}`, policy: p.PolicyDocument });
    for (const arn of role.ManagedPolicyArns ?? []) {
      const id = this.t.ofType('AWS::IAM::ManagedPolicy').find(([mid]) => this.t.ref(mid) === arn)?.[0];
      if (!id) throw new Error(`reachability: role ${roleId} has a managed policy this template does not define: ${arn}`);
    }
    for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
      for (const [id, p] of this.t.ofType(type)) {
        const attached = (p.Roles ?? []).includes(roleName)
          || (role.ManagedPolicyArns ?? []).includes(this.t.ref(id));
        if (attached) out.push({ name: id, policy: p.PolicyDocument });
      }
    }
    return out.map((p) => ({ name: p.name, policy: normalizePolicy(p.policy) }));
  }

  /** The role of this template a principal ARN names. */
  public roleId(principal: string): string | undefined {
    return this.t.ofType('AWS::IAM::Role').find(([id]) => this.t.getAtt(id, 'Arn') === principal)?.[0];
  }

  /** The resource policy that applies to a resource ARN, if the template defines one. */
  public resourcePolicy(action: string, resource: string): NamedPolicy | undefined {
    const t = this.t;
    const service = resource.split(':')[2];
    if (action === 'sts:AssumeRole') {
      const id = this.roleId(resource);
      return id ? { name: `${id} trust policy`, policy: t.resources[id].Properties.AssumeRolePolicyDocument } : undefined;
    }
    if (service === 'kms') {
      const id = t.ofType('AWS::KMS::Key').find(([kid]) => t.getAtt(kid, 'Arn') === resource)?.[0];
      return id ? { name: `${id} key policy`, policy: normalizePolicy(t.resources[id].Properties.KeyPolicy) } : undefined;
    }
    if (service === 'sns') {
      const found = t.ofType('AWS::SNS::TopicPolicy').find(([, p]) => (p.Topics ?? []).includes(resource));
      return found ? { name: found[0], policy: found[1].PolicyDocument } : undefined;
    }
    if (service === 's3') {
      const bucket = resource.split(':::')[1].split('/')[0];
      const found = t.ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Bucket === bucket);
      return found ? { name: found[0], policy: normalizePolicy(found[1].PolicyDocument) } : undefined;
    }
    if (service === 'lambda') {
      const statements = t.ofType('AWS::Lambda::Permission')
        .filter(([, p]) => p.FunctionName === resource || t.arnOf(t.idOf(p.FunctionName) ?? '') === resource)
        .map(([id, p]) => lambdaPermissionStatement(id, p, resource));
      return statements.length ? { name: `${resource} permissions`, policy: { Version: '2012-10-17', Statement: statements } } : undefined;
    }
    if (service === 'kinesis') {
      const found = t.ofType('AWS::Kinesis::ResourcePolicy').find(([, p]) => p.ResourceArn === resource);
      return found ? { name: found[0], policy: found[1].ResourcePolicy } : undefined;
    }
    if (service === 'secretsmanager') {
      const found = t.ofType('AWS::SecretsManager::ResourcePolicy').find(([, p]) => p.SecretId === resource);
      return found ? { name: found[0], policy: found[1].ResourcePolicy } : undefined;
    }
    return undefined;
  }
}

function lambdaPermissionStatement(id: string, p: any, functionArn: string): any {
  const principal = String(p.Principal);
  const condition: Record<string, Record<string, string>> = {};
  if (p.SourceArn) condition.ArnLike = { 'aws:SourceArn': p.SourceArn };
  if (p.SourceAccount) condition.StringEquals = { 'aws:SourceAccount': p.SourceAccount };
  return {
    Sid: id,
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: p.Action,
    Resource: functionArn,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

/**
 * The CloudWatch Logs adapter (see the file's comment): `log-group:<name>:*` and `log-group:<name>:log-stream:*` also
 * name the log group `log-group:<name>` (the forms the AWS documentation gives for log-group actions).
 */
function normalizePolicy(policy: any): any {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map((s: any) => {
      if (s.Resource === undefined) return s;
      const resources: string[] = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      const extra = resources.map((r) => /^(arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^:*]+):(log-stream:)?\*$/.exec(r)?.[1])
        .filter((r): r is string => r !== undefined);
      return extra.length ? { ...s, Resource: [...resources, ...extra] } : s;
    }),
  };
}

const ENCRYPTION_CONTEXT = /^kms:EncryptionContext:(.+)$/i;

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

function conditionMet(op: string, expected: unknown, actual: string | string[] | undefined): boolean {
  const base = op.replace(/IfExists$/, '');
  if (actual === undefined) return op.endsWith('IfExists') || base === 'Null';
  const values = (Array.isArray(expected) ? expected : [expected]).map(String);
  const actuals = Array.isArray(actual) ? actual : [actual];
  const one = (a: string) => {
    switch (base) {
      case 'StringEquals': case 'ArnEquals': return values.includes(a);
      case 'StringEqualsIgnoreCase': return values.some((v) => v.toLowerCase() === a.toLowerCase());
      case 'StringLike': case 'ArnLike': return values.some((v) => globMatch(v, a));
      case 'StringNotEquals': case 'ArnNotEquals': return !values.includes(a);
      case 'StringNotLike': case 'ArnNotLike': return !values.some((v) => globMatch(v, a));
      default: throw new Error(`reachability: condition operator ${op} on an encryption context is not modelled`);
    }
  };
  return actuals.some(one);
}

/** The encryption-context adapter (see the file's comment). */
function applyEncryptionContext(policy: any, context: Record<string, string | string[]>): any {
  const lookup = (key: string) => Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map((s: any) => {
      if (!s.Condition) return s;
      const condition: Record<string, Record<string, unknown>> = {};
      for (const [op, block] of Object.entries<Record<string, unknown>>(s.Condition)) {
        const kept: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(block)) {
          if (!ENCRYPTION_CONTEXT.test(k)) {
            kept[k] = v;
          } else if (!conditionMet(op, v, lookup(k))) {
            condition.StringEquals = { ...condition.StringEquals, 'kms:EncryptionContextKeys': `mismatch: ${k} ${op} ${JSON.stringify(v)}` };
          }
        }
        if (Object.keys(kept).length) condition[op] = { ...condition[op], ...kept };
      }
      const { Condition: _drop, ...rest } = s;
      return Object.keys(condition).length ? { ...rest, Condition: condition } : rest;
    }),
  };
}

/** Actions the SAR lists without resource types whose grants this library scopes to the resource the API names. */
const SCOPED_DESPITE_SAR = new Set(['logs:DescribeLogGroups']);

function accountOf(arn: string, fallback: string): string {
  const parts = arn.split(':');
  return parts.length > 4 && /^\d{12}$/.test(parts[4]) ? parts[4] : fallback;
}

/** Evaluates one request against the template's policies. */
export async function evaluate(model: PolicyModel, request: AccessRequest): Promise<Decision> {
  const account = model.t.env.account;
  const requestContext = request.context ?? {};
  const identityPolicies = model.identityPolicies(request.principal).map((p) => ({ ...p, policy: applyEncryptionContext(p.policy, requestContext) }));
  const found = model.resourcePolicy(request.action, request.resource);
  const resourcePolicy = found ? { ...found, policy: applyEncryptionContext(found.policy, requestContext) } : undefined;
  const isRole = model.roleId(request.principal) !== undefined;
  const context: Record<string, string | string[]> = {
    'aws:SecureTransport': 'true',
    ...(isRole ? { 'aws:PrincipalAccount': account, 'aws:PrincipalArn': request.principal } : {}),
    ...request.context,
  };
  for (const k of Object.keys(context)) {
    if (ENCRYPTION_CONTEXT.test(k)) delete context[k];
  }
  const [service, actionName] = request.action.split(':');
  const wildcardOnly = request.resource !== '*' && await isWildcardOnlyAction(service, actionName);
  const simulation = (resource: string) => ({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource, accountId: accountOf(request.resource, account) },
      contextVariables: context,
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy?.policy,
  });
  const head = `${request.why}: ${request.principal} ${request.action} ${request.resource}`;
  if (wildcardOnly && SCOPED_DESPITE_SAR.has(request.action)) {
    const result = runUnsafeSimulation(simulation(request.resource), { simulationMode: 'Strict' });
    return result === 'Allowed'
      ? { request, allowed: true, result, explanation: `${head}: allowed` }
      : { request, allowed: false, result, explanation: `${head}: ${result}: no allow in the identity policies [${identityPolicies.map((p) => p.name).join(', ')}]` };
  }
  const response = await runSimulation(simulation(wildcardOnly ? '*' : request.resource), { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return { request, allowed: false, result: 'Error', explanation: `${head}: the simulator refused the request: ${JSON.stringify(response.errors)}` };
  }
  const result = response.overallResult;
  if (result === 'Allowed') return { request, allowed: true, result, explanation: `${head}: allowed` };
  const analysis: any = response.resultType === 'single' ? response.result.analysis : response.results[0]?.analysis;
  const denies: string[] = [];
  for (const [where, part] of [['identity policy', analysis?.identityAnalysis], ['resource policy', analysis?.resourceAnalysis]] as const) {
    for (const d of part?.denyStatements ?? []) {
      denies.push(`denied by a statement of the ${where} ${d.policyId ?? resourcePolicy?.name ?? ''}: ${JSON.stringify(d.statement)}`);
    }
  }
  let why: string;
  if (denies.length) {
    why = denies.join('; ');
  } else {
    const missing: string[] = [];
    const idResult = analysis?.identityAnalysis?.result;
    const resResult = analysis?.resourceAnalysis?.result;
    if (identityPolicies.length === 0 && !isRole) {
      missing.push(`no allow in ${resourcePolicy ? `the resource policy ${resourcePolicy.name}` : 'any resource policy (there is none)'} for the service principal`);
    } else {
      if (idResult !== 'Allowed') missing.push(`no allow in the identity policies [${identityPolicies.map((p) => p.name).join(', ')}]`);
      if (resourcePolicy && resResult !== 'Allowed' && resResult !== 'AllowedForAccount') {
        missing.push(`no allow in the resource policy ${resourcePolicy.name} (${resResult})`);
      }
    }
    why = missing.join('; ') || `${result} (identity ${idResult}, resource ${resResult})`;
  }
  return { request, allowed: false, result, explanation: `${head}: ${result}: ${why}; context ${JSON.stringify({ ...context, ...requestContext })}` };
}

/** Evaluates every request and returns the decisions. */
export async function evaluateAll(model: PolicyModel, requests: AccessRequest[]): Promise<Decision[]> {
  const out: Decision[] = [];
  for (const r of requests) out.push(await evaluate(model, r));
  return out;
}
