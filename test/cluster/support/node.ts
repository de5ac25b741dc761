// A real one-node cluster as plain processes: the test bed's control plane (control-plane.ts) listening on the node's
// address, plus containerd, a kubelet, kube-controller-manager, kube-scheduler and kube-proxy, all from the tools
// hack/node/provision.sh caches. What it changes on the host is recorded before it starts and put back when it stops
// (hack/node/host-state.sh), also by the next start after a run that was killed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startControlPlane } from '../../support/control-plane.ts';
import { waitFor, type ProcessGroup } from '../../support/processes.ts';
import { REPO } from '../../support/testbed.ts';

/**
 * The node's address: on an interface of its own, since pods cannot reach the host's loopback. TEST-NET-2
 * (RFC 5737), never routed; TEST-NET-1 may already be the VM's own network. The interface is a bridge without
 * ports, which serves as a dummy interface on kernels built without the dummy driver.
 */
export const NODE_ADDRESS = '198.51.100.10';
export const NODE_NAME = 'ddbr-node';
const NODE_LINK = 'ddbr0';
const BRIDGE = 'ddbr-br0';
const POD_SUBNET = '10.88.0.0/24';
/** Everything the node writes of its own (hack/node/host-state.sh removes it). */
const STATE = '/var/lib/ddbr-node';

export interface NodeTools {
  /** kube-apiserver, etcd, kubectl, kubelet, kube-controller-manager, kube-scheduler, kube-proxy. */
  kubeDir: string;
  /** containerd, containerd-shim-runc-v2, ctr. */
  containerdDir: string;
  /** The pause image's docker-archive and its name. */
  pauseArchive: string;
  pauseImage: string;
}

export interface Node {
  /** A cluster admin's kubeconfig (system:masters). */
  adminKubeconfig: string;
  /** Imports a docker-archive into the node's containerd, as the kubelet sees images (namespace k8s.io). */
  importImage(archive: string): void;
  /** Stops every process and puts the host back as it was. */
  stop(): Promise<void>;
}

function run(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startNode(group: ProcessGroup, tools: NodeTools): Promise<Node> {
  const hostState = join(REPO, 'hack/node/host-state.sh');
  const env = { ...process.env, NODE_STATE: STATE };
  execFileSync(hostState, ['save'], { env, stdio: 'inherit' });
  const restoreHost = () => execFileSync(hostState, ['restore'], { env, stdio: 'inherit' });
  try {
    return await start(group, tools, restoreHost);
  } catch (err) {
    await group.stopAll();
    restoreHost();
    throw err;
  }
}

async function start(group: ProcessGroup, tools: NodeTools, restoreHost: () => void): Promise<Node> {
  run('ip', 'link', 'add', NODE_LINK, 'type', 'bridge');
  run('ip', 'addr', 'add', `${NODE_ADDRESS}/32`, 'dev', NODE_LINK);
  run('ip', 'link', 'set', NODE_LINK, 'up');

  const plane = await startControlPlane(group, tools.kubeDir, {
    address: NODE_ADDRESS,
    apiserverArgs: [
      // Every default admission plugin, ServiceAccount's too: pods get their tokens mounted.
      '--disable-admission-plugins=',
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      `--kubelet-client-certificate=${join(group.dir, 'control-plane/admin.crt')}`,
      `--kubelet-client-key=${join(group.dir, 'control-plane/admin.key')}`,
    ],
  });
  const certs = plane.certDir;
  const dir = join(group.dir, 'node');
  mkdirSync(dir, { recursive: true });
  mkdirSync(STATE, { recursive: true });

  // containerd: the CRI runtime, its state under STATE, CNI from Debian's containernetworking-plugins.
  const socket = join(STATE, 'containerd.sock');
  const cniConfDir = join(STATE, 'cni');
  mkdirSync(cniConfDir, { recursive: true });
  writeFileSync(
    join(cniConfDir, '10-ddbr.conflist'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'ddbr',
      plugins: [
        {
          type: 'bridge',
          bridge: BRIDGE,
          isGateway: true,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(STATE, 'ipam') },
        },
      ],
    }),
  );
  const containerdConfig = join(dir, 'containerd.toml');
  writeFileSync(
    containerdConfig,
    `version = 3
root = "${join(STATE, 'containerd')}"
state = "${join(STATE, 'containerd-state')}"
[grpc]
  address = "${socket}"
[plugins.'io.containerd.nri.v1.nri']
  disable = true
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "${tools.pauseImage}"
[plugins.'io.containerd.cri.v1.runtime']
  # The VM lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below the runtime's own.
  restrict_oom_score_adj = true
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = false
[plugins.'io.containerd.cri.v1.runtime'.cni]
  bin_dirs = ["/usr/lib/cni"]
  conf_dir = "${cniConfDir}"
`,
  );
  const containerd = group.start('containerd', join(tools.containerdDir, 'containerd'), ['--config', containerdConfig], {
    ...process.env,
    PATH: `${tools.containerdDir}:${process.env.PATH ?? ''}`,
  });
  const ctr = (...args: string[]) => run(join(tools.containerdDir, 'ctr'), '--address', socket, '--namespace', 'k8s.io', ...args);
  await waitFor('containerd', () => {
    if (containerd.child.exitCode !== null) throw new Error(`containerd exited; see ${containerd.logFile}`);
    ctr('version');
    return Promise.resolve(true);
  }, 30_000);
  const importImage = (archive: string) => void ctr('images', 'import', archive);
  importImage(tools.pauseArchive);

  // The node's components authenticate as the cluster admin: one client certificate, no bootstrap or node authorizer.
  const kubeconfig = plane.adminKubeconfig;
  const kubeletConfig = join(dir, 'kubelet.yaml');
  writeFileSync(
    kubeletConfig,
    stringify({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      // The VM's hosts use cgroup v1, without systemd.
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      containerRuntimeEndpoint: `unix://${socket}`,
      address: NODE_ADDRESS,
      port: 10250,
      readOnlyPort: 0,
      healthzPort: 0,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: join(certs, 'ca.crt') } },
      authorization: { mode: 'AlwaysAllow' },
      failSwapOn: false,
      // A shared developer machine: neither evict pods nor collect the images imported without a registry.
      evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '0%', 'imagefs.available': '0%' },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
    }),
  );
  const kubelet = group.start('kubelet', join(tools.kubeDir, 'kubelet'), [
    `--config=${kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${join(STATE, 'kubelet')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${NODE_ADDRESS}`,
    '--v=1',
  ]);

  group.start('kube-controller-manager', join(tools.kubeDir, 'kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    `--root-ca-file=${join(certs, 'ca.crt')}`,
    `--service-account-private-key-file=${join(certs, 'sa.key')}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--controllers=*,-nodeipam,-cloud-node-lifecycle',
    '--v=1',
  ]);
  group.start('kube-scheduler', join(tools.kubeDir, 'kube-scheduler'), [
    `--kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--v=1',
  ]);
  const proxyConfig = join(dir, 'kube-proxy.yaml');
  writeFileSync(
    proxyConfig,
    stringify({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      mode: 'iptables',
      clientConnection: { kubeconfig },
      hostnameOverride: NODE_NAME,
      clusterCIDR: POD_SUBNET,
      healthzBindAddress: '',
      metricsBindAddress: '',
      // 0: leave the host's conntrack sysctls alone; no NodePorts on 127.0.0.1 (that would set route_localnet).
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      iptables: { localhostNodePorts: false },
    }),
  );
  group.start('kube-proxy', join(tools.kubeDir, 'kube-proxy'), [`--config=${proxyConfig}`, '--v=1']);

  await waitFor('the node to be Ready', () => {
    if (kubelet.child.exitCode !== null) throw new Error(`kubelet exited; see ${kubelet.logFile}`);
    const ready = run(join(tools.kubeDir, 'kubectl'), '--kubeconfig', kubeconfig, 'get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}');
    return Promise.resolve(ready === 'True');
  }, 120_000, 500);

  return {
    adminKubeconfig: kubeconfig,
    importImage,
    stop: async () => {
      await group.stopAll();
      restoreHost();
    },
  };
}

/** The tools as hack/node/provision.sh caches them under the Makefile's tools dir. */
export function nodeTools(toolsDir: string, kubeVersion: string, containerdVersion: string): NodeTools {
  const tools = {
    kubeDir: join(toolsDir, `kube-${kubeVersion}`),
    containerdDir: join(toolsDir, `containerd-${containerdVersion}`),
    pauseArchive: join(toolsDir, 'images', `pause-${kubeVersion}.tar`),
    pauseImage: `localhost/ddbr/pause:${kubeVersion}`,
  };
  for (const file of [join(tools.kubeDir, 'kubelet'), join(tools.containerdDir, 'containerd'), tools.pauseArchive]) {
    if (!existsSync(file)) throw new Error(`${file} not found: run \`make node-tools\``);
  }
  return tools;
}
