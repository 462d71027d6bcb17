#!/usr/bin/env bash
# Whole-process comparison: CPU time and peak RSS of `qxups monitor` against NUT's
# `nutdrv_qx` + `upsd` over the same number of polls of the same virtual UPS.
#
#   benches/process-compare.sh [PROTOCOL] [POLLS]      (defaults: megatec 60)
#
# The virtual UPS (`qxups simulate`) serves a pseudo-terminal; both sides read it as a serial
# port, one after the other, polling once a second (qxups `--interval 1`, NUT
# `pollinterval = 1`; both do a full update every 30 s, NUT's default pollfreq). qxups runs
# for POLLS polls and exits; NUT's driver and upsd run for the same wall time as qxups took,
# then get SIGTERM. Each process runs under GNU time for its peak resident set (ru_maxrss),
# inside a subshell whose `times` gives its user and system CPU time (getrusage, in ms).
#
# Needs Debian's nut-server (apt-get install nut-server nut-client), GNU time, and root for
# NUT (its driver and upsd run with -u root so they can open the pty). The virtual UPS
# answers `I` in the classic 39-byte layout: NUT 2.8.0's megatec refuses the 38-byte one.
set -euo pipefail
cd "$(dirname "$0")/.."

PROTOCOL="${1:-megatec}"
POLLS="${2:-60}"
NUTDRV_QX="${NUTDRV_QX:-/lib/nut/nutdrv_qx}"
UPSD="${UPSD:-/lib/nut/upsd}"
PORT_TCP="${PORT_TCP:-34931}"

. benches/common.sh
need_nut "$NUTDRV_QX" "$UPSD"
test -x /usr/bin/time || { echo "missing /usr/bin/time: apt-get install time" >&2; exit 1; }

cargo build --release -q -p qxups-usb
QXUPS="$PWD/target/release/qxups"

scratch compare

# measure OUT CMD...: runs CMD under GNU time (peak RSS, ru_maxrss, to OUT.rss) in a subshell
# whose `times` (getrusage of its children, millisecond precision) goes to OUT.cpu when CMD
# ends. time's own footprint before it execs CMD is about 1 MiB, the floor of the RSS figures
# (`/usr/bin/time -f %M true` shows it); its CPU time is negligible.
measure() {
  local out="$1"
  shift
  (
    /usr/bin/time -f '%M' -o "$out.rss" "$@" >/dev/null 2>"$out.err" || true
    times >"$out.cpu"
  )
}
# The pid of the descendant of process $1 that runs the binary $2, once it runs.
running_under() {
  local root="$1" exe want todo p kids
  want="$(readlink -f "$2")"
  for _ in $(seq 50); do
    todo="$root"
    while test -n "$todo"; do
      set -- $todo
      p="$1"
      shift
      todo="$*"
      exe="$(readlink "/proc/$p/exe" 2>/dev/null || true)"
      if test "$exe" = "$want"; then
        echo "$p"
        return
      fi
      kids="$(cat "/proc/$p/task/$p/children" 2>/dev/null || true)"
      todo="$todo $kids"
      todo="${todo# }"
    done
    sleep 0.1
  done
  echo "no process runs $want under $root" >&2
  return 1
}
# "user_ms sys_ms" from a `times` output (its second line: the children).
cpu() {
  sed -n 2p "$1" | awk '{
    for (i = 1; i <= 2; i++) { split($i, t, "m"); sub("s", "", t[2]); printf "%d ", (t[1] * 60 + t[2]) * 1000 + 0.5 }; print ""
  }'
}
ms() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000 + 0.5 }'; }

"$QXUPS" simulate "$PROTOCOL" --identity classic --link "$dir/tty" >"$dir/sim.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do test -e "$dir/tty" && break; sleep 0.1; done
test -e "$dir/tty" || { echo "qxups simulate did not start" >&2; exit 1; }

echo "qxups monitor: $POLLS polls of a virtual $PROTOCOL UPS at 1 s ..." >&2
qstart=$(date +%s.%N)
measure "$dir/qxups" "$QXUPS" monitor --port "$dir/tty" \
  --protocol "$PROTOCOL" --count "$POLLS" --interval 1
wall="$(awk -v a="$qstart" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"

nut_conf "$PORT_TCP" <<EOF
[ups]
  driver = nutdrv_qx
  port = $dir/tty
  protocol = $PROTOCOL
  pollinterval = 1
EOF

echo "nutdrv_qx + upsd: the same for ${wall}s ..." >&2
measure "$dir/nutdrv_qx" "$NUTDRV_QX" -a ups -F -u root &
pids+=($!)
driver="$(running_under $! "$NUTDRV_QX")" || { cat "$dir/nutdrv_qx.err" >&2; exit 1; }
pids+=("$driver")
for _ in $(seq 50); do ls "$dir/state"/nutdrv_qx-ups* >/dev/null 2>&1 && break; sleep 0.1; done
measure "$dir/upsd" "$UPSD" -F -u root &
pids+=($!)
server="$(running_under $! "$UPSD")" || { cat "$dir/upsd.err" >&2; exit 1; }
pids+=("$server")
start=$(date +%s.%N)
sleep 2
status="$(upsc "ups@127.0.0.1:$PORT_TCP" ups.status 2>/dev/null || true)"
test -n "$status" || {
  echo "NUT did not publish ups.status through upsd:" >&2
  cat "$dir/nutdrv_qx.err" "$dir/upsd.err" >&2
  exit 1
}
left="$(awk -v w="$wall" -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { l = w - (n - s); print (l > 0 ? l : 0) }')"
sleep "$left"
kill -TERM "$driver" "$server"
for _ in $(seq 100); do test -s "$dir/nutdrv_qx.cpu" && test -s "$dir/upsd.cpu" && break; sleep 0.1; done

read -r qu qs < <(cpu "$dir/qxups.cpu")
read -r du ds < <(cpu "$dir/nutdrv_qx.cpu")
read -r uu us < <(cpu "$dir/upsd.cpu")
# GNU time puts "Command terminated by signal" before the figure of a killed command.
qm="$(tail -1 "$dir/qxups.rss")" dm="$(tail -1 "$dir/nutdrv_qx.rss")" um="$(tail -1 "$dir/upsd.rss")"
printf '\n%s, %s polls at 1 s (wall %ss; NUT ups.status seen through upsd: %s)\n\n' \
  "$PROTOCOL" "$POLLS" "$wall" "$status"
row() { printf '| %s | %d | %d | %d | %d | %d |\n' "$1" "$2" "$3" $(($2 + $3)) $((($2 + $3) * 1000 / POLLS)) "$4"; }
printf '| process | user ms | sys ms | CPU ms | CPU µs/poll | peak RSS KiB |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
row "qxups monitor" "$qu" "$qs" "$qm"
row "nutdrv_qx" "$du" "$ds" "$dm"
row "upsd" "$uu" "$us" "$um"
row "nutdrv_qx + upsd" $((du + uu)) $((ds + us)) $((dm + um))
printf '\n(The user/system split is the kernel'"'"'s tick sampling; at these totals compare CPU ms.)\n'
