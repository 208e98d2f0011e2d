#!/usr/bin/env bash
# The call rate: sipp (caller) -> target -> sipp (callee), over UDP on 127.0.0.1.
#   caller  scenarios/uac-invite-expect-180-200-bye.xml: INVITE -> 407 -> ACK ->
#           INVITE with credentials -> 180 -> 200 -> ACK -> hold -> BYE -> 200
#   callee  scenarios/uas-answer-180-200.xml, registered first
#           (scenarios/uac-register-contact.xml), so the target looks it up in
#           its location table
# against one target on this machine:
#   kamailio  Kamailio 5.6, bench/kamailio/kamailio-proxy.cfg (tm stateful proxy,
#             2 workers, proxy_authorize, in-memory location)
#   strowger  one Strowger node (dist/cli/main.js) backed by a redis-server started here
#
# Prints one JSON line a result:
#   (a) LATENCY_RATE calls/s (200) for LATENCY_SECONDS (10): INVITE -> 180 median
#       and 99th percentile (sipp's rtd, one sample a call);
#   (b) fixed rates RATES for STEP_SECONDS (5) each; a step is clean when no call
#       failed, every call completed and sipp kept up (>= 95% of the rate). The
#       steps stop after two unclean ones in a row; the last line gives the
#       highest rate clean with every step below it clean ("rate"), and the
#       highest clean step at all.
# Everything listens on 127.0.0.1 on free ports; every sipp run is bounded in
# calls and time. Needs sipp, a C compiler (for the clock shim, see
# sipp-fine-clock.c), kamailio or redis-server, and for strowger a build
# (npm run build). Usage: bash bench/call-rate/run.sh kamailio|strowger
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:-}
case "$target" in
  kamailio | strowger) ;;
  *) echo "usage: $0 kamailio|strowger" >&2; exit 2 ;;
esac

LATENCY_RATE=${LATENCY_RATE:-200}         # calls/s of (a)
LATENCY_SECONDS=${LATENCY_SECONDS:-10}    # length of (a)
RATES=${RATES-"500 1000 2000 3000 3500 4000 4500 5000"}
STEP_SECONDS=${STEP_SECONDS:-5}
HOLD_MS=${HOLD_MS:-10}                    # caller: ACK -> BYE
RING_MS=${RING_MS:-10}                    # callee: 180 -> 200
DOMAIN=strowger.local                     # Strowger's node.domain; Kamailio's realm too
USERS_CSV=bench/call-rate/users.csv       # the users (2001 and 2002 are there for the plan's hunt group)
CALLER=${CALLER:-200001}
CALLEE=${CALLEE:-200002}
DIALPLAN=${DIALPLAN:-$PWD/dialplans/main.yaml}   # Strowger's plan: routes 20XXXX to the user dialled
SCENARIOS=$PWD/bench/call-rate/scenarios
# sipp's UDP socket buffer: its default (64 KiB) overflows at a few thousand
# messages a second and shows up as retransmissions that are sipp's, not the
# target's; the kernel caps it at net.core.rmem_max.
SIPP_BUFF=${SIPP_BUFF:-4194304}

command -v sipp >/dev/null || { echo "run.sh: sipp is missing (apt-get install sip-tester)" >&2; exit 1; }

# caller and callee: extension and password from the CSV
password_of() { awk -F, -v ext="$1" 'NR > 1 && $1 == ext { print $7 }' "$USERS_CSV"; }
caller=$CALLER caller_pw=$(password_of "$CALLER")
callee=$CALLEE callee_pw=$(password_of "$CALLEE")
[ -n "$caller_pw" ] && [ -n "$callee_pw" ] || { echo "run.sh: $CALLER or $CALLEE is not in $USERS_CSV" >&2; exit 2; }

work=$(mktemp -d /tmp/call-rate.XXXXXX)
target_pid=""
redis_pid=""
uas_pid=""
# (kill and wait each guarded: under set -e a `wait` returning the killed
# process's status 143 would end the trap before the next process is stopped)
stop_pid() {
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  set +e
  stop_pid "$uas_pid"
  stop_pid "$target_pid"
  stop_pid "$redis_pid"
  if [ "${KEEP:-0}" = 1 ]; then echo "run.sh: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The small helpers (port picker, readiness probe, percentiles, Kamailio's user
# data) build in a second or two.
npx --no-install tsc -p bench/call-rate/tsconfig.json
helpers=dist-bench/bench/call-rate
read -r port uas_port uac_port redis_port <<<"$(node dist-bench/bench/register-avalanche/free-ports.js 4 8)"

json() { node -e 'console.log(JSON.stringify(Object.assign({ target: process.argv[1] }, JSON.parse(process.argv[2]))))' "$target" "$1"; }
jstr() { node -e 'console.log(JSON.stringify(process.argv[1]))' "$1"; }
fail() { json "{\"workload\":\"call rate\",\"error\":$(jstr "$1")}"; exit 1; }

# sipp 3.6.1 times its rtds with CLOCK_MONOTONIC_COARSE (4 ms ticks here): the
# shim gives it the precise clock (see sipp-fine-clock.c).
clock=fine
if cc -O2 -shared -fPIC -o "$work/sipp-fine-clock.so" bench/call-rate/sipp-fine-clock.c -ldl 2>"$work/cc.log"; then
  export_preload="$work/sipp-fine-clock.so"
else
  echo "run.sh: no C compiler: INVITE -> 180 times come in 4 ms steps" >&2
  export_preload=""
  clock=coarse-4ms
fi

# ---- start the target --------------------------------------------------------
# shellcheck source=../lib/targets.sh
. "$(dirname "$0")/../lib/targets.sh"
case "$target" in
  kamailio)
    start_kamailio bench/kamailio/kamailio-proxy.cfg "$USERS_CSV" 1024
    ;;
  strowger)
    main=${STROWGER_MAIN:-dist/cli/main.js}
    [ -f "$main" ] || { echo "run.sh: build Strowger first (npm run build)" >&2; exit 1; }
    config="$work/strowger-config"
    strowger_config "$config"
    cat >>"$config/strowger.yaml" <<EOF
# The repository's plan: staff -> national -> internal, where 20XXXX goes to
# the user dialled. The trunks and the site below are the ones it names (as in
# config/strowger.yaml; TEST-NET addresses, never called here).
dialplan: { file: "$DIALPLAN" }
trunks:
  pstn: { uri: "sip:192.0.2.50:5060;transport=udp", addresses: [192.0.2.50], context: inbound-from-legacy }
  stafford-meridian: { uri: "sip:192.0.2.60:5060;transport=udp", addresses: [192.0.2.60], context: inbound-from-legacy }
sites:
  stafford: { legacyTrunk: stafford-meridian }
EOF
    node "$main" users import "$USERS_CSV" --config "$config" 2>"$work/import.log" >/dev/null ||
      fail "strowger users import $USERS_CSV failed: $(tail -3 "$work/import.log" | tr '\n' ' ')"
    node "$main" check --config "$config" >"$work/check.log" 2>&1 ||
      fail "strowger check refused the bench config: $(grep -v '^warning' "$work/check.log" | head -3 | tr '\n' ' ')"
    node "$main" route "$caller" "$callee" --config "$config" >"$work/route.log" 2>&1 || true
    grep -q "to user $callee" "$work/route.log" ||
      fail "the dialplan does not route $caller -> $callee to user $callee: $(grep '^→' "$work/route.log" | head -1)"
    start_strowger "$main" "$config" "$redis_port"
    ;;
esac

if ! code=$(node "$helpers/wait-for-options.js" 127.0.0.1 "$port" "$DOMAIN" 20 2>/dev/null); then
  tail -5 "$work/target.log" >&2
  fail "no SIP answer within 20 s"
fi

# ---- register the callee from the UAS's port, then start the UAS -------------
if ! sipp "127.0.0.1:$port" -sf "$SCENARIOS/uac-register-contact.xml" -m 1 -t u1 -i 127.0.0.1 -p "$uas_port" \
  -nostdin -key user "$callee" -key domain "$DOMAIN" -key expires 3600 \
  -au "$callee" -ap "$callee_pw" -auth_uri "$DOMAIN" -timeout 10 -timeout_error \
  -trace_msg -message_file "$work/register.messages.log" >/dev/null 2>&1; then
  got=$(awk '$1 == "SIP/2.0" { print $2 }' "$work/register.messages.log" | tr '\n' ' ')
  fail "the callee's REGISTER failed (responses: ${got:-none}); see bench/register-avalanche/README.md, \"sipp and digest\""
fi

# Bounded: outlives every run below, then exits by itself.
uas_timeout=$((30 + 2 * LATENCY_SECONDS + $(wc -w <<<"$RATES") * (2 * STEP_SECONDS + 25)))
sipp -sf "$SCENARIOS/uas-answer-180-200.xml" -t u1 -i 127.0.0.1 -p "$uas_port" -nostdin \
  -key user "$callee" -d "$RING_MS" -buff_size "$SIPP_BUFF" -timeout "$uas_timeout" -recv_timeout 20000 \
  -trace_stat -stf "$work/uas.stat.csv" -fd 1 -trace_err -error_file "$work/uas.errors.log" >/dev/null 2>&1 &
uas_pid=$!
sleep 0.5
kill -0 "$uas_pid" 2>/dev/null || fail "the callee's sipp did not start"

# UDP datagrams the kernel dropped for want of room in a socket's receive
# buffer, machine-wide (/proc/net/snmp, Udp RcvbufErrors): a step's losses.
udp_drops() { awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp; }

# ---- one caller run: NAME SIPP_ARGS... -> JSON fields ------------------------
run_calls() {
  local name=$1
  shift
  local start end status=0 drops
  mkdir -p "$work/$name"
  drops=$(udp_drops)
  start=$(date +%s.%N)
  # (cd: sipp writes its -trace_rtt file in the working directory)
  (cd "$work/$name" && LD_PRELOAD=$export_preload sipp "127.0.0.1:$port" \
    -sf "$SCENARIOS/uac-invite-expect-180-200-bye.xml" -t u1 -i 127.0.0.1 -p "$uac_port" \
    -key caller "$caller" -key callee "$callee" -key domain "$DOMAIN" \
    -au "$caller" -ap "$caller_pw" -auth_uri "$callee@$DOMAIN" -d "$HOLD_MS" \
    -buff_size "$SIPP_BUFF" -nostdin -timeout_error \
    -trace_stat -stf stat.csv -fd 1 -trace_err -error_file errors.log \
    "$@" >/dev/null 2>&1) || status=$?
  end=$(date +%s.%N)
  drops=$(($(udp_drops) - drops))
  awk -F';' -v start="$start" -v end="$end" -v status="$status" -v drops="$drops" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { last = $0 }
    END {
      n = split(last, f, ";")
      printf "\"seconds\":%.3f,\"successful\":%d,\"failed\":%d,\"retransmissions\":%d,\"udpDrops\":%d,\"sippExit\":%d",
        end - start, f[col["SuccessfulCall(C)"]], f[col["FailedCall(C)"]], f[col["Retransmissions(C)"]], drops, status
    }' "$work/$name/stat.csv"
}

# The responses a run got other than the expected 100, 180, 200, 407, with
# their reason phrases and counts (sipp's error log holds the unexpected ones).
unexpected_statuses() {
  [ -f "$work/$1/errors.log" ] || return 0
  { grep -ao "SIP/2\.0 [0-9]\{3\} [^'\"\\]*" "$work/$1/errors.log" || true; } | tr -d '\r' |
    awk '$2 !~ /^(100|180|200|407)$/ { $1 = ""; sub(/^ /, ""); print }' |
    sort | uniq -c | awk '{ n = $1; $1 = ""; sub(/^ /, ""); printf "%s%s x%d", sep, $0, n; sep = ", " }'
}

# ---- smoke: one call, so that a target that cannot route calls yet says why --
fields=$(run_calls smoke -m 1 -r 1 -timeout 15)
if [[ $fields != *'"successful":1,'* ]]; then
  got=$(unexpected_statuses smoke)
  fail "one call did not complete ($fields); INVITE answered: ${got:-nothing unexpected, see KEEP=1 logs}"
fi

# ---- (a) INVITE -> 180 at LATENCY_RATE calls/s --------------------------------
calls=$((LATENCY_RATE * LATENCY_SECONDS))
# sipp writes rtd samples in batches of -rtt_freq and drops a partial last batch
rtt_freq=$LATENCY_RATE
fields=$(run_calls latency -m "$calls" -r "$LATENCY_RATE" -rp 1000 -l $((LATENCY_RATE * 5)) \
  -timeout $((LATENCY_SECONDS * 2 + 15)) -trace_rtt -rtt_freq "$rtt_freq")
stats=$(node "$helpers/rtt-stats.js" 1 "$work"/latency/*_rtt.csv)
json "{\"workload\":\"call rate: INVITE -> 180 at a fixed rate\",\"rate\":$LATENCY_RATE,\"calls\":$calls,$fields,\"holdMs\":$HOLD_MS,\"ringMs\":$RING_MS,\"clock\":\"$clock\",\"invite180\":$stats}" |
  node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    r.clean = r.sippExit === 0 && r.failed === 0 && r.successful === r.calls;
    console.log(JSON.stringify(r))'

# ---- (b) fixed rates ---------------------------------------------------------
# "rate": the highest step that was clean, as was every step below it (the
# issue's "highest sustained rate with no failed call"); "highestCleanStep": the
# highest clean step at all (on this noisy machine a step above a failed one is
# sometimes clean).
sustained=0
highest_clean=0
highest_no_retrans=0
broken=false
unclean=0
step=0
for rate in $RATES; do
  step=$((step + 1))
  calls=$((rate * STEP_SECONDS))
  kill -0 "$uas_pid" 2>/dev/null || fail "the callee's sipp has stopped"
  # (-rtt_freq RATE: calls is a multiple of it, so no sample is left unwritten)
  fields=$(run_calls "step-$step-$rate" -m "$calls" -r "$rate" -rp 1000 -l "$rate" -timeout $((STEP_SECONDS * 2 + 15)) \
    -trace_rtt -rtt_freq "$rate")
  stats=$(node "$helpers/rtt-stats.js" 1 "$work/step-$step-$rate"/*_rtt.csv)
  got=$(unexpected_statuses "step-$step-$rate")
  line=$(json "{\"workload\":\"call rate: fixed rate\",\"targetRate\":$rate,\"calls\":$calls,$fields,\"unexpected\":$(jstr "$got"),\"invite180\":$stats}" |
    node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      r.achievedRate = Math.round(r.successful / r.seconds);
      r.clean = r.sippExit === 0 && r.failed === 0 && r.successful === r.calls && r.achievedRate >= 0.95 * r.targetRate;
      console.log(JSON.stringify(r))')
  echo "$line"
  if [[ $line == *'"clean":true'* ]]; then
    ((rate > highest_clean)) && highest_clean=$rate
    [[ $line == *'"retransmissions":0,'* ]] && ((rate > highest_no_retrans)) && highest_no_retrans=$rate
    [ "$broken" = false ] && ((rate > sustained)) && sustained=$rate
    unclean=0
  else
    broken=true
    unclean=$((unclean + 1))
    ((unclean < 2)) || break
  fi
done
uas_failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 } END { split(last, f, ";"); print f[col["FailedCall(C)"]] + 0 }' "$work/uas.stat.csv" 2>/dev/null || true)
json "{\"workload\":\"highest sustained call rate\",\"rate\":$sustained,\"highestCleanStep\":$highest_clean,\"highestCleanStepWithoutRetransmissions\":$highest_no_retrans,\"stepSeconds\":$STEP_SECONDS,\"rates\":\"$RATES\",\"holdMs\":$HOLD_MS,\"ringMs\":$RING_MS,\"calleeFailedCalls\":${uas_failed:-null}}"
