/**
 * Every AWS call this handler makes, with the IAM actions it needs and what it acts on, as an ARN over the custom
 * resource it serves (`${input.ApplicationName}`). test/iam checks that this list names every SDK command the handler
 * imports and that the deployed role allows each call: a new call fails the test until it is listed here and granted.
 */
const APPLICATION = 'arn:${partition}:kinesisanalytics:${region}:${account}:application/${input.ApplicationName}';

export const PERMISSIONS = {
  calls: [
    { command: 'DescribeApplicationCommand', actions: ['kinesisanalytics:DescribeApplication'], resource: APPLICATION },
    { command: 'ListApplicationSnapshotsCommand', actions: ['kinesisanalytics:ListApplicationSnapshots'], resource: APPLICATION },
    { command: 'StartApplicationCommand', actions: ['kinesisanalytics:StartApplication'], resource: APPLICATION },
    { command: 'StopApplicationCommand', actions: ['kinesisanalytics:StopApplication'], resource: APPLICATION },
  ],
};
