/**
 * Every AWS call this handler makes, with the IAM actions it needs and what it acts on, as an ARN over the function's
 * configuration (`${config.…}` reads the JSON of AUTOSCALER_CONFIG). test/iam checks that this list names every SDK
 * command the handler imports and that the deployed role allows each call: a new call fails the test until it is
 * listed here and granted by the construct.
 */
export const PERMISSIONS = {
  configEnv: 'AUTOSCALER_CONFIG',
  calls: [
    { command: 'DescribeStreamSummaryCommand', actions: ['kinesis:DescribeStreamSummary'], resource: '${config.streamArn}' },
    { command: 'UpdateShardCountCommand', actions: ['kinesis:UpdateShardCount'], resource: '${config.streamArn}' },
    { command: 'GetCommand', actions: ['dynamodb:GetItem'], resource: 'arn:${partition}:dynamodb:${region}:${account}:table/${config.tableName}' },
    { command: 'PutCommand', actions: ['dynamodb:PutItem'], resource: 'arn:${partition}:dynamodb:${region}:${account}:table/${config.tableName}' },
    { command: 'DescribeAlarmsCommand', actions: ['cloudwatch:DescribeAlarms'], resource: 'arn:${partition}:cloudwatch:${region}:${account}:alarm:${config.alarmNames}' },
    { command: 'PutMetricAlarmCommand', actions: ['cloudwatch:PutMetricAlarm'], resource: 'arn:${partition}:cloudwatch:${region}:${account}:alarm:${config.alarmNames}' },
    // GetMetricData supports no resource-level permissions.
    { command: 'GetMetricDataCommand', actions: ['cloudwatch:GetMetricData'], resource: '*' },
    { command: 'PublishCommand', actions: ['sns:Publish'], resource: '${config.topicArn}' },
  ],
};
