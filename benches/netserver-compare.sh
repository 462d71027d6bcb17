#!/usr/bin/env bash
# NUT server comparison: GET VAR requests per second, clients held and peak RSS of
# `qxups serve --simulate` against Debian's upsd + dummy-ups serving the same variables.
#
#   benches/netserver-compare.sh [SECONDS] [CONNECTIONS] [HOLD]     (defaults: 5 50 1000)
#   REPEAT=N (default 3): runs per configuration, alternating the servers; the best counts.
#
# Both servers run side by side on their own ports; the load generator (benches/src/bin/
# nut-load.rs, built here in release mode like qxups) runs against one at a time: GET VAR
# ups ups.status over 1 and over CONNECTIONS connections, request and response, and over one
# connection with 16 requests in flight; then HOLD connections all open at once, each asked
# VER (clients held = those answered). upsd reads the data of a .dev file written from what
# qxups serves (LIST VAR), through dummy-ups. Peak RSS is each server process's VmHWM after
# all runs (upsd only: its driver is a process of its own, shown apart).
#
# Needs Debian's nut-server (apt-get install nut-server nut-client; scripts/test-all installs
# them) and root for NUT (its driver and upsd run with -u root and a private state dir). Not
# part of scripts/test-all: it is a measurement. Prints a table and writes it to
# benches/PERFORMANCE.md (replacing its own section there).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN="${1:-5}"
CONNECTIONS="${2:-50}"
HOLD="${3:-1000}"
REPEAT="${REPEAT:-3}"
UPSD="${UPSD:-/lib/nut/upsd}"
DUMMY_UPS="${DUMMY_UPS:-/lib/nut/dummy-ups}"
QXUPS_PORT="${QXUPS_PORT:-34941}"
UPSD_PORT="${UPSD_PORT:-34942}"

. benches/common.sh
need_nut "$UPSD" "$DUMMY_UPS"
test "$(id -u)" = 0 || { echo "run as root (NUT's driver and upsd run with -u root)" >&2; exit 1; }
# Each side holds HOLD sockets at once, and the generator twice that over the run.
ulimit -n $((4 * HOLD + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build --release -q -p qxups-usb -p qxups-benches
QXUPS="$PWD/target/release/qxups"
LOAD="$PWD/target/release/nut-load"

scratch netcompare

# wait_for WHAT CMD...: retries CMD for 10 s.
wait_for() {
  local what="$1"
  shift
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "$what did not come up" >&2
  return 1
}
# The NUT client view: `upsc ups@127.0.0.1:PORT VAR`.
ups_status() { test "$(upsc "ups@127.0.0.1:$1" ups.status 2>/dev/null)" = OL; }
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

echo "qxups serve --simulate on port $QXUPS_PORT ..." >&2
"$QXUPS" serve --simulate --listen "127.0.0.1:$QXUPS_PORT" 2>"$dir/qxups.err" &
qxups_pid=$!
pids+=("$qxups_pid")
wait_for "qxups serve" ups_status "$QXUPS_PORT"

# The same data for dummy-ups: upsc prints `name: value`, which is the .dev format. driver.*
# is the driver's own, not the UPS's (dummy-ups sets its own).
upsc "ups@127.0.0.1:$QXUPS_PORT" | grep -v '^driver\.' >"$dir/ups.dev"
vars="$(wc -l <"$dir/ups.dev")"
nut_conf "$UPSD_PORT" "MAXCONN $((2 * HOLD))" <<EOF
[ups]
  driver = dummy-ups
  port = $dir/ups.dev
  mode = dummy-once
EOF

echo "dummy-ups + upsd on port $UPSD_PORT ($vars variables) ..." >&2
"$DUMMY_UPS" -a ups -F -u root >"$dir/dummy-ups.out" 2>&1 &
driver_pid=$!
pids+=("$driver_pid")
wait_for "dummy-ups" sh -c "ls '$dir/state'/dummy-ups-ups*"
"$UPSD" -F -u root >"$dir/upsd.out" 2>&1 &
upsd_pid=$!
pids+=("$upsd_pid")
wait_for "upsd + dummy-ups" ups_status "$UPSD_PORT" \
  || { cat "$dir/dummy-ups.out" "$dir/upsd.out" >&2; exit 1; }

# Both serve the same variables (driver.* apart).
diff <(upsc "ups@127.0.0.1:$QXUPS_PORT" | grep -v '^driver\.') \
  <(upsc "ups@127.0.0.1:$UPSD_PORT" | grep -v '^driver\.') >&2 \
  || { echo "the two servers serve different data" >&2; exit 1; }

# rps PORT ARGS...: requests per second of one run (errors make the run fail).
rps() {
  local port="$1" line
  shift
  line="$("$LOAD" "127.0.0.1:$port" --seconds "$SECONDS_PER_RUN" "$@")"
  echo "  $line" >&2
  case "$line" in *" errors=0 "*) ;; *) echo "errors in: $line" >&2; exit 1 ;; esac
  echo "${line##*rps=}"
}
held() { "$LOAD" "127.0.0.1:$1" --hold "$HOLD" | sed 's/^held=\([0-9]*\).*/\1/'; }

# Each configuration runs REPEAT times, alternating the servers, and the best run counts: the
# machine may be shared, and other load only ever slows a run down.
declare -A r
port_of() { if test "$1" = qxups; then echo "$QXUPS_PORT"; else echo "$UPSD_PORT"; fi; }
for config in 1 n p; do
  case $config in
    1) args=(--connections 1) ;;
    n) args=(--connections "$CONNECTIONS") ;;
    p) args=(--connections 1 --pipeline 16) ;;
  esac
  for _ in $(seq "$REPEAT"); do
    for side in qxups upsd; do
      echo "$side:" >&2
      x="$(rps "$(port_of "$side")" "${args[@]}")"
      test "$x" -gt "${r[$side.$config]:-0}" && r[$side.$config]="$x"
    done
  done
done
for side in qxups upsd; do
  r[$side.held]="$(held "$(port_of "$side")")"
  echo "$side: held ${r[$side.held]} of $HOLD" >&2
done
r[qxups.rss]="$(hwm "$qxups_pid")"
r[upsd.rss]="$(hwm "$upsd_pid")"
driver_rss="$(hwm "$driver_pid")"
cpus="$(nproc)"

table="$(
  printf '## NUT server: GET VAR requests per second (benches/netserver-compare.sh)\n\n'
  printf '`GET VAR ups ups.status` over loopback, best of %s runs of %s s, %s CPUs; both servers ' \
    "$REPEAT" "$SECONDS_PER_RUN" "$cpus"
  printf 'serve the same %s variables (upsd %s from dummy-ups). Clients held: of %s ' "$vars" \
    "$("$UPSD" -V 2>&1 | sed -n 's/.*upsd \([0-9.]*\).*/\1/p' | head -1)" "$HOLD"
  printf 'connections open at once, those answering VER. Peak RSS: VmHWM after all runs. '
  printf 'upsd writes each reply on its own and leaves Nagle'"'"'s algorithm on, so with requests in '
  printf 'flight every reply after the first waits for the client'"'"'s delayed ACK (about 40 ms); '
  printf 'qxups sets TCP_NODELAY and gathers the replies ready into one write.\n\n'
  printf '| server | req/s, 1 connection | req/s, %s connections | req/s, 1 connection, 16 in flight | clients held | peak RSS KiB |\n' "$CONNECTIONS"
  printf '|---|---:|---:|---:|---:|---:|\n'
  printf '| qxups serve --simulate | %s | %s | %s | %s | %s |\n' \
    "${r[qxups.1]}" "${r[qxups.n]}" "${r[qxups.p]}" "${r[qxups.held]}" "${r[qxups.rss]}"
  printf '| upsd (+ dummy-ups: %s KiB) | %s | %s | %s | %s | %s |\n' "$driver_rss" \
    "${r[upsd.1]}" "${r[upsd.n]}" "${r[upsd.p]}" "${r[upsd.held]}" "${r[upsd.rss]}"
)"
printf '\n%s\n' "$table"

# Replace this script's section of benches/PERFORMANCE.md (or start the file).
perf=benches/PERFORMANCE.md
test -f "$perf" || printf '# qxups performance figures\n' >"$perf"
awk '/^## NUT server: GET VAR/ { skip = 1; next } /^## / { skip = 0 } !skip' "$perf" \
  | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$dir/perf"
{ cat "$dir/perf"; printf '\n%s\n' "$table"; } >"$perf"
echo "written to $perf" >&2
