import * as fc from 'fast-check';
import { FakeFlink, VirtualClock } from './fake-flink';
import { converge, retryDelay } from '../../../lambda/flink-app-control/control';
import { assertAsyncProperty } from '../../support/property';

const MINUTE = 60_000;

function setup(transitionMs = 90_000) {
  const clock = new VirtualClock();
  const fake = new FakeFlink(clock.now, transitionMs);
  const options = { deadline: clock.t + 14 * MINUTE, pollMs: 10_000, forceStopAt: clock.t + 7 * MINUTE };
  return { clock, fake, options };
}

describe('converge', () => {
  test('first start of a new application: no snapshot, so SKIP_RESTORE_FROM_SNAPSHOT, then waits for RUNNING', async () => {
    const { clock, fake, options } = setup();
    fake.add('app');
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome).toMatchObject({ ok: true, status: 'RUNNING', actions: ['start:SKIP_RESTORE_FROM_SNAPSHOT'] });
    expect(fake.callsOf('StartApplication')[0].input.RunConfiguration).toEqual({
      ApplicationRestoreConfiguration: { ApplicationRestoreType: 'SKIP_RESTORE_FROM_SNAPSHOT' }, FlinkRunConfiguration: { AllowNonRestoredState: false },
    });
    expect(clock.t - 1_700_000_000_000).toBeGreaterThanOrEqual(90_000);
  });

  test('restart of a stopped application restores its latest snapshot (and passes allowNonRestoredState)', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { snapshots: ['READY', 'CREATING'] });
    const outcome = await converge(fake.api(), 'app', 'RUNNING', { ...options, allowNonRestoredState: true }, clock);
    expect(outcome).toMatchObject({ ok: true, actions: ['start:RESTORE_FROM_LATEST_SNAPSHOT'] });
    expect(fake.callsOf('StartApplication')[0].input.RunConfiguration.FlinkRunConfiguration).toEqual({ AllowNonRestoredState: true });
  });

  test('snapshots off: never lists or restores snapshots', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { snapshotsEnabled: false, snapshots: ['READY'] });
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome.actions).toEqual(['start:SKIP_RESTORE_FROM_SNAPSHOT']);
    expect(fake.callsOf('ListApplicationSnapshots')).toEqual([]);
  });

  test('an update of a RUNNING application (CloudFormation already restarted it) needs no call', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { status: 'UPDATING', until: clock.t + 30_000, next: 'RUNNING' });
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome).toMatchObject({ ok: true, status: 'RUNNING', actions: [] });
    expect(fake.callsOf('StartApplication')).toEqual([]);
  });

  test('stops gracefully (taking a snapshot) and waits for READY', async () => {
    const { clock, fake, options } = setup();
    const app = fake.add('app', { status: 'RUNNING' });
    const outcome = await converge(fake.api(), 'app', 'READY', options, clock);
    expect(outcome).toMatchObject({ ok: true, status: 'READY', actions: ['stop:graceful'] });
    expect(app.snapshots).toEqual(['READY']);
  });

  test('forces the stop when the graceful one has not finished by forceStopAt', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { status: 'RUNNING' });
    fake.handle('StopApplication', { ApplicationName: 'app', Force: false });
    fake.apps.get('app')!.stuckIn = 'STOPPING';
    const outcome = await converge(fake.api(), 'app', 'READY', options, clock);
    expect(outcome).toMatchObject({ ok: true, status: 'READY', actions: ['stop:force'] });
    const forced = fake.callsOf('StopApplication').slice(1);
    expect(forced.map((c) => c.input.Force)).toEqual([true]);
    expect(forced[0].at).toBeGreaterThanOrEqual(options.forceStopAt);
    expect(forced[0].at).toBeLessThan(options.forceStopAt + options.pollMs);
  });

  test('a stop stuck even after forcing fails at the deadline', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { status: 'RUNNING', stuckIn: 'FORCE_STOPPING' });
    fake.handle('StopApplication', { ApplicationName: 'app', Force: true });
    const outcome = await converge(fake.api(), 'app', 'READY', options, clock);
    expect(outcome).toMatchObject({ ok: false, status: 'FORCE_STOPPING', actions: [] });
    expect(outcome.reason).toMatch(/still FORCE_STOPPING after 840 s \(wanted READY\)/);
  });

  test('a forced stop that completes ends READY', async () => {
    const { clock, fake, options } = setup(20_000);
    fake.add('app', { status: 'STOPPING', until: clock.t + 60 * MINUTE, next: 'READY' });
    const outcome = await converge(fake.api(), 'app', 'READY', options, clock);
    expect(outcome).toMatchObject({ ok: true, status: 'READY', actions: ['stop:force'] });
  });

  test('delete of an application that is gone succeeds', async () => {
    const { clock, fake, options } = setup();
    expect(await converge(fake.api(), 'gone', 'READY', options, clock)).toMatchObject({ ok: true, status: undefined, actions: [] });
    fake.add('app', { status: 'RUNNING' });
    fake.failNext('StopApplication', 'ResourceNotFoundException');
    expect(await converge(fake.api(), 'app', 'READY', options, clock)).toMatchObject({ ok: true, reason: 'the application does not exist' });
  });

  test('start of an application that is gone fails', async () => {
    const { clock, fake, options } = setup();
    expect(await converge(fake.api(), 'gone', 'RUNNING', options, clock)).toMatchObject({ ok: false, reason: 'the application does not exist' });
  });

  test('an application stuck in STARTING fails at the deadline, saying so', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { stuckIn: 'STARTING' });
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toBe('the application is still STARTING after 840 s (wanted RUNNING); it may be stuck: see its logs');
    expect(clock.t).toBeGreaterThanOrEqual(options.deadline);
    expect(fake.callsOf('StartApplication')).toHaveLength(1);
  });

  test('a job that keeps failing to start is started twice, then reported', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { failedStarts: 5 });
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome).toMatchObject({ ok: false, status: 'READY' });
    expect(outcome.reason).toMatch(/returned to READY after 2 StartApplication call\(s\): the job failed to start/);
    expect(fake.callsOf('StartApplication')).toHaveLength(2);
  });

  test('a job that fails once and then starts is RUNNING', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { failedStarts: 1 });
    expect(await converge(fake.api(), 'app', 'RUNNING', options, clock)).toMatchObject({ ok: true, actions: ['start:SKIP_RESTORE_FROM_SNAPSHOT', 'start:SKIP_RESTORE_FROM_SNAPSHOT'] });
  });

  test('a configuration the service rejects fails at once with its message', async () => {
    const { clock, fake, options } = setup();
    fake.add('app');
    fake.failNext('StartApplication', 'InvalidApplicationConfigurationException', 1, 'The jar is not a Flink application');
    const outcome = await converge(fake.api(), 'app', 'RUNNING', options, clock);
    expect(outcome).toMatchObject({ ok: false, reason: 'StartApplication failed: InvalidApplicationConfigurationException: The jar is not a Flink application' });
    expect(clock.sleeps).toEqual([]);
  });

  test('the service rolling the application back is reported', async () => {
    const { clock, fake, options } = setup();
    fake.add('app', { status: 'ROLLED_BACK' });
    expect((await converge(fake.api(), 'app', 'RUNNING', options, clock)).reason).toMatch(/rolled the application back/);
  });

  test('retries transient errors with growing pauses capped at the poll interval', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retryDelay(n, 10_000))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  test('converges through any mix of ConcurrentModification, ResourceInUse and throttling, starting exactly once', async () => {
    const transient = fc.constantFrom('ConcurrentModificationException', 'ResourceInUseException', 'ThrottlingException');
    const operation = fc.constantFrom('DescribeApplication', 'StartApplication', 'ListApplicationSnapshots', 'StopApplication');
    await assertAsyncProperty(fc.asyncProperty(
      fc.array(fc.tuple(operation, transient), { maxLength: 12 }),
      fc.constantFrom('READY', 'RUNNING', 'STARTING', 'UPDATING', 'STOPPING'),
      fc.constantFrom('RUNNING', 'READY') as fc.Arbitrary<'RUNNING' | 'READY'>,
      fc.boolean(),
      async (errors, initial, goal, withSnapshot) => {
        const { clock, fake, options } = setup(60_000);
        const next = initial === 'STARTING' || initial === 'UPDATING' ? 'RUNNING' : initial === 'STOPPING' ? 'READY' : undefined;
        fake.add('app', { status: initial, until: next ? clock.t + 60_000 : undefined, next, snapshots: withSnapshot ? ['READY'] : [] });
        for (const [op, name] of errors) fake.failNext(op, name);
        const outcome = await converge(fake.api(), 'app', goal, options, clock);
        expect(outcome).toMatchObject({ ok: true, status: goal });
        expect(fake.callsOf('StartApplication').filter(() => goal === 'READY')).toEqual([]);
        const starts = outcome.actions.filter((a) => a.startsWith('start:'));
        expect(starts.length).toBeLessThanOrEqual(1);
        if (starts.length === 1) expect(starts[0]).toBe(withSnapshot ? 'start:RESTORE_FROM_LATEST_SNAPSHOT' : 'start:SKIP_RESTORE_FROM_SNAPSHOT');
        expect(clock.t).toBeLessThan(options.deadline);
      },
    ), { numRuns: 200 });
  });
});
