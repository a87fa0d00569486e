/**
 * A stand-in for Managed Service for Apache Flink, for the start/stop handler: the moto server (5.2.5) implements only
 * CreateApplication/DescribeApplication/ListApplications of kinesisanalyticsv2, returns timestamps the SDK v3 cannot
 * parse, answers 500 for a missing application and has no StartApplication, StopApplication or ListApplicationSnapshots.
 *
 * The fake keeps one account's applications as a state machine over a clock (virtual or real), with the statuses and
 * transitions of the service (READY -> STARTING -> RUNNING, RUNNING -> STOPPING -> READY with a snapshot,
 * FORCE_STOPPING -> READY without), error injection per operation, and two failure modes: stuck in a status, and a job
 * that fails to start (back to READY). It serves the same operations in process (FlinkApi) and over HTTP with the
 * service's JSON 1.1 protocol (X-Amz-Target KinesisAnalytics_20180523.<Operation>), so the real SDK client can talk to it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApplicationView, FlinkApi } from '../../../lambda/flink-app-control/control';

export interface FakeApplication {
  status: string;
  snapshotsEnabled: boolean;
  snapshots: string[];
  /** Status the application never leaves once in it (a stuck start or stop). */
  stuckIn?: string;
  /** StartApplication calls that fail to start the job (STARTING -> READY) before one succeeds. */
  failedStarts?: number;
  /** When the current transition ends (clock ms), and the status it ends in. */
  until?: number;
  next?: string;
}

export interface Call {
  readonly operation: string;
  readonly input: Record<string, any>;
  /** Clock time of the call. */
  readonly at: number;
}

export class FakeFlink {
  public readonly apps = new Map<string, FakeApplication>();
  public readonly calls: Call[] = [];
  private readonly errors: Array<{ operation: string; name: string; message: string }> = [];

  /**
   * @param now the clock transitions are measured on
   * @param transitionMs how long STARTING, STOPPING and FORCE_STOPPING last
   */
  constructor(private readonly now: () => number, private readonly transitionMs = 3_000) {}

  public add(name: string, app: Partial<FakeApplication> = {}): FakeApplication {
    const created: FakeApplication = { status: 'READY', snapshotsEnabled: true, snapshots: [], ...app };
    this.apps.set(name, created);
    return created;
  }

  /** The next `times` calls of `operation` fail with an error of that name. */
  public failNext(operation: string, name: string, times = 1, message = `injected ${name}`): void {
    for (let i = 0; i < times; i++) this.errors.push({ operation, name, message });
  }

  public callsOf(operation: string): Call[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Runs one operation as the service would; throws errors with the service's exception names. */
  public handle(operation: string, input: Record<string, any>): Record<string, any> {
    this.calls.push({ operation, input, at: this.now() });
    const injected = this.errors.findIndex((e) => e.operation === operation);
    if (injected >= 0) {
      const [e] = this.errors.splice(injected, 1);
      throw named(e.name, e.message);
    }
    const app = this.apps.get(input.ApplicationName);
    if (!app) throw named('ResourceNotFoundException', `Application ${input.ApplicationName} not found`);
    this.advance(app);
    switch (operation) {
      case 'DescribeApplication':
        return {
          ApplicationDetail: {
            ApplicationName: input.ApplicationName,
            ApplicationARN: `arn:aws:kinesisanalytics:us-east-1:123456789012:application/${input.ApplicationName}`,
            ApplicationStatus: app.status,
            ApplicationVersionId: 1,
            RuntimeEnvironment: 'FLINK-1_19',
            ApplicationConfigurationDescription: { ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: app.snapshotsEnabled } },
          },
        };
      case 'ListApplicationSnapshots': {
        const start = Number(input.NextToken ?? 0);
        const limit = input.Limit ?? 50;
        const page = app.snapshots.slice(start, start + limit);
        return {
          SnapshotSummaries: page.map((status, i) => ({ SnapshotName: `snap-${start + i}`, SnapshotStatus: status, ApplicationVersionId: 1 })),
          NextToken: start + limit < app.snapshots.length ? String(start + limit) : undefined,
        };
      }
      case 'StartApplication': {
        if (app.status !== 'READY') throw named('ResourceInUseException', `Application is in ${app.status} status`);
        const restore = input.RunConfiguration?.ApplicationRestoreConfiguration?.ApplicationRestoreType;
        if (restore === 'RESTORE_FROM_LATEST_SNAPSHOT' && !app.snapshots.includes('READY')) {
          throw named('InvalidRequestException', 'No snapshot to restore from');
        }
        this.transition(app, 'STARTING', (app.failedStarts ?? 0) > 0 ? 'READY' : 'RUNNING');
        if ((app.failedStarts ?? 0) > 0) app.failedStarts!--;
        return {};
      }
      case 'StopApplication': {
        if (input.Force) {
          if (app.status === 'READY') throw named('InvalidApplicationConfigurationException', 'Application is not running');
          this.transition(app, 'FORCE_STOPPING', 'READY');
          return {};
        }
        if (app.status !== 'RUNNING') throw named('ResourceInUseException', `Application is in ${app.status} status`);
        if (app.snapshotsEnabled) app.snapshots.push('READY');
        this.transition(app, 'STOPPING', 'READY');
        return {};
      }
      default:
        throw named('UnknownOperationException', operation);
    }
  }

  /** The fake as the handler's FlinkApi, in process. */
  public api(): FlinkApi {
    const call = async (operation: string, input: Record<string, any>) => this.handle(operation, input);
    return {
      describe: async (name): Promise<ApplicationView | undefined> => {
        try {
          const detail = (await call('DescribeApplication', { ApplicationName: name })).ApplicationDetail;
          const snapshots = detail.ApplicationConfigurationDescription.ApplicationSnapshotConfigurationDescription;
          return { status: detail.ApplicationStatus, snapshotsEnabled: snapshots.SnapshotsEnabled };
        } catch (e) {
          if ((e as Error).name === 'ResourceNotFoundException') return undefined;
          throw e;
        }
      },
      listSnapshotStatuses: async (name) => (await call('ListApplicationSnapshots', { ApplicationName: name })).SnapshotSummaries.map((s: any) => s.SnapshotStatus),
      start: async (name, restore, allowNonRestoredState) => {
        await call('StartApplication', {
          ApplicationName: name,
          RunConfiguration: {
            ApplicationRestoreConfiguration: { ApplicationRestoreType: restore },
            FlinkRunConfiguration: { AllowNonRestoredState: allowNonRestoredState },
          },
        });
      },
      stop: async (name, force) => {
        await call('StopApplication', { ApplicationName: name, Force: force });
      },
    };
  }

  /** Serves the fake over HTTP on 127.0.0.1 with the service's JSON 1.1 protocol. */
  public async listen(): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        try {
          const out = this.handle(operation, body ? JSON.parse(body) : {});
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(out));
        } catch (e) {
          const error = e as Error;
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.name });
          res.end(JSON.stringify({ __type: error.name, message: error.message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  private transition(app: FakeApplication, status: string, next: string): void {
    app.status = status;
    app.until = this.now() + this.transitionMs;
    app.next = next;
  }

  private advance(app: FakeApplication): void {
    if (app.stuckIn && app.status === app.stuckIn) return;
    if (app.until !== undefined && this.now() >= app.until && app.next) {
      app.status = app.next;
      app.until = undefined;
      app.next = undefined;
    }
  }
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A virtual clock: sleeping advances time instantly. */
export class VirtualClock {
  public t = 1_700_000_000_000;
  public readonly sleeps: number[] = [];
  public now = (): number => this.t;
  public sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}
