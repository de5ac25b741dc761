// A small, consistent DynamoDB behind the operator's own port (DynamoDBPort), for driving the real reconciler: tables
// come into being only by a restore call (ours) or as the scenario's foreign table (there from the start, or made by
// someone else at any moment, inside the adoption window too), go CREATING → ACTIVE with time, and every call can
// fail before its effect, lose its answer after it, or have the operator crash right after it. It keeps the record
// the properties judge: which restore calls took effect, what was tagged, changed and deleted, and how many of our
// restores were in progress at once.
import {
  AwsError,
  type BackupState,
  type DynamoDBPort,
  type PointInTimeRecovery,
  type RestoreFromBackupRequest,
  type RestoreToPointInTimeRequest,
  type SettingChange,
  type TableState,
  type TimeToLive,
} from '../../../src/aws/dynamodb-port.ts';

export const SIM_ACCOUNT = '123456789012';
export const SIM_REGION = 'us-east-1';

export interface SimTable {
  state: TableState;
  tags: Record<string, string>;
  ttl: TimeToLive;
  pitr: PointInTimeRecovery;
  /** When CREATING or UPDATING turns ACTIVE (AWS's clock). */
  activeAt: number;
  /** Made by someone else, not by a restore call of the operator's. */
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
  /**
   * A table of someone else's under one of the target names: there when the world begins (appearsAt undefined), or
   * made at appearsAt (AWS's clock) if the name is still free then.
   */
  foreign?: { table: string; appearsAt?: number; state: TableState; tags: Record<string, string> };
  /** How long a restore keeps its table CREATING. */
  restoreDurationMs: number;
  /** AWS's clock minus the operator's. */
  awsClockOffsetMs: number;
  /** One per AWS call, in order; when they run out every call succeeds. */
  faults: Fault[];
}

/** The operator died right after a call took effect: the reconcile in flight is lost. */
export class OperatorCrash extends Error {
  override readonly name = 'OperatorCrash';
}

export const tableArnOf = (name: string) => `arn:aws:dynamodb:${SIM_REGION}:${SIM_ACCOUNT}:table/${name}`;

export class SimulatedAws implements DynamoDBPort {
  readonly tables = new Map<string, SimTable>();
  /** Every restore call that took effect (made a table). */
  readonly restoresTakenEffect: Array<{ table: string; at: number }> = [];
  /**
   * Every call that reached AWS (no error before its effect), with the table it names, whether it was someone else's,
   * and for a restore call when it was made (AWS's clock).
   */
  readonly calls: Array<{ operation: string; table?: string; foreignTouched: boolean; restoreCallAt?: number }> = [];
  readonly deleted: Array<{ name: string; tags: Record<string, string>; foreign: boolean }> = [];
  /** The most of our restores in progress at once (taken effect, table not yet ACTIVE), as AWS counts them. */
  maxInProgress = 0;
  private faultIndex = 0;
  private foreignDue: boolean;

  constructor(
    private readonly scenario: SimScenario,
    /** The operator's clock, in ms; each call moves it on a little. */
    private readonly clock: { now: number },
  ) {
    this.foreignDue = scenario.foreign !== undefined;
    this.appear();
  }

  // --- DynamoDBPort ---------------------------------------------------------------------------------------------

  describeBackup(backupArn: string): Promise<BackupState> {
    return this.call('DescribeBackup', undefined, false, () => {
      const backup = this.backup(backupArn);
      if (!backup) throw new AwsError('BackupNotFoundException', `Backup not found: ${backupArn}`, 'DescribeBackup');
      return backup;
    });
  }

  listBackups(tableName: string): Promise<BackupState[]> {
    return this.call('ListBackups', undefined, false, () =>
      this.scenario.backups.filter((b) => b.sourceTableName === tableName).map((b) => this.backup(b.arn) as BackupState),
    );
  }

  describeContinuousBackups(table: string): Promise<PointInTimeRecovery> {
    const name = table.split(':table/')[1] ?? table;
    return this.call('DescribeContinuousBackups', undefined, false, () => {
      const pitr = this.tables.get(name)?.pitr ?? this.scenario.pitr[name];
      if (!pitr) throw new AwsError('TableNotFoundException', `Table not found: ${table}`, 'DescribeContinuousBackups');
      return { ...pitr };
    });
  }

  restoreTableFromBackup(request: RestoreFromBackupRequest): Promise<TableState> {
    const { TargetTableName: name, BackupArn: arn } = request;
    return this.call('RestoreTableFromBackup', name, false, () => {
      if (this.tables.has(name)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${name}`, 'RestoreTableFromBackup');
      const backup = this.backup(arn);
      if (!backup) throw new AwsError('BackupNotFoundException', `Backup not found: ${arn}`, 'RestoreTableFromBackup');
      if (backup.status !== 'AVAILABLE') throw new AwsError('BackupInUseException', 'Backup is being created', 'RestoreTableFromBackup');
      return this.createTable(name, { sourceBackupArn: arn, restoreDateTime: backup.createdAt, restoreInProgress: true });
    });
  }

  restoreTableToPointInTime(request: RestoreToPointInTimeRequest): Promise<TableState> {
    const { TargetTableName: name, SourceTableName, SourceTableArn } = request;
    const source = SourceTableName ?? SourceTableArn?.split(':table/')[1] ?? '';
    return this.call('RestoreTableToPointInTime', name, false, () => {
      if (this.tables.has(name)) throw new AwsError('TableAlreadyExistsException', `Table already exists: ${name}`, 'RestoreTableToPointInTime');
      if (this.scenario.pitr[source]?.status !== 'ENABLED') throw new AwsError('PointInTimeRecoveryUnavailableException', 'Point in time recovery is not enabled', 'RestoreTableToPointInTime');
      const restoreDateTime = request.RestoreDateTime ?? new Date(this.awsNow()).toISOString();
      return this.createTable(name, { sourceTableArn: SourceTableArn ?? tableArnOf(source), restoreDateTime, restoreInProgress: true });
    });
  }

  describeTable(tableName: string): Promise<TableState | undefined> {
    return this.call('DescribeTable', tableName, false, () => this.describe(tableName));
  }

  listTags(resourceArn: string): Promise<Record<string, string>> {
    return this.call('ListTagsOfResource', undefined, false, () => ({ ...this.byArn(resourceArn, 'ListTagsOfResource').tags }));
  }

  tagResource(resourceArn: string, tags: Record<string, string>): Promise<void> {
    const touched = [...this.tables.values()].some((t) => t.foreign && t.state.arn === resourceArn);
    return this.call('TagResource', undefined, touched, () => {
      const t = this.byArn(resourceArn, 'TagResource');
      t.tags = { ...t.tags, ...tags };
    });
  }

  describeTimeToLive(tableName: string): Promise<TimeToLive> {
    return this.call('DescribeTimeToLive', tableName, false, () => ({ ...this.byName(tableName, 'DescribeTimeToLive').ttl }));
  }

  changeSetting(tableName: string, _tableArn: string, change: SettingChange): Promise<void> {
    return this.call('UpdateTable', tableName, this.isForeign(tableName), () => {
      const t = this.byName(tableName, 'UpdateTable');
      if (this.describe(tableName)?.status !== 'ACTIVE') throw new AwsError('ResourceInUseException', 'Table is being updated', 'UpdateTable');
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
    });
  }

  deleteTable(tableName: string): Promise<void> {
    return this.call('DeleteTable', tableName, this.isForeign(tableName), () => {
      const t = this.tables.get(tableName);
      if (t?.state.deletionProtection) throw new AwsError('ValidationException', 'Table has deletion protection enabled', 'DeleteTable');
      if (t) {
        this.deleted.push({ name: tableName, tags: { ...t.tags }, foreign: t.foreign });
        this.tables.delete(tableName);
      }
    });
  }

  // --- the world ------------------------------------------------------------------------------------------------

  /** One call: its fault decides whether it takes effect and what the operator hears. */
  private async call<T>(operation: string, table: string | undefined, foreignTouched: boolean, effect: () => T): Promise<T> {
    await Promise.resolve();
    this.clock.now += 50;
    this.appear();
    const fault = this.scenario.faults[this.faultIndex++] ?? { kind: 'ok' };
    if (fault.kind === 'error') throw new AwsError(fault.code, fault.message, operation);
    const restoreCallAt = operation.startsWith('RestoreTable') ? this.awsNow() : undefined;
    this.calls.push({ operation, ...(table !== undefined && { table }), foreignTouched, ...(restoreCallAt !== undefined && { restoreCallAt }) });
    let answer: { value: T } | { error: AwsError };
    try {
      answer = { value: effect() };
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      answer = { error: err };
    }
    if (fault.kind === 'lost') throw new AwsError(fault.code, 'socket hang up', operation);
    if (fault.kind === 'crash') throw new OperatorCrash(`the operator died after ${operation}`);
    if ('error' in answer) throw answer.error;
    return answer.value;
  }

  private awsNow(): number {
    return this.clock.now + this.scenario.awsClockOffsetMs;
  }

  /** Someone else makes the foreign table once its moment has come, if the name is still free. */
  private appear(): void {
    const f = this.scenario.foreign;
    if (!f || !this.foreignDue || (f.appearsAt !== undefined && this.awsNow() < f.appearsAt)) return;
    this.foreignDue = false;
    if (this.tables.has(f.table)) return;
    const createdAt = f.appearsAt === undefined ? f.state.createdAt : new Date(f.appearsAt).toISOString();
    this.tables.set(f.table, {
      state: { ...f.state, name: f.table, ...(createdAt !== undefined && { createdAt }) },
      tags: { ...f.tags },
      ttl: { status: 'DISABLED' },
      pitr: { status: 'DISABLED' },
      activeAt: 0,
      foreign: true,
    });
  }

  private isForeign(name: string): boolean {
    return this.tables.get(name)?.foreign === true;
  }

  private byName(name: string, operation: string): SimTable {
    const t = this.tables.get(name);
    if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${name}`, operation);
    return t;
  }

  private byArn(arn: string, operation: string): SimTable {
    const t = [...this.tables.values()].find((x) => x.state.arn === arn);
    if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: ${arn}`, operation);
    return t;
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
    const inProgress = [...this.tables.values()].filter((t) => !t.foreign && at < t.activeAt && t.state.restoreSummary?.restoreInProgress !== false).length;
    this.maxInProgress = Math.max(this.maxInProgress, inProgress);
    return this.describe(name) as TableState;
  }
}
