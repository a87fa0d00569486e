import * as fc from 'fast-check';
import { ApplicationStatus, classifyError, nextStep, restoreType } from '../../../lambda/flink-app-control/decide';
import { assertProperty } from '../../support/property';

const STATUSES: ApplicationStatus[] = [
  'DELETING', 'STARTING', 'STOPPING', 'READY', 'RUNNING', 'UPDATING', 'AUTOSCALING', 'FORCE_STOPPING', 'ROLLING_BACK', 'MAINTENANCE', 'ROLLED_BACK',
];
const status = fc.option(fc.constantFrom(...STATUSES), { nil: undefined });

describe('nextStep', () => {
  test('towards RUNNING: never stops; starts only from READY; done only when RUNNING; fails without an application', () => {
    assertProperty(fc.property(status, fc.boolean(), (s, force) => {
      const step = nextStep('RUNNING', s, force);
      expect(step.kind).not.toBe('stop');
      expect(step.kind === 'start').toBe(s === 'READY');
      expect(step.kind === 'done').toBe(s === 'RUNNING');
      if (s === undefined || s === 'DELETING' || s === 'ROLLED_BACK') expect(step.kind).toBe('fail');
    }));
  });

  test('towards READY: never starts; done when READY, gone or being deleted; forces a stop only when told to', () => {
    assertProperty(fc.property(status, fc.boolean(), (s, force) => {
      const step = nextStep('READY', s, force);
      expect(step.kind).not.toBe('start');
      expect(step.kind === 'done').toBe(s === undefined || s === 'READY' || s === 'DELETING');
      if (step.kind === 'stop') expect(step.force).toBe(force);
      if (s === 'RUNNING') expect(step).toEqual({ kind: 'stop', force });
    }));
  });

  test('transitional statuses wait, whatever the goal', () => {
    for (const s of ['UPDATING', 'AUTOSCALING', 'MAINTENANCE', 'ROLLING_BACK', 'STOPPING', 'FORCE_STOPPING']) {
      expect(nextStep('RUNNING', s)).toEqual({ kind: 'wait' });
    }
    expect(nextStep('RUNNING', 'STARTING')).toEqual({ kind: 'wait' });
    expect(nextStep('READY', 'FORCE_STOPPING', true)).toEqual({ kind: 'wait' });
    expect(nextStep('READY', 'STOPPING', false)).toEqual({ kind: 'wait' });
    expect(nextStep('READY', 'STOPPING', true)).toEqual({ kind: 'stop', force: true });
  });

  test('a status the service adds later fails clearly instead of looping', () => {
    expect(nextStep('RUNNING', 'HIBERNATING')).toEqual({ kind: 'fail', reason: 'cannot start an application in status HIBERNATING' });
    expect(nextStep('READY', 'HIBERNATING')).toEqual({ kind: 'fail', reason: 'cannot stop an application in status HIBERNATING' });
  });
});

describe('restoreType', () => {
  test('restores from the latest snapshot only when snapshots are on and one is READY', () => {
    assertProperty(fc.property(fc.boolean(), fc.array(fc.constantFrom('READY', 'CREATING', 'DELETING', 'FAILED')), (enabled, snapshots) => {
      const expected = enabled && snapshots.includes('READY') ? 'RESTORE_FROM_LATEST_SNAPSHOT' : 'SKIP_RESTORE_FROM_SNAPSHOT';
      expect(restoreType(enabled, snapshots)).toBe(expected);
    }));
  });
});

describe('classifyError', () => {
  const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
  test.each([
    ['ConcurrentModificationException', 'retry'],
    ['ThrottlingException', 'retry'],
    ['ServiceUnavailableException', 'retry'],
    ['ResourceInUseException', 'wait'],
    ['ResourceNotFoundException', 'not-found'],
    ['InvalidApplicationConfigurationException', 'fatal'],
    ['InvalidArgumentException', 'fatal'],
    ['InvalidRequestException', 'fatal'],
    ['LimitExceededException', 'fatal'],
    ['AccessDeniedException', 'fatal'],
  ])('%s -> %s', (name, action) => {
    expect(classifyError(named(name))).toBe(action);
  });

  test('a 5xx or an error the SDK marks retryable is retried', () => {
    expect(classifyError(named('InternalFailure', { $metadata: { httpStatusCode: 503 } }))).toBe('retry');
    expect(classifyError(named('TimeoutError', { $retryable: {} }))).toBe('retry');
    expect(classifyError(undefined)).toBe('fatal');
  });
});
