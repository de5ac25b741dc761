import assert from 'node:assert/strict';
import { renderTroubleshooting } from '../../../src/restore/troubleshooting.ts';
import { Reason } from '../../../src/restore/restore-vocabulary.ts';

describe('troubleshooting page (docs/troubleshooting.md)', () => {
  const page = renderTroubleshooting();

  it('has an entry for every reason of the one vocabulary, as an error section or a progress row', () => {
    const missing = Object.values(Reason).filter((r) => !page.includes(`\n### ${r}\n`) && !page.includes(`| \`${r}\` |`));
    assert.deepEqual(missing, []);
  });

  it('says LimitExceeded is waited out (60 s) and AccessDenied is final, with the codes behind each', () => {
    const section = (reason: string) => page.slice(page.indexOf(`### ${reason}\n`), page.indexOf('\n###', page.indexOf(`### ${reason}\n`) + 1));
    assert.match(section('LimitExceeded'), /- \*\*Retried:\*\* Yes, after 60 s, on its own\.\n- \*\*From:\*\* `LimitExceededException`\n/);
    assert.match(section('AccessDenied'), /- \*\*Retried:\*\* No: the resource is `Failed` \(final\)[^\n]*\n- \*\*From:\*\* `AccessDeniedException`, `NotAuthorized`\n/);
  });

  it("lists the operator's own findings under their reason, e.g. TableReplaced under TableLost", () => {
    assert.match(page, /### TableLost\n\n- \*\*Retried:\*\* No[^\n]*\n- \*\*From:\*\* TableNotFound \(found by the operator\), TableReplaced \(found by the operator\), DELETING/);
  });

  it("gives each further finding of a reason its own help line after the status sentence (TableLost: TableReplaced, DELETING, ARCHIVING, ARCHIVED)", () => {
    const start = page.indexOf('\n### TableLost\n') + 1;
    assert.equal(
      page.slice(start, page.indexOf('\n\n#', start + 1)),
      [
        '### TableLost',
        '',
        '- **Retried:** No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.',
        '- **From:** TableNotFound (found by the operator), TableReplaced (found by the operator), DELETING (found by the operator), ARCHIVING (found by the operator), ARCHIVED (found by the operator)',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): The table this resource restored is gone (someone deleted it). The resource cannot complete; create a new one to restore again.',
        '- **TableReplaced:** A table of the name exists, but it is not the one this resource restored (another TableId); it is left untouched.',
        '- **DELETING:** The restored table is being deleted by someone else.',
        '- **ARCHIVING:** The restored table is being archived (its KMS key has been inaccessible for seven days).',
        '- **ARCHIVED:** The restored table was archived (its KMS key was inaccessible for seven days).',
      ].join('\n'),
    );
  });
  /** The head of an entry's status line: the page's example table and call. */
  const STATUS_SAYS = '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): ';
  const section = (reason: string) => {
    const start = page.indexOf(`\n### ${reason}\n`) + 1;
    const end = page.indexOf('\n\n#', start + 1);
    return page.slice(start, end);
  };

  it('opens with the generated-file notice, the title and the paragraph on where reason and sentence show', () => {
    assert.ok(
      page.startsWith(
        [
          '<!-- Generated from src/restore/restore-errors.ts by `make generate`. Do not edit. -->',
          '# Troubleshooting by reason',
          '',
          "A restore's `Ready` condition (and, once it has failed for good, its `Failed` condition) carries a reason and a",
          'sentence; `kubectl get ddbr` shows the reason, `kubectl describe ddbr` (or `kubectl ddbr describe`) the sentence,',
          "`status.lastError` AWS's code. Every reason, from the operator's one error map:",
          '',
          '## Errors',
          '',
          '### AccessDenied',
          '',
        ].join('\n'),
      ),
    );
  });

  it('lists the error reasons in alphabetical order, each once', () => {
    const headings = [...page.matchAll(/^### (.*)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, [
      'AccessDenied', 'AssumeRoleDenied', 'AWSInternalError', 'BackupInUse', 'BackupNotFound', 'ClockSkew', 'ClusterNameRequired',
      'ContinuousBackupsUnavailable', 'CrossRegionNeedsSSE', 'InvalidCredentials', 'InvalidRequest', 'InvalidRestoreTime', 'KMSKeyUnavailable',
      'LimitExceeded', 'NetworkError', 'NotFound', 'PointInTimeRecoveryUnavailable', 'PolicyDenied', 'PolicyRequired', 'RecoveryPointNotFound', 'RecoveryPointNotRestorable',
      'RegionNotEnabled', 'ResourceInUse', 'RestoreJobFailed', 'SettingConflict', 'SourceTableNotFound', 'TableAlreadyExists', 'TableClaimed',
      'TableInUse', 'TableLost', 'Throttled', 'Timeout', 'UnexpectedError',
    ]);
  });

  it('says a backoff retry doubles from 1 s to 5 min, and quotes the sentence for the example backup ARN and table name', () => {
    assert.equal(
      section('AWSInternalError'),
      [
        '### AWSInternalError',
        '',
        '- **Retried:** Yes, with exponential backoff (1 s doubling to 5 min), on its own.',
        '- **From:** `InvalidEndpointException`, `DependencyFailureException`, `InternalServerError`, `InternalFailure`, `ServiceUnavailable`, `ServiceUnavailableException`',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): AWS had an internal error on RestoreTableFromBackup; the operator retries with backoff.',
      ].join('\n'),
    );
    assert.equal(
      section('BackupNotFound'),
      [
        '### BackupNotFound',
        '',
        '- **Retried:** No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.',
        '- **From:** `BackupNotFoundException`, BackupNotAvailable (found by the operator)',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): Backup arn:aws:dynamodb:us-east-1:123456789012:table/team-a.orders/backup/01796409674486-e9317b0b does not exist in this account and Region; check the ARN with `aws dynamodb list-backups`.',
        '- **BackupNotAvailable:** The backup exists but is not AVAILABLE (deleted). Choose another backup in a new DynamoDBRestore.',
      ].join('\n'),
    );
  });

  it('lists the codes whose reason depends on the operation with the operation, e.g. ResourceNotFoundException from StartRestoreJob', () => {
    assert.equal(
      section('RecoveryPointNotFound'),
      [
        '### RecoveryPointNotFound',
        '',
        '- **Retried:** No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.',
        '- **From:** ResourceNotFoundException (from DescribeRecoveryPoint), ResourceNotFoundException (from StartRestoreJob)',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): The backup vault in spec.source.recoveryPoint.backupVaultName does not hold that recovery point in this account and Region (or the vault does not exist); check it with `aws backup list-recovery-points-by-backup-vault --backup-vault-name <vault>`, then create a new DynamoDBRestore.',
      ].join('\n'),
    );
    assert.match(section('NotFound'), /\n- \*\*From:\*\* `ResourceNotFoundException`, ResourceNotFoundException \(from DescribeRestoreJob\)\n/);
  });

  it('lists a KMS ValidationException and an unknown code as entries of their own, with the sentence for each', () => {
    assert.equal(
      section('KMSKeyUnavailable'),
      [
        '### KMSKeyUnavailable',
        '',
        '- **Retried:** No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.',
        '- **From:** ValidationException or AccessDeniedException naming KMS, INACCESSIBLE_ENCRYPTION_CREDENTIALS (found by the operator)',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): The KMS key of the backup or of overrides.sse is disabled, deleted or not usable by the operator; enable it (and keep it enabled until the restore completes), then create a new DynamoDBRestore. AWS said: KMS key is disabled',
        "- **INACCESSIBLE_ENCRYPTION_CREDENTIALS:** The restored table's KMS key is not accessible; enable it or grant access, then create a new DynamoDBRestore.",
      ].join('\n'),
    );
    assert.equal(
      section('UnexpectedError'),
      [
        '### UnexpectedError',
        '',
        '- **Retried:** Yes, with exponential backoff (1 s doubling to 5 min), on its own.',
        '- **From:** any other code',
        '- **The status says** (for a table `team-a.orders`, an error on `RestoreTableFromBackup`): RestoreTableFromBackup failed with SomeNewException; the operator retries with backoff.',
      ].join('\n'),
    );
  });

  it("gives the help sentence of each of the operator's own findings that leads its reason", () => {
    const says = (reason: string) => section(reason).split('\n').find((l) => l.startsWith('- **The status says**'));
    assert.deepEqual(
      ['PolicyRequired', 'PolicyDenied', 'TableClaimed', 'CrossRegionNeedsSSE', 'TableLost', 'SettingConflict', 'RestoreJobFailed'].map(says),
      [
        'No DynamoDBRestorePolicy governs the namespace (default-deny). A cluster administrator creates one (deploy/tenancy/team-a-policy.yaml); then create a new DynamoDBRestore.',
        'A DynamoDBRestorePolicy governing the namespace forbids the restore; the sentence names the policy and the rule. Change the spec to fit it in a new DynamoDBRestore, or ask the platform team.',
        'Another live DynamoDBRestore (in any namespace) already restores into this account, Region and table name. Choose another targetTableName.',
        'A backup in another Region needs overrides.sse (AWS requires a cross-Region restore to state its encryption).',
        'The table this resource restored is gone (someone deleted it). The resource cannot complete; create a new one to restore again.',
        'A tableSettings value is already set otherwise on the table (TTL on another attribute, a stream of another view type); the table is left as it is.',
        "The AWS Backup restore job of spec.source.recoveryPoint ended FAILED; the sentence carries AWS Backup's StatusMessage (a table of the name that exists already, a role AWS Backup cannot assume, a KMS key). Fix it, then create a new DynamoDBRestore.",
      ].map((sentence) => STATUS_SAYS + sentence),
    );
    assert.match(section('RestoreJobFailed'), /\n- \*\*From:\*\* RestoreJobFailed \(found by the operator\), RestoreJobAborted \(found by the operator\), RestoreJobCreatedOtherResource \(found by the operator\)\n/);
  });

  it("writes the recovery point sections whole: RecoveryPointNotRestorable (NotAvailable, NotDynamoDB) and RestoreJobFailed (Aborted, CreatedOtherResource), each finding's help line", () => {
    const final = '- **Retried:** No: the resource is `Failed` (final); fix the cause, then create a new DynamoDBRestore.';
    assert.equal(
      section('RecoveryPointNotRestorable'),
      [
        '### RecoveryPointNotRestorable',
        '',
        final,
        '- **From:** RecoveryPointNotAvailable (found by the operator), RecoveryPointNotDynamoDB (found by the operator)',
        STATUS_SAYS +
          "The recovery point's vault reports it as not restorable (PARTIAL, EXPIRED, STOPPED or DELETING; the sentence carries AWS Backup's StatusMessage); no restore job is started. Choose another recovery point in a new DynamoDBRestore.",
        '- **RecoveryPointNotDynamoDB:** The recovery point is a backup of another kind of resource than a DynamoDB table; no restore job is started. Choose a DynamoDB recovery point in a new DynamoDBRestore.',
      ].join('\n'),
    );
    assert.equal(
      section('RestoreJobFailed'),
      [
        '### RestoreJobFailed',
        '',
        final,
        '- **From:** RestoreJobFailed (found by the operator), RestoreJobAborted (found by the operator), RestoreJobCreatedOtherResource (found by the operator)',
        STATUS_SAYS +
          "The AWS Backup restore job of spec.source.recoveryPoint ended FAILED; the sentence carries AWS Backup's StatusMessage (a table of the name that exists already, a role AWS Backup cannot assume, a KMS key). Fix it, then create a new DynamoDBRestore.",
        '- **RestoreJobAborted:** The AWS Backup restore job was aborted (someone stopped it); create a new DynamoDBRestore to restore again.',
        '- **RestoreJobCreatedOtherResource:** The restore job completed but reports creating another resource than the target table; nothing is adopted.',
      ].join('\n'),
    );
  });

  it('ends with the table of progress and deletion reasons and what each means', () => {
    const progress = page.slice(page.indexOf('\n## Progress and deletion\n') + 1);
    assert.equal(
      progress,
      [
        '## Progress and deletion',
        '',
        'Not errors: where a restore (or its deletion) stands.',
        '',
        '| Reason | Meaning |',
        '|---|---|',
        '| `Validating` | Checking the source: DescribeBackup, a ListBackups lookup, DescribeContinuousBackups, or DescribeRecoveryPoint of a recovery point in its vault. |',
        '| `BackupNotReady` | The backup (or recovery point) is still being created; looked at again every 30 s. |',
        '| `Queued` | Every restore slot of the account and Region is taken (MAX_RESTORES_IN_PROGRESS); status.queuePosition says where it waits. Costs no AWS call. |',
        '| `RestoreRequested` | The restore call is being made (status.restoreRequestedAt is written first). |',
        '| `Restoring` | The table is CREATING (or, for a recovery point, its AWS Backup restore job is PENDING or RUNNING); restores of large tables take hours. |',
        '| `Configuring` | The table is ACTIVE; tableSettings are being applied one at a time. |',
        "| `RestoreCompleted` | Done: the table is ACTIVE, tagged as this resource's, and configured. |",
        '| `DeletingTable` | deletionPolicy Delete: the operator deletes the table it restored, then lets the resource go. |',
        '| `DeletionWaiting` | The resource was deleted while its table is CREATING or UPDATING; it goes once the table is ACTIVE (AWS counts the restore until then). |',
        "| `DeletionRefused` | deletionPolicy Delete, but the table has deletion protection on or another resource's tag: nothing is deleted. A cluster administrator can switch the resource to Retain to let it go. |",
        '| `TableNotOwned` | deletionPolicy Delete, but this resource never recorded a table of its own: nothing is deleted and the resource goes. |',
        "| `DeletionFailed` | DeleteTable failed; the sentence has AWS's answer, and the operator retries. |",
        '',
      ].join('\n'),
    );
  });
});
