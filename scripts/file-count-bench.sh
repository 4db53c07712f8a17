#!/usr/bin/env bash
# The rate-limited file-count run of the benchmarks issue (docs/benchmarks.md): Flink's FileSink
# (Parquet) and our USER and SHARED tables with FLUSH_POLICY 'rows:100000,interval:60', each fed
# the chat workload at a fixed rate for the same time, checkpoints every 1 s, parallelism 2; the
# files are counted on disk after each job. Not part of `mvn verify`.
#
# Usage: scripts/file-count-bench.sh [minutes] [rows_per_s] [cases...]
#   defaults: 5 minutes at 10000 rows/s, cases filesink-parquet tiered-user tiered-shared
#
# What is counted (SinkJobBenchmark):
#   data files  every Parquet file (FileSink's part files, our batches) and every hot segment
#               (Avro) on disk after the job, referenced or not; manifests, commit records and
#               table metadata are not data files and are not counted
#   live files  what a reader of the final table reads: FileSink's part files; our batches listed
#               by the scopes' manifests plus the live hot segments
# The job is bounded, so our sink flushes what is still hot at end of input (one more batch per
# scope with hot rows); the batches of that final flush are included.
#
# Environment: TABLE_OPTIONS (extra options of our tables, 'key=value;key=value', e.g.
# 'log.retain-time=1 min' so that the sink's background expiry removes flushed hot segments during
# the run), SINK_MAINTENANCE_INTERVAL (seconds between the sink's compaction and expiry runs; default
# the sink's, 60), MAVEN_ARGS (extra mvn arguments, e.g. -Dmaven.repo.local=...), POLICY (default
# rows:100000,interval:60), FILE_BENCH_OUT (default target/file-count-bench), SKIP_BUILD (set: run
# what the last build installed).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
rate=${2:-10000}
shift $(( $# > 2 ? 2 : $# ))
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    cases=(filesink-parquet tiered-user tiered-shared)
fi
policy=${POLICY:-rows:100000,interval:60}
rows=$(( minutes * 60 * rate ))
out=${FILE_BENCH_OUT:-target/file-count-bench}
read -r -a mvn_args <<< "${MAVEN_ARGS:-}"
mkdir -p "$out"
results="$out/results.txt"
: > "$results"

[ -n "${SKIP_BUILD:-}" ] || mvn -B -q "${mvn_args[@]}" install -DskipTests -Dspotless.check.skip=true
for name in "${cases[@]}"; do
    dir="$PWD/$out/warehouse-$name"
    rm -rf "$dir"
    echo "== $name: $rows rows at $rate rows/s ($minutes min), FLUSH_POLICY '$policy'"
    tmp="$PWD/$out/tmp" # each Flink JVM leaves its RPC jar and minicluster dirs in java.io.tmpdir
    rm -rf "$tmp" && mkdir -p "$tmp"
    JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$tmp" mvn -B -q "${mvn_args[@]}" -pl e2e-tests exec:exec \
        -Ddemo.main=dev.tiered.e2e.bench.SinkJobBenchmark \
        -Ddemo.args="$name $rows 0 $dir $policy $rate" | grep -o 'RESULT .*' | tee -a "$results"
    rm -rf "$dir" "$tmp"
done

field() { grep " case=$1 " "$results" | grep -o " $2=[0-9.]*" | head -1 | cut -d= -f2; }
echo
echo "Rate-limited run: $rows rows at $rate rows/s ($minutes min), checkpoints every 1 s,"
echo "parallelism 2, FLUSH_POLICY '$policy' ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))."
echo
echo "| case | seconds | data files on disk | live files | batches | hot segments | flushes | FileSink's files ÷ files on disk | FileSink's files ÷ live files |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
base=$(field filesink-parquet data_files || true)
ratio() { # FileSink's data files ÷ $1, or -
    if [ -n "$base" ] && [ -n "$1" ] && [ "$1" != 0 ]; then
        awk -v a="$base" -v b="$1" 'BEGIN { printf "%.2f×", a / b }'
    else
        echo -
    fi
}
for name in "${cases[@]}"; do
    row="| $name"
    for key in seconds data_files live_files batches hot_segments flushes; do
        value=$(field "$name" "$key" || true)
        row="$row | ${value:--}"
    done
    echo "$row | $(ratio "$(field "$name" data_files || true)") | $(ratio "$(field "$name" live_files || true)") |"
done
echo
echo "Target (the benchmarks issue): ≥ 10× fewer data files than FileSink."
