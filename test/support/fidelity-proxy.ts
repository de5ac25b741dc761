// A small HTTP proxy in front of moto that makes the emulator behave more like DynamoDB where the tests need it,
// and lets them see exactly what the operator sent:
// - records every request (operation and JSON body) and the answer's error code;
// - holds restored or created tables in CREATING for a chosen time (moto makes them ACTIVE at once);
// - fills RestoreSummary on restored tables where moto leaves it out (adoption after a crash depends on it);
// - injects AWS errors on chosen operations, or holds a real answer back (to kill a client mid-call);
// - moves a point-in-time restorable window along with the clock (moto freezes it);
// - serves a cross-Region restore: moto keeps backups per Region and cannot restore one into another Region, so
//   the proxy runs such a restore, and every later call about that table, in the backup's Region.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
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

const TARGET_PREFIX = 'DynamoDB_20120810.';
const CREATING_OPERATIONS = new Set(['RestoreTableFromBackup', 'RestoreTableToPointInTime', 'CreateTable']);

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
  /** How long a new table stays CREATING. */
  holdCreatingMs = 0;
  /** ListBackups pages of at most this many summaries (moto answers all in one page); 0: as moto answers. */
  listBackupsPageSize = 0;
  /** Backups to report in another status than moto's (which makes every backup AVAILABLE at once), by ARN. */
  readonly backupStatus = new Map<string, string>();
  private readonly activeAt = new Map<string, number>();
  private readonly restored = new Map<string, { sourceBackupArn?: string; sourceTableArn?: string; at: Date }>();
  /** Tables restored across Regions, by name: the Region moto keeps them in. */
  private readonly servedFrom = new Map<string, string>();
  private faults: Fault[] = [];
  private server: Server | undefined;
  endpoint = '';

  constructor(private readonly upstream: string) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
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

    const fault = this.takeFault(operation, table);
    if (fault?.code) {
      call.error = fault.code;
      const message = fault.message ?? `Injected ${fault.code}`;
      const status = fault.status ?? (fault.code === 'InternalServerError' ? 500 : 400);
      // Each protocol's own error shape: JSON for DynamoDB, XML for query-protocol services (STS).
      if (!target) {
        const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`;
        return { status, headers: { 'content-type': 'text/xml' }, body: Buffer.from(xml) };
      }
      const payload = { __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`, message };
      return {
        status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': fault.code },
        body: Buffer.from(JSON.stringify(payload)),
      };
    }

    const answer = await this.forward(req, raw, this.regionFor(operation, body, table));
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (answer.status >= 400) {
      const error = String(answer.headers['x-amzn-errortype'] ?? '') || this.errorType(answer.body);
      call.error = error.split(':')[0];
      return answer;
    }
    if (table && CREATING_OPERATIONS.has(operation)) {
      this.activeAt.set(table, Date.now() + this.holdCreatingMs);
      if (operation !== 'CreateTable') {
        this.restored.set(table, {
          sourceBackupArn: typeof body.BackupArn === 'string' ? body.BackupArn : undefined,
          sourceTableArn: typeof body.SourceTableArn === 'string' ? body.SourceTableArn : undefined,
          at: new Date(),
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
      this.activeAt.delete(table);
      this.restored.delete(table);
      this.servedFrom.delete(table);
    }
    return answer;
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

  /** CREATING while the hold lasts, and a RestoreSummary as DynamoDB gives it (moto's lacks or misdates it). */
  private rewrite(answer: Answer, field: 'Table' | 'TableDescription', table: string): Answer {
    return this.edit(answer, (json: Record<string, Record<string, unknown> | undefined>) => {
      const description = json[field];
      if (!description) return;
      const creating = Date.now() < (this.activeAt.get(table) ?? 0);
      if (creating) description.TableStatus = 'CREATING';
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

type Answer = { status: number; headers: Record<string, string>; body: Buffer };
