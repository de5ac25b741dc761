import assert from 'node:assert/strict';
import type { DynamoDBRestoreSpec, SettingName } from '../../../src/api/dynamodb-restore.ts';
import type { TableState } from '../../../src/aws/dynamodb-port.ts';
import { judgeSetting, requestedSettings, settingReads, type ObservedSettings, type SettingVerdict } from '../../../src/restore/table-settings.ts';

const ALL: DynamoDBRestoreSpec = {
  targetTableName: 'Music',
  source: { backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d' },
  tableSettings: {
    deletionProtection: true,
    pointInTimeRecovery: true,
    stream: { viewType: 'NEW_AND_OLD_IMAGES' },
    timeToLive: { attributeName: 'expiresAt' },
    tags: { team: 'a', env: 'prod' },
  },
};
const table = (extra: Partial<TableState> = {}): TableState => ({ name: 'Music', arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Music', status: 'ACTIVE', ...extra });
const observed = (extra: Partial<ObservedSettings> = {}, tableExtra: Partial<TableState> = {}): ObservedSettings => ({ table: table(tableExtra), ...extra });

describe('tableSettings', () => {
  it('are applied in a fixed order, deletion protection last, whatever the spec\'s key order', () => {
    assert.deepEqual(requestedSettings(ALL), ['tags', 'timeToLive', 'stream', 'pointInTimeRecovery', 'deletionProtection']);
    assert.deepEqual(settingReads(requestedSettings(ALL)), ['tags', 'timeToLive', 'pointInTimeRecovery']);
  });

  it('asks only for what the spec names; empty tags and false booleans count as asked for only when set', () => {
    assert.deepEqual(requestedSettings({ ...ALL, tableSettings: undefined }), []);
    assert.deepEqual(requestedSettings({ ...ALL, tableSettings: { tags: {} } }), []);
    assert.deepEqual(requestedSettings({ ...ALL, tableSettings: { pointInTimeRecovery: false } }), ['pointInTimeRecovery']);
    assert.deepEqual(settingReads(['stream', 'deletionProtection']), [], 'both are in DescribeTable');
  });

  const cases: Array<[SettingName, string, ObservedSettings, SettingVerdict]> = [
    ['tags', 'none yet: all of them', observed({ tags: {} }), { kind: 'change', change: { setting: 'tags', tags: { team: 'a', env: 'prod' } } }],
    ['tags', 'one differs: only that one', observed({ tags: { team: 'a', env: 'dev', other: 'x' } }), { kind: 'change', change: { setting: 'tags', tags: { env: 'prod' } } }],
    ['tags', 'all there, others too', observed({ tags: { team: 'a', env: 'prod', 'dynamodb.restore.dev/owner': 'team-a/music' } }), { kind: 'applied' }],
    ['timeToLive', 'DISABLED', observed({ timeToLive: { status: 'DISABLED' } }), { kind: 'change', change: { setting: 'timeToLive', attributeName: 'expiresAt' } }],
    ['timeToLive', 'not read: as DISABLED', observed(), { kind: 'change', change: { setting: 'timeToLive', attributeName: 'expiresAt' } }],
    ['timeToLive', 'ENABLING on ours', observed({ timeToLive: { status: 'ENABLING', attributeName: 'expiresAt' } }), { kind: 'applied' }],
    ['timeToLive', 'ENABLED on ours', observed({ timeToLive: { status: 'ENABLED', attributeName: 'expiresAt' } }), { kind: 'applied' }],
    ['timeToLive', 'ENABLED on another', observed({ timeToLive: { status: 'ENABLED', attributeName: 'ttl' } }), { kind: 'conflict', why: 'time to live is on attribute ttl, not expiresAt' }],
    ['timeToLive', 'ENABLED, attribute not reported', observed({ timeToLive: { status: 'ENABLED' } }), { kind: 'conflict', why: 'time to live is on attribute ?, not expiresAt' }],
    ['timeToLive', 'DISABLING', observed({ timeToLive: { status: 'DISABLING', attributeName: 'ttl' } }), { kind: 'wait', why: 'time to live is being disabled' }],
    ['stream', 'none', observed(), { kind: 'change', change: { setting: 'stream', viewType: 'NEW_AND_OLD_IMAGES' } }],
    ['stream', 'ours', observed({}, { streamViewType: 'NEW_AND_OLD_IMAGES' }), { kind: 'applied' }],
    ['stream', 'another view type', observed({}, { streamViewType: 'KEYS_ONLY' }), { kind: 'conflict', why: 'a stream of view type KEYS_ONLY is on, not NEW_AND_OLD_IMAGES' }],
    ['pointInTimeRecovery', 'DISABLED', observed({ pointInTimeRecovery: { status: 'DISABLED' } }), { kind: 'change', change: { setting: 'pointInTimeRecovery', enabled: true } }],
    ['pointInTimeRecovery', 'ENABLED', observed({ pointInTimeRecovery: { status: 'ENABLED' } }), { kind: 'applied' }],
    ['deletionProtection', 'off', observed({}, { deletionProtection: false }), { kind: 'change', change: { setting: 'deletionProtection', enabled: true } }],
    ['deletionProtection', 'not reported: off', observed(), { kind: 'change', change: { setting: 'deletionProtection', enabled: true } }],
    ['deletionProtection', 'on', observed({}, { deletionProtection: true }), { kind: 'applied' }],
  ];
  for (const [name, situation, seen, verdict] of cases) {
    it(`${name}, ${situation} → ${verdict.kind}`, () => assert.deepEqual(judgeSetting(name, ALL, seen), verdict));
  }

  it('false asks for off: PITR and deletion protection found on are turned off', () => {
    const off: DynamoDBRestoreSpec = { ...ALL, tableSettings: { pointInTimeRecovery: false, deletionProtection: false } };
    assert.deepEqual(judgeSetting('pointInTimeRecovery', off, observed({ pointInTimeRecovery: { status: 'ENABLED' } })), {
      kind: 'change',
      change: { setting: 'pointInTimeRecovery', enabled: false },
    });
    assert.deepEqual(judgeSetting('pointInTimeRecovery', off, observed({ pointInTimeRecovery: { status: 'DISABLED' } })), { kind: 'applied' });
    assert.deepEqual(judgeSetting('deletionProtection', off, observed({}, { deletionProtection: true })), { kind: 'change', change: { setting: 'deletionProtection', enabled: false } });
    assert.deepEqual(judgeSetting('deletionProtection', off, observed()), { kind: 'applied' });
  });
});
