import assert from 'node:assert/strict';
import { ConfigError, loadConfig, CONFIG_FLAGS } from '../../src/config.ts';

const FLAG_VALUES: Record<(typeof CONFIG_FLAGS)[keyof typeof CONFIG_FLAGS], string> = {
  'watch-namespaces': 'team-x,team-y',
  region: 'ap-southeast-2',
  'cluster-name': 'prod-eu',
  'max-concurrent-reconciles': '4',
  'resync-period-seconds': '30',
  'poll-min-seconds': '3',
  'poll-max-seconds': '60',
  'max-restores-in-progress': '20',
  'aws-calls-per-second': '5',
  'aws-call-burst': '8',
  'allow-ungoverned-namespaces': 'true',
  'schedule-min-interval-seconds': '60',
  'leader-elect': 'false',
  'leader-election-namespace': 'ops',
  'leader-election-id': 'lease',
  'leader-election-lease-seconds': '15',
  'leader-election-renew-deadline-seconds': '10',
  'leader-election-retry-period-seconds': '2',
  'pod-name': 'me',
  'probe-address': '127.0.0.1:9999',
  'metrics-address': '127.0.0.1:9443',
  'metrics-cert-dir': '/etc/metrics-certs',
  'metrics-namespace-labels': '7',
  'log-level': 'debug',
  'log-format': 'text',
};

describe('loadConfig', () => {
  it('has defaults for an empty environment', () => {
    const { leaderElection, ...rest } = loadConfig({});
    assert.deepEqual(rest, {
      watchNamespaces: [],
      defaultRegion: undefined,
      // No shared default: without a name, no role is assumed for spec.credentials.
      clusterName: undefined,
      maxConcurrentReconciles: 10,
      resyncPeriodMs: 600_000,
      logLevel: 'info',
      logFormat: 'json',
      probeAddress: { host: '0.0.0.0', port: 8080 },
      // Metrics apart from the probes, over HTTPS with a self-signed certificate, on controller-runtime's port.
      metricsAddress: { host: '0.0.0.0', port: 8443 },
      metricsCertDir: undefined,
      // Restore metrics name at most 50 namespaces; the rest read "other".
      metricsNamespaceLabels: 50,
      pollMinMs: 2_000,
      pollMaxMs: 120_000,
      // AWS's limits: 50 restores in progress and about 10 control-plane calls a second per account and Region.
      maxRestoresInProgress: 50,
      awsRateLimit: { perSecond: 10, burst: 10 },
      // Default-deny: a namespace no DynamoDBRestorePolicy governs gets no restore.
      allowUngovernedNamespaces: false,
      // A schedule runs at most every 15 minutes: each run is a restore.
      scheduleMinIntervalMs: 900_000,
    });
    // Outside a pod: the default namespace, and an identity unique to this process.
    assert.deepEqual({ ...leaderElection, identity: undefined }, {
      enabled: true,
      namespace: 'dynamodb-restore-system',
      name: 'dynamodb-restore-operator',
      identity: undefined,
      leaseDurationMs: 8_000,
      renewDeadlineMs: 5_000,
      retryPeriodMs: 1_500,
    });
    assert.match(leaderElection.identity, new RegExp(`-${process.pid}$`));
  });

  it('treats empty integer variables as unset', () => {
    const config = loadConfig({ MAX_CONCURRENT_RECONCILES: '', RESYNC_PERIOD_SECONDS: '', POLL_MIN_SECONDS: '', POLL_MAX_SECONDS: '' });
    assert.equal(config.maxConcurrentReconciles, 10);
    assert.equal(config.resyncPeriodMs, 600_000);
    assert.equal(config.pollMinMs, 2_000);
    assert.equal(config.pollMaxMs, 120_000);
  });

  it('parses every variable, seconds into milliseconds', () => {
    assert.deepEqual(
      loadConfig({
        WATCH_NAMESPACES: 'team-a,team-b',
        AWS_REGION: 'eu-west-1',
        CLUSTER_NAME: 'prod-eu-1',
        MAX_CONCURRENT_RECONCILES: '3',
        RESYNC_PERIOD_SECONDS: '60',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'text',
        PROBE_ADDRESS: '127.0.0.1:9090',
        METRICS_ADDRESS: '[::]:9443',
        METRICS_CERT_DIR: '/var/run/metrics-certs',
        METRICS_NAMESPACE_LABELS: '0',
        POLL_MIN_SECONDS: '5',
        POLL_MAX_SECONDS: '300',
        LEADER_ELECT: 'false',
        LEADER_ELECTION_NAMESPACE: 'ops',
        LEADER_ELECTION_ID: 'ddbr',
        POD_NAME: 'operator-7d9f-abcde',
        MAX_RESTORES_IN_PROGRESS: '40',
        AWS_CALLS_PER_SECOND: '0',
        ALLOW_UNGOVERNED_NAMESPACES: 'true',
        SCHEDULE_MIN_INTERVAL_SECONDS: '3600',
      }),
      {
        watchNamespaces: ['team-a', 'team-b'],
        defaultRegion: 'eu-west-1',
        clusterName: 'prod-eu-1',
        maxConcurrentReconciles: 3,
        resyncPeriodMs: 60_000,
        logLevel: 'debug',
        logFormat: 'text',
        probeAddress: { host: '127.0.0.1', port: 9090 },
        metricsAddress: { host: '::', port: 9443 },
        metricsCertDir: '/var/run/metrics-certs',
        metricsNamespaceLabels: 0,
        pollMinMs: 5_000,
        pollMaxMs: 300_000,
        maxRestoresInProgress: 40,
        // 0: no client-side limit.
        awsRateLimit: undefined,
        allowUngovernedNamespaces: true,
        scheduleMinIntervalMs: 3_600_000,
        leaderElection: { enabled: false, namespace: 'ops', name: 'ddbr', identity: 'operator-7d9f-abcde', leaseDurationMs: 8_000, renewDeadlineMs: 5_000, retryPeriodMs: 1_500 },
      },
    );
  });

  it('takes every setting as a flag too, and a flag wins over the environment', () => {
    const argv = Object.values(CONFIG_FLAGS).flatMap((flag) => [`--${flag}`, FLAG_VALUES[flag]]);
    const config = loadConfig({ WATCH_NAMESPACES: 'from-env', LOG_LEVEL: 'error' }, argv);
    assert.deepEqual(config, {
      watchNamespaces: ['team-x', 'team-y'],
      defaultRegion: 'ap-southeast-2',
      clusterName: 'prod-eu',
      maxConcurrentReconciles: 4,
      resyncPeriodMs: 30_000,
      pollMinMs: 3_000,
      pollMaxMs: 60_000,
      maxRestoresInProgress: 20,
      awsRateLimit: { perSecond: 5, burst: 8 },
      allowUngovernedNamespaces: true,
      scheduleMinIntervalMs: 60_000,
      leaderElection: { enabled: false, namespace: 'ops', name: 'lease', identity: 'me', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      probeAddress: { host: '127.0.0.1', port: 9999 },
      metricsAddress: { host: '127.0.0.1', port: 9443 },
      metricsCertDir: '/etc/metrics-certs',
      metricsNamespaceLabels: 7,
      logLevel: 'debug',
      logFormat: 'text',
    });
    assert.equal(loadConfig({}, ['--log-level=warn']).logLevel, 'warn');
  });

  it('rejects an unknown flag, listing the known ones', () => {
    assert.throws(() => loadConfig({}, ['--watch-namespace', 'a']), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /Unknown option '--watch-namespace'.*the flags are --watch-namespaces, --region/);
      return true;
    });
  });

  it('refuses ALLOW_UNGOVERNED_NAMESPACES and LEADER_ELECT values other than true or false', () => {
    assert.throws(() => loadConfig({ ALLOW_UNGOVERNED_NAMESPACES: 'yes' }), /ALLOW_UNGOVERNED_NAMESPACES must be true or false, got "yes"/);
    assert.throws(() => loadConfig({ LEADER_ELECT: '1' }), /LEADER_ELECT must be true or false, got "1"/);
  });

  it('rejects an unknown log level or format', () => {
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of error, warn, info, http, verbose, debug, silly, got "loud"/);
    assert.throws(() => loadConfig({}, ['--log-format', 'xml']), /LOG_FORMAT must be json or text, got "xml"/);
  });

  it('takes fractional lease timings and refuses ones that cannot work', () => {
    assert.equal(loadConfig({ LEADER_ELECTION_RETRY_PERIOD_SECONDS: '0.5' }).leaderElection.retryPeriodMs, 500);
    assert.throws(() => loadConfig({ LEADER_ELECTION_LEASE_SECONDS: 'soon' }), /LEADER_ELECTION_LEASE_SECONDS must be a number of seconds > 0, got "soon"/);
    assert.throws(() => loadConfig({ LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '9' }), /RETRY_PERIOD_SECONDS < LEADER_ELECTION_RENEW_DEADLINE_SECONDS < LEADER_ELECTION_LEASE_SECONDS/);
    assert.throws(() => loadConfig({ LEADER_ELECTION_RETRY_PERIOD_SECONDS: '5' }), /RETRY_PERIOD_SECONDS </);
  });

  it('takes a cluster name STS accepts in an ExternalId and a session tag, and refuses one with a "/" or other characters', () => {
    assert.equal(loadConfig({ CLUSTER_NAME: 'eks_prod.eu-west-1:a=b+c@d' }).clusterName, 'eks_prod.eu-west-1:a=b+c@d');
    assert.equal(loadConfig({ CLUSTER_NAME: '' }).clusterName, undefined);
    const refused = /CLUSTER_NAME must be 1 to 100 letters, digits or _\.:=\+@- starting with a letter or digit, got "/;
    for (const bad of ['prod/eu', 'prod eu', 'prod,eu', '-prod', 'a'.repeat(101)]) assert.throws(() => loadConfig({ CLUSTER_NAME: bad }), refused, bad);
  });

  it('rejects a LEADER_ELECT that is not true or false', () => {
    assert.throws(() => loadConfig({ LEADER_ELECT: 'yes' }), /LEADER_ELECT must be true or false, got "yes"/);
  });

  it('trims namespaces and drops empty entries', () => {
    assert.deepEqual(loadConfig({ WATCH_NAMESPACES: ' team-a , ,team-b,, ' }).watchNamespaces, ['team-a', 'team-b']);
    assert.deepEqual(loadConfig({ WATCH_NAMESPACES: '' }).watchNamespaces, []);
  });

  const regions: Array<[NodeJS.ProcessEnv, string | undefined]> = [
    [{ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' }, 'eu-west-1'],
    [{ AWS_DEFAULT_REGION: 'us-east-1' }, 'us-east-1'],
    [{ AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' }, 'us-east-1'],
    [{ AWS_REGION: '', AWS_DEFAULT_REGION: '' }, undefined],
  ];
  for (const [env, expected] of regions) {
    it(`takes the default Region ${String(expected)} from ${JSON.stringify(env)}`, () => {
      assert.equal(loadConfig(env).defaultRegion, expected);
    });
  }

  it('accepts the lowest allowed values', () => {
    const config = loadConfig({ MAX_CONCURRENT_RECONCILES: '1', RESYNC_PERIOD_SECONDS: '10', POLL_MIN_SECONDS: '1', POLL_MAX_SECONDS: '1' });
    assert.equal(config.maxConcurrentReconciles, 1);
    assert.equal(config.resyncPeriodMs, 10_000);
    assert.equal(config.pollMinMs, 1_000);
    assert.equal(config.pollMaxMs, 1_000);
  });

  const badIntegers: Array<[string, string]> = [
    ['MAX_CONCURRENT_RECONCILES', 'ten'],
    ['MAX_CONCURRENT_RECONCILES', '1.5'],
    ['MAX_CONCURRENT_RECONCILES', '0'],
    ['MAX_CONCURRENT_RECONCILES', '-2'],
    ['RESYNC_PERIOD_SECONDS', '9'],
    ['RESYNC_PERIOD_SECONDS', '10m'],
    ['POLL_MIN_SECONDS', '0'],
    ['POLL_MAX_SECONDS', 'NaN'],
    ['POLL_MAX_SECONDS', 'Infinity'],
  ];
  for (const [name, value] of badIntegers) {
    it(`rejects ${name}=${value} with a ConfigError naming the variable and the value`, () => {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.name, 'ConfigError');
          assert.ok(err.message.includes(name), err.message);
          assert.ok(err.message.includes(`"${value}"`), err.message);
          assert.match(err.message, /integer >= \d+/);
          return true;
        },
      );
    });
  }

  const probeAddresses: Array<[string, { host: string; port: number }]> = [
    [':9090', { host: '', port: 9090 }],
    ['localhost:8081', { host: 'localhost', port: 8081 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
  ];
  for (const [address, expected] of probeAddresses) {
    it(`parses PROBE_ADDRESS ${address}`, () => {
      assert.deepEqual(loadConfig({ PROBE_ADDRESS: address }).probeAddress, expected);
    });
  }

  for (const address of ['8080', 'localhost', 'localhost:http', 'localhost:65536', 'localhost:-1', 'localhost:80.5', '']) {
    it(`rejects PROBE_ADDRESS "${address}" with a ConfigError`, () => {
      assert.throws(() => loadConfig({ PROBE_ADDRESS: address }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, `PROBE_ADDRESS must be host:port, got "${address}"`);
        return true;
      });
    });
  }

  it('rejects PROBE_ADDRESS "localhost:" without a port', () => {
    assert.throws(() => loadConfig({ PROBE_ADDRESS: 'localhost:' }), ConfigError);
  });

  it('rejects METRICS_ADDRESS "9443" with a ConfigError naming METRICS_ADDRESS', () => {
    assert.throws(() => loadConfig({ METRICS_ADDRESS: '9443' }), (err: unknown) => err instanceof ConfigError && err.message === 'METRICS_ADDRESS must be host:port, got "9443"');
  });

  it('rejects METRICS_ADDRESS on the probe port: probes are plain HTTP, metrics HTTPS', () => {
    assert.throws(() => loadConfig({ METRICS_ADDRESS: '127.0.0.1:8080' }), (err: unknown) => err instanceof ConfigError && err.message === 'METRICS_ADDRESS and PROBE_ADDRESS need different ports, both are 8080');
  });

  it('treats an empty METRICS_CERT_DIR as unset (a self-signed certificate)', () => {
    assert.equal(loadConfig({ METRICS_CERT_DIR: '' }).metricsCertDir, undefined);
  });

  it('takes an IPv6 host in brackets', () => {
    assert.deepEqual(loadConfig({ PROBE_ADDRESS: '[::1]:8081' }).probeAddress, { host: '::1', port: 8081 });
  });

  it('rejects POLL_MIN_SECONDS greater than POLL_MAX_SECONDS', () => {
    assert.throws(() => loadConfig({ POLL_MIN_SECONDS: '30', POLL_MAX_SECONDS: '10' }), /POLL_MIN_SECONDS must not be greater than POLL_MAX_SECONDS/);
  });
});
