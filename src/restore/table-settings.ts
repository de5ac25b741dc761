// spec.tableSettings, free of I/O: what a restore does not carry over, judged one setting at a time against what
// AWS reports, so applying them is level-triggered: a setting already in place (after a crash, or set by hand) costs
// no call, and each call is made only for what differs.
import { SETTINGS, type DynamoDBRestoreSpec, type SettingName } from '../api/dynamodb-restore.ts';
import type { PointInTimeRecovery, SettingChange, TableState, TimeToLive } from '../aws/dynamodb-port.ts';

/** What the settings are judged against; the optional parts are read only when a requested setting needs them. */
export interface ObservedSettings {
  table: TableState;
  tags?: Record<string, string>;
  timeToLive?: TimeToLive;
  pointInTimeRecovery?: PointInTimeRecovery;
}

/** The reads beyond DescribeTable some settings need. */
export type SettingRead = 'tags' | 'timeToLive' | 'pointInTimeRecovery';

export type SettingVerdict =
  | { kind: 'applied' }
  | { kind: 'change'; change: SettingChange }
  /** AWS is still moving (TTL being disabled, the table UPDATING): look again later. */
  | { kind: 'wait'; why: string }
  /** Someone set it otherwise, in a way that cannot be changed in one step: a person must decide. */
  | { kind: 'conflict'; why: string };

/** The settings the spec asks for, in the order they are applied (deletion protection last). */
export function requestedSettings(spec: DynamoDBRestoreSpec): SettingName[] {
  const wanted = spec.tableSettings;
  if (!wanted) return [];
  return SETTINGS.filter((name) => (name === 'tags' ? Object.keys(wanted.tags ?? {}).length > 0 : wanted[name] !== undefined));
}

export function settingReads(settings: readonly SettingName[]): SettingRead[] {
  return settings.filter((s): s is SettingRead => s === 'tags' || s === 'timeToLive' || s === 'pointInTimeRecovery');
}

export function judgeSetting(name: SettingName, spec: DynamoDBRestoreSpec, observed: ObservedSettings): SettingVerdict {
  const wanted = spec.tableSettings ?? {};
  const { table } = observed;
  switch (name) {
    case 'tags': {
      const missing = Object.fromEntries(Object.entries(wanted.tags ?? {}).filter(([k, v]) => observed.tags?.[k] !== v));
      return Object.keys(missing).length === 0 ? { kind: 'applied' } : { kind: 'change', change: { setting: 'tags', tags: missing } };
    }
    case 'timeToLive': {
      const attributeName = wanted.timeToLive?.attributeName ?? '';
      const ttl = observed.timeToLive ?? { status: 'DISABLED' };
      if (ttl.status === 'ENABLED' || ttl.status === 'ENABLING') {
        return ttl.attributeName === attributeName
          ? { kind: 'applied' }
          : { kind: 'conflict', why: `time to live is on attribute ${ttl.attributeName ?? '?'}, not ${attributeName}` };
      }
      if (ttl.status === 'DISABLING') return { kind: 'wait', why: 'time to live is being disabled' };
      return { kind: 'change', change: { setting: 'timeToLive', attributeName } };
    }
    case 'stream': {
      const viewType = wanted.stream?.viewType ?? '';
      if (table.streamViewType === viewType) return { kind: 'applied' };
      if (table.streamViewType) return { kind: 'conflict', why: `a stream of view type ${table.streamViewType} is on, not ${viewType}` };
      return { kind: 'change', change: { setting: 'stream', viewType } };
    }
    case 'pointInTimeRecovery': {
      const enabled = wanted.pointInTimeRecovery ?? false;
      const on = observed.pointInTimeRecovery?.status === 'ENABLED';
      return on === enabled ? { kind: 'applied' } : { kind: 'change', change: { setting: 'pointInTimeRecovery', enabled } };
    }
    case 'deletionProtection': {
      const enabled = wanted.deletionProtection ?? false;
      return (table.deletionProtection ?? false) === enabled ? { kind: 'applied' } : { kind: 'change', change: { setting: 'deletionProtection', enabled } };
    }
  }
}
