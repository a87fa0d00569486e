/**
 * The integration tests (test/integ.*.ts) in snapshot mode: each app is synthesized as integ-runner would and its
 * templates must equal the committed snapshot (`test/integ.<name>.ts.snapshot/`), asset hashes aside. With an AWS account,
 * run them for real with integ-runner (README, "Integration tests").
 *
 * This comparison is done here rather than by integ-runner itself because the newest integ-runner on the npm registry
 * (2.197.10) reads cloud assemblies up to schema 53, and aws-cdk-lib 2.276 writes schema 55.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeHashes } from './support/asset-hash-serializer';

const TEST_DIR = __dirname;
const INTEG_FILES = fs.readdirSync(TEST_DIR).filter((f) => /^integ\..+\.ts$/.test(f)).sort();
const TSX = require.resolve('tsx/cli');

/**
 * Templates of an assembly folder, by file name, with asset hashes (and hashes derived from them) replaced, and the
 * `salt` integ-tests-alpha gives every assertion (the synth time, so that assertions re-run on each deploy) blanked.
 */
function templates(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort()) {
    out[file] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'), (key, v) => (key === 'salt' ? '[SALT]' : typeof v === 'string' ? normalizeHashes(v) : v));
  }
  return out;
}

/**
 * `UPDATE_INTEG_SNAPSHOTS=1 npx jest test/integ-snapshots.test.ts` rewrites the snapshots (every file of the assembly but its asset folders) from a fresh synth
 * (never set in CI). With an AWS account, prefer integ-runner's --update-on-failed, which deploys first.
 */
const UPDATE = process.env.UPDATE_INTEG_SNAPSHOTS === '1' && process.env.CI !== 'true';

test('there are integration tests, each with a committed snapshot', () => {
  expect(INTEG_FILES.length).toBeGreaterThanOrEqual(2);
  for (const file of INTEG_FILES) expect(fs.existsSync(path.join(TEST_DIR, `${file}.snapshot`))).toBe(true);
});

describe.each(INTEG_FILES)('%s', (file) => {
  test('synthesizes to its committed snapshot', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-'));
    execFileSync(process.execPath, [TSX, path.join(TEST_DIR, file)], {
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_INTEG_ACCOUNT: '12345678', CDK_INTEG_REGION: 'test-region' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const snapshotDir = path.join(TEST_DIR, `${file}.snapshot`);
    if (UPDATE) {
      // The whole assembly but its asset folders (templates, manifests, tree, metadata), so that integ-runner reads
      // a consistent snapshot; only the templates are compared below.
      for (const f of fs.readdirSync(snapshotDir)) {
        if (!fs.statSync(path.join(snapshotDir, f)).isDirectory() && !fs.existsSync(path.join(outdir, f))) fs.rmSync(path.join(snapshotDir, f));
      }
      for (const f of fs.readdirSync(outdir).filter((n) => !n.startsWith('asset.') && !fs.statSync(path.join(outdir, n)).isDirectory())) {
        fs.copyFileSync(path.join(outdir, f), path.join(snapshotDir, f));
      }
    }
    const expected = templates(snapshotDir);
    const actual = templates(outdir);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    for (const name of Object.keys(expected)) {
      expect({ [name]: actual[name] }).toEqual({ [name]: expected[name] });
    }
  });
});
