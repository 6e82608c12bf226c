/* bench_evlog.c: prints event log write/read and JSON Lines throughput.
 *
 *   bench_evlog [EVENTS] [FILE]    (default 2000000 events, /tmp/bench.evlog)
 *
 * The mix is 80% socket events and 20% exec events with typical strings.
 * Figures only; nothing here passes or fails on time. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "json.h"

static double now(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void makeEvent(Event* e, uint64_t i) {
   memset(e, 0, sizeof *e);
   e->pid = e->tid = (uint32_t)(1000 + i % 500);
   e->pstart = 5000000000ull + e->pid;
   e->ts = 1000000000000ull + i * 1000;
   if (i % 5 == 0) {
      e->type = EV_EXEC;
      e->proc.ppid = 1;
      snprintf(e->proc.comm, VN_COMM_LEN, "curl");
      snprintf(e->proc.filename, VN_PATH_LEN, "/usr/bin/curl");
      static const char args[] = "curl\0-s\0https://example.com/index.html";
      memcpy(e->proc.args, args, sizeof args);
      e->proc.args_len = sizeof args;
      return;
   }
   e->type = (uint16_t)(EV_CONNECT + i % 8);
   e->sock.proto = IPPROTO_TCP;
   e->sock.family = AF_INET;
   e->sock.sk = 0xffff888000000000ull + i;
   e->sock.netns = 4026531840u;
   e->sock.tx = i * 10;
   e->sock.rx = i * 20;
   e->sock.lport = (uint16_t)(30000 + i % 30000);
   e->sock.rport = 443;
   e->sock.state = TCPS_ESTABLISHED;
   e->sock.dir = DIR_OUT;
   Addr_fromV4(e->sock.laddr, htonl(0x0a000002));
   Addr_fromV4(e->sock.raddr, htonl(0x5db8d822 + (uint32_t)(i % 64)));
}

int main(int argc, char** argv) {
   uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
   const char* path = argc > 2 ? argv[2] : "/tmp/bench.evlog";
   char err[256];
   Event e;

   double t0 = now();
   EvlogWriter* w = EvlogWriter_open(path, NULL, err, sizeof err);
   if (!w) {
      fprintf(stderr, "bench_evlog: %s\n", err);
      return 1;
   }
   for (uint64_t i = 0; i < n; i++) {
      makeEvent(&e, i);
      if (EvlogWriter_write(w, &e) != 0)
         break;
   }
   if (EvlogWriter_closeErr(w, err, sizeof err) != 0) {
      fprintf(stderr, "bench_evlog: %s\n", err);
      return 1;
   }
   double tw = now() - t0;
   struct stat st;
   stat(path, &st);

   /* building the events is part of the write figure; measure it alone */
   t0 = now();
   uint64_t sink = 0;
   for (uint64_t i = 0; i < n; i++) {
      makeEvent(&e, i);
      sink += e.ts;
   }
   double tm = now() - t0;

   t0 = now();
   EvlogStatus rs;
   EvlogReader* r = EvlogReader_open(path, &rs, err, sizeof err);
   if (!r) {
      fprintf(stderr, "bench_evlog: %s\n", err);
      return 1;
   }
   uint64_t got = 0;
   while ((rs = EvlogReader_next(r, &e)) == EVLOG_OK) {
      got++;
      sink += e.ts;
   }
   double tr = now() - t0;
   EvlogReader_close(r);

   t0 = now();
   JsonBuf b;
   JsonBuf_init(&b);
   size_t bytes = 0;
   for (uint64_t i = 0; i < n; i++) {
      makeEvent(&e, i);
      JsonBuf_reset(&b);
      Json_event(&b, &e);
      bytes += b.len;
   }
   double tj = now() - t0 - tm;
   JsonBuf_free(&b);

   printf("events               %llu (read back %llu, %s)\n", (unsigned long long)n,
          (unsigned long long)got, Evlog_strerror(rs));
   printf("file size            %.1f MB, %.1f bytes/event\n", (double)st.st_size / 1e6,
          (double)st.st_size / (double)n);
   printf("write (incl. fsync)  %.3f s, %.2f M events/s, %.0f MB/s\n", tw - tm,
          (double)n / (tw - tm) / 1e6, (double)st.st_size / (tw - tm) / 1e6);
   printf("read + decode + crc  %.3f s, %.2f M events/s, %.0f MB/s\n", tr,
          (double)n / tr / 1e6, (double)st.st_size / tr / 1e6);
   printf("json_event           %.3f s, %.2f M events/s, %.1f bytes/line\n", tj,
          (double)n / tj / 1e6, (double)bytes / (double)n);
   unlink(path);
   return sink == 42; /* keeps the loops from being optimised away */
}
