/* benchpty.h: what the frame benchmarks share: a clock, the median of
 * timings, and a pseudo-terminal whose output a thread counts and drops
 * (the UI draws into it as into an ssh session's terminal). One file
 * includes it per program. */
#ifndef VISNET_BENCHPTY_H
#define VISNET_BENCHPTY_H

#include <errno.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long long g_bytes;
static int g_master = -1;

static inline double Bench_nowMs(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int Bench_cmpDouble(const void* a, const void* b) {
   double x = *(const double*)a, y = *(const double*)b;
   return x < y ? -1 : x > y;
}

/* "full    median 14.09 ms   min ...": sorts v. */
static inline void Bench_report(FILE* out, const char* what, double* v, int n) {
   qsort(v, (size_t)n, sizeof *v, Bench_cmpDouble);
   fprintf(out, "%-7s median %8.2f ms   min %8.2f ms   max %8.2f ms\n", what, v[n / 2], v[0],
           v[n - 1]);
}

static inline void* Bench_drain(void* arg) {
   (void)arg;
   char buf[65536];
   for (;;) {
      ssize_t n = read(g_master, buf, sizeof buf);
      if (n > 0)
         __atomic_add_fetch(&g_bytes, (unsigned long long)n, __ATOMIC_RELAXED);
      else if (n < 0 && errno != EINTR)
         return NULL;
   }
}

/* Bytes the terminal got so far. */
static inline unsigned long long Bench_ptyBytes(void) {
   return __atomic_load_n(&g_bytes, __ATOMIC_RELAXED);
}

/* stdin and stdout become a W x H pseudo-terminal (TERM=xterm-256color,
 * UTF-8) whose output is drained; 0, or -1 with a message on stderr. */
static inline int Bench_openPty(int w, int h) {
   int slave;
   struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
   if (openpty(&g_master, &slave, NULL, NULL, &ws) < 0) {
      fprintf(stderr, "openpty: %s\n", strerror(errno));
      return -1;
   }
   pthread_t th;
   pthread_create(&th, NULL, Bench_drain, NULL);
   dup2(slave, STDIN_FILENO);
   dup2(slave, STDOUT_FILENO);
   setenv("TERM", "xterm-256color", 1);
   setenv("LC_ALL", "C.UTF-8", 1);
   return 0;
}

#endif
