// `npm run synth` (and anyone who needs the Flink job jar): builds assets/flink/kinesis-sql-job.jar with Maven when it is
// missing or older than a file of the Maven project (flink/pom.xml, flink/src/**), and says so. The Flink tests are
// skipped here (`npm run flink:build` and `npm test` run them).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const JAR = 'assets/flink/kinesis-sql-job.jar';
const BUILT = 'flink/target/kinesis-sql-job.jar';

function newestSource(dir) {
  let newest = { file: undefined, mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory() ? newestSource(path) : { file: path, mtime: statSync(path).mtimeMs };
    if (candidate.mtime > newest.mtime) newest = candidate;
  }
  return newest;
}

const sources = [{ file: 'flink/pom.xml', mtime: statSync('flink/pom.xml').mtimeMs }, newestSource('flink/src')];
const newest = sources.reduce((a, b) => (b.mtime > a.mtime ? b : a));
let reason;
if (!existsSync(JAR)) reason = `${JAR} is missing`;
else if (newest.mtime > statSync(JAR).mtimeMs) reason = `${JAR} is older than ${newest.file}`;

if (!reason) {
  console.error(`flink jar: ${JAR} is up to date`);
} else {
  const args = ['-B', '-ntp', '-q', '-f', 'flink/pom.xml', '-DskipTests', 'package'];
  console.error(`flink jar: ${reason}; building it: mvn ${args.join(' ')} (a few minutes the first time, while Maven downloads)`);
  try {
    execFileSync('mvn', args, { stdio: 'inherit' });
  } catch (e) {
    console.error(e.code === 'ENOENT'
      ? 'flink jar: mvn is not on the PATH: install Maven and a JDK 17, or copy a built jar to ' + JAR
      : `flink jar: the Maven build failed (${e.message})`);
    process.exit(1);
  }
  mkdirSync('assets/flink', { recursive: true });
  copyFileSync(BUILT, JAR);
  console.error(`flink jar: built ${JAR}`);
}
