/**
 * The custom resource's decisions, status by status, as decide.ts documents them (ApplicationStatus values of the
 * Managed Flink API): the table a mutation of any branch would change.
 */
import { classifyError, nextStep } from '../../../lambda/flink-app-control/decide';

describe('nextStep towards READY (Delete)', () => {
  test.each([
    [undefined, false, { kind: 'done' }],
    ['READY', false, { kind: 'done' }],
    ['DELETING', false, { kind: 'done' }],
    ['STOPPING', false, { kind: 'wait' }],
    ['STOPPING', true, { kind: 'stop', force: true }],
    ['FORCE_STOPPING', true, { kind: 'wait' }],
    ['FORCE_STOPPING', false, { kind: 'wait' }],
    ['RUNNING', false, { kind: 'stop', force: false }],
    ['RUNNING', true, { kind: 'stop', force: true }],
    ['ROLLED_BACK', false, { kind: 'stop', force: false }],
    ['STARTING', false, { kind: 'stop', force: false }],
    ['UPDATING', false, { kind: 'stop', force: false }],
    ['AUTOSCALING', true, { kind: 'stop', force: true }],
    ['ROLLING_BACK', false, { kind: 'wait' }],
    ['MAINTENANCE', true, { kind: 'wait' }],
    ['SOMETHING_NEW', false, { kind: 'fail', reason: 'cannot stop an application in status SOMETHING_NEW' }],
  ])('%s (force %s) → %j', (status, force, step) => {
    expect(nextStep('READY', status, force)).toEqual(step);
  });

  test('a graceful stop is not forced unless told', () => {
    expect(nextStep('READY', 'STOPPING')).toEqual({ kind: 'wait' });
    expect(nextStep('READY', 'RUNNING')).toEqual({ kind: 'stop', force: false });
  });
});

describe('nextStep towards RUNNING (Create, Update)', () => {
  test.each([
    [undefined, { kind: 'fail', reason: 'the application does not exist' }],
    ['RUNNING', { kind: 'done' }],
    ['READY', { kind: 'start' }],
    ['DELETING', { kind: 'fail', reason: 'the application is being deleted' }],
    ['ROLLED_BACK', { kind: 'fail', reason: 'the service rolled the application back to its previous version: the new version failed to start (see its logs)' }],
    ['STARTING', { kind: 'wait' }],
    ['STOPPING', { kind: 'wait' }],
    ['FORCE_STOPPING', { kind: 'wait' }],
    ['UPDATING', { kind: 'wait' }],
    ['AUTOSCALING', { kind: 'wait' }],
    ['ROLLING_BACK', { kind: 'wait' }],
    ['MAINTENANCE', { kind: 'wait' }],
    ['SOMETHING_NEW', { kind: 'fail', reason: 'cannot start an application in status SOMETHING_NEW' }],
  ])('%s → %j', (status, step) => {
    expect(nextStep('RUNNING', status, true)).toEqual(step);
  });
});

describe('classifyError', () => {
  test.each([
    [{ name: 'ResourceNotFoundException' }, 'not-found'],
    [{ name: 'ResourceInUseException' }, 'wait'],
    [{ name: 'ConcurrentModificationException' }, 'retry'],
    [{ name: 'ThrottlingException' }, 'retry'],
    [{ name: 'TooManyRequestsException' }, 'retry'],
    [{ name: 'ServiceUnavailableException' }, 'retry'],
    [{ name: 'SomeError', $retryable: {} }, 'retry'],
    [{ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, 'retry'],
    [{ name: 'BadGateway', $metadata: { httpStatusCode: 502 } }, 'retry'],
    [{ name: 'InvalidArgumentException', $metadata: { httpStatusCode: 400 } }, 'fatal'],
    [{ name: 'Odd', $metadata: { httpStatusCode: 499 } }, 'fatal'],
    [{ name: 'InvalidApplicationConfigurationException' }, 'fatal'],
    [new Error('no name of the service'), 'fatal'],
    [undefined, 'fatal'],
  ])('%j → %s', (error, action) => {
    expect(classifyError(error)).toBe(action);
  });
});
