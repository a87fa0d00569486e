/** FlinkApi over the AWS SDK v3 client of Managed Service for Apache Flink (kinesisanalyticsv2). */
import {
  DescribeApplicationCommand, KinesisAnalyticsV2Client, ListApplicationSnapshotsCommand, ListApplicationSnapshotsCommandOutput,
  StartApplicationCommand, StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics-v2';
import { ApplicationView, FlinkApi } from './control';

export function sdkApi(client: KinesisAnalyticsV2Client): FlinkApi {
  return {
    async describe(applicationName: string): Promise<ApplicationView | undefined> {
      try {
        const { ApplicationDetail: detail } = await client.send(new DescribeApplicationCommand({ ApplicationName: applicationName }));
        if (!detail) return undefined;
        return {
          status: detail.ApplicationStatus ?? 'UNKNOWN',
          snapshotsEnabled: detail.ApplicationConfigurationDescription?.ApplicationSnapshotConfigurationDescription?.SnapshotsEnabled ?? false,
        };
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async listSnapshotStatuses(applicationName: string): Promise<string[]> {
      const statuses: string[] = [];
      let nextToken: string | undefined;
      do {
        const page: ListApplicationSnapshotsCommandOutput = await client.send(new ListApplicationSnapshotsCommand({
          ApplicationName: applicationName, Limit: 50, NextToken: nextToken,
        }));
        for (const s of page.SnapshotSummaries ?? []) statuses.push(s.SnapshotStatus ?? 'UNKNOWN');
        nextToken = page.NextToken;
      } while (nextToken);
      return statuses;
    },
    async start(applicationName, restore, allowNonRestoredState): Promise<void> {
      await client.send(new StartApplicationCommand({
        ApplicationName: applicationName,
        RunConfiguration: {
          ApplicationRestoreConfiguration: { ApplicationRestoreType: restore },
          FlinkRunConfiguration: { AllowNonRestoredState: allowNonRestoredState },
        },
      }));
    },
    async stop(applicationName, force): Promise<void> {
      await client.send(new StopApplicationCommand({ ApplicationName: applicationName, Force: force }));
    },
  };
}
