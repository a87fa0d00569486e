/**
 * The CloudFormation side of the custom resource: what a request asks, and the response the function PUTs to the
 * pre-signed ResponseURL (a Lambda-backed custom resource answers CloudFormation itself).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
import { createHash } from 'node:crypto';
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

/**
 * CloudFormation refuses a response body over 4,096 bytes (the stack then waits for the custom resource to time out);
 * the Reason is shortened to fit, counted in bytes of the JSON as sent.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 */
export const MAX_RESPONSE_BYTES = 4096;
/** Longest physical id this resource answers with, in bytes (CloudFormation allows 1 KB; the rest is left to Reason). */
export const MAX_PHYSICAL_ID_BYTES = 256;

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
  const body: CfnResponseBody = {
    Status: ok ? 'SUCCESS' : 'FAILED',
    Reason: '',
    PhysicalResourceId: boundedPhysicalId(physicalResourceId),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  };
  const room = MAX_RESPONSE_BYTES - Buffer.byteLength(JSON.stringify(body));
  return { ...body, Reason: fitJson(reason, room) };
}

/**
 * A physical id of at most {@link MAX_PHYSICAL_ID_BYTES} bytes: the id itself when it fits, otherwise its start and a
 * digest of the whole (deterministic, so that every response for the same resource carries the same id).
 */
export function boundedPhysicalId(id: string): string {
  if (Buffer.byteLength(id) <= MAX_PHYSICAL_ID_BYTES) return id;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${truncateBytes(id, MAX_PHYSICAL_ID_BYTES - digest.length - 1)}-${digest}`;
}

/** The longest prefix of `text` (whole code points, "..." appended when cut) whose JSON string form, less its quotes, fits `room` bytes. */
function fitJson(text: string, room: number): string {
  const size = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
  if (size(text) <= room) return text;
  const points = [...text];
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(`${points.slice(0, mid).join('')}...`) <= room) lo = mid; else hi = mid - 1;
  }
  return room >= 3 ? `${points.slice(0, lo).join('')}...` : '';
}

/** The longest prefix of whole code points within `max` UTF-8 bytes. */
function truncateBytes(text: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const point of text) {
    const b = Buffer.byteLength(point);
    if (bytes + b > max) break;
    out += point;
    bytes += b;
  }
  return out;
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
