/**
 * One Lambda execution environment: loads a function's bundle from cdk.out with the function's environment (resolved
 * from the template) and runs the invocations its parent sends over IPC, one at a time, as Lambda does.
 */
import * as path from 'node:path';

interface Init {
  readonly type: 'init';
  readonly codePath: string;
  readonly handler: string;
  readonly env: Record<string,
    string>;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}
interface Invoke { readonly type: 'invoke'; readonly id: number; readonly event: unknown }

let fn: ((event: unknown, context: unknown) => Promise<unknown>) | undefined;
let init: Init | undefined;

process.on('message', (m: Init | Invoke) => {
  if (m.type === 'init') {
    init = m;
    Object.assign(process.env, m.env, { AWS_LAMBDA_FUNCTION_NAME: m.functionName, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(m.memoryMb) });
    const dot = m.handler.lastIndexOf('.');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(m.codePath, `${m.handler.slice(0, dot)}.js`));
    fn = mod[m.handler.slice(dot + 1)];
    if (typeof fn !== 'function') throw new Error(`${m.handler} is not a function in ${m.codePath}`);
    process.send!({ type: 'ready' });
    return;
  }
  const deadline = Date.now() + init!.timeoutSeconds * 1000;
  const context = {
    functionName: init!.functionName,
    functionVersion: '$LATEST',
    awsRequestId: `local-${m.id}`,
    memoryLimitInMB: String(init!.memoryMb),
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${init!.functionName}`,
    logGroupName: `/aws/lambda/${init!.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  Promise.resolve().then(() => fn!(m.event, context)).then(
    (result) => process.send!({ type: 'result', id: m.id, result }),
    (err: Error) => process.send!({ type: 'error', id: m.id, error: `${err?.name ?? 'Error'}: ${err?.message ?? String(err)}` }),
  );
});
