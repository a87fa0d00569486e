#!/usr/bin/env bash
# Compiles the job, its tests and its bench against Flink 2.x (default 2.2.0) without the Kinesis and Firehose
# connectors, whose 2.x artifacts the Maven repository may not serve: proof that no code of ours calls an API Flink 2.x
# removed. Nothing runs. Usage: bash flink/flink2-compile-check.sh [flink-version]
set -euo pipefail
cd "$(dirname "$0")"
version="${1:-2.2.0}"
work=target/flink2-check
rm -rf "$work" && mkdir -p "$work/classes"
deps=""
# Left out of what flink-test-utils brings, as compiling needs none of it and a clean machine saves ~100 MB of downloads:
# RocksDB and its native library (no source names a RocksDB class: the tests load the backend by its configuration
# name, as the class moved package in 2.0), Testcontainers, the RPC system's and ZooKeeper's runtime jars.
excl=""
for ga in org.apache.flink:flink-statebackend-rocksdb com.ververica:frocksdbjni 'org.testcontainers:*' \
    'com.github.docker-java:*' org.apache.flink:flink-rpc-akka-loader org.apache.flink:flink-shaded-zookeeper-3; do
  excl+="<exclusion><groupId>${ga%%:*}</groupId><artifactId>${ga#*:}</artifactId></exclusion>"
done
for artifact in flink-streaming-java flink-table-api-java-bridge flink-table-runtime flink-connector-base flink-json \
    flink-test-utils; do
  deps+="<dependency><groupId>org.apache.flink</groupId><artifactId>$artifact</artifactId><version>$version</version>"
  deps+="<exclusions>$excl</exclusions></dependency>"
done
# The non-Flink dependencies at the versions of pom.xml.
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
deps+="<dependency><groupId>com.amazonaws</groupId><artifactId>aws-kinesisanalytics-runtime</artifactId><version>$(prop kda.runtime.version)</version></dependency>"
deps+="<dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>$(prop junit.version)</version></dependency>"
deps+="<dependency><groupId>org.assertj</groupId><artifactId>assertj-core</artifactId><version>$(prop assertj.version)</version></dependency>"
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>check</groupId><artifactId>flink2-check</artifactId><version>1</version><dependencies>$deps</dependencies></project>
POM
mvn -B -ntp -q -f "$work/pom.xml" dependency:build-classpath -Dmdep.outputFile=classpath.txt
# The tests that plan with the Kinesis connector's options only need it at run time, not to compile.
javac --release 17 -nowarn -d "$work/classes" -cp "$(cat "$work/classpath.txt")" \
  $(find src/main/java src/test/java -name '*.java')
echo "compiled $(find src/main/java src/test/java -name '*.java' | wc -l) sources against Flink $version"
