/* bench_ingest.c: core store ingest throughput, memory and tree build time.
 *
 * A synthetic, deterministic stream over 10 000 processes and 100 000
 * sockets is generated in small chunks; only the store is timed. After the
 * setup (every process execs, every socket connects), each step is one of
 * (per mille of steps): EV_BYTES 870, EV_STATE 30, EV_UDP_PEER 30, close +
 * reconnect 45 (3 events), exec 5, short-lived child 20 (fork, exec,
 * connect, connected, close, exit: 6 events). In events that is about 73 %
 * bytes, 11 % connection churn, 10 % process churn. Prints events/s, RSS, bytes per socket
 * and the tree build time. Figures, never a pass/fail verdict.
 *
 *   bench_ingest [events] [procs] [socks]
 *   [BENCH_REPS=N] bench_ingest --evlog FILE [DUMP]
 *
 * --evlog replays a recorded event log (e.g. `visnet --record` during
 * `bench_conn_load conn`) through what the live path runs after the probe:
 * onEvent's batching (src/app.c: copy into a 256-event batch) and
 * Store_applyBatch. The log is decoded into memory first, so only that
 * path is timed; under `valgrind --tool=callgrind
 * --toggle-collect=Log_feed` its instruction count per event does not
 * depend on machine noise. DUMP (a file) gets every process, edge and
 * socket with their counters, ids and list order, and the JSON tree with
 * history: two builds whose dumps are equal show the same thing. With
 * BENCH_REPS=N the log is fed N times into new stores and the fastest
 * pass is printed.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "json.h"
#include "store.h"
#include "tree.h"

#define CHUNK 256
#define SLACK 16 /* the most events one generator step emits */

typedef struct Gen_ {
   uint64_t rng;
   uint64_t ts;
   uint32_t nprocs, nsocks;
   uint32_t* gen;     /* per socket slot: reconnect generation */
   uint64_t* tx;      /* per slot: cumulative bytes */
   uint64_t* rx;
   uint32_t* udp;     /* per proc: datagrams to its DNS server */
   uint32_t next_child;
   uint64_t setup;    /* setup events still to emit */
} Gen;

static uint64_t rnd(Gen* g) {
   g->rng ^= g->rng << 13;
   g->rng ^= g->rng >> 7;
   g->rng ^= g->rng << 17;
   return g->rng;
}

static double clockSec(clockid_t id) {
   struct timespec t;
   clock_gettime(id, &t);
   return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double now(void) { return clockSec(CLOCK_MONOTONIC); }
/* CPU time of this thread: what one core does, whatever else runs. */
static double cpuNow(void) { return clockSec(CLOCK_THREAD_CPUTIME_ID); }

static long rssKiB(void) {
   long pages = 0, resident = 0;
   FILE* f = fopen("/proc/self/statm", "r");
   if (f) {
      if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
         resident = 0;
      fclose(f);
   }
   return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long peakKiB(void) {
   struct rusage ru;
   getrusage(RUSAGE_SELF, &ru);
   return ru.ru_maxrss;
}

static uint32_t procPid(uint32_t i) { return 1000 + i; }
static uint64_t procStart(uint32_t i) { return (uint64_t)(i + 1) * 1000; }

static Event* base(Event* e, EventType t, uint32_t pid, uint64_t start, Gen* g) {
   memset(e, 0, offsetof(Event, proc));
   e->type = (uint16_t)t;
   e->pid = e->tid = pid;
   e->pstart = start;
   e->ts = g->ts += 1000;
   return e;
}

static void procEvent(Event* e, EventType t, uint32_t pid, uint32_t ppid, uint64_t start,
                      const char* comm, Gen* g) {
   base(e, t, pid, start, g);
   memset(&e->proc, 0, sizeof e->proc);
   e->proc.ppid = ppid;
   snprintf(e->proc.comm, sizeof e->proc.comm, "%s", comm);
   snprintf(e->proc.filename, sizeof e->proc.filename, "/usr/bin/%s", comm);
   int n = snprintf(e->proc.args, sizeof e->proc.args, "%s%c--serve%c%u", comm, 0, 0, pid);
   e->proc.args_len = (uint16_t)(n + 1);
}

/* Socket slot j belongs to process j % nprocs; its local address encodes
 * the slot, its local port the reconnect generation, so tuples are unique. */
static void sockEvent(Event* e, EventType t, uint32_t j, Gen* g) {
   uint32_t p = j % g->nprocs;
   base(e, t, procPid(p), procStart(p), g);
   SockEvent* s = &e->sock;
   memset(s, 0, sizeof *s);
   s->proto = IPPROTO_TCP;
   s->family = AF_INET;
   s->netns = 4026531840u;
   Addr_fromV4(s->laddr, htonl(0x0A000000u | (j & 0xffffff)));
   Addr_fromV4(s->raddr, htonl(0x5D000000u | ((p * 7 + j / g->nprocs % 4) % 5000)));
   s->lport = (uint16_t)(32768 + g->gen[j] % 28000);
   s->rport = 443;
   s->sk = ((uint64_t)j << 20) | g->gen[j];
   s->tx = g->tx[j];
   s->rx = g->rx[j];
}

static void udpEvent(Event* e, uint32_t p, Gen* g) {
   base(e, EV_UDP_PEER, procPid(p), procStart(p), g);
   SockEvent* s = &e->sock;
   memset(s, 0, sizeof *s);
   s->proto = IPPROTO_UDP;
   s->family = AF_INET;
   Addr_fromV4(s->laddr, htonl(0x0B000000u | p));
   Addr_fromV4(s->raddr, htonl(0x0A0000FEu));
   s->lport = 5353;
   s->rport = 53;
   s->count = ++g->udp[p];
   s->tx = (uint64_t)s->count * 40;
   s->rx = (uint64_t)s->count * 90;
}

/* Emits the next few events into out; returns how many. */
static int genStep(Gen* g, Event* out) {
   if (g->setup) { /* processes first, then every socket connects */
      uint64_t i = (uint64_t)g->nprocs + g->nsocks - g->setup;
      g->setup--;
      if (i < g->nprocs) {
         uint32_t p = (uint32_t)i;
         uint32_t ppid = p ? procPid((p - 1) / 8) : 1;
         procEvent(&out[0], EV_EXEC, procPid(p), ppid, procStart(p), p % 3 ? "worker" : "server", g);
         return 1;
      }
      uint32_t j = (uint32_t)(i - g->nprocs);
      sockEvent(&out[0], EV_CONNECT, j, g);
      out[0].sock.dir = DIR_OUT;
      sockEvent(&out[1], EV_CONNECTED, j, g);
      return 2;
   }
   uint64_t r = rnd(g);
   uint32_t j = (uint32_t)((r >> 16) % g->nsocks);
   uint32_t k = (uint32_t)(r % 1000);
   if (k < 870) { /* the bulk: byte counters of open sockets */
      g->tx[j] += (r >> 40) % 1500;
      g->rx[j] += (r >> 50) % 9000;
      sockEvent(&out[0], EV_BYTES, j, g);
      return 1;
   }
   if (k < 900) {
      sockEvent(&out[0], EV_STATE, j, g);
      out[0].sock.oldstate = TCPS_ESTABLISHED;
      out[0].sock.state = TCPS_ESTABLISHED;
      return 1;
   }
   if (k < 930) {
      udpEvent(&out[0], j % g->nprocs, g);
      return 1;
   }
   if (k < 975) { /* close and reconnect: a new tuple for the slot */
      sockEvent(&out[0], EV_CLOSE, j, g);
      out[0].sock.lifetime_ns = 1000000;
      g->gen[j]++;
      g->tx[j] = g->rx[j] = 0;
      sockEvent(&out[1], EV_CONNECT, j, g);
      out[1].sock.dir = DIR_OUT;
      sockEvent(&out[2], EV_CONNECTED, j, g);
      return 3;
   }
   if (k < 980) { /* exec in a long-lived process */
      uint32_t p = j % g->nprocs;
      procEvent(&out[0], EV_EXEC, procPid(p), p ? procPid((p - 1) / 8) : 1, procStart(p),
                (r >> 8) & 1 ? "worker" : "reload", g);
      return 1;
   }
   /* a short-lived child: fork, exec, one connection, exit. Child pids
    * cycle through 50 000 values, so pids get reused with a new start. */
   uint32_t p = j % g->nprocs;
   uint32_t cpid = 200000 + g->next_child++ % 50000;
   uint64_t cstart = g->ts + 500;
   base(&out[0], EV_FORK, procPid(p), procStart(p), g);
   memset(&out[0].proc, 0, sizeof out[0].proc);
   out[0].proc.child_pid = cpid;
   out[0].proc.child_start = cstart;
   procEvent(&out[1], EV_EXEC, cpid, procPid(p), cstart, "curl", g);
   Event* c = &out[2];
   sockEvent(c, EV_CONNECT, j, g);
   c->pid = c->tid = cpid;
   c->pstart = cstart;
   Addr_fromV4(c->sock.laddr, htonl(0x0C000000u | (cpid & 0xffffff)));
   c->sock.lport = (uint16_t)(1024 + g->next_child % 30000);
   c->sock.sk = 0;
   c->sock.tx = c->sock.rx = 0;
   out[3] = *c;
   out[3].type = EV_CONNECTED;
   out[3].ts = g->ts += 1000;
   out[4] = *c;
   out[4].type = EV_CLOSE;
   out[4].sock.tx = 300;
   out[4].sock.rx = 4000;
   out[4].ts = g->ts += 1000;
   base(&out[5], EV_EXIT, cpid, cstart, g);
   memset(&out[5].proc, 0, sizeof out[5].proc);
   return 6;
}

/* Ingests n events, one Store_apply each or in Store_applyBatch chunks;
 * returns seconds spent applying only (thread CPU time; *wall gets the
 * wall-clock time). */

/* The two ways of feeding the store that the bench compares. */
static void applyChunk(Store* s, const Event* buf, int m, bool batch) {
   if (batch)
      Store_applyBatch(s, buf, (size_t)m);
   else
      for (int i = 0; i < m; i++)
         Store_apply(s, &buf[i]);
}

static double ingest(Store* s, Gen* g, uint64_t n, Event* buf, bool batch, uint64_t* applied,
                     double* wall) {
   double spent = 0;
   *wall = 0;
   uint64_t done = 0;
   while (done < n) {
      int m = 0;
      while (m < CHUNK - SLACK && done + (uint64_t)m < n)
         m += genStep(g, buf + m);
      double w0 = now(), t0 = cpuNow();
      applyChunk(s, buf, m, batch);
      spent += cpuNow() - t0;
      *wall += now() - w0;
      done += (uint64_t)m;
   }
   *applied = done;
   return spent;
}

static double treeBuildMs(const Store* s, TreeOpts o, size_t* nodes) {
   int reps = 5;
   double best = 1e9;
   for (int i = 0; i < reps; i++) {
      double t0 = cpuNow();
      Tree* t = Tree_build(s, &o);
      double dt = cpuNow() - t0;
      *nodes = Tree_size(t);
      Tree_free(t);
      if (dt < best)
         best = dt;
   }
   return best * 1e3;
}

/* RSS growth per socket in a store holding only sockets (one process, 1000
 * endpoints): what a tracked socket costs, hash table included. */
static void socketCost(uint32_t n) {
   Gen g;
   memset(&g, 0, sizeof g);
   g.nprocs = 1;
   g.nsocks = n;
   g.gen = calloc(n, sizeof *g.gen);
   g.tx = calloc(n, sizeof *g.tx);
   g.rx = calloc(n, sizeof *g.rx);
   Event e;
   long before = rssKiB();
   Store* s = Store_new(0);
   for (uint32_t j = 0; j < n; j++) {
      sockEvent(&e, EV_CONNECT, j, &g);
      Addr_fromV4(e.sock.raddr, htonl(0x5D000000u | (j % 1000)));
      Store_apply(s, &e);
   }
   long after = rssKiB();
   StoreMem mem;
   Store_memory(s, &mem);
   double index = (double)mem.sock_index / n;
   printf("socket cost         Sock %zu bytes (sizeof %zu, pool-aligned) + index %.1f = "
          "%.1f bytes/socket (computed, %u sockets, strings excluded)\n",
          mem.sock_size, sizeof(Sock), index, (double)mem.sock_size + index, n);
   printf("                    RSS growth %.1f bytes/socket (measured, %u sockets, "
          "1 process, 1000 endpoints)\n",
          (double)(after - before) * 1024.0 / n, n);
   Store_free(s);
   free(g.gen);
   free(g.tx);
   free(g.rx);
}

static void genInit(Gen* g, uint32_t nprocs, uint32_t nsocks) {
   memset(g, 0, sizeof *g);
   g->rng = 0x9E3779B97F4A7C15ull;
   g->ts = 1000000000ull;
   g->nprocs = nprocs;
   g->nsocks = nsocks;
   g->setup = (uint64_t)nprocs + nsocks;
   g->gen = calloc(nsocks, sizeof *g->gen);
   g->tx = calloc(nsocks, sizeof *g->tx);
   g->rx = calloc(nsocks, sizeof *g->rx);
   g->udp = calloc(nprocs, sizeof *g->udp);
   if (!g->gen || !g->tx || !g->rx || !g->udp) {
      fprintf(stderr, "bench_ingest: out of memory\n");
      exit(1);
   }
}

static void genFree(Gen* g) {
   free(g->gen);
   free(g->tx);
   free(g->rx);
   free(g->udp);
}

/* EV_BYTES on random existing sockets: the hot path alone. */
static double bytesOnly(Store* s, Gen* g, uint64_t n, Event* buf, bool batch) {
   uint64_t done = 0;
   double spent = 0;
   while (done < n) {
      int m = 0;
      for (; m < CHUNK && done + (uint64_t)m < n; m++) {
         uint64_t r = rnd(g);
         uint32_t j = (uint32_t)((r >> 16) % g->nsocks);
         g->tx[j] += r % 1500;
         sockEvent(&buf[m], EV_BYTES, j, g);
      }
      double t0 = cpuNow();
      applyChunk(s, buf, m, batch);
      spent += cpuNow() - t0;
      done += (uint64_t)m;
   }
   return spent;
}

static bool sameStats(const StoreStats* a, const StoreStats* b) {
   return a->procs == b->procs && a->procs_alive == b->procs_alive && a->socks == b->socks &&
          a->socks_active == b->socks_active && a->edges == b->edges &&
          a->edges_active == b->edges_active && a->endpoints == b->endpoints &&
          a->events == b->events && a->evicted == b->evicted && a->inactive == b->inactive;
}

/* ---- --evlog: replay a recorded log through the live path's batching ---- */

/* What onEvent copies of an event (a socket event uses its head only). */
static size_t Log_used(const Event* e) {
   return Event_isSock(e) ? offsetof(Event, sock) + sizeof(SockEvent) : sizeof *e;
}

typedef struct Log_ {
   char* data; /* events back to back, each Log_used bytes, 8-aligned */
   size_t len, n;
} Log;

static int Log_load(Log* log, const char* path) {
   EvlogStatus st;
   char err[256];
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   if (!r) {
      fprintf(stderr, "bench_ingest: %s\n", err);
      return -1;
   }
   size_t cap = 1 << 20;
   memset(log, 0, sizeof *log);
   log->data = malloc(cap);
   Event e;
   while (log->data && (st = EvlogReader_next(r, &e)) == EVLOG_OK) {
      size_t used = (Log_used(&e) + 7) & ~(size_t)7;
      if (log->len + used > cap) {
         char* d = realloc(log->data, cap * 2);
         if (!d)
            break;
         log->data = d;
         cap *= 2;
      }
      memcpy(log->data + log->len, &e, used);
      log->len += used;
      log->n++;
   }
   EvlogReader_close(r);
   if (st != EVLOG_EOF) {
      fprintf(stderr, "bench_ingest: %s: %s\n", path, log->data ? Evlog_strerror(st) : "out of memory");
      return -1;
   }
   return 0;
}

#define LOG_BATCH 128 /* APPLY_BATCH in src/app.c */

/* onEvent + flushStore of src/app.c, headless mode, no recording. */
__attribute__((noinline)) static void Log_feed(Store* s, const Log* log, Event* batch,
                                               uint64_t by_type[EV__COUNT]) {
   size_t n = 0;
   for (size_t off = 0; off < log->len;) {
      const Event* e = (const Event*)(log->data + off);
      off += (Log_used(e) + 7) & ~(size_t)7;
      if (e->type < EV__COUNT)
         by_type[e->type]++;
      if (e->type >= EV_CONNECT && e->type <= EV_SOCK) /* constant sizes, as onEvent */
         memcpy(&batch[n++], e, offsetof(Event, sock) + sizeof(SockEvent));
      else
         memcpy(&batch[n++], e, sizeof *e);
      if (n == LOG_BATCH) {
         Store_applyBatch(s, batch, n);
         n = 0;
      }
   }
   Store_applyBatch(s, batch, n);
}

static void Dump_sock(FILE* f, const char* where, const Sock* k) {
   char l[64], r[64];
   fprintf(f, "  %s sock %llu %s:%u %s:%u p%u f%u d%u s%u n%u e%d tx%llu rx%llu o%llu c%llu "
           "last%llu sk%llx ino%llu udp%u h%d\n",
           where, (unsigned long long)k->id, Addr_format(k->key.laddr, l, sizeof l),
           k->key.lport, Addr_format(k->key.raddr, r, sizeof r), k->key.rport, k->key.proto,
           k->family, k->dir, k->state, k->noowner, k->err, (unsigned long long)k->tx,
           (unsigned long long)k->rx, (unsigned long long)k->opened,
           (unsigned long long)k->closed, (unsigned long long)k->last,
           (unsigned long long)k->sk, (unsigned long long)k->ino, k->udp_count, k->hashed);
}

/* Everything a reader can see, in list order. */
static void Log_dump(const Store* s, FILE* f) {
   StoreStats st;
   Store_stats(s, &st);
   fprintf(f, "stats %zu %zu %zu %zu %zu %zu %zu %llu %llu %llu %zu %zu\n", st.procs,
           st.procs_alive, st.socks, st.socks_active, st.edges, st.edges_active, st.endpoints,
           (unsigned long long)st.events, (unsigned long long)st.evicted,
           (unsigned long long)st.bad_events, st.orphans, st.inactive);
   for (const Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p)) {
      fprintf(f, "proc %llu pid%u ppid%u parent%u %s start%llu exit%llu last%llu tx%llu rx%llu "
              "socks%u act%u ch%u live%u h%d fl%u idle%llu\n",
              (unsigned long long)p->id, p->pid, p->ppid, p->parent ? p->parent->pid : 0,
              p->comm, (unsigned long long)p->start, (unsigned long long)p->exited,
              (unsigned long long)p->last, (unsigned long long)p->tx,
              (unsigned long long)p->rx, p->nsocks, p->nactive, p->nchildren, p->nlive_desc,
              p->hashed, p->flags, (unsigned long long)p->idle_since);
      LIST_FOREACH(en, &p->edges) {
         const Edge* e = LIST_ENTRY(en, Edge, proc_node);
         char a[64];
         fprintf(f, " edge %s act%u last%llu tx%llu rx%llu inact%llu\n",
                 Addr_format(e->ep->addr, a, sizeof a), e->nactive, (unsigned long long)e->last,
                 (unsigned long long)e->tx, (unsigned long long)e->rx,
                 (unsigned long long)e->inactive_since);
         LIST_FOREACH(n, &e->socks)
            Dump_sock(f, "e", LIST_ENTRY(n, Sock, node));
      }
      LIST_FOREACH(n, &p->listens)
         Dump_sock(f, "l", LIST_ENTRY(n, Sock, node));
   }
   LIST_FOREACH(n, Store_orphans(s))
      Dump_sock(f, "o", LIST_ENTRY(n, Sock, node));
   for (const Endpoint* ep = Store_firstEndpoint(s); ep; ep = Store_nextEndpoint(s, ep)) {
      char a[64];
      fprintf(f, "ep %s edges%u act%u first%llu last%llu tx%llu rx%llu\n",
              Addr_format(ep->addr, a, sizeof a), ep->nedges, ep->nactive,
              (unsigned long long)ep->first, (unsigned long long)ep->last,
              (unsigned long long)ep->tx, (unsigned long long)ep->rx);
   }
   TreeOpts o = {.show_inactive = true};
   Tree* t = Tree_build(s, &o);
   JsonBuf b;
   JsonBuf_init(&b);
   Json_treeFor(&b, t, s, "bench", VIEW_TREE);
   JsonBuf_write(&b, f);
   fputc('\n', f);
   JsonBuf_free(&b);
   Tree_free(t);
}

/* reps > 1: the log is fed that many times, each into a new store, and
 * the fastest pass is reported (the least disturbed by other load). */
static int evlogMain(const char* path, const char* dump, int reps) {
   Log log;
   if (Log_load(&log, path) < 0)
      return 1;
   Event* batch = calloc(LOG_BATCH, sizeof *batch);
   if (!batch) {
      fprintf(stderr, "bench_ingest: out of memory\n");
      return 1;
   }
   double best = 1e9;
   for (int r = 0; r < reps; r++) {
      uint64_t by_type[EV__COUNT] = {0};
      Store* s = Store_new(0);
      if (!s) {
         fprintf(stderr, "bench_ingest: out of memory\n");
         return 1;
      }
      double t0 = cpuNow();
      Log_feed(s, &log, batch, by_type);
      double spent = cpuNow() - t0;
      if (spent < best)
         best = spent;
      if (r + 1 < reps) {
         Store_free(s);
         continue;
      }
      StoreStats st;
      Store_stats(s, &st);
      printf("evlog               %zu events in %.3f s CPU = %.0f ns/event, best of %d "
             "(%llu connects, %llu closes; %zu socks, %llu evicted, %llu bad)\n",
             log.n, best, best * 1e9 / (double)log.n, reps,
             (unsigned long long)by_type[EV_CONNECT], (unsigned long long)by_type[EV_CLOSE],
             st.socks, (unsigned long long)st.evicted, (unsigned long long)st.bad_events);
      if (dump) {
         FILE* f = fopen(dump, "w");
         if (!f) {
            fprintf(stderr, "bench_ingest: %s: cannot write\n", dump);
            return 1;
         }
         Log_dump(s, f);
         fclose(f);
      }
      Store_free(s);
   }
   free(batch);
   free(log.data);
   return 0;
}

int main(int argc, char** argv) {
   if (argc > 2 && strcmp(argv[1], "--evlog") == 0) {
      const char* reps = getenv("BENCH_REPS");
      int n = reps ? atoi(reps) : 1;
      return evlogMain(argv[2], argc > 3 && argv[3][0] ? argv[3] : NULL, n > 0 ? n : 1);
   }
   uint64_t nevents = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
   uint32_t nprocs = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 10000;
   uint32_t nsocks = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 100000;
   if (nevents == 0 || nprocs == 0 || nsocks < nprocs || nsocks > (1u << 24)) {
      fprintf(stderr, "usage: bench_ingest [events>0] [procs>0] [socks, procs..16777216]\n");
      return 2;
   }
   socketCost(nsocks);
   Event* buf = calloc(CHUNK, sizeof *buf);
   if (!buf) {
      fprintf(stderr, "bench_ingest: out of memory\n");
      return 1;
   }

   /* 1. one Store_apply per event, as the live path does today */
   Gen g;
   genInit(&g, nprocs, nsocks);
   long rss0 = rssKiB();
   Store* s = Store_new(0);
   uint64_t applied;
   double wall;
   double spent = ingest(s, &g, nevents, buf, false, &applied, &wall);
   long rss1 = rssKiB();
   StoreStats st;
   Store_stats(s, &st);
   printf("mixed, Store_apply  %llu events in %.3f s CPU = %.2f M events/s "
          "(wall %.3f s = %.2f M/s)\n",
          (unsigned long long)applied, spent, (double)applied / spent / 1e6, wall,
          (double)applied / wall / 1e6);
   printf("store               %zu procs (%zu alive), %zu socks (%zu active), %zu edges, "
          "%zu endpoints, %zu inactive, %llu evicted, %llu bad\n",
          st.procs, st.procs_alive, st.socks, st.socks_active, st.edges, st.endpoints,
          st.inactive, (unsigned long long)st.evicted, (unsigned long long)st.bad_events);
   StoreMem mem;
   Store_memory(s, &mem);
   printf("RSS                 before %ld KiB, after %ld KiB (+%ld KiB), peak %ld KiB; "
          "store slabs %zu KiB, indexes %zu KiB\n",
          rss0, rss1, rss1 - rss0, peakKiB(), mem.pools / 1024, mem.indexes / 1024);
   printf("sizes               Sock %zu, Edge %zu, Proc %zu, Endpoint %zu, Event %zu bytes\n",
          sizeof(Sock), sizeof(Edge), sizeof(Proc), sizeof(Endpoint), sizeof(Event));
   uint64_t nbytes = nevents / 5 ? nevents / 5 : 1;
   double hot = bytesOnly(s, &g, nbytes, buf, false);
   printf("EV_BYTES, apply     %llu events in %.3f s CPU = %.2f M events/s\n",
          (unsigned long long)nbytes, hot, (double)nbytes / hot / 1e6);
   Store_free(s);
   genFree(&g);

   /* 2. the same stream through Store_applyBatch: same result, faster */
   genInit(&g, nprocs, nsocks);
   s = Store_new(0);
   spent = ingest(s, &g, nevents, buf, true, &applied, &wall);
   StoreStats sb;
   Store_stats(s, &sb);
   printf("mixed, applyBatch   %llu events in %.3f s CPU = %.2f M events/s "
          "(wall %.3f s = %.2f M/s; chunks of %d; store %s)\n",
          (unsigned long long)applied, spent, (double)applied / spent / 1e6, wall,
          (double)applied / wall / 1e6, CHUNK - SLACK,
          sameStats(&st, &sb) ? "identical" : "DIFFERENT");
   hot = bytesOnly(s, &g, nbytes, buf, true);
   printf("EV_BYTES, batch     %llu events in %.3f s CPU = %.2f M events/s\n",
          (unsigned long long)nbytes, hot, (double)nbytes / hot / 1e6);

   TreeOpts o;
   memset(&o, 0, sizeof o);
   size_t nodes;
   double ms = treeBuildMs(s, o, &nodes);
   printf("Tree_build tree     %.2f ms (%zu nodes)\n", ms, nodes);
   o.show_inactive = true;
   ms = treeBuildMs(s, o, &nodes);
   printf("Tree_build +hist    %.2f ms (%zu nodes, show_inactive)\n", ms, nodes);
   o.show_inactive = false;
   o.view = VIEW_ENDPOINT;
   ms = treeBuildMs(s, o, &nodes);
   printf("Tree_build endpoint %.2f ms (%zu nodes)\n", ms, nodes);
   o.view = VIEW_TREE;
   o.sort = SORT_BYTES;
   o.descending = true;
   ms = treeBuildMs(s, o, &nodes);
   printf("Tree_build bytes    %.2f ms (%zu nodes, sort bytes desc)\n", ms, nodes);
   o.filter = "93.0.0.1";
   ms = treeBuildMs(s, o, &nodes);
   printf("Tree_build filter   %.2f ms (%zu nodes, filter \"%s\")\n", ms, nodes, o.filter);

   double t0 = now();
   PruneCount pc = Store_prune(s);
   printf("Store_prune         %.2f ms (%zu socks, %zu edges, %zu procs)\n", (now() - t0) * 1e3,
          pc.socks, pc.edges, pc.procs);
   t0 = now();
   Store_free(s);
   printf("Store_free          %.2f ms\n", (now() - t0) * 1e3);
   genFree(&g);
   free(buf);
   return 0;
}
