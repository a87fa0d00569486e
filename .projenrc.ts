import { awscdk, javascript, DependencyType, JsonFile } from 'projen';

const LAMBDAS_OUT = 'assets/lambda';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'kinesis-streaming-pipelines',
  description: 'Production-grade real-time streaming analytics on Amazon Kinesis: right-sized streams, EFO consumers, a shard autoscaler, Managed Flink, Firehose delivery and alarms.',
  author: 'pipeline maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/kinesis-pipelines.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  keywords: ['aws-cdk', 'kinesis', 'flink', 'firehose', 'streaming', 'autoscaling'],

  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // aws-cdk-lib 2.257 is the oldest release cdk-nag 3 accepts; tests run on a newer one that bundles
  // @aws/cloudformation-validate (the devDependency pinned in devDeps).
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',

  // Layout of DEVELOPERS.md: sources in lib/, jsii output in an ignored folder of its own.
  srcdir: 'lib',
  libdir: 'build',
  testdir: 'test',
  // projen's NodePackage defaults `main` to lib/index.js whatever libdir is (types follow libdir): point both at jsii's output.
  entrypoint: 'build/index.js',
  entrypointTypes: 'build/index.d.ts',

  // The languages jsii-pacmak builds (npm run package-all; `npm test` builds and runs the Python one).
  publishToPypi: { distName: 'kinesis-streaming-pipelines', module: 'kinesis_streaming_pipelines' },
  publishToMaven: {
    javaPackage: 'io.github.example.kinesispipelines',
    mavenGroupId: 'io.github.example',
    mavenArtifactId: 'kinesis-streaming-pipelines',
  },
  publishToNuget: { dotNetNamespace: 'Example.KinesisPipelines', packageId: 'Example.KinesisStreamingPipelines' },
  publishToGo: { moduleName: 'github.com/example/kinesis-pipelines-go', packageName: 'kinesispipelines' },

  github: false,
  release: false,
  docgen: true,
  sampleCode: false,
  eslint: true,
  prettier: false,
  npmignoreEnabled: true,

  // Tests run on a release of aws-cdk-lib that bundles @aws/cloudformation-validate; the peer range stays >= 2.257.
  peerDependencyOptions: { pinnedDevDependency: false },
  deps: [],
  devDeps: [
    'aws-cdk-lib@2.276.0',
    'constructs@10.5.1',
    'cdk-nag@^3.0.2',
    'aws-cdk@^2.1100.0',
    'fast-check@^4',
    'esbuild@^0.28',
    'tsx@^4',
    '@types/aws-lambda@^8',
    '@aws-sdk/client-kinesis@^3',
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-dynamodb@^3',
    '@aws-sdk/lib-dynamodb@^3',
    '@aws-sdk/client-kinesis-analytics-v2@^3',
    '@aws-sdk/client-sns@^3',
    '@aws-sdk/client-s3@^3',
    '@aws-lambda-powertools/logger@^2',
    '@aws-lambda-powertools/metrics@^2',
    '@aws-lambda-powertools/batch@^2',
    'aws-sdk-client-mock@^4',
    '@smithy/node-http-handler@^4',
    '@smithy/types@^4',
    // the event schemas (schemas/): validated in the session consumer (bundled), the tests and the local runner
    'ajv@^8',
    'ajv-draft-04@^1',
    // integration tests (test/integ.*.ts): run against an AWS account by users, in snapshot mode in CI
    '@aws-cdk/integ-runner@^2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // IAM policy simulator for the reachability tests (test/iam); AGPL, a test-only devDependency, never shipped
    '@cloud-copilot/iam-simulate@^0.1',
    // renders the ingestion API's VTL mapping template in tests (test/ingestion/)
    'velocityjs@^2',
    // mutation testing of the pure modules (npm run mutation, a benchmark outside npm test); 9.x: 10.x needs Node.js 22
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    '@stryker-mutator/typescript-checker@9.6.1',
  ],

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
      maxWorkers: 2,
      collectCoverage: false,
    },
    extraCliOptions: ['--ci'],
  },
  // Type checking is a step of its own (tsc --noEmit); ts-jest only transpiles, which keeps the suite fast.
  tsJestOptions: {
    transformOptions: { isolatedModules: true },
  },

  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'lambda', 'bench', 'bin', 'examples', 'scripts', 'local'],
    tsconfigPath: './tsconfig.dev.json',
  },

  gitignore: ['/.venv/', '/.venv-py/', '/.mutation/', '/.stryker-tmp/', '/reports/', '/assets/', '/cdk.out/', '/flink/target/', '/bench/out/', '/local/.cache/', '*.log', '/test/integ.*.ts.snapshot/asset.*'],
  // not shipped in the npm package (package.json's `files`, below, is the allowlist; this keeps .npmignore in agreement)
  npmIgnoreOptions: {
    ignorePatterns: ['/bench/', '/examples/', '/bin/', '/flink/', '/.venv/', '/.venv-py/', '/cdk.out/', '/test/', '/lambda/',
      '/local/', '/scripts/', '/.ci/', '/cdk.json', '/tsconfig.dev.json', '/build/**/*.tsbuildinfo', '/assets/flink/*.json'],
  },
});

// What the npm package holds: jsii's compiled JS and declarations, the assembly, the assets the constructs load at synth
// (Lambda bundles, the Flink job jar), the event JSON Schemas producers validate against, and the docs. `prepack` refuses
// to pack when an asset or the compiled output is missing (scripts/check-package.mjs names the command to run), so no
// package can fail later with "Cannot find asset". test/package/ installs the packed tarball as a user does.
project.package.addField('files', [
  'build/**/*.js',
  'build/**/*.d.ts',
  '.jsii',
  'assets/lambda/**/*.js',
  'assets/flink/*.jar',
  'schemas/**/*.json',
  'schemas/**/*.jsonl',
  'schemas/README.md',
  'API.md',
]);
project.package.setScript('prepack', 'node scripts/check-package.mjs');


// constructs: the devDependency the peer range implies (projen drops it when the peer pin is off).
project.deps.addDependency('constructs@10.5.1', DependencyType.DEVENV);

// Lambda handlers: lambda/<name>/handler.ts bundled by esbuild into assets/lambda/<name>/index.js,
// which the constructs load with Code.fromAsset and the npm package ships.
const bundle = project.addTask('bundle:lambda', {
  description: 'Bundle every lambda/<name>/handler.ts with esbuild',
  exec: `node scripts/bundle-lambdas.mjs ${LAMBDAS_OUT}`,
});
project.preCompileTask.spawn(bundle);

// One type-checking project over everything outside jsii's lib/ build: tests, handlers, bench, examples, the app.
new JsonFile(project, 'tsconfig.dev.json', {
  obj: {
    extends: './tsconfig.json',
    compilerOptions: { rootDir: '.', noEmit: true, isolatedModules: true },
    include: ['lib/**/*.ts', 'test/**/*.ts', 'lambda/**/*.ts', 'bench/**/*.ts', 'local/**/*.ts', 'bin/**/*.ts', 'examples/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    exclude: ['node_modules', 'cdk.out', 'build'],
  },
});

// ESLint reads types through tsconfig.dev.json, which covers every folder it lints (the project service would only
// find lib/ and test/).
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
eslintrc.addDeletionOverride('parserOptions.projectService');
eslintrc.addOverride('parserOptions.project', './tsconfig.dev.json');

// Property tests run with a fixed seed that a failure prints (test/support/property.ts), never fc.assert's random one.
project.eslint!.addOverride({
  files: ['test/**/*.ts'],
  excludedFiles: ['test/support/property.ts'],
  rules: {
    'no-restricted-properties': ['error', { object: 'fc', property: 'assert', message: 'use assertProperty/assertAsyncProperty from test/support/property.ts (fixed seed, printed on failure)' }],
  },
});

const typecheck = project.addTask('typecheck', {
  description: 'Type-check everything outside jsii (tests, handlers, examples, bench)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});

// The Flink job (flink/, Maven): its JUnit tests on a MiniCluster, then the shaded jar the FlinkApplication construct
// deploys by default, copied to assets/flink/ (ignored by git, shipped in the npm package).
const flinkBuild = project.addTask('flink:build', {
  description: 'Test the Flink job on a MiniCluster and build its shaded jar into assets/flink/',
  exec: 'mvn -B -ntp -f flink/pom.xml verify && mkdir -p assets/flink && cp flink/target/kinesis-sql-job.jar assets/flink/kinesis-sql-job.jar',
});

// The job's sources compiled against Flink 2.x (no connectors, nothing runs): keeps the move to 2.x a version change.
// About 20 s (22 CPU-seconds) with a warm Maven cache; with a clean one it first downloads from Maven Central the
// Flink 2.2 jars it compiles against: 86 MB, of which 51 MB beyond what the 1.19 build fetches.
const flinkCheck2x = project.addTask('flink:check-2x', {
  description: 'Compile the Flink job, its tests and bench against Flink 2.2 (proof that it uses no API Flink 2.x removed)',
  exec: 'bash flink/flink2-compile-check.sh',
});

// npm test: bundle the handlers, build and test the Flink job, check it compiles on Flink 2.x, compile with jsii
// (catches jsii-incompatible API), type-check, jest, eslint.
project.testTask.reset();
project.testTask.spawn(bundle);
project.testTask.spawn(flinkBuild);
project.testTask.spawn(flinkCheck2x);
project.testTask.spawn(project.compileTask);
// API.md is generated from the jsii assembly and committed: a stale one fails the test run.
project.testTask.spawn(project.tasks.tryFind('docgen')!);
project.testTask.exec('git diff --quiet -- API.md || (echo "API.md is stale: run npx projen docgen and commit it" >&2 && exit 1)');
project.testTask.spawn(typecheck);
project.testTask.exec('jest --passWithNoTests --ci --updateSnapshot=none');
// Both pipelines' whole data path on this machine (moto, the Lambda bundles, the Flink jar built above), from the example
// app synthesized here, with exact counts at every hop; one pipeline at a time (CI has 2 cores). After jest, whose setup
// creates the moto virtualenv. The Flink job's start-up took up to 260 s on this 2-core machine at a load average of 20:
// the start timeout leaves room for a slower CI runner.
const localSmoke = project.addTask('local:smoke', {
  description: 'npm run local -- <iot|clickstream> --once for both pipelines, from the example app synthesized into cdk.out',
});
localSmoke.exec('cdk synth --quiet');
localSmoke.exec('tsx local/main.ts clickstream --once --timeout 300 --flink-start-timeout 900');
localSmoke.exec('tsx local/main.ts iot --once --timeout 300 --flink-start-timeout 900');
project.testTask.spawn(localSmoke);
project.testTask.spawn(project.tasks.tryFind('eslint')!);

const synth = project.addTask('synth', {
  description: 'Synthesize the example app (no AWS account needed), run the gates and print resources, plans and cost',
});
synth.spawn(bundle);
// On a fresh clone the Flink job jar is missing: build it (or rebuild it when flink/ changed), and say so.
synth.exec('node scripts/ensure-flink-jar.mjs');
synth.exec('cdk synth --quiet');
synth.exec('tsx bin/report.ts cdk.out');
project.addTask('simulate', {
  description: 'Replay a traffic trace against a scaling policy: npm run simulate -- --trace <csv> --policy <name>',
  exec: 'tsx bench/simulate.ts',
  receiveArgs: true,
});
project.addTask('local', {
  description: 'Run a pipeline\'s whole data path on this machine, wired from cdk.out: npm run local -- <iot|clickstream> [--once] [--records N]',
  exec: 'tsx local/main.ts',
  receiveArgs: true,
});
project.addTask('bench:flink', {
  description: 'Steady-state records per CPU-second of each shipped SQL job (heap and RocksDB) on a MiniCluster; writes bench/results/flink.{json,md} and the KPU planning figures: npm run bench:flink -- [--steady N] [--warmup N] [--records N] [--parallelism P] [--job iot|clickstream] [--backend heap|rocksdb]',
  exec: 'bash flink/bench.sh',
  receiveArgs: true,
});
project.addTask('bench:scaling', {
  description: 'The scaling policies (autoscaler, on-demand, static, aws-samples, substation) on the five traces; writes bench/results/scaling.md',
  exec: 'tsx bench/run-scaling.ts',
});
project.addTask('mutation', {
  description: 'Mutation score of the pure modules (StrykerJS, one module at a time, concurrency 1); writes bench/results/mutation.md',
  exec: 'tsx scripts/mutation.ts',
  receiveArgs: true,
});
project.addTask('bench:synth', {
  description: 'Synth time and resource count of the benchmark stacks',
  exec: 'tsx bench/synth.ts',
});

project.synth();
