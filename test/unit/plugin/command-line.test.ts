import assert from 'node:assert/strict';
import { parseCommandLine, parseDuration, USAGE } from '../../../src/plugin/command-line.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';

describe('parseCommandLine', () => {
  it('restore: every flag, kubectl\'s connection flags and --dry-run=client -o yaml', () => {
    const argv = [
      'restore', 'music', '-n', 'team-a', '--kubeconfig', '/tmp/kc', '--context', 'prod',
      '--table', 'Music', '--backup-arn', ARN, '--region', 'eu-west-1', '--role-arn', 'arn:aws:iam::123456789012:role/r',
      '--deletion-policy', 'Delete', '--billing-mode-override', 'PROVISIONED', '--provisioned-throughput-override', 'ReadCapacityUnits=1,WriteCapacityUnits=1',
      '--on-demand-throughput-override', 'MaxReadRequestUnits=5', '--global-secondary-index-override', '[]', '--global-secondary-index-override', 'IndexName=x',
      '--local-secondary-index-override', '[]', '--sse-specification-override', 'Enabled=false', '--dry-run=client', '-o', 'yaml',
    ];
    assert.deepEqual(parseCommandLine(argv), {
      command: 'restore',
      name: 'music',
      connection: { namespace: 'team-a', kubeconfig: '/tmp/kc', context: 'prod' },
      flags: {
        table: 'Music',
        backupArn: ARN,
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::123456789012:role/r',
        deletionPolicy: 'Delete',
        billingModeOverride: 'PROVISIONED',
        provisionedThroughputOverride: 'ReadCapacityUnits=1,WriteCapacityUnits=1',
        onDemandThroughputOverride: 'MaxReadRequestUnits=5',
        globalSecondaryIndexOverride: ['[]', 'IndexName=x'],
        localSecondaryIndexOverride: ['[]'],
        sseSpecificationOverride: 'Enabled=false',
      },
      dryRun: 'client',
      output: 'yaml',
    });
  });

  it('restore: the point-in-time and lookup flags; --target-table-name as --table; no dry run by default', () => {
    assert.deepEqual(parseCommandLine(['restore', 'm', '--target-table-name', 'Music', '--source-table', 'Music', '--latest-restorable', '--backup-name', 'B', '--latest-backup-of', 'T', '--restore-time', '2026-01-01T00:00:00Z']), {
      command: 'restore',
      name: 'm',
      connection: {},
      flags: { table: 'Music', sourceTable: 'Music', latestRestorable: true, backupName: 'B', latestBackupOf: 'T', restoreTime: '2026-01-01T00:00:00Z' },
      dryRun: 'none',
    });
  });

  it('wait: --timeout as a duration, one hour by default', () => {
    assert.deepEqual(parseCommandLine(['wait', 'music', '--timeout', '90s']), { command: 'wait', name: 'music', connection: {}, timeoutMs: 90_000 });
    assert.deepEqual(parseCommandLine(['wait', '--namespace=team-a', 'music']), { command: 'wait', name: 'music', connection: { namespace: 'team-a' }, timeoutMs: 3_600_000 });
  });

  it('takes kubectl\'s connection flags before the command too: kubectl ddbr -n team-a --kubeconfig=KC wait music', () => {
    assert.deepEqual(parseCommandLine(['-n', 'team-a', '--kubeconfig=/tmp/kc', '--context', 'prod', 'wait', 'music']), {
      command: 'wait',
      name: 'music',
      connection: { namespace: 'team-a', kubeconfig: '/tmp/kc', context: 'prod' },
      timeoutMs: 3_600_000,
    });
  });

  it('describe and retry (--name, --dry-run=server -o name)', () => {
    assert.deepEqual(parseCommandLine(['describe', 'music']), { command: 'describe', name: 'music', connection: {} });
    assert.deepEqual(parseCommandLine(['retry', 'music', '--name', 'music-again', '--dry-run=server', '-o', 'name']), {
      command: 'retry',
      name: 'music',
      connection: {},
      newName: 'music-again',
      dryRun: 'server',
      output: 'name',
    });
  });

  it('no arguments, help, --help and COMMAND --help print the usage', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['restore', '--help'], ['wait', '-h']]) {
      assert.deepEqual(parseCommandLine(argv), { command: 'help', text: USAGE });
    }
  });

  const refused: Array<[string, string[], string]> = [
    ['flags and no command', ['-n', 'team-a'], 'unknown command "-n"; the commands are restore, wait, describe and retry (kubectl ddbr --help)'],
    ['an unknown command', ['frob'], 'unknown command "frob"; the commands are restore, wait, describe and retry (kubectl ddbr --help)'],
    ['no NAME', ['describe'], 'describe takes one NAME (the DynamoDBRestore\'s), got none'],
    ['two NAMEs', ['wait', 'a', 'b'], 'wait takes one NAME (the DynamoDBRestore\'s), got a b'],
    ['both --table and --target-table-name', ['restore', 'm', '--table', 'A', '--target-table-name', 'B'], 'give the table once: --table or --target-table-name'],
    ['--dry-run=maybe', ['restore', 'm', '--dry-run=maybe'], '--dry-run must be none, client or server, not "maybe"'],
    ['-o wide', ['retry', 'm', '-o', 'wide'], '-o/--output must be yaml, json or name, not "wide"'],
    ['a timeout that is not a duration', ['wait', 'm', '--timeout', 'soon'], '--timeout must be a duration such as 90s, 10m or 1h30m, not "soon"'],
  ];
  it('refuses an unknown flag, with node\'s word for it', () => {
    assert.throws(() => parseCommandLine(['restore', 'm', '--tabel', 'Music']), { name: 'UsageError', message: /^restore: Unknown option '--tabel'/ });
  });

  for (const [what, argv, message] of refused) {
    it(`refuses ${what}`, () => assert.throws(() => parseCommandLine(argv), { name: 'UsageError', message }));
  }
});

describe('parseDuration', () => {
  const cases: Array<[string, number]> = [['30', 30_000], ['90s', 90_000], ['10m', 600_000], ['1h30m', 5_400_000], ['1.5h', 5_400_000], ['500ms', 500]];
  for (const [text, ms] of cases) it(`${text} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  for (const text of ['', '10x', '1h 30m', 'm10']) it(`refuses "${text}"`, () => assert.throws(() => parseDuration(text), { name: 'UsageError' }));
});
