// The AWS Backup port over AWS SDK v3: the three calls a recovery point restore makes. Its client is made beside the
// DynamoDB client of the same Region and identity (dynamodb-client.ts), with the same credentials, timeouts and rate
// bucket; the endpoint comes from the SDK's chain (AWS_ENDPOINT_URL_BACKUP for an emulator).
import { BackupClient, DescribeRecoveryPointCommand, DescribeRestoreJobCommand, StartRestoreJobCommand } from '@aws-sdk/client-backup';
import type { BackupPort, RecoveryPointState, RestoreJobRequest, RestoreJobState } from './backup-port.ts';
import type { CallObserver } from './dynamodb-client.ts';
import { observedCall } from './observed-call.ts';
import type { TokenBucket } from 'limiter';

export class SdkBackup implements BackupPort {
  constructor(
    private readonly client: BackupClient,
    private readonly observe: CallObserver = () => undefined,
    private readonly bucket?: TokenBucket,
  ) {}

  destroy(): void {
    this.client.destroy();
  }

  async describeRecoveryPoint(backupVaultName: string, recoveryPointArn: string): Promise<RecoveryPointState> {
    const out = await observedCall(
      'DescribeRecoveryPoint',
      () => this.client.send(new DescribeRecoveryPointCommand({ BackupVaultName: backupVaultName, RecoveryPointArn: recoveryPointArn })),
      this.observe,
      this.bucket,
    );
    return {
      arn: out.RecoveryPointArn ?? recoveryPointArn,
      backupVaultName: out.BackupVaultName ?? backupVaultName,
      status: out.Status ?? 'UNKNOWN',
      ...(out.StatusMessage !== undefined && { statusMessage: out.StatusMessage }),
      ...(out.ResourceType !== undefined && { resourceType: out.ResourceType }),
    };
  }

  async startRestoreJob(request: RestoreJobRequest): Promise<string> {
    const out = await observedCall('StartRestoreJob', () => this.client.send(new StartRestoreJobCommand(request)), this.observe, this.bucket);
    return out.RestoreJobId ?? '';
  }

  async describeRestoreJob(restoreJobId: string): Promise<RestoreJobState> {
    const out = await observedCall('DescribeRestoreJob', () => this.client.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId })), this.observe, this.bucket);
    return {
      id: out.RestoreJobId ?? restoreJobId,
      status: out.Status ?? 'UNKNOWN',
      ...(out.StatusMessage !== undefined && { statusMessage: out.StatusMessage }),
      ...(out.CreatedResourceArn !== undefined && { createdResourceArn: out.CreatedResourceArn }),
    };
  }
}
