/**
 * The README's quick start, as a user pastes it: type-checked against this library (under its package name) and
 * aws-cdk-lib, then run, which synthesizes its app.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** The first ```ts block under "## Quick start". */
function quickStart(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const section = readme.slice(readme.indexOf('\n## Quick start\n'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no ```ts block under "## Quick start"');
  return block[1];
}

describe('the README quick start', () => {
  const code = quickStart();
  // A file of its own in test/readme/, served from memory, so that imports resolve from this repository.
  const file = path.join(__dirname, '__quick_start__.ts');

  test('compiles', () => {
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      // The compiled declarations (`npm test` compiles before jest), as a user's compiler sees the package.
      baseUrl: ROOT,
      paths: { 'kinesis-streaming-pipelines': ['build/index.d.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (name, target, ...rest) => (path.resolve(name) === file
      ? ts.createSourceFile(name, code, target)
      : getSourceFile.call(host, name, target, ...rest));
    const fileExists = host.fileExists;
    host.fileExists = (name) => path.resolve(name) === file || fileExists.call(host, name);
    const program = ts.createProgram([file], options, host);
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  test('synthesizes', () => {
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    const js = ts.transpileModule(code, { compilerOptions }).outputText;
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'quick-start-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const previous = process.env.CDK_OUTDIR;
    process.env.CDK_OUTDIR = outdir;
    try {
      // The snippet's own require: the package name maps to this repository's lib/.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const load = (name: string): unknown => (name === 'kinesis-streaming-pipelines' ? require('../../lib') : require(name));
      new Function('require', 'exports', 'module', `${js}\napp.synth();`)(load, {}, { exports: {} });
      const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Clicks.template.json'), 'utf-8'));
      const types = Object.values<any>(template.Resources).map((r) => r.Type);
      expect(types).toEqual(expect.arrayContaining(['AWS::Kinesis::Stream', 'AWS::Kinesis::StreamConsumer', 'AWS::SNS::Subscription']));
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ shardCount: 13, bindingConstraint: 'WRITE_BYTES' }));
    } finally {
      log.mockRestore();
      if (previous === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = previous;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
