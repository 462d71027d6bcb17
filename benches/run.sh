#!/usr/bin/env bash
# Runs the poll-cycle benchmark and prints nanoseconds per poll cycle for each dialect.
#
#   benches/run.sh [criterion options...]    e.g. benches/run.sh --measurement-time 10
#
# Dialects whose vector table is missing or whose claim fails on it are skipped by the bench.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# bencher format: "test poll_cycle/NAME ... bench:  1,234 ns/iter (+/- 56)".
cargo bench -p qxups-benches --bench poll_cycle -- --output-format bencher "$@" | tee "$out" >&2
printf '%-14s %12s\n' dialect ns/cycle
sed -n 's|^test poll_cycle/\(.*\) \.\.\. bench: *\([0-9,]*\) ns/iter.*|\1 \2|p' "$out" |
    while read -r name ns; do printf '%-14s %12s\n' "$name" "${ns//,/}"; done
