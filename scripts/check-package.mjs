// prepack: refuses to pack a package whose constructs would fail at a user's synth ("Cannot find asset") or whose
// entry point is missing. Each missing file is named with the command that builds it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? '.';
const handlers = readdirSync(join(root, 'lambda'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'lambda', d.name, 'handler.ts')))
  .map((d) => d.name);

const required = [
  { file: 'build/index.js', build: 'npx projen compile' },
  { file: 'build/index.d.ts', build: 'npx projen compile' },
  { file: '.jsii', build: 'npx projen compile' },
  ...handlers.map((name) => ({ file: `assets/lambda/${name}/index.js`, build: 'npm run bundle:lambda' })),
  { file: 'assets/flink/kinesis-sql-job.jar', build: 'npm run flink:build (needs Maven and a JDK)' },
];

const missing = required.filter((r) => !existsSync(join(root, r.file)));
if (missing.length > 0) {
  const commands = [...new Set(missing.map((m) => m.build))];
  console.error([
    'kinesis-streaming-pipelines: not packing, the package would be missing files its constructs load at synth:',
    ...missing.map((m) => `  ${m.file}`),
    'build them first:',
    ...commands.map((c) => `  ${c}`),
  ].join('\n'));
  process.exit(1);
}
console.error(`kinesis-streaming-pipelines: package contents present (${handlers.length} Lambda bundles, Flink job jar, jsii output)`);
