/**
 * Property: whatever the service answers (any status, any error, stuck or not), the custom resource answers CloudFormation
 * exactly once, within the function's time, within 4,096 bytes; and a Delete always answers SUCCESS, so a stack (or its
 * rollback) never waits on it. Fixed seed, printed by fast-check on failure.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as fc from 'fast-check';
import { CfnResponseBody, MAX_RESPONSE_BYTES } from '../../../lambda/flink-app-control/cfn';
import { ApplicationView, FlinkApi } from '../../../lambda/flink-app-control/control';
import { makeHandler } from '../../../lambda/flink-app-control/handler';
import { assertAsyncProperty } from '../../support/property';

const SEED = 20261207;
const STATUSES = ['DELETING', 'STARTING', 'STOPPING', 'READY', 'RUNNING', 'UPDATING', 'AUTOSCALING', 'FORCE_STOPPING', 'ROLLING_BACK', 'MAINTENANCE', 'ROLLED_BACK', 'SOMETHING_NEW'];
const ERRORS = ['AccessDeniedException', 'ResourceNotFoundException', 'ResourceInUseException', 'ThrottlingException', 'InvalidRequestException', 'ConcurrentModificationException'];

const answer = fc.oneof(
  fc.constantFrom(...STATUSES).map((status) => ({ status })),
  fc.constant({ status: undefined }),
  fc.record({ error: fc.constantFrom(...ERRORS), message: fc.string({ unit: 'binary', maxLength: 3000 }) }),
);

describe('flink-app-control property', () => {
  test('property: any service behaviour: one answer, in time, within 4,096 bytes; a Delete always SUCCESS', async () => {
    await assertAsyncProperty(fc.asyncProperty(
      fc.constantFrom('Create', 'Update', 'Delete'), fc.array(answer, { minLength: 1, maxLength: 8 }), fc.option(fc.constantFrom(...ERRORS), { nil: undefined }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }),
      async (requestType, answers, stopError, name) => {
        let t = 0;
        let i = 0;
        const fail = (e: string, m = 'injected') => Object.assign(new Error(m), { name: e });
        const api: FlinkApi = {
          // The service answers in turn, and keeps giving its last answer (stuck) once the list is used up.
          describe: async (): Promise<ApplicationView | undefined> => {
            const a = answers[Math.min(i++, answers.length - 1)];
            if ('error' in a) throw fail(a.error, a.message);
            return a.status === undefined ? undefined : { status: a.status, snapshotsEnabled: true };
          },
          listSnapshotStatuses: async () => ['READY'],
          start: async () => undefined,
          stop: async () => { if (stopError) throw fail(stopError); },
        };
        const sent: CfnResponseBody[] = [];
        const handler = makeHandler({
          api,
          clock: { now: () => t, sleep: async (ms) => { t += ms; } },
          pollMs: 10_000,
          marginMs: 20_000,
          send: async (_url, body) => { sent.push(body); },
          logger: new Logger({ logLevel: 'SILENT' }),
        });
        const event = {
          RequestType: requestType,
          ServiceToken: 'x',
          ResponseURL: 'https://example.com/r',
          StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/S/1',
          RequestId: 'q',
          LogicalResourceId: 'AppStart',
          ResourceType: 'Custom::FlinkApplicationStart',
          ResourceProperties: { ServiceToken: 'x', ApplicationName: name },
          ...(requestType === 'Create' ? {} : { PhysicalResourceId: name }),
          ...(requestType === 'Update' ? { OldResourceProperties: { ServiceToken: 'x', ApplicationName: name } } : {}),
        } as CloudFormationCustomResourceEvent;
        const timeout = 15 * 60_000;
        await handler(event, { getRemainingTimeInMillis: () => timeout - t });
        expect(sent).toHaveLength(1);
        expect(t).toBeLessThanOrEqual(timeout);
        expect(Buffer.byteLength(JSON.stringify(sent[0]))).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        if (requestType === 'Delete') expect(sent[0].Status).toBe('SUCCESS');
      },
    ), { seed: SEED, numRuns: 300 });
  });
});
