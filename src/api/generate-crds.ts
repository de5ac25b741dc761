// Writes crds/ from src/api, or with --check fails when crds/ differs from what src/api generates (the drift check
// CI runs, like kubebuilder's `make manifests`).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './crds.ts';

const crdsDir = fileURLToPath(new URL('../../crds/', import.meta.url));
const check = process.argv.includes('--check');
let drift = false;
for (const { fileName, yaml } of renderCrds()) {
  const path = crdsDir + fileName;
  if (check) {
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current !== yaml) {
      drift = true;
      console.error(`crds/${fileName} is out of date with src/api: run \`make generate\` and commit the result.`);
    }
  } else {
    await writeFile(path, yaml);
    console.log(`Wrote crds/${fileName}`);
  }
}
process.exitCode = drift ? 1 : 0;
