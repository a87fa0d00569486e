/** The response to CloudFormation: always within its 4,096-byte limit, with a bounded, stable physical id. */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as fc from 'fast-check';
import { MAX_PHYSICAL_ID_BYTES, MAX_RESPONSE_BYTES, responseBody } from '../../../lambda/flink-app-control/cfn';
import { assertProperty } from '../../support/property';

const SEED = 20261207;

describe('responseBody', () => {
  test('property: any names and reasons give a body within 4,096 bytes and a physical id within its bound, the same each time', () => {
    const text = (max: number) => fc.string({ unit: 'binary', maxLength: max });
    assertProperty(fc.property(text(3000), text(1500), fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }), fc.boolean(),
      (reason, physicalId, logicalId, ok) => {
        const event = {
          RequestType: 'Delete',
          StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${'S'.repeat(128)}/${'1'.repeat(36)}`,
          RequestId: 'f'.repeat(36),
          LogicalResourceId: logicalId,
          PhysicalResourceId: physicalId,
        } as unknown as CloudFormationCustomResourceEvent;
        const body = responseBody(event, physicalId, ok, reason, { Status: 'STOPPING' });
        expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        expect(Buffer.byteLength(body.PhysicalResourceId)).toBeLessThanOrEqual(MAX_PHYSICAL_ID_BYTES);
        expect(responseBody(event, physicalId, ok, reason).PhysicalResourceId).toBe(body.PhysicalResourceId);
        // A reason that fits is sent whole; one cut keeps its start.
        if (body.Reason !== reason) expect(reason.startsWith(body.Reason.slice(0, -3))).toBe(true);
      }), { seed: SEED, numRuns: 200 });
  });

  test('a short physical id is kept as it is; a long one keeps its start and a digest of the whole', () => {
    const event = { StackId: 's', RequestId: 'r', LogicalResourceId: 'L' } as CloudFormationCustomResourceEvent;
    expect(responseBody(event, 'clicks', true, 'ok').PhysicalResourceId).toBe('clicks');
    const long = 'é'.repeat(600);
    const id = responseBody(event, long, true, 'ok').PhysicalResourceId;
    expect(id).toMatch(/^é+-[0-9a-f]{16}$/);
    expect(id).not.toBe(responseBody(event, `${long}x`, true, 'ok').PhysicalResourceId);
  });
});
