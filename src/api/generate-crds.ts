// Writes the generated files (crds/, the Helm chart's crds/, the API reference) from src/api, and the troubleshooting
// page from the error map, or with --check fails when any of them differs from what the sources generate (the drift
// check CI runs, like kubebuilder's `make manifests`).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTroubleshooting } from '../restore/troubleshooting.ts';
import { generatedFiles } from './crds.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const check = process.argv.includes('--check');
let drift = false;
for (const { path, content } of [...generatedFiles(), { path: 'docs/troubleshooting.md', content: renderTroubleshooting() }]) {
  if (check) {
    if ((await readFile(root + path, 'utf8').catch(() => '')) !== content) {
      drift = true;
      console.error(`${path} is out of date with src/api: run \`make generate\` and commit the result.`);
    }
  } else {
    await mkdir(dirname(root + path), { recursive: true });
    await writeFile(root + path, content);
    console.log(`Wrote ${path}`);
  }
}
process.exitCode = drift ? 1 : 0;
