// The DynamoDBRestoreSchedule API: a DynamoDBRestore made on a cron schedule (a fresh copy of a table every night),
// with CronJob's meaning for schedule, timeZone, suspend, startingDeadlineSeconds, concurrencyPolicy and the history
// limits. One source for the CRD schema, the types and `kubectl explain`, like the DynamoDBRestore API it builds on.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Condition, DynamoDBRestoreSpec, GROUP, VERSION } from './dynamodb-restore.ts';
import { celRules, StringEnum } from './schema-helpers.ts';

export const SCHEDULE_KIND = 'DynamoDBRestoreSchedule';
export const SCHEDULE_PLURAL = 'dynamodbrestoreschedules';
export const SCHEDULE_API_VERSION = `${GROUP}/${VERSION}`;

/** The placeholder a schedule's targetTableName holds once: each run replaces it with its scheduled time. */
export const SCHEDULE_TIME = '$(scheduleTime)';
/** The scheduled time as it appears in table and resource names: UTC, to the second, e.g. 20261204t020000z. */
export const SCHEDULE_STAMP_LENGTH = 16;
/** A child's name is <schedule>-<stamp>; like a CronJob's name, 52 characters leave room for it and for a label value. */
export const MAX_SCHEDULE_NAME = 52;

/** Drops transition rules (those reading oldSelf): a template is edited freely; each child is immutable on its own. */
function withoutTransitionRules(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutTransitionRules);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'x-kubernetes-validations') {
      const kept = (value as Array<{ rule: string }>).filter((r) => !r.rule.includes('oldSelf'));
      if (kept.length) copy[key] = kept;
    } else copy[key] = withoutTransitionRules(value);
  }
  return copy;
}

/** A DynamoDBRestore's spec as a schedule's template: no targetTableName (the schedule's own names each run), and
 *  deletionPolicy Delete by default (an old copy goes with its resource once the history limit drops it). */
function restoreTemplateSpec(): TSchema {
  const spec = withoutTransitionRules(JSON.parse(JSON.stringify(DynamoDBRestoreSpec))) as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    description: string;
  };
  delete spec.properties.targetTableName;
  spec.required = spec.required.filter((f) => f !== 'targetTableName');
  spec.properties.deletionPolicy = {
    ...spec.properties.deletionPolicy,
    default: 'Delete',
    description:
      'What deleting a run\'s DynamoDBRestore (when the history limits drop it, or by hand) does to its table. ' +
      'Delete (the default for schedules): the operator deletes the table it restored, with the owner checks of a ' +
      'single restore. Retain: the table stays.',
  };
  spec.description =
    'The spec of each run\'s DynamoDBRestore, but targetTableName (the schedule\'s own). The source must find ' +
    'something new each run: the latest backup of a table (backup.latest), the newest backup of a name ' +
    '(backup.backupName), or the latest restorable moment (pointInTime.useLatestRestorableTime).';
  return Type.Unsafe({
    ...spec,
    ...celRules({
      rule:
        '!has(self.source.backupArn) && (!has(self.source.pointInTime) || ' +
        'self.source.pointInTime.?useLatestRestorableTime.orValue(false))',
      message:
        'a schedule restores something new each run: source.backup (latest or by backupName) or source.pointInTime ' +
        'with useLatestRestorableTime, not a fixed backupArn or restoreDateTime',
      fieldPath: '.source',
      reason: 'FieldValueInvalid',
    }),
  });
}

export const DynamoDBRestoreScheduleSpec = Type.Object(
  {
    schedule: Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        'When to restore, in cron syntax: five fields (minute hour day-of-month month day-of-week, e.g. "0 2 * * *"), ' +
        'six with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly. Day of month and day of week match ' +
        'either (standard cron). The operator refuses one that runs more often than its minimum interval ' +
        '(SCHEDULE_MIN_INTERVAL_SECONDS).',
    }),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$',
        description:
          'IANA time zone of the schedule, e.g. Europe/Berlin. Omitted: UTC. Across a daylight saving change, a time ' +
          'that does not exist runs at the first time after the gap, and a time that occurs twice runs once (for ' +
          'schedules with one value in each of seconds, minutes and hours; others run on every match, as Vixie cron).',
      }),
    ),
    suspend: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'true: no new runs (those running carry on). Runs missed while suspended count as missed.',
      }),
    ),
    startingDeadlineSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 31_536_000,
        description:
          'A run not started within this many seconds of its scheduled time (the operator was down, the schedule ' +
          'suspended, a Forbid run skipped) is skipped, with a MissedSchedule event. Omitted: no deadline. After any ' +
          'downtime at most one catch-up run starts: the most recent one missed.',
      }),
    ),
    concurrencyPolicy: Type.Optional(
      StringEnum(['Forbid', 'Replace'] as const, {
        default: 'Forbid',
        description:
          'When a run is due while an earlier one is still restoring. Forbid (default): the new run waits, and starts ' +
          'when the earlier one finishes if still within startingDeadlineSeconds. Replace: the earlier run\'s ' +
          'DynamoDBRestore is deleted (its deletionPolicy decides its table) and the new one starts.',
      }),
    ),
    successfulRestoresHistoryLimit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: 3,
        description:
          'Completed runs kept, newest first (default 3); older ones are deleted, and their deletionPolicy decides ' +
          'their tables. The newest completed run is always kept: it is the one published.',
      }),
    ),
    failedRestoresHistoryLimit: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100, default: 1, description: 'Failed runs kept, newest first (default 1).' }),
    ),
    targetTableName: Type.String({
      minLength: 3 + SCHEDULE_TIME.length,
      maxLength: 255 - SCHEDULE_STAMP_LENGTH + SCHEDULE_TIME.length,
      pattern: '^[a-zA-Z0-9_.-]*\\$\\(scheduleTime\\)[a-zA-Z0-9_.-]*$',
      description:
        `Each run's table name, with ${SCHEDULE_TIME} once, replaced by the run's scheduled time in UTC to the second ` +
        '(e.g. team-a.orders-$(scheduleTime) → team-a.orders-20261204t020000z): a valid table name, unique to the run.',
    }),
    restoreTemplate: Type.Object(
      { spec: restoreTemplateSpec() },
      { description: 'The DynamoDBRestore each run creates, owned by this schedule: policies, quotas and slots apply to it as to any.' },
    ),
    publish: Type.Optional(
      Type.Object(
        {
          configMapName: Type.String({
            minLength: 1,
            maxLength: 253,
            pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
            description:
              'A ConfigMap in this namespace the schedule creates and owns. One that exists and this schedule does ' +
              'not own is never changed (Ready False, ConfigMapNotOwned).',
          }),
          tableNameKey: Type.Optional(
            Type.String({ minLength: 1, maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$', default: 'tableName', description: 'Key holding the table name.' }),
          ),
          tableArnKey: Type.Optional(
            Type.String({ minLength: 1, maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$', default: 'tableArn', description: 'Key holding the table ARN.' }),
          ),
        },
        {
          description:
            'Where the application finds the newest copy: the newest Completed run\'s table name and ARN, written once ' +
            'that run is Completed (restored, ACTIVE and configured), never before; older tables are deleted only ' +
            'after, as the history limit says, so a reader never finds a missing table (keep ' +
            'successfulRestoresHistoryLimit at 2 or more so readers have time to move over).',
          ...celRules({ rule: '!has(self.tableNameKey) || !has(self.tableArnKey) || self.tableNameKey != self.tableArnKey', message: 'tableNameKey and tableArnKey must differ' }),
        },
      ),
    ),
  },
  { description: 'The schedule, and the restore each run makes.' },
);

export const RunReference = Type.Object(
  {
    name: Type.String({ description: "The run's DynamoDBRestore." }),
    scheduledTime: Type.String({ format: 'date-time', description: 'The scheduled time it ran for.' }),
  },
  { description: 'A run of the schedule.' },
);

export const DynamoDBRestoreScheduleStatus = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer({ description: 'The spec generation this status describes.' })),
    lastScheduleTime: Type.Optional(Type.String({ format: 'date-time', description: 'The scheduled time of the last run started.' })),
    lastSuccessfulTime: Type.Optional(Type.String({ format: 'date-time', description: 'When the newest completed run completed.' })),
    active: Type.Optional(Type.Array(RunReference, { maxItems: 100, description: 'Runs still restoring.' })),
    newestCompleted: Type.Optional(
      Type.Object(
        {
          name: Type.String({ description: "The run's DynamoDBRestore." }),
          tableName: Type.String({ description: 'Its table.' }),
          tableArn: Type.Optional(Type.String({ description: "Its table's ARN." })),
        },
        { description: 'The newest Completed run: the table published.' },
      ),
    ),
    nextScheduleTime: Type.Optional(Type.String({ format: 'date-time', description: 'When the next run is due.' })),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description:
          'Ready: True while the schedule is valid and its newest finished run completed (or none has finished yet); ' +
          'False with the reason otherwise (InvalidSchedule, LastRunFailed, RestoreRefused, ConfigMapNotOwned).',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
  },
  { description: 'What the operator observed and did. Written by the operator only.' },
);

export type DynamoDBRestoreScheduleSpec = Static<typeof DynamoDBRestoreScheduleSpec>;
export type DynamoDBRestoreScheduleStatus = Static<typeof DynamoDBRestoreScheduleStatus>;
export type RunReference = Static<typeof RunReference>;
/** The template as the API server stores it: a DynamoDBRestore's spec without targetTableName. */
export type RestoreTemplateSpec = Omit<DynamoDBRestoreSpec, 'targetTableName'>;

export interface DynamoDBRestoreSchedule {
  apiVersion: typeof SCHEDULE_API_VERSION;
  kind: typeof SCHEDULE_KIND;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation: number;
    resourceVersion: string;
    creationTimestamp?: Date;
    deletionTimestamp?: Date;
  };
  spec: Omit<DynamoDBRestoreScheduleSpec, 'restoreTemplate'> & { restoreTemplate: { spec: RestoreTemplateSpec } };
  status?: DynamoDBRestoreScheduleStatus;
}

export const SCHEDULE_PRINTER_COLUMNS = [
  { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
  { name: 'Suspend', type: 'boolean', jsonPath: '.spec.suspend' },
  { name: 'Active', type: 'string', jsonPath: '.status.active[*].name', description: 'Runs still restoring.' },
  { name: 'Last Schedule', type: 'date', jsonPath: '.status.lastScheduleTime' },
  { name: 'Newest Table', type: 'string', jsonPath: '.status.newestCompleted.tableName' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason', priority: 1 },
  { name: 'Time Zone', type: 'string', jsonPath: '.spec.timeZone', priority: 1 },
  { name: 'Next', type: 'date', jsonPath: '.status.nextScheduleTime', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
] as const;
