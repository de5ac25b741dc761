// Helpers for tests that drive DynamoDBRestore resources and the emulator.
import { randomBytes } from 'node:crypto';
import { ApiException, CustomObjectsApi, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  DescribeTableCommand,
  CreateBackupCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { GROUP, PLURAL, VERSION, type DynamoDBRestore, type DynamoDBRestoreSpec } from '../../src/api/dynamodb-restore.ts';
import { POLICY_PLURAL, type DynamoDBRestorePolicySpec } from '../../src/api/dynamodb-restore-policy.ts';
import { waitFor } from './processes.ts';
import { EMULATOR_CREDENTIALS, type TestBed } from './testbed.ts';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function dynamodbClient(bed: TestBed, region = EMULATOR_CREDENTIALS.AWS_REGION): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: bed.dynamodbEndpoint,
    region,
    credentials: { accessKeyId: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
}

export const MUSIC_ITEMS = [
  { Artist: { S: 'No One You Know' }, SongTitle: { S: 'Call Me Today' }, AlbumTitle: { S: 'Somewhat Famous' } },
  { Artist: { S: 'Acme Band' }, SongTitle: { S: 'Happy Day' }, AlbumTitle: { S: 'Songs About Life' } },
  { Artist: { S: 'Acme Band' }, SongTitle: { S: 'PartiQL Rocks' }, AlbumTitle: { S: 'Another Album Title' } },
];

/** The tutorial's Music table with its items; withSingersIndex adds the provisioned GSI the override examples name. */
export async function createMusicTable(ddb: DynamoDBClient, tableName: string, withSingersIndex = false): Promise<void> {
  const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  await ddb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'Artist', AttributeType: 'S' },
        { AttributeName: 'SongTitle', AttributeType: 'S' },
        ...(withSingersIndex ? [{ AttributeName: 'SingerName', AttributeType: 'S' as const }] : []),
      ],
      KeySchema: [
        { AttributeName: 'Artist', KeyType: 'HASH' },
        { AttributeName: 'SongTitle', KeyType: 'RANGE' },
      ],
      ...(withSingersIndex
        ? {
            BillingMode: 'PROVISIONED',
            ProvisionedThroughput: throughput,
            GlobalSecondaryIndexes: [
              { IndexName: 'singers-index', KeySchema: [{ AttributeName: 'SingerName', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: throughput },
            ],
          }
        : { BillingMode: 'PAY_PER_REQUEST' }),
    }),
  );
  for (const Item of MUSIC_ITEMS) await ddb.send(new PutItemCommand({ TableName: tableName, Item }));
}

/**
 * The tutorial's starting point: a Music table with items and a backup of it named MusicBackup; then, as the
 * tutorial assumes, the table is deleted. Returns the backup's ARN.
 */
export async function musicBackup(ddb: DynamoDBClient, tableName: string, withSingersIndex = false): Promise<string> {
  await createMusicTable(ddb, tableName, withSingersIndex);
  const backup = await ddb.send(new CreateBackupCommand({ TableName: tableName, BackupName: 'MusicBackup' }));
  await ddb.send(new DeleteTableCommand({ TableName: tableName }));
  await waitUntilTableNotExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  const arn = backup.BackupDetails?.BackupArn;
  if (!arn) throw new Error('CreateBackup returned no ARN');
  return arn;
}

export async function scanItems(ddb: DynamoDBClient, tableName: string): Promise<unknown[]> {
  const out = await ddb.send(new ScanCommand({ TableName: tableName }));
  return out.Items ?? [];
}

/** Whether the table exists in the emulator (DescribeTable answers, or ResourceNotFoundException). */
export async function tableExists(ddb: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return false;
    throw err;
  }
}

export function restoreManifest(namespace: string, name: string, spec: DynamoDBRestoreSpec) {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'DynamoDBRestore', metadata: { name, namespace }, spec };
}

export class Restores {
  private readonly api: CustomObjectsApi;

  /** kubeConfig: whose identity the calls are made with; the cluster admin's unless given (a tenant's, say). */
  constructor(
    private readonly bed: TestBed,
    kubeConfig: KubeConfig = bed.kubeConfig,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async create(namespace: string, name: string, spec: DynamoDBRestoreSpec): Promise<DynamoDBRestore> {
    return (await this.api.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      namespace,
      body: restoreManifest(namespace, name, spec),
    })) as DynamoDBRestore;
  }

  /**
   * The apiserver's refusal (422) of a restore, as its message. Retried while the admission policy has not yet seen
   * a new DynamoDBRestorePolicy (a restore admitted meanwhile is deleted at once).
   */
  async refusedAtAdmission(namespace: string, spec: DynamoDBRestoreSpec): Promise<string> {
    let message = '';
    await waitFor('the admission policy to refuse the restore', async () => {
      const name = uniqueName('probe');
      try {
        await this.create(namespace, name, spec);
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 422)) throw err;
        message = String((JSON.parse(String(err.body)) as { message: string }).message);
        return true;
      }
      await this.delete(namespace, name);
      return false;
    }, 30_000, 500);
    return message;
  }

  async get(namespace: string, name: string): Promise<DynamoDBRestore> {
    return (await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name })) as DynamoDBRestore;
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name });
  }

  /** The resource, or undefined once the apiserver has removed it. */
  async find(namespace: string, name: string): Promise<DynamoDBRestore | undefined> {
    try {
      return await this.get(namespace, name);
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  async waitGone(namespace: string, name: string, timeoutMs = 60_000): Promise<void> {
    let last: DynamoDBRestore | undefined;
    await waitFor(`${namespace}/${name} to be gone`, async () => (last = await this.find(namespace, name)) === undefined, timeoutMs, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlast seen: ${JSON.stringify({ finalizers: last?.metadata.finalizers, status: last?.status })}`);
    });
  }

  /** Polls the resource until done(resource); onEach sees every version read, for tests that watch progress. */
  async waitFor(namespace: string, name: string, what: string, done: (r: DynamoDBRestore) => boolean, timeoutMs = 60_000, onEach?: (r: DynamoDBRestore) => void): Promise<DynamoDBRestore> {
    let last: DynamoDBRestore | undefined;
    await waitFor(`${namespace}/${name} ${what}`, async () => {
      last = await this.get(namespace, name);
      onEach?.(last);
      return done(last);
    }, timeoutMs, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlast seen status: ${JSON.stringify(last?.status)}`);
    });
    if (!last) throw new Error('unreachable');
    return last;
  }

  async createPolicy(name: string, spec: DynamoDBRestorePolicySpec): Promise<void> {
    await this.bed.createPolicy(name, spec);
  }

  async deletePolicy(name: string): Promise<void> {
    await this.api.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: POLICY_PLURAL, name });
  }

  async events(namespace: string): Promise<Array<{ reason?: string; type?: string; note?: string; name?: string }>> {
    const list = await this.bed.kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace });
    return list.items.map((e) => ({ reason: e.reason, type: e.type, note: e.note, name: e.regarding?.name }));
  }
}
