// Writes docs/client-api.md, the API reference of the package, from the
// joined declarations (dist/rtc-client.d.ts, made by build.mjs) with the
// TypeScript compiler API: every export with its doc comment and its
// declaration. No other tool is involved, so the reference changes only
// when the source does; check.sh fails when the committed copy differs.
// The REST document's schemas (`components`, from src/api-types.ts) get a
// section of their own, one entry per schema, and each type named after a
// schema links to it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dts = join(pkg, 'dist', 'rtc-client.d.ts');
const out = join(pkg, '..', '..', 'docs', 'client-api.md');
const { name, version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));

const program = ts.createProgram([dts], { target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], strict: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(dts);
const doc = (symbol) =>
  ts
    .displayPartsToString(symbol.getDocumentationComment(checker))
    .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
    .trim();
const hidden = (node) =>
  (ts.getCombinedModifierFlags(node) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 ||
  (node.name && ts.isPrivateIdentifier(node.name));

// Normalise the declaration text: 4-space indents from tsc become 2.
const code = (text) => '```ts\n' + text.replace(/^((?: {4})+)/gm, (m) => ' '.repeat(m.length / 2)) + '\n```\n';

// openapi-typescript writes a schema's description as `@description`.
const description = (symbol) =>
  [doc(symbol), ...symbol.getJsDocTags(checker).filter((t) => t.name === 'description').map((t) => ts.displayPartsToString(t.text))]
    .join('\n\n')
    .trim();
const anchor = (name) => `#schemas${name.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`;
const schemaLinks = (text, label = 'REST schema') => {
  const names = [...new Set([...text.matchAll(/components\[['"]schemas['"]\]\[['"](\w+)['"]\]/g)].map((m) => m[1]))];
  return names.length ? `${label}: ${names.map((n) => `[\`${n}\`](${anchor(n)})`).join(', ')}.\n\n` : '';
};

const sections = { classes: [], functions: [], events: [], types: [], schemas: [] };
for (const stmt of source.statements) {
  if (!stmt.name || !(ts.getCombinedModifierFlags(stmt) & ts.ModifierFlags.Export)) continue;
  const symbol = checker.getSymbolAtLocation(stmt.name);
  const id = stmt.name.text;
  const about = doc(symbol);
  if (ts.isClassDeclaration(stmt)) {
    const heritage = stmt.heritageClauses?.map((h) => ' ' + h.getText()).join('') ?? '';
    let text = `### \`${id}\`${heritage ? ` (${heritage.trim()})` : ''}\n\n${about}\n\n`;
    for (const m of stmt.members) {
      if (hidden(m) || (!m.name && !ts.isConstructorDeclaration(m))) continue;
      const ms = m.name ? checker.getSymbolAtLocation(m.name) : null;
      const sig = m.getText().replace(/\s+/g, ' ').replace(/;$/, '');
      const about = (ms ? doc(ms) : '').replace(/\n/g, '\n  ');
      text += `- \`${sig}\`${about ? `\n\n  ${about}` : ''}\n\n`;
    }
    sections.classes.push(text);
  } else if (ts.isFunctionDeclaration(stmt)) {
    sections.functions.push(`### \`${id}\`\n\n${code(stmt.getText().replace(/^export declare /, ''))}\n${about}\n`);
  } else if (id === 'RtcClientEventMap') {
    let text = `${about}\n\n| event | \`detail\` |\n|---|---|\n`;
    for (const m of stmt.members) {
      const ms = checker.getSymbolAtLocation(m.name);
      const note = ms ? doc(ms).replace(/\n/g, ' ') : '';
      text += `| \`${m.name.getText().replace(/'/g, '')}\` | \`${m.type.getText().replace(/\|/g, '\\|').replace(/\s+/g, ' ')}\`${note ? ` ${note.replace(/\|/g, '\\|')}` : ''} |\n`;
    }
    sections.events.push(text);
  } else if (id === 'components') {
    const schemas = stmt.members.find((m) => m.name?.getText() === 'schemas');
    for (const m of schemas.type.members) {
      const name = m.name.getText();
      const about = description(checker.getSymbolAtLocation(m.name));
      // The members sit two levels deep in `components`: dedent by 8.
      const text = `type ${name} = ${m.type.getText()}`.replace(/^ {8}/gm, '').replace(/@description /g, '');
      sections.schemas.push(`### \`schemas.${name}\`\n\n${about ? about + '\n\n' : ''}${code(text)}\n${schemaLinks(text, 'Uses')}`);
    }
  } else {
    const text = stmt.getText().replace(/^export (declare )?/, '');
    sections.types.push(`### \`${id}\`\n\n${about ? about + '\n\n' : ''}${code(text)}\n${schemaLinks(text)}`);
  }
}

const md = `# Client API reference (\`${name}\` ${version})

Generated from the TypeScript source (\`clients/js/src\`) by
\`clients/js/scripts/api-doc.mjs\`; do not edit (run \`just js\`). The guide
is [client.md](client.md); the protocol behind it [protocol.md](protocol.md)
and [api.md](api.md).

## Classes

${sections.classes.join('\n')}
## Functions

${sections.functions.join('\n')}
## Events

${sections.events.join('\n')}
## Types

${sections.types.join('\n')}
## REST schemas

The schemas of the REST document (\`docs/openapi.json\`, which the server
generates from its handlers), as \`components['schemas']['…']\` in the
package's declarations: \`clients/js/scripts/api-types.mjs\` turns the
document into \`clients/js/src/api-types.ts\` with openapi-typescript, and
the REST types above are named after these.

${sections.schemas.join('\n')}`;
writeFileSync(out, md.replace(/\n{3,}/g, '\n\n').trimEnd() + '\n');
console.log(`wrote ${out}`);
