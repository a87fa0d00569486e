import {
  DescribeApplicationCommand, KinesisAnalyticsV2Client, ResourceNotFoundException, StartApplicationCommand, StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkApi } from '../../../lambda/flink-app-control/api';

describe('sdkApi (AWS SDK v3, mocked client)', () => {
  const client = new KinesisAnalyticsV2Client({ region: 'us-east-1' });
  const mock = mockClient(client);
  beforeEach(() => mock.reset());

  test('describe: status and whether snapshots are on; undefined when the application does not exist', async () => {
    mock.on(DescribeApplicationCommand, { ApplicationName: 'a' }).resolves({
      ApplicationDetail: {
        ApplicationARN: 'arn',
        ApplicationName: 'a',
        RuntimeEnvironment: 'FLINK-1_19',
        ApplicationStatus: 'RUNNING',
        ApplicationVersionId: 3,
        ApplicationConfigurationDescription: { ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: true } },
      },
    });
    mock.on(DescribeApplicationCommand, { ApplicationName: 'gone' }).rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    const api = sdkApi(client);
    expect(await api.describe('a')).toEqual({ status: 'RUNNING', snapshotsEnabled: true });
    expect(await api.describe('gone')).toBeUndefined();
  });

  test('describe passes other errors to the loop, which classifies them', async () => {
    mock.on(DescribeApplicationCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(sdkApi(client).describe('a')).rejects.toThrow('slow down');
  });

  test('start and stop send the run configuration and the force flag', async () => {
    mock.on(StartApplicationCommand).resolves({});
    mock.on(StopApplicationCommand).resolves({});
    const api = sdkApi(client);
    await api.start('a', 'RESTORE_FROM_LATEST_SNAPSHOT', true);
    await api.stop('a', true);
    expect(mock.commandCalls(StartApplicationCommand)[0].args[0].input).toEqual({
      ApplicationName: 'a',
      RunConfiguration: { ApplicationRestoreConfiguration: { ApplicationRestoreType: 'RESTORE_FROM_LATEST_SNAPSHOT' }, FlinkRunConfiguration: { AllowNonRestoredState: true } },
    });
    expect(mock.commandCalls(StopApplicationCommand)[0].args[0].input).toEqual({ ApplicationName: 'a', Force: true });
  });
});
