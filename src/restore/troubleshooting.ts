// Renders docs/troubleshooting.md from the error map: for every reason a restore's Ready condition can carry, whether
// the operator retries, which codes lead there, and the sentence the status shows. Generated (`make generate`), so
// the page says what the operator does, not what someone remembered it does.
import { AwsError } from '../aws/dynamodb-port.ts';
import { CLASSIFIED_CODES, classifyError, classifyFinding, FINDING_CODES, OPERATION_CODES, type FindingCode, type Retry } from './restore-errors.ts';
import { Reason } from './restore-vocabulary.ts';

const EXAMPLE = { tableName: 'team-a.orders', backupArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders/backup/01796409674486-e9317b0b' };

/** What to do about the failures the plan finds itself (no AWS call failed), whose sentences name what it looked at. */
const FINDING_HELP: Record<Exclude<FindingCode, 'BackupNotFoundException' | 'PointInTimeRecoveryUnavailableException' | 'InvalidRestoreTimeException'>, string> = {
  PolicyRequired: 'No DynamoDBRestorePolicy governs the namespace (default-deny). A cluster administrator creates one (deploy/tenancy/team-a-policy.yaml); then create a new DynamoDBRestore.',
  PolicyDenied: 'A DynamoDBRestorePolicy governing the namespace forbids the restore; the sentence names the policy and the rule. Change the spec to fit it in a new DynamoDBRestore, or ask the platform team.',
  TableClaimed: 'Another live DynamoDBRestore (in any namespace) already restores into this account, Region and table name. Choose another targetTableName.',
  BackupNotAvailable: 'The backup exists but is not AVAILABLE (deleted). Choose another backup in a new DynamoDBRestore.',
  CrossRegionRestoreWithoutSSE: 'A backup in another Region needs overrides.sse (AWS requires a cross-Region restore to state its encryption).',
  TableNotFound: 'The table this resource restored is gone (someone deleted it). The resource cannot complete; create a new one to restore again.',
  TableReplaced: 'A table of the name exists, but it is not the one this resource restored (another TableId); it is left untouched.',
  DELETING: 'The restored table is being deleted by someone else.',
  ARCHIVING: 'The restored table is being archived (its KMS key has been inaccessible for seven days).',
  ARCHIVED: 'The restored table was archived (its KMS key was inaccessible for seven days).',
  INACCESSIBLE_ENCRYPTION_CREDENTIALS: "The restored table's KMS key is not accessible; enable it or grant access, then create a new DynamoDBRestore.",
  SettingConflict: 'A tableSettings value is already set otherwise on the table (TTL on another attribute, a stream of another view type); the table is left as it is.',
  RecoveryPointNotAvailable:
    "The recovery point's vault reports it as not restorable (PARTIAL, EXPIRED, STOPPED or DELETING; the sentence carries AWS Backup's StatusMessage); no restore job is started. Choose another recovery point in a new DynamoDBRestore.",
  RecoveryPointNotDynamoDB: 'The recovery point is a backup of another kind of resource than a DynamoDB table; no restore job is started. Choose a DynamoDB recovery point in a new DynamoDBRestore.',
  RestoreJobFailed: "The AWS Backup restore job of spec.source.recoveryPoint ended FAILED; the sentence carries AWS Backup's StatusMessage (a table of the name that exists already, a role AWS Backup cannot assume, a KMS key). Fix it, then create a new DynamoDBRestore.",
  RestoreJobAborted: 'The AWS Backup restore job was aborted (someone stopped it); create a new DynamoDBRestore to restore again.',
  RestoreJobCreatedOtherResource: 'The restore job completed but reports creating another resource than the target table; nothing is adopted.',
};

/** Reasons of a restore on its way (or of its deletion), not of an error. */
const PROGRESS: Partial<Record<Reason, string>> = {
  [Reason.Validating]: 'Checking the source: DescribeBackup, a ListBackups lookup, DescribeContinuousBackups, or DescribeRecoveryPoint of a recovery point in its vault.',
  [Reason.BackupNotReady]: 'The backup (or recovery point) is still being created; looked at again every 30 s.',
  [Reason.Queued]: 'Every restore slot of the account and Region is taken (MAX_RESTORES_IN_PROGRESS); status.queuePosition says where it waits. Costs no AWS call.',
  [Reason.RestoreRequested]: 'The restore call is being made (status.restoreRequestedAt is written first).',
  [Reason.Restoring]: 'The table is CREATING (or, for a recovery point, its AWS Backup restore job is PENDING or RUNNING); restores of large tables take hours.',
  [Reason.Configuring]: 'The table is ACTIVE; tableSettings are being applied one at a time.',
  [Reason.Completed]: 'Done: the table is ACTIVE, tagged as this resource\'s, and configured.',
  [Reason.DeletingTable]: 'deletionPolicy Delete: the operator deletes the table it restored, then lets the resource go.',
  [Reason.DeletionWaiting]: 'The resource was deleted while its table is CREATING or UPDATING; it goes once the table is ACTIVE (AWS counts the restore until then).',
  [Reason.DeletionRefused]: 'deletionPolicy Delete, but the table has deletion protection on or another resource\'s tag: nothing is deleted. A cluster administrator can switch the resource to Retain to let it go.',
  [Reason.TableNotOwned]: 'deletionPolicy Delete, but this resource never recorded a table of its own: nothing is deleted and the resource goes.',
  [Reason.DeletionFailed]: 'DeleteTable failed; the sentence has AWS\'s answer, and the operator retries.',
};

function retryText(retry: Retry): string {
  if (retry.kind === 'terminal') return 'No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.';
  if (retry.kind === 'after') return `Yes, after ${retry.delayMs / 1000} s, on its own.`;
  return 'Yes, with exponential backoff (1 s doubling to 5 min), on its own.';
}

interface Entry {
  codes: string[];
  retry: Retry;
  sentence: string;
  /** The help of the operator's findings that share a reason another code leads: code and help. */
  more: [string, string][];
}

export function renderTroubleshooting(): string {
  const byReason = new Map<string, Entry>();
  /** Adds a code under its reason; the first code of a reason gives the sentence, a later finding its own line. */
  const add = (reason: string, code: string, retry: Retry, sentence: string, finding?: string) => {
    const entry = byReason.get(reason);
    if (!entry) byReason.set(reason, { codes: [code], retry, sentence, more: [] });
    else {
      entry.codes.push(code);
      if (finding) entry.more.push([finding, sentence]);
    }
  };
  for (const code of CLASSIFIED_CODES) {
    const classified = classifyError(new AwsError(code, '', 'RestoreTableFromBackup'), EXAMPLE);
    add(classified.reason, code, classified.retry, classified.message);
  }
  for (const key of OPERATION_CODES) {
    const [operation = '', code = ''] = key.split('/');
    const classified = classifyError(new AwsError(code, '', operation), EXAMPLE);
    add(classified.reason, `${code} (from ${operation})`, classified.retry, classified.message);
  }
  const kms = classifyError(new AwsError('ValidationException', 'KMS key is disabled', 'RestoreTableFromBackup'), EXAMPLE);
  add(kms.reason, 'ValidationException or AccessDeniedException naming KMS', kms.retry, kms.message);
  const unknown = classifyError(new AwsError('SomeNewException', '', 'RestoreTableFromBackup'), EXAMPLE);
  add(unknown.reason, 'any other code', unknown.retry, unknown.message);
  for (const code of FINDING_CODES) {
    if (!Object.hasOwn(FINDING_HELP, code)) continue; // AWS's own codes, found early: their entry above says it
    const help = FINDING_HELP[code as keyof typeof FINDING_HELP];
    const classified = classifyFinding(code, help);
    add(classified.reason, `${code} (found by the operator)`, classified.retry, help, code);
  }

  const lines = [
    '<!-- Generated from src/restore/restore-errors.ts by `make generate`. Do not edit. -->',
    '# Troubleshooting by reason',
    '',
    "A restore's `Ready` condition (and, once it has failed for good, its `Failed` condition) carries a reason and a",
    'sentence; `kubectl get ddbr` shows the reason, `kubectl describe ddbr` (or `kubectl ddbr describe`) the sentence,',
    "`status.lastError` AWS's code. Every reason, from the operator's one error map:",
    '',
    '## Errors',
  ];
  for (const [reason, entry] of [...byReason].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      '',
      `### ${reason}`,
      '',
      `- **Retried:** ${retryText(entry.retry)}`,
      `- **From:** ${entry.codes.map((c) => (c.includes(' ') ? c : `\`${c}\``)).join(', ')}`,
      `- **The status says** (for a table \`${EXAMPLE.tableName}\`, an error on \`RestoreTableFromBackup\`): ${entry.sentence}`,
      ...entry.more.map(([code, help]) => `- **${code}:** ${help}`),
    );
  }
  lines.push('', '## Progress and deletion', '', 'Not errors: where a restore (or its deletion) stands.', '', '| Reason | Meaning |', '|---|---|');
  for (const [reason, meaning] of Object.entries(PROGRESS)) lines.push(`| \`${reason}\` | ${meaning} |`);
  return `${lines.join('\n')}\n`;
}
