// Wiring only: configuration → logger and Kubernetes client → the manager → the restore and schedule controllers,
// and a graceful stop on SIGTERM.
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { setupRestoreController } from './restore/restore-setup.ts';
import { setupScheduleController } from './schedule/schedule-setup.ts';
import { errorMessage } from './runtime/error-message.ts';
import { Manager } from './runtime/manager.ts';
import { PrometheusMetrics } from './runtime/metrics.ts';

async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  const log = createLogger(config.logLevel, config.logFormat);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const metrics = new PrometheusMetrics();

  const manager = new Manager({
    kubeConfig,
    log,
    metrics,
    probeAddress: config.probeAddress,
    metricsAddress: config.metricsAddress,
    metricsCertDir: config.metricsCertDir,
    leaderElection: config.leaderElection,
    // After a lost lease: the Deployment starts the container again, and it campaigns afresh.
    exit: (code) => process.exit(code),
  });
  const restores = setupRestoreController(manager, { config, kubeConfig, log, metrics });
  setupScheduleController(manager, { config, kubeConfig, log, metrics, restores });

  const stop = (signal: string) => {
    log.info('Stopping', { signal });
    void manager.stop().then(() => log.info('Stopped'));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  await manager.start();
  log.info('Started', {
    namespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces : 'all',
    concurrency: config.maxConcurrentReconciles,
    leaderElection: config.leaderElection.enabled ? `${config.leaderElection.namespace}/${config.leaderElection.name}` : 'off',
    identity: config.leaderElection.identity,
    probeAddress: `${config.probeAddress.host}:${config.probeAddress.port}`,
    metricsAddress: `${config.metricsAddress.host}:${config.metricsAddress.port}`,
  });
}

main().catch((err: unknown) => {
  // Only start-up can get here (bad configuration, no kubeconfig): say so once, exit non-zero.
  console.error(JSON.stringify({ level: 'error', message: 'The operator could not start', error: errorMessage(err) }));
  process.exit(1);
});
