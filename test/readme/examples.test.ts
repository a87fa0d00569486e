/**
 * Every ```ts block of the README type-checks against this library, as a user's compiler sees it. A block with its own
 * `import` lines is a whole file (the quick start); any other block is the body of a Stack constructor, with the
 * library's exports, aws-cdk-lib's modules and three resources of the user's own (`vpc`, `workgroup`, `loaderSecret`)
 * in scope, as the README's "Examples by feature" says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

interface Block {
  readonly line: number;
  readonly code: string;
}

function readmeBlocks(): Block[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const blocks: Block[] = [];
  const fence = /^```ts\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(readme); m; m = fence.exec(readme)) {
    blocks.push({ line: readme.slice(0, m.index).split('\n').length, code: m[1] });
  }
  return blocks;
}

/** The names the package exports: every exported declaration of lib/ outside the private folders. */
function libraryExports(): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'private') walk(file);
      } else if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const decl = /^export (?:declare )?(?:abstract )?(?:class|interface|enum|const|function|type) (\w+)/gm;
        const text = fs.readFileSync(file, 'utf-8');
        for (let m = decl.exec(text); m; m = decl.exec(text)) names.add(m[1]);
      }
    }
  };
  walk(path.join(ROOT, 'lib'));
  return [...names].sort();
}

function fixture(body: string): string {
  return [
    'import {',
    '  App, CfnOutput, Duration, RemovalPolicy, Size, Stack, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as cw_actions,',
    '  aws_ec2 as ec2, aws_iam as iam, aws_kinesis as kinesis, aws_kms as kms, aws_lambda as lambda, aws_s3 as s3, aws_sns as sns,',
    '  aws_redshiftserverless as redshiftserverless, aws_secretsmanager as secretsmanager,',
    "} from 'aws-cdk-lib';",
    "import { Construct } from 'constructs';",
    `import { ${libraryExports().join(', ')} } from 'kinesis-streaming-pipelines';`,
    'declare const vpc: ec2.IVpc;',
    'declare const workgroup: redshiftserverless.CfnWorkgroup;',
    'declare const loaderSecret: secretsmanager.ISecret;',
    'export class Example extends Stack {',
    '  constructor(scope: Construct, id: string) {',
    '    super(scope, id);',
    body,
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('the README examples', () => {
  const blocks = readmeBlocks();

  test('every link of the table of contents (and any other #anchor) names a heading', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8').replace(/^```[\s\S]*?^```/gm, '');
    // GitHub's anchors: lowercase, punctuation other than '-' dropped, spaces to '-'.
    const slugs = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)]
      .map((m) => m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-')));
    const anchors = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(anchors.length).toBeGreaterThan(20);
    expect(anchors.filter((a) => !slugs.has(a))).toEqual([]);
  });

  test('there is one per feature (the README has its examples)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(17);
  });

  test('every ts block type-checks against the library', () => {
    // One program for all blocks, each a file of its own in test/readme/, served from memory.
    const files = new Map(blocks.map((b) => [
      path.join(__dirname, `__readme_line_${b.line}__.ts`),
      /^import /m.test(b.code) ? b.code : fixture(b.code),
    ]));
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      // The library's sources: the package's declarations are compiled from them.
      baseUrl: ROOT,
      paths: { 'kinesis-streaming-pipelines': ['lib/index.ts'] },
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (name, target, ...rest) => {
      const code = files.get(path.resolve(name));
      return code !== undefined ? ts.createSourceFile(name, code, target) : getSourceFile.call(host, name, target, ...rest);
    };
    const fileExists = host.fileExists;
    host.fileExists = (name) => files.has(path.resolve(name)) || fileExists.call(host, name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => `README.md block at line ${/__readme_line_(\d+)__/.exec(file)![1]}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
    expect(problems).toEqual([]);
  });
});
