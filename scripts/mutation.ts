/**
 * Mutation testing of the library's pure modules with StrykerJS (jest runner, TypeScript checker), one module at a
 * time, with concurrency 1, each against the test files that cover it, none of which uses snapshots (a mutant that
 * only a snapshot notices is not counted as killed: `npm run test:update` would accept it).
 *
 *   npm run mutation                    # every module, then bench/results/mutation.md
 *   npm run mutation -- plan policy     # the named modules only (the table keeps the others' last figures)
 *
 * Mutation score = (killed + timed out) ÷ (killed + timed out + survived + no coverage); mutants that do not compile
 * (rejected by the TypeScript checker) are not counted, as in Stryker's own score.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Target {
  readonly name: string;
  readonly module: string;
  readonly tests: string[];
}

/** The pure modules and the (non-snapshot) test files that cover each. */
export const TARGETS: Target[] = [
  { name: 'plan', module: 'lib/streams/private/plan.ts', tests: ['test/streams/capacity.test.ts', 'test/streams/capacity-claims.test.ts'] },
  { name: 'policy', module: 'lambda/shard-autoscaler/policy.ts', tests: ['test/lambda/shard-autoscaler/policy.test.ts', 'test/lambda/shard-autoscaler/policy-claims.test.ts'] },
  { name: 'alarm-math', module: 'lib/scaling/private/alarm-math.ts', tests: ['test/scaling/alarm-math.test.ts', 'test/scaling/alarm-math-values.test.ts'] },
  { name: 'sessionize', module: 'lambda/session-consumer/sessionize.ts', tests: ['test/lambda/session-consumer/sessionize.test.ts'] },
  { name: 'transform', module: 'lambda/firehose-transform/transform.ts', tests: ['test/lambda/firehose-transform/transform.test.ts', 'test/lambda/firehose-transform/transform-claims.test.ts'] },
  { name: 'decide', module: 'lambda/flink-app-control/decide.ts', tests: ['test/lambda/flink-app-control/decide.test.ts', 'test/lambda/flink-app-control/decide-claims.test.ts', 'test/lambda/flink-app-control/control.test.ts'] },
  { name: 'engine', module: 'bench/sim/engine.ts', tests: ['test/bench/simulator.test.ts'] },
];

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.mutation');
const RESULTS = path.join(ROOT, 'bench', 'results', 'mutation.md');

interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileError: number;
  survivors: string[];
}

function run(target: Target): Counts {
  const tests = target.tests.filter((t) => fs.existsSync(path.join(ROOT, t)));
  for (const t of tests) {
    if (/toMatch(Inline)?Snapshot/.test(fs.readFileSync(path.join(ROOT, t), 'utf-8'))) {
      throw new Error(`${t} uses snapshots: mutants it kills would not count; list non-snapshot tests only`);
    }
  }
  fs.mkdirSync(WORK, { recursive: true });
  const tsconfig = path.join(WORK, `tsconfig.${target.name}.json`);
  fs.writeFileSync(tsconfig, JSON.stringify({
    extends: '../tsconfig.dev.json',
    compilerOptions: { rootDir: '..', noEmit: true },
    include: [`../${target.module}`, ...tests.map((t) => `../${t}`)],
  }, null, 2));
  const report = path.join(WORK, `${target.name}.json`);
  const jestConfig = path.join(WORK, 'jest.config.json');
  fs.writeFileSync(jestConfig, JSON.stringify({ rootDir: '..', testEnvironment: 'node' }, null, 2));
  const config = path.join(WORK, `stryker.${target.name}.json`);
  fs.writeFileSync(config, JSON.stringify({
    packageManager: 'npm',
    testRunner: 'jest',
    checkers: ['typescript'],
    tsconfigFile: path.relative(ROOT, tsconfig),
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: 'perTest',
    concurrency: 1,
    mutate: [target.module],
    jest: {
      projectType: 'custom',
      enableFindRelatedTests: false,
      // Replaces package.json's jest configuration: no global setup (the pure modules' tests need no moto server nor
      // .venv), no reporters but the default, no snapshot serializer.
      configFile: path.relative(ROOT, jestConfig),
      config: {
        testMatch: tests.map((t) => `<rootDir>/${t}`),
        testEnvironment: 'node',
        testTimeout: 120_000,
        transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json', isolatedModules: true }] },
      },
    },
    reporters: ['json', 'clear-text', 'progress'],
    jsonReporter: { fileName: path.relative(ROOT, report) },
    clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
    ignorePatterns: ['/.venv', '/flink', '/assets', '/cdk.out', '/bench/out', '/test-reports', '/coverage', '/build', '/dist', '/lib/**/*.js',
      '/lib/**/*.d.ts', '/test/integ.*.snapshot', '/reports', '/.mutation/*.json', '!/.mutation/tsconfig.*.json', '!/.mutation/jest.config.json'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    timeoutMS: 60_000,
    // the machine is shared: the first run of the tests may take minutes
    dryRunTimeoutMinutes: 40,
    fileLogLevel: 'info',
  }, null, 2));
  const res = spawnSync('npx', ['stryker', 'run', path.relative(ROOT, config)], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`stryker failed on ${target.module} (exit ${res.status})`);
  return count(JSON.parse(fs.readFileSync(report, 'utf-8')), target.module);
}

function count(report: any, module: string): Counts {
  const c: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, survivors: [] };
  const file = report.files[module] ?? Object.entries(report.files).find(([f]) => f.endsWith(module))?.[1];
  const source: string[] = String((file as any)?.source ?? '').split('\n');
  for (const m of (file as any)?.mutants ?? []) {
    switch (m.status) {
      case 'Killed': c.killed++; break;
      case 'Timeout': c.timeout++; break;
      case 'Survived':
      case 'NoCoverage': {
        if (m.status === 'Survived') c.survived++; else c.noCoverage++;
        const line = m.location.start.line;
        c.survivors.push(`${module}:${line} ${m.mutatorName}${m.replacement !== undefined ? ` → \`${String(m.replacement).replace(/\s+/g, ' ').slice(0, 80)}\`` : ''}`
          + ` (${m.status}) in \`${(source[line - 1] ?? '').trim().slice(0, 100)}\``);
        break;
      }
      case 'CompileError': c.compileError++; break;
      default: break;
    }
  }
  return c;
}

const score = (c: Counts) => {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return valid === 0 ? 100 : (100 * detected) / valid;
};

function main(): void {
  const wanted = process.argv.slice(2);
  const targets = wanted.length ? wanted.map((w) => TARGETS.find((t) => t.name === w)).filter((t): t is Target => t !== undefined) : TARGETS;
  if (targets.length === 0) throw new Error(`no module named ${wanted.join(', ')}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
  const stored = path.join(WORK, 'results.json');
  const results: Record<string, Counts> = fs.existsSync(stored) ? JSON.parse(fs.readFileSync(stored, 'utf-8')) : {};
  for (const t of targets) {
    try {
      results[t.name] = run(t);
    } catch (e) {
      console.error(`${t.module}: ${(e as Error).message}`);
      process.exitCode = 1;
      continue;
    }
    fs.writeFileSync(stored, JSON.stringify(results, null, 2));
    const c = results[t.name];
    console.log(`${t.module}: ${score(c).toFixed(1)} % (${c.killed} killed, ${c.timeout} timed out, ${c.survived} survived, ${c.noCoverage} not covered, ${c.compileError} not compiling)`);
    writeTable(results);
  }
}

function writeTable(results: Record<string, Counts>): void {
  const lines = ['# Mutation testing (StrykerJS, `npm run mutation`)', '',
    '| module | tests | score | killed | timed out | survived | no coverage | compile errors |', '|---|---|---|---|---|---|---|---|'];
  for (const t of TARGETS) {
    const c = results[t.name];
    if (!c) continue;
    lines.push(`| \`${t.module}\` | ${t.tests.map((x) => `\`${path.basename(x)}\``).join(', ')} | ${score(c).toFixed(1)} % | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.compileError} |`);
  }
  lines.push('', '## Surviving mutants', '');
  for (const t of TARGETS) for (const s of results[t.name]?.survivors ?? []) lines.push(`- ${s}`);
  fs.writeFileSync(RESULTS, lines.join('\n') + '\n');
  console.log(`wrote ${path.relative(ROOT, RESULTS)}`);
}

main();
