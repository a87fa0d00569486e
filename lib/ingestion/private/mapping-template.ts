/**
 * The request mapping template (VTL) of `POST /events`: the client's envelope `{"records": [{"partitionKey", "data"}]}`
 * becomes a Kinesis `PutRecords` request.
 *
 * Who a record belongs to is decided here, not by the client:
 * - the partition key is the caller's identity: `cognito:<identity id>` for Cognito identity pool credentials (one per
 *   browser or app install), `iam:<principal id>` (`$context.identity.caller`, the role id and session name) otherwise.
 *   Kinesis hashes it (MD5) to a shard, so one caller's events stay in order on one shard and no caller can choose the
 *   shard of its traffic or of another's;
 * - each record's data is the client's event object with one more field, `_ingest`, which the schema reserves for it:
 *   `{"caller", "userArn", "sourceIp", "requestId", "receivedAt" (epoch ms), "clientPartitionKey"}`. Consumers that
 *   need to trust who sent an event read `_ingest.caller`, never the event's own `userId`. `_ingest` is written after
 *   the event's fields, so a parser that keeps the last of duplicate keys keeps ours; the request model also refuses a
 *   client `_ingest`.
 *
 * Escaping: no client string is interpolated into the template's JSON by hand. Client values reach the output only
 * through `$input.json(...)`, which API Gateway serialises as JSON (a string value with its quotes, every quote,
 * backslash and control character escaped), and then only inside `$util.base64Encode(...)`. The identity values come
 * from SigV4 and Cognito (ids, ARNs, IP addresses: no quotes or backslashes). `$util.escapeJavaScript` is not used: it
 * escapes `'` as `\'`, which is not JSON.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html
 */
/** The field of each record's `data` that the template writes (what the API stamps); a client may not send it. */
export const RESERVED_DATA_FIELD = '_ingest';

export function putRecordsTemplate(streamName: string): string {
  // `$q` is a double quote: Velocity has no escape for it inside a double-quoted string, and a single-quoted string is
  // not interpolated.
  const field = (name: string, value: string, quoted = true): string => `\${q}${name}\${q}:${quoted ? `\${q}${value}\${q}` : value}`;
  const ingest = [
    field('caller', '$caller'),
    field('userArn', '$!context.identity.userArn'),
    field('sourceIp', '$!context.identity.sourceIp'),
    field('requestId', '$context.requestId'),
    field('receivedAt', '$context.requestTimeEpoch', false),
    field('clientPartitionKey', '$clientKey', false),
  ].join(',');
  return [
    "#set($q = '\"')",
    '#if("$!context.identity.cognitoIdentityId" != "")',
    '#set($caller = "cognito:$context.identity.cognitoIdentityId")',
    '#else',
    '#set($caller = "iam:$!context.identity.caller")',
    '#end',
    '{',
    `  "StreamName": "${streamName}",`,
    '  "Records": [',
    "#foreach($r in $input.path('$.records'))",
    '#set($data = $input.json("$.records[$foreach.index].data").trim())',
    "#set($head = $data.substring(0, $data.lastIndexOf('}')).trim())",
    "#if($head == '{')#set($sep = '')#else#set($sep = ',')#end",
    '#set($clientKey = $input.json("$.records[$foreach.index].partitionKey"))',
    `#set($record = "\${head}\${sep}\${q}${RESERVED_DATA_FIELD}\${q}:{${ingest}}}")`,
    '    { "Data": "$util.base64Encode($record)", "PartitionKey": "$caller" }#if($foreach.hasNext),#end',
    '#end',
    '  ]',
    '}',
  ].join('\n');
}
