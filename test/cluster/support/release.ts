// The operator as a user installs it on the one-node cluster: `helm install` of deploy/helm with the values a user
// sets (Region, the DynamoDB endpoint, two replicas), the image `make e2e-cluster` built from the Dockerfile and
// imported into the node, and the emulator the pods reach on the node's address. Installed once per run, by the
// first cluster suite that asks.
import { createServer, connect, type Server } from 'node:net';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { CoordinationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { sharedTestBed } from '../../support/shared-testbed.ts';
import { EMULATOR_CREDENTIALS, OPERATOR_NAMESPACE, REGION, REPO, type TestBed } from '../../support/testbed.ts';

export const RELEASE = 'dynamodb-restore-operator';
export const CHART = join(REPO, 'deploy/helm/dynamodb-restore-operator');
/** The Lease the replicas elect a leader with (the operator's default LEADER_ELECTION_ID). */
export const LEASE = 'dynamodb-restore-operator';
export const POD_SELECTOR = 'app.kubernetes.io/name=dynamodb-restore-operator';

/** Whether this run targets the one-node cluster (`make e2e-cluster` sets CLUSTER_NODE_ADDRESS). */
export function onCluster(): boolean {
  return process.env.E2E_USE_KUBECONFIG === '1' && Boolean(process.env.CLUSTER_NODE_ADDRESS);
}

export interface Release {
  bed: TestBed;
  /** The values file the release was installed with. */
  valuesFile: string;
  /** Runs helm as the cluster admin; resolves to its standard output. */
  helm(...args: string[]): Promise<string>;
  /** The operator's pods, as the API server lists them now. */
  pods(): Promise<V1Pod[]>;
  /** The pod holding the leader Lease, or '' when none. */
  leader(): Promise<string>;
}

let installed: Promise<Release> | undefined;

export function operatorRelease(): Promise<Release> {
  installed ??= install();
  return installed;
}

/** Forwards connections to the node's address on to target (the emulator listens on the host's loopback only). */
function forward(address: string, target: URL): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.unref();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => {
      const port = (server.address() as { port: number }).port;
      resolve({ server, url: `http://${address}:${port}` });
    });
  });
}

async function install(): Promise<Release> {
  const bed = await sharedTestBed();
  const nodeAddress = process.env.CLUSTER_NODE_ADDRESS ?? '';
  const image = process.env.CLUSTER_IMAGE ?? '';
  const helmBinary = process.env.TESTBED_HELM ?? 'helm';
  const helm = async (...args: string[]) =>
    (await promisify(execFile)(helmBinary, ['--kubeconfig', bed.adminKubeconfig, ...args])).stdout;

  const { url: endpoint } = await forward(nodeAddress, new URL(bed.dynamodbEndpoint));
  // The emulator's credentials as a user keeps real ones: in a Secret, referenced by the values.
  const secret = 'emulator-credentials';
  await bed.apply(
    stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secret, namespace: OPERATOR_NAMESPACE },
      stringData: { AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    }),
  );
  const fromSecret = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key: name } } });
  const [repository, tag] = image.split(/:(?=[^:/]+$)/);
  const valuesFile = join(bed.group.dir, 'operator-values.yaml');
  writeFileSync(
    valuesFile,
    stringify({
      image: { repository, tag },
      region: REGION,
      replicaCount: 2,
      extraEnv: [
        { name: 'AWS_ENDPOINT_URL_DYNAMODB', value: endpoint },
        { name: 'AWS_ENDPOINT_URL_STS', value: endpoint },
        { name: 'AWS_ENDPOINT_URL_BACKUP', value: endpoint },
        fromSecret('AWS_ACCESS_KEY_ID'),
        fromSecret('AWS_SECRET_ACCESS_KEY'),
      ],
    }),
  );
  // The test bed applied deploy/kustomize/base's RBAC already (the same objects): the release takes them over.
  const installAt = Date.now();
  await helm('install', RELEASE, CHART, '--namespace', OPERATOR_NAMESPACE, '--values', valuesFile, '--take-ownership', '--wait', '--timeout', '180s');

  console.log(`      helm install: both replicas Ready ${((Date.now() - installAt) / 1000).toFixed(1)} s after it started`);
  const core = bed.kubeConfig.makeApiClient(CoreV1Api);
  const leases = bed.kubeConfig.makeApiClient(CoordinationV1Api);
  return {
    bed,
    valuesFile,
    helm,
    pods: async () => (await core.listNamespacedPod({ namespace: OPERATOR_NAMESPACE, labelSelector: POD_SELECTOR })).items,
    leader: async () => {
      const lease = await leases.readNamespacedLease({ name: LEASE, namespace: OPERATOR_NAMESPACE }).catch(() => undefined);
      return lease?.spec?.holderIdentity ?? '';
    },
  };
}
