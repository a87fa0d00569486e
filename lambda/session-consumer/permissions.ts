/**
 * Every AWS call this handler makes, with the IAM actions it needs and what it acts on, as an ARN over the function's
 * environment. test/iam checks that this list names every SDK command the handler imports and that the deployed role
 * allows each call: a new call fails the test until it is listed here and granted by the construct.
 */
const TABLE = 'arn:${partition}:dynamodb:${region}:${account}:table/${env.SESSION_TABLE_NAME}';

export const PERMISSIONS = {
  calls: [
    { command: 'GetCommand', actions: ['dynamodb:GetItem'], resource: TABLE },
    { command: 'BatchGetCommand', actions: ['dynamodb:BatchGetItem'], resource: TABLE },
    { command: 'UpdateCommand', actions: ['dynamodb:UpdateItem'], resource: TABLE },
    // The transaction holds Put items (session and event records, conditional) and an Update of the user's state.
    { command: 'TransactWriteCommand', actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'], resource: TABLE },
    { command: 'QueryCommand', actions: ['dynamodb:Query'], resource: `${TABLE}/index/Sweep` },
    { command: 'PutRecordsCommand', actions: ['kinesis:PutRecords'], resource: '${env.SUMMARY_STREAM_ARN}' },
    // Malformed records, whole, under the poison prefix.
    {
      command: 'PutObjectCommand',
      actions: ['s3:PutObject'],
      resource: 'arn:${partition}:s3:::${env.FAILURE_BUCKET_NAME}/${env.POISON_PREFIX}shardId-000000000000/49650000000000000000000000000000000000000000000000000002.json',
    },
  ],
};
