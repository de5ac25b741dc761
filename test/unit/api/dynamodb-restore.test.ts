import assert from 'node:assert/strict';
import { BACKUP_ARN_PATTERN, REGION_PATTERN, TABLE_NAME_PATTERN } from '../../../src/api/dynamodb-restore.ts';

/** Every backup ARN in AWS's "Restoring a DynamoDB table from a backup" tutorial, as printed there. */
const TUTORIAL_ARNS = [
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d',
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581080476474-e177ebe2',
  'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01581081403719-db9c1f91',
  'arn:aws:dynamodb:eu-west-1:123456789012:table/Music/backup/01581082594992-303b6239',
];

const backupArn = new RegExp(BACKUP_ARN_PATTERN);
const region = new RegExp(REGION_PATTERN);
const tableName = new RegExp(TABLE_NAME_PATTERN);

describe('BACKUP_ARN_PATTERN', () => {
  it('accepts every backup ARN in the restore tutorial', () => {
    for (const arn of TUTORIAL_ARNS) assert.match(arn, backupArn);
  });

  const accepted = [
    'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/Music/backup/01489173575360-b308cd7d',
    'arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/my_table.v2-x/backup/01489173575360-b308cd7d',
  ];
  for (const arn of accepted) {
    it(`accepts ${arn}`, () => assert.match(arn, backupArn));
  }

  const rejected: Array<[string, string]> = [
    ['no backup part', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music'],
    ['an empty backup id', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/'],
    ['another service', 'arn:aws:s3:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d'],
    ['an 11-digit account', 'arn:aws:dynamodb:us-east-1:12345678901:table/Music/backup/01489173575360-b308cd7d'],
    ['a 13-digit account', 'arn:aws:dynamodb:us-east-1:1234567890123:table/Music/backup/01489173575360-b308cd7d'],
    ['no Region', 'arn:aws:dynamodb::123456789012:table/Music/backup/01489173575360-b308cd7d'],
    ['a short timestamp', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/0148917357536-b308cd7d'],
    ['an upper-case suffix', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-B308CD7D'],
    ['a two-character table name', 'arn:aws:dynamodb:us-east-1:123456789012:table/Mu/backup/01489173575360-b308cd7d'],
    ['trailing text', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d/x'],
    ['leading text', ' arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d'],
    ['a stream ARN', 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/stream/2025-01-01T00:00:00.000'],
  ];
  for (const [what, arn] of rejected) {
    it(`rejects ${what}`, () => assert.doesNotMatch(arn, backupArn));
  }
});

describe('REGION_PATTERN', () => {
  for (const r of ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1', 'eu-central-2']) {
    it(`accepts ${r}`, () => assert.match(r, region));
  }
  for (const r of ['US-EAST-1', 'useast1', 'us-east', 'us-east-1a', 'us_east_1', '', 'u-east-1', ' us-east-1']) {
    it(`rejects "${r}"`, () => assert.doesNotMatch(r, region));
  }
});

describe('TABLE_NAME_PATTERN', () => {
  for (const name of ['Music', 'music_2025', 'team-a.music', 'A1_b2-c3.d4', '___']) {
    it(`accepts ${name}`, () => assert.match(name, tableName));
  }
  for (const name of ['', 'My Music', 'music/backup', 'música', 'music:1', 'music\n']) {
    it(`rejects ${JSON.stringify(name)}`, () => assert.doesNotMatch(name, tableName));
  }
});
