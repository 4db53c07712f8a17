#!/usr/bin/env bash
# The job-level benchmark (docs/benchmarks.md): every case of the issue in one invocation, on this
# machine. Each run is a fresh JVM with an embedded Flink cluster (parallelism 2, checkpoints every
# 1 s, the chat workload generated in the job); then tables of medians are printed. Not part of
# `mvn verify`.
#
# Usage: scripts/job-bench.sh [rows] [runs] [cases...]
#   defaults: 2000000 rows, 3 runs, cases: blackhole filesink-parquet tiered-user tiered-shared
#   tiered-user+20 tiered-shared+20 paimon-pk paimon-pk+20 paimon-append
#   A case "x+N" runs case x with N% of the rows updating earlier ids.
#   Ingest cases: blackhole (generator only), filesink-parquet (Flink's FileSink, Parquet),
#   tiered-user / tiered-shared (ours, FLUSH_POLICY 'rows:100000,interval:60'), paimon-pk /
#   paimon-append (Apache Paimon, module benchmarks-paimon on Flink 2.1.1).
#   After each run of tiered-*, paimon-* without updates, the read side runs on the table that run
#   wrote: full scan, one-user scan, lookups.
#
# Environment:
#   MAVEN_ARGS   extra arguments for every mvn call, e.g. -Dmaven.repo.local=/path/to/repo (the
#                build installs the modules into that repository)
#   LOOKUPS      ids looked up per read run (default 10000; 0 skips lookups)
#   WARM_SCANS   full scans per read run after the first, in the same JVM (default 3): the
#                read-full-warm lines
#   READ_USER    the user of the one-user scan (default user42)
#   VISIBILITY   cases of the time-to-visibility run (default "tiered-user tiered-shared"; empty
#                skips it), VIS_ROWS rows at VIS_RATE rows/s (defaults 300000 at 10000)
#   JOB_BENCH_OUT  where results and tables go (default target/job-bench)
#   SKIP_BUILD   set: run what the last build installed
#   PAIMON_FLINK the Flink version of the Paimon cases (default: the module's, 2.1.1; 2.2.0 runs
#                Paimon's 2.1 connector on our Flink as a cross-check)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
runs=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    cases=(blackhole filesink-parquet tiered-user tiered-shared tiered-user+20 tiered-shared+20
           paimon-pk paimon-pk+20 paimon-append)
fi
lookups=${LOOKUPS:-10000}
warm_scans=${WARM_SCANS:-3}
read_user=${READ_USER:-user42}
read -r -a visibility <<< "${VISIBILITY-tiered-user tiered-shared}"
vis_rows=${VIS_ROWS:-300000}
vis_rate=${VIS_RATE:-10000}
out=${JOB_BENCH_OUT:-target/job-bench}
read -r -a mvn_args <<< "${MAVEN_ARGS:-}"
mkdir -p "$out"
results="$out/results.txt"
: > "$results"

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q "${mvn_args[@]}" -Pbench install -DskipTests -Dspotless.check.skip=true

# Each Flink JVM leaves its RPC jar and minicluster directories in java.io.tmpdir: keep them
# under $out/tmp and wipe it per run.
tmp="$PWD/$out/tmp"
ours() { # ours <main class> <args>: one JVM of e2e-tests
    rm -rf "$tmp" && mkdir -p "$tmp"
    JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$tmp" mvn -B -q "${mvn_args[@]}" -pl e2e-tests exec:exec \
        -Ddemo.main="dev.tiered.e2e.bench.$1" -Ddemo.args="$2"
}
paimon() { # paimon <args>: one JVM of benchmarks-paimon
    rm -rf "$tmp" && mkdir -p "$tmp"
    JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$tmp" mvn -B -q "${mvn_args[@]}" -Pbench -pl benchmarks-paimon exec:exec -Dbench.args="$1" \
        ${PAIMON_FLINK:+-Dflink.version=$PAIMON_FLINK}
}
failures=()
record() { # record <what> <command...>: runs it, keeps and shows its RESULT lines; a run that
           # fails or prints none is reported at the end and the other cases go on
    local what=$1 output
    shift
    if ! output=$("$@" 2>&1) || ! grep -q 'RESULT ' <<< "$output"; then
        echo "$output" | tail -40 >&2
        echo "!! $what failed" >&2
        failures+=("$what")
    fi
    grep -o 'RESULT .*' <<< "$output" | tee -a "$results" || true
}

for spec in "${cases[@]}"; do
    name=${spec%%+*}
    updates=0
    [[ "$spec" == *+* ]] && updates=${spec#*+}
    for run in $(seq 1 "$runs"); do
        dir="$PWD/$out/warehouse-$spec-$run"
        rm -rf "$dir"
        echo "== $spec run $run/$runs"
        case "$name" in
            paimon-*) record "$spec run $run" paimon "ingest $name $rows $updates $dir" ;;
            *) record "$spec run $run" ours SinkJobBenchmark "$name $rows $updates $dir" ;;
        esac
        if [ "$updates" = 0 ]; then
            case "$name" in
                paimon-*) record "$spec read $run" paimon "read $name $dir $read_user $lookups $warm_scans" ;;
                tiered-*) record "$spec read $run" \
                              ours ReadJobBenchmark "$name $dir $rows $read_user $lookups $warm_scans" ;;
            esac
        fi
        rm -rf "$dir"
    done
done
for name in "${visibility[@]}"; do
    for run in $(seq 1 "$runs"); do
        dir="$PWD/$out/warehouse-visibility-$name-$run"
        rm -rf "$dir"
        echo "== $name time to visibility run $run/$runs ($vis_rows rows at $vis_rate rows/s)"
        record "$name visibility $run" ours VisibilityBenchmark "$name $vis_rows $vis_rate $dir"
        rm -rf "$dir"
    done
done

{
    echo "Job-level benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): $rows rows, $runs runs per case,"
    echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),"
    echo "$(java -version 2>&1 | head -1), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    scripts/job-bench-report.sh "$results"
} | tee "$out/report.md"
rm -rf "$tmp"
if [ ${#failures[@]} -gt 0 ]; then
    echo "!! failed: ${failures[*]}" >&2
    exit 1
fi
