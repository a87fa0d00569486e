import * as fc from 'fast-check';
import {
  COGNITO_CALLER, IAM_CALLER, STREAM_NAME, asciiOnly, decodePutRecords, deployedRequestTemplate, ingestionStack, rawUnicode, renderRequest,
} from './support';
import { assertProperty } from '../support/property';

const { template } = ingestionStack();
const vtl = deployedRequestTemplate(template);

/** Keys and values that broke or could break a hand-escaped template. */
const NASTY = [
  "o'brien",
  'say "hi"',
  'back\\slash\\',
  'tab\there\nnewline\r\u0000nul\u001funit\u007fdel',
  'ünïcödé ✓ 中文 😀 \u2028\u2029',
  '#end #foreach($x in $y) $util.base64Encode("x") ${q} $!context',
  '</script><script>alert(1)</script>',
  '\\u0041 \\"',
];

describe('StreamIngestionApi request mapping template', () => {
  test.each(NASTY.map((s) => [s]))('renders valid JSON and keeps %j whole as a partition key and a field', (nasty) => {
    for (const serialise of [rawUnicode, asciiOnly]) {
      const body = {
        records: [
          { partitionKey: nasty, data: { eventId: 'e-1', userId: nasty, eventType: 'page_view', page: `/p?q=${nasty}`, timestamp: 1767607200000, nested: { list: [nasty, 1, null, true] } } },
          { partitionKey: 'k', data: { eventId: 'e-2', anonymousId: 'a', eventType: 'page_view', timestamp: 1767607200001 } },
        ],
      };
      const request = decodePutRecords(renderRequest(vtl, body, COGNITO_CALLER, serialise));
      expect(request.StreamName).toBe(STREAM_NAME);
      expect(request.Records).toHaveLength(2);
      const { _ingest: ingest, ...event } = request.Records[0].data;
      expect(event).toEqual(body.records[0].data);
      expect(ingest.clientPartitionKey).toBe(nasty);
    }
  });

  test('the partition key is the caller, not the client: a Cognito identity, else the IAM principal', () => {
    const body = {
      records: [
        { partitionKey: 'shard-0-pin', data: { eventId: 'e-1', userId: 'someone-else', eventType: 'page_view', timestamp: 1 } },
        { partitionKey: 'another', data: { eventId: 'e-2', userId: 'someone-else', eventType: 'page_view', timestamp: 2 } },
      ],
    };
    const web = decodePutRecords(renderRequest(vtl, body, COGNITO_CALLER));
    expect(web.Records.map((r) => r.PartitionKey)).toEqual([`cognito:${COGNITO_CALLER.cognitoIdentityId}`, `cognito:${COGNITO_CALLER.cognitoIdentityId}`]);
    expect(web.Records[0].data._ingest).toEqual({
      caller: `cognito:${COGNITO_CALLER.cognitoIdentityId}`,
      userArn: COGNITO_CALLER.userArn,
      sourceIp: COGNITO_CALLER.sourceIp,
      requestId: 'c0ffee00-1234-4abc-8def-000000000001',
      receivedAt: 1767607200123,
      clientPartitionKey: 'shard-0-pin',
    });
    // The client's claim stays as it was sent: consumers compare it with _ingest.caller.
    expect(web.Records[0].data.userId).toBe('someone-else');

    const backend = decodePutRecords(renderRequest(vtl, body, IAM_CALLER));
    expect(backend.Records.map((r) => r.PartitionKey)).toEqual([`iam:${IAM_CALLER.caller}`, `iam:${IAM_CALLER.caller}`]);
    expect(backend.Records[1].data._ingest.caller).toBe(`iam:${IAM_CALLER.caller}`);
  });

  test('an empty event object gets _ingest alone; _ingest comes after the event fields', () => {
    const body = { records: [{ partitionKey: 'k', data: {} }, { partitionKey: 'k', data: { a: 1 } }] };
    const rendered = renderRequest(vtl, body, IAM_CALLER);
    const [empty, one] = JSON.parse(rendered).Records.map((r: { Data: string }) => Buffer.from(r.Data, 'base64').toString('utf8'));
    expect(Object.keys(JSON.parse(empty))).toEqual(['_ingest']);
    expect(one).toMatch(/^\{"a":1,"_ingest":\{/);
  });

  test('any event object and any partition key render to valid JSON that decodes to the event plus _ingest', () => {
    const event = fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }).filter((k) => k !== '_ingest' && k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 });
    const batches = fc.array(fc.record({ partitionKey: key, data: event }), { minLength: 1, maxLength: 5 });
    assertProperty(fc.property(batches, fc.boolean(), (records, ascii) => {
      const request = decodePutRecords(renderRequest(vtl, { records }, COGNITO_CALLER, ascii ? asciiOnly : rawUnicode));
      expect(request.Records).toHaveLength(records.length);
      request.Records.forEach((r, i) => {
        const { _ingest: ingest, ...data } = r.data;
        expect(data).toEqual(JSON.parse(JSON.stringify(records[i].data)));
        expect(ingest.clientPartitionKey).toBe(records[i].partitionKey);
      });
    }), { numRuns: 150, seed: 11 });
  });

  test('the request model refuses a client _ingest and keeps the client key within Kinesis bounds', () => {
    const model = Object.values(template.findResources('AWS::ApiGateway::Model'))[0];
    const item = model.Properties.Schema.properties.records.items;
    expect(item.properties.data).toEqual({ type: 'object', not: { required: ['_ingest'] } });
    expect(item.properties.partitionKey).toEqual({ type: 'string', minLength: 1, maxLength: 256 });
  });
});
