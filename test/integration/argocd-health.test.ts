// The Argo CD health check, run by gopher-lua (the Lua 5.1 interpreter Argo CD embeds) over the fixtures of
// health_test.yaml, laid out as in Argo CD's resource_customizations so it can be contributed there unchanged.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AwsError } from '../../src/aws/dynamodb-port.ts';
import { classifyError } from '../../src/restore/restore-errors.ts';
import { REPO } from '../support/testbed.ts';

const KINDS_DIR = join(REPO, 'deploy/argocd/resource_customizations/dynamodb.restore.dev');
const DIR = join(KINDS_DIR, 'DynamoDBRestore');
const SCHEDULE_DIR = join(KINDS_DIR, 'DynamoDBRestoreSchedule');

/** A JSON value as a Lua table constructor, as Argo CD hands the object to the script. */
function lua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(lua).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${JSON.stringify(k)}] = ${lua(v)}`).join(', ')}}`;
}

function health(obj: unknown, kindDir = DIR): { status: string; message: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ddbr-lua-'));
  try {
    const script = join(dir, 'run.lua');
    writeFileSync(script, `obj = ${lua(obj)}\nlocal hs = (function()\n${readFileSync(join(kindDir, 'health.lua'), 'utf8')}\nend)()\nprint(hs.status)\nprint(hs.message)\n`);
    const [status = '', message = ''] = execFileSync(process.env.TESTBED_GLUA ?? 'glua', [script], { encoding: 'utf8' }).replace(/\n$/, '').split('\n');
    return { status, message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('integration: the Argo CD health check under gopher-lua', () => {
  const { tests } = parse(readFileSync(join(DIR, 'health_test.yaml'), 'utf8')) as {
    tests: Array<{ healthStatus: { status: string; message: string }; inputPath: string }>;
  };

  it('has a fixture for every phase and for a resource without status', () => {
    const phases = tests.map((t) => (parse(readFileSync(join(DIR, t.inputPath), 'utf8')) as { status?: { phase?: string } }).status?.phase ?? 'none');
    for (const phase of ['none', 'Validating', 'Restoring', 'Completed', 'Failed']) assert.ok(phases.includes(phase), phase);
  });

  for (const t of tests) {
    it(`${t.inputPath} → ${t.healthStatus.status}`, () => {
      assert.deepEqual(health(parse(readFileSync(join(DIR, t.inputPath), 'utf8'))), t.healthStatus);
    });
  }

  it("shows the operator's own sentence for a failure (the fixture is what the error map writes)", () => {
    const failed = parse(readFileSync(join(DIR, 'testdata/failed.yaml'), 'utf8')) as { spec: { targetTableName: string; source: { backupArn: string } }; status: { lastError: { message: string } } };
    const sentence = classifyError(new AwsError('BackupNotFoundException', '', 'DescribeBackup'), { tableName: failed.spec.targetTableName, backupArn: failed.spec.source.backupArn }).message;
    assert.equal(failed.status.lastError.message, sentence);
  });
});

describe('integration: the Argo CD health check of DynamoDBRestoreSchedule under gopher-lua', () => {
  const { tests } = parse(readFileSync(join(SCHEDULE_DIR, 'health_test.yaml'), 'utf8')) as {
    tests: Array<{ healthStatus: { status: string; message: string }; inputPath: string }>;
  };

  for (const t of tests) {
    it(`${t.inputPath} → ${t.healthStatus.status}`, () => {
      assert.deepEqual(health(parse(readFileSync(join(SCHEDULE_DIR, t.inputPath), 'utf8')), SCHEDULE_DIR), t.healthStatus);
    });
  }
});
