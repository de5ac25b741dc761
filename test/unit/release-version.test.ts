// One version source: package.json's. Everything that names the release must follow it, or a release ships a chart
// that pulls another image than the one built, or a kustomize base pinned to another tag.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const { version } = JSON.parse(read('package.json')) as { version: string };

describe('release version: package.json is the one source', () => {
  it('is a semantic version', () => {
    assert.match(version, /^\d+\.\d+\.\d+$/);
  });

  it("the chart's version is package.json's and its appVersion (the image tag it defaults to) is v<version>", () => {
    const chart = parse(read('deploy/helm/dynamodb-restore-operator/Chart.yaml')) as { version: string; appVersion: string };
    assert.deepEqual({ version: chart.version, appVersion: chart.appVersion }, { version, appVersion: `v${version}` });
  });

  it("the kustomize base's image is tagged v<version>, and its remote-base example is pinned to that tag", () => {
    const deployment = parseAllDocuments(read('deploy/kustomize/base/deployment.yaml')).map((d) => d.toJS() as Record<string, unknown>);
    const images = JSON.stringify(deployment).match(/ghcr\.io\/dynamodb-restore\/dynamodb-restore-operator:[^"]+/g);
    assert.deepEqual(images, [`ghcr.io/dynamodb-restore/dynamodb-restore-operator:v${version}`]);
    assert.ok(read('deploy/kustomize/base/kustomization.yaml').includes(`//deploy/kustomize/base?ref=v${version}"`));
  });
});
