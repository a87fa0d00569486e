/**
 * A fault-injecting layer in front of the moto server, as SDK middleware on the handler's own clients.
 *
 * moto's UpdateShardCount enforces no limits and never passes through UPDATING, and its alarms never evaluate. The layer
 * records every call that reaches the server, and lets a test replace a response (an error Kinesis would return, a stream
 * status moto never reports) for chosen calls. It sits inside the SDK's retry middleware (and outside the deserializer), so
 * injected throttling errors are retried exactly as real ones would be, and each attempt is recorded.
 */
import type { MiddlewareStack } from '@smithy/types';

interface AnyClient {
  readonly middlewareStack: MiddlewareStack<any, any>;
}

export interface RecordedCall {
  readonly command: string;
  readonly input: any;
  /** Set when the layer answered instead of the server. */
  readonly injected?: string;
}

/**
 * What to do with a call: `undefined` lets it through; an Error is thrown as the service's answer; a function receives the
 * server's output and returns the one the client sees.
 */
export type Fault = Error | ((output: any) => any) | undefined;
export type FaultRule = (command: string, input: any, attempt: number) => Fault;

let counter = 0;

export class FaultLayer {
  public readonly calls: RecordedCall[] = [];
  private readonly rules: FaultRule[] = [];
  private readonly installed: Array<{ client: AnyClient; name: string }> = [];
  private readonly attempts = new Map<string, number>();

  /** Installs the layer on clients (the handler's exported ones). */
  constructor(...clients: AnyClient[]) {
    for (const client of clients) {
      const name = `fault-layer-${++counter}`;
      client.middlewareStack.add((next: any, context: any) => async (args: any) => {
        const command: string = (context.commandName ?? '').replace(/Command$/, '');
        const attempt = (this.attempts.get(command) ?? 0) + 1;
        this.attempts.set(command, attempt);
        for (const rule of this.rules) {
          const fault = rule(command, args.input, attempt);
          if (fault instanceof Error) {
            this.calls.push({ command, input: args.input, injected: fault.name });
            throw fault;
          }
          if (typeof fault === 'function') {
            const result = await next(args);
            this.calls.push({ command, input: args.input, injected: 'output' });
            return { ...result, output: fault(result.output) };
          }
        }
        this.calls.push({ command, input: args.input });
        return next(args);
      }, { step: 'finalizeRequest', name, priority: 'low' });
      this.installed.push({ client, name });
    }
  }

  /** Adds a rule; rules are asked in order, the first that returns a fault wins. */
  public inject(rule: FaultRule): this {
    this.rules.push(rule);
    return this;
  }

  /** Calls of one command that reached the server or the layer, in order. */
  public callsOf(command: string): RecordedCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  public uninstall(): void {
    for (const { client, name } of this.installed) client.middlewareStack.remove(name);
  }
}

/** An error shaped like the SDK's service exceptions (name, $fault, $metadata), as the handler and the retry strategy see them. */
export function serviceError(name: string, message: string, status = 400): Error {
  const e = new Error(message) as Error & { $fault: string; $metadata: object };
  e.name = name;
  e.$fault = 'client';
  e.$metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  return e;
}
