import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { WarnLogger, makeHandler } from '../../../lambda/firehose-transform/handler';
import { configFromEnv } from '../../../lambda/firehose-transform/transform';

/** Real Firehose transformation events: a direct-PUT batch and a batch read from a Kinesis data stream. */
function event(name: string): FirehoseTransformationEvent {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'events', name), 'utf-8'));
}

type Handler = (e: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

/** Loads the handler with the environment the construct gives it (it reads its configuration once, at cold start). */
function loadHandler(env: Record<string, string>): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT' }, env);
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // A fresh module registry, so the handler reads this environment at load as it does at a cold start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require('../../../lambda/firehose-transform/handler').handler;
  });
  process.env = saved;
  return handler!;
}

/** A logger that keeps what the handler warns about. */
function recorder(warnings: unknown[][]): WarnLogger {
  return { warn: (...args: unknown[]) => void warnings.push(args) } as unknown as WarnLogger;
}

function decoded(result: FirehoseTransformationResult): (string | undefined)[] {
  return result.records.map((r) => (r.result === 'Ok' ? Buffer.from(r.data!, 'base64').toString('utf-8') : undefined));
}

describe('firehose-transform handler', () => {
  test('direct-PUT batch: good records are stamped and newline-delimited, malformed ones ProcessingFailed, the batch succeeds', async () => {
    const input = event('direct-put.json');
    const handler = loadHandler({ INGEST_TIMESTAMP_FIELD: 'ingested_at', MAX_RECORD_BYTES: String(1000 * 1024), APPEND_NEWLINE: 'true' });
    const result = await handler(input);

    expect(result.records.map((r) => r.recordId)).toEqual(input.records.map((r) => r.recordId));
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'Ok']);
    expect(decoded(result)).toEqual([
      '{"site":"plant-7","sensor":"t-101","temperature":21.5,"ingested_at":"2024-05-27T08:53:20.123Z"}\n',
      undefined, undefined, undefined,
      '{"site":"plant-9","sensor":"h-3","humidity":0.41,"tags":{"floor":2},"ingested_at":"2024-05-27T08:53:21.345Z"}\n',
    ]);
    // Failed records carry their original bytes to the error output.
    for (const i of [1, 2, 3]) expect(result.records[i].data).toBe(input.records[i].data);
  });

  test('Kinesis-source batch: an oversized record and bytes that are not UTF-8 fail alone', async () => {
    const input = event('kinesis-source.json');
    const handler = loadHandler({ INGEST_TIMESTAMP_FIELD: 'received', MAX_RECORD_BYTES: String(16 * 1024), APPEND_NEWLINE: 'false' });
    const result = await handler(input);

    expect(result.records.map((r) => [r.recordId, r.result])).toEqual([
      [input.records[0].recordId, 'Ok'],
      [input.records[1].recordId, 'ProcessingFailed'],
      [input.records[2].recordId, 'ProcessingFailed'],
    ]);
    expect(decoded(result)[0]).toBe('{"site":"plant-7","sensor":"t-101","temperature":22.25,"received":"2024-05-27T08:55:00.000Z"}');
    expect(result.records[1].data).toBe(input.records[1].data);
  });

  test('logs the failures by reason and record id, never the record contents', async () => {
    const input = event('direct-put.json');
    const warnings: unknown[][] = [];
    const handler: Handler = makeHandler(configFromEnv({}), recorder(warnings));
    await handler(input);

    expect(warnings).toHaveLength(1);
    expect(warnings[0][0]).toBe('Records marked ProcessingFailed');
    expect(warnings[0][1]).toMatchObject({
      failed: 3,
      total: 5,
      byReason: { 'not-json': 2, 'not-an-object': 1 },
      sampleRecordIds: [input.records[1].recordId, input.records[2].recordId, input.records[3].recordId],
    });
    expect(JSON.stringify(warnings)).not.toContain('plant-7');
  });

  test('logs nothing when every record is good', async () => {
    const warnings: unknown[][] = [];
    const input = event('direct-put.json');
    const handler: Handler = makeHandler(configFromEnv({}), recorder(warnings));
    const result = await handler({ ...input, records: [input.records[0], input.records[4]] });
    expect(result.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    expect(warnings).toEqual([]);
  });
});
