# Sourced by the benches' shell scripts (bash): checks for NUT, a scratch directory, NUT's
# configuration files.

# need_nut PROGRAM...: fails unless each of NUT's PROGRAMs and upsc is there.
need_nut() {
  for tool in "$@"; do
    test -x "$tool" || { echo "missing $tool: apt-get install nut-server nut-client" >&2; exit 1; }
  done
  command -v upsc >/dev/null || { echo "missing upsc: apt-get install nut-client" >&2; exit 1; }
}

# scratch NAME: makes $dir, a fresh directory under /tmp, and on exit kills every process in
# the array $pids and removes $dir.
scratch() {
  dir="$(mktemp -d "/tmp/qxups-$1.XXXXXX")"
  pids=()
  trap scratch_cleanup EXIT
}
scratch_cleanup() {
  for p in "${pids[@]}"; do test -n "$p" && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}

# nut_conf PORT [UPSD_CONF_LINE...] < UPS_CONF: NUT's configuration in $dir/conf (ups.conf from
# standard input; upsd listening on 127.0.0.1 PORT; one upsmon primary user) and a private
# state directory $dir/state, both exported to NUT's programs.
nut_conf() {
  local port="$1"
  shift
  mkdir -p "$dir/conf" "$dir/state"
  chmod 700 "$dir/state"
  cat >"$dir/conf/ups.conf"
  printf 'LISTEN 127.0.0.1 %s\n' "$port" >"$dir/conf/upsd.conf"
  for line in "$@"; do printf '%s\n' "$line" >>"$dir/conf/upsd.conf"; done
  printf '[monitor]\n  password = bench\n  upsmon primary\n' >"$dir/conf/upsd.users"
  chmod 600 "$dir/conf/"*
  export NUT_CONFPATH="$dir/conf" NUT_STATEPATH="$dir/state"
}
