import * as path from 'node:path';

/**
 * Where `npm run flink:build` puts the shaded jar of this repository's Flink SQL job (flink/), relative to this file
 * (lib/flink/private or its compiled twin). The jar is shipped in the npm package, never committed.
 */
export const SQL_RUNNER_JAR_PATH = path.join(__dirname, '..', '..', '..', 'assets', 'flink', 'kinesis-sql-job.jar');
