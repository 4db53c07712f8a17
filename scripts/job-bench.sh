#!/usr/bin/env bash
# The job-level ingest benchmark (dev.tiered.e2e.bench.SinkJobBenchmark): each case runs RUNS times,
# each run in a fresh JVM with an embedded Flink cluster (parallelism 2, checkpoints every 1 s),
# then a table of medians is printed. Not part of `mvn verify`.
#
# Usage: scripts/job-bench.sh [rows] [runs] [cases...]
#   defaults: 2000000 rows, 3 runs, cases: blackhole tiered-user tiered-shared tiered-user+20
#   a case "x+N" runs case x with N% of the rows updating earlier ids.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
runs=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    cases=(blackhole tiered-user tiered-shared tiered-user+20)
fi
out=${JOB_BENCH_OUT:-target/job-bench}
mkdir -p "$out"
results="$out/results.txt"
: > "$results"

mvn -B -q install -DskipTests -Dspotless.check.skip=true
for spec in "${cases[@]}"; do
    name=${spec%%+*}
    updates=0
    [[ "$spec" == *+* ]] && updates=${spec#*+}
    for run in $(seq 1 "$runs"); do
        dir="$PWD/$out/warehouse-$spec-$run"
        rm -rf "$dir"
        echo "== $spec run $run/$runs"
        mvn -B -q -pl e2e-tests exec:exec \
            -Ddemo.main=dev.tiered.e2e.bench.SinkJobBenchmark \
            -Ddemo.args="$name $rows $updates $dir" | grep -o 'RESULT .*' | tee -a "$results"
        rm -rf "$dir"
    done
done

echo
echo "Medians over $runs runs, $rows rows each ($(nproc) cores, $(java -version 2>&1 | head -1)):"
printf '| case | rows/s | seconds | bytes on disk | data files | batches | hot segments | commits | peak RSS MB |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
median() { # median (the middle value for odd counts) of key $1 in the result lines on stdin
    local values
    values=$(grep -o " $1=[0-9.]*" | cut -d= -f2 | sort -g)
    [ -z "$values" ] && { echo "-"; return; }
    local n
    n=$(echo "$values" | wc -l)
    echo "$values" | sed -n "$(( (n + 1) / 2 ))p"
}
for spec in "${cases[@]}"; do
    label=$spec
    [[ "$spec" == *+* ]] && label="${spec%%+*}+${spec#*+}%upd"
    lines=$(grep " case=$label " "$results" || true)
    row="| $label"
    for key in rows_per_s seconds bytes data_files batches hot_segments commits peak_rss_mb; do
        row="$row | $(echo "$lines" | median "$key")"
    done
    echo "$row |"
done
