// A small HTTP proxy in front of moto that makes the emulator behave more like DynamoDB where the tests need it,
// and lets them see exactly what the operator sent:
// - records every request (operation and JSON body) and the answer's error code;
// - holds restored or created tables in CREATING for a chosen time (moto makes them ACTIVE at once);
// - fills RestoreSummary on restored tables where moto leaves it out (adoption after a crash depends on it);
// - gives every table it sees made a TableId, as DynamoDB does and moto does not (API Reference, TableDescription:
//   "TableId: Unique identifier for the table"), a new one for each table made under a name, so a table deleted and
//   made again is another table;
// - injects AWS errors on chosen operations, or holds a real answer back (to kill a client mid-call);
// - moves a point-in-time restorable window along with the clock (moto freezes it);
// - serves a cross-Region restore: moto keeps backups per Region and cannot restore one into another Region, so
//   the proxy runs such a restore, and every later call about that table, in the backup's Region;
// - answers DeleteTable, UpdateTable, UpdateTimeToLive and UpdateContinuousBackups on a restored table it holds
//   CREATING with ResourceInUseException, as DynamoDB does (moto's tables are ACTIVE at once, so it never refuses);
// - AWS's limits, each off unless set: at most maxRestoresInProgress restores CREATING per Region (then
//   LimitExceededException), a token bucket over control-plane calls per Region (controlPlaneRate; then
//   ThrottlingException), and a restored table's time in CREATING drawn from restoreDuration (with an injectable
//   random, seededRandom() for repeatable draws); limitCounters counts what the limits refused and the peak number
//   of restores in progress per Region;
// - random faults, off unless set (randomFaults): a fraction of calls answered InternalServerError or
//   ThrottlingException, cut off (the socket destroyed, before or after moto acted) or answered late;
// - STS AssumeRole against the trust conditions a test registers for a role (moto assumes any role for anyone):
//   sts:ExternalId and aws:RequestTag/<key> must equal the request's, else STS's AccessDenied.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';

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
}

export interface Fault {
  operation: string;
  /** The AWS error code to answer with; omitted: forward the call and hold the real answer back for delayMs. */
  code?: string;
  delayMs?: number;
  message?: string;
  status?: number;
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
/** What DynamoDB refuses on a table still CREATING (ResourceInUseException). */
const REFUSED_WHILE_CREATING = new Set(['DeleteTable', 'UpdateTable', 'UpdateTimeToLive', 'UpdateContinuousBackups']);
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
  /** The uniform [0, 1) source restoreDuration's {minMs, maxMs} and randomFaults draw from; seededRandom(n) to repeat a run. */
  random: () => number = Math.random;
  /** Random faults on a fraction of calls; unset: none. */
  randomFaults: RandomFaults | undefined;
  readonly limitCounters: LimitCounters = { throttled: 0, limitExceeded: 0, peakRestoresInProgress: new Map() };
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
  /** The TableId of each table made through the proxy, by name, until it is deleted. */
  private readonly tableIds = new Map<string, string>();
  private readonly restored = new Map<string, { sourceBackupArn?: string; sourceTableArn?: string; at: Date; creatingMs: number }>();
  /** Restores CREATING, or accepted and not yet answered, in the Region they were signed for. */
  private restoreSlots: RestoreSlot[] = [];
  /** The control plane's token buckets by Region, for the controlPlaneRate they were filled for. */
  private readonly buckets = new Map<string, { rate: Rate; tokens: number; at: number }>();
  /** Tables restored across Regions, by name: the Region moto keeps them in. */
  private readonly servedFrom = new Map<string, string>();
  private faults: Fault[] = [];
  private server: Server | undefined;
  endpoint = '';

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
    const now = Date.now();
    this.restoreSlots = this.restoreSlots.filter((s) => s.until === undefined || s.until > now);
    return this.restoreSlots.filter((s) => s.region === region && s.until !== undefined).length;
  }

  /** How long a restored table was (or is) held CREATING, as drawn when it was restored. */
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
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : (new URLSearchParams(raw.toString()).get('Action') ?? 'unknown');
    // JSON for DynamoDB; form parameters for query-protocol services (STS).
    const body = target ? (JSON.parse(raw.toString() || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw.toString()));
    const table = tableOf(body);
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)/.exec(String(req.headers.authorization ?? ''));
    const call: RecordedCall = { at: new Date(), operation, region: credential?.[2] ?? '', accessKeyId: credential?.[1] ?? '', body };
    this.calls.push(call);

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
    const resetAfter = random === 'ConnectionReset' && this.random() < 0.5;
    if (random === 'InternalServerError') return this.errorAnswer(call, target, random, 'Injected InternalServerError (random fault)');
    if (random === 'ThrottlingException') return this.errorAnswer(call, target, random, 'Rate of requests exceeds the allowed throughput.');
    if (random === 'ConnectionReset' && !resetAfter) {
      call.error = random;
      req.socket.destroy();
      return { status: 0, headers: {}, body: Buffer.alloc(0) };
    }
    // Only restored tables: the tests' fixtures create a source table, back it up and delete it at once, whatever
    // holdCreatingMs an earlier suite left set, and the operator only ever changes tables it restored.
    if (table && REFUSED_WHILE_CREATING.has(operation) && this.restored.has(table) && this.creating(table)) {
      return this.errorAnswer(call, target, 'ResourceInUseException', `Attempt to change a resource which is still in use: Table is being created: ${table}`);
    }
    let slot: RestoreSlot | undefined;
    if (table && RESTORE_OPERATIONS.has(operation)) {
      const inProgress = this.restoresInProgress(call.region) + this.restoreSlots.filter((s) => s.region === call.region && s.until === undefined).length;
      if (this.maxRestoresInProgress !== undefined && inProgress >= this.maxRestoresInProgress) {
        this.limitCounters.limitExceeded += 1;
        // DynamoDB's code and message for too many concurrent control-plane operations (developer guide, "Error
        // handling": LimitExceededException, HTTP 400, "Too many operations for a given subscriber."); the
        // restore limit is 50 in progress per account and Region.
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
    const answer = await this.forward(req, raw, this.regionFor(operation, body, table)).catch((err: unknown) => {
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
      const until = Date.now() + creatingMs;
      this.activeAt.set(table, until);
      if (slot) {
        slot.until = until;
        const peaks = this.limitCounters.peakRestoresInProgress;
        peaks.set(call.region, Math.max(peaks.get(call.region) ?? 0, this.restoresInProgress(call.region)));
      }
      this.tableIds.set(table, randomUUID());
      if (operation !== 'CreateTable') {
        this.restored.set(table, {
          sourceBackupArn: typeof body.BackupArn === 'string' ? body.BackupArn : undefined,
          sourceTableArn: typeof body.SourceTableArn === 'string' ? body.SourceTableArn : undefined,
          at: new Date(),
          creatingMs,
        });
      }
      return this.rewrite(answer, 'TableDescription', table);
    }
    if (table && operation === 'DescribeTable') return this.rewrite(answer, 'Table', table);
    if (operation === 'ListBackups') return this.pageBackups(answer, body.ExclusiveStartBackupArn);
    if (operation === 'DescribeContinuousBackups') {
      // moto freezes the restorable window when recovery is enabled; DynamoDB's latest restorable time moves on.
      return this.edit(answer, (json: { ContinuousBackupsDescription?: { PointInTimeRecoveryDescription?: Record<string, unknown> } }) => {
        const pitr = json.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
        if (pitr?.PointInTimeRecoveryStatus === 'ENABLED') pitr.LatestRestorableDateTime = Date.now() / 1000;
      });
    }
    if (operation === 'DescribeBackup') {
      return this.edit(answer, (json: { BackupDescription?: { BackupDetails?: { BackupArn?: string; BackupStatus?: string } } }) => {
        const details = json.BackupDescription?.BackupDetails;
        const status = details?.BackupArn && this.backupStatus.get(details.BackupArn);
        if (details && status) details.BackupStatus = status;
      });
    }
    if (table && operation === 'DeleteTable') {
      this.tableIds.delete(table);
      this.activeAt.delete(table);
      this.restored.delete(table);
      this.servedFrom.delete(table);
    }
    return answer;
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
    const now = Date.now();
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
    return Date.now() < (this.activeAt.get(table) ?? 0);
  }

  /** The Region to run the call in, when it is not the caller's: the backup's, for a cross-Region restore. */
  private regionFor(operation: string, body: Record<string, unknown>, table: string | undefined): string | undefined {
    const arnTable = typeof body.ResourceArn === 'string' ? /:table\/([^/]+)/.exec(body.ResourceArn)?.[1] : undefined;
    const name = table ?? arnTable;
    if (operation === 'RestoreTableFromBackup' && name && typeof body.BackupArn === 'string') {
      this.servedFrom.set(name, body.BackupArn.split(':')[3] ?? '');
    }
    return name ? this.servedFrom.get(name) : undefined;
  }

  private errorType(body: Buffer): string {
    try {
      const type = String((JSON.parse(body.toString()) as { __type?: string }).__type ?? '');
      return type.slice(type.lastIndexOf('#') + 1);
    } catch {
      return 'UnknownError';
    }
  }

  /** The chosen backups' statuses, and pages of listBackupsPageSize after ExclusiveStartBackupArn. */
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

  /** CREATING while the hold lasts, the table's TableId, and a RestoreSummary as DynamoDB gives it (moto's lacks or misdates it). */
  private rewrite(answer: Answer, field: 'Table' | 'TableDescription', table: string): Answer {
    return this.edit(answer, (json: Record<string, Record<string, unknown> | undefined>) => {
      const description = json[field];
      if (!description) return;
      const creating = this.creating(table);
      if (creating) description.TableStatus = 'CREATING';
      const id = this.tableIds.get(table);
      if (id) description.TableId = id;
      const restored = this.restored.get(table);
      if (!restored) return;
      const summary = (description.RestoreSummary ?? {}) as Record<string, unknown>;
      description.RestoreSummary = {
        ...summary,
        ...(restored.sourceBackupArn && { SourceBackupArn: restored.sourceBackupArn }),
        ...(restored.sourceTableArn && !summary.SourceTableArn && { SourceTableArn: restored.sourceTableArn }),
        // As DynamoDB reports it: the source backup's time (its ARN carries it in milliseconds), where moto puts
        // the restore's own time.
        RestoreDateTime: backupTime(restored.sourceBackupArn) ?? summary.RestoreDateTime ?? restored.at.getTime() / 1000,
        RestoreInProgress: creating,
      };
    });
  }

  private forward(req: IncomingMessage, body: Buffer, region: string | undefined): Promise<Answer> {
    const headers = { ...req.headers };
    // moto takes the Region from the signature's credential scope (and checks no signature).
    if (region && typeof headers.authorization === 'string') {
      headers.authorization = headers.authorization.replace(/(Credential=[^/]+\/\d{8}\/)[^/]+/, `$1${region}`);
    }
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        `${this.upstream}${req.url ?? '/'}`,
        { method: req.method, headers },
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

type Answer = { status: number; headers: Record<string, string>; body: Buffer };
/** A restore counted against maxRestoresInProgress: CREATING until `until`, or not yet answered (until undefined). */
type RestoreSlot = { region: string; table: string; until?: number };
