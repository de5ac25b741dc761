// `kubectl ddbr` arguments → what to do. Syntax only (node's util.parseArgs, kubectl's flag conventions); what the
// restore flags mean is restore-manifest.ts's.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where the apiserver is, as kubectl's flags of the same names say; unset: KUBECONFIG, its context and namespace. */
export interface Connection {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export type DryRun = 'none' | 'client' | 'server';
export type OutputFormat = 'yaml' | 'json' | 'name';

/** The restore flags as given (strings); restore-manifest.ts turns them into a spec. */
export interface RestoreFlags {
  table?: string;
  backupArn?: string;
  backupName?: string;
  sourceTable?: string;
  latestBackupOf?: string;
  restoreTime?: string;
  latestRestorable?: boolean;
  region?: string;
  roleArn?: string;
  deletionPolicy?: string;
  billingModeOverride?: string;
  provisionedThroughputOverride?: string;
  onDemandThroughputOverride?: string;
  globalSecondaryIndexOverride?: string[];
  localSecondaryIndexOverride?: string[];
  sseSpecificationOverride?: string;
}

export interface Creating {
  dryRun: DryRun;
  output?: OutputFormat;
}

export type Invocation =
  | { command: 'help'; text: string }
  | ({ command: 'restore'; connection: Connection; name: string; flags: RestoreFlags } & Creating)
  | { command: 'wait'; connection: Connection; name: string; timeoutMs: number }
  | { command: 'describe'; connection: Connection; name: string }
  | ({ command: 'retry'; connection: Connection; name: string; newName?: string } & Creating);

const CONNECTION = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const CREATING = {
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies ParseArgsOptionsConfig;

const RESTORE = {
  ...CONNECTION,
  ...CREATING,
  table: { type: 'string' },
  'target-table-name': { type: 'string' },
  'backup-arn': { type: 'string' },
  'backup-name': { type: 'string' },
  'source-table': { type: 'string' },
  'latest-backup-of': { type: 'string' },
  'restore-time': { type: 'string' },
  'latest-restorable': { type: 'boolean' },
  region: { type: 'string' },
  'role-arn': { type: 'string' },
  'deletion-policy': { type: 'string' },
  'billing-mode-override': { type: 'string' },
  'provisioned-throughput-override': { type: 'string' },
  'on-demand-throughput-override': { type: 'string' },
  'global-secondary-index-override': { type: 'string', multiple: true },
  'local-secondary-index-override': { type: 'string', multiple: true },
  'sse-specification-override': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

const WAIT = { ...CONNECTION, timeout: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;
const RETRY = { ...CONNECTION, ...CREATING, name: { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

/** kubectl wait's default would end a restore's wait after 30 s; restores take minutes to hours. */
export const DEFAULT_WAIT_TIMEOUT = '1h';

export const USAGE = `kubectl ddbr: DynamoDB restores (DynamoDBRestore resources) from the command line.

Usage:
  kubectl ddbr restore NAME --table TABLE SOURCE [OVERRIDES] [--dry-run=client|server] [-o yaml|json|name]
  kubectl ddbr wait NAME [--timeout ${DEFAULT_WAIT_TIMEOUT}]
  kubectl ddbr describe NAME
  kubectl ddbr retry NAME [--name NEW_NAME] [--dry-run=client|server] [-o yaml|json|name]

Sources (exactly one):
  --backup-arn ARN                                  a backup, as aws dynamodb list-backups prints it
  --backup-name NAME --source-table TABLE           the newest AVAILABLE backup of TABLE with that name
  --latest-backup-of TABLE                          the newest AVAILABLE backup of TABLE
  --source-table TABLE|ARN --restore-time RFC3339   point in time
  --source-table TABLE|ARN --latest-restorable      the latest restorable moment

Overrides (as aws dynamodb restore-table-from-backup takes them: shorthand or JSON, PascalCase or camelCase keys):
  --billing-mode-override PAY_PER_REQUEST|PROVISIONED
  --provisioned-throughput-override ReadCapacityUnits=100,WriteCapacityUnits=100
  --on-demand-throughput-override MaxReadRequestUnits=1000,MaxWriteRequestUnits=1000
  --global-secondary-index-override '[]' | JSON | shorthand (repeat the flag for more indexes)
  --local-secondary-index-override  '[]' | JSON | shorthand (repeat the flag for more indexes)
  --sse-specification-override Enabled=true,SSEType=KMS[,KMSMasterKeyId=KEY]

Also: --region REGION, --role-arn ARN (spec.credentials), --deletion-policy Retain|Delete;
--target-table-name is the same as --table.

wait exits 0 once the restore is Completed, 1 as soon as it has Failed (printing why), 124 at the timeout.
retry creates NAME-retry-<n> (or --name) with the failed restore's spec.

Every command: -n/--namespace, --kubeconfig, --context, as kubectl's.`;

export function parseCommandLine(argv: readonly string[]): Invocation {
  const [command, ...rest] = commandFirst(argv);
  switch (command) {
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      return { command: 'help', text: USAGE };
    case 'restore': {
      const { values, name } = parse(rest, RESTORE, command);
      if (values.help) return { command: 'help', text: USAGE };
      if (values.table !== undefined && values['target-table-name'] !== undefined) {
        throw new UsageError('give the table once: --table or --target-table-name');
      }
      const flags: RestoreFlags = {
        table: values.table ?? values['target-table-name'],
        backupArn: values['backup-arn'],
        backupName: values['backup-name'],
        sourceTable: values['source-table'],
        latestBackupOf: values['latest-backup-of'],
        restoreTime: values['restore-time'],
        latestRestorable: values['latest-restorable'],
        region: values.region,
        roleArn: values['role-arn'],
        deletionPolicy: values['deletion-policy'],
        billingModeOverride: values['billing-mode-override'],
        provisionedThroughputOverride: values['provisioned-throughput-override'],
        onDemandThroughputOverride: values['on-demand-throughput-override'],
        globalSecondaryIndexOverride: values['global-secondary-index-override'],
        localSecondaryIndexOverride: values['local-secondary-index-override'],
        sseSpecificationOverride: values['sse-specification-override'],
      };
      return { command, connection: connection(values), name, flags: withoutUndefined(flags), ...creating(values) };
    }
    case 'wait': {
      const { values, name } = parse(rest, WAIT, command);
      if (values.help) return { command: 'help', text: USAGE };
      return { command, connection: connection(values), name, timeoutMs: parseDuration(values.timeout ?? DEFAULT_WAIT_TIMEOUT) };
    }
    case 'describe': {
      const { values, name } = parse(rest, CONNECTION, command);
      if (values.help) return { command: 'help', text: USAGE };
      return { command, connection: connection(values), name };
    }
    case 'retry': {
      const { values, name } = parse(rest, RETRY, command);
      if (values.help) return { command: 'help', text: USAGE };
      return { command, connection: connection(values), name, ...(values.name !== undefined && { newName: values.name }), ...creating(values) };
    }
    default:
      throw new UsageError(`unknown command "${command}"; the commands are restore, wait, describe and retry (kubectl ddbr --help)`);
  }
}

/** Flags before the command go after it (`kubectl ddbr -n team-a wait music`), as kubectl takes its own anywhere. */
function commandFirst(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]?.startsWith('-') && argv[i] !== '-h' && argv[i] !== '--help') {
    const flag = argv[i] ?? '';
    const takesValue = !flag.includes('=') && ['-n', '--namespace', '--kubeconfig', '--context'].includes(flag);
    leading.push(...argv.slice(i, takesValue ? i + 2 : i + 1));
    i += takesValue ? 2 : 1;
  }
  return i < argv.length ? [argv[i] ?? '', ...argv.slice(i + 1), ...leading] : leading;
}

function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T, command: string) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 && !(values as { help?: boolean }).help) {
    throw new UsageError(`${command} takes one NAME (the DynamoDBRestore's), got ${positionals.length ? positionals.join(' ') : 'none'}`);
  }
  return { values, name: positionals[0] ?? '' };
}

function connection(values: { namespace?: string; kubeconfig?: string; context?: string }): Connection {
  return withoutUndefined({ namespace: values.namespace, kubeconfig: values.kubeconfig, context: values.context });
}

function creating(values: { 'dry-run'?: string; output?: string }): Creating {
  const dryRun = values['dry-run'] ?? 'none';
  if (dryRun !== 'none' && dryRun !== 'client' && dryRun !== 'server') {
    throw new UsageError(`--dry-run must be none, client or server, not "${dryRun}"`);
  }
  const output = values.output;
  if (output !== undefined && output !== 'yaml' && output !== 'json' && output !== 'name') {
    throw new UsageError(`-o/--output must be yaml, json or name, not "${output}"`);
  }
  return { dryRun, ...(output && { output }) };
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration as kubectl writes them: 90s, 10m, 1h30m (a bare number is seconds). */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`--timeout must be a duration such as 90s, 10m or 1h30m, not "${text}"`);
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (UNITS_MS[unit ?? ''] ?? 0), 0);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
