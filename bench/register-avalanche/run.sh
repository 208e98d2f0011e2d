#!/usr/bin/env bash
# The registration avalanche: USERS distinct users each REGISTER -> 401 ->
# REGISTER with digest credentials -> 200, driven by sipp over UDP
# (test/interop/scenarios/uac-register-auth-expect-401-then-200.xml), against
# one target on this machine:
#   kamailio  Kamailio 5.6, bench/kamailio/kamailio.cfg (2 workers, in-memory location)
#   strowger  one Strowger node (dist/cli/main.js) backed by a redis-server started here
#
# Prints one JSON line a result:
#   (a) avalanche: AVALANCHE_CALLS new users, LIMIT in flight, rate unlimited;
#       wall time and sipp's exit code, successful/failed calls, retransmissions.
#   (b) fixed rates: RATES (calls/s) for STEP_SECONDS each; a step is clean when no
#       call failed, nothing was retransmitted and sipp kept up (achieved >= 95%
#       of the target rate); the last line is the highest clean rate. The steps
#       stop after two unclean ones in a row.
# Everything listens on 127.0.0.1 on free ports; every sipp run is bounded in
# calls and time. Needs sipp, kamailio or redis-server, and for strowger a build
# (npm run build). Usage: bash bench/register-avalanche/run.sh kamailio|strowger
set -euo pipefail
cd "$(dirname "$0")/../.."

target=${1:-}
case "$target" in
  kamailio | strowger) ;;
  *) echo "usage: $0 kamailio|strowger" >&2; exit 2 ;;
esac

USERS=${USERS:-10000}                       # users in the directory
AVALANCHE_CALLS=${AVALANCHE_CALLS:-10000}   # users registered by the avalanche
LIMIT=${LIMIT:-200}                         # sipp's calls in flight during the avalanche
RATES=${RATES-"1000 2000 5000 10000 15000 20000 22500 25000"}
STEP_SECONDS=${STEP_SECONDS:-5}
DOMAIN=strowger.local                       # Strowger's node.domain; Kamailio's realm too
# sipp's UDP socket buffer: its default (64 KiB) overflows with 200 answers in
# flight and shows up as retransmissions; the kernel caps it at net.core.rmem_max.
SIPP_BUFF=${SIPP_BUFF:-4194304}
SCENARIO=test/interop/scenarios/uac-register-auth-expect-401-then-200.xml
first_ext=200000

command -v sipp >/dev/null || { echo "run.sh: sipp is missing (apt-get install sip-tester)" >&2; exit 1; }

work=$(mktemp -d /tmp/register-avalanche.XXXXXX)
target_pid=""
redis_pid=""
cleanup() {
  # `wait` on a killed process returns 143: under `set -e` that would end the cleanup
  # early and leave the rest running.
  set +e
  [ -n "$target_pid" ] && kill "$target_pid" 2>/dev/null && wait "$target_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "run.sh: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The small helpers (directory generator, injection file, Kamailio's user data,
# port picker, readiness probe) build in a second or two.
npx --no-install tsc -p bench/register-avalanche/tsconfig.json
helpers=dist-bench/bench/register-avalanche

node dist-bench/scripts/generate-directory.js "$USERS" >"$work/users.csv"
read -r port sipp_port redis_port <<<"$(node "$helpers/free-ports.js" 3 8)"

# shellcheck source=../lib/targets.sh
. "$(dirname "$0")/../lib/targets.sh"

json() { node -e 'console.log(JSON.stringify(Object.assign({ target: process.argv[1] }, JSON.parse(process.argv[2]))))' "$target" "$1"; }

# ---- start the target --------------------------------------------------------
case "$target" in
  kamailio)
    start_kamailio bench/kamailio/kamailio.cfg "$work/users.csv" 256
    ;;
  strowger)
    main=${STROWGER_MAIN:-dist/cli/main.js}
    [ -f "$main" ] || { echo "run.sh: build Strowger first (npm run build)" >&2; exit 1; }
    config="$work/strowger-config"
    strowger_config "$config"
    node "$main" users import "$work/users.csv" --config "$config" 2>"$work/import.log" >/dev/null
    start_strowger "$main" "$config" "$redis_port"
    ;;
esac

# Ready when it answers a REGISTER without credentials; it must be a 401.
if ! status=$(node "$helpers/wait-for-sip.js" 127.0.0.1 "$port" "$first_ext" "$DOMAIN" 20 2>/dev/null); then
  json '{"workload":"register avalanche","error":"no SIP answer within 20 s"}'
  tail -5 "$work/target.log" >&2
  exit 1
fi
read -r code algorithm <<<"$status"
if [ "$code" != 401 ]; then
  json "{\"workload\":\"register avalanche\",\"error\":\"REGISTER without credentials answered $code, not 401: the registrar is not there yet\"}"
  exit 1
fi
# sipp 3.6.1 answers MD5 only, and reads the first algorithm= of all the
# WWW-Authenticate headers joined: a SHA-256 challenge listed first makes it stop
# the whole run at the first call (exit 255).
if [ "${algorithm^^}" != MD5 ]; then
  json "{\"workload\":\"register avalanche\",\"error\":\"the 401 lists $algorithm first; sipp 3.6.1 answers only MD5 and takes the first algorithm= of all WWW-Authenticate headers, so it would abort: the node must list its MD5 challenge first for this benchmark\"}"
  exit 1
fi

# ---- one sipp run: NAME INF_FILE SIPP_ARGS... -> JSON fields -----------------
# CPU seconds this shell's finished children have used (user + system), from `times`,
# into the variable named $1. `times` runs in the calling shell (run_sipp's, itself a
# command substitution's), not in a subshell of its own that has no children: across
# one sipp run in the foreground, the difference is sipp's own (and one date's).
children_cpu_seconds() {
  times >"$work/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%.3f", t }' "$work/times")"
}
run_sipp() {
  local name=$1 inf=$2
  shift 2
  local start end status=0 cpu_start cpu_end redis_start redis_end sipp_start sipp_end
  : >"$work/$name.stat.csv"
  cpu_start=$(cpu_seconds "$target_pid")
  redis_start=$(cpu_seconds "$redis_pid")
  children_cpu_seconds sipp_start
  start=$(date +%s.%N)
  sipp "127.0.0.1:$port" -sf "$SCENARIO" -inf "$inf" -auth_uri "$DOMAIN" -t u1 \
    -i 127.0.0.1 -p "$sipp_port" -buff_size "$SIPP_BUFF" -nostdin -timeout_error \
    -trace_stat -stf "$work/$name.stat.csv" -fd 1 -trace_err -error_file "$work/$name.errors.log" \
    "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s.%N)
  children_cpu_seconds sipp_end
  cpu_end=$(cpu_seconds "$target_pid")
  redis_end=$(cpu_seconds "$redis_pid")
  # the last line of sipp's statistics, columns found by name; the CPU the target,
  # its Redis (none for Kamailio) and sipp each used per successful registration, in ms:
  # together, what a registration costs this 2-core machine.
  awk -F';' -v start="$start" -v end="$end" -v status="$status" \
    -v cpu="$(awk -v a="$cpu_start" -v b="$cpu_end" 'BEGIN { print b - a }')" \
    -v redis="$(awk -v a="$redis_start" -v b="$redis_end" -v r="$redis_pid" 'BEGIN { print r == "" ? "null" : b - a }')" \
    -v sippcpu="$(awk -v a="$sipp_start" -v b="$sipp_end" 'BEGIN { print b - a }')" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { last = $0 }
    END {
      n = split(last, f, ";")
      ok = f[col["SuccessfulCall(C)"]]
      printf "\"seconds\":%.3f,\"successful\":%d,\"failed\":%d,\"retransmissions\":%d,\"sippExit\":%d,\"targetCpuSeconds\":%.2f,\"targetCpuMsPerRegistration\":%.3f",
        end - start, ok, f[col["FailedCall(C)"]], f[col["Retransmissions(C)"]], status, cpu, (ok > 0 ? 1000 * cpu / ok : 0)
      if (redis == "null") printf ",\"redisCpuMsPerRegistration\":null"
      else printf ",\"redisCpuMsPerRegistration\":%.3f", (ok > 0 ? 1000 * redis / ok : 0)
      printf ",\"sippCpuMsPerRegistration\":%.3f", (ok > 0 ? 1000 * sippcpu / ok : 0)
    }' "$work/$name.stat.csv"
}

# ---- (a) the avalanche: new users, LIMIT in flight, rate unlimited -----------
node "$helpers/make-injection-file.js" "$work/users.csv" "$DOMAIN" 0 "$AVALANCHE_CALLS" >"$work/avalanche.inf"
fields=$(run_sipp avalanche "$work/avalanche.inf" -m "$AVALANCHE_CALLS" -l "$LIMIT" -r 100000 -timeout 60)
registered=null
if [ "$target" = kamailio ]; then
  registered=$(kamcmd -s "unixs:$work/kamailio.ctl" stats.get_statistics registered_users 2>/dev/null |
    sed -n 's/.*registered_users = //p')
  registered=${registered:-null}
fi
json "{\"workload\":\"register avalanche\",\"users\":$AVALANCHE_CALLS,\"inFlight\":$LIMIT,$fields,\"registered\":$registered}" |
  node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); r.perSecond = Math.round(r.successful / r.seconds); console.log(JSON.stringify(r))'

# ---- (b) fixed rates ---------------------------------------------------------
# Users not yet registered while the directory has them, else the same users
# again from the first (sipp wraps around its injection file): re-registrations,
# each still REGISTER -> 401 -> REGISTER with credentials -> 200.
next=$AVALANCHE_CALLS
best=0
unclean=0
for rate in $RATES; do
  calls=$((rate * STEP_SECONDS))
  if ((next + calls <= USERS)); then
    node "$helpers/make-injection-file.js" "$work/users.csv" "$DOMAIN" "$next" "$calls" >"$work/rate-$rate.inf"
    next=$((next + calls))
    users=new
  else
    [ -f "$work/all.inf" ] || node "$helpers/make-injection-file.js" "$work/users.csv" "$DOMAIN" >"$work/all.inf"
    cp "$work/all.inf" "$work/rate-$rate.inf"
    users=re-registering
  fi
  fields=$(run_sipp "rate-$rate" "$work/rate-$rate.inf" -m "$calls" -r "$rate" -rp 1000 -l "$rate" \
    -timeout $((STEP_SECONDS * 2 + 10)))
  line=$(json "{\"workload\":\"register at a fixed rate\",\"targetRate\":$rate,\"calls\":$calls,\"users\":\"$users\",$fields}" |
    node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      r.achievedRate = Math.round(r.successful / r.seconds);
      r.clean = r.sippExit === 0 && r.failed === 0 && r.retransmissions === 0 && r.successful === r.calls && r.achievedRate >= 0.95 * r.targetRate;
      console.log(JSON.stringify(r))')
  echo "$line"
  if [[ $line == *'"clean":true'* ]]; then
    ((rate > best)) && best=$rate
    unclean=0
  else
    unclean=$((unclean + 1))
    ((unclean < 2)) || break
  fi
done
json "{\"workload\":\"highest sustained registration rate\",\"rate\":$best,\"stepSeconds\":$STEP_SECONDS,\"rates\":\"$RATES\"}"
