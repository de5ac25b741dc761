// What a one-node cluster run leaves on the host: nothing. A node that ran a pod (so the bridge, a network namespace,
// mounts, pod cgroups, iptables rules and the kubelet's sysctls all exist) is stopped normally, or its runner is
// killed with SIGKILL and the next run cleans up; either way the host is as it was before. Needs root and the node's
// tools; runs under `make e2e-cluster` after the cluster suites, on a host without a node running.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../support/testbed.ts';
import { waitFor } from '../../support/processes.ts';

const { TOOLS_DIR, KUBE_VERSION } = process.env;
const SYSCTLS = ['vm.overcommit_memory', 'vm.panic_on_oom', 'kernel.panic', 'kernel.panic_on_oops', 'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.route_localnet'];
const DIRS = ['/var/lib/ddbr-node', '/var/lib/cni', '/var/log/pods', '/var/log/containers', '/run/netns', '/var/lib/kubelet', '/run/containerd'];

const sh = (command: string, ...args: string[]) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/** Everything of the host a node touches, as text to compare. */
function hostState(): Record<string, string> {
  const cgroupDirs = readdirSync('/sys/fs/cgroup').flatMap((controller) => {
    const dir = join('/sys/fs/cgroup', controller);
    return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${controller}/${e.name}`) : [];
  });
  return {
    links: sh('ip', '-o', 'link', 'show').replace(/^\d+: /gm, '').replace(/ link\/\S+ \S+ brd \S+/g, ''),
    addresses: sh('ip', '-o', 'addr', 'show').replace(/^\d+: /gm, ''),
    routes: sh('ip', 'route', 'show', 'table', 'all'),
    // Without the counters and the "Generated ... on <date>" comments.
    iptables: sh('iptables-save').replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, ''),
    ip6tables: sh('ip6tables-save').replace(/^#.*\n/gm, '').replace(/\[\d+:\d+\]/g, ''),
    nftables: sh('nft', 'list', 'ruleset'),
    mounts: readFileSync('/proc/self/mounts', 'utf8'),
    cgroups: cgroupDirs.sort().join('\n'),
    sysctls: SYSCTLS.map((key) => `${key}=${sh('sysctl', '-n', key).trim()}`).join('\n'),
    dirs: DIRS.filter((d) => existsSync(d)).join('\n'),
  };
}

/** The runner make e2e-cluster uses, running `command` against a fresh node with a pod of the pause image. */
function runNode(command: string) {
  const pause = `localhost/ddbr/pause:${KUBE_VERSION ?? ''}`;
  const script = `kubectl run pause --image=${pause} --image-pull-policy=Never && kubectl wait --for=condition=Ready pod/pause --timeout=120s && ${command}`;
  return spawn(process.execPath, ['--import', 'tsx', join(REPO, 'hack/node/cluster.ts'), join(TOOLS_DIR ?? '', 'images', `pause-${KUBE_VERSION ?? ''}.tar`), '--', 'bash', '-c', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('cluster host: a node run leaves the host as it was', function () {
  this.timeout(300_000);
  let before: Record<string, string>;

  beforeEach(function () {
    if (!TOOLS_DIR || !KUBE_VERSION || process.getuid?.() !== 0) this.skip();
    before = hostState();
  });

  it('after a run that ran a pod and stopped normally: links, addresses, routes, iptables/nftables, mounts, cgroups, sysctls and directories are unchanged', async () => {
    const runner = runNode('ip link show ddbr-br0 >/dev/null && echo pod-networked');
    let output = '';
    runner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => runner.once('exit', resolve));
    assert.equal(code, 0);
    assert.match(output, /pod-networked/, 'the pod ran on the node bridge');
    assert.deepEqual(hostState(), before);
  });

  it('after a runner killed with SIGKILL while its pod runs, the next run puts the host back: the same state as before either run', async () => {
    const runner = runNode('echo pod-running $$ && exec sleep 600');
    let output = '';
    runner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor('the pod to run', () => Promise.resolve(output.includes('pod-running')), 240_000);
    runner.kill('SIGKILL');
    await new Promise((resolve) => runner.once('exit', resolve));
    // The runner's command (sleep), which outlives it like any orphan; the node's processes are left for the next run.
    process.kill(Number(/pod-running (\d+)/.exec(output)?.[1]), 'SIGKILL');
    assert.notDeepEqual(hostState(), before, 'the killed run left its node behind');

    const next = runNode('true');
    const code = await new Promise<number | null>((resolve) => next.once('exit', resolve));
    assert.equal(code, 0);
    assert.deepEqual(hostState(), before);
  });
});
