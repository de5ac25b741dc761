// No credential, token or secret value ever reaches a log line or an event, even at debug level and on error
// paths, and event notes stay within the size Kubernetes accepts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import { sharedTestBed } from '../support/shared-testbed.ts';
import { dynamodbClient, musicBackup, Restores, uniqueName } from '../support/restores.ts';
import { httpsGetText, type OperatorProcess, type TestBed } from '../support/testbed.ts';

describe('integration: no secrets in logs or events', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let ddb: DynamoDBClient;
  let operator: OperatorProcess;
  const namespace = uniqueName('secrets');
  // Values no log line could contain by chance.
  const secretKey = `SECRET${randomBytes(16).toString('hex')}`;
  const sessionToken = `TOKEN${randomBytes(24).toString('hex')}`;

  before(async () => {
    bed = await sharedTestBed();
    ddb = dynamodbClient(bed);
    await bed.createNamespace(namespace);
    operator = await bed.startOperator({ WATCH_NAMESPACES: namespace, LOG_LEVEL: 'silly', AWS_SECRET_ACCESS_KEY: secretKey, AWS_SESSION_TOKEN: sessionToken });
  });

  after(async () => {
    bed.proxy.clearFaults();
    await bed.group.stop(operator.process);
    ddb.destroy();
  });

  it("keeps the AWS secret key, the session token, the Kubernetes token and metrics scrapers' bearer tokens out of logs and events", async () => {
    const restores = new Restores(bed);
    const ok = uniqueName('Music');
    await restores.create(namespace, 'ok', { targetTableName: ok, source: { backupArn: await musicBackup(ddb, ok) } });
    const denied = uniqueName('Music');
    const deniedBackup = await musicBackup(ddb, denied);
    // An error path too: the operator logs and reports the failure, never what it authenticated with.
    bed.proxy.inject({ operation: 'RestoreTableFromBackup', code: 'AccessDeniedException', times: Infinity, tableName: denied });
    await restores.create(namespace, 'denied', { targetTableName: denied, source: { backupArn: deniedBackup } });
    await restores.waitFor(namespace, 'ok', 'to complete', (r) => r.status?.phase === 'Completed');
    const failed = await restores.waitFor(namespace, 'denied', 'to fail', (r) => r.status?.phase === 'Failed');

    // Scrapes, one allowed and one with a token the API server refuses: the operator logs who was refused, never the token.
    await operator.metrics();
    const forgedToken = `FORGED${randomBytes(24).toString('hex')}`;
    assert.equal((await httpsGetText(operator.metricsUrl, { authorization: `Bearer ${forgedToken}` })).status, 401);

    const kubeconfig = parse(readFileSync(operator.kubeconfig, 'utf8')) as { users: Array<{ user: { token: string } }> };
    const kubeToken = kubeconfig.users[0]?.user.token ?? '';
    assert.ok(kubeToken.length > 100, 'the operator ran with a real ServiceAccount token');
    const log = readFileSync(operator.process.logFile, 'utf8');
    assert.ok(log.includes('Restore moved on'), "the log is the operator's");
    assert.ok(log.includes('Refused a metrics request'), 'the refused scrape was logged');
    const events = JSON.stringify(await restores.events(namespace));
    const status = JSON.stringify(failed.status);
    const secrets = [
      ['AWS secret key', secretKey],
      ['session token', sessionToken],
      ['ServiceAccount token', kubeToken],
      ["a metrics scraper's token", await bed.metricsToken()],
      ['a refused bearer token', forgedToken],
    ] as const;
    for (const [what, secret] of secrets) {
      assert.ok(!log.includes(secret), `${what} in the log`);
      assert.ok(!events.includes(secret), `${what} in an event`);
      assert.ok(!status.includes(secret), `${what} in the status`);
    }
    for (const e of await restores.events(namespace)) assert.ok((e.note ?? '').length <= 1024, "event notes fit Kubernetes' limit");
  });
});
