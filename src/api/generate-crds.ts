// Writes the generated files (crds/, the Helm chart's crds/) from src/api, or with --check fails when any of them
// differs from what src/api generates (the drift check CI runs, like kubebuilder's `make manifests`).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './crds.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const check = process.argv.includes('--check');
let drift = false;
for (const { path, content } of generatedFiles()) {
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
