#!/usr/bin/env bash
# Runs the engine's JMH benchmarks (state/src/test/java/dev/tiered/state/bench).
# Usage: scripts/bench.sh [JMH args...], e.g. scripts/bench.sh HotStore -f 1 -wi 2 -i 3
# Benchmarks run against frocksdbjni, the RocksDB that Flink clusters ship.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl state -am test-compile -Dspotless.check.skip=true
mvn -B -q -pl state dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/bench.classpath
classpath=$(tr ':' '\n' < state/target/bench.classpath | grep -v '/org/rocksdb/rocksdbjni/' | paste -sd: -)
exec java -Xmx4g -cp "state/target/test-classes:state/target/classes:$classpath" \
    org.openjdk.jmh.Main "$@"
