// A small HTTP proxy in front of moto (5.2.5, server mode) that makes the emulator behave as DynamoDB's documents
// say where moto does not, and lets the tests see exactly what the operator sent. Each behaviour it adds cites the
// passage of the DynamoDB API Reference (API Reference) or Developer Guide it follows, here and in the README's table
// "What the fidelity proxy adds to moto". Test helpers that are not DynamoDB behaviour: it records every request and
// the answer's error code, injects chosen or random faults (errors, cut connections, late answers), and checks
// STS AssumeRole against trust conditions a test registers (moto assumes any role for anyone).
import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AWS_BACKUP_OPERATIONS, AwsBackupEmulation, awsBackupError, awsBackupOperation, type Answer } from './aws-backup-emulation.ts';

export interface RecordedCall {
  at: Date;
  operation: string;
  /** The Region the caller signed for. */
  region: string;
  /** The access key the caller signed with. */
  accessKeyId: string;
  body: Record<string, unknown>;
  /** The AWS error code answered, if any. */
  error?: string;
  /** The HTTP status moto answered, when the call reached it (then it took effect, whatever the caller saw). */
  upstreamStatus?: number;
  /** The random fault the call met (randomFaults). */
  injected?: RandomFaultKind;
  /** The trust condition an AssumeRole did not meet (trustConditions). */
  refusedBy?: string;
  /** The TableStatus the answer reported (DescribeTable, and the calls that answer a TableDescription). */
  tableStatus?: string;
}

export interface Fault {
  operation: string;
  /** The AWS error code to answer with; omitted: forward the call and hold the real answer back for delayMs. */
  code?: string;
  delayMs?: number;
  message?: string;
  status?: number;
  /** Forward the call, then cut the connection: it takes effect and its caller never hears (a lost answer). */
  loseAnswer?: boolean;
  /** How many calls to fail; Infinity until cleared. */
  times: number;
  /** Only requests for this table (TableName or TargetTableName). */
  tableName?: string;
}

/** A token bucket: burst calls at once, refilled at perSecond. */
export interface Rate {
  perSecond: number;
  burst: number;
}

/**
 * What randomFaults does to a call: answer InternalServerError (HTTP 500) or ThrottlingException without
 * forwarding it; destroy the connection (ConnectionReset: half the time before forwarding, half after moto acted,
 * so the caller cannot tell whether the call took effect); or forward it and hold moto's answer back (SlowAnswer).
 */
export type RandomFaultKind = 'InternalServerError' | 'ThrottlingException' | 'ConnectionReset' | 'SlowAnswer';

export interface RandomFaults {
  /** The fraction of calls, in [0, 1], that meet a fault. */
  rate: number;
  /** The faults drawn from, each as likely. */
  kinds: readonly RandomFaultKind[];
  /** How long a SlowAnswer is held back. */
  slowMs: number;
  /** Only calls signed with one of these access keys (a test's own set-up calls are spared); unset: every call. */
  accessKeyIds?: readonly string[];
}

/** How long a restored table stays CREATING: uniform between minMs and maxMs, or whatever a sampler draws. */
export type RestoreDuration = { minMs: number; maxMs: number } | (() => number);

export interface LimitCounters {
  /** Calls answered ThrottlingException by controlPlaneRate. */
  throttled: number;
  /** Restores answered LimitExceededException by maxRestoresInProgress. */
  limitExceeded: number;
  /** The most restores CREATING at once, by the Region they were signed for. */
  readonly peakRestoresInProgress: Map<string, number>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const RESTORE_OPERATIONS = new Set(['RestoreTableFromBackup', 'RestoreTableToPointInTime']);
const CREATING_OPERATIONS = new Set([...RESTORE_OPERATIONS, 'CreateTable']);
/**
 * The changes refused with ResourceInUseException on a table still CREATING: those whose Errors section in the API
 * Reference lists ResourceInUseException ("The operation conflicts with the resource's availability. For example:
 * ... You tried to delete a table currently in the CREATING state."). DeleteTable says so in its own words ("If a
 * table is in CREATING or UPDATING states, then DynamoDB returns a ResourceInUseException"). UpdateContinuousBackups
 * is not among them: its documented errors are ContinuousBackupsUnavailableException, InternalServerError and
 * TableNotFoundException, so the proxy adds none to it.
 */
const REFUSED_WHILE_CREATING = new Set(['DeleteTable', 'UpdateTable', 'UpdateTimeToLive']);
/**
 * The changes refused with ResourceInUseException on a table UPDATING. API Reference, DeleteTable: "If a table is in
 * CREATING or UPDATING states, then DynamoDB returns a ResourceInUseException"; UpdateTable: "While it's UPDATING,
 * you can't issue another UpdateTable request."
 */
const REFUSED_WHILE_UPDATING = new Set(['DeleteTable', 'UpdateTable']);
/** API Reference, PointInTimeRecoveryDescription: "LatestRestorableDateTime is typically 5 minutes before the current time." */
export const DOCUMENTED_RESTORABLE_LAG_MS = 5 * 60_000;
/**
 * The data plane: item reads and writes (and PartiQL). Every other DynamoDB operation (tables, backups, restores,
 * tags, TTL, describes and lists) is the control plane that controlPlaneRate throttles.
 */
const DATA_PLANE_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

/** A seeded uniform generator on [0, 1) (mulberry32), so a test can repeat the proxy's draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Seconds since the epoch of a backup, from its ARN (…/backup/01489173575360-b308cd7d). */
function backupTime(arn: string | undefined): number | undefined {
  const ms = arn && /\/backup\/(\d{14})-/.exec(arn)?.[1];
  return ms ? Number(ms) / 1000 : undefined;
}

function tableOf(body: Record<string, unknown>): string | undefined {
  const name = body.TargetTableName ?? body.TableName;
  return typeof name === 'string' ? name : undefined;
}

export class FidelityProxy {
  readonly calls: RecordedCall[] = [];
  /** How long a new table stays CREATING (a restored one too, unless restoreDuration is set). */
  holdCreatingMs = 0;
  /** At most this many restores CREATING at once per Region; another one is answered LimitExceededException. */
  maxRestoresInProgress: number | undefined;
  /** The control plane's rate per Region; a call finding the bucket empty is answered ThrottlingException. */
  controlPlaneRate: Rate | undefined;
  /** How long each restored table stays CREATING, drawn per restore; unset: holdCreatingMs. */
  restoreDuration: RestoreDuration | undefined;
  /** The clock every hold, window and token bucket reads (milliseconds since the epoch); a test may step it by hand. */
  now: () => number = Date.now;
  /** The uniform [0, 1) source restoreDuration's {minMs, maxMs} and randomFaults draw from; seededRandom(n) to repeat a run. */
  random: () => number = Math.random;
  /** Random faults on a fraction of calls; unset: none. */
  randomFaults: RandomFaults | undefined;
  readonly limitCounters: LimitCounters = { throttled: 0, limitExceeded: 0, peakRestoresInProgress: new Map() };
  /** How far LatestRestorableDateTime lags the clock; DynamoDB's documented "typically 5 minutes" unless a test shortens it. */
  restorableLagMs = DOCUMENTED_RESTORABLE_LAG_MS;
  /** How long a table stays UPDATING after an UpdateTable (moto applies it at once); 0: never UPDATING. */
  holdUpdatingMs = 0;
  /** How long a table stays DELETING after a DeleteTable before moto deletes it; 0: gone at once, as moto does. */
  holdDeletingMs = 0;
  /** ListBackups pages of at most this many summaries (moto answers all in one page); 0: as moto answers. */
  listBackupsPageSize = 0;
  /** Backups to report in another status than moto's (which makes every backup AVAILABLE at once), by ARN. */
  readonly backupStatus = new Map<string, string>();
  /**
   * Trust conditions by role ARN, as a trust policy's StringEquals block: condition key (sts:ExternalId,
   * aws:RequestTag/<key>) to the value an AssumeRole of that role must carry. Roles not listed trust anyone.
   */
  readonly trustConditions = new Map<string, Record<string, string>>();
  private readonly activeAt = new Map<string, number>();
  /** Tables UPDATING after an UpdateTable, until when. */
  private readonly updatingUntil = new Map<string, number>();
  /** Tables DELETING: moto still holds them until the time is up, then the proxy deletes them there. */
  private readonly deletions = new Map<string, { until: number; region: string; accessKeyId: string }>();
  /** The TableId of each table made through the proxy, by name, until it is deleted. */
  private readonly tableIds = new Map<string, string>();
  private readonly restored = new Map<string, RestoredTable>();
  /** Restores CREATING, or accepted and not yet answered, in the Region they were signed for. */
  private restoreSlots: RestoreSlot[] = [];
  /** The control plane's token buckets by Region, for the controlPlaneRate they were filled for. */
  private readonly buckets = new Map<string, { rate: Rate; tokens: number; at: number }>();
  private faults: Fault[] = [];
  private server: Server | undefined;
  endpoint = '';
  /**
   * AWS Backup's recovery points and restore jobs (aws-backup-emulation.ts): a test registers recovery points in their
   * vaults (recoveryPoints) and may
   * end a job FAILED or ABORTED (jobEnds). Its DynamoDB restore goes through this proxy's own front.
   */
  readonly awsBackup = new AwsBackupEmulation(
    {
      call: (operation, body, region, accessKeyId) => this.ownFront(operation, body, region, accessKeyId),
      creating: (table) => this.creating(table),
    },
    () => this.now(),
  );

  constructor(private readonly upstream: string) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, headers, body }) => {
          // A connection a random fault cut gets no answer.
          if (!req.socket.destroyed) res.writeHead(status, headers).end(body);
        },
        (err: unknown) => res.writeHead(502).end(String(err)),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
    this.endpoint = `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Turns every limit off and zeroes limitCounters (restores in progress stay counted). */
  resetLimits(): void {
    this.maxRestoresInProgress = undefined;
    this.controlPlaneRate = undefined;
    this.restoreDuration = undefined;
    this.random = Math.random;
    this.buckets.clear();
    this.limitCounters.throttled = 0;
    this.limitCounters.limitExceeded = 0;
    this.limitCounters.peakRestoresInProgress.clear();
  }

  /** Restored tables still CREATING in a Region (by the Region the restore was signed for). */
  restoresInProgress(region: string): number {
    const now = this.now();
    this.restoreSlots = this.restoreSlots.filter((s) => s.until === undefined || s.until > now);
    return this.restoreSlots.filter((s) => s.region === region && s.until !== undefined).length;
  }

  /**
   * Ends a table's CREATING hold now, as if its time were up: a test that needs the table CREATING until something has
   * happened holds it long and ends the hold on that event, instead of guessing a duration a busy machine may outrun.
   */
  finishCreating(table: string): void {
    const now = this.now();
    const until = this.activeAt.get(table) ?? 0;
    if (until <= now) return;
    this.activeAt.set(table, now);
    for (const slot of this.restoreSlots) if (slot.table === table && slot.until !== undefined) slot.until = now;
    const restored = this.restored.get(table);
    if (restored) restored.creatingMs -= until - now;
  }

  /** Ends every CREATING hold now: a suite that sets AWS's limits starts with no earlier suite's restore in progress. */
  finishAllCreating(): void {
    for (const table of [...this.activeAt.keys()]) this.finishCreating(table);
  }

  /** How long a restored table was (or is) held CREATING, as drawn when it was restored (less what finishCreating cut). */
  creatingMsOf(table: string): number | undefined {
    return this.restored.get(table)?.creatingMs;
  }

  /** The recorded calls of one operation, optionally for one table. */
  callsOf(operation: string, tableName?: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation && (tableName === undefined || tableOf(c.body) === tableName));
  }

  private takeFault(operation: string, table: string | undefined): Fault | undefined {
    const fault = this.faults.find((f) => f.operation === operation && (f.tableName === undefined || f.tableName === table) && f.times > 0);
    if (fault) fault.times -= 1;
    return fault;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const raw = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    // AWS Backup's REST JSON API names its operation by method and path.
    const backupCall = target ? undefined : awsBackupOperation(req.method, req.url);
    const operation = target.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : (backupCall?.operation ?? new URLSearchParams(raw.toString()).get('Action') ?? 'unknown');
    // JSON for DynamoDB and AWS Backup; form parameters for query-protocol services (STS).
    const parsed = target || backupCall ? (JSON.parse(raw.toString() || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw.toString()));
    // DescribeRestoreJob and DescribeRecoveryPoint name their job, vault and recovery point in the path: recorded as
    // the body, so a test sees what was asked about.
    const body = backupCall?.pathParameters ?? parsed;
    const table = tableOf(body);
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)/.exec(String(req.headers.authorization ?? ''));
    const call: RecordedCall = { at: new Date(), operation, region: credential?.[2] ?? '', accessKeyId: credential?.[1] ?? '', body };
    this.calls.push(call);
    await this.finishDeletions();

    // Throttling is decided first, as at DynamoDB's front door: a throttled call does nothing else.
    if (target && !this.takeControlPlaneToken(operation, call.region)) {
      this.limitCounters.throttled += 1;
      // DynamoDB's own code, status and message for control-plane calls made too fast (its developer guide's
      // "Error handling", HTTP 400 ThrottlingException: "Rate of requests exceeds the allowed throughput.").
      return this.errorAnswer(call, target, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.');
    }
    if (operation === 'AssumeRole') {
      // STS refuses an AssumeRole its trust policy does not allow with AccessDenied, HTTP 403, without saying which
      // condition failed (IAM User Guide, "Troubleshooting IAM roles": "User: ... is not authorized to perform:
      // sts:AssumeRole on resource: ..."); the test sees which one in the call's refusedBy.
      call.refusedBy = this.untrustedCondition(body);
      if (call.refusedBy) {
        const message = `User: arn:aws:iam::123456789012:user/${call.accessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${String(body.RoleArn)}`;
        return this.errorAnswer(call, target, 'AccessDenied', message, 403);
      }
    }
    const fault = this.takeFault(operation, table);
    if (fault?.code) return this.errorAnswer(call, target, fault.code, fault.message ?? `Injected ${fault.code}`, fault.status);
    const random = this.drawRandomFault(call);
    // Half the resets cut the connection before moto sees the call, half after it acted (below).
    const resetAfter = fault?.loseAnswer === true || (random === 'ConnectionReset' && this.random() < 0.5);
    if (random === 'InternalServerError') return this.errorAnswer(call, target, random, 'Injected InternalServerError (random fault)');
    if (random === 'ThrottlingException') return this.errorAnswer(call, target, random, 'Rate of requests exceeds the allowed throughput.');
    if (random === 'ConnectionReset' && !resetAfter) {
      call.error = random;
      req.socket.destroy();
      return { status: 0, headers: {}, body: Buffer.alloc(0) };
    }
    if (backupCall) {
      const answer = await this.awsBackup.handle(backupCall.operation, body, call.region, call.accessKeyId);
      if (answer.status >= 400) call.error = String(answer.headers['x-amzn-errortype']);
      // The job started, its answer held back (a test kills the caller meanwhile).
      if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      return answer;
    }
    if (table) {
      const busy = this.busyRefusal(operation, table);
      if (busy) return this.errorAnswer(call, target, 'ResourceInUseException', busy);
      if (operation === 'DeleteTable' && (this.holdDeletingMs > 0 || this.deletions.has(table))) {
        const held = await this.holdDeletion(call, table);
        if (held) return held;
      }
    }
    let slot: RestoreSlot | undefined;
    if (table && RESTORE_OPERATIONS.has(operation)) {
      const inProgress = this.restoresInProgress(call.region) + this.restoreSlots.filter((s) => s.region === call.region && s.until === undefined).length;
      if (this.maxRestoresInProgress !== undefined && inProgress >= this.maxRestoresInProgress) {
        this.limitCounters.limitExceeded += 1;
        // DynamoDB's code and message for too many concurrent control-plane operations (developer guide, "Error
        // handling": LimitExceededException, HTTP 400, "Too many operations for a given subscriber."); the
        // restore limit (API Reference, RestoreTableToPointInTime: "up to 50 concurrent restores (any type of
        // restore) in a given account") is counted per Region, as quotas are.
        const message = `Too many operations for a given subscriber: ${inProgress} table restores in progress in ${call.region} (at most ${this.maxRestoresInProgress}).`;
        return this.errorAnswer(call, target, 'LimitExceededException', message);
      }
      // Held until the answer, so that restores arriving together cannot all pass the check.
      slot = { region: call.region, table };
      this.restoreSlots.push(slot);
    }

    const release = () => {
      this.restoreSlots = this.restoreSlots.filter((s) => s !== slot);
    };
    const source = RESTORE_OPERATIONS.has(operation) ? restoreSource(body) : undefined;
    const upstreamBody = source?.tableName === undefined ? body : { ...withoutKey(body, 'SourceTableArn'), SourceTableName: source.tableName };
    const answer = await (source && source.region !== call.region
      ? this.restoreAcrossRegions(call, target, operation, upstreamBody, source.region)
      : this.forward(req, upstreamBody === body ? raw : Buffer.from(JSON.stringify(upstreamBody)))
    ).catch((err: unknown) => {
      release();
      throw err;
    });
    call.upstreamStatus = answer.status;
    // The answer is lost; what follows still runs, as moto's state (and this proxy's view of it) has changed.
    if (resetAfter) req.socket.destroy();
    const holdMs = fault?.delayMs ?? (random === 'SlowAnswer' ? (this.randomFaults?.slowMs ?? 0) : 0);
    if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
    if (answer.status >= 400) {
      release();
      const error = String(answer.headers['x-amzn-errortype'] ?? '') || this.errorType(answer.body);
      call.error = error.split(':')[0];
      return answer;
    }
    if (table && CREATING_OPERATIONS.has(operation)) {
      const creatingMs = operation === 'CreateTable' ? this.holdCreatingMs : this.drawRestoreMs();
      const until = this.now() + creatingMs;
      this.activeAt.set(table, until);
      if (slot) {
        slot.until = until;
        const peaks = this.limitCounters.peakRestoresInProgress;
        peaks.set(call.region, Math.max(peaks.get(call.region) ?? 0, this.restoresInProgress(call.region)));
      }
      this.tableIds.set(table, randomUUID());
      if (operation !== 'CreateTable') this.restored.set(table, this.restoreSummaryOf(body, answer, creatingMs));
      return this.rewrite(call, answer, 'TableDescription', table);
    }
    if (table && operation === 'UpdateTable' && this.holdUpdatingMs > 0) {
      // API Reference, UpdateTable: "UpdateTable is an asynchronous operation; while it's executing, the table
      // status changes from ACTIVE to UPDATING." moto applies the change at once and stays ACTIVE.
      this.updatingUntil.set(table, this.now() + this.holdUpdatingMs);
      return this.rewrite(call, answer, 'TableDescription', table);
    }
    if (table && operation === 'DescribeTable') return this.rewrite(call, answer, 'Table', table);
    if (operation === 'ListBackups') return this.pageBackups(answer, body.ExclusiveStartBackupArn);
    if (operation === 'DescribeContinuousBackups') {
      // API Reference, PointInTimeRecoveryDescription: "LatestRestorableDateTime is typically 5 minutes before the
      // current time." moto reports the moment recovery was enabled, for ever. Never before the earliest: a window
      // cannot end before it starts.
      return this.edit(answer, (json: { ContinuousBackupsDescription?: { PointInTimeRecoveryDescription?: Record<string, unknown> } }) => {
        const pitr = json.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
        if (pitr?.PointInTimeRecoveryStatus !== 'ENABLED') return;
        pitr.LatestRestorableDateTime = Math.max(Number(pitr.EarliestRestorableDateTime ?? 0), (this.now() - this.restorableLagMs) / 1000);
      });
    }
    if (operation === 'DescribeBackup') {
      return this.edit(answer, (json: { BackupDescription?: { BackupDetails?: { BackupArn?: string; BackupStatus?: string } } }) => {
        const details = json.BackupDescription?.BackupDetails;
        const status = details?.BackupArn && this.backupStatus.get(details.BackupArn);
        if (details && status) details.BackupStatus = status;
      });
    }
    if (table && operation === 'DeleteTable') this.forget(table);
    return answer;
  }

  /** Why DynamoDB would refuse this change of a table now (ResourceInUseException), if it would. */
  private busyRefusal(operation: string, table: string): string | undefined {
    // Only restored tables are held CREATING against changes: the tests' fixtures create a source table, back it up
    // and delete it at once, whatever holdCreatingMs an earlier suite left set.
    if (REFUSED_WHILE_CREATING.has(operation) && this.restored.has(table) && this.creating(table)) {
      return `Attempt to change a resource which is still in use: Table is being created: ${table}`;
    }
    if (REFUSED_WHILE_UPDATING.has(operation) && this.updating(table)) {
      return `Attempt to change a resource which is still in use: Table is being updated: ${table}`;
    }
    return undefined;
  }

  /**
   * A DeleteTable answered as DynamoDB does, with the table DELETING (API Reference, DeleteTable: "After a
   * DeleteTable request, the specified table is in the DELETING state until DynamoDB completes the deletion. ... If
   * table is already in the DELETING state, no error is returned."); moto deletes it when holdDeletingMs is up.
   * undefined when moto must answer (no such table, or deletion protection on): its refusal is DynamoDB's.
   */
  private async holdDeletion(call: RecordedCall, table: string): Promise<Answer | undefined> {
    const described = await this.moto('DescribeTable', { TableName: table }, call.region, call.accessKeyId);
    if (described.status >= 400) return undefined;
    const { Table: description } = JSON.parse(described.body.toString()) as { Table?: Record<string, unknown> };
    if (!description || description.DeletionProtectionEnabled === true) return undefined;
    if (!this.deletions.has(table)) this.deletions.set(table, { until: this.now() + this.holdDeletingMs, region: call.region, accessKeyId: call.accessKeyId });
    call.upstreamStatus = described.status;
    return this.rewrite(call, described, 'Table', table, 'TableDescription');
  }

  /** Carries out, in moto, the deletions whose DELETING time is up. */
  private async finishDeletions(): Promise<void> {
    const now = this.now();
    for (const [table, deletion] of this.deletions) {
      if (deletion.until > now) continue;
      this.deletions.delete(table);
      this.forget(table);
      await this.moto('DeleteTable', { TableName: table }, deletion.region, deletion.accessKeyId);
    }
  }

  /** Forgets what the proxy held about a table that is gone. */
  private forget(table: string): void {
    this.tableIds.delete(table);
    this.activeAt.delete(table);
    this.updatingUntil.delete(table);
    this.restored.delete(table);
  }

  /**
   * A restore whose source is in another Region, as DynamoDB makes it: the new table lives in the Region the call
   * was signed for (Developer Guide, "Restoring a DynamoDB table from a backup": "you can restore the table to a
   * different AWS Region"; API Reference, RestoreTableFromBackup: TableAlreadyExistsException "A target table with
   * the specified name already exists"). moto keeps backups and tables per Region and cannot restore across them, so
   * the proxy restores under a staging name in the source's Region, copies that table's schema and items into the
   * target Region and deletes the staging table: later calls find the table only in the target Region, and a call
   * signed for another Region answers ResourceNotFoundException, as on AWS.
   */
  private async restoreAcrossRegions(call: RecordedCall, target: string, operation: string, body: Record<string, unknown>, sourceRegion: string): Promise<Answer> {
    const name = String(body.TargetTableName);
    const { region, accessKeyId } = call;
    const existing = await this.moto('DescribeTable', { TableName: name }, region, accessKeyId);
    if (existing.status < 400) return this.errorAnswer(call, target, 'TableAlreadyExistsException', `Table already exists: ${name}`);
    const staging = `${name}.staging-${randomUUID()}`.slice(0, 255);
    const restored = await this.moto(operation, { ...body, TargetTableName: staging }, sourceRegion, accessKeyId);
    if (restored.status >= 400) return restored;
    const { TableDescription: description = {} } = JSON.parse(restored.body.toString()) as { TableDescription?: TableShape };
    const items: unknown[] = [];
    for (let start: unknown; ; ) {
      const page = await this.moto('Scan', { TableName: staging, ...(start !== undefined && { ExclusiveStartKey: start }) }, sourceRegion, accessKeyId);
      const json = JSON.parse(page.body.toString()) as { Items?: unknown[]; LastEvaluatedKey?: unknown };
      items.push(...(json.Items ?? []));
      start = json.LastEvaluatedKey;
      if (start === undefined) break;
    }
    await this.moto('DeleteTable', { TableName: staging }, sourceRegion, accessKeyId);
    const created = await this.moto('CreateTable', createTableRequest(name, description), region, accessKeyId);
    if (created.status >= 400) return created;
    for (let i = 0; i < items.length; i += 25) {
      const puts = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      await this.moto('BatchWriteItem', { RequestItems: { [name]: puts } }, region, accessKeyId);
    }
    return this.edit(created, (json: { TableDescription?: Record<string, unknown> }) => {
      if (json.TableDescription) json.TableDescription.RestoreSummary = description.RestoreSummary;
    });
  }

  /** What the proxy keeps of a restore to report its RestoreSummary as DynamoDB does. */
  private restoreSummaryOf(body: Record<string, unknown>, answer: Answer, creatingMs: number): RestoredTable {
    const summary = (JSON.parse(answer.body.toString()) as { TableDescription?: { RestoreSummary?: { SourceTableArn?: string } } }).TableDescription?.RestoreSummary;
    const backupArn = typeof body.BackupArn === 'string' ? body.BackupArn : undefined;
    // API Reference, RestoreSummary: RestoreDateTime is the "Point in time or source backup time"; moto puts the
    // restore's own time. A backup's ARN carries its time in milliseconds; a point-in-time restore names its moment,
    // or asks for the latest restorable time (restorableLagMs before now).
    const restoreDateTime = backupArn ? backupTime(backupArn) : typeof body.RestoreDateTime === 'number' ? body.RestoreDateTime : (this.now() - this.restorableLagMs) / 1000;
    return {
      sourceBackupArn: backupArn,
      // API Reference, RestoreTableToPointInTime: SourceTableArn, "The DynamoDB table that will be restored."
      sourceTableArn: typeof body.SourceTableArn === 'string' ? body.SourceTableArn : summary?.SourceTableArn,
      restoreDateTime,
      creatingMs,
    };
  }

  /**
   * The first trust condition of the role an AssumeRole request does not meet, if any. As IAM evaluates a
   * StringEquals condition: sts:ExternalId is the request's ExternalId (IAM User Guide, "Access to AWS accounts owned
   * by third parties"), aws:RequestTag/<key> the value of the session tag passed with that key (IAM User Guide,
   * "Passing session tags in AWS STS"), and a key absent from the request matches nothing ("IAM JSON policy elements:
   * Condition operators").
   */
  private untrustedCondition(body: Record<string, unknown>): string | undefined {
    const conditions = this.trustConditions.get(String(body.RoleArn));
    if (!conditions) return undefined;
    const tags = sessionTagsOf(body);
    for (const [key, expected] of Object.entries(conditions)) {
      const actual = key === 'sts:ExternalId' ? body.ExternalId : key.startsWith('aws:RequestTag/') ? tags[key.slice('aws:RequestTag/'.length)] : undefined;
      if (actual !== expected) return `${key} is ${actual === undefined ? 'absent' : JSON.stringify(actual)}, the trust policy requires ${JSON.stringify(expected)}`;
    }
    return undefined;
  }

  /** An AWS error answered in the caller's protocol (JSON for DynamoDB, XML for query-protocol services such as STS), and recorded. */
  private errorAnswer(call: RecordedCall, target: string, code: string, message: string, status?: number): Answer {
    call.error = code;
    if (AWS_BACKUP_OPERATIONS.has(call.operation)) return awsBackupError(code, message, status);
    const httpStatus = status ?? (code === 'InternalServerError' ? 500 : 400);
    if (!target) {
      const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`;
      return { status: httpStatus, headers: { 'content-type': 'text/xml' }, body: Buffer.from(xml) };
    }
    const payload = { __type: `com.amazonaws.dynamodb.v20120810#${code}`, message };
    return {
      status: httpStatus,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': code },
      body: Buffer.from(JSON.stringify(payload)),
    };
  }

  /** The random fault this call meets, if any, recorded on it. */
  private drawRandomFault(call: RecordedCall): RandomFaultKind | undefined {
    const faults = this.randomFaults;
    if (!faults || faults.kinds.length === 0 || (faults.accessKeyIds && !faults.accessKeyIds.includes(call.accessKeyId))) return undefined;
    if (this.random() >= faults.rate) return undefined;
    call.injected = faults.kinds[Math.floor(this.random() * faults.kinds.length)];
    return call.injected;
  }

  /** Takes a token from the Region's bucket for a control-plane call; false when it is empty. */
  private takeControlPlaneToken(operation: string, region: string): boolean {
    const rate = this.controlPlaneRate;
    if (!rate || DATA_PLANE_OPERATIONS.has(operation)) return true;
    const now = this.now();
    let bucket = this.buckets.get(region);
    if (bucket?.rate !== rate) {
      bucket = { rate, tokens: rate.burst, at: now };
      this.buckets.set(region, bucket);
    }
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private drawRestoreMs(): number {
    const duration = this.restoreDuration;
    if (duration === undefined) return this.holdCreatingMs;
    if (typeof duration === 'function') return duration();
    return duration.minMs + this.random() * (duration.maxMs - duration.minMs);
  }

  private creating(table: string): boolean {
    return this.now() < (this.activeAt.get(table) ?? 0);
  }

  private updating(table: string): boolean {
    return this.now() < (this.updatingUntil.get(table) ?? 0);
  }

  /** The status DynamoDB would report for a table moto reports ACTIVE. */
  private statusOf(table: string): string | undefined {
    if (this.deletions.has(table)) return 'DELETING';
    if (this.creating(table)) return 'CREATING';
    if (this.updating(table)) return 'UPDATING';
    return undefined;
  }

  private errorType(body: Buffer): string {
    try {
      const type = String((JSON.parse(body.toString()) as { __type?: string }).__type ?? '');
      return type.slice(type.lastIndexOf('#') + 1);
    } catch {
      return 'UnknownError';
    }
  }

  /**
   * The chosen backups' statuses (API Reference, BackupDetails: BackupStatus "CREATING | DELETED | AVAILABLE"; moto's
   * are all AVAILABLE at once), and pages of listBackupsPageSize after ExclusiveStartBackupArn (ListBackups:
   * "LastEvaluatedBackupArn ... If LastEvaluatedBackupArn is empty, then the last page of results has been
   * processed"; moto answers every backup in one page).
   */
  private pageBackups(answer: Answer, startArn: unknown): Answer {
    type Summary = { BackupArn?: string; BackupStatus?: string };
    return this.edit(answer, (json: { BackupSummaries?: Summary[]; LastEvaluatedBackupArn?: string }) => {
      const all = json.BackupSummaries ?? [];
      for (const b of all) if (b.BackupArn && this.backupStatus.has(b.BackupArn)) b.BackupStatus = this.backupStatus.get(b.BackupArn);
      if (this.listBackupsPageSize <= 0) return;
      const from = typeof startArn === 'string' ? all.findIndex((b) => b.BackupArn === startArn) + 1 : 0;
      json.BackupSummaries = all.slice(from, from + this.listBackupsPageSize);
      const more = from + this.listBackupsPageSize < all.length;
      if (more) json.LastEvaluatedBackupArn = json.BackupSummaries.at(-1)?.BackupArn;
      else delete json.LastEvaluatedBackupArn;
    });
  }

  /** An answer with its JSON body changed in place by change. */
  private edit<T>(answer: Answer, change: (json: T) => void): Answer {
    const json = JSON.parse(answer.body.toString()) as T;
    change(json);
    const body = Buffer.from(JSON.stringify(json));
    // The SDK checks DynamoDB's body checksum: a rewritten body needs its own.
    return { ...answer, headers: { ...answer.headers, 'content-length': String(body.length), 'x-amz-crc32': String(crc32(body)) }, body };
  }

  /**
   * A table description as DynamoDB gives it: CREATING, UPDATING or DELETING while the proxy holds the table so (API
   * Reference, TableDescription: TableStatus "CREATING - The table is being created. UPDATING - The table/index
   * configuration is being updated. ... DELETING - The table is being deleted."), its TableId ("Unique identifier
   * for the table", which moto lacks; a new one for each table made under a name), and a restored table's
   * RestoreSummary (SourceBackupArn, SourceTableArn, RestoreDateTime, RestoreInProgress "Indicates if a restore is in
   * progress or not"). Read from `field` of the answer, written to `as`.
   */
  private rewrite(call: RecordedCall, answer: Answer, field: 'Table' | 'TableDescription', table: string, as: 'Table' | 'TableDescription' = field): Answer {
    return this.edit(answer, (json: Record<string, Record<string, unknown> | undefined>) => {
      const description = json[field];
      if (!description) return;
      delete json[field];
      json[as] = description;
      description.TableStatus = this.statusOf(table) ?? description.TableStatus;
      call.tableStatus = String(description.TableStatus);
      const id = this.tableIds.get(table);
      if (id) description.TableId = id;
      const restored = this.restored.get(table);
      if (!restored) return;
      description.RestoreSummary = {
        ...(restored.sourceBackupArn && { SourceBackupArn: restored.sourceBackupArn }),
        ...(restored.sourceTableArn && { SourceTableArn: restored.sourceTableArn }),
        RestoreDateTime: restored.restoreDateTime,
        RestoreInProgress: this.creating(table),
      };
    });
  }

  /** A DynamoDB call of the proxy's own to moto, in a Region and account (moto takes both from the credential scope). */
  private moto(operation: string, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer> {
    const headers = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${TARGET_PREFIX}${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    };
    return this.send('POST', '/', headers, Buffer.from(JSON.stringify(body)));
  }

  /**
   * A DynamoDB call through this proxy's own front, as the caller's account and Region: what AWS Backup's restore job
   * does on the caller's behalf, with every behaviour above (CREATING hold, TableId, RestoreSummary) and recorded.
   */
  private ownFront(operation: string, body: Record<string, unknown>, region: string, accessKeyId: string): Promise<Answer> {
    const headers = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${TARGET_PREFIX}${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    };
    return this.send('POST', '/', headers, Buffer.from(JSON.stringify(body)), this.endpoint);
  }

  /** The caller's request, passed to moto as it is (body: the one to send, when the proxy rewrote it). */
  private forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    return this.send(req.method ?? 'POST', req.url ?? '/', { ...req.headers }, body);
  }

  private send(method: string, url: string, headers: OutgoingHttpHeaders, body: Buffer, host = this.upstream): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        `${host}${url}`,
        { method, headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          readBody(res).then((data) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') headers[k] = Array.isArray(v) ? v.join(', ') : v;
            }
            headers['content-length'] = String(data.length);
            resolve({ status: res.statusCode ?? 502, headers, body: data });
          }, reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
/** The session tags of an AssumeRole request, from its query parameters Tags.member.N.Key and .Value. */
export function sessionTagsOf(body: Record<string, unknown>): Record<string, string> {
  const tags: Array<[string, string]> = [];
  for (let n = 1; ; n++) {
    const key = body[`Tags.member.${n}.Key`];
    const value = body[`Tags.member.${n}.Value`];
    if (typeof key !== 'string') break;
    tags.push([key, typeof value === 'string' ? value : '']);
  }
  return Object.fromEntries(tags);
}

/** A restore counted against maxRestoresInProgress: CREATING until `until`, or not yet answered (until undefined). */
type RestoreSlot = { region: string; table: string; until?: number };
/** What the proxy keeps of a restored table for its RestoreSummary, and how long it was held CREATING. */
type RestoredTable = { sourceBackupArn?: string; sourceTableArn?: string; restoreDateTime?: number; creatingMs: number };

/** The parts of a TableDescription a CreateTable request repeats. */
interface TableShape {
  KeySchema?: unknown;
  AttributeDefinitions?: unknown;
  BillingModeSummary?: { BillingMode?: string };
  ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: unknown; Projection?: unknown; ProvisionedThroughput?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } }>;
  LocalSecondaryIndexes?: Array<{ IndexName?: string; KeySchema?: unknown; Projection?: unknown }>;
  RestoreSummary?: unknown;
}

/** A CreateTable request for a table shaped as described (keys, attributes, capacity, indexes). */
function createTableRequest(name: string, d: TableShape): Record<string, unknown> {
  const provisioned = d.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST';
  const capacity = (t: TableShape['ProvisionedThroughput']) => ({ ReadCapacityUnits: t?.ReadCapacityUnits || 1, WriteCapacityUnits: t?.WriteCapacityUnits || 1 });
  const gsis = (d.GlobalSecondaryIndexes ?? []).map((i) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: i.Projection,
    ...(provisioned && { ProvisionedThroughput: capacity(i.ProvisionedThroughput) }),
  }));
  const lsis = (d.LocalSecondaryIndexes ?? []).map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection }));
  return {
    TableName: name,
    KeySchema: d.KeySchema,
    AttributeDefinitions: d.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...(provisioned && { ProvisionedThroughput: capacity(d.ProvisionedThroughput) }),
    ...(gsis.length > 0 && { GlobalSecondaryIndexes: gsis }),
    ...(lsis.length > 0 && { LocalSecondaryIndexes: lsis }),
  };
}

/** Where a restore's source lives: a backup's Region (from its ARN), or SourceTableArn's Region and table name. */
function restoreSource(body: Record<string, unknown>): { region: string; tableName?: string } | undefined {
  if (typeof body.BackupArn === 'string') {
    const region = body.BackupArn.split(':')[3];
    return region ? { region } : undefined;
  }
  if (typeof body.SourceTableArn !== 'string') return undefined;
  const arn = /^arn:[^:]+:dynamodb:([^:]+):[^:]*:table\/([^/]+)$/.exec(body.SourceTableArn);
  return arn?.[1] && arn[2] ? { region: arn[1], tableName: arn[2] } : undefined;
}

function withoutKey(body: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));
}
