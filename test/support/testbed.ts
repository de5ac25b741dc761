// The test bed: a Kubernetes API server (a local control plane, or whatever KUBECONFIG names when
// E2E_USE_KUBECONFIG=1), the CRDs and the operator's RBAC from deploy/, moto behind the fidelity proxy, and the
// operator itself as a child process running under its ServiceAccount's identity.
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/dynamodb-restore.ts';
import { POLICY_KIND, POLICY_PLURAL, type DynamoDBRestorePolicySpec } from '../../src/api/dynamodb-restore-policy.ts';
import { startControlPlane, kubeconfigYaml } from './control-plane.ts';
import { FidelityProxy } from './fidelity-proxy.ts';
import { freePort, ProcessGroup, waitFor, type Started } from './processes.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const REGION = 'us-east-1';
export const OPERATOR_NAMESPACE = 'dynamodb-restore-system';
export const OPERATOR_SERVICE_ACCOUNT = 'dynamodb-restore-operator';
/** The ClusterRole deploy/ ships for whoever scrapes /metrics (get on the non-resource URL). */
export const METRICS_READER_ROLE = 'dynamodb-restore-operator-metrics-reader';

/** Credentials moto accepts; never real ones. */
export const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION };

export interface OperatorProcess {
  process: Started;
  /** /healthz and /readyz, plain HTTP. */
  probeUrl: string;
  /** https://…/metrics, served only to a token RBAC lets read it. */
  metricsUrl: string;
  /** The Prometheus text, read as a scraper bound to the metrics-reader ClusterRole reads it; rejects on a non-200. */
  metrics(): Promise<string>;
  /** The kubeconfig it runs with: a ServiceAccount token. */
  kubeconfig: string;
}

export class TestBed {
  private constructor(
    readonly group: ProcessGroup,
    /** A cluster admin's kubeconfig file. */
    readonly adminKubeconfig: string,
    readonly kubeConfig: KubeConfig,
    readonly proxy: FidelityProxy,
  ) {}

  static async start(): Promise<TestBed> {
    const group = new ProcessGroup();
    let proxy: FidelityProxy | undefined;
    try {
      let adminKubeconfig: string;
      if (process.env.E2E_USE_KUBECONFIG === '1') {
        adminKubeconfig = process.env.KUBECONFIG ?? join(process.env.HOME ?? '', '.kube', 'config');
      } else {
        const assets = process.env.TESTBED_ASSETS;
        if (!assets) throw new Error('TESTBED_ASSETS is not set: run the tests through `make test`');
        adminKubeconfig = (await startControlPlane(group, assets)).adminKubeconfig;
      }
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(adminKubeconfig);
      proxy = await startEmulator(group);
      const bed = new TestBed(group, adminKubeconfig, kubeConfig, proxy);
      await bed.installCrds();
      await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/namespace.yaml'), 'utf8'));
      await bed.apply(readFileSync(join(REPO, 'deploy/kustomize/base/rbac.yaml'), 'utf8'));
      return bed;
    } catch (err) {
      await proxy?.stop();
      await group.stopAll();
      throw err;
    }
  }

  private bundle: Promise<string[]> | undefined;
  private scraper: Promise<void> | undefined;
  private scraperToken: { token: Promise<string>; renewAt: number } | undefined;

  /**
   * A token of the ServiceAccount "metrics-scraper" in the operator's namespace, bound to the metrics-reader
   * ClusterRole as a platform team binds its Prometheus (made once per bed). The same token while it has more than
   * half of its hour left, so the operator's authorizer answers repeated scrapes from what it remembers.
   */
  metricsToken(): Promise<string> {
    const name = 'metrics-scraper';
    this.scraper ??= (async () => {
      // Already there on a cluster an earlier run used (E2E_USE_KUBECONFIG=1): the same objects, kept.
      const created = (err: unknown) => {
        if (!(err instanceof ApiException && err.code === 409)) throw err;
      };
      await this.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace: OPERATOR_NAMESPACE, body: { metadata: { name } } }).catch(created);
      await this.kubeConfig.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
        body: {
          metadata: { name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: METRICS_READER_ROLE },
          subjects: [{ kind: 'ServiceAccount', name, namespace: OPERATOR_NAMESPACE }],
        },
      }).catch(created);
    })();
    if (!this.scraperToken || Date.now() >= this.scraperToken.renewAt) {
      const scraper = this.scraper;
      this.scraperToken = { token: scraper.then(() => this.serviceAccountToken(OPERATOR_NAMESPACE, name)), renewAt: Date.now() + 30 * 60_000 };
    }
    return this.scraperToken.token;
  }

  /**
   * The operator as the image runs it: compiled by tsconfig.build.json, with production dependencies only
   * (`npm ci --omit=dev`) in a clean directory, started with the image's Node flags. Built once per run; returns the
   * node arguments that start it (the script last).
   */
  productionBundle(): Promise<string[]> {
    this.bundle ??= (async () => {
      const app = join(this.group.dir, 'bundle');
      const run = promisify(execFile);
      await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(REPO, file), join(app, file));
      await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: app });
      // Node's flags as the image's ENTRYPOINT gives them (["node", ...flags, "dist/main.js"]).
      const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))?.[1];
      const flags = (JSON.parse(entrypoint ?? '[]') as string[]).filter((arg) => arg.startsWith('--'));
      return [...flags, join(app, 'dist/main.js')];
    })();
    return this.bundle;
  }

  get dynamodbEndpoint(): string {
    return this.proxy.endpoint;
  }

  /** Environment for an AWS SDK client talking to the emulator through the proxy. */
  get awsEnv(): Record<string, string> {
    return { ...EMULATOR_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: this.proxy.endpoint, AWS_ENDPOINT_URL_STS: this.proxy.endpoint, AWS_ENDPOINT_URL_BACKUP: this.proxy.endpoint };
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    await this.group.stopAll();
  }

  /** Runs kubectl as the cluster admin; resolves to its standard output, rejects with its stderr on failure. */
  async kubectl(...args: string[]): Promise<string> {
    return (await promisify(execFile)(kubectlBinary(), ['--kubeconfig', this.adminKubeconfig, ...args])).stdout;
  }

  /** Creates (or replaces) every object of a multi-document YAML. */
  async apply(yamlText: string): Promise<void> {
    const api = KubernetesObjectApi.makeApiClient(this.kubeConfig);
    // loadAllYaml turns raw YAML into the client's model objects; handing it raw objects would silently drop
    // fields whose JSON name differs from the model's (enum, x-kubernetes-validations, ...).
    for (const obj of loadAllYaml(yamlText) as Array<KubernetesObject | null>) {
      if (!obj) continue;
      try {
        await api.create(obj);
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 409)) throw err;
        const existing = await api.read(obj as KubernetesObject & { metadata: { name: string } });
        await api.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion } });
      }
    }
  }

  /**
   * A team's namespace, onboarded as a platform team would: with a DynamoDBRestorePolicy (named tenant-<namespace>)
   * that governs it and restricts nothing, since the operator restores only in governed namespaces. governed: false
   * leaves it ungoverned.
   */
  async createNamespace(name: string, { governed = true }: { governed?: boolean } = {}): Promise<void> {
    await this.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    if (governed) await this.createPolicy(`tenant-${name}`, { namespaces: [name] });
  }

  /**
   * A team's deployer in its namespace, as deploy/tenancy sets one up: a ServiceAccount bound to the shipped tenant
   * role and nothing else. Its kubeconfig authenticates with a real token, so RBAC judges every call it makes.
   */
  async tenantKubeConfig(namespace: string, serviceAccount = 'deployer'): Promise<KubeConfig> {
    await this.apply(readFileSync(join(REPO, 'deploy/tenancy/tenant-role.yaml'), 'utf8'));
    await this.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount } } });
    await this.kubeConfig.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: `${serviceAccount}-restores` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dynamodb-restore-tenant' },
        subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
      },
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(await this.serviceAccountKubeconfig(namespace, serviceAccount));
    return kubeConfig;
  }

  async createPolicy(name: string, spec: DynamoDBRestorePolicySpec): Promise<void> {
    await this.kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: POLICY_PLURAL,
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: POLICY_KIND, metadata: { name }, spec },
    });
  }

  /**
   * A kubeconfig holding a real token of a ServiceAccount (TokenRequest), so whatever uses it is authorized by
   * RBAC exactly as that ServiceAccount would be in a cluster.
   */
  async serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    const token = await this.serviceAccountToken(namespace, name);
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('admin kubeconfig has no cluster');
    const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : '');
    const file = join(this.group.dir, `${namespace}.${name}.kubeconfig`);
    writeFileSync(file, kubeconfigYaml(cluster.server, caData, { token }));
    return file;
  }

  /** A real token of a ServiceAccount (TokenRequest), for the API server's audience, valid an hour. */
  async serviceAccountToken(namespace: string, name: string): Promise<string> {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    const token = await core.createNamespacedServiceAccountToken({
      namespace,
      name,
      body: { spec: { expirationSeconds: 3600, audiences: [] } },
    });
    return token.status?.token ?? '';
  }

  /**
   * Starts the operator as the ServiceAccount deploy/ grants it: node + tsx on src/main.ts, or another entry point
   * (the compiled production bundle).
   */
  async startOperator(env: Record<string, string> = {}, args = ['--import', 'tsx', join(REPO, 'src/main.ts')]): Promise<OperatorProcess> {
    const kubeconfig = await this.serviceAccountKubeconfig(OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT);
    const port = await freePort();
    const metricsPort = await freePort();
    const started = this.group.start('operator', process.execPath, args, {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: kubeconfig,
      PROBE_ADDRESS: `127.0.0.1:${port}`,
      METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      LOG_LEVEL: 'debug',
      LEADER_ELECTION_NAMESPACE: OPERATOR_NAMESPACE,
      // A lease per watched namespace, so suites' operators do not wait on each other's.
      LEADER_ELECTION_ID: `ddbr-${(env.WATCH_NAMESPACES ?? 'all').replaceAll(',', '.')}`,
      // c8 collects the operator's coverage too when the tests run under it.
      ...(process.env.NODE_V8_COVERAGE && { NODE_V8_COVERAGE: process.env.NODE_V8_COVERAGE }),
      ...this.awsEnv,
      ...env,
    });
    const probeUrl = `http://127.0.0.1:${port}`;
    await waitFor('the operator to be ready', async () => {
      if (started.child.exitCode !== null) throw new Error(`operator exited; see ${started.logFile}`);
      return (await httpStatus(`${probeUrl}/readyz`)) === 200;
    }, 30_000);
    const metricsUrl = `https://127.0.0.1:${metricsPort}/metrics`;
    const metrics = async () => {
      const answer = await httpsGetText(metricsUrl, { authorization: `Bearer ${await this.metricsToken()}` });
      if (answer.status !== 200) throw new Error(`GET ${metricsUrl}: ${answer.status} ${answer.body}`);
      return answer.body;
    };
    return { process: started, probeUrl, metricsUrl, metrics, kubeconfig };
  }

  private async installCrds(): Promise<void> {
    const dir = join(REPO, 'crds');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
      await this.apply(readFileSync(join(dir, file), 'utf8'));
    }
    const api = this.kubeConfig.makeApiClient(ApiextensionsV1Api);
    await waitFor('CRDs to be established', async () => {
      const crds = await api.listCustomResourceDefinition();
      return crds.items
        .filter((c: V1CustomResourceDefinition) => c.spec.group === 'dynamodb.restore.dev')
        .every((c: V1CustomResourceDefinition) => c.status?.conditions?.some((k) => k.type === 'Established' && k.status === 'True'));
    }, 30_000);
  }
}

/** kubectl as a person runs it: the test bed's own, or the one on PATH when the suite targets another cluster. */
export function kubectlBinary(): string {
  const assets = process.env.TESTBED_ASSETS;
  return assets && process.env.E2E_USE_KUBECONFIG !== '1' ? join(assets, 'kubectl') : 'kubectl';
}

/** An HTTPS GET that accepts the operator's self-signed certificate (what a scrape config's insecure_skip_verify does). */
export function httpsGetText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    httpGet(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

async function startEmulator(group: ProcessGroup): Promise<FidelityProxy> {
  const motoServer = process.env.TESTBED_MOTO_SERVER;
  if (!motoServer) throw new Error('TESTBED_MOTO_SERVER is not set: run the tests through `make test`');
  const port = await freePort();
  const moto = group.start('moto', motoServer, ['-H', '127.0.0.1', '-p', String(port)], { ...process.env, ...EMULATOR_CREDENTIALS });
  const upstream = `http://127.0.0.1:${port}`;
  await waitFor('moto', async () => {
    if (moto.child.exitCode !== null) throw new Error(`moto exited; see ${moto.logFile}`);
    return (await httpStatus(`${upstream}/moto-api/`)) === 200;
  }, 30_000);
  const proxy = new FidelityProxy(upstream);
  await proxy.start();
  return proxy;
}
