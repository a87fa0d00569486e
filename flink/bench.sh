#!/usr/bin/env bash
# Throughput of each shipped Flink SQL script on a local MiniCluster (npm run bench:flink).
# Options: --records N (default 2,000,000 per script), --parallelism P (default: the cores), --script iot|clickstream,
#          --param key=value (a SqlParameters value, e.g. stats.window.minutes=1), repeatable
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xmx3g -XX:+UseParallelGC -Dlog4j2.configurationFile=log4j2-test.properties \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
  com.example.kinesispipelines.flink.bench.SqlThroughputBench "$@"
