// One AWS call as every port makes it: a token of the account and Region's rate first, its outcome reported, and a
// failure as AwsError.
import type { TokenBucket } from 'limiter';
import { toAwsError, type CallObserver } from './dynamodb-client.ts';

export async function observedCall<T>(operation: string, send: () => Promise<T>, observe: CallObserver, bucket: TokenBucket | undefined): Promise<T> {
  await bucket?.removeTokens(1);
  try {
    const out = await send();
    observe(operation, 'OK');
    return out;
  } catch (err) {
    const awsError = toAwsError(err, operation);
    observe(operation, awsError.code);
    throw awsError;
  }
}
