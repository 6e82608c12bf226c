/* make_sample.c: writes tests/data/sample.evlog, a small realistic scenario
 * that the TUI and JSON tests replay.
 *
 * Build and run from the source tree (the output is committed):
 *   cc -std=gnu11 -D_GNU_SOURCE -Icore/model -Icore/evlog tests/data/make_sample.c core/evlog/evlog.c \
 *      core/model/event.c -lz -o /tmp/make_sample && /tmp/make_sample tests/data/sample.evlog
 *
 * Scenario (timestamps are ns since boot, from 1000 s, spanning ~6 s):
 *  - systemd (1) -> sshd (812) listening on 0.0.0.0:22 and [::]:22
 *    -> sshd session (4301) with 10.0.0.5:51234 -> 10.0.0.2:22 established
 *    -> bash (4310, uid 1000)
 *       -> python3 -m http.server 8000 (5000): listens on 0.0.0.0:8000 and
 *          accepts 3 connections (127.0.0.1, 10.0.0.7, 10.0.0.8; one closed)
 *       -> curl (5100, forked then exec'd): UDP DNS to 127.0.0.53:53,
 *          10.200.0.2:80 (closed), 93.184.216.34:443 (open, twice: from
 *          an IPv4 socket and from a dual-stack IPv6 socket, v4-mapped) and
 *          [2606:2800:220:1:248:1893:25c8:1946]:443 (open)
 *       -> nc -z 10.200.0.9 25 (5300): connection refused, exited with 1
 *       -> a process named "\x1b[31mevil\x1b]0;pwn\x07" (6000; comm keeps
 *          the first 15 bytes) connected to 198.51.100.66:4444
 *  - systemd-resolved (640): UDP peer 1.1.1.1:53 (count 4)
 *  - an orphan socket (pid 0, noowner orphan) in TIME_WAIT
 *    10.0.0.2:40000 -> 93.184.216.34:80, and one whose owner is not
 *    visible (pid 0, noowner perm) 10.0.0.2:5432 <- 10.0.0.9:60000.
 *
 * The committed sample.evlog predates socket ids (its header has no
 * EVLOG_F_SK_IDS and its sk look like kernel addresses, 0xffff888004000000
 * up): it is the tests' old log, whose addresses a reader must replace.
 * Keep it. A file made now has the flag, so its sk are plain ids. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "evlog.h"

#define SEC 1000000000ull
#define MS 1000000ull
#define T0 (1000 * SEC)
#define NETNS 4026531840u

/* Events are collected, then written in time order as a replay needs. */
typedef struct Item_ {
   Event e;
   int seq;
} Item;
static Item items[512];
static int nitems;
static uint64_t next_sk = 0x1000; /* ids, as EVLOG_F_SK_IDS says */
static uint64_t next_ino = 51000;

static void emit(const Event* e) {
   if (nitems < (int)(sizeof items / sizeof items[0])) {
      items[nitems].e = *e;
      items[nitems].seq = nitems;
      nitems++;
   }
}

static int byTime(const void* a, const void* b) {
   const Item *x = a, *y = b;
   if (x->e.ts != y->e.ts)
      return x->e.ts < y->e.ts ? -1 : 1;
   return x->seq - y->seq;
}

static Event base(EventType t, uint32_t pid, uint64_t pstart, uint64_t ts) {
   Event e;
   memset(&e, 0, sizeof e);
   e.type = (uint16_t)t;
   e.pid = pid;
   e.tid = pid;
   e.pstart = pstart;
   e.ts = ts;
   return e;
}

/* argv given as one string with '|' between arguments */
static void setArgs(ProcEvent* p, const char* argv) {
   size_t n = strlen(argv);
   if (n >= VN_ARGS_LEN)
      n = VN_ARGS_LEN - 1;
   for (size_t i = 0; i < n; i++)
      p->args[i] = argv[i] == '|' ? '\0' : argv[i];
   p->args[n] = '\0';
   p->args_len = (uint16_t)(n + 1);
}

static void proc(EventType t, uint32_t pid, uint32_t ppid, uint32_t uid, uint64_t start,
                 uint64_t ts, const char* comm, const char* exe, const char* argv) {
   Event e = base(t, pid, start, ts);
   e.proc.ppid = ppid;
   e.proc.uid = uid;
   e.proc.cgroup = 9000 + pid;
   snprintf(e.proc.comm, VN_COMM_LEN, "%s", comm);
   snprintf(e.proc.filename, VN_PATH_LEN, "%s", exe);
   setArgs(&e.proc, argv);
   emit(&e);
}

static void fork_(uint32_t ppid, uint64_t pstart, uint32_t child, uint64_t cstart,
                  const char* comm) {
   Event e = base(EV_FORK, ppid, pstart, cstart);
   e.proc.child_pid = child;
   e.proc.child_start = cstart;
   snprintf(e.proc.comm, VN_COMM_LEN, "%s", comm);
   emit(&e);
}

static void exit_(uint32_t pid, uint64_t start, uint64_t ts, int code) {
   Event e = base(EV_EXIT, pid, start, ts);
   e.proc.exit_code = code;
   emit(&e);
}

typedef struct Sk_ {
   uint32_t pid;
   uint64_t pstart, sk, ino, opened;
   uint8_t proto, family, dir;
   const char *laddr, *raddr;
   uint16_t lport, rport;
} Sk;

static Sk sk(uint32_t pid, uint64_t pstart, uint8_t proto, uint8_t family, uint8_t dir,
             const char* laddr, uint16_t lport, const char* raddr, uint16_t rport) {
   Sk s = {pid, pstart, next_sk, next_ino, 0, proto, family, dir, laddr, raddr, lport, rport};
   next_sk += 0x800;
   next_ino++;
   return s;
}

static Event sockEv(EventType t, const Sk* s, uint64_t ts, uint8_t state) {
   Event e = base(t, s->pid, s->pstart, ts);
   SockEvent* k = &e.sock;
   k->sk = s->sk;
   k->ino = s->ino;
   k->cgroup = s->pid ? 9000 + s->pid : 0;
   k->netns = NETNS;
   k->proto = s->proto;
   k->family = s->family;
   k->dir = s->dir;
   k->state = state;
   k->lport = s->lport;
   k->rport = s->rport;
   Addr_parse(s->laddr, k->laddr);
   Addr_parse(s->raddr, k->raddr);
   return e;
}

static void sockOnly(EventType t, const Sk* s, uint64_t ts, uint8_t state) {
   Event e = sockEv(t, s, ts, state);
   emit(&e);
}

static void bytes(EventType t, const Sk* s, uint64_t ts, uint8_t state, uint64_t tx,
                  uint64_t rx) {
   Event e = sockEv(t, s, ts, state);
   e.sock.tx = tx;
   e.sock.rx = rx;
   emit(&e);
}

static void close_(const Sk* s, uint64_t ts, uint64_t tx, uint64_t rx) {
   Event e = sockEv(EV_STATE, s, ts, TCPS_FIN_WAIT1);
   e.sock.oldstate = TCPS_ESTABLISHED;
   emit(&e);
   e = sockEv(EV_CLOSE, s, ts + 2 * MS, TCPS_CLOSE);
   e.sock.oldstate = TCPS_FIN_WAIT1;
   e.sock.tx = tx;
   e.sock.rx = rx;
   e.sock.lifetime_ns = ts + 2 * MS - s->opened;
   emit(&e);
}

static void connectOk(Sk* s, uint64_t ts) {
   s->opened = ts;
   sockOnly(EV_CONNECT, s, ts, TCPS_SYN_SENT);
   sockOnly(EV_CONNECTED, s, ts + 3 * MS, TCPS_ESTABLISHED);
}

static void accept_(Sk* s, uint64_t ts) {
   s->opened = ts;
   sockOnly(EV_ACCEPT, s, ts, TCPS_ESTABLISHED);
}

static void systemSnapshot(void) {
   uint64_t ts = T0;
   proc(EV_PROC, 1, 0, 0, 1 * SEC, ts, "systemd", "/usr/lib/systemd/systemd",
        "/sbin/init|splash");
   proc(EV_PROC, 640, 1, 101, 4 * SEC, ts, "systemd-resolve",
        "/usr/lib/systemd/systemd-resolved", "/lib/systemd/systemd-resolved");
   proc(EV_PROC, 812, 1, 0, 5 * SEC, ts, "sshd", "/usr/sbin/sshd",
        "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups");
   proc(EV_PROC, 4301, 812, 0, 900 * SEC, ts, "sshd", "/usr/sbin/sshd", "sshd: alice [priv]");
   proc(EV_PROC, 4310, 4301, 1000, 901 * SEC, ts, "bash", "/usr/bin/bash", "-bash");

   Sk l4 = sk(812, 5 * SEC, IPPROTO_TCP, AF_INET, DIR_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
   Sk l6 = sk(812, 5 * SEC, IPPROTO_TCP, AF_INET6, DIR_LISTEN, "::", 22, "::", 0);
   sockOnly(EV_SOCK, &l4, ts, TCPS_LISTEN);
   sockOnly(EV_SOCK, &l6, ts, TCPS_LISTEN);
   Sk ssh = sk(4301, 900 * SEC, IPPROTO_TCP, AF_INET, DIR_IN, "10.0.0.2", 22, "10.0.0.5", 51234);
   bytes(EV_SOCK, &ssh, ts, TCPS_ESTABLISHED, 183422, 40211);
   Sk dns = sk(640, 4 * SEC, IPPROTO_UDP, AF_INET, DIR_OUT, "10.0.0.2", 41053, "1.1.1.1", 53);
   bytes(EV_SOCK, &dns, ts, 0, 1200, 3400);

   Sk orphan = sk(0, 0, IPPROTO_TCP, AF_INET, DIR_OUT, "10.0.0.2", 40000, "93.184.216.34", 80);
   Event e = sockEv(EV_SOCK, &orphan, ts, TCPS_TIME_WAIT);
   e.sock.noowner = NOOWN_ORPHAN;
   e.sock.sk = 0;
   emit(&e);
   Sk hidden = sk(0, 0, IPPROTO_TCP, AF_INET, DIR_IN, "10.0.0.2", 5432, "10.0.0.9", 60000);
   e = sockEv(EV_SOCK, &hidden, ts, TCPS_ESTABLISHED);
   e.sock.noowner = NOOWN_PERM;
   emit(&e);

   /* the ssh session keeps talking */
   bytes(EV_BYTES, &ssh, T0 + 2 * SEC, TCPS_ESTABLISHED, 190000, 41000);
   bytes(EV_BYTES, &ssh, T0 + 5 * SEC, TCPS_ESTABLISHED, 201234, 42345);
   Event u = sockEv(EV_UDP_PEER, &dns, T0 + 1500 * MS, 0);
   u.sock.count = 4;
   u.sock.tx = 1400;
   u.sock.rx = 3900;
   emit(&u);
}

static void httpServer(void) {
   uint64_t start = T0 + 200 * MS;
   fork_(4310, 901 * SEC, 5000, start, "bash");
   proc(EV_EXEC, 5000, 4310, 1000, start, start + 1 * MS, "python3", "/usr/bin/python3.11",
        "python3|-m|http.server|8000");
   Sk l = sk(5000, start, IPPROTO_TCP, AF_INET, DIR_LISTEN, "0.0.0.0", 8000, "0.0.0.0", 0);
   sockOnly(EV_LISTEN, &l, start + 50 * MS, TCPS_LISTEN);
   Sk a1 = sk(5000, start, IPPROTO_TCP, AF_INET, DIR_IN, "127.0.0.1", 8000, "127.0.0.1", 45678);
   Sk a2 = sk(5000, start, IPPROTO_TCP, AF_INET, DIR_IN, "10.0.0.2", 8000, "10.0.0.7", 50001);
   Sk a3 = sk(5000, start, IPPROTO_TCP, AF_INET, DIR_IN, "10.0.0.2", 8000, "10.0.0.8", 33333);
   accept_(&a1, T0 + 1 * SEC);
   accept_(&a2, T0 + 1200 * MS);
   accept_(&a3, T0 + 1300 * MS);
   bytes(EV_BYTES, &a1, T0 + 1100 * MS, TCPS_ESTABLISHED, 15320, 412);
   close_(&a1, T0 + 1150 * MS, 15320, 412);
   bytes(EV_BYTES, &a2, T0 + 3 * SEC, TCPS_ESTABLISHED, 2048000, 530);
   bytes(EV_BYTES, &a3, T0 + 3 * SEC, TCPS_ESTABLISHED, 900, 211);
}

static void curl(void) {
   uint64_t start = T0 + 2 * SEC;
   fork_(4310, 901 * SEC, 5100, start, "bash");
   proc(EV_EXEC, 5100, 4310, 1000, start, start + 1 * MS, "curl", "/usr/bin/curl",
        "curl|-s|http://10.200.0.2/|https://example.com/|https://[2606:2800:220:1:248:1893:25c8:1946]/");
   Sk d = sk(5100, start, IPPROTO_UDP, AF_INET, DIR_OUT, "127.0.0.1", 39001, "127.0.0.53", 53);
   d.opened = start + 2 * MS;
   sockOnly(EV_CONNECT, &d, start + 2 * MS, 0);
   Event u = sockEv(EV_UDP_PEER, &d, start + 4 * MS, 0);
   u.sock.count = 2;
   u.sock.tx = 58;
   u.sock.rx = 190;
   emit(&u);

   Sk h = sk(5100, start, IPPROTO_TCP, AF_INET, DIR_OUT, "10.200.0.1", 40112, "10.200.0.2", 80);
   connectOk(&h, start + 10 * MS);
   bytes(EV_BYTES, &h, start + 30 * MS, TCPS_ESTABLISHED, 78, 612);
   close_(&h, start + 40 * MS, 78, 612);

   Sk t4 = sk(5100, start, IPPROTO_TCP, AF_INET, DIR_OUT, "10.0.0.2", 40220, "93.184.216.34",
              443);
   connectOk(&t4, start + 50 * MS);
   bytes(EV_BYTES, &t4, start + 800 * MS, TCPS_ESTABLISHED, 1517, 1048576);

   /* the same IPv4 peer reached from a dual-stack IPv6 socket */
   Sk dual = sk(5100, start, IPPROTO_TCP, AF_INET6, DIR_OUT, "::ffff:10.0.0.2", 40240,
                "::ffff:93.184.216.34", 443);
   connectOk(&dual, start + 55 * MS);
   bytes(EV_BYTES, &dual, start + 700 * MS, TCPS_ESTABLISHED, 900, 4096);

   Sk t6 = sk(5100, start, IPPROTO_TCP, AF_INET6, DIR_OUT, "fd00:200::1", 40330,
              "2606:2800:220:1:248:1893:25c8:1946", 443);
   connectOk(&t6, start + 60 * MS);
   bytes(EV_BYTES, &t6, start + 900 * MS, TCPS_ESTABLISHED, 1600, 524288);
}

static void failingNc(void) {
   uint64_t start = T0 + 2500 * MS;
   fork_(4310, 901 * SEC, 5300, start, "bash");
   proc(EV_EXEC, 5300, 4310, 1000, start, start + 1 * MS, "nc", "/usr/bin/nc.openbsd",
        "nc|-z|10.200.0.9|25");
   Sk s = sk(5300, start, IPPROTO_TCP, AF_INET, DIR_OUT, "10.200.0.1", 40500, "10.200.0.9", 25);
   s.opened = start + 5 * MS;
   sockOnly(EV_CONNECT, &s, start + 5 * MS, TCPS_SYN_SENT);
   Event e = sockEv(EV_CONNECT_FAIL, &s, start + 6 * MS, TCPS_CLOSE);
   e.sock.err = 111; /* ECONNREFUSED */
   emit(&e);
   exit_(5300, start, start + 8 * MS, 1 << 8);
}

static void evil(void) {
   uint64_t start = T0 + 3500 * MS;
   const char* name = "\x1b[31mevil\x1b]0;pwn\x07";
   char exe[64], argv[64];
   snprintf(exe, sizeof exe, "/tmp/%s", name);
   snprintf(argv, sizeof argv, "%s|--id|\xff\xfe", name);
   fork_(4310, 901 * SEC, 6000, start, "bash");
   proc(EV_EXEC, 6000, 4310, 1000, start, start + 1 * MS, name, exe, argv);
   Sk s = sk(6000, start, IPPROTO_TCP, AF_INET, DIR_OUT, "10.0.0.2", 41000, "198.51.100.66",
             4444);
   connectOk(&s, start + 20 * MS);
   bytes(EV_BYTES, &s, start + 1 * SEC, TCPS_ESTABLISHED, 4096, 64);
}

int main(int argc, char** argv) {
   const char* out = argc > 1 ? argv[1] : "tests/data/sample.evlog";
   EvlogHeader h;
   memset(&h, 0, sizeof h);
   h.boot_time_ns = 1764000000ull * SEC; /* fixed, so the file is reproducible */
   h.created_ns = h.boot_time_ns + T0;
   snprintf(h.host, sizeof h.host, "sample-host");
   systemSnapshot();
   httpServer();
   curl();
   failingNc();
   evil();
   qsort(items, (size_t)nitems, sizeof items[0], byTime);
   char err[256];
   EvlogWriter* w = EvlogWriter_open(out, &h, err, sizeof err);
   if (!w) {
      fprintf(stderr, "make_sample: %s\n", err);
      return 1;
   }
   int failed = 0;
   for (int i = 0; i < nitems; i++)
      failed |= EvlogWriter_write(w, &items[i].e) != 0;
   uint64_t n = EvlogWriter_count(w);
   if (EvlogWriter_closeErr(w, err, sizeof err) != 0 || failed) {
      fprintf(stderr, "make_sample: %s: %s\n", out, failed ? "write failed" : err);
      return 1;
   }
   printf("%s: %llu events\n", out, (unsigned long long)n);
   return 0;
}
