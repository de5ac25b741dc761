// `make plugin-archive`: kubectl ddbr as krew installs it. One JavaScript file (esbuild bundles the plugin with its
// dependencies; the user's Node.js runs it) and the LICENSE, in a .tar.gz whose bytes depend only on the sources
// (sorted, zero times and owners, gzip without a name or time), so the release workflow rebuilds exactly the archive
// whose sha256 deploy/krew/ddbr.yaml holds. Run as a script, it writes dist/release/kubectl-ddbr.tar.gz and sets the
// manifest's version, uri and sha256 for package.json's version; with --check (`make release`) it fails instead of
// writing when the manifest does not name that archive.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseDocument } from 'yaml';

const REPO = fileURLToPath(new URL('../', import.meta.url));
export const KREW_MANIFEST = join(REPO, 'deploy/krew/ddbr.yaml');
export const ARCHIVE_NAME = 'kubectl-ddbr.tar.gz';
const RELEASES = 'https://github.com/dynamodb-restore/dynamodb-restore-operator/releases/download';

/** Builds the archive into dir; its path and sha256. */
export async function buildPluginArchive(dir: string): Promise<{ archive: string; sha256: string }> {
  const staging = join(dir, 'kubectl-ddbr');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    entryPoints: [join(REPO, 'src/plugin/main.ts')],
    outfile: join(staging, 'kubectl-ddbr'),
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Dependencies written as CommonJS call require(), which an ES module has only when given one.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  copyFileSync(join(REPO, 'LICENSE'), join(staging, 'LICENSE'));
  const archive = join(dir, ARCHIVE_NAME);
  const tar = ['--format=gnu', '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rwX,go+rX,go-w', '-cf', '-', '-C', staging, 'LICENSE', 'kubectl-ddbr'];
  // Node's gzip writes no name and a zero time; the pinned Node is the same zlib everywhere.
  writeFileSync(archive, gzipSync(execFileSync('tar', tar, { maxBuffer: 64 << 20 }), { level: 9 }));
  rmSync(staging, { recursive: true });
  return { archive, sha256: createHash('sha256').update(readFileSync(archive)).digest('hex') };
}

/** The manifest's text for this version and archive (comments kept). */
export function krewManifest(text: string, version: string, sha256: string): string {
  const doc = parseDocument(text);
  doc.setIn(['spec', 'version'], `v${version}`);
  doc.setIn(['spec', 'platforms', 0, 'uri'], `${RELEASES}/v${version}/${ARCHIVE_NAME}`);
  doc.setIn(['spec', 'platforms', 0, 'sha256'], sha256);
  return doc.toString({ lineWidth: 0 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const dir = join(REPO, 'dist/release');
  mkdirSync(dir, { recursive: true });
  const { archive, sha256 } = await buildPluginArchive(dir);
  const current = readFileSync(KREW_MANIFEST, 'utf8');
  const manifest = krewManifest(current, version, sha256);
  if (process.argv.includes('--check')) {
    if (manifest !== current) {
      console.error(`deploy/krew/ddbr.yaml does not name ${archive} (v${version}, sha256 ${sha256}): run make plugin-archive and commit it`);
      process.exit(1);
    }
  } else {
    writeFileSync(KREW_MANIFEST, manifest);
  }
  console.log(`${archive}\nsha256 ${sha256} (deploy/krew/ddbr.yaml, v${version})`);
}
