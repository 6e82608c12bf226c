/* procfs.c: processes and socket owners from /proc.
 *
 * One pass over /proc: per process a handful of openat/readlinkat calls
 * relative to its directory fd, and one readlinkat per open fd to find
 * "socket:[INODE]" links. Socket inodes go to an open-addressing map, so the
 * owner lookup for each socket of the dump is O(1). */
#include "procfs.h"
#include "vec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- parsers ---- */

int Procfs_parseStat(const char* buf, size_t len, char comm[VN_COMM_LEN], uint32_t* ppid,
                     uint64_t* start_ticks) {
   const char* open = memchr(buf, '(', len);
   const char* close = NULL;
   for (const char* p = buf + len; p > buf; p--)
      if (p[-1] == ')') {
         close = p - 1;
         break;
      }
   if (!open || !close || close < open)
      return -1;
   size_t n = (size_t)(close - open - 1);
   if (n > VN_COMM_LEN - 1)
      n = VN_COMM_LEN - 1;
   memcpy(comm, open + 1, n);
   memset(comm + n, 0, VN_COMM_LEN - n);

   /* fields after ") ": state is field 3 */
   const char* p = close + 1;
   const char* end = buf + len;
   uint64_t vals[20];
   int field = 3;
   while (field <= 22) {
      while (p < end && *p == ' ')
         p++;
      if (p >= end)
         return -1;
      const char* tok = p;
      while (p < end && *p != ' ' && *p != '\n')
         p++;
      if (field >= 4) {
         uint64_t v = 0;
         const char* q = tok;
         if (*q == '-')
            q++;
         if (q == p || !isdigit((unsigned char)*q))
            return -1;
         for (; q < p && isdigit((unsigned char)*q); q++)
            v = v * 10 + (uint64_t)(*q - '0');
         vals[field - 3] = v;
      }
      field++;
   }
   *ppid = (uint32_t)vals[4 - 3];
   *start_ticks = vals[22 - 3];
   return 0;
}

int Procfs_parseUid(const char* buf, uint32_t* uid) {
   const char* p = strstr(buf, "\nUid:");
   if (!p && strncmp(buf, "Uid:", 4) == 0)
      p = buf - 1;
   if (!p)
      return -1;
   char* end;
   unsigned long v = strtoul(p + 5, &end, 10);
   if (end == p + 5)
      return -1;
   *uid = (uint32_t)v;
   return 0;
}

/* The kernel prints the path as it is and the v2 line ("0::") last: the
 * path runs to the end of the file, not of the line. Recent kernels refuse
 * a newline in a cgroup name; older ones let a delegated user make one. */
int Procfs_parseCgroup(const char* buf, char* out, size_t outlen) {
   for (const char* line = buf; line && *line;) {
      const char* nl = strchr(line, '\n');
      if (strncmp(line, "0::", 3) == 0) {
         size_t n = strlen(line + 3);
         if (n && line[3 + n - 1] == '\n')
            n--;
         if (n == 0 || n >= outlen)
            return -1;
         memcpy(out, line + 3, n);
         out[n] = '\0';
         return 0;
      }
      line = nl ? nl + 1 : NULL;
   }
   return -1;
}

uint64_t Procfs_socketInode(const char* link, size_t len) {
   if (len < 10 || memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
      return 0;
   uint64_t v = 0;
   for (size_t i = 8; i < len - 1; i++) {
      if (!isdigit((unsigned char)link[i]))
         return 0;
      v = v * 10 + (uint64_t)(link[i] - '0');
   }
   return v;
}

uint64_t Procfs_ticksToNs(uint64_t ticks) {
   static long hz;
   if (!hz) {
      hz = sysconf(_SC_CLK_TCK);
      if (hz <= 0)
         hz = 100;
   }
   return ticks * (1000000000ull / (uint64_t)hz);
}

/* ---- the scan ---- */

/* Reads a small file relative to dirfd; returns bytes read or -1. */
static ssize_t Procfs_read(int dirfd, const char* name, char* buf, size_t len) {
   int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return -1;
   ssize_t total = 0;
   while ((size_t)total < len) {
      ssize_t n = read(fd, buf + total, len - (size_t)total);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0) {
         if (n < 0 && total == 0)
            total = -1;
         break;
      }
      total += n;
   }
   close(fd);
   return total;
}

static uint64_t Procfs_cgroupId(int piddir, const char* cgroup_root) {
   if (!cgroup_root[0])
      return 0;
   char buf[1024], path[PATH_MAX];
   ssize_t n = Procfs_read(piddir, "cgroup", buf, sizeof buf - 1);
   if (n <= 0)
      return 0;
   buf[n] = '\0';
   char rel[768];
   if (Procfs_parseCgroup(buf, rel, sizeof rel) < 0)
      return 0;
   struct stat st;
   snprintf(path, sizeof path, "%s%s", cgroup_root, rel);
   return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Fills e with one process; -1 if it vanished or is unreadable. */
static int Procfs_readProc(int piddir, uint32_t pid, const char* cgroup_root, uint64_t now,
                           Event* e) {
   char buf[2048];
   ssize_t n = Procfs_read(piddir, "stat", buf, sizeof buf - 1);
   if (n <= 0)
      return -1;
   memset(e, 0, sizeof *e);
   uint64_t ticks;
   if (Procfs_parseStat(buf, (size_t)n, e->proc.comm, &e->proc.ppid, &ticks) < 0)
      return -1;
   e->type = EV_PROC;
   e->pid = e->tid = pid;
   e->ts = now;
   e->pstart = Procfs_ticksToNs(ticks);

   n = Procfs_read(piddir, "status", buf, sizeof buf - 1);
   if (n > 0) {
      buf[n] = '\0';
      (void)Procfs_parseUid(buf, &e->proc.uid);
   }

   char args[VN_ARGS_LEN + 1];
   n = Procfs_read(piddir, "cmdline", args, sizeof args);
   if (n > 0) {
      if (n > VN_ARGS_LEN) {
         n = VN_ARGS_LEN;
         e->flags |= EVF_TRUNC_ARGS;
         args[VN_ARGS_LEN - 1] = '\0';
      }
      memcpy(e->proc.args, args, (size_t)n);
      e->proc.args_len = (uint16_t)n;
   }

   n = readlinkat(piddir, "exe", e->proc.filename, VN_PATH_LEN - 1);
   e->proc.filename[n > 0 ? n : 0] = '\0';
   e->proc.cgroup = Procfs_cgroupId(piddir, cgroup_root);
   return 0;
}

static int ProcScan_addOwner(ProcScan* s, const ProcOwner* o) {
   if (!VEC_GROW(s->owners, s->capowners, s->nowners, 256))
      return -1;
   s->owners[s->nowners++] = *o;
   return 0;
}

static int ProcScan_addNetns(ProcScan* s, uint32_t ino, uint32_t pid) {
   for (size_t i = 0; i < s->nnetns; i++)
      if (s->netns[i].ino == ino)
         return 0;
   if (!VEC_GROW(s->netns, s->capnetns, s->nnetns, 8))
      return -1;
   s->netns[s->nnetns++] = (ForeignNetns){.ino = ino, .pid = pid};
   return 0;
}

static void Procfs_collectNetns(int piddir, uint32_t pid, uint32_t self_netns, ProcScan* s) {
   if (!self_netns)
      return;
   char link[64];
   ssize_t n = readlinkat(piddir, "ns/net", link, sizeof link - 1);
   if (n <= 0)
      return;
   link[n] = '\0';
   unsigned long ino;
   if (sscanf(link, "net:[%lu]", &ino) == 1 && ino != self_netns)
      (void)ProcScan_addNetns(s, (uint32_t)ino, pid);
}

/* Records one fd link if it is a socket. -1 when out of memory. */
static int Procfs_fdLink(int fdd, int fd, uint32_t pid, uint32_t idx, ProcScan* s) {
   char name[16], link[64];
   snprintf(name, sizeof name, "%d", fd);
   ssize_t n = readlinkat(fdd, name, link, sizeof link);
   if (n <= 0 || n >= (ssize_t)sizeof link)
      return 0;
   uint64_t ino = Procfs_socketInode(link, (size_t)n);
   if (!ino)
      return 0;
   /* shared after fork: keep the lowest pid (usually the parent) */
   uint32_t* cur = U64Map_get(&s->inodes, ino);
   if (cur && s->owners[*cur].pid <= pid)
      return 0;
   return U64Map_put(&s->inodes, ino, idx);
}

static int Procfs_fdChunks(FdJob* job, ProcScan* s, uint32_t idx) {
   for (;;) {
      size_t i = atomic_fetch_add(&job->next, FDJOB_CHUNK);
      if (i >= job->n)
         return 0;
      size_t end = i + FDJOB_CHUNK < job->n ? i + FDJOB_CHUNK : job->n;
      for (; i < end; i++)
         if (Procfs_fdLink(job->dirfd, job->fds[i], job->owner.pid, idx, s) < 0)
            return -1;
   }
}

void FdJob_help(FdJob* job, ProcScan* s) {
   if (!job || !atomic_load(&job->active))
      return;
   /* announce first, then check: the owner waits for helpers after it
    * clears active, so the job cannot go away under us */
   atomic_fetch_add(&job->helpers, 1);
   if (atomic_load(&job->active)) {
      uint32_t idx = (uint32_t)s->nowners;
      if (ProcScan_addOwner(s, &job->owner) < 0 || Procfs_fdChunks(job, s, idx) < 0)
         s->oom = true;
   }
   atomic_fetch_sub(&job->helpers, 1);
}

/* Reads the fd numbers of an open fd directory into s->fdbuf. */
static ssize_t Procfs_listFds(DIR* d, ProcScan* s) {
   size_t n = 0;
   struct dirent* de;
   while ((de = readdir(d)) != NULL) {
      if (de->d_name[0] < '0' || de->d_name[0] > '9')
         continue;
      if (!VEC_GROW(s->fdbuf, s->fdcap, n, 256))
         return -1;
      s->fdbuf[n++] = atoi(de->d_name);
   }
   return (ssize_t)n;
}

/* The fd directory of another thread of the process, for a process whose
 * main thread has exited (pthread_exit): /proc/PID/fd is then empty while
 * its threads still hold the files. -1 if there is none. */
static int Procfs_threadFds(int piddir, uint32_t pid) {
   int tfd = openat(piddir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   DIR* d = tfd >= 0 ? fdopendir(tfd) : NULL;
   if (!d) {
      if (tfd >= 0)
         close(tfd);
      return -1;
   }
   int fdd = -1;
   struct dirent* de;
   while (fdd < 0 && (de = readdir(d)) != NULL) {
      char path[32];
      if (de->d_name[0] < '0' || de->d_name[0] > '9' || (uint32_t)atol(de->d_name) == pid)
         continue;
      snprintf(path, sizeof path, "%.16s/fd", de->d_name);
      fdd = openat(tfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   }
   closedir(d);
   return fdd;
}

/* Maps every socket fd of the process to owner index idx, sharing the work
 * through job when the directory is big and the slot is free. Returns -1
 * on out of memory only. */
/* Running out of file descriptors or memory is not a process that exited:
 * counted, so that the caller says the picture is incomplete. */
static void ProcScan_noteLack(ProcScan* scan, int err) {
   if (err == EMFILE || err == ENFILE || err == ENOMEM) {
      scan->lack = err;
      scan->lacked++;
   }
}

static int Procfs_scanFds(int piddir, const ProcOwner* o, uint32_t idx, ProcScan* s, FdJob* job) {
   int fdd = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (fdd < 0) {
      if (errno == EACCES || errno == EPERM)
         s->denied++;
      else
         ProcScan_noteLack(s, errno);
      return 0;
   }
   DIR* d = fdopendir(fdd);
   if (!d) {
      ProcScan_noteLack(s, errno);
      close(fdd);
      return 0;
   }
   ssize_t n = Procfs_listFds(d, s);
   if (n == 0) {
      int tfd = Procfs_threadFds(piddir, o->pid);
      DIR* td = tfd >= 0 ? fdopendir(tfd) : NULL;
      if (td) {
         closedir(d);
         d = td;
         fdd = tfd;
         n = Procfs_listFds(d, s);
      } else if (tfd >= 0) {
         close(tfd);
      }
   }
   int rc = n < 0 ? -1 : 0;
   int free_slot = 0;
   if (n >= FDJOB_MIN && job && atomic_compare_exchange_strong(&job->busy, &free_slot, 1)) {
      job->dirfd = fdd;
      job->fds = s->fdbuf;
      job->n = (size_t)n;
      job->owner = *o;
      atomic_store(&job->next, 0);
      atomic_store(&job->active, 1);
      rc = Procfs_fdChunks(job, s, idx);
      atomic_store(&job->active, 0);
      while (atomic_load(&job->helpers) > 0)
         sched_yield();
      atomic_store(&job->busy, 0);
   } else {
      for (ssize_t i = 0; i < n && rc == 0; i++)
         rc = Procfs_fdLink(fdd, s->fdbuf[i], o->pid, idx, s);
   }
   closedir(d);
   return rc;
}

static bool Procfs_isPid(const char* name, uint32_t* pid) {
   uint64_t v = 0;
   if (!*name)
      return false;
   for (const char* p = name; *p; p++) {
      if (*p < '0' || *p > '9')
         return false;
      v = v * 10 + (uint64_t)(*p - '0');
      if (v > UINT32_MAX)
         return false;
   }
   *pid = (uint32_t)v;
   return v > 0;
}

static int Procfs_pidCmp(const void* a, const void* b) {
   uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
   return x < y ? -1 : x > y;
}

int ProcList_open(ProcList* l, const char* proc_root, char* errbuf, size_t errlen) {
   memset(l, 0, sizeof *l);
   l->rootfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (l->rootfd < 0) {
      snprintf(errbuf, errlen, "cannot open %s: %s", proc_root, strerror(errno));
      return -1;
   }
   int dfd = dup(l->rootfd);
   DIR* d = dfd >= 0 ? fdopendir(dfd) : NULL;
   if (!d) {
      snprintf(errbuf, errlen, "cannot read %s: %s", proc_root, strerror(errno));
      if (dfd >= 0)
         close(dfd);
      ProcList_close(l);
      return -1;
   }
   size_t cap = 0;
   struct dirent* de;
   while ((de = readdir(d)) != NULL) {
      uint32_t pid;
      if (!Procfs_isPid(de->d_name, &pid))
         continue;
      if (!VEC_GROW(l->pids, cap, l->n, 512)) {
         snprintf(errbuf, errlen, "out of memory listing %s", proc_root);
         closedir(d);
         ProcList_close(l);
         return -1;
      }
      l->pids[l->n++] = pid;
   }
   closedir(d);
   if (l->n > 1)
      qsort(l->pids, l->n, sizeof *l->pids, Procfs_pidCmp);
   return 0;
}

void ProcList_close(ProcList* l) {
   if (l->rootfd >= 0)
      close(l->rootfd);
   free(l->pids);
   memset(l, 0, sizeof *l);
   l->rootfd = -1;
}

int Procfs_scanPid(int rootfd, uint32_t pid, const char* cgroup_root, uint32_t self_netns,
                   uint64_t now, Event* e, ProcScan* scan, FdJob* job) {
   char name[16];
   snprintf(name, sizeof name, "%u", pid);
   int piddir = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (piddir < 0) {
      ProcScan_noteLack(scan, errno); /* else it exited meanwhile */
      return 0;
   }
   int rc = 0;
   errno = 0;
   if (Procfs_readProc(piddir, pid, cgroup_root, now, e) < 0)
      ProcScan_noteLack(scan, errno);
   else {
      ProcOwner o = {.pid = pid, .start = e->pstart, .cgroup = e->proc.cgroup};
      uint32_t idx = (uint32_t)scan->nowners;
      if (ProcScan_addOwner(scan, &o) < 0 || Procfs_scanFds(piddir, &o, idx, scan, job) < 0)
         rc = -1;
      else {
         Procfs_collectNetns(piddir, pid, self_netns, scan);
         rc = 1;
      }
   }
   close(piddir);
   return rc;
}

int ProcScan_merge(ProcScan* dst, const ProcScan* src) {
   uint32_t base = (uint32_t)dst->nowners;
   for (size_t i = 0; i < src->nowners; i++)
      if (ProcScan_addOwner(dst, &src->owners[i]) < 0)
         return -1;
   uint64_t ino;
   uint32_t val;
   for (size_t pos = 0; U64Map_next(&src->inodes, &pos, &ino, &val);) {
      uint32_t idx = base + val;
      uint32_t* cur = U64Map_get(&dst->inodes, ino);
      if (cur && dst->owners[*cur].pid <= dst->owners[idx].pid)
         continue;
      if (U64Map_put(&dst->inodes, ino, idx) < 0)
         return -1;
   }
   for (size_t i = 0; i < src->nnetns; i++)
      if (ProcScan_addNetns(dst, src->netns[i].ino, src->netns[i].pid) < 0)
         return -1;
   dst->denied += src->denied;
   dst->lacked += src->lacked;
   if (src->lack)
      dst->lack = src->lack;
   return 0;
}

int Procfs_scan(const char* proc_root, const char* cgroup_root, uint32_t self_netns, uint64_t now,
                EventSink fn, void* ctx, ProcScan* scan, char* errbuf, size_t errlen) {
   ProcList l;
   if (ProcList_open(&l, proc_root, errbuf, errlen) < 0)
      return -1;
   int rc = 0;
   Event e;
   for (size_t i = 0; i < l.n; i++) {
      int r = Procfs_scanPid(l.rootfd, l.pids[i], cgroup_root, self_netns, now, &e, scan, NULL);
      if (r < 0) {
         snprintf(errbuf, errlen, "out of memory scanning %s", proc_root);
         rc = -1;
         break;
      }
      if (r > 0)
         fn(ctx, &e);
   }
   ProcList_close(&l);
   return rc;
}

void ProcScan_free(ProcScan* scan) {
   free(scan->fdbuf);
   free(scan->owners);
   free(scan->netns);
   U64Map_free(&scan->inodes);
   memset(scan, 0, sizeof *scan);
}
