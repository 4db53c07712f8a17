#!/usr/bin/env bash
# Tables of medians from the RESULT lines of scripts/job-bench.sh or scripts/file-count-bench.sh.
# Usage: scripts/job-bench-report.sh <results.txt>
set -euo pipefail
results=$1

# All case labels, in the order they first appear.
mapfile -t labels < <(grep -o 'case=[^ ]*' "$results" | cut -d= -f2 | awk '!seen[$0]++')

median() { # median <label> <key>: the median (lower middle) of key over the label's lines, or -
    local values n
    values=$(grep " case=$1 " "$results" | grep -o " $2=[0-9.]*" | cut -d= -f2 | sort -g || true)
    [ -z "$values" ] && { echo "-"; return; }
    n=$(echo "$values" | wc -l)
    echo "$values" | sed -n "$(( (n + 1) / 2 ))p"
}
runs_of() { grep -c " case=$1 " "$results" || true; }
table() { # table <label filter regex> <header> <keys...>
    local filter=$1 header=$2
    shift 2
    local any=0 label
    for label in "${labels[@]}"; do
        [[ "$label" =~ $filter ]] || continue
        if [ $any = 0 ]; then
            echo "| case | runs | $header |"
            echo "|---|---:|$(printf -- '---:|%.0s' "$@")"
            any=1
        fi
        local row="| $label | $(runs_of "$label")"
        for key in "$@"; do
            row="$row | $(median "$label" "$key")"
        done
        echo "$row |"
    done
    [ $any = 1 ] && echo
    return 0
}
ratio() { # ratio <label a> <label b> <key>: a / b of the medians, or -
    local a b
    a=$(median "$1" "$3")
    b=$(median "$2" "$3")
    if [[ "$a" == "-" || "$b" == "-" || "$b" == "0" ]]; then
        echo "-"
    else
        awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f×", a / b }'
    fi
}

echo "### Ingest (medians)"
echo
table '^[^/]*$' 'rows/s | seconds | CPU s | bytes on disk | data files | live files | batches | hot segments | commits | flushes | peak RSS MB' \
    rows_per_s seconds cpu_s bytes data_files live_files batches hot_segments commits flushes peak_rss_mb
echo "### Read side (medians)"
echo
table '/read-' 'rows | rows/s | seconds | CPU s | data files planned | files outside the user | peak RSS MB' \
    rows rows_per_s seconds cpu_s files_planned files_outside_user peak_rss_mb
table '/lookup$' 'lookups | found | first p50 µs | first p99 µs | repeat (cached) p50 µs | repeat (cached) p99 µs' \
    lookups found first_p50_us first_p99_us repeat_p50_us repeat_p99_us
table '/visibility$' 'rows/s written | rows read | lag p50 ms | lag p99 ms | lag max ms' \
    rate rows_seen lag_p50_ms lag_p99_ms lag_max_ms

echo "### Ratios (of the medians above)"
echo
echo "| ours | ingest ÷ Paimon PK | ingest ÷ FileSink | full scan ÷ Paimon PK | full scan ÷ Paimon append | warm full scan ÷ Paimon PK | warm full scan ÷ Paimon append |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for ours in tiered-user tiered-shared; do
    grep -q " case=$ours " "$results" || continue
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$ours" \
        "$(ratio "$ours" paimon-pk rows_per_s)" "$(ratio "$ours" filesink-parquet rows_per_s)" \
        "$(ratio "$ours/read-full" paimon-pk/read-full rows_per_s)" \
        "$(ratio "$ours/read-full" paimon-append/read-full rows_per_s)" \
        "$(ratio "$ours/read-full-warm" paimon-pk/read-full-warm rows_per_s)" \
        "$(ratio "$ours/read-full-warm" paimon-append/read-full-warm rows_per_s)"
    for label in "${labels[@]}"; do
        if [[ "$label" == "$ours+"* ]]; then
            printf '| %s | %s | - | - | - | - | - |\n' "$label" \
                "$(ratio "$label" "paimon-pk+${label#*+}" rows_per_s)"
        fi
    done
done
echo
echo "Targets (the benchmarks issue): ingest ≥ 1.5× Paimon PK and ≥ 1.0× FileSink; full scan ≥ Paimon's;"
echo "one-user scan: 0 files outside the user; cached lookup p99 < 1,000 µs."
