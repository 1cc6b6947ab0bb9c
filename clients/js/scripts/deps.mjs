// Installs the pinned devDependencies (`npm ci`) unless node_modules holds
// what package-lock.json pins: after each install the lock file's SHA-256 is
// kept in node_modules/.package-lock.sha256, so a changed lock file (a new
// or bumped devDependency) reinstalls, and so does a node_modules from
// before the stamp. Node built-ins only (it runs before the install).
// Used by check.sh and `just js-build`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(pkg, 'node_modules', '.package-lock.sha256');
const hash = createHash('sha256').update(readFileSync(join(pkg, 'package-lock.json'))).digest('hex');
let installed = '';
try {
  installed = readFileSync(stamp, 'utf8').trim();
} catch {}
if (installed !== hash) {
  console.log('npm ci (package-lock.json changed or node_modules missing)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: pkg, stdio: 'inherit' });
  writeFileSync(stamp, hash + '\n');
}
