/**
 * The CloudFormation side of the custom resource: what a request asks, and the response the function PUTs to the
 * pre-signed ResponseURL (a Lambda-backed custom resource answers CloudFormation itself).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Goal } from './decide';

export interface ControlRequest {
  readonly goal: Goal;
  readonly applicationName: string;
  readonly allowNonRestoredState: boolean;
  /** The id CloudFormation knows the resource by: the application name. */
  readonly physicalResourceId: string;
}

/** Create/Update: start (and wait for RUNNING); Delete: stop (and wait for READY). */
export function parseRequest(event: CloudFormationCustomResourceEvent): ControlRequest {
  const props = event.ResourceProperties as Record<string, unknown>;
  const applicationName = String(props.ApplicationName ?? '');
  const deleting = event.RequestType === 'Delete';
  return {
    goal: deleting ? 'READY' : 'RUNNING',
    applicationName: deleting && !applicationName ? event.PhysicalResourceId : applicationName,
    // CloudFormation passes every property as a string.
    allowNonRestoredState: String(props.AllowNonRestoredState) === 'true',
    physicalResourceId: applicationName || (event as { PhysicalResourceId?: string }).PhysicalResourceId || event.LogicalResourceId,
  };
}

/** CloudFormation shows Reason to the user; responses are limited to 4 KB in all. */
const MAX_REASON = 2000;

export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho: boolean;
  readonly Data: Record<string, string>;
}

export function responseBody(
  event: CloudFormationCustomResourceEvent, physicalResourceId: string, ok: boolean, reason: string, data: Record<string, string> = {},
): CfnResponseBody {
  return {
    Status: ok ? 'SUCCESS' : 'FAILED',
    Reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  };
}

/** PUTs the response to the pre-signed URL (no content type: the signature covers an empty one). */
export async function sendResponse(responseUrl: string, body: CfnResponseBody): Promise<void> {
  const payload = JSON.stringify(body);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(responseUrl, { method: 'PUT', body: payload, headers: { 'content-type': '' } });
      if (res.ok) return;
      lastError = new Error(`CloudFormation answered ${res.status} ${res.statusText}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
  }
  throw lastError;
}
