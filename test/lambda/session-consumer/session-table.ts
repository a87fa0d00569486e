import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SessionTable as T } from '../../../lib/pipelines/private/session-contract';

/** Creates the session table in moto with the layout the SessionConsumer construct deploys (keys and the sweep index). */
export async function createSessionTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  await ddb.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: T.PARTITION_KEY, AttributeType: 'S' }, { AttributeName: T.SORT_KEY, AttributeType: 'S' },
      { AttributeName: T.SWEEP_PARTITION_KEY, AttributeType: 'S' }, { AttributeName: T.SWEEP_SORT_KEY, AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: T.PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: T.SORT_KEY, KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{
      IndexName: T.SWEEP_INDEX,
      KeySchema: [{ AttributeName: T.SWEEP_PARTITION_KEY, KeyType: 'HASH' }, { AttributeName: T.SWEEP_SORT_KEY, KeyType: 'RANGE' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  }));
}
