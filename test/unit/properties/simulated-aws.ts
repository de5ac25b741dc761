// A small, consistent DynamoDB for driving the pure core the way the reconciler does: tables come into being only by a
// restore call (ours) or as the scenario's foreign table, go CREATING → ACTIVE with time, and every call can fail
// before its effect, lose its answer after it, or have the operator crash right after it. It keeps the record the
// properties judge: which restore calls took effect, what was tagged, changed and deleted.
import { AwsError, type BackupState, type PointInTimeRecovery, type TableState, type TimeToLive } from '../../../src/aws/dynamodb-port.ts';
import type { Action, Observation } from '../../../src/restore/restore-vocabulary.ts';
import type { ObservedSettings } from '../../../src/restore/table-settings.ts';

export const SIM_ACCOUNT = '123456789012';
export const SIM_REGION = 'us-east-1';

export interface SimTable {
  state: TableState;
  tags: Record<string, string>;
  ttl: TimeToLive;
  pitr: PointInTimeRecovery;
  /** When CREATING or UPDATING turns ACTIVE (AWS's clock). */
  activeAt: number;
  /** Made by someone else before the scenario began. */
  foreign: boolean;
}

export interface SimBackup extends BackupState {
  /** When a CREATING backup becomes AVAILABLE (AWS's clock). */
  availableAt: number;
}

/** What happens to one AWS call. */
export type Fault =
  | { kind: 'ok' }
  /** AWS answers an error and does nothing. */
  | { kind: 'error'; code: string; message: string }
  /** The call takes effect, but its answer is lost (a network error or a timeout reaches the operator). */
  | { kind: 'lost'; code: 'NetworkError' | 'TimeoutError' }
  /** The call takes effect, and the operator dies before it hears the answer. */
  | { kind: 'crash' };

export interface SimScenario {
  backups: SimBackup[];
  /** Point-in-time recovery of the source tables, by name. */
  pitr: Record<string, PointInTimeRecovery>;
  /** A table of someone else's at the target name when the scenario begins. */
  foreign?: { state: TableState; tags: Record<string, string> };
  /** How long a restore keeps its table CREATING. */
  restoreDurationMs: number;
  /** AWS's clock minus the operator's. */
  awsClockOffsetMs: number;
  /** One per AWS call, in order; when they run out every call succeeds. */
  faults: Fault[];
}

export type SimOutcome = { observation: Observation } | { crashed: true };

export const tableArnOf = (name: string) => `arn:aws:dynamodb:${SIM_REGION}:${SIM_ACCOUNT}:table/${name}`;

/** AWS calls: everything but the ends of a reconcile and the operator's own slot bookkeeping. */
const NOT_AWS = new Set(['requeue', 'backoff', 'done', 'releaseFinalizer', 'acquireSlot', 'claimTable']);

export class SimulatedAws {
  readonly tables = new Map<string, SimTable>();
  /** Every restore call that took effect (made a table). */
  readonly restoresTakenEffect: Array<{ table: string; at: number }> = [];
  /** Every call that reached AWS, with what it touched. */
  readonly calls: Array<{ action: Action; foreignTouched: boolean }> = [];
  readonly deleted: Array<{ name: string; tags: Record<string, string>; foreign: boolean }> = [];
  private faultIndex = 0;

  constructor(
    private readonly scenario: SimScenario,
    /** The operator's clock, in ms. */
    private readonly clock: () => number,
    targetTableName: string,
  ) {
    if (scenario.foreign) {
      const { state, tags } = scenario.foreign;
      this.tables.set(targetTableName, {
        state: { ...state, name: targetTableName },
        tags: { ...tags },
        ttl: { status: 'DISABLED' },
        pitr: { status: 'DISABLED' },
        activeAt: 0,
        foreign: true,
      });
    }
  }

  private awsNow(): number {
    return this.clock() + this.scenario.awsClockOffsetMs;
  }

  private nextFault(): Fault {
    return this.scenario.faults[this.faultIndex++] ?? { kind: 'ok' };
  }

  /** The table as DescribeTable reports it now. */
  private describe(name: string): TableState | undefined {
    const t = this.tables.get(name);
    if (!t) return undefined;
    if ((t.state.status === 'CREATING' || t.state.status === 'UPDATING') && this.awsNow() >= t.activeAt) {
      t.state = { ...t.state, status: 'ACTIVE', ...(t.state.restoreSummary ? { restoreSummary: { ...t.state.restoreSummary, restoreInProgress: false } } : {}) };
    }
    return structuredClone(t.state);
  }

  private backup(arn: string): BackupState | undefined {
    const b = this.scenario.backups.find((x) => x.arn === arn);
    if (!b) return undefined;
    const { availableAt, ...state } = b;
    return { ...state, status: state.status === 'CREATING' && this.awsNow() >= availableAt ? 'AVAILABLE' : state.status };
  }

  private createTable(name: string, restoreSummary: NonNullable<TableState['restoreSummary']>): TableState {
    const at = this.awsNow();
    this.tables.set(name, {
      state: { name, arn: tableArnOf(name), id: `table-${this.restoresTakenEffect.length + 1}`, status: 'CREATING', createdAt: new Date(at).toISOString(), restoreSummary },
      tags: {},
      ttl: { status: 'DISABLED' },
      pitr: { status: 'DISABLED' },
      activeAt: at + this.scenario.restoreDurationMs,
      foreign: false,
    });
    this.restoresTakenEffect.push({ table: name, at });
    return this.describe(name) as TableState;
  }

  /** Performs an AWS action (with its fault) and says what the operator hears. */
  perform(action: Action): SimOutcome {
    if (NOT_AWS.has(action.kind)) throw new Error(`${action.kind} is not an AWS call`);
    const fault = this.nextFault();
    if (fault.kind === 'error') return { observation: { kind: 'failed', error: new AwsError(fault.code, fault.message, opName(action)) } };
    const foreign = this.touchesForeign(action);
    this.calls.push({ action, foreignTouched: foreign });
    let observation: Observation;
    try {
      observation = this.effect(action);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      observation = { kind: 'failed', error: err };
    }
    if (fault.kind === 'lost') return { observation: { kind: 'failed', error: new AwsError(fault.code, 'socket hang up', opName(action)) } };
    if (fault.kind === 'crash') return { crashed: true };
    return { observation };
  }

  private touchesForeign(action: Action): boolean {
    const byName = (n: string) => this.tables.get(n)?.foreign === true;
    switch (action.kind) {
      case 'tagTable':
        return [...this.tables.values()].some((t) => t.foreign && t.state.arn === action.tableArn);
      case 'changeSetting':
      case 'deleteTable':
        return byName(action.tableName);
      default:
        return false;
    }
  }

  private effect(action: Action): Observation {
    switch (action.kind) {
      case 'describeBackup': {
        const backup = this.backup(action.backupArn);
        if (!backup) throw new AwsError('BackupNotFoundException', `Backup not found: ${action.backupArn}`, 'DescribeBackup');
        return { kind: 'backupDescribed', backup };
      }
      case 'listBackups':
        return {
          kind: 'backupsListed',
          backups: this.scenario.backups.filter((b) => b.sourceTableName === action.tableName).map((b) => this.backup(b.arn) as BackupState),
        };
      case 'describeContinuousBackups': {
        const name = action.table.split(':table/')[1] ?? action.table;
        const pitr = this.scenario.pitr[name];
        if (!pitr) throw new AwsError('TableNotFoundException', `Table not found: ${action.table}`, 'DescribeContinuousBackups');
        return { kind: 'continuousBackupsDescribed', pitr };
      }
      case 'restoreFromBackup': {
        const { TargetTableName: name, BackupArn: arn } = action.request;
        if (this.tables.has(name)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${name}`, 'RestoreTableFromBackup');
        const backup = this.backup(arn);
        if (!backup) throw new AwsError('BackupNotFoundException', `Backup not found: ${arn}`, 'RestoreTableFromBackup');
        if (backup.status !== 'AVAILABLE') throw new AwsError('BackupInUseException', 'Backup is being created', 'RestoreTableFromBackup');
        return { kind: 'restoreStarted', table: this.createTable(name, { sourceBackupArn: arn, restoreDateTime: backup.createdAt, restoreInProgress: true }) };
      }
      case 'restoreToPointInTime': {
        const { TargetTableName: name, SourceTableName, SourceTableArn } = action.request;
        const source = SourceTableName ?? SourceTableArn?.split(':table/')[1] ?? '';
        if (this.tables.has(name)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${name}`, 'RestoreTableToPointInTime');
        if (this.scenario.pitr[source]?.status !== 'ENABLED') throw new AwsError('PointInTimeRecoveryUnavailableException', 'Point in time recovery is not enabled', 'RestoreTableToPointInTime');
        return {
          kind: 'restoreStarted',
          table: this.createTable(name, { sourceTableArn: SourceTableArn ?? tableArnOf(source), restoreDateTime: action.request.RestoreDateTime ?? new Date(this.awsNow()).toISOString(), restoreInProgress: true }),
        };
      }
      case 'describeTable': {
        const table = this.describe(action.tableName);
        const tags = action.withTags && table ? { ...this.tables.get(action.tableName)?.tags } : undefined;
        return { kind: 'described', table, ...(tags && { tags }) };
      }
      case 'tagTable': {
        const t = [...this.tables.values()].find((x) => x.state.arn === action.tableArn);
        if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${action.tableArn}`, 'TagResource');
        t.tags = { ...t.tags, ...action.tags };
        return { kind: 'tagged' };
      }
      case 'describeSettings': {
        const state = this.describe(action.tableName);
        const t = this.tables.get(action.tableName);
        if (!state || !t) return { kind: 'settingsDescribed', settings: undefined };
        const settings: ObservedSettings = { table: state };
        if (action.read.includes('tags')) settings.tags = { ...t.tags };
        if (action.read.includes('timeToLive')) settings.timeToLive = { ...t.ttl };
        if (action.read.includes('pointInTimeRecovery')) settings.pointInTimeRecovery = { ...t.pitr };
        return { kind: 'settingsDescribed', settings };
      }
      case 'changeSetting': {
        const t = this.tables.get(action.tableName);
        if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${action.tableName}`, 'UpdateTable');
        if (this.describe(action.tableName)?.status !== 'ACTIVE') throw new AwsError('ResourceInUseException', 'Table is being updated', 'UpdateTable');
        const { change } = action;
        switch (change.setting) {
          case 'tags':
            t.tags = { ...t.tags, ...change.tags };
            break;
          case 'timeToLive':
            t.ttl = { status: 'ENABLED', attributeName: change.attributeName };
            break;
          case 'stream':
            t.state = { ...t.state, streamViewType: change.viewType, status: 'UPDATING' };
            t.activeAt = this.awsNow() + 1_000;
            break;
          case 'pointInTimeRecovery':
            t.pitr = { status: change.enabled ? 'ENABLED' : 'DISABLED' };
            break;
          case 'deletionProtection':
            t.state = { ...t.state, deletionProtection: change.enabled };
            break;
        }
        return { kind: 'settingChanged', setting: change.setting };
      }
      case 'deleteTable': {
        const t = this.tables.get(action.tableName);
        if (t?.state.deletionProtection) throw new AwsError('ValidationException', 'Table has deletion protection enabled', 'DeleteTable');
        if (t) {
          this.deleted.push({ name: action.tableName, tags: { ...t.tags }, foreign: t.foreign });
          this.tables.delete(action.tableName);
        }
        return { kind: 'tableDeleted' };
      }
      default:
        throw new Error(`not an AWS call: ${action.kind}`);
    }
  }
}

function opName(action: Action): string {
  const names: Record<string, string> = {
    describeBackup: 'DescribeBackup',
    listBackups: 'ListBackups',
    describeContinuousBackups: 'DescribeContinuousBackups',
    restoreFromBackup: 'RestoreTableFromBackup',
    restoreToPointInTime: 'RestoreTableToPointInTime',
    describeTable: 'DescribeTable',
    tagTable: 'TagResource',
    describeSettings: 'DescribeTable',
    changeSetting: 'UpdateTable',
    deleteTable: 'DeleteTable',
  };
  return names[action.kind] ?? action.kind;
}
