/**
 * The package as a user gets it: `npm pack` of this repository (its prepack check included), installed into a new
 * temporary CDK app beside nothing but aws-cdk-lib and constructs, required by its package name from plain CommonJS
 * node, with no java, mvn or docker on the PATH. `npm test` compiles with jsii before jest runs, so build/ is current.
 * aws-cdk-lib and constructs come from the local npm cache where they are (`--prefer-offline`), else the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const versionOf = (pkg: string): string =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf-8')).version;

/** What the tarball may hold: anything else (sources, scripts, the Maven project, configuration) is a fault. */
const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^API\.md$/, /^\.jsii$/,
  /^build\/.+\.(js|d\.ts)$/,
  /^assets\/lambda\/[a-z0-9-]+\/index\.js$/,
  /^assets\/flink\/[a-z0-9-]+\.jar$/,
  /^schemas\/.+\.(json|jsonl|md)$/,
];

interface Synth { status: number | null; output: string; outdir: string }

describe('the packed package, installed into a new CDK app', () => {
  let work: string;
  let files: string[];
  let synth: Synth;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksp-package-'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: ROOT, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'],
    }))[0];
    files = packed.files.map((f: { path: string }) => f.path);

    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
      path.join(work, packed.filename), `aws-cdk-lib@${versionOf('aws-cdk-lib')}`, `constructs@${versionOf('constructs')}`], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    fs.copyFileSync(path.join(__dirname, 'user-app.js'), path.join(app, 'app.js'));

    // A PATH with node alone: no java, mvn or docker (nor npm, tsc, ts-node).
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    // Synthesized as users do, by the CDK CLI (this repository's devDependency: a tool, not a library of the app), which
    // runs `node app.js` in the app and prints what the synth reports.
    const outdir = path.join(work, 'cdk.out');
    const cli = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const run = spawnSync(process.execPath, [cli, 'synth', '--app', 'node app.js', '--output', outdir, '--quiet', '--no-notices'], {
      cwd: app, encoding: 'utf-8', env: { PATH: bin, HOME: work, CDK_DISABLE_VERSION_CHECK: '1' }, timeout: 300_000,
    });
    // eslint-disable-next-line no-control-regex
    synth = { status: run.status, output: `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, ''), outdir };
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('holds the compiled JS and declarations, the assembly, the assets and the docs, and nothing else', () => {
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining([
      'build/index.js', 'build/index.d.ts', '.jsii', 'README.md', 'LICENSE',
      'assets/flink/kinesis-sql-job.jar',
      'assets/lambda/shard-autoscaler/index.js', 'assets/lambda/firehose-transform/index.js',
      'assets/lambda/flink-app-control/index.js', 'assets/lambda/session-consumer/index.js',
      'schemas/click-event.schema.json', 'schemas/sensor-reading.schema.json',
    ]));
  });

  test('a plain CommonJS app synthesizes a PipelineStream, an IotSensorPipeline and a ClickstreamPipeline', () => {
    expect({ status: synth.status, output: synth.status === 0 ? '' : synth.output }).toEqual({ status: 0, output: '' });
    const manifest = JSON.parse(fs.readFileSync(path.join(synth.outdir, 'manifest.json'), 'utf-8'));
    const types = (stack: string): string[] => {
      const template = JSON.parse(fs.readFileSync(path.join(synth.outdir, manifest.artifacts[stack].properties.templateFile), 'utf-8'));
      return Object.values<any>(template.Resources).map((r) => r.Type);
    };
    expect(types('UserStream')).toEqual(expect.arrayContaining(['AWS::Kinesis::Stream', 'AWS::Kinesis::StreamConsumer']));
    for (const stack of ['UserIot', 'UserClickstream']) {
      expect(types(stack)).toEqual(expect.arrayContaining([
        'AWS::Kinesis::Stream', 'AWS::KinesisAnalyticsV2::Application', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::Lambda::Function',
      ]));
    }
    // The assets were found in the installed package and staged: the Flink job jar and the Lambda bundles.
    const staged = fs.readdirSync(synth.outdir).filter((f) => f.startsWith('asset.'));
    expect(staged.filter((f) => f.endsWith('.jar'))).toHaveLength(1);
    expect(staged.some((f) => fs.existsSync(path.join(synth.outdir, f, 'index.js')))).toBe(true);
  });

  test('its synth prints each stream\'s capacity plan and no warning', () => {
    const lines = synth.output.split('\n');
    expect(lines.filter((l) => /^WARNING/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^INFO capacity plan: \{.*\} \(costs at us-east-1 prices\)/.test(l))).toHaveLength(3);
    expect(synth.output).not.toMatch(/info-annotation/);
  });
});
