/* bench_frame.c: the cost of one UI frame on a big store.
 *
 * Fills a Store with P processes and S sockets (default 10 000 and
 * 100 000, spread over 2 000 remote addresses), opens the real UI on a
 * pseudo-terminal of W x H (default 200x60, TERM=xterm-256color, UTF-8),
 * and prints the median and worst time of N frames for:
 *   build  Tree_build + Tree_free alone
 *   walk   the same plus one Tree_walk over every node (the flattening)
 *   rates  Store_updateRates: every socket's rate, their sums
 *   filter Tree_build with a filter of field terms ("port:443 !state:listen")
 *   full   a frame after the store changed: tree rebuild, rows, drawing
 *   tick   what a live refresh tick costs the UI: rates, then a full frame
 *   redraw a frame with nothing changed
 * and the bytes the frames wrote to the terminal.
 *
 *   bench_frame [-n FRAMES] [-p PROCS] [-s SOCKETS] [-W COLS] [-H LINES]
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "benchpty.h"
#include "store.h"
#include "tree.h"
#include "ui.h"

#define SEC 1000000000ull

static void fill(Store* s, unsigned procs, unsigned socks) {
   Event e;
   uint64_t ts = 1000 * SEC;
   for (unsigned i = 0; i < procs; i++) {
      memset(&e, 0, sizeof e);
      e.type = EV_PROC;
      e.pid = e.tid = 1000 + i;
      e.pstart = ts;
      e.ts = ts;
      e.proc.ppid = i < 50 ? 1 : 1000 + (i * 7919u) % i;
      e.proc.uid = i % 3 ? 1000 : 0;
      snprintf(e.proc.comm, sizeof e.proc.comm, "worker-%u", i % 97);
      snprintf(e.proc.filename, sizeof e.proc.filename, "/usr/bin/worker-%u", i % 97);
      int n = snprintf(e.proc.args, sizeof e.proc.args, "worker-%u --id %u --config /etc/w.conf",
                       i % 97, i);
      e.proc.args_len = (uint16_t)(n + 1);
      Store_apply(s, &e);
   }
   for (unsigned k = 0; k < socks; k++) {
      memset(&e, 0, sizeof e);
      e.type = EV_SOCK;
      e.pid = e.tid = 1000 + k % procs;
      e.pstart = ts;
      e.ts = ts + k;
      e.sock.proto = IPPROTO_TCP;
      e.sock.family = AF_INET;
      e.sock.state = TCPS_ESTABLISHED;
      e.sock.dir = DIR_OUT;
      e.sock.sk = 0xffff888000000000ull + k * 64;
      e.sock.ino = 100000 + k;
      /* each process talks to 10 remotes; 5-tuples all distinct */
      Addr_fromV4(e.sock.laddr, htonl(0x0a000002 + k / 50000));
      Addr_fromV4(e.sock.raddr, htonl(0x0a010000 + (k / procs * 37 + k) % 2000));
      e.sock.lport = (uint16_t)(1024 + k % 50000);
      e.sock.rport = (uint16_t)(k % 7 ? 443 : 80);
      e.sock.tx = k * 13ull;
      e.sock.rx = k * 101ull;
      Store_apply(s, &e);
   }
}

static int countNode(void* ctx, const TreeNode* n) {
   (void)n;
   (*(size_t*)ctx)++;
   return 0;
}

int main(int argc, char** argv) {
   int frames = 21, W = 200, H = 60;
   unsigned procs = 10000, socks = 100000;
   int c;
   while ((c = getopt(argc, argv, "n:p:s:W:H:")) != -1) {
      switch (c) {
      case 'n':
         frames = atoi(optarg);
         break;
      case 'p':
         procs = (unsigned)atoi(optarg);
         break;
      case 's':
         socks = (unsigned)atoi(optarg);
         break;
      case 'W':
         W = atoi(optarg);
         break;
      case 'H':
         H = atoi(optarg);
         break;
      default:
         fprintf(stderr,
                 "usage: bench_frame [-n FRAMES] [-p PROCS] [-s SOCKETS] [-W COLS] [-H LINES]\n");
         return 2;
      }
   }
   if (frames < 1 || procs < 1 || W < 60 || H < 10) {
      fprintf(stderr, "bench_frame: bad arguments\n");
      return 2;
   }
   FILE* out = fdopen(dup(STDOUT_FILENO), "w");
   double t0 = Bench_nowMs();
   Store* s = Store_new(STORE_DEFAULT_INACTIVE_CAP);
   fill(s, procs, socks);
   StoreStats ss;
   Store_stats(s, &ss);
   fprintf(out, "store: %zu processes, %zu sockets, %zu edges, %zu endpoints (filled in %.0f ms)\n",
           ss.procs, ss.socks, ss.edges, ss.endpoints, Bench_nowMs() - t0);

   double* v = calloc((size_t)frames, sizeof *v);
   TreeOpts to = {.view = VIEW_TREE, .show_inactive = true};
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Tree* t = Tree_build(s, &to);
      if (!t) {
         fprintf(stderr, "bench_frame: Tree_build failed\n");
         return 1;
      }
      if (i == 0)
         fprintf(out, "tree: %zu nodes\n", Tree_size(t));
      Tree_free(t);
      v[i] = Bench_nowMs() - a;
   }
   Bench_report(out, "build", v, frames);
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Tree* t = Tree_build(s, &to);
      size_t rows = 0;
      Tree_walk(t, NULL, NULL, countNode, &rows);
      Tree_free(t);
      v[i] = Bench_nowMs() - a;
   }
   Bench_report(out, "walk", v, frames);
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Store_updateRates(s, (1010ull + (uint64_t)i) * SEC);
      v[i] = Bench_nowMs() - a;
   }
   Bench_report(out, "rates", v, frames);
   TreeOpts tf = to;
   tf.filter = "port:443 !state:listen";
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Tree_free(Tree_build(s, &tf));
      v[i] = Bench_nowMs() - a;
   }
   Bench_report(out, "filter", v, frames);

   if (Bench_openPty(W, H) < 0)
      return 1;
   UiOpts uo = {.delay_ds = 10, .prune_after_s = 300, .view = VIEW_TREE};
   char err[256];
   Ui* ui = Ui_open(&uo, err, sizeof err);
   if (!ui) {
      fprintf(out, "bench_frame: %s\n", err);
      return 1;
   }
   UiStatus st = {.mode = "bench", .note = "", .now_ns = 1010 * SEC};
   Ui_draw(ui, s, &st);
   usleep(200000);
   unsigned long long b0 = Bench_ptyBytes();
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Ui_markDirty(ui);
      Ui_draw(ui, s, &st);
      v[i] = Bench_nowMs() - a;
   }
   usleep(200000);
   unsigned long long b1 = Bench_ptyBytes();
   double* k = calloc((size_t)frames, sizeof *k);
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Store_updateRates(s, (2000ull + (uint64_t)i) * SEC);
      Ui_markDirty(ui);
      Ui_draw(ui, s, &st);
      k[i] = Bench_nowMs() - a;
   }
   usleep(200000);
   b1 = Bench_ptyBytes();
   double* r = calloc((size_t)frames, sizeof *r);
   for (int i = 0; i < frames; i++) {
      double a = Bench_nowMs();
      Ui_draw(ui, s, &st);
      r[i] = Bench_nowMs() - a;
   }
   usleep(200000);
   unsigned long long b2 = Bench_ptyBytes();
   Ui_free(ui);
   Bench_report(out, "full", v, frames);
   Bench_report(out, "tick", k, frames);
   Bench_report(out, "redraw", r, frames);
   fprintf(out,
           "terminal %dx%d: first frame %llu bytes; %d rebuilt frames %llu bytes; "
           "%d unchanged frames %llu bytes\n",
           W, H, b0, frames, b1 - b0, frames, b2 - b1);
   fclose(out);
   Store_free(s);
   free(v);
   free(r);
   free(k);
   return 0;
}
