// Argo CD on the one-node cluster: the application controller and the repo server hack/argocd/build.sh builds, and
// Debian's redis-server, run as host processes in the test bed's process group (so a killed run leaves none behind).
// The controller talks to the cluster with the admin kubeconfig; ARGOCD_FAKE_IN_CLUSTER=true makes the in-cluster
// destination https://kubernetes.default.svc that kubeconfig's cluster, as Argo CD's own Procfile runs it outside a
// pod. Installed as a user installs it: Argo CD's CRDs, its argocd-cm and argocd-secret in namespace argocd, then the
// health checks with deploy/argocd/README.md's own command. A team's repository is a bare Git repository on this
// host, which the repo server reads by file:// URL.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { freePort, waitFor, type Started } from '../../support/processes.ts';
import { REPO, type TestBed } from '../../support/testbed.ts';

export const ARGOCD_NAMESPACE = 'argocd';
const README = join(REPO, 'deploy/argocd/README.md');

/** The fields of an Application the tests read. */
export interface Application {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: {
    health?: { status?: string };
    sync?: { status?: string; revision?: string };
    resources?: Array<{ kind: string; name: string; namespace?: string; status?: string; health?: { status?: string; message?: string } }>;
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
      operation?: { sync?: { revision?: string } };
      retryCount?: number;
      syncResult?: { revision?: string; resources?: Array<{ kind: string; name: string; status?: string; message?: string }> };
    };
  };
}

export interface ArgoCd {
  /** A bare repository with one commit-and-push helper, read by the repo server at `url`. */
  repository(name: string): TeamRepository;
  application(name: string): Promise<Application>;
  /** Polls the Application until done(app); onEach sees every version read. */
  waitForApplication(name: string, what: string, done: (app: Application) => boolean, timeoutMs?: number, onEach?: (app: Application) => void): Promise<Application>;
  /**
   * Asks for a refresh (the argocd.argoproj.io/refresh annotation, as the UI's Refresh button sets it) and waits until
   * the controller has done it. normal: compare again with the live objects; hard: read Git again, bypassing caches.
   */
  refresh(name: string, kind: 'normal' | 'hard'): Promise<Application>;
  /**
   * Ends the running operation as `argocd app terminate-op` does (operationState.phase Terminating; the Application
   * CRD has no status subresource) and waits until the controller has stopped it.
   */
  terminateOperation(name: string): Promise<Application>;
  /** Starts a sync of revision (an Application's operation field, as the argocd CLI writes it) and waits until it ends. */
  sync(name: string, revision: string): Promise<Application>;
}

export interface TeamRepository {
  /** file:// URL of the bare repository. */
  url: string;
  /** Writes (or, for null, removes) files, commits and pushes to main; resolves to the new commit's SHA. */
  commit(message: string, files: Record<string, string | null>): Promise<string>;
}

let started: Promise<ArgoCd> | undefined;

/** Installs and starts Argo CD once per run, on the bed's cluster. */
export function argoCd(bed: TestBed): Promise<ArgoCd> {
  started ??= start(bed);
  return started;
}

/** The README's shell block that installs the health checks into argocd-cm. */
export function readmeInstallCommand(): string {
  const block = /Install both in `argocd-cm`[\s\S]*?```sh\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
  if (!block) throw new Error(`${README} has no install command block`);
  return block;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitListening(started: Started, port: number): Promise<void> {
  const exited = started.exited.then(() => Promise.reject(new Error(`${started.name} exited; see ${started.logFile}`)));
  await Promise.race([waitFor(`${started.name} to listen on ${port}`, () => listening(port), 60_000), exited]);
  exited.catch(() => undefined);
}

async function start(bed: TestBed): Promise<ArgoCd> {
  const dir = process.env.TESTBED_ARGOCD_DIR;
  if (!dir) throw new Error('TESTBED_ARGOCD_DIR is not set: run the cluster suites through `make e2e-cluster`');
  const { group } = bed;
  const run = promisify(execFile);
  const kubectl = (...args: string[]) => bed.kubectl(...args);

  // Argo CD's CRDs and the configuration objects its install manifest carries (argocd-cm, argocd-secret).
  for (const file of readdirSync(join(dir, 'crds'))) await bed.apply(readFileSync(join(dir, 'crds', file), 'utf8'));
  await waitFor('Argo CD\'s CRDs to be established', async () => {
    const established = await kubectl('get', 'crd', 'applications.argoproj.io', 'appprojects.argoproj.io', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Established")].status}');
    return established === 'True True';
  }, 60_000);
  await kubectl('create', 'namespace', ARGOCD_NAMESPACE);
  const labels = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'argocd' });
  await bed.apply(
    [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE, labels: labels('argocd-cm') } },
      { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'argocd-secret', namespace: ARGOCD_NAMESPACE, labels: labels('argocd-secret') } },
    ].map((o) => stringify(o)).join('---\n'),
  );
  // The health checks, exactly as the README tells a user to install them (kubectl and jq, from the repository root).
  await run('bash', ['-euo', 'pipefail', '-c', readmeInstallCommand()], { cwd: REPO, env: { ...process.env, KUBECONFIG: bed.adminKubeconfig } });

  const work = join(group.dir, 'argocd');
  mkdirSync(work, { recursive: true });
  // Argo CD's scratch (clones, TLS and SSH data, the repo server's askpass socket, which defaults to a fixed path in
  // /tmp) under the run's directory, removed with it.
  const env = {
    ...process.env,
    TMPDIR: work,
    ARGOCD_TLS_DATA_PATH: join(work, 'tls'),
    ARGOCD_SSH_DATA_PATH: join(work, 'ssh'),
    ARGOCD_ASK_PASS_SOCK: join(work, 'ask-pass.sock'),
    ARGOCD_GPG_ENABLED: 'false',
    // The scripts the image installs beside the binary (git-verify-wrapper.sh), as hack/argocd/build.sh copies them.
    PATH: `${dir}:${process.env.PATH ?? ''}`,
  };
  for (const d of ['tls', 'ssh']) mkdirSync(join(work, d), { recursive: true });

  const [redisPort, repoPort, repoMetricsPort, controllerMetricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const redis = group.start('redis-server', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', work]);
  await waitListening(redis, redisPort);
  const repoServer = group.start('argocd-repo-server', join(dir, 'argocd-repo-server'), [
    '--address=127.0.0.1',
    `--port=${repoPort}`,
    '--metrics-address=127.0.0.1',
    `--metrics-port=${repoMetricsPort}`,
    `--redis=127.0.0.1:${redisPort}`,
    // Plaintext on loopback; the client CA path must be emptied too (its default names the mTLS Secret's mount).
    '--disable-tls',
    '--client-ca-path=',
  ], env);
  await waitListening(repoServer, repoPort);
  const controller = group.start('argocd-application-controller', join(dir, 'argocd-application-controller'), [
    `--kubeconfig=${bed.adminKubeconfig}`,
    `--namespace=${ARGOCD_NAMESPACE}`,
    `--redis=127.0.0.1:${redisPort}`,
    `--repo-server=127.0.0.1:${repoPort}`,
    '--repo-server-plaintext',
    `--metrics-port=${controllerMetricsPort}`,
    // Each resource's health (and the health check's message) on the Application, where the tests read it; without
    // it Argo CD keeps them in Redis for its API server and UI, which this suite does not run.
    '--persist-resource-health',
  ], { ...env, ARGOCD_FAKE_IN_CLUSTER: 'true', KUBECONFIG: bed.adminKubeconfig });
  await waitListening(controller, controllerMetricsPort);

  const api = bed.kubeConfig.makeApiClient(CustomObjectsApi);
  const application = async (name: string) =>
    (await api.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: ARGOCD_NAMESPACE, plural: 'applications', name })) as Application;
  const waitForApplication: ArgoCd['waitForApplication'] = async (name, what, done, timeoutMs = 90_000, onEach) => {
    let last: Application | undefined;
    await waitFor(`Application ${name} ${what}`, async () => {
      if (controller.child.exitCode !== null) throw new Error(`the application controller exited; see ${controller.logFile}`);
      last = await application(name).catch((err: unknown) => {
        if (err instanceof ApiException && err.code === 404) return undefined;
        throw err;
      });
      if (last) onEach?.(last);
      return last !== undefined && done(last);
    }, timeoutMs, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlast seen status: ${JSON.stringify(last?.status)}`);
    });
    if (!last) throw new Error('unreachable');
    return last;
  };

  return {
    repository: (name) => repository(join(work, 'git'), name),
    application,
    waitForApplication,
    refresh: async (name, kind) => {
      await kubectl('annotate', '-n', ARGOCD_NAMESPACE, 'application', name, `argocd.argoproj.io/refresh=${kind}`, '--overwrite');
      return waitForApplication(name, `to be refreshed (${kind})`, (app) => app.metadata.annotations?.['argocd.argoproj.io/refresh'] === undefined);
    },
    terminateOperation: async (name) => {
      await kubectl('patch', '-n', ARGOCD_NAMESPACE, 'application', name, '--type', 'merge', '-p', JSON.stringify({ status: { operationState: { phase: 'Terminating' } } }));
      return waitForApplication(name, 'to stop its operation', (app) => ['Failed', 'Error'].includes(app.status?.operationState?.phase ?? ''));
    },
    sync: async (name, revision) => {
      const before = (await application(name)).status?.operationState?.startedAt;
      const operation = { operation: { initiatedBy: { username: 'cluster-suite' }, sync: { revision } } };
      await kubectl('patch', '-n', ARGOCD_NAMESPACE, 'application', name, '--type', 'merge', '-p', JSON.stringify(operation));
      return waitForApplication(name, `to finish syncing ${revision}`, (app) => {
        const state = app.status?.operationState;
        return state?.startedAt !== before && ['Succeeded', 'Failed', 'Error'].includes(state?.phase ?? '');
      });
    },
  };
}

function repository(root: string, name: string): TeamRepository {
  const bare = join(root, `${name}.git`);
  const clone = join(root, `${name}-work`);
  mkdirSync(root, { recursive: true });
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=cluster-suite', '-c', 'user.email=cluster-suite@example.invalid', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, 'init', '--quiet', '--initial-branch=main', clone);
  git(clone, 'remote', 'add', 'origin', bare);
  return {
    url: `file://${bare}`,
    commit: (message, files) => {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) rmSync(join(clone, path));
        else {
          mkdirSync(join(clone, path, '..'), { recursive: true });
          writeFileSync(join(clone, path), content);
        }
      }
      git(clone, 'add', '--all');
      git(clone, 'commit', '--quiet', '-m', message);
      git(clone, 'push', '--quiet', 'origin', 'HEAD:main');
      return Promise.resolve(git(clone, 'rev-parse', 'HEAD').trim());
    },
  };
}

/** deploy/argocd's AppProject and Application, pointed at a repository and a team namespace instead of team-a's. */
export function teamManifests(repoURL: string, namespace: string): { project: string; application: string; name: string } {
  const read = (file: string) => parse(readFileSync(join(REPO, 'deploy/argocd', file), 'utf8')) as Record<string, unknown> & {
    metadata: { name: string };
    spec: Record<string, unknown>;
  };
  const project = read('appproject.yaml');
  project.spec.sourceRepos = [repoURL];
  (project.spec.destinations as Array<{ namespace: string }>).forEach((d) => (d.namespace = namespace));
  const application = read('application.yaml');
  (application.spec.source as { repoURL: string }).repoURL = repoURL;
  (application.spec.destination as { namespace: string }).namespace = namespace;
  return { project: stringify(project), application: stringify(application), name: application.metadata.name };
}
