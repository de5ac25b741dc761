import assert from 'node:assert/strict';
import { AwsError } from '../../../src/aws/dynamodb-port.ts';
import { CLASSIFIED_CODES, classifyError, classifyFinding, FINDING_CODES, OPERATION_CODES } from '../../../src/restore/restore-errors.ts';
import { AWS_ERROR_CLASSES, FINDING_REASONS, OPERATION_ERROR_CLASSES, UNKNOWN_CLASS, UNKNOWN_CODE } from './aws-error-classes.ts';

const BACKUP_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Music/backup/01489173575360-b308cd7d';
const CTX = { tableName: 'Music', backupArn: BACKUP_ARN };
const classify = (code: string, message = '', operation = 'RestoreTableFromBackup') => classifyError(new AwsError(code, message, operation), CTX);

describe('classifyError', () => {
  it('classifies exactly the codes the reviewed table (aws-error-classes.ts) pins: a new code needs a row there', () => {
    assert.deepEqual([...CLASSIFIED_CODES].sort(), Object.keys(AWS_ERROR_CLASSES).sort());
  });

  for (const [code, expected] of Object.entries({ ...AWS_ERROR_CLASSES, [UNKNOWN_CODE]: UNKNOWN_CLASS })) {
    const retry = expected.retry === 'after' ? `after ${(expected.afterMs ?? 0) / 1000} s` : expected.retry;
    it(`${code}: ${retry}, reason ${expected.reason}, in a sentence (${expected.source})`, () => {
      const classified = classify(code);
      assert.equal(classified.code, code);
      assert.equal(classified.reason, expected.reason);
      assert.deepEqual(classified.retry, expected.retry === 'after' ? { kind: 'after', delayMs: expected.afterMs } : { kind: expected.retry });
      assert.match(classified.message, /^[A-Z].{10,}\.$/s, `not a sentence: ${classified.message}`);
    });
  }

  it('classifies by operation exactly the operation/code pairs the reviewed table pins', () => {
    assert.deepEqual([...OPERATION_CODES].sort(), Object.keys(OPERATION_ERROR_CLASSES).sort());
  });

  for (const [key, expected] of Object.entries(OPERATION_ERROR_CLASSES)) {
    const [operation = '', code = ''] = key.split('/');
    it(`${code} from ${operation}: ${expected.retry}, reason ${expected.reason}, in a sentence (${expected.source})`, () => {
      const classified = classify(code, 'Not found.', operation);
      assert.deepEqual([classified.code, classified.reason, classified.retry], [code, expected.reason, { kind: expected.retry }]);
      assert.match(classified.message, /^[A-Z].{10,}\.$/s, `not a sentence: ${classified.message}`);
    });
  }

  it("names what to grant when AWS Backup's StartRestoreJob is refused: backup:StartRestoreJob and iam:PassRole on the restore role", () => {
    assert.equal(
      classify('AccessDeniedException', '', 'StartRestoreJob').message,
      "The operator's AWS identity may not call StartRestoreJob: grant backup:StartRestoreJob, and iam:PassRole on the role in spec.source.recoveryPoint.iamRoleArn, " +
        'keep the policy unchanged until the restore completes, then create a new DynamoDBRestore.',
    );
  });

  it('gives the documented codes their own reasons', () => {
    const reasons = Object.fromEntries(
      ['BackupNotFoundException', 'BackupInUseException', 'TableAlreadyExistsException', 'TableInUseException', 'ResourceInUseException', 'LimitExceededException', 'AccessDeniedException'].map(
        (code) => [code, classify(code).reason],
      ),
    );
    assert.deepEqual(reasons, {
      BackupNotFoundException: 'BackupNotFound',
      BackupInUseException: 'BackupInUse',
      TableAlreadyExistsException: 'TableAlreadyExists',
      TableInUseException: 'TableInUse',
      ResourceInUseException: 'ResourceInUse',
      LimitExceededException: 'LimitExceeded',
      AccessDeniedException: 'AccessDenied',
    });
  });

  it('gives all throttling codes one reason and one wait', () => {
    const throttles = ['ThrottlingException', 'RequestLimitExceeded', 'ProvisionedThroughputExceededException'].map((c) => classify(c));
    assert.equal(new Set(throttles.map((t) => t.reason)).size, 1);
    assert.equal(new Set(throttles.map((t) => JSON.stringify(t.retry))).size, 1);
  });

  it('names the backup and the table the sentence is about', () => {
    assert.ok(classify('BackupNotFoundException').message.includes(BACKUP_ARN));
    assert.ok(classify('TableAlreadyExistsException').message.includes('Table Music '));
    assert.ok(classify('TableInUseException').message.includes('Table Music '));
  });

  describe('ResourceInUseException', () => {
    it('waits 15 s and tries again, as ResourceInUse', () => {
      const classified = classify('ResourceInUseException', 'Attempt to change a resource which is still in use', 'TagResource');
      assert.equal(classified.code, 'ResourceInUseException');
      assert.equal(classified.reason, 'ResourceInUse');
      assert.deepEqual(classified.retry, { kind: 'after', delayMs: 15_000 });
    });

    it('names the table and the operation that found it busy', () => {
      const { message } = classify('ResourceInUseException', '', 'TagResource');
      assert.ok(message.startsWith('Table Music '), message);
      assert.ok(message.includes('TagResource'), message);
      assert.ok(!message.includes('RestoreTableFromBackup'), message);
    });
  });

  it('gives every spelling of a credentials problem one reason, retried with backoff', () => {
    const credentials = ['UnrecognizedClientException', 'InvalidClientTokenId', 'MissingAuthenticationToken', 'IncompleteSignature', 'ExpiredTokenException'].map((c) => classify(c));
    assert.deepEqual([...new Set(credentials.map((c) => c.reason))], ['InvalidCredentials']);
    assert.ok(credentials.every((c) => c.retry.kind === 'backoff'));
  });

  it('treats NotAuthorized as AccessDenied and ValidationError as ValidationException', () => {
    assert.deepEqual(
      [classify('NotAuthorized', '', 'TagResource').reason, classify('NotAuthorized', '', 'TagResource').message],
      ['AccessDenied', classify('AccessDeniedException', '', 'TagResource').message],
    );
    assert.equal(classify('ValidationError', 'bad').message, classify('ValidationException', 'bad').message);
  });

  describe('AccessDeniedException', () => {
    it('names the IAM action RestoreTableFromBackup needs, with the table writes a restore performs', () => {
      const { message } = classify('AccessDeniedException', 'not authorized', 'RestoreTableFromBackup');
      assert.ok(message.includes('dynamodb:RestoreTableFromBackup'), message);
      // The tutorial: removing write permissions during a restore breaks it.
      assert.ok(message.includes('PutItem'), message);
    });

    it('names dynamodb:DescribeTable for DescribeTable', () => {
      const { message } = classify('AccessDeniedException', 'not authorized', 'DescribeTable');
      assert.ok(message.includes('grant dynamodb:DescribeTable'), message);
      assert.ok(!message.includes('RestoreTableFromBackup'), message);
    });

    it('names dynamodb:DescribeBackup for DescribeBackup', () => {
      const { message } = classify('AccessDeniedException', 'not authorized', 'DescribeBackup');
      assert.ok(message.includes('may not call DescribeBackup: grant dynamodb:DescribeBackup,'), message);
      assert.ok(!message.includes('RestoreTableFromBackup') && !message.includes('PutItem'), message);
      assert.ok(message.endsWith('AWS said: not authorized'), message);
    });

    it('names dynamodb:TagResource for TagResource', () => {
      const { message } = classify('AccessDeniedException', 'not authorized', 'TagResource');
      assert.ok(message.includes('may not call TagResource: grant dynamodb:TagResource,'), message);
      assert.ok(!message.includes('RestoreTableFromBackup') && !message.includes('PutItem'), message);
    });

    it('is terminal for every call the restore makes', () => {
      for (const operation of ['DescribeBackup', 'RestoreTableFromBackup', 'DescribeTable', 'TagResource']) {
        const classified = classify('AccessDeniedException', 'not authorized', operation);
        assert.equal(classified.reason, 'AccessDenied', operation);
        assert.deepEqual(classified.retry, { kind: 'terminal' }, operation);
      }
    });

    it('names dynamodb:<operation> for an operation without a listed action', () => {
      assert.ok(classify('AccessDeniedException', '', 'UpdateTable').message.includes('dynamodb:UpdateTable'));
    });
  });

  describe('KMS trouble', () => {
    const kmsCases: Array<[string, string]> = [
      ['ValidationException', 'KMS key arn:aws:kms:us-east-1:123456789012:key/abcd is disabled'],
      ['ValidationException', 'The kms key is pending deletion'],
      ['AccessDeniedException', 'User is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:...'],
    ];
    for (const [code, message] of kmsCases) {
      it(`${code} "${message}" is terminal KMSKeyUnavailable with the AWS message`, () => {
        const classified = classify(code, message);
        assert.equal(classified.reason, 'KMSKeyUnavailable');
        assert.equal(classified.retry.kind, 'terminal');
        assert.equal(classified.code, code);
        assert.ok(classified.message.includes(message));
        assert.match(classified.message, /KMS key/);
      });
    }

    it('leaves a ValidationException that does not mention KMS as InvalidRequest', () => {
      assert.equal(classify('ValidationException', 'One or more parameter values were invalid').reason, 'InvalidRequest');
    });

    it('leaves other codes mentioning KMS as they are', () => {
      const classified = classify('InternalServerError', 'KMS had a hiccup');
      assert.equal(classified.reason, 'AWSInternalError');
      assert.equal(classified.retry.kind, 'backoff');
    });
  });

  it('retries an unknown code with backoff and names the code and operation', () => {
    const classified = classify('BrandNewException', 'something new', 'DescribeTable');
    assert.equal(classified.code, 'BrandNewException');
    assert.equal(classified.reason, 'UnexpectedError');
    assert.deepEqual(classified.retry, { kind: 'backoff' });
    assert.ok(classified.message.includes('BrandNewException'));
    assert.ok(classified.message.includes('DescribeTable'));
    assert.ok(classified.message.includes('something new'));
  });

  describe('the AWS message', () => {
    const detail = 'Zq9 detail from AWS';
    const promising = ['ValidationException', 'AccessDeniedException', 'InternalServerError', 'UnrecognizedClientException', 'ResourceNotFoundException', 'NetworkError'];

    for (const code of promising) {
      it(`${code} quotes it`, () => {
        assert.ok(classify(code, detail).message.endsWith(`AWS said: ${detail}`));
      });
    }

    it('is quoted, whole, wherever a sentence says "AWS said", and nowhere without it', () => {
      for (const code of CLASSIFIED_CODES) {
        const message = classify(code, detail).message;
        if (message.includes('AWS said:')) assert.ok(message.endsWith(`AWS said: ${detail}`), `${code}: ${message}`);
        assert.ok(!classify(code, '').message.includes('AWS said'), `${code} promises an empty AWS message`);
      }
    });
  });
});

describe('classifyError for spec.credentials (STS AssumeRole)', () => {
  it("says an AccessDenied from STS is the role's trust policy, not the operator's own permissions", () => {
    const c = classify('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/op is not authorized to perform: sts:AssumeRole', 'DescribeBackup');
    assert.equal(c.reason, 'AssumeRoleDenied');
    assert.match(
      c.message,
      /could not assume the role in spec.credentials: its trust policy must allow the operator's identity sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity for this namespace \(the ExternalId <cluster name>\/<namespace>, the session tag dynamodb-restore-namespace\)/,
    );
    assert.match(c.message, /not authorized to perform: sts:AssumeRole/);
    assert.notEqual(classify('AccessDeniedException').reason, c.reason);
  });
});

describe('classifyError for spec.credentials without a cluster name', () => {
  it('fails ClusterNameRequired for good, naming the setting and who sets it', () => {
    const c = classify('ClusterNameUnset', 'The operator has no cluster name (CLUSTER_NAME), from which the ExternalId is derived', 'AssumeRole');
    assert.equal(c.reason, 'ClusterNameRequired');
    assert.deepEqual(c.retry, { kind: 'terminal' });
    assert.equal(
      c.message,
      "A restore with spec.credentials needs the operator to have a cluster name (CLUSTER_NAME, --cluster-name or the chart value clusterName), from which it derives the role session's ExternalId; the platform team sets it, then create a new DynamoDBRestore.",
    );
  });
});

describe('classifyFinding: the failures the plan finds itself', () => {
  it('knows exactly the codes the reviewed table pins', () => {
    assert.deepEqual([...FINDING_CODES].sort(), Object.keys(FINDING_REASONS).sort());
  });

  for (const [code, reason] of Object.entries(FINDING_REASONS)) {
    it(`${code}: terminal, reason ${reason}, with the plan's own sentence`, () => {
      const message = `Something about ${code} a person can act on.`;
      assert.deepEqual(classifyFinding(code as (typeof FINDING_CODES)[number], message), { code, reason, message, retry: { kind: 'terminal' } });
    });
  }
});
