import assert from 'node:assert/strict';
import { camelCase, parseCliValue, parseShorthand } from '../../../src/plugin/aws-shorthand.ts';

describe('parseShorthand (the AWS CLI shorthand of the restore tutorial)', () => {
  it('reads --provisioned-throughput-override ReadCapacityUnits=100,WriteCapacityUnits=100 as two strings', () => {
    assert.deepEqual(parseShorthand('ReadCapacityUnits=100,WriteCapacityUnits=100'), { ReadCapacityUnits: '100', WriteCapacityUnits: '100' });
  });

  it('reads the --sse-specification-override of the tutorial, a key id with dashes included', () => {
    assert.deepEqual(parseShorthand('Enabled=true,SSEType=KMS,KMSMasterKeyId=abcd1234-abcd-1234-a123-ab1234a1b234'), {
      Enabled: 'true',
      SSEType: 'KMS',
      KMSMasterKeyId: 'abcd1234-abcd-1234-a123-ab1234a1b234',
    });
  });

  it('reads the tutorial\'s --global-secondary-index-override (after the shell removed its quotes) as nested lists and structures', () => {
    const text = 'IndexName=singers-index,KeySchema=[{AttributeName=SingerName,KeyType=HASH}],Projection={ProjectionType=KEYS_ONLY},ProvisionedThroughput={ReadCapacityUnits=5,WriteCapacityUnits=5}';
    assert.deepEqual(parseShorthand(text), {
      IndexName: 'singers-index',
      KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'KEYS_ONLY' },
      ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: '5' },
    });
  });

  it('reads quoted values (commas kept, escaped quotes undone), plain lists, empty lists and spaces around separators', () => {
    assert.deepEqual(parseShorthand(`A="x,y", B='it\\'s' , C=[a, b], D=[], E={F=[]}`), { A: 'x,y', B: "it's", C: ['a', 'b'], D: [], E: { F: [] } });
  });

  it('reads an alias ARN (colons and slashes) as one value', () => {
    assert.deepEqual(parseShorthand('KMSMasterKeyId=arn:aws:kms:us-east-1:123456789012:alias/my-key'), { KMSMasterKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/my-key' });
  });

  const broken: Array<[string, string, RegExp]> = [
    ['a key without =', 'ReadCapacityUnits', /expected '=' at character 18/],
    ['an unclosed structure', 'Projection={ProjectionType=ALL', /expected '}' at character 31/],
    ['an unclosed list', 'KeySchema=[{A=b}', /expected '\]' at character 17/],
    ['an unclosed quote', 'A="x', /expected a closing " at character 5/],
    ['a stray bracket after a value', 'A=b]', /expected ',' at character 4/],
  ];
  for (const [what, text, message] of broken) {
    it(`refuses ${what}, naming the character`, () => assert.throws(() => parseShorthand(text), message));
  }
});

describe('parseCliValue', () => {
  it('reads JSON when the value starts with [ or {, as the AWS CLI does: --global-secondary-index-override \'[]\'', () => {
    assert.deepEqual(parseCliValue('[]'), []);
  });

  it('gives JSON and shorthand keys the resource\'s camelCase', () => {
    assert.deepEqual(parseCliValue('{"IndexName":"by-album","KeySchema":[{"AttributeName":"Album","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Year"]}}'), {
      indexName: 'by-album',
      keySchema: [{ attributeName: 'Album', keyType: 'HASH' }],
      projection: { projectionType: 'INCLUDE', nonKeyAttributes: ['Year'] },
    });
    assert.deepEqual(parseCliValue('Enabled=true,SSEType=KMS'), { enabled: 'true', sseType: 'KMS' });
  });

  it('throws JSON\'s own error on broken JSON', () => assert.throws(() => parseCliValue('[{'), SyntaxError));
});

describe('camelCase', () => {
  const cases: Array<[string, string]> = [
    ['IndexName', 'indexName'],
    ['SSEType', 'sseType'],
    ['KMSMasterKeyId', 'kmsMasterKeyId'],
    ['MaxReadRequestUnits', 'maxReadRequestUnits'],
    ['SSE', 'sse'],
    ['readCapacityUnits', 'readCapacityUnits'],
  ];
  for (const [key, expected] of cases) it(`${key} → ${expected}`, () => assert.equal(camelCase(key), expected));
});
