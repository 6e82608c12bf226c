/* poller.c: turns successive snapshots into events (mark and sweep). */
#include "poller.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uthash.h>

#include "cache.h"
#include "store.h"

typedef struct PollSock_ {
   SockKey key;
   SockEvent last; /* as last reported */
   uint32_t pid;
   uint64_t pstart;
   uint64_t first; /* first seen, ns since boot */
   uint64_t gen;
   bool closed; /* its fd was closed (close reported); the kernel
                 * still lists it (FIN_WAIT, TIME_WAIT) */
   UT_hash_handle hh;
} PollSock;

typedef struct PollProc_ {
   uint32_t pid;
   uint64_t start;
   uint64_t sig; /* hash of comm and args, to notice exec */
   uint64_t gen;
   UT_hash_handle hh;
} PollProc;

struct Poller_ {
   char* proc_root;
   PollSock* socks;
   PollProc* procs;
   uint64_t gen;
   uint64_t now;
   EventSink sink;
   void* ctx;
   SnapshotStats stats;
};

Poller* Poller_newRoot(const char* proc_root) {
   Poller* p = calloc(1, sizeof *p);
   if (!p)
      return NULL;
   p->proc_root = strdup(proc_root);
   if (!p->proc_root) {
      free(p);
      return NULL;
   }
   return p;
}

Poller* Poller_new(void) {
   return Poller_newRoot("/proc");
}

void Poller_free(Poller* p) {
   if (!p)
      return;
   CACHE_FREE_ALL(p->socks);
   CACHE_FREE_ALL(p->procs);
   free(p->proc_root);
   free(p);
}

const SnapshotStats* Poller_stats(const Poller* p) {
   return &p->stats;
}

static uint64_t Poller_sig(const Event* e) {
   uint64_t h = 1469598103934665603ull; /* FNV-1a */
   for (size_t i = 0; i < VN_COMM_LEN && e->proc.comm[i]; i++)
      h = (h ^ (uint8_t)e->proc.comm[i]) * 1099511628211ull;
   for (size_t i = 0; i < e->proc.args_len && i < VN_ARGS_LEN; i++)
      h = (h ^ (uint8_t)e->proc.args[i]) * 1099511628211ull;
   return h;
}

/* An event the poller infers (an exit, a close), stamped with this tick. */
static void Poller_infer(const Poller* p, Event* e, EventType type, uint32_t pid, uint64_t start) {
   memset(e, 0, sizeof *e);
   e->type = type;
   e->pid = e->tid = pid;
   e->pstart = start;
   e->ts = p->now;
}

static void Poller_exit(Poller* p, const PollProc* q) {
   Event e;
   Poller_infer(p, &e, EV_EXIT, q->pid, q->start);
   e.proc.exit_code = POLL_EXIT_UNKNOWN;
   p->sink(p->ctx, &e);
}

static void Poller_close(Poller* p, const PollSock* s) {
   Event e;
   Poller_infer(p, &e, EV_CLOSE, s->pid, s->pstart);
   e.sock = s->last;
   e.sock.oldstate = s->last.state;
   e.sock.state = TCPS_CLOSE;
   e.sock.lifetime_ns = p->now > s->first ? p->now - s->first : 0;
   p->sink(p->ctx, &e);
}

static void Poller_onProc(Poller* p, const Event* e) {
   PollProc* q;
   HASH_FIND(hh, p->procs, &e->pid, sizeof e->pid, q);
   uint64_t sig = Poller_sig(e);
   if (q && q->start != e->pstart) {
      Poller_exit(p, q); /* pid reused */
      HASH_DEL(p->procs, q);
      free(q);
      q = NULL;
   }
   if (!q) {
      q = calloc(1, sizeof *q);
      if (!q)
         return; /* reported again next tick */
      q->pid = e->pid;
      q->start = e->pstart;
      HASH_ADD(hh, p->procs, pid, sizeof q->pid, q);
   } else if (q->sig == sig) {
      q->gen = p->gen;
      return;
   }
   q->sig = sig;
   q->gen = p->gen;
   p->sink(p->ctx, e);
}

static bool Poller_sockChanged(const PollSock* s, const Event* e) {
   return s->pid != e->pid || s->last.state != e->sock.state || s->last.tx != e->sock.tx ||
          s->last.rx != e->sock.rx || s->last.dir != e->sock.dir ||
          s->last.noowner != e->sock.noowner;
}

static void Poller_onSock(Poller* p, const Event* e) {
   SockKey k;
   SockKey_fromEvent(&k, &e->sock);
   PollSock* s;
   HASH_FIND(hh, p->socks, &k, sizeof k, s);
   if (s && s->closed && e->sock.ino == 0) {
      s->gen = p->gen; /* the leftover of a socket already reported closed */
      return;
   }
   if (s && (s->closed || (s->last.ino && e->sock.ino && s->last.ino != e->sock.ino))) {
      if (!s->closed)
         Poller_close(p, s); /* same 5-tuple, another socket */
      HASH_DEL(p->socks, s);
      free(s);
      s = NULL;
   }
   if (s && s->last.ino && e->sock.ino == 0) {
      /* every fd on it was closed; the kernel finishes the connection alone */
      Poller_close(p, s);
      s->closed = true;
      s->gen = p->gen;
      return;
   }
   if (s && !Poller_sockChanged(s, e)) {
      s->gen = p->gen;
      return;
   }
   if (!s) {
      s = calloc(1, sizeof *s);
      if (!s)
         return;
      s->key = k;
      s->first = e->ts;
      HASH_ADD(hh, p->socks, key, sizeof s->key, s);
   }
   s->last = e->sock;
   s->pid = e->pid;
   s->pstart = e->pstart;
   s->gen = p->gen;
   p->sink(p->ctx, e);
}

static void Poller_onEvent(void* ctx, const Event* e) {
   Poller* p = ctx;
   if (e->type == EV_PROC)
      Poller_onProc(p, e);
   else if (e->type == EV_SOCK)
      Poller_onSock(p, e);
}

static void Poller_sweep(Poller* p) {
   PollSock *s, *stmp;
   HASH_ITER(hh, p->socks, s, stmp) {
      if (s->gen == p->gen)
         continue;
      if (!s->closed)
         Poller_close(p, s);
      HASH_DEL(p->socks, s);
      free(s);
   }
   PollProc *q, *qtmp;
   HASH_ITER(hh, p->procs, q, qtmp) {
      if (q->gen == p->gen)
         continue;
      Poller_exit(p, q);
      HASH_DEL(p->procs, q);
      free(q);
   }
}

int Poller_tick(Poller* p, EventSink sink, void* ctx, char* errbuf, size_t errlen) {
   struct timespec ts;
   clock_gettime(CLOCK_BOOTTIME, &ts);
   p->now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
   p->gen++;
   p->sink = sink;
   p->ctx = ctx;
   if (Snapshot_take(p->proc_root, Poller_onEvent, p, &p->stats, errbuf, errlen) < 0)
      return -1;
   Poller_sweep(p);
   return 0;
}
