// Writes src/api-types.ts, the types of the REST API, from the server's
// OpenAPI document (docs/openapi.json, which `just openapi` rewrites from
// the handlers) with openapi-typescript, so the package's REST types cannot
// drift from the server: src/rest.ts and src/protocol.ts name their bodies
// and answers after its `components`, and src/rest-client.ts checks each
// call's answer against its `paths`. build.mjs runs this first; check.sh
// fails when the committed file differs from what the document gives.
// Offline: openapi-typescript reads the local file only.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = join(pkg, '..', '..', 'docs', 'openapi.json');
const out = join(pkg, 'src', 'api-types.ts');
const version = JSON.parse(readFileSync(join(pkg, 'node_modules', 'openapi-typescript', 'package.json'), 'utf8')).version;

const ast = await openapiTS(pathToFileURL(doc), {
  // `{"type": "object"}` without properties is any object, not an empty one.
  emptyObjectsUnknown: true,
  silent: true,
});
const head =
  `// api-types.ts: the REST API's types, generated from docs/openapi.json (the\n` +
  `// server's OpenAPI document; \`just openapi\` rewrites it from the handlers) by\n` +
  `// clients/js/scripts/api-types.mjs with openapi-typescript ${version}. Do not edit:\n` +
  `// change the server, run \`just openapi\`, then \`just js-build\`; check.sh fails\n` +
  `// when this file differs from the document. Types only.\n\n`;
writeFileSync(out, head + astToString(ast));
console.log(`wrote ${out}`);
