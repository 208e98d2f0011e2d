/*
 * LD_PRELOAD shim for sipp 3.6.1's response times (bench/call-rate/run.sh).
 *
 * sipp 3.6.1 (Debian bookworm's sip-tester) reads its clock with
 * clock_gettime(CLOCK_MONOTONIC_COARSE), whose resolution is one kernel tick:
 * 4 ms on these machines (HZ=250; `clock_getres` says 4,000,000 ns). Every
 * rtd it measures (INVITE -> 180 here) is then a multiple of 4 ms, 0 or 4 for a
 * round trip of about a millisecond: useless for a p99 target of 10 ms, let
 * alone Kamailio's 1.5 ms. This shim turns the coarse clocks into the precise
 * ones (vDSO, some tens of ns a call), so -trace_rtt gives microseconds.
 *
 *   cc -O2 -shared -fPIC -o sipp-fine-clock.so sipp-fine-clock.c -ldl
 *   LD_PRELOAD=$PWD/sipp-fine-clock.so sipp ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t id, struct timespec *ts) {
  static clock_gettime_fn real = 0;
  if (real == 0) real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
  if (id == CLOCK_MONOTONIC_COARSE) id = CLOCK_MONOTONIC;
  else if (id == CLOCK_REALTIME_COARSE) id = CLOCK_REALTIME;
  return real(id, ts);
}
