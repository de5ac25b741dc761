// deploy/krew/ddbr.yaml: a krew manifest for package.json's version, and the text `make plugin-archive` writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { KREW_MANIFEST, krewManifest } from '../../../hack/plugin-archive.ts';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the krew manifest (deploy/krew/ddbr.yaml)', () => {
  it('names plugin ddbr (kubectl ddbr), package.json\'s version, the release\'s archive and its bin, for Linux and macOS', () => {
    const manifest = parse(readFileSync(KREW_MANIFEST, 'utf8')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { version: string; platforms: Array<{ selector: unknown; uri: string; sha256: string; bin: string }> };
    };
    assert.deepEqual({ apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata.name, version: manifest.spec.version }, {
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      name: 'ddbr',
      version: `v${version}`,
    });
    const [platform, ...others] = manifest.spec.platforms;
    assert.deepEqual(others, []);
    assert.deepEqual(platform?.selector, { matchExpressions: [{ key: 'os', operator: 'In', values: ['darwin', 'linux'] }] });
    assert.equal(platform?.uri, `https://github.com/dynamodb-restore/dynamodb-restore-operator/releases/download/v${version}/kubectl-ddbr.tar.gz`);
    assert.match(platform?.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(platform?.bin, 'kubectl-ddbr');
  });

  it('krewManifest sets version, uri and sha256, keeping the comments and everything else', () => {
    const before = [
      '# The manifest.',
      'apiVersion: krew.googlecontainertools.github.com/v1alpha2',
      'kind: Plugin',
      'metadata:',
      '  name: ddbr',
      'spec:',
      '  version: v0.0.1',
      '  platforms:',
      '    # Every OS.',
      '    - uri: https://example.invalid/old.tar.gz',
      '      sha256: "00"',
      '      bin: kubectl-ddbr',
      '',
    ].join('\n');
    assert.equal(
      krewManifest(before, '1.2.3', 'ab'.repeat(32)),
      [
        '# The manifest.',
        'apiVersion: krew.googlecontainertools.github.com/v1alpha2',
        'kind: Plugin',
        'metadata:',
        '  name: ddbr',
        'spec:',
        '  version: v1.2.3',
        '  platforms:',
        '    # Every OS.',
        '    - uri: https://github.com/dynamodb-restore/dynamodb-restore-operator/releases/download/v1.2.3/kubectl-ddbr.tar.gz',
        `      sha256: "${'ab'.repeat(32)}"`,
        '      bin: kubectl-ddbr',
        '',
      ].join('\n'),
    );
  });
});
