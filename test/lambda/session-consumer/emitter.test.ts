import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { emitSummaries, EmitEntry, PutRecords } from '../../../lambda/session-consumer/emitter';
import type { SessionSummary } from '../../../lambda/session-consumer/store';

const ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/summaries';
const noSleep = async () => undefined;

function entry(i: number): EmitEntry {
  const summary = { sessionId: `s${i}`, userId: `user${i}` } as unknown as SessionSummary;
  return { partitionKey: `u:user${i}`, summary };
}

/** A stand-in stream: fails the entries `fail` decides, records every request. */
function stream(fail: (sessionId: string, round: number) => string | undefined) {
  const requests: string[][] = [];
  const put: PutRecords = async (command: PutRecordsCommand) => {
    const ids = command.input.Records!.map((r) => JSON.parse(Buffer.from(r.Data!).toString()).sessionId as string);
    const round = requests.length;
    requests.push(ids);
    const records = ids.map((id) => {
      const code = fail(id, round);
      return code ? { ErrorCode: code, ErrorMessage: code } : { SequenceNumber: '1', ShardId: 'shardId-0' };
    });
    return { Records: records, FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length };
  };
  return { put, requests };
}

describe('emitSummaries', () => {
  test('resends only the entries that failed', async () => {
    const s = stream((id, round) => (round === 0 && (id === 's1' || id === 's3') ? 'ProvisionedThroughputExceededException' : undefined));
    const result = await emitSummaries(s.put, ARN, [0, 1, 2, 3].map(entry), { sleep: noSleep });
    expect(s.requests).toEqual([['s0', 's1', 's2', 's3'], ['s1', 's3']]);
    expect(result).toEqual({ emitted: [0, 1, 2, 3], failed: [], requests: 2 });
  });

  test('gives up after maxAttempts and reports what is left, with the last error', async () => {
    const s = stream((id) => (id === 's2' ? 'InternalFailure' : undefined));
    const result = await emitSummaries(s.put, ARN, [0, 1, 2].map(entry), { sleep: noSleep, maxAttempts: 3 });
    expect(result.emitted).toEqual([0, 1]);
    expect(result.failed).toEqual([{ index: 2, errorCode: 'InternalFailure' }]);
    expect(s.requests).toEqual([['s0', 's1', 's2'], ['s2'], ['s2']]);
  });

  test('a request that fails as a whole is retried whole', async () => {
    let calls = 0;
    const put: PutRecords = async (command) => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('slow down'), { name: 'LimitExceededException' });
      return { Records: command.input.Records!.map(() => ({ SequenceNumber: '1' })), FailedRecordCount: 0 };
    };
    const result = await emitSummaries(put, ARN, [0, 1].map(entry), { sleep: noSleep });
    expect(result).toEqual({ emitted: [0, 1], failed: [], requests: 2 });
  });

  test('at most 500 records per request', async () => {
    const s = stream(() => undefined);
    await emitSummaries(s.put, ARN, Array.from({ length: 1201 }, (_, i) => entry(i)), { sleep: noSleep });
    expect(s.requests.map((r) => r.length)).toEqual([500, 500, 201]);
  });

  test('backs off between rounds, exponentially', async () => {
    const waits: number[] = [];
    const s = stream(() => 'InternalFailure');
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      await emitSummaries(s.put, ARN, [entry(0)], { maxAttempts: 4, baseDelayMs: 100, sleep: async (ms) => { waits.push(ms); } });
    } finally {
      random.mockRestore();
    }
    expect(waits).toEqual([200, 400, 800]);
  });
});
