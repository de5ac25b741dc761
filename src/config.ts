// Operator configuration: every setting as an environment variable (what the Deployment and the Helm chart set)
// and as a command-line flag (which wins), validated at start with a message naming the setting.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { LeaderElectionOptions } from './runtime/leader-election.ts';

/** Each setting's environment variable and its flag; the README's configuration table lists the same. */
export const CONFIG_FLAGS = {
  WATCH_NAMESPACES: 'watch-namespaces',
  AWS_REGION: 'region',
  CLUSTER_NAME: 'cluster-name',
  MAX_CONCURRENT_RECONCILES: 'max-concurrent-reconciles',
  RESYNC_PERIOD_SECONDS: 'resync-period-seconds',
  POLL_MIN_SECONDS: 'poll-min-seconds',
  POLL_MAX_SECONDS: 'poll-max-seconds',
  MAX_RESTORES_IN_PROGRESS: 'max-restores-in-progress',
  AWS_CALLS_PER_SECOND: 'aws-calls-per-second',
  AWS_CALL_BURST: 'aws-call-burst',
  ALLOW_UNGOVERNED_NAMESPACES: 'allow-ungoverned-namespaces',
  SCHEDULE_MIN_INTERVAL_SECONDS: 'schedule-min-interval-seconds',
  LEADER_ELECT: 'leader-elect',
  LEADER_ELECTION_NAMESPACE: 'leader-election-namespace',
  LEADER_ELECTION_ID: 'leader-election-id',
  LEADER_ELECTION_LEASE_SECONDS: 'leader-election-lease-seconds',
  LEADER_ELECTION_RENEW_DEADLINE_SECONDS: 'leader-election-renew-deadline-seconds',
  LEADER_ELECTION_RETRY_PERIOD_SECONDS: 'leader-election-retry-period-seconds',
  POD_NAME: 'pod-name',
  PROBE_ADDRESS: 'probe-address',
  METRICS_ADDRESS: 'metrics-address',
  METRICS_CERT_DIR: 'metrics-cert-dir',
  METRICS_NAMESPACE_LABELS: 'metrics-namespace-labels',
  LOG_LEVEL: 'log-level',
  LOG_FORMAT: 'log-format',
} as const;

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

export interface Config {
  /** Namespaces to watch; empty: all. */
  watchNamespaces: string[];
  /** Region for resources without spec.region; undefined: the SDK's default chain (AWS_REGION, profile, IMDS). */
  defaultRegion: string | undefined;
  /**
   * This cluster's name towards AWS: the ExternalId and a session tag of every role assumed for spec.credentials.
   * undefined: no role is assumed (a resource with spec.credentials fails, ClusterNameRequired).
   */
  clusterName: string | undefined;
  maxConcurrentReconciles: number;
  resyncPeriodMs: number;
  logLevel: string;
  /** json for clusters, text for a person at a terminal. */
  logFormat: 'json' | 'text';
  /** Address of /healthz and /readyz, plain HTTP. */
  probeAddress: { host: string; port: number };
  /** Address of /metrics: HTTPS, for bearer tokens the Kubernetes API authorizes. */
  metricsAddress: { host: string; port: number };
  /** Directory holding the metrics certificate (tls.crt, tls.key); undefined: a self-signed one. */
  metricsCertDir: string | undefined;
  /** Restore metrics label this many distinct namespaces by name; the rest read "other". */
  metricsNamespaceLabels: number;
  pollMinMs: number;
  pollMaxMs: number;
  /** Restores in progress at once per account and Region (AWS allows 50); the rest wait, Queued. */
  maxRestoresInProgress: number;
  /** DynamoDB control-plane calls per account and Region; undefined: unlimited (AWS_CALLS_PER_SECOND=0). */
  awsRateLimit: { perSecond: number; burst: number } | undefined;
  /** Restore in namespaces no DynamoDBRestorePolicy governs; off (default-deny) but for single-team installs. */
  allowUngovernedNamespaces: boolean;
  /** A DynamoDBRestoreSchedule whose runs come closer together than this is refused: each run is a restore. */
  scheduleMinIntervalMs: number;
  /** One active replica at a time, chosen through a Lease; off only for a single replica. */
  leaderElection: { enabled: boolean } & Pick<
    LeaderElectionOptions,
    'namespace' | 'name' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
  >;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Characters both STS's ExternalId ([\w+=,.@:/-]) and its session tag values (letters, digits, spaces and
 * _.:/=+-@) accept, without "/" (the ExternalId's separator before the namespace); EKS's own cluster names fit.
 */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:=+@-]{0,99}$/;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

/** A duration in seconds, fractions allowed (1.5), as milliseconds. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a number of seconds > 0, got "${raw}"`);
  return Math.round(value * 1000);
}

/** A host:port setting ([::1]:8080 for IPv6). */
function address(env: NodeJS.ProcessEnv, name: string, fallback: string): { host: string; port: number } {
  const raw = env[name] ?? fallback;
  const match = /^\[?([^\]]*)\]?:(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new ConfigError(`${name} must be host:port, got "${raw}"`);
  return { host: match[1] ?? '', port };
}

/** The namespace the pod runs in, from its ServiceAccount mount. */
function podNamespace(): string | undefined {
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The settings given as flags, keyed by their environment variable. */
function flags(argv: string[]): NodeJS.ProcessEnv {
  const options = Object.fromEntries(Object.values(CONFIG_FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}; the flags are --${Object.values(CONFIG_FLAGS).join(', --')}`);
  }
  return Object.fromEntries(
    Object.entries(CONFIG_FLAGS)
      .filter(([, flag]) => typeof values[flag] === 'string')
      .map(([name, flag]) => [name, values[flag] as string]),
  );
}

export function loadConfig(environment: NodeJS.ProcessEnv, argv: string[] = []): Config {
  const env = { ...environment, ...flags(argv) };
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const logFormat = env.LOG_FORMAT || 'json';
  if (logFormat !== 'json' && logFormat !== 'text') throw new ConfigError(`LOG_FORMAT must be json or text, got "${logFormat}"`);
  const leaderElect = boolean(env, 'LEADER_ELECT', true);
  const allowUngovernedNamespaces = boolean(env, 'ALLOW_UNGOVERNED_NAMESPACES', false);
  const probeAddress = address(env, 'PROBE_ADDRESS', '0.0.0.0:8080');
  const metricsAddress = address(env, 'METRICS_ADDRESS', '0.0.0.0:8443');
  // Probes are plain HTTP for the kubelet, metrics HTTPS with authentication: one port cannot be both.
  if (probeAddress.port === metricsAddress.port) throw new ConfigError(`METRICS_ADDRESS and PROBE_ADDRESS need different ports, both are ${probeAddress.port}`);
  const pollMinMs = integer(env, 'POLL_MIN_SECONDS', 2, 1) * 1000;
  const pollMaxMs = integer(env, 'POLL_MAX_SECONDS', 120, 1) * 1000;
  if (pollMinMs > pollMaxMs) throw new ConfigError('POLL_MIN_SECONDS must not be greater than POLL_MAX_SECONDS');
  const callsPerSecond = integer(env, 'AWS_CALLS_PER_SECOND', 10, 0);
  // client-go's defaults (15/10/2 s) scaled down: a dead leader is replaced within about 11 s.
  const leaseDurationMs = seconds(env, 'LEADER_ELECTION_LEASE_SECONDS', 8);
  const renewDeadlineMs = seconds(env, 'LEADER_ELECTION_RENEW_DEADLINE_SECONDS', 5);
  const retryPeriodMs = seconds(env, 'LEADER_ELECTION_RETRY_PERIOD_SECONDS', 1.5);
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new ConfigError('leader election needs LEADER_ELECTION_RETRY_PERIOD_SECONDS < LEADER_ELECTION_RENEW_DEADLINE_SECONDS < LEADER_ELECTION_LEASE_SECONDS');
  }
  const clusterName = env.CLUSTER_NAME || undefined;
  if (clusterName !== undefined && !CLUSTER_NAME.test(clusterName)) {
    throw new ConfigError(`CLUSTER_NAME must be 1 to 100 letters, digits or _.:=+@- starting with a letter or digit, got "${clusterName}"`);
  }
  return {
    watchNamespaces: (env.WATCH_NAMESPACES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    defaultRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    clusterName,
    maxConcurrentReconciles: integer(env, 'MAX_CONCURRENT_RECONCILES', 10, 1),
    resyncPeriodMs: integer(env, 'RESYNC_PERIOD_SECONDS', 600, 10) * 1000,
    logLevel,
    logFormat,
    probeAddress,
    metricsAddress,
    metricsCertDir: env.METRICS_CERT_DIR || undefined,
    metricsNamespaceLabels: integer(env, 'METRICS_NAMESPACE_LABELS', 50, 0),
    pollMinMs,
    pollMaxMs,
    maxRestoresInProgress: integer(env, 'MAX_RESTORES_IN_PROGRESS', 50, 1),
    awsRateLimit: callsPerSecond > 0 ? { perSecond: callsPerSecond, burst: integer(env, 'AWS_CALL_BURST', callsPerSecond, 1) } : undefined,
    allowUngovernedNamespaces,
    scheduleMinIntervalMs: integer(env, 'SCHEDULE_MIN_INTERVAL_SECONDS', 900, 1) * 1000,
    leaderElection: {
      enabled: leaderElect,
      namespace: env.LEADER_ELECTION_NAMESPACE || podNamespace() || 'dynamodb-restore-system',
      name: env.LEADER_ELECTION_ID || 'dynamodb-restore-operator',
      // The pod name is unique among replicas; the Deployment passes it in through the downward API.
      identity: env.POD_NAME || `${hostname()}-${process.pid}`,
      leaseDurationMs,
      renewDeadlineMs,
      retryPeriodMs,
    },
  };
}
