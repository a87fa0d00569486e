// Bundles every lambda/<name>/handler.ts into <out>/<name>/index.js with esbuild.
// The AWS SDK v3 is bundled too (tree-shaken), so a handler does not depend on the SDK version of the runtime.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? 'assets/lambda';
const names = readdirSync('lambda', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join('lambda', d.name, 'handler.ts')))
  .map((d) => d.name);

await Promise.all(names.map((name) => build({
  entryPoints: [join('lambda', name, 'handler.ts')],
  outfile: join(out, name, 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
})));
console.log(`bundled ${names.length} handler(s) into ${out}: ${names.join(', ') || '-'}`);
