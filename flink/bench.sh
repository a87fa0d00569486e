#!/usr/bin/env bash
# Throughput of each shipped Flink SQL script on a local MiniCluster (npm run bench:flink).
# Steady-state records per CPU-second, heap and RocksDB; writes bench/results/flink.{json,md} and, after a full run,
# lib/flink/private/throughput-figures.ts (the KPU planning figures). Options (SqlThroughputBench): --steady N (default
# 1,600,000 measured records per run, at least), --steady-min-seconds S (default 30: the steady state goes on, in steps of
# 1,000 records per subtask, until it has lasted that long), --repeat N (default 3: runs per job and backend, the median
# reported), --warmup N (default 400,000: the least warm-up; it goes on until the JIT is quiet),
# --warmup-max-seconds S (default 180), --records N (instead: N records, the first --warmup of them, default a fifth, the
# warm-up, whatever the JIT does; quicker, for comparisons), --parallelism P (default: the cores),
# --job iot|clickstream, --backend heap|rocksdb, --checkpoint-seconds S (default 60), --no-write,
# --param key=value (a SqlParameters value, e.g. stats.window.minutes=1), repeatable
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -Xmx3g -XX:+UseParallelGC -Dlog4j2.configurationFile=log4j2-test.properties \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" \
  com.example.kinesispipelines.flink.bench.SqlThroughputBench "$@"
