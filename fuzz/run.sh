#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 60) and prints the executions per target.
#
#   fuzz/run.sh [SECONDS]
#
# Installs cargo-fuzz and the nightly toolchain when missing, builds every target, writes the
# seed corpus from the vector tables (../shared/vectors beside the repository, or
# $QXUPS_VECTORS), then runs each target with libFuzzer's -max_total_time. Exits nonzero when
# any target crashes (the input is kept under fuzz/artifacts/TARGET/).
set -euo pipefail

secs="${1:-60}"
case "$secs" in
    '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
vectors="${QXUPS_VECTORS:-$root/../shared/vectors}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "run.sh: installing the nightly toolchain" >&2
    if ! rustup toolchain install nightly --profile minimal; then
        echo "run.sh: FAILED to install the nightly toolchain; cargo-fuzz needs it" >&2
        exit 1
    fi
fi

cd "$here"
cargo +nightly fuzz build
if [ -d "$vectors" ]; then
    cargo run -q --release -p qxups-fuzz-seed -- "$vectors" corpus
else
    echo "run.sh: no vector tables at $vectors; fuzzing without seeds" >&2
fi

logs="$here/target/run-logs"
mkdir -p "$logs"
declare -A runs status
failed=0
targets=$(cargo +nightly fuzz list)
for t in $targets; do
    mkdir -p "corpus/$t"
    echo "== $t: ${secs}s" >&2
    set +e
    cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -print_final_stats=1 >"$logs/$t.log" 2>&1
    rc=$?
    set -e
    # libFuzzer's last line on a clean finish: "Done 123456 runs in 20 second(s)".
    n=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$logs/$t.log" | tail -n 1)
    if [ "$rc" -ne 0 ] || [ -z "$n" ]; then
        failed=1
        status[$t]="CRASH (exit $rc, log $logs/$t.log)"
        tail -n 30 "$logs/$t.log" >&2
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n 1)
    else
        status[$t]="ok"
    fi
    runs[$t]="${n:-?}"
done

printf '%-16s %14s  %s\n' target executions result
total=0
for t in $targets; do
    printf '%-16s %14s  %s\n' "$t" "${runs[$t]}" "${status[$t]}"
    case "${runs[$t]}" in *[!0-9]*) ;; *) total=$((total + runs[$t])) ;; esac
done
printf '%-16s %14s\n' total "$total"
exit "$failed"
