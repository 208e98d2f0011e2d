#!/usr/bin/env bash
# The avalanche split over two Strowger nodes on one redis-server, each driven by its
# own sipp with half the users and half the calls in flight: what a second process
# would buy on this machine. Prints one JSON line: the wall time until both halves
# are registered, and the CPU per registration of the two nodes, Redis and the sipps.
# Needs a build (npm run build), sipp and redis-server; listens on 127.0.0.1 only.
# Usage: bash bench/register-avalanche/two-nodes.sh   (USERS, LIMIT as run.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

USERS=${USERS:-10000}
LIMIT=${LIMIT:-200}
DOMAIN=strowger.local
SCENARIO=test/interop/scenarios/uac-register-auth-expect-401-then-200.xml
half=$((USERS / 2))
users=$((half * 2)) # an odd USERS leaves the last one out
in_flight=$(((LIMIT + 1) / 2))

work=$(mktemp -d /tmp/register-two-nodes.XXXXXX)
pids=()
cleanup() {
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

npx --no-install tsc -p bench/register-avalanche/tsconfig.json
helpers=dist-bench/bench/register-avalanche
node dist-bench/scripts/generate-directory.js "$USERS" >"$work/users.csv"
read -r port_a port_b sipp_a sipp_b redis_port <<<"$(node "$helpers/free-ports.js" 5 8)"

# shellcheck source=../lib/targets.sh
. bench/lib/targets.sh
strowger_config "$work/config"
node dist/cli/main.js users import "$work/users.csv" --config "$work/config" >/dev/null 2>&1
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no --loglevel warning >/dev/null 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
for side in a b; do
  if [ $side = a ]; then port=$port_a; else port=$port_b; fi
  node --max-semi-space-size=4 dist/cli/main.js start --config "$work/config" --port "$port" --name "node-$side" \
    --redis "redis://127.0.0.1:$redis_port" >"$work/node-$side.log" 2>&1 &
  pids+=($!)
done
node_pids=("${pids[1]}" "${pids[2]}")
for port in "$port_a" "$port_b"; do
  node "$helpers/wait-for-sip.js" 127.0.0.1 "$port" 200000 "$DOMAIN" 20 >/dev/null
done
node "$helpers/make-injection-file.js" "$work/users.csv" "$DOMAIN" 0 "$half" >"$work/a.inf"
node "$helpers/make-injection-file.js" "$work/users.csv" "$DOMAIN" "$half" "$half" >"$work/b.inf"

nodes_cpu() { awk -v a="$(cpu_seconds "${node_pids[0]}")" -v b="$(cpu_seconds "${node_pids[1]}")" 'BEGIN { print a + b }'; }
cpu_before=$(nodes_cpu)
redis_before=$(cpu_seconds "$redis_pid")
times >"$work/times.before"
start=$(date +%s.%N)
status=0
for side in a b; do
  if [ $side = a ]; then port=$port_a sipp_port=$sipp_a; else port=$port_b sipp_port=$sipp_b; fi
  sipp "127.0.0.1:$port" -sf "$SCENARIO" -inf "$work/$side.inf" -auth_uri "$DOMAIN" -t u1 \
    -i 127.0.0.1 -p "$sipp_port" -buff_size 4194304 -nostdin -timeout_error \
    -m "$half" -l "$in_flight" -r 100000 -timeout 60 >/dev/null 2>&1 &
  pids+=($!)
done
# sipp exits 0 only when every one of its calls succeeded: the figures are per registration.
for p in "${pids[@]:3}"; do wait "$p" || status=$?; done
end=$(date +%s.%N)
times >"$work/times.after"
cpu_after=$(nodes_cpu)
redis_after=$(cpu_seconds "$redis_pid")
sipp_cpu=$(cat "$work/times.before" "$work/times.after" | awk '
  NR == 2 || NR == 4 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } v[NR] = t }
  END { printf "%.3f", v[4] - v[2] }')
awk -v start="$start" -v end="$end" -v status="$status" -v users="$users" -v nodes="$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { print b - a }')" \
  -v redis="$(awk -v a="$redis_before" -v b="$redis_after" 'BEGIN { print b - a }')" -v sipp="$sipp_cpu" 'BEGIN {
  printf "{\"workload\":\"register avalanche over two nodes\",\"users\":%d,\"seconds\":%.3f,\"sippExit\":%d,\"nodesCpuMsPerRegistration\":%.3f,\"redisCpuMsPerRegistration\":%.3f,\"sippCpuMsPerRegistration\":%.3f}\n",
    users, end - start, status, 1000 * nodes / users, 1000 * redis / users, 1000 * sipp / users }'
