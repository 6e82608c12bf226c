/* bench_fleet.c: a fleet's merged view at scale (docs/PERFORMANCE.md,
 * "Fleet").
 *
 * Makes the visnet --json streams of H hosts (default 20), each with P
 * processes (default 500) and C connections (default 10 000): half of
 * them to the next host's port 5432, half accepted from the previous
 * host's, so that every connection has its other end on another host.
 * Then, in this process, as visnet --remote does with what its ssh
 * children read:
 *   ingest  every line checked (JsonRead_stream) and applied to its
 *           host's store (Fleet_apply): lines/s
 *   rss     the resident memory before and after
 *   build   Tree_build of the whole fleet
 *   full    a frame after the stores changed, on a pseudo-terminal of
 *           W x H (200x60): tree rebuild, rows, the other ends of the
 *           rows drawn, drawing
 *   tick    Fleet_tick (rates, quiet UDP) and a full frame
 * With -w DIR it writes the streams to DIR/hNN.jsonl instead, for
 * tests/bench/fleet_e2e.sh (the real program through --ssh-command).
 *
 *   bench_fleet [-n FRAMES] [-H HOSTS] [-c CONNS] [-p PROCS] [-w DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "benchpty.h"
#include "fleet.h"
#include "jsonread.h"
#include "tree.h"
#include "ui.h"

static long rssKiB(void) {
   FILE* f = fopen("/proc/self/status", "r");
   char line[256];
   long kb = -1;
   while (f && fgets(line, sizeof line, f))
      if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
         break;
   if (f)
      fclose(f);
   return kb;
}

/* Host h's stream, as visnet --json writes it (the fields a reader needs). */
static char* stream(unsigned h, unsigned hosts, unsigned procs, unsigned conns, size_t* len) {
   size_t cap = (size_t)(procs + conns + 4) * 420;
   char* b = malloc(cap);
   size_t n = 0;
   uint64_t ts = 5000ull * 1000000000ull;
   unsigned next = (h + 1) % hosts, prev = (h + hosts - 1) % hosts;
   n += (size_t)snprintf(
       b + n, cap - n,
       "{\"type\":\"hello\",\"ts\":%llu,\"visnet\":\"0.1.0\",\"schema\":1,\"host\":"
       "\"h%02u\",\"boot_id\":\"\",\"kernel\":\"6.18\",\"mode\":\"live\",\"time\":"
       "\"2026-12-07T10:00:00.000000Z\",\"v\":1}\n",
       (unsigned long long)ts, h);
   for (unsigned p = 0; p < procs; p++)
      n += (size_t)snprintf(
          b + n, cap - n,
          "{\"type\":\"proc\",\"ts\":%llu,\"time\":\"2026-12-07T10:00:00.000000Z\",\"pid\":%u,"
          "\"tid\":%u,\"pstart\":%llu,\"ppid\":1,\"uid\":%u,\"comm\":\"worker-%u\",\"filename\":"
          "\"/usr/bin/worker\",\"args\":[\"worker\",\"--id\",\"%u\"],\"cgroup\":1,\"user\":\"w\","
          "\"v\":1}\n",
          (unsigned long long)ts, 1000 + p, 1000 + p, (unsigned long long)ts, p % 3 ? 1000 : 0,
          p % 97, p);
   for (unsigned k = 0; k < conns; k++) {
      bool out = k < conns / 2;
      unsigned i = out ? k : k - conns / 2;
      unsigned peer = out ? next : prev, port = 1024 + i % 60000;
      unsigned a = out ? h : peer, c = out ? peer : h; /* client's host, server's */
      char client[32], server[32];
      snprintf(client, sizeof client, "10.%u.%u.1", 50 + a / 250, a % 250);
      snprintf(server, sizeof server, "10.%u.%u.1", 50 + c / 250, c % 250);
      n += (size_t)snprintf(
          b + n, cap - n,
          "{\"type\":\"sock\",\"ts\":%llu,\"time\":\"2026-12-07T10:00:00.000000Z\",\"pid\":%u,"
          "\"tid\":%u,\"pstart\":%llu,\"comm\":\"worker-%u\",\"uid\":0,\"user\":\"w\",\"proto\":"
          "\"tcp\",\"family\":\"ipv4\",\"laddr\":\"%s\",\"lport\":%u,\"raddr\":\"%s\",\"rport\":%u,"
          "\"dir\":\"%s\",\"state\":\"ESTABLISHED\",\"netns\":4026531840,\"sk\":\"0x%x\",\"ino\":%"
          "u,"
          "\"tx\":%u,\"rx\":%u,\"v\":1}\n",
          (unsigned long long)ts, 1000 + k % procs, 1000 + k % procs, (unsigned long long)ts,
          (k % procs) % 97, out ? client : server, out ? port : 5432 + i / 60000,
          out ? server : client, out ? 5432 + i / 60000 : port, out ? "out" : "in", k + 1,
          100000 + k, k * 13, k * 101);
   }
   n += (size_t)snprintf(b + n, cap - n,
                         "{\"type\":\"ready\",\"ts\":%llu,\"time\":\"2026-12-07T10:00:00.000000Z\","
                         "\"events\":%u,\"v\":1}\n",
                         (unsigned long long)ts, procs + conns);
   *len = n;
   return b;
}

static int writeStreams(const char* dir, unsigned hosts, unsigned procs, unsigned conns) {
   for (unsigned h = 0; h < hosts; h++) {
      size_t len;
      char* s = stream(h, hosts, procs, conns, &len);
      char path[4096];
      snprintf(path, sizeof path, "%s/h%02u.jsonl", dir, h);
      FILE* f = fopen(path, "w");
      if (!f || fwrite(s, 1, len, f) != len || fclose(f) != 0) {
         fprintf(stderr, "bench_fleet: %s: %s\n", path, strerror(errno));
         return 1;
      }
      free(s);
   }
   return 0;
}

/* Every line of every host's stream through the reader into its store:
 * the hosts' lines interleaved a chunk at a time, as the loop reads them. */
static size_t ingest(Fleet* f, char** s, size_t* len, unsigned hosts) {
   size_t *off = calloc(hosts, sizeof *off), lines = 0;
   Event e;
   JsonReadHello hello;
   char err[200];
   for (bool more = true; more;) {
      more = false;
      for (unsigned h = 0; h < hosts; h++) {
         for (int chunk = 0; chunk < 256 && off[h] < len[h]; chunk++) {
            char* line = s[h] + off[h];
            char* nl = memchr(line, '\n', len[h] - off[h]);
            size_t l = (size_t)(nl - line);
            off[h] += l + 1;
            lines++;
            int k = JsonRead_stream(line, l, &e, &hello, err, sizeof err);
            if (k == JSONREAD_HELLO)
               Fleet_hello(f, h, hello.ts, hello.host, hello.visnet, hello.mode);
            else if (k == JSONREAD_EVENT)
               Fleet_apply(f, h, &e, 1);
            else if (k < 0)
               fprintf(stderr, "bench_fleet: h%02u: %s\n", h, err);
         }
         more |= off[h] < len[h];
      }
   }
   free(off);
   return lines;
}

int main(int argc, char** argv) {
   int frames = 11, c;
   unsigned hosts = 20, conns = 10000, procs = 500;
   const char* dir = NULL;
   while ((c = getopt(argc, argv, "n:H:c:p:w:")) != -1) {
      switch (c) {
      case 'n':
         frames = atoi(optarg);
         break;
      case 'H':
         hosts = (unsigned)atoi(optarg);
         break;
      case 'c':
         conns = (unsigned)atoi(optarg);
         break;
      case 'p':
         procs = (unsigned)atoi(optarg);
         break;
      case 'w':
         dir = optarg;
         break;
      default:
         fprintf(stderr,
                 "usage: bench_fleet [-n FRAMES] [-H HOSTS] [-c CONNS] [-p PROCS] [-w DIR]\n");
         return 2;
      }
   }
   if (frames < 1 || hosts < 2 || hosts > 1000 || procs < 1 || conns < 2) {
      fprintf(stderr, "bench_fleet: bad arguments\n");
      return 2;
   }
   if (dir)
      return writeStreams(dir, hosts, procs, conns);
   long rss0 = rssKiB();
   char** s = calloc(hosts, sizeof *s);
   size_t* len = calloc(hosts, sizeof *len);
   const char** names = calloc(hosts, sizeof *names);
   char(*name)[16] = calloc(hosts, sizeof *name);
   size_t bytes = 0;
   for (unsigned h = 0; h < hosts; h++) {
      s[h] = stream(h, hosts, procs, conns, &len[h]);
      bytes += len[h];
      snprintf(name[h], sizeof name[h], "h%02u", h);
      names[h] = name[h];
   }
   Fleet* f = Fleet_new(names, hosts, 0);
   double t0 = Bench_nowMs();
   size_t lines = ingest(f, s, len, hosts);
   double ms = Bench_nowMs() - t0;
   for (unsigned h = 0; h < hosts; h++)
      free(s[h]);
   malloc_trim(0); /* the streams' pages back: what stays is the stores' */
   long rss1 = rssKiB();
   StoreStats st;
   Fleet_stats(f, &st);
   printf("fleet: %u hosts x %u connections: %zu processes, %zu sockets, %zu endpoints\n", hosts,
          conns, st.procs, st.socks, st.endpoints);
   printf("ingest  %zu lines (%.1f MiB) in %.0f ms: %.0f lines/s\n", lines,
          (double)bytes / 1048576.0, ms, (double)lines / (ms / 1000.0));
   printf("rss     %.1f MiB more for the stores (%.1f MiB in all)\n",
          (double)(rss1 - rss0) / 1024.0, (double)rss1 / 1024.0);

   double* v = calloc((size_t)frames, sizeof *v);
   TreeOpts to = {.view = VIEW_TREE, .show_inactive = true, .fleet = f};
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Tree* t = Tree_build(NULL, &to);
      if (i == 0)
         printf("tree: %zu nodes\n", Tree_size(t));
      Tree_free(t);
      v[i] = Bench_nowMs() - a;
   }
   Bench_report(stdout, "build", v, frames);

   fflush(stdout);
   int saved = dup(STDOUT_FILENO);
   if (Bench_openPty(200, 60) < 0)
      return 1;
   UiOpts uo = {.delay_ds = 10, .prune_after_s = 300, .view = VIEW_TREE, .fleet = f};
   char err[256];
   Ui* ui = Ui_open(&uo, err, sizeof err);
   if (!ui) {
      dprintf(saved, "bench_fleet: %s\n", err);
      return 1;
   }
   UiStatus ust = {.mode = "bench", .note = "", .now_ns = Fleet_now()};
   Ui_draw(ui, NULL, &ust);
   double* k = calloc((size_t)frames, sizeof *k);
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Ui_markDirty(ui);
      Ui_draw(ui, NULL, &ust);
      v[i] = Bench_nowMs() - a;
   }
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Fleet_tick(f, Fleet_now());
      Ui_markDirty(ui);
      Ui_draw(ui, NULL, &ust);
      k[i] = Bench_nowMs() - a;
   }
   long rss2 = rssKiB();
   Ui_free(ui);
   fflush(stdout);
   dup2(saved, STDOUT_FILENO);
   Bench_report(stdout, "full", v, frames);
   Bench_report(stdout, "tick", k, frames);
   printf("rss     %.1f MiB with the UI\n", (double)rss2 / 1024.0);
   Fleet_free(f);
   free(v);
   free(k);
   free(s);
   free(len);
   free(names);
   free(name);
   return 0;
}
