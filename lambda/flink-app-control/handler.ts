/**
 * Custom resource Custom::FlinkApplicationStart: after a deploy, starts the Managed Flink application (restoring its
 * latest snapshot when there is one) and waits until it is RUNNING; on delete, stops it (forcing the stop when a graceful
 * one takes more than half the time left) and waits until it is READY. Always answers CloudFormation, within the
 * function's timeout, so a stack never hangs on it.
 *
 * A Delete always answers SUCCESS, also when the application could not be stopped (access denied, stuck in MAINTENANCE,
 * a stop that does not finish in time) or the request made no sense: a FAILED Delete leaves the stack in DELETE_FAILED or,
 * during a rollback, in a state only a person can clear, while the application itself is deleted next by its own
 * resource whatever its status. Why it could not stop is logged and given in the Reason.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { KinesisAnalyticsV2Client } from '@aws-sdk/client-kinesis-analytics-v2';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { sdkApi } from './api';
import { CfnResponseBody, parseRequest, responseBody, sendResponse } from './cfn';
import { Clock, FlinkApi, converge } from './control';

export interface HandlerDeps {
  readonly api: FlinkApi;
  readonly clock: Clock;
  /** Pause between two DescribeApplication calls, ms. */
  readonly pollMs: number;
  /** Time kept back from the function's remaining time to answer CloudFormation, ms. */
  readonly marginMs: number;
  readonly send: (url: string, body: CfnResponseBody) => Promise<void>;
  readonly logger: Logger;
}

export function makeHandler(deps: HandlerDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<CfnResponseBody> => {
    const start = deps.clock.now();
    const deadline = start + context.getRemainingTimeInMillis() - deps.marginMs;
    let body: CfnResponseBody;
    try {
      const request = parseRequest(event);
      deps.logger.info('request', { requestType: event.RequestType, ...request });
      if (!request.applicationName) throw new Error('ApplicationName is missing from the resource properties');
      const outcome = await converge(deps.api, request.applicationName, request.goal, {
        deadline,
        pollMs: deps.pollMs,
        forceStopAt: start + (deadline - start) / 2,
        allowNonRestoredState: request.allowNonRestoredState,
      }, deps.clock);
      deps.logger.info('outcome', { ...outcome });
      const deleting = event.RequestType === 'Delete';
      let reason = outcome.ok
        ? `${request.applicationName}: ${outcome.reason}`
        : `${request.applicationName} (${event.RequestType}): ${outcome.reason}`;
      if (!outcome.ok && deleting) {
        reason = `${reason}; not stopped, answered SUCCESS so that the stack can finish`;
        deps.logger.error('could not stop the application before its deletion; answering SUCCESS', { reason, outcome: { ...outcome } });
      }
      body = responseBody(event, request.physicalResourceId, outcome.ok || deleting, reason, { Status: outcome.status ?? (outcome.statusUnknown ? 'UNKNOWN' : 'ABSENT') });
    } catch (error) {
      deps.logger.error('unexpected error', error as Error);
      const physicalId = (event as { PhysicalResourceId?: string }).PhysicalResourceId ?? event.LogicalResourceId;
      const deleting = event.RequestType === 'Delete';
      body = responseBody(event, physicalId, deleting, `unexpected error: ${(error as Error)?.message ?? String(error)}${
        deleting ? '; answered SUCCESS so that the stack can finish' : ''}`);
    }
    await deps.send(event.ResponseURL, body);
    return body;
  };
}

const client = new KinesisAnalyticsV2Client({});

export const handler = makeHandler({
  api: sdkApi(client),
  clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  pollMs: 10_000,
  marginMs: 20_000,
  send: sendResponse,
  logger: new Logger(),
});
