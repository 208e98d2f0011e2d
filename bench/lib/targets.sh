# Starting the benchmarks' targets, shared by bench/*/run.sh (sourced, not run).
# Each function uses the caller's $work, $port, $DOMAIN and sets target_pid (and
# redis_pid); the caller's cleanup stops them.

# start_kamailio CONFIG USERS_CSV SHARED_MEMORY_MB
start_kamailio() {
  node dist-bench/bench/kamailio/generate-subscribers.js "$2" "$DOMAIN" "$work/kamailio-data" 2>/dev/null
  /usr/sbin/kamailio -f "$1" -DD -E -m "$3" -b 4194304 \
    -P "$work/kamailio.pid" -Y "$work" \
    -A "BENCH_PORT=$port" -A "DATA_URL=\"text://$work/kamailio-data\"" \
    -A "CTL_SOCKET=\"unixs:$work/kamailio.ctl\"" >"$work/target.log" 2>&1 &
  target_pid=$!
}

# strowger_config DIR: the head of a bench node's strowger.yaml (more may be appended).
strowger_config() {
  mkdir -p "$1"
  cat >"$1/strowger.yaml" <<YAML
# made by bench/$(basename "$(dirname "$0")")/run.sh: loopback only, logs at warn
node:
  domain: $DOMAIN
sip:
  addresses: ["127.0.0.1"]
# sipp 3.6 reads only the first challenge and computes only MD5
# (bench/register-avalanche/README.md, "sipp and digest").
auth:
  algorithms: [MD5, SHA-256]
metrics: { enabled: false }
log:
  level: warn
YAML
}

# start_strowger MAIN CONFIG_DIR REDIS_PORT: a redis-server on REDIS_PORT, then the node on it.
# STROWGER_STATE=memory runs the node on its in-memory store instead (a comparison, not the benchmark).
start_strowger() {
  local state=(--redis "redis://127.0.0.1:$3")
  if [ "${STROWGER_STATE:-redis}" = memory ]; then
    state=()
  else
    redis-server --bind 127.0.0.1 --port "$3" --save '' --appendonly no \
      --daemonize no --loglevel warning >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 50); do redis-cli -p "$3" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  # STROWGER_NODE_FLAGS: node's own flags, e.g. --cpu-prof or --trace-gc for a look
  # inside; by default the semi-space size every launcher uses (see src/cli/main.ts).
  # shellcheck disable=SC2086
  node ${STROWGER_NODE_FLAGS---max-semi-space-size=4} "$1" start --config "$2" --port "$port" "${state[@]}" >"$work/target.log" 2>&1 &
  target_pid=$!
}

# cpu_seconds PID: CPU time (user + system) used so far by PID and every process under
# it (Kamailio's workers), from /proc; 0 without a PID. On this shared host wall time
# varies by a third between runs; the CPU a target spends per call varies far less.
cpu_seconds() {
  [ -n "${1:-}" ] || { echo 0; return; }
  local pids=("$1") queue=("$1") p children
  while ((${#queue[@]} > 0)); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    children=$(pgrep -P "$p" || true)
    for c in $children; do
      pids+=("$c")
      queue+=("$c")
    done
  done
  local ticks=0 t
  for p in "${pids[@]}"; do
    # fields 14 and 15 of /proc/PID/stat (after the parenthesised name): utime, stime
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    ticks=$((ticks + ${t:-0}))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}
