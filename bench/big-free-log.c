/*
 * Logs every free() of a block of 120 KB or more, with its thread, time and stack, on
 * stderr: which frees raise glibc's mmap and trim thresholds (bench/README.md, the
 * seventh and tenth looks). Not part of the build; by hand, on Linux with glibc:
 *
 *   gcc -O2 -shared -fPIC -o /tmp/big-free-log.so bench/big-free-log.c -ldl
 *   PROBE_ENV_LD_PRELOAD=/tmp/big-free-log.so PROBE_STDERR=1 node dist/bench/memprobe.js 10000 2>log
 *
 * Then `c++filt` names the stack's symbols.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <execinfo.h>
#include <stdio.h>
#include <unistd.h>
#include <time.h>
static void (*real_free)(void*) = 0;
static __thread int busy = 0;
void free(void *p) {
  if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
  if (p && !busy) {
    size_t n = malloc_usable_size(p);
    if (n >= 120*1024) {
      busy = 1;
      struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
      char buf[128];
      int len = snprintf(buf, sizeof buf, "BIGFREE %zu KB tid=%d t=%ld.%03ld\n", n/1024, gettid(), ts.tv_sec, ts.tv_nsec/1000000);
      write(2, buf, len);
      void *bt[14]; int k = backtrace(bt, 14);
      backtrace_symbols_fd(bt, k, 2);
      busy = 0;
    }
  }
  real_free(p);
}
