// Runs a command against a real one-node cluster, as `kind create cluster && <command> && kind delete cluster` does:
// starts the node (test/cluster/support/node.ts), imports the operator's image, runs the command with KUBECONFIG
// naming the cluster, E2E_USE_KUBECONFIG=1 and kubectl on PATH, then stops the node and puts the host back.
//   node --import tsx hack/node/cluster.ts <image-archive> -- <command> [args...]
// Reads TOOLS_DIR, KUBE_VERSION and CONTAINERD_VERSION from the environment (the Makefile sets them).
import { spawn } from 'node:child_process';
import { ProcessGroup } from '../../test/support/processes.ts';
import { NODE_ADDRESS, nodeTools, startNode } from '../../test/cluster/support/node.ts';

const [archive, separator, command, ...args] = process.argv.slice(2);
const { TOOLS_DIR, KUBE_VERSION, CONTAINERD_VERSION } = process.env;
if (!archive || separator !== '--' || !command || !TOOLS_DIR || !KUBE_VERSION || !CONTAINERD_VERSION) {
  console.error('usage: TOOLS_DIR=… KUBE_VERSION=… CONTAINERD_VERSION=… cluster.ts <image-archive> -- <command> [args...]');
  process.exit(2);
}

const tools = nodeTools(TOOLS_DIR, KUBE_VERSION, CONTAINERD_VERSION);
const group = new ProcessGroup();
const startedAt = Date.now();
const node = await startNode(group, tools);
console.error(`Node Ready ${((Date.now() - startedAt) / 1000).toFixed(1)} s after start; importing ${archive}`);

let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= node.stop());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));

let status: number;
try {
  node.importImage(archive);
  const child = spawn(command, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      KUBECONFIG: node.adminKubeconfig,
      E2E_USE_KUBECONFIG: '1',
      PATH: `${tools.kubeDir}:${process.env.PATH ?? ''}`,
      CLUSTER_NODE_ADDRESS: NODE_ADDRESS,
    },
  });
  status = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
} finally {
  await stop();
}
process.exit(status);
