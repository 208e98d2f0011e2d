#!/usr/bin/env bash
# UDP OPTIONS round trips driven by sipp against one node: sipp keeps LIMIT
# requests in flight (a closed loop) until CALLS have been answered; the rate is
# CALLS over the wall time sipp took. Run: npm run bench:options
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=${CALLS:-50000}
LIMIT=${LIMIT:-200}
PORT=${PORT:-25060}
SIPP_PORT=${SIPP_PORT:-25070}
log=$(mktemp)
node dist/cli/main.js start --config bench/config --port "$PORT" >"$log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '"listening"' "$log" 2>/dev/null && break; sleep 0.1; done
# a short warm-up so the JIT has compiled the hot path
sipp "127.0.0.1:$PORT" -sf test/interop/scenarios/uac-options-expect-200.xml -t u1 -p "$SIPP_PORT" \
  -m 5000 -l "$LIMIT" -r 100000 -nostdin -timeout 60 >/dev/null 2>&1 || true
start=$(date +%s.%N)
status=0
sipp "127.0.0.1:$PORT" -sf test/interop/scenarios/uac-options-expect-200.xml -t u1 -p "$SIPP_PORT" \
  -m "$CALLS" -l "$LIMIT" -r 100000 -nostdin -timeout 120 >/dev/null 2>&1 || status=$?
end=$(date +%s.%N)
node -e "
  const s = $end - $start;
  console.log(JSON.stringify({ workload: 'UDP OPTIONS round trips (sipp, $LIMIT in flight)', calls: $CALLS, seconds: +s.toFixed(2), perSecond: Math.round($CALLS / s), sippExit: $status }));
"
