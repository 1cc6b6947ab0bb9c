// Builds the package: scripts/api-types.mjs regenerates src/api-types.ts
// from the REST document (docs/openapi.json), tsc compiles src/*.ts (ES2022,
// declarations) into build/, then the modules are joined into one ES module
// and one .d.ts in dist/ (the browser loads one file, /client/rtc-client.js,
// and tsc does not bundle ES modules). The join is checked: the module is imported (a
// duplicate top-level name is a SyntaxError) and tsc checks the .d.ts.
// Finally both files are copied to apps/server/web/, where the server
// embeds them (committed, so `cargo build` needs no Node).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(pkg, '..', '..', 'apps', 'server', 'web');
const tsc = join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
const version = JSON.parse(readFileSync(join(pkg, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;

// Dependency order: a module comes after those it uses at run time.
const MODULES = ['api-types', 'util', 'protocol', 'rest', 'events', 'stats', 'richtext', 'rest-client', 'peer', 'sfu', 'client'];

execFileSync(process.execPath, [join(pkg, 'scripts', 'api-types.mjs')], { stdio: 'inherit' });
rmSync(join(pkg, 'build'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.json')], { stdio: 'inherit' });

const LOCAL_IMPORT = /^import\s[^;]*?\sfrom\s+'\.\/([\w-]+)\.js';\n/gm;

// Of the REST document's types, the package's declarations use `components`
// (the schemas); `paths` and `operations` serve only to type-check the calls
// in rest-client.ts, so they stay out of dist (three quarters of the file).
function documentTypes(text) {
  const kept = text
    .replace(/^export interface (paths|operations) \{\n[\s\S]*?^\}\n/gm, '')
    .replace(/^export type (webhooks|\$defs) = [^\n]*;\n/gm, '');
  const exported = [...kept.matchAll(/^export (?:interface|type) (\S+)/gm)].map((m) => m[1]);
  if (exported.join() !== 'components') throw new Error(`api-types.d.ts: expected only components to remain, found ${exported.join(', ')}`);
  return kept;
}

function join_(ext) {
  const parts = [];
  for (const m of MODULES) {
    let text = readFileSync(join(pkg, 'build', `${m}${ext}`), 'utf8');
    if (m === 'api-types' && ext === '.d.ts') text = documentTypes(text);
    text = text.replace(LOCAL_IMPORT, (stmt, from) => {
      if (!MODULES.includes(from)) throw new Error(`${m}${ext}: unknown module ./${from}.js`);
      if (/\{[^}]*\bas\b/.test(stmt.replace(/\btype\s+/g, ''))) throw new Error(`${m}${ext}: renamed import in ${stmt}`);
      return '';
    });
    text = text.replace(/^export \{\};\n/gm, '');
    if (/from\s+'\.\//.test(text)) throw new Error(`${m}${ext}: a local import was left: ${text.match(/.*from\s+'\.\/.*/)[0]}`);
    if (/^import\s/m.test(text)) throw new Error(`${m}${ext}: imports something outside the package (no runtime dependencies)`);
    // Types-only modules leave nothing but their opening comment in the JS.
    const code = text.replace(/^\/\/.*$/gm, '').trim();
    if (code) parts.push(`// ---------------------------------------------------------------- src/${m}.ts\n\n${text.trim()}\n`);
  }
  const head =
    `// rtc-client${ext}: the client of the rtc-server signaling protocol and REST API\n` +
    `// (docs/client.md, reference in docs/client-api.md). Generated from clients/js/src\n` +
    `// by clients/js/scripts/build.mjs with TypeScript ${version}: edit the source, not this file.\n\n`;
  return head + parts.join('\n');
}

mkdirSync(join(pkg, 'dist'), { recursive: true });
const js = join(pkg, 'dist', 'rtc-client.js');
const dts = join(pkg, 'dist', 'rtc-client.d.ts');
writeFileSync(js, join_('.js'));
writeFileSync(dts, join_('.d.ts'));

// The joined module loads and exports the public names.
const mod = await import(pathToFileURL(js).href);
for (const name of ['RtcClient', 'RoomRestClient', 'RtcError', 'fetchDevToken', 'sha256Hex', 'networkStatsFrom']) {
  if (!(name in mod)) throw new Error(`dist/rtc-client.js does not export ${name}`);
}
// The joined declarations stand on their own.
execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'ES2022', '--lib', 'ES2022,DOM,DOM.Iterable', dts], { stdio: 'inherit' });

copyFileSync(js, join(web, 'rtc-client.js'));
copyFileSync(dts, join(web, 'rtc-client.d.ts'));
console.log('built dist/rtc-client.js and dist/rtc-client.d.ts; copied to apps/server/web/');
