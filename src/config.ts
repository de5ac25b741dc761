// Operator configuration, from the environment (the Deployment and the Helm chart set these).
export interface Config {
  /** Namespaces to watch; empty: all. */
  watchNamespaces: string[];
  /** Region for resources without spec.region; undefined: the SDK's default chain (AWS_REGION, profile, IMDS). */
  defaultRegion: string | undefined;
  maxConcurrentReconciles: number;
  resyncPeriodMs: number;
  logLevel: string;
  /** Address of /healthz, /readyz and /metrics. */
  probeAddress: { host: string; port: number };
  pollMinMs: number;
  pollMaxMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const address = env.PROBE_ADDRESS ?? '0.0.0.0:8080';
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PROBE_ADDRESS must be host:port, got "${address}"`);
  }
  return {
    watchNamespaces: (env.WATCH_NAMESPACES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    defaultRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    maxConcurrentReconciles: integer(env, 'MAX_CONCURRENT_RECONCILES', 10, 1),
    resyncPeriodMs: integer(env, 'RESYNC_PERIOD_SECONDS', 600, 10) * 1000,
    logLevel: env.LOG_LEVEL ?? 'info',
    probeAddress: { host: address.slice(0, colon), port },
    pollMinMs: integer(env, 'POLL_MIN_SECONDS', 2, 1) * 1000,
    pollMaxMs: integer(env, 'POLL_MAX_SECONDS', 120, 1) * 1000,
  };
}
