/* probe_dump.c: a small driver of the probe API for the probe's own tests
 * and benchmarks: prints every event as JSON Lines (core/output/json.c), or with
 * --count only a summary on stderr at exit.
 *
 *   vn_probe_dump [--duration S] [--poll-ms N] [--count] [--drop-caps] [-v]
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "probe.h"
#include "probe_env.h"

typedef struct Dump_ {
   JsonBuf buf;
   bool count_only;
   uint64_t events;
   uint64_t by_type[EV__COUNT];
} Dump;

static volatile sig_atomic_t Dump_stop;

static void Dump_onSignal(int sig) {
   (void)sig;
   Dump_stop = 1;
}

static void Dump_sink(void* ctx, const Event* e) {
   Dump* d = ctx;
   d->events++;
   if (e->type < EV__COUNT)
      d->by_type[e->type]++;
   if (d->count_only)
      return;
   Json_event(&d->buf, e);
}

/* Writes what the last batch produced, so that readers see events live. */
static void Dump_flush(Dump* d) {
   if (d->buf.len == 0)
      return;
   JsonBuf_write(&d->buf, stdout);
   JsonBuf_reset(&d->buf);
   fflush(stdout);
}

static double Dump_now(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Gives up every capability, as visnet does after attach, to show what the
 * running probe still needs (nothing). */
static int Dump_dropCaps(void) {
   for (int c = 0; c <= 63; c++)
      if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL)
         return -1;
   struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
   struct __user_cap_data_struct d[2];
   memset(d, 0, sizeof(d));
   return (int)syscall(SYS_capset, &h, d);
}

int main(int argc, char** argv) {
   double duration = 0;
   int poll_ms = 200;
   bool drop = false;
   Dump d;
   memset(&d, 0, sizeof(d));
   ProbeOpts o = {.self_pid = (uint32_t)getpid(), .verbose = false};
   ProbeEnv_read(&o);
   for (int i = 1; i < argc; i++) {
      if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
         duration = atof(argv[++i]);
      else if (strcmp(argv[i], "--poll-ms") == 0 && i + 1 < argc)
         poll_ms = atoi(argv[++i]);
      else if (strcmp(argv[i], "--count") == 0)
         d.count_only = true;
      else if (strcmp(argv[i], "--drop-caps") == 0)
         drop = true;
      else if (strcmp(argv[i], "-v") == 0)
         o.verbose = true;
      else {
         fprintf(stderr, "usage: %s [--duration S] [--poll-ms N] [--count] [--drop-caps] [-v]\n",
                 argv[0]);
         return 2;
      }
   }
   JsonBuf_init(&d.buf);
   char err[512];
   Probe* p = Probe_open(&o, Dump_sink, &d, err, sizeof(err));
   if (!p) {
      fprintf(stderr, "vn_probe_dump: %s\n", err);
      return 1;
   }
   if (Probe_warnings(p)[0])
      fprintf(stderr, "vn_probe_dump: warning: %s\n", Probe_warnings(p));
   if (drop && Dump_dropCaps() != 0) {
      fprintf(stderr, "vn_probe_dump: dropping capabilities failed: %s\n", strerror(errno));
      Probe_close(p);
      return 1;
   }
   signal(SIGINT, Dump_onSignal);
   signal(SIGTERM, Dump_onSignal);
   fprintf(stderr, "vn_probe_dump: ready\n");
   double start = Dump_now(), next_poll = start + poll_ms / 1000.0;
   int rc = 0;
   while (!Dump_stop) {
      double now = Dump_now();
      if (duration > 0 && now - start >= duration)
         break;
      struct pollfd pfd = {.fd = Probe_fd(p), .events = POLLIN};
      int wait = (int)((next_poll - now) * 1000);
      if (poll(&pfd, 1, wait < 0 ? 0 : wait) < 0 && errno != EINTR) {
         rc = 1;
         break;
      }
      if (Probe_consume(p) < 0) {
         fprintf(stderr, "vn_probe_dump: reading the ring buffer failed\n");
         rc = 1;
         break;
      }
      if (Dump_now() >= next_poll) {
         Probe_poll(p);
         next_poll += poll_ms / 1000.0;
      }
      Dump_flush(&d);
   }
   Probe_poll(p); /* what waits below the wakeup threshold */
   Dump_flush(&d);
   fprintf(stderr,
           "vn_probe_dump: %llu events, %llu lost, %llu untracked, connect %llu accept %llu close %llu\n",
           (unsigned long long)d.events, (unsigned long long)Probe_lost(p),
           (unsigned long long)Probe_untracked(p),
           (unsigned long long)d.by_type[EV_CONNECT], (unsigned long long)d.by_type[EV_ACCEPT],
           (unsigned long long)d.by_type[EV_CLOSE]);
   Probe_close(p);
   JsonBuf_free(&d.buf);
   return rc;
}
