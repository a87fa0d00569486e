/** The parent side of a Lambda execution environment (lambda-worker.ts in a child process), with the function's timeout. */
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { track } from './processes';
import { FunctionSpec } from './wiring';

export type InvokeResult = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string };

export class LambdaHost {
  private child?: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, (r: InvokeResult) => void>();
  public invocations = 0;
  public errors = 0;

  constructor(public readonly spec: FunctionSpec, private readonly env: Record<string, string>, private readonly logDir: string) {}

  public async start(): Promise<void> {
    const log = fs.openSync(path.join(this.logDir, `lambda-${this.spec.name}.log`), 'a');
    const child = fork(path.join(__dirname, 'lambda-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', log, log, 'ipc'],
      // its own process group: a terminal's Ctrl-C reaches the runner alone, which stops the pollers before the hosts
      detached: true,
      env: { PATH: process.env.PATH ?? '', ...this.env, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' },
    });
    track(child);
    this.child = child;
    // a send to an environment that has exited: the invocation fails (below), the run goes on
    child.on('error', () => undefined);
    child.on('message', (m: { type: string; id?: number; result?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m.type === 'result' ? { ok: true, result: m.result } : { ok: false, error: m.error ?? 'unknown error' });
    });
    child.on('exit', () => {
      for (const [, done] of this.pending) done({ ok: false, error: 'Runtime.ExitError: the execution environment exited' });
      this.pending.clear();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit',
        (code) => reject(new Error(`function ${this.spec.name} failed to initialise (exit ${code}); see its log in ${this.logDir}`)));
      child.send({
        type: 'init',
        codePath: this.spec.codePath,
        handler: this.spec.handler,
        env: this.spec.environment,
        functionName: this.spec.name,
        timeoutSeconds: this.spec.timeoutSeconds,
        memoryMb: this.spec.memoryMb,
      });
    });
  }

  /** One synchronous invocation; a result after the function's timeout counts as a timeout error, as in Lambda. */
  public invoke(event: unknown): Promise<InvokeResult> {
    const id = this.nextId++;
    this.invocations++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.errors++;
        resolve({ ok: false, error: `Sandbox.Timedout: after ${this.spec.timeoutSeconds} s` });
      }, this.spec.timeoutSeconds * 1000);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        if (!r.ok) this.errors++;
        resolve(r);
      });
      if (!this.child!.connected) {
        this.pending.get(id)!({ ok: false, error: 'Runtime.ExitError: the execution environment exited' });
        this.pending.delete(id);
        return;
      }
      this.child!.send({ type: 'invoke', id, event });
    });
  }
}
