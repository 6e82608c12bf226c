/* test_snapshot.c: /proc parsing on a fake proc tree (tests/data/proc),
 * owner mapping and direction with real sockets and a fake tree in a
 * temporary directory, and the poller's close / exit events. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "poller.h"
#include "procfs.h"
#include "snapshot.h"

/* ---- collected events ---- */

typedef struct Events_ {
   Event v[4096];
   size_t n;
   size_t first_sock; /* index of the first EV_SOCK, or n */
   size_t proc_after_sock;
} Events;

/* Sockets of the host that are not ours are ignored: the machine may hold
 * many thousands. No filter while g_nports is 0. */
static uint16_t g_ports[4];
static int g_nports;

static bool interesting(const Event* e) {
   if (!Event_isSock(e) || g_nports == 0)
      return true;
   for (int i = 0; i < g_nports; i++)
      if (e->sock.lport == g_ports[i] || e->sock.rport == g_ports[i])
         return true;
   return false;
}

static void collect(void* ctx, const Event* e) {
   Events* ev = ctx;
   if (!interesting(e))
      return;
   if (e->type == EV_SOCK && ev->first_sock == SIZE_MAX)
      ev->first_sock = ev->n;
   if (e->type == EV_PROC && ev->first_sock != SIZE_MAX)
      ev->proc_after_sock++;
   if (ev->n < sizeof ev->v / sizeof ev->v[0])
      ev->v[ev->n++] = *e;
}

static void Events_init(Events* ev) {
   ev->n = 0;
   ev->first_sock = SIZE_MAX;
   ev->proc_after_sock = 0;
}

static const Event* findProc(const Events* ev, EventType t, uint32_t pid) {
   for (size_t i = 0; i < ev->n; i++)
      if (ev->v[i].type == t && ev->v[i].pid == pid && !Event_isSock(&ev->v[i]))
         return &ev->v[i];
   return NULL;
}

/* The socket event of type t with this local port (and remote port if
 * rport != 0xffff). */
static const Event* findSock(const Events* ev, EventType t, uint8_t proto, uint16_t lport,
                             int rport) {
   for (size_t i = 0; i < ev->n; i++) {
      const Event* e = &ev->v[i];
      if (e->type == t && e->sock.proto == proto && e->sock.lport == lport &&
          (rport < 0 || e->sock.rport == rport))
         return e;
   }
   return NULL;
}

static const char* dataDir(void) {
   const char* d = getenv("VISNET_TEST_DATA");
   return d ? d : "tests/data";
}

static void procEvent(void* ctx, const Event* e) {
   collect(ctx, e);
}

/* ---- parsers ---- */

static void test_stat_parens(void** state) {
   (void)state;
   const char* s = "42 (evil) (x) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 1 2\n";
   char comm[VN_COMM_LEN];
   uint32_t ppid = 0;
   uint64_t start = 0;
   assert_int_equal(Procfs_parseStat(s, strlen(s), comm, &ppid, &start), 0);
   assert_string_equal(comm, "evil) (x");
   assert_int_equal(ppid, 1);
   assert_int_equal(start, 12345);
}

static void test_stat_long_comm_and_spaces(void** state) {
   (void)state;
   const char* s = "7 (a b c d e f g h i j k) R 3 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 77\n";
   char comm[VN_COMM_LEN];
   uint32_t ppid;
   uint64_t start;
   assert_int_equal(Procfs_parseStat(s, strlen(s), comm, &ppid, &start), 0);
   assert_int_equal(strlen(comm), VN_COMM_LEN - 1);
   assert_memory_equal(comm, "a b c d e f g h", VN_COMM_LEN - 1);
   assert_int_equal(ppid, 3);
   assert_int_equal(start, 77);
}

static void test_stat_malformed(void** state) {
   (void)state;
   char comm[VN_COMM_LEN];
   uint32_t ppid;
   uint64_t start;
   const char* bad[] = {
       "",
       "12 noparens S 1 2 3\n",
       "12 (x) S 1 2 3 4\n", /* too few fields */
       "12 )x( S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
       "12 (x) S y 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19\n",
   };
   for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
      assert_int_equal(Procfs_parseStat(bad[i], strlen(bad[i]), comm, &ppid, &start), -1);
}

static void test_status_cgroup_link(void** state) {
   (void)state;
   uint32_t uid = 7;
   assert_int_equal(Procfs_parseUid("Name:\tx\nUid:\t1000\t0\t0\t0\n", &uid), 0);
   assert_int_equal(uid, 1000);
   assert_int_equal(Procfs_parseUid("Uid:\t5\t5\t5\t5\n", &uid), 0);
   assert_int_equal(uid, 5);
   assert_int_equal(Procfs_parseUid("Name:\tx\nGid:\t1\n", &uid), -1);
   assert_int_equal(Procfs_parseUid("Name:\tx\nUid:\tzz\n", &uid), -1);

   char path[64];
   assert_int_equal(Procfs_parseCgroup("1:cpu:/a\n0::/system.slice/x.service\n", path, sizeof path),
                    0);
   assert_string_equal(path, "/system.slice/x.service");
   assert_int_equal(Procfs_parseCgroup("1:cpu:/a\n", path, sizeof path), -1);
   /* a cgroup named with a newline and a fake line: the path is all of it */
   assert_int_equal(Procfs_parseCgroup("0::/user.slice/a\n0::/evil\n", path, sizeof path), 0);
   assert_string_equal(path, "/user.slice/a\n0::/evil");
   assert_int_equal(Procfs_parseCgroup("0::\n", path, sizeof path), -1);
   char tiny[4];
   assert_int_equal(Procfs_parseCgroup("0::/long/path\n", tiny, sizeof tiny), -1);

   assert_int_equal(Procfs_socketInode("socket:[12345]", 14), 12345);
   assert_int_equal(Procfs_socketInode("socket:[]", 9), 0);
   assert_int_equal(Procfs_socketInode("socket:[12a]", 12), 0);
   assert_int_equal(Procfs_socketInode("pipe:[12]", 9), 0);
   assert_int_equal(Procfs_socketInode("socket:[12", 10), 0);
}

static void test_u64map(void** state) {
   (void)state;
   U64Map m;
   U64Map_init(&m);
   assert_null(U64Map_get(&m, 5));
   assert_int_equal(U64Map_put(&m, 0, 1), -1); /* 0 is the empty slot */
   for (uint64_t k = 1; k <= 5000; k++)
      assert_int_equal(U64Map_put(&m, k * 7919, (uint32_t)k), 0);
   assert_int_equal(m.count, 5000);
   for (uint64_t k = 1; k <= 5000; k++) {
      uint32_t* v = U64Map_get(&m, k * 7919);
      assert_non_null(v);
      assert_int_equal(*v, k);
   }
   assert_null(U64Map_get(&m, 3));
   assert_int_equal(U64Map_put(&m, 7919, 99), 0);
   assert_int_equal(*U64Map_get(&m, 7919), 99);
   assert_int_equal(m.count, 5000);
   U64Map_free(&m);
}

/* ---- the fake tree in tests/data/proc ---- */

static void test_scan_fake_proc(void** state) {
   (void)state;
   char root[512], cg[512], err[256];
   snprintf(root, sizeof root, "%s/proc", dataDir());
   snprintf(cg, sizeof cg, "%s/sys/fs/cgroup", dataDir());
   static Events ev;
   Events_init(&ev);
   ProcScan scan;
   memset(&scan, 0, sizeof scan);
   assert_int_equal(Procfs_scan(root, cg, 0, 5 * SEC, procEvent, &ev, &scan, err, sizeof err), 0);

   /* 1, 42, 44; not 43 (no stat: vanished), 50 (malformed stat) */
   assert_int_equal(ev.n, 3);
   assert_int_equal(scan.nowners, 3);
   const Event* init = findProc(&ev, EV_PROC, 1);
   const Event* evil = findProc(&ev, EV_PROC, 42);
   const Event* lng = findProc(&ev, EV_PROC, 44);
   assert_non_null(init);
   assert_non_null(evil);
   assert_non_null(lng);
   assert_null(findProc(&ev, EV_PROC, 43));
   assert_null(findProc(&ev, EV_PROC, 50));

   assert_string_equal(init->proc.comm, "init");
   assert_int_equal(init->proc.ppid, 0);
   assert_int_equal(init->proc.uid, 0);
   assert_int_equal(init->pstart, Procfs_ticksToNs(250));
   assert_int_equal(init->ts, 5 * SEC);
   assert_int_equal(init->proc.args_len, 18);
   assert_memory_equal(init->proc.args, "/sbin/init\0splash\0", 18);
   struct stat st;
   char path[600];
   snprintf(path, sizeof path, "%s/init.scope", cg);
   assert_int_equal(stat(path, &st), 0);
   assert_int_equal(init->proc.cgroup, st.st_ino);

   assert_string_equal(evil->proc.comm, "evil) (x");
   assert_int_equal(evil->proc.ppid, 1);
   assert_int_equal(evil->proc.uid, 1000); /* the real uid, first of the line */
   assert_int_equal(evil->pstart, Procfs_ticksToNs(12345));
   snprintf(path, sizeof path, "%s/user.slice", cg);
   assert_int_equal(stat(path, &st), 0);
   assert_int_equal(evil->proc.cgroup, st.st_ino);

   /* no status, no cgroup, no fd: still reported */
   assert_string_equal(lng->proc.comm, "long");
   assert_int_equal(lng->proc.uid, 0);
   assert_int_equal(lng->proc.cgroup, 0);
   assert_true(lng->flags & EVF_TRUNC_ARGS);
   assert_int_equal(lng->proc.args_len, VN_ARGS_LEN);
   assert_string_equal(lng->proc.args, "/bin/long");

   /* socket inodes: 1001 shared by 1 and 42 goes to the lowest pid */
   assert_int_equal(scan.inodes.count, 3);
   uint32_t* o = U64Map_get(&scan.inodes, 1001);
   assert_non_null(o);
   assert_int_equal(scan.owners[*o].pid, 1);
   o = U64Map_get(&scan.inodes, 1002);
   assert_non_null(o);
   assert_int_equal(scan.owners[*o].pid, 1);
   o = U64Map_get(&scan.inodes, 1003);
   assert_non_null(o);
   assert_int_equal(scan.owners[*o].pid, 42);
   assert_int_equal(scan.owners[*o].start, Procfs_ticksToNs(12345));
   assert_null(U64Map_get(&scan.inodes, 77)); /* the pipe */
   assert_int_equal(scan.denied, 0);
   ProcScan_free(&scan);
}

static void test_scan_missing_root(void** state) {
   (void)state;
   char err[256] = "";
   static Events ev;
   Events_init(&ev);
   ProcScan scan;
   memset(&scan, 0, sizeof scan);
   assert_int_equal(
       Procfs_scan("/nonexistent/proc", "", 0, 0, procEvent, &ev, &scan, err, sizeof err), -1);
   assert_non_null(strstr(err, "/nonexistent/proc"));
   assert_int_equal(ev.n, 0);
   ProcScan_free(&scan);

   err[0] = '\0';
   assert_int_equal(Snapshot_take("/nonexistent/proc", collect, &ev, NULL, err, sizeof err), -1);
   assert_non_null(strstr(err, "/nonexistent/proc"));
}

/* ---- real sockets, fake owners ---- */

typedef struct Fixture_ {
   char root[256]; /* temporary proc root */
   int lfd;        /* TCP listener on 127.0.0.1 */
   int cfd;        /* client connected to it */
   int afd;        /* accepted */
   int ufd;        /* UDP bound on 127.0.0.1 */
   uint16_t lport, cport, uport;
} Fixture;

static uint64_t inodeOf(int fd) {
   struct stat st;
   assert_int_equal(fstat(fd, &st), 0);
   return st.st_ino;
}

static uint16_t portOf(int fd) {
   struct sockaddr_in a;
   socklen_t len = sizeof a;
   assert_int_equal(getsockname(fd, (struct sockaddr*)&a, &len), 0);
   return ntohs(a.sin_port);
}

static void writeFile(const char* dir, const char* name, const char* text) {
   char path[512];
   int n = snprintf(path, sizeof path, "%s/%s", dir, name);
   assert_true(n > 0 && (size_t)n < sizeof path);
   FILE* f = fopen(path, "w");
   assert_non_null(f);
   fputs(text, f);
   fclose(f);
}

/* pid dir with a stat (start ticks) and fd links to the given sockets */
static void fakeProc(const char* root, uint32_t pid, uint64_t start, const int* fds, int nfds) {
   char dir[512], path[600], link[64], stat[256];
   snprintf(dir, sizeof dir, "%s/%u", root, pid);
   mkdir(dir, 0755);
   snprintf(stat, sizeof stat, "%u (fake %u) S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 %llu 0 0\n", pid,
            pid, (unsigned long long)start);
   writeFile(dir, "stat", stat);
   snprintf(path, sizeof path, "%s/fd", dir);
   mkdir(path, 0755);
   for (int i = 0; i < nfds; i++) {
      snprintf(path, sizeof path, "%s/fd/%d", dir, 3 + i);
      snprintf(link, sizeof link, "socket:[%llu]", (unsigned long long)inodeOf(fds[i]));
      assert_int_equal(symlink(link, path), 0);
   }
}

static void rmTree(const char* path) {
   char cmd[600];
   snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
   assert_int_equal(system(cmd), 0);
}

static int setupSockets(void** state) {
   Fixture* f = calloc(1, sizeof *f);
   snprintf(f->root, sizeof f->root, "/tmp/visnet-snap-XXXXXX");
   if (!mkdtemp(f->root))
      return -1;
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
   f->lfd = socket(AF_INET, SOCK_STREAM, 0);
   if (bind(f->lfd, (struct sockaddr*)&a, sizeof a) < 0 || listen(f->lfd, 4) < 0)
      return -1;
   f->lport = portOf(f->lfd);
   a.sin_port = htons(f->lport);
   f->cfd = socket(AF_INET, SOCK_STREAM, 0);
   if (connect(f->cfd, (struct sockaddr*)&a, sizeof a) < 0)
      return -1;
   f->cport = portOf(f->cfd);
   f->afd = accept(f->lfd, NULL, NULL);
   if (f->afd < 0 || write(f->cfd, "hello", 5) != 5)
      return -1;
   char buf[8];
   if (read(f->afd, buf, sizeof buf) != 5)
      return -1;
   /* wait (bounded) until the 5 bytes are acked, so tx is deterministic */
   for (int i = 0; i < 100; i++) {
      struct tcp_info ti;
      socklen_t tl = sizeof ti;
      if (getsockopt(f->cfd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && ti.tcpi_bytes_acked >= 6)
         break;
      usleep(10000);
   }
   f->ufd = socket(AF_INET, SOCK_DGRAM, 0);
   a.sin_port = 0;
   if (bind(f->ufd, (struct sockaddr*)&a, sizeof a) < 0)
      return -1;
   f->uport = portOf(f->ufd);
   g_ports[0] = f->lport;
   g_ports[1] = f->uport;
   g_nports = 2;
   /* 700 holds the listener, the client and the UDP socket; the accepted
    * socket has no owner in the fake tree */
   int held[] = {f->lfd, f->cfd, f->ufd};
   fakeProc(f->root, 700, 1000, held, 3);
   *state = f;
   return 0;
}

static int teardownSockets(void** state) {
   Fixture* f = *state;
   if (!f)
      return 0;
   close(f->lfd);
   if (f->cfd >= 0)
      close(f->cfd);
   close(f->afd);
   if (f->ufd >= 0)
      close(f->ufd);
   rmTree(f->root);
   free(f);
   g_nports = 0;
   return 0;
}

static void test_snapshot_owners_and_direction(void** state) {
   Fixture* f = *state;
   static Events ev;
   Events_init(&ev);
   SnapshotStats st;
   char err[256];
   assert_int_equal(Snapshot_take(f->root, collect, &ev, &st, err, sizeof err), 0);
   assert_int_equal(st.procs, 1);
   assert_true(st.socks >= 4);
   assert_int_equal(ev.proc_after_sock, 0); /* processes first */
   assert_true(ev.first_sock != SIZE_MAX);

   const Event* l = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, 0);
   assert_non_null(l);
   assert_int_equal(l->pid, 700);
   assert_int_equal(l->pstart, Procfs_ticksToNs(1000));
   assert_int_equal(l->sock.state, TCPS_LISTEN);
   assert_int_equal(l->sock.dir, DIR_LISTEN);
   assert_int_equal(l->sock.sk, 0);
   assert_int_equal(l->sock.ino, inodeOf(f->lfd));

   const Event* c = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->cport, f->lport);
   assert_non_null(c);
   assert_int_equal(c->pid, 700);
   assert_int_equal(c->sock.state, TCPS_ESTABLISHED);
   assert_int_equal(c->sock.dir, DIR_OUT);
   assert_int_equal(c->sock.tx, 5); /* payload: bytes_acked less the SYN */
   assert_int_equal(c->sock.family, AF_INET);
   assert_true(Addr_isV4(c->sock.raddr));

   const Event* a = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, f->cport);
   assert_non_null(a);
   assert_int_equal(a->pid, 0);
   assert_int_equal(a->sock.noowner, NOOWN_ORPHAN); /* nothing denied, our netns */
   assert_int_equal(a->sock.dir, DIR_IN);
   assert_int_equal(a->sock.rx, 5);

   const Event* u = findSock(&ev, EV_SOCK, IPPROTO_UDP, f->uport, 0);
   assert_non_null(u);
   assert_int_equal(u->pid, 700);
   assert_int_equal(u->sock.dir, DIR_LISTEN);
}

/* Listener gone: the accepted socket's fixed local port (outside the
 * ephemeral range) facing an ephemeral remote port still reads as "in". */
static void test_direction_without_listener(void** state) {
   (void)state;
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
   int l = -1;
   uint16_t port = 0;
   for (uint16_t p = 20000 + (uint16_t)(getpid() % 5000); p < 30000 && l < 0; p += 7) {
      l = socket(AF_INET, SOCK_STREAM, 0);
      a.sin_port = htons(p);
      if (bind(l, (struct sockaddr*)&a, sizeof a) < 0 || listen(l, 2) < 0) {
         close(l);
         l = -1;
      } else {
         port = p;
      }
   }
   assert_true(l >= 0);
   int c = socket(AF_INET, SOCK_STREAM, 0);
   assert_int_equal(connect(c, (struct sockaddr*)&a, sizeof a), 0);
   int s = accept(l, NULL, NULL);
   assert_true(s >= 0);
   close(l);
   uint16_t cport = portOf(c);
   g_ports[0] = port;
   g_nports = 1;
   static Events ev;
   Events_init(&ev);
   char err[256];
   assert_int_equal(Snapshot_take("/proc", collect, &ev, NULL, err, sizeof err), 0);
   const Event* in = findSock(&ev, EV_SOCK, IPPROTO_TCP, port, cport);
   const Event* out = findSock(&ev, EV_SOCK, IPPROTO_TCP, cport, port);
   assert_non_null(in);
   assert_non_null(out);
   assert_null(findSock(&ev, EV_SOCK, IPPROTO_TCP, port, 0)); /* no listener */
   assert_int_equal(in->sock.dir, DIR_IN);
   assert_int_equal(out->sock.dir, DIR_OUT);
   assert_int_equal(in->pid, (uint32_t)getpid()); /* the real /proc: we own both */
   assert_int_equal(out->pid, (uint32_t)getpid());
   g_nports = 0;
   close(c);
   close(s);
}

/* A process listed, then gone before it is read: skipped, not an error. */
static void test_process_vanishes(void** state) {
   (void)state;
   char root[] = "/tmp/visnet-vanish-XXXXXX";
   assert_non_null(mkdtemp(root));
   fakeProc(root, 10, 5, NULL, 0);
   fakeProc(root, 11, 6, NULL, 0);
   char err[256];
   ProcList l;
   assert_int_equal(ProcList_open(&l, root, err, sizeof err), 0);
   assert_int_equal(l.n, 2);
   assert_int_equal(l.pids[0], 10);
   char dir[300];
   snprintf(dir, sizeof dir, "%s/10", root);
   rmTree(dir);
   ProcScan scan;
   memset(&scan, 0, sizeof scan);
   Event e;
   assert_int_equal(Procfs_scanPid(l.rootfd, 10, "", 0, 0, &e, &scan, NULL), 0);
   assert_int_equal(Procfs_scanPid(l.rootfd, 11, "", 0, 0, &e, &scan, NULL), 1);
   assert_int_equal(e.pid, 11);
   assert_int_equal(scan.nowners, 1);
   ProcScan_free(&scan);
   ProcList_close(&l);
   rmTree(root);
}

/* A big fd directory shared by two threads: every socket inode is found
 * once, owned by its process, whoever read it. */
typedef struct Helper_ {
   FdJob* job;
   ProcScan scan;
   atomic_int* done;
   int helped;
} Helper;

static void* helperRun(void* arg) {
   Helper* h = arg;
   while (!atomic_load(h->done)) {
      size_t before = h->scan.inodes.count;
      FdJob_help(h->job, &h->scan);
      h->helped += h->scan.inodes.count > before;
   }
   return NULL;
}

static void test_fdjob_shared(void** state) {
   (void)state;
   char root[] = "/tmp/visnet-fdjob-XXXXXX";
   assert_non_null(mkdtemp(root));
   fakeProc(root, 900, 5, NULL, 0);
   enum { NFD = 3000 };
   char path[512], link[64];
   for (int i = 0; i < NFD; i++) {
      snprintf(path, sizeof path, "%s/900/fd/%d", root, i);
      snprintf(link, sizeof link, i % 3 ? "socket:[%d]" : "pipe:[%d]", 100000 + i);
      assert_int_equal(symlink(link, path), 0);
   }
   FdJob job;
   memset(&job, 0, sizeof job);
   FdJob_help(&job, NULL); /* no job: returns at once */
   atomic_int done;
   atomic_init(&done, 0);
   Helper h = {.job = &job, .done = &done};
   pthread_t th;
   assert_int_equal(pthread_create(&th, NULL, helperRun, &h), 0);
   char err[256];
   ProcList l;
   assert_int_equal(ProcList_open(&l, root, err, sizeof err), 0);
   ProcScan scan;
   memset(&scan, 0, sizeof scan);
   Event e;
   assert_int_equal(Procfs_scanPid(l.rootfd, 900, "", 0, 0, &e, &scan, &job), 1);
   atomic_store(&done, 1);
   pthread_join(th, NULL);
   assert_int_equal(atomic_load(&job.busy), 0);
   assert_int_equal(atomic_load(&job.helpers), 0);
   assert_false(h.scan.oom);
   assert_int_equal(ProcScan_merge(&scan, &h.scan), 0);
   assert_int_equal(scan.inodes.count, NFD - NFD / 3);
   for (int i = 0; i < NFD; i++) {
      uint32_t* o = U64Map_get(&scan.inodes, 100000 + (uint64_t)i);
      if (i % 3 == 0) {
         assert_null(o);
      } else {
         assert_non_null(o);
         assert_int_equal(scan.owners[*o].pid, 900);
         assert_int_equal(scan.owners[*o].start, Procfs_ticksToNs(5));
      }
   }
   print_message("helper thread read %s of the fds\n", h.helped ? "some" : "none");
   ProcScan_free(&h.scan);
   ProcScan_free(&scan);
   ProcList_close(&l);
   rmTree(root);
}

static void test_poller(void** state) {
   Fixture* f = *state;
   Poller* p = Poller_newRoot(f->root);
   assert_non_null(p);
   static Events ev;
   char err[256];

   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   assert_non_null(findProc(&ev, EV_PROC, 700));
   assert_non_null(findSock(&ev, EV_SOCK, IPPROTO_UDP, f->uport, 0));
   assert_non_null(findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, 0));

   /* nothing changed: nothing about our sockets or process */
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   assert_null(findProc(&ev, EV_PROC, 700));
   assert_null(findSock(&ev, EV_SOCK, IPPROTO_UDP, f->uport, 0));
   assert_null(findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, 0));

   /* bytes moved: the client socket is reported again */
   assert_int_equal(write(f->cfd, "more", 4), 4);
   char buf[8];
   assert_int_equal(read(f->afd, buf, sizeof buf), 4);
   usleep(20000);
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   const Event* a = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, f->cport);
   assert_non_null(a);
   assert_int_equal(a->sock.rx, 9);

   /* the client's fd is closed: its socket lingers in FIN_WAIT without an
    * inode; that is its close, reported once */
   close(f->cfd);
   f->cfd = -1;
   usleep(20000);
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   const Event* cc = findSock(&ev, EV_CLOSE, IPPROTO_TCP, f->cport, f->lport);
   assert_non_null(cc);
   assert_int_equal(cc->pid, 700);
   assert_int_equal(cc->sock.tx, 9);
   assert_null(findSock(&ev, EV_SOCK, IPPROTO_TCP, f->cport, f->lport));
   a = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, f->cport);
   assert_non_null(a); /* the other end: CLOSE_WAIT */
   assert_int_equal(a->sock.state, TCPS_CLOSE_WAIT);
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   assert_null(findSock(&ev, EV_CLOSE, IPPROTO_TCP, f->cport, f->lport));
   assert_null(findSock(&ev, EV_SOCK, IPPROTO_TCP, f->cport, f->lport));

   /* the UDP socket closes, the process exits */
   close(f->ufd);
   f->ufd = -1;
   char dir[512];
   snprintf(dir, sizeof dir, "%s/700", f->root);
   rmTree(dir);
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   const Event* cl = findSock(&ev, EV_CLOSE, IPPROTO_UDP, f->uport, 0);
   assert_non_null(cl);
   assert_int_equal(cl->pid, 700);
   assert_int_equal(cl->pstart, Procfs_ticksToNs(1000));
   const Event* ex = findProc(&ev, EV_EXIT, 700);
   assert_non_null(ex);
   assert_int_equal(ex->proc.exit_code, POLL_EXIT_UNKNOWN);
   assert_true(cl < ex); /* closes before exits */
   /* still-open sockets lost their owner: reported again with pid 0 */
   const Event* l = findSock(&ev, EV_SOCK, IPPROTO_TCP, f->lport, 0);
   assert_non_null(l);
   assert_int_equal(l->pid, 0);

   /* pid reused with another start time: exit of the old, a new process */
   int held[] = {f->lfd};
   fakeProc(f->root, 700, 2000, held, 1);
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   assert_non_null(findProc(&ev, EV_PROC, 700));
   writeFile(f->root, "700/stat",
             "700 (fake 700) S 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 3000 0 0\n");
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), 0);
   ex = findProc(&ev, EV_EXIT, 700);
   assert_non_null(ex);
   assert_int_equal(ex->pstart, Procfs_ticksToNs(2000));
   const Event* np = findProc(&ev, EV_PROC, 700);
   assert_non_null(np);
   assert_int_equal(np->pstart, Procfs_ticksToNs(3000));
   assert_true(ex < np);

   /* a failed snapshot reports nothing as gone */
   Poller_free(p);
   p = Poller_newRoot("/nonexistent/proc");
   Events_init(&ev);
   assert_int_equal(Poller_tick(p, collect, &ev, err, sizeof err), -1);
   assert_non_null(strstr(err, "nonexistent"));
   for (size_t i = 0; i < ev.n; i++)
      assert_true(ev.v[i].type != EV_CLOSE && ev.v[i].type != EV_EXIT);
   Poller_free(p);
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_stat_parens),
       cmocka_unit_test(test_stat_long_comm_and_spaces),
       cmocka_unit_test(test_stat_malformed),
       cmocka_unit_test(test_status_cgroup_link),
       cmocka_unit_test(test_u64map),
       cmocka_unit_test(test_scan_fake_proc),
       cmocka_unit_test(test_scan_missing_root),
       cmocka_unit_test_setup_teardown(test_snapshot_owners_and_direction, setupSockets,
                                       teardownSockets),
       cmocka_unit_test_setup_teardown(test_poller, setupSockets, teardownSockets),
       cmocka_unit_test(test_direction_without_listener),
       cmocka_unit_test(test_process_vanishes),
       cmocka_unit_test(test_fdjob_shared),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
