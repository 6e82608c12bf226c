/* snapshot.c: one picture of the running system as events.
 *
 * The sock_diag dump and the /proc scan run side by side on two threads
 * (each costs about half); sockets are held until owners are known, then
 * emitted after the processes. A socket opened while the scan runs may be
 * missing or without owner; the next snapshot (or the probe) corrects it. */
#include "snapshot.h"
#include "vec.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "sockdiag.h"

typedef struct SockVec_ {
   SockEvent* v;
   size_t n, cap;
} SockVec;

static int SockVec_push(void* ctx, const SockEvent* s) {
   SockVec* sv = ctx;
   if (!VEC_GROW(sv->v, sv->cap, sv->n, 1024))
      return -1;
   sv->v[sv->n++] = *s;
   return 0;
}

static uint64_t Snapshot_now(void) {
   struct timespec ts;
   clock_gettime(CLOCK_BOOTTIME, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t Snapshot_selfNetns(void) {
   struct stat st;
   return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * a hybrid hierarchy; "" (cgroup ids stay 0) if neither. */
static void Snapshot_cgroupRoot(char* out, size_t len) {
   static const char* const CANDIDATES[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
   out[0] = '\0';
   for (size_t i = 0; i < sizeof CANDIDATES / sizeof CANDIDATES[0]; i++) {
      struct statfs sf;
      if (statfs(CANDIDATES[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
         snprintf(out, len, "%s", CANDIDATES[i]);
         return;
      }
   }
}

/* ---- other network namespaces, through a child ---- */

typedef struct PipeOut_ {
   int fd;
   size_t len;
   char buf[32 * sizeof(SockEvent)];
} PipeOut;

static int PipeOut_flush(PipeOut* o) {
   size_t off = 0;
   while (off < o->len) {
      ssize_t n = write(o->fd, o->buf + off, o->len - off);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return -1;
      off += (size_t)n;
   }
   o->len = 0;
   return 0;
}

static int PipeOut_put(void* ctx, const SockEvent* s) {
   PipeOut* o = ctx;
   if (o->len + sizeof *s > sizeof o->buf && PipeOut_flush(o) < 0)
      return -1;
   memcpy(o->buf + o->len, s, sizeof *s);
   o->len += sizeof *s;
   return 0;
}

static void Snapshot_child(int nsfd, int out, uint32_t ino, char* rbuf) {
   if (setns(nsfd, CLONE_NEWNET) < 0)
      _exit(2);
   PipeOut o = {.fd = out, .len = 0};
   char err[128];
   int rc = SockDiag_dump(ino, PipeOut_put, &o, rbuf, SOCKDIAG_BUFLEN, err, sizeof err);
   if (rc == 0)
      rc = PipeOut_flush(&o);
   _exit(rc == 0 ? 0 : 1);
}

/* Appends the sockets of one foreign namespace to sv; -1 if it failed. */
static int Snapshot_foreign(const char* proc_root, const ForeignNetns* ns, SockVec* sv,
                            char* rbuf) {
   char path[128];
   snprintf(path, sizeof path, "%s/%u/ns/net", proc_root, ns->pid);
   int nsfd = open(path, O_RDONLY | O_CLOEXEC);
   if (nsfd < 0)
      return -1;
   struct stat st;
   if (fstat(nsfd, &st) < 0 || (uint32_t)st.st_ino != ns->ino) {
      close(nsfd); /* the process is gone, its pid reused */
      return -1;
   }
   int p[2];
   if (pipe2(p, O_CLOEXEC) < 0) {
      close(nsfd);
      return -1;
   }
   pid_t child = fork();
   if (child == 0) {
      close(p[0]);
      Snapshot_child(nsfd, p[1], ns->ino, rbuf);
   }
   close(nsfd);
   close(p[1]);
   if (child < 0) {
      close(p[0]);
      return -1;
   }
   /* read whole records; a partial one is kept for the next read */
   char buf[64 * sizeof(SockEvent)];
   size_t have = 0;
   int rc = 0;
   for (;;) {
      ssize_t n = read(p[0], buf + have, sizeof buf - have);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         break;
      have += (size_t)n;
      size_t whole = have / sizeof(SockEvent) * sizeof(SockEvent);
      for (size_t off = 0; off < whole && rc == 0; off += sizeof(SockEvent)) {
         SockEvent s;
         memcpy(&s, buf + off, sizeof s);
         rc = SockVec_push(sv, &s);
      }
      memmove(buf, buf + whole, have - whole);
      have -= whole;
   }
   close(p[0]);
   int status;
   while (waitpid(child, &status, 0) < 0 && errno == EINTR)
      ;
   if (rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
      return -1;
   return 0;
}

/* ---- direction and owners ---- */

static uint64_t Snapshot_listenKey(const SockEvent* s) {
   return 1ull << 63 | (uint64_t)s->proto << 48 | (uint64_t)s->netns << 16 | s->lport;
}

/* bytes_acked counts the SYN of an active open and our FIN once acked;
 * report payload bytes, as the probe does. */
static void Snapshot_payload(SockEvent* s) {
   if (s->proto != IPPROTO_TCP)
      return;
   if (s->dir == DIR_OUT && s->state != TCPS_SYN_SENT && s->tx > 0)
      s->tx--;
   if (s->state == TCPS_FIN_WAIT2 && s->tx > 0)
      s->tx--;
}

/* The ephemeral port range, for sockets whose listener is gone. */
static void Snapshot_portRange(unsigned* lo, unsigned* hi) {
   *lo = 32768;
   *hi = 60999;
   FILE* f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
   if (!f)
      return;
   unsigned a, b;
   if (fscanf(f, "%u %u", &a, &b) == 2 && a <= b) {
      *lo = a;
      *hi = b;
   }
   fclose(f);
}

/* Established sockets whose local port is a listening (TCP) or unconnected
 * (UDP) port of the same namespace were accepted. Without such a listener
 * (it closed; TIME_WAIT leftovers), an ephemeral local port facing a fixed
 * remote port means we connected, the reverse that we accepted. */
static int Snapshot_directions(SockVec* sv) {
   unsigned lo, hi;
   Snapshot_portRange(&lo, &hi);
   U64Map listen;
   U64Map_init(&listen);
   for (size_t i = 0; i < sv->n; i++)
      if (sv->v[i].dir == DIR_LISTEN && U64Map_put(&listen, Snapshot_listenKey(&sv->v[i]), 1) < 0) {
         U64Map_free(&listen);
         return -1;
      }
   for (size_t i = 0; i < sv->n; i++) {
      SockEvent* s = &sv->v[i];
      if (s->dir == DIR_LISTEN)
         continue;
      bool leph = s->lport >= lo && s->lport <= hi;
      bool reph = s->rport >= lo && s->rport <= hi;
      if (U64Map_get(&listen, Snapshot_listenKey(s)) || (reph && !leph))
         s->dir = DIR_IN;
      else
         s->dir = DIR_OUT;
      Snapshot_payload(s);
   }
   U64Map_free(&listen);
   return 0;
}

/* ---- two workers: one dumps sockets then helps with /proc ---- */

typedef struct ProcVec_ {
   Event* v;
   size_t n, cap;
} ProcVec;

static int ProcVec_push(ProcVec* pv, const Event* e) {
   if (!VEC_GROW(pv->v, pv->cap, pv->n, 256))
      return -1;
   pv->v[pv->n++] = *e;
   return 0;
}

typedef struct Shared_ {
   ProcList list;
   atomic_size_t next;
   const char* cgroup_root;
   uint32_t self_netns; /* 0: do not collect other namespaces */
   uint32_t dump_netns;
   uint64_t now;
   FdJob job; /* a big fd directory both threads work on */
} Shared;

typedef struct Worker_ {
   Shared* sh;
   bool dump; /* dump sockets first */
   SockVec* sv;
   char* rbuf;
   ProcScan scan;
   ProcVec procs;
   int rc;
   char err[256];
} Worker;

static void* Worker_run(void* arg) {
   Worker* w = arg;
   Shared* sh = w->sh;
   if (w->dump) {
      int rc = SockDiag_dump(sh->dump_netns, SockVec_push, w->sv, w->rbuf, SOCKDIAG_BUFLEN, w->err,
                             sizeof w->err);
      if (rc != 0) {
         if (rc > 0 || w->err[0] == '\0')
            snprintf(w->err, sizeof w->err, "out of memory reading sockets");
         w->rc = -1;
         return NULL;
      }
   }
   Event e;
   for (;;) {
      FdJob_help(&sh->job, &w->scan);
      size_t i = atomic_fetch_add(&sh->next, 1);
      if (i >= sh->list.n)
         break;
      int r = Procfs_scanPid(sh->list.rootfd, sh->list.pids[i], sh->cgroup_root, sh->self_netns,
                             sh->now, &e, &w->scan, &sh->job);
      if (r < 0 || (r > 0 && ProcVec_push(&w->procs, &e) < 0)) {
         w->scan.oom = true;
         break;
      }
   }
   FdJob_help(&sh->job, &w->scan);
   if (w->scan.oom) {
      snprintf(w->err, sizeof w->err, "out of memory scanning processes");
      w->rc = -1;
   }
   return NULL;
}

static void Worker_free(Worker* w) {
   ProcScan_free(&w->scan);
   free(w->procs.v);
}

/* Emits the processes of both workers in pid order. */
static void Snapshot_emitProcs(const ProcVec* a, const ProcVec* b, EventSink sink, void* ctx) {
   size_t i = 0, j = 0;
   while (i < a->n || j < b->n) {
      if (j >= b->n || (i < a->n && a->v[i].pid < b->v[j].pid))
         sink(ctx, &a->v[i++]);
      else
         sink(ctx, &b->v[j++]);
   }
}

static void Snapshot_emitSocks(const SockVec* sv, const ProcScan* scan, uint32_t self_netns,
                               uint64_t now, EventSink sink, void* ctx, SnapshotStats* st) {
   Event e;
   memset(&e, 0, sizeof e); /* once: the rest of the union stays zero */
   e.type = EV_SOCK;
   e.ts = now;
   for (size_t i = 0; i < sv->n; i++) {
      e.pid = e.tid = 0;
      e.pstart = 0;
      e.sock = sv->v[i];
      const uint32_t* idx = U64Map_get(&scan->inodes, e.sock.ino);
      if (idx) {
         const ProcOwner* o = &scan->owners[*idx];
         e.pid = e.tid = o->pid;
         e.pstart = o->start;
         e.sock.cgroup = o->cgroup;
      } else {
         if (e.sock.ino == 0)
            e.sock.noowner = NOOWN_ORPHAN;
         else if (scan->denied > 0)
            e.sock.noowner = NOOWN_PERM;
         else if (e.sock.netns != self_netns)
            e.sock.noowner = NOOWN_NETNS;
         else
            e.sock.noowner = NOOWN_ORPHAN;
         st->unowned++;
      }
      sink(ctx, &e);
   }
   st->socks += sv->n;
}

int Snapshot_take(const char* proc_root, EventSink sink, void* ctx, SnapshotStats* stats,
                  char* errbuf, size_t errlen) {
   SnapshotStats local;
   SnapshotStats* st = stats ? stats : &local;
   memset(st, 0, sizeof *st);
   if (errlen)
      errbuf[0] = '\0';
   bool real = strcmp(proc_root, "/proc") == 0;
   char cgroup_root[PATH_MAX];
   if (real)
      Snapshot_cgroupRoot(cgroup_root, sizeof cgroup_root);
   else
      snprintf(cgroup_root, sizeof cgroup_root, "%s/../sys/fs/cgroup", proc_root);

   Shared sh = {.cgroup_root = cgroup_root, .now = Snapshot_now()};
   sh.dump_netns = Snapshot_selfNetns();
   sh.self_netns = real && geteuid() == 0 ? sh.dump_netns : 0;
   atomic_init(&sh.next, 0);
   atomic_init(&sh.job.busy, 0);
   atomic_init(&sh.job.active, 0);
   atomic_init(&sh.job.helpers, 0);
   atomic_init(&sh.job.next, 0);
   (void)Procfs_ticksToNs(0); /* its lazy init is not thread-safe */
   if (ProcList_open(&sh.list, proc_root, errbuf, errlen) < 0)
      return -1;

   SockVec sv = {0};
   char* rbuf = malloc(SOCKDIAG_BUFLEN);
   Worker w[2];
   memset(w, 0, sizeof w);
   for (int i = 0; i < 2; i++)
      w[i].sh = &sh;
   /* the calling thread dumps the sockets: their buffer, the biggest
    * allocation, then lives in the main malloc arena */
   w[0].dump = true;
   w[0].sv = &sv;
   w[0].rbuf = rbuf;
   int rc = -1;
   if (!rbuf) {
      snprintf(errbuf, errlen, "out of memory");
      goto out;
   }
   /* sock_diag and /proc cost about the same: run them side by side */
   pthread_t th;
   bool threaded = pthread_create(&th, NULL, Worker_run, &w[1]) == 0;
   Worker_run(&w[0]);
   if (threaded)
      pthread_join(th, NULL);
   else
      Worker_run(&w[1]);
   for (int i = 0; i < 2; i++)
      if (w[i].rc < 0) {
         snprintf(errbuf, errlen, "%s", w[i].err);
         goto out;
      }
   if (ProcScan_merge(&w[0].scan, &w[1].scan) < 0) {
      snprintf(errbuf, errlen, "out of memory");
      goto out;
   }
   ProcScan_free(&w[1].scan);
   const ProcScan* scan = &w[0].scan;
   st->netns = 1;
   st->procs = w[0].procs.n + w[1].procs.n;
   st->fd_dirs_denied = scan->denied;
   st->procs_unread = scan->lacked;
   st->unread_errno = scan->lack;
   Snapshot_emitProcs(&w[0].procs, &w[1].procs, sink, ctx);

   for (size_t i = 0; i < scan->nnetns; i++) {
      if (Snapshot_foreign(proc_root, &scan->netns[i], &sv, rbuf) == 0)
         st->netns++;
      else
         st->netns_failed++;
   }
   if (Snapshot_directions(&sv) < 0) {
      snprintf(errbuf, errlen, "out of memory sorting sockets");
      goto out;
   }
   Snapshot_emitSocks(&sv, scan, sh.dump_netns, sh.now, sink, ctx, st);
   rc = 0;
out:
   Worker_free(&w[0]);
   Worker_free(&w[1]);
   ProcList_close(&sh.list);
   free(sv.v);
   free(rbuf);
   /* the worker's arena keeps its freed pages otherwise: give them back */
   malloc_trim(0);
   return rc;
}
