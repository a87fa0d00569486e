import { Logger } from '@aws-lambda-powertools/logger';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { TransformConfig, configFromEnv, transformBatch } from './transform';

/** The part of the Powertools logger the handler uses. */
export type WarnLogger = Pick<Logger, 'warn'>;

/**
 * Firehose transform: validates that each record is a JSON object, adds the ingest timestamp without re-serializing the
 * producer's bytes (transform.ts), newline-delimits it, and
 * marks malformed or oversized records ProcessingFailed (they go to the delivery's error output) without failing the
 * batch. Logs counts and record ids of failures, never record contents.
 */
export function makeHandler(config: TransformConfig, logger: WarnLogger) {
  return async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    const { records, failures } = transformBatch(event.records, config);
    if (failures.length > 0) {
      const byReason: Record<string, number> = {};
      for (const f of failures) byReason[f.reason] = (byReason[f.reason] ?? 0) + 1;
      logger.warn('Records marked ProcessingFailed', {
        deliveryStreamArn: event.deliveryStreamArn,
        invocationId: event.invocationId,
        failed: failures.length,
        total: event.records.length,
        byReason,
        sampleRecordIds: failures.slice(0, 10).map((f) => f.recordId),
      });
    }
    return { records };
  };
}

export const handler = makeHandler(configFromEnv(process.env), new Logger());
