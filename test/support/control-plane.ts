// A real Kubernetes control plane as plain processes (the envtest approach): etcd and kube-apiserver on free
// loopback ports, with TLS, client certificates, service-account tokens and RBAC authorization on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { stringify } from 'yaml';
import { freePort, waitFor, type ProcessGroup } from './processes.ts';

export interface ControlPlane {
  server: string;
  /** A kubeconfig file for a cluster admin (system:masters). */
  adminKubeconfig: string;
  caData: string;
  /** ca.crt, ca.key, admin.crt, admin.key: for components that join the cluster (a node's kubelet). */
  certDir: string;
  /** etcd's client URL, which also serves its v3 JSON gateway (/v3/kv/...). */
  etcdUrl: string;
  /** SIGKILLs kube-apiserver (a crash); etcd keeps running. */
  killApiserver(): Promise<void>;
  /** Starts kube-apiserver again, on the same port with the same certificates and etcd; resolves once ready. */
  startApiserver(): Promise<void>;
}

/** The control plane each process group runs, for tests that restart a part of it (chaos/). */
const controlPlanes = new WeakMap<ProcessGroup, ControlPlane>();

export function controlPlaneOf(group: ProcessGroup): ControlPlane | undefined {
  return controlPlanes.get(group);
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCertificates(dir: string, address: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ddbr-testbed-ca');
  const sign = (name: string, subject: string, ext: string) => {
    openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  // 10.0.0.1 and kubernetes.default.svc: the `kubernetes` Service, as pods on a node reach the apiserver.
  const sans = `IP:${address},IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes.default.svc`;
  sign('apiserver', '/CN=kube-apiserver', `subjectAltName=${sans}\nextendedKeyUsage=serverAuth\n`);
  sign('admin', '/O=system:masters/CN=testbed-admin', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, 'ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key');
  openssl(dir, 'ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

export function kubeconfigYaml(server: string, caData: string, user: Record<string, string>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'testbed', cluster: { server, 'certificate-authority-data': caData } }],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'testbed', context: { cluster: 'testbed', user: 'user' } }],
    'current-context': 'testbed',
  });
}

export interface ControlPlaneOptions {
  /** The address kube-apiserver listens on and advertises; a node's pods reach it there (default 127.0.0.1). */
  address?: string;
  /** kube-apiserver flags that replace the defaults of the same name, or add to them. */
  apiserverArgs?: string[];
}

/** defaults with each --flag of overrides replacing the default of the same name. */
function withFlags(defaults: string[], overrides: string[]): string[] {
  const name = (arg: string) => arg.split('=')[0];
  const replaced = new Set(overrides.map(name));
  return [...defaults.filter((arg) => !replaced.has(name(arg))), ...overrides];
}

export async function startControlPlane(group: ProcessGroup, assets: string, options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const address = options.address ?? '127.0.0.1';
  for (const binary of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(assets, binary))) throw new Error(`${binary} not found in ${assets}: run \`make testbed-tools\``);
  }
  const dir = join(group.dir, 'control-plane');
  mkdirSync(dir, { recursive: true });
  makeCertificates(dir, address);

  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  group.start('etcd', join(assets, 'etcd'), [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);

  const apiserverArgs = withFlags([
    `--etcd-servers=${etcdUrl}`,
    `--bind-address=${address}`,
    `--advertise-address=${address}`,
    `--secure-port=${apiPort}`,
    `--cert-dir=${dir}`,
    `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
    `--client-ca-file=${join(dir, 'ca.crt')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    '--v=1',
  ], options.apiserverArgs ?? []);

  const server = `https://${address}:${apiPort}`;
  const ca = readFileSync(join(dir, 'ca.crt'));
  const cert = readFileSync(join(dir, 'admin.crt'));
  const key = readFileSync(join(dir, 'admin.key'));
  const launchApiserver = async () => {
    const apiserver = group.start('kube-apiserver', join(assets, 'kube-apiserver'), apiserverArgs);
    await waitFor(
      'kube-apiserver /readyz',
      () =>
        new Promise<boolean>((resolve, reject) => {
          if (apiserver.child.exitCode !== null) {
            reject(new Error(`kube-apiserver exited; see ${apiserver.logFile}`));
            return;
          }
          const req = request(`${server}/readyz`, { ca, cert, key }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          });
          req.on('error', () => resolve(false));
          req.end();
        }),
      60_000,
    );
    return apiserver;
  };
  let apiserver = await launchApiserver();

  const b64 = (b: Buffer) => b.toString('base64');
  const adminKubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(adminKubeconfig, kubeconfigYaml(server, b64(ca), { 'client-certificate-data': b64(cert), 'client-key-data': b64(key) }));
  const plane: ControlPlane = {
    server,
    adminKubeconfig,
    caData: b64(ca),
    certDir: dir,
    etcdUrl,
    killApiserver: async () => {
      apiserver.child.kill('SIGKILL');
      await apiserver.exited;
    },
    startApiserver: async () => {
      apiserver = await launchApiserver();
    },
  };
  controlPlanes.set(group, plane);
  return plane;
}
