/**
 * The Python package as a user gets it: jsii-pacmak builds the wheel from this repository's jsii assembly (`npm test`
 * compiles it before jest runs), a virtualenv gets it beside aws-cdk-lib from PyPI, and a small Python app
 * (user_app.py) synthesizes a PipelineStream and an IotSensorPipeline with node alone on its PATH (the jsii kernel
 * needs node; no java, mvn or docker).
 *
 * The virtualenv is project-local (.venv-py, ignored by git) and keeps aws-cdk-lib between runs; the wheel is
 * reinstalled each run. PyPI serves aws-cdk-lib a little behind npm; the package's range (>= 2.257) allows it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const VENV = path.join(ROOT, '.venv-py');
/** The aws-cdk-lib the Python app runs on (the newest PyPI served when this was written; within the peer range). */
const PY_AWS_CDK_LIB = '2.275.0';

function ensureVenv(): string {
  const python = path.join(VENV, 'bin', 'python');
  const marker = path.join(VENV, `.aws-cdk-lib-${PY_AWS_CDK_LIB}`);
  if (fs.existsSync(python) && fs.existsSync(marker)) return python;
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `aws-cdk-lib==${PY_AWS_CDK_LIB}`], { stdio: 'inherit' });
  fs.writeFileSync(marker, '');
  return python;
}

describe('the Python package', () => {
  let work: string;
  let outdir: string;
  let run: { status: number | null; output: string };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'ksp-python-'));
    const dist = path.join(work, 'dist');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii-pacmak'), ['--target', 'python', '--outdir', dist], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const wheels = fs.readdirSync(path.join(dist, 'python')).filter((f) => f.endsWith('.whl'));
    expect(wheels).toHaveLength(1);

    const python = ensureVenv();
    // The wheel's own requirements (constructs, jsii, publication) come with it; aws-cdk-lib is already the pinned one.
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--force-reinstall',
      path.join(dist, 'python', wheels[0]), `aws-cdk-lib==${PY_AWS_CDK_LIB}`], { stdio: ['ignore', 'pipe', 'pipe'] });

    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    outdir = path.join(work, 'cdk.out');
    const result = spawnSync(python, [path.join(__dirname, 'user_app.py'), outdir], {
      cwd: work, encoding: 'utf-8', env: { PATH: bin, HOME: work }, timeout: 600_000,
    });
    run = { status: result.status, output: `${result.stdout}${result.stderr}` };
  }, 1_200_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('a Python app synthesizes a PipelineStream and an IotSensorPipeline', () => {
    expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
    const types = (stack: string): string[] => {
      const template = JSON.parse(fs.readFileSync(path.join(outdir, manifest.artifacts[stack].properties.templateFile), 'utf-8'));
      return Object.values<any>(template.Resources).map((r) => r.Type);
    };
    expect(types('PyStream')).toEqual(expect.arrayContaining(['AWS::Kinesis::Stream', 'AWS::Kinesis::StreamConsumer']));
    expect(types('PyIot')).toEqual(expect.arrayContaining([
      'AWS::Kinesis::Stream', 'AWS::KinesisAnalyticsV2::Application', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::IoT::TopicRule',
    ]));
    expect(fs.readdirSync(outdir).filter((f) => f.startsWith('asset.') && f.endsWith('.jar'))).toHaveLength(1);
  });

  test('prints no warning for a correct pipeline', () => {
    expect(run.output.split('\n').filter((l) => /^WARNING /.test(l))).toEqual([]);
  });
});
