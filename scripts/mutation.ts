/**
 * Mutation testing of the library's pure modules with StrykerJS (jest runner, TypeScript checker), one module at a
 * time, with concurrency 1, each against the test files that cover it, none of which uses snapshots (a mutant that
 * only a snapshot notices is not counted as killed: `npm run test:update` would accept it); and of the Flink job's
 * functions and formats with PIT (the `mutation` Maven profile of flink/pom.xml), against their unit tests.
 *
 *   npm run mutation                    # every module, then bench/results/mutation.md
 *   npm run mutation -- plan engine     # the named modules only (the table keeps the others' last figures)
 *   npm run mutation -- java            # the Flink job only (also: --java)
 *   npm run mutation -- java --reuse-java-report   # the table from the last PIT report, without running PIT
 *   npm run mutation -- sessionize --concurrency=2  # two test runners at once (default 1)
 *
 * Mutation score = (killed + timed out) ÷ (killed + timed out + survived + no coverage); mutants that do not compile
 * (rejected by the TypeScript checker, or by the JVM's verifier for PIT) are not counted, as in Stryker's own score.
 * Stryker runs incrementally (.mutation/<module>.incremental.json): a mutant whose code and covering tests are unchanged
 * since the last run keeps its result, so a re-run after adding tests only tests what those tests cover.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Target {
  readonly name: string;
  /** The module named in the table; mutated whole unless `lines` is given. */
  readonly module: string;
  /** Mutate only these lines of the module (`from-to`), for a module too slow to mutate whole; the table says which. */
  readonly lines?: string;
  /** Other code mutated and counted with it (`file:fromLine-toLine` for part of a file). */
  readonly alsoMutate?: string[];
  readonly tests: string[];
  /**
   * Whether the TypeScript checker screens the mutants first (those it rejects are not counted). Off for a module whose
   * types pull in aws-cdk-lib's declarations: the checker then spends about ten CPU seconds on each mutant, where running its
   * tests takes about one. Without it, a mutant the compiler would reject is run like any other (ts-jest only transpiles)
   * and counts as killed or survived; the table says which modules ran without it.
   * @default true
   */
  readonly typeCheck?: boolean;
  /**
   * Scales the number of runs of every property test (FC_RUNS_FACTOR, test/support/property.ts) for a module whose
   * properties take minutes per mutant. The runs are a prefix of the full runs (same seed), so the score is a lower bound
   * of the score with every run; the table says which modules ran with fewer.
   * @default 1
   */
  readonly propertyRunsFactor?: number;
}

/** The pure modules and the (non-snapshot) test files that cover each. */
export const TARGETS: Target[] = [
  // the plan and the retention check it calls (the rest of streams/private/validation.ts belongs to the constructs)
  { name: 'plan', module: 'lib/streams/private/plan.ts', alsoMutate: ['lib/streams/private/validation.ts:6-14'], typeCheck: false, tests: ['test/streams/capacity.test.ts', 'test/streams/capacity-claims.test.ts', 'test/streams/capacity-boundaries.test.ts'] },
  // policy.ts in two parts, each a row of its own with the lines it measured (mutation.json records them): decide(), and
  // the helpers above it (resolveConfig to callsInWindow); the README adds the two rows' counts for the whole module
  { name: 'policy', module: 'lambda/shard-autoscaler/policy.ts', lines: '338-466', propertyRunsFactor: 0.1, tests: ['test/lambda/shard-autoscaler/policy.test.ts', 'test/lambda/shard-autoscaler/policy-claims.test.ts'] },
  { name: 'policy-helpers', module: 'lambda/shard-autoscaler/policy.ts', lines: '207-299', propertyRunsFactor: 0.1, tests: ['test/lambda/shard-autoscaler/policy.test.ts', 'test/lambda/shard-autoscaler/policy-claims.test.ts'] },
  { name: 'alarm-math', module: 'lib/scaling/private/alarm-math.ts', tests: ['test/scaling/alarm-math.test.ts', 'test/scaling/alarm-math-values.test.ts'] },
  { name: 'sessionize', module: 'lambda/session-consumer/sessionize.ts', tests: ['test/lambda/session-consumer/sessionize.test.ts', 'test/lambda/session-consumer/sessionize-claims.test.ts', 'test/lambda/session-consumer/edges.test.ts'] },
  { name: 'transform', module: 'lambda/firehose-transform/transform.ts', tests: ['test/lambda/firehose-transform/transform.test.ts', 'test/lambda/firehose-transform/transform-claims.test.ts'] },
  { name: 'decide', module: 'lambda/flink-app-control/decide.ts', tests: ['test/lambda/flink-app-control/decide.test.ts', 'test/lambda/flink-app-control/decide-claims.test.ts', 'test/lambda/flink-app-control/control.test.ts'] },
  // the engine's own hand-computed tests: simulator.test.ts replays whole traces through the policies (tens of CPU seconds
  // a mutant here), so the score counts only what simulator-engine.test.ts kills, a lower bound
  { name: 'engine', module: 'bench/sim/engine.ts', tests: ['test/bench/simulator-engine.test.ts'] },
];

/** The Flink job's functions and formats, under PIT, against their unit tests (not the MiniCluster jobs). */
const JAVA_SOURCES = 'flink/src/main/java/com/example/kinesispipelines/flink';
export const JAVA: Target = {
  name: 'java',
  module: `${JAVA_SOURCES}/{functions,formats}`,
  tests: ['flink/src/test/java/com/example/kinesispipelines/flink/functions/*Test.java', 'flink/src/test/java/com/example/kinesispipelines/flink/formats/*Test.java'],
};

const ROOT = path.resolve(__dirname, '..');
/** Test runners at once (`--concurrency=2`); 1 by default, as the machine this was written on is shared. */
const CONCURRENCY = Number(process.argv.find((a) => a.startsWith('--concurrency='))?.slice('--concurrency='.length) ?? 1);
const WORK = path.join(ROOT, '.mutation');
const RESULTS = path.join(ROOT, 'bench', 'results', 'mutation.md');

interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  compileError: number;
  survivors: string[];
  /** The lines of the module that were mutated (`from-to`), when not the whole module. */
  lines?: string;
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
    // The mutated module alone (and what it imports): a mutant that type-checks there is run against the tests. Checking
    // the tests as well would load the whole library's types for every mutant, several seconds each on a loaded machine.
    include: [`../${target.module}`],
  }, null, 2));
  const report = path.join(WORK, `${target.name}.json`);
  const jestConfig = path.join(WORK, 'jest.config.json');
  fs.writeFileSync(jestConfig, JSON.stringify({ rootDir: '..', testEnvironment: 'node' }, null, 2));
  const config = path.join(WORK, `stryker.${target.name}.json`);
  fs.writeFileSync(config, JSON.stringify({
    packageManager: 'npm',
    testRunner: 'jest',
    checkers: target.typeCheck === false ? [] : ['typescript'],
    tsconfigFile: path.relative(ROOT, tsconfig),
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: 'perTest',
    concurrency: CONCURRENCY,
    mutate: [target.lines ? `${target.module}:${target.lines}` : target.module, ...(target.alsoMutate ?? [])],
    incremental: true,
    incrementalFile: path.relative(ROOT, path.join(WORK, `${target.name}.incremental.json`)),
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
    ignorePatterns: ['/.stryker-tmp', '/.venv', '/.venv-py', '/local/.cache', '/.jsii', '/flink', '/assets', '/cdk.out', '/bench/out', '/test-reports', '/coverage', '/build', '/dist', '/lib/**/*.js',
      '/lib/**/*.d.ts', '/test/integ.*.snapshot', '/reports', '/.mutation/*.json', '!/.mutation/tsconfig.*.json', '!/.mutation/jest.config.json'],
    // a sandbox per module, so that two modules can be measured at once
    tempDirName: `.stryker-tmp/${target.name}`,
    cleanTempDir: true,
    timeoutMS: 60_000,
    // the machine is shared: the first run of the tests may take minutes
    dryRunTimeoutMinutes: 40,
    fileLogLevel: 'info',
  }, null, 2));
  // FC_END_ON_FAILURE: a property that fails on a mutant stops at its first counterexample, unshrunk (test/support/property.ts)
  const env = { ...process.env, FC_END_ON_FAILURE: '1', ...(target.propertyRunsFactor ? { FC_RUNS_FACTOR: String(target.propertyRunsFactor) } : {}) };
  const res = spawnSync('npx', ['stryker', 'run', path.relative(ROOT, config)], { cwd: ROOT, stdio: 'inherit', env });
  if (res.status !== 0) throw new Error(`stryker failed on ${target.module} (exit ${res.status})`);
  const c: Counts = {
    killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, survivors: [], ...(target.lines ? { lines: target.lines } : {}),
  };
  const json = JSON.parse(fs.readFileSync(report, 'utf-8'));
  for (const file of [target.module, ...(target.alsoMutate ?? []).map((m) => m.replace(/:[\d-]+$/, ''))]) count(json, file, c);
  return c;
}

function count(report: any, module: string, c: Counts): void {
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
}

/** PIT over the Flink job (the `mutation` profile of flink/pom.xml), read back from its XML report. */
function runJava(reuseReport: boolean): Counts {
  const flink = path.join(ROOT, 'flink');
  if (!reuseReport) {
    const res = spawnSync('mvn', ['-q', '-Pmutation', 'test-compile', 'org.pitest:pitest-maven:mutationCoverage'], { cwd: flink, stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`PIT failed (exit ${res.status})`);
  }
  const xml = fs.readFileSync(path.join(flink, 'target', 'pit-reports', 'mutations.xml'), 'utf-8');
  const c: Counts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, survivors: [] };
  const text = (m: string, tag: string) => (new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(m)?.[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const [m, status] of xml.matchAll(/<mutation [^>]*status='(\w+)'[^>]*>[\s\S]*?<\/mutation>/g)) {
    switch (status) {
      // PIT counts a mutant that exhausts memory or crashes the test JVM as detected
      case 'KILLED': case 'MEMORY_ERROR': case 'RUN_ERROR': c.killed++; break;
      case 'TIMED_OUT': c.timeout++; break;
      case 'NON_VIABLE': c.compileError++; break;
      case 'SURVIVED': case 'NO_COVERAGE': {
        if (status === 'SURVIVED') c.survived++; else c.noCoverage++;
        const cls = text(m, 'mutatedClass');
        const file = path.join(JAVA_SOURCES, path.dirname(cls.replace(/\./g, '/')).replace('com/example/kinesispipelines/flink', ''), text(m, 'sourceFile'));
        const line = Number(text(m, 'lineNumber'));
        const source = fs.existsSync(path.join(ROOT, file)) ? fs.readFileSync(path.join(ROOT, file), 'utf-8').split('\n') : [];
        c.survivors.push(`${file.replace(/\/\//g, '/')}:${line} ${text(m, 'mutator').split('.').pop()} (${text(m, 'description')})`
          + ` (${status === 'SURVIVED' ? 'Survived' : 'NoCoverage'}) in \`${(source[line - 1] ?? '').trim().slice(0, 100)}\``);
        break;
      }
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
  const all = [...TARGETS, JAVA];
  // --reuse-java-report: read the last PIT report (flink/target/pit-reports) instead of running PIT again
  const reuseJavaReport = process.argv.includes('--reuse-java-report');
  const wanted = process.argv.slice(2).filter((w) => w !== '--reuse-java-report' && !w.startsWith('--concurrency=')).map((w) => w.replace(/^--/, ''));
  const unknown = wanted.filter((w) => !all.some((t) => t.name === w));
  if (unknown.length) throw new Error(`no module named ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
  const targets = wanted.length ? all.filter((t) => wanted.includes(t.name)) : all;
  // committed beside the table, so that a run of one module keeps the others' last figures on any checkout
  const stored = path.join(ROOT, 'bench', 'results', 'mutation.json');
  const results: Record<string, Counts> = fs.existsSync(stored) ? JSON.parse(fs.readFileSync(stored, 'utf-8')) : {};
  for (const t of targets) {
    try {
      results[t.name] = t === JAVA ? runJava(reuseJavaReport) : run(t);
    } catch (e) {
      console.error(`${t.module}: ${(e as Error).message}`);
      process.exitCode = 1;
      continue;
    }
    // read again before writing: another run of this script (another module) may have written its figures meanwhile
    const latest: Record<string, Counts> = fs.existsSync(stored) ? JSON.parse(fs.readFileSync(stored, 'utf-8')) : {};
    Object.assign(results, latest, { [t.name]: results[t.name] });
    fs.writeFileSync(stored, JSON.stringify(results, null, 2));
    const c = results[t.name];
    console.log(`${t.module}: ${score(c).toFixed(1)} % (${c.killed} killed, ${c.timeout} timed out, ${c.survived} survived, ${c.noCoverage} not covered, ${c.compileError} not compiling)`);
    writeTable(results);
  }
}

/** Kept across runs: the hand-written section of the results file that says why each survivor survives. */
const EXPLAINED = '## Why the survivors survive';

function writeTable(results: Record<string, Counts>): void {
  const previous = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf-8') : '';
  const explained = previous.includes(EXPLAINED) ? previous.slice(previous.indexOf(EXPLAINED)) : '';
  const lines = ['# Mutation testing (`npm run mutation`: StrykerJS for TypeScript, PIT for the Flink job)', '',
    '| module | tests | score | killed | timed out | survived | no coverage | compile errors |', '|---|---|---|---|---|---|---|---|'];
  for (const t of [...TARGETS, JAVA]) {
    const c = results[t.name];
    if (!c) continue;
    const notes = [t.lines ? `lines ${t.lines} only` : '', t.typeCheck === false ? 'no type check' : '', t.propertyRunsFactor ? `property runs × ${t.propertyRunsFactor}` : ''].filter(Boolean);
    lines.push(`| \`${t.module}\`${notes.length ? ` (${notes.join(', ')})` : ''} | ${t.tests.map((x) => `\`${t === JAVA ? path.relative(path.dirname(path.dirname(x)), x) : path.basename(x)}\``).join(', ')} | ${score(c).toFixed(1)} % | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.compileError} |`);
  }
  lines.push('', '## Surviving mutants', '');
  for (const t of [...TARGETS, JAVA]) for (const s of results[t.name]?.survivors ?? []) lines.push(`- ${s}`);
  if (explained) lines.push('', explained.trimEnd());
  fs.writeFileSync(RESULTS, lines.join('\n') + '\n');
  console.log(`wrote ${path.relative(ROOT, RESULTS)}`);
}

main();
