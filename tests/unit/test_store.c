/* test_store.c: the event store: identities, lifecycles, sums, prune, cap.
 * Over 800 lines because it is the store's contract (store.h) case by case,
 * with property tests that replay random event streams among them. */
#include "testutil.h"

#include <netinet/in.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "store.h"

#define MS 1000000ull

/* ---- helpers ---- */

static Event sockEv(EventType t, uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport,
                    uint64_t ts) {
   Event e = TU_sock(t, pid, 0, "10.0.0.1", lport, raddr, rport, ts);
   if (t == EV_STATE || t == EV_CLOSE || t == EV_BYTES || t == EV_CONNECTED)
      e.sock.dir = 0;
   if (t == EV_CONNECT)
      e.sock.state = TCPS_SYN_SENT;
   return e;
}

static Event udpEv(EventType t, uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport,
                   uint64_t ts) {
   Event e = TU_sock(t, pid, 0, "10.0.0.1", lport, raddr, rport, ts);
   e.sock.proto = IPPROTO_UDP;
   e.sock.state = TCPS_ESTABLISHED;
   return e;
}

static Event bytesEv(uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport, uint64_t tx,
                     uint64_t rx, uint64_t ts) {
   Event e = sockEv(EV_BYTES, pid, raddr, rport, lport, ts);
   e.sock.tx = tx;
   e.sock.rx = rx;
   return e;
}

static Event procEv(uint32_t pid, uint32_t ppid, uint64_t start, const char* comm, uint64_t ts) {
   Event e = TU_exec(pid, ppid, start, comm, ts);
   e.type = EV_PROC;
   return e;
}

static SockKey keyOf(const Event* e) {
   SockKey k;
   memset(&k, 0, sizeof k);
   memcpy(k.laddr, e->sock.laddr, 16);
   memcpy(k.raddr, e->sock.raddr, 16);
   k.netns = e->sock.netns;
   k.lport = e->sock.lport;
   k.rport = e->sock.rport;
   k.proto = e->sock.proto;
   return k;
}

static void apply(Store* s, Event e) { assert_int_equal(Store_apply(s, &e), 0); }

static Sock* sockAt(Store* s, const char* raddr, uint16_t rport, uint16_t lport) {
   Event e = sockEv(EV_BYTES, 1, raddr, rport, lport, 0);
   SockKey k = keyOf(&e);
   return Store_sock(s, &k);
}

static Endpoint* epAt(Store* s, const char* addr) {
   uint8_t a[16];
   assert_int_equal(Addr_parse(addr, a), 0);
   return Store_endpoint(s, a);
}

static StoreStats stats(Store* s) {
   StoreStats st;
   Store_stats(s, &st);
   return st;
}

/* Active entries come first in socket and edge lists (readers rely on it). */
static void checkSockOrder(const ListNode* head) {
   bool closed = false;
   LIST_FOREACH(n, head) {
      bool active = Sock_isActive(LIST_ENTRY(n, Sock, node));
      assert_false(closed && active);
      closed |= !active;
   }
}

static void checkEdgeOrder(const ListNode* head, size_t off) {
   bool inactive = false;
   LIST_FOREACH(n, head) {
      bool active = Edge_isActive((const Edge*)((const char*)n - off));
      assert_false(inactive && active);
      inactive |= !active;
   }
}

static size_t listLen(const ListNode* head) {
   size_t n = 0;
   LIST_FOREACH(x, head) n++;
   return n;
}

/* Recomputes every counter from the links and compares it with what the
 * store keeps incrementally. sums: also check byte sums (only valid while
 * nothing was pruned or moved out, since edges keep the bytes of pruned
 * sockets). */
/* An edge lists at most STORE_FOLD_KEEP closed connections per fold port,
 * and at most one summary of each. */
static void checkFolds(const ListNode* head) {
   uint32_t port[64];
   unsigned kept[64] = {0}, sums[64] = {0}, n = 0;
   LIST_FOREACH(sn, head) {
      const Sock* k = LIST_ENTRY(sn, Sock, node);
      if (Sock_isActive(k))
         continue;
      unsigned i = 0;
      while (i < n && port[i] != Sock_foldPort(k))
         i++;
      if (i == n) {
         assert_true(n < 64);
         port[n++] = Sock_foldPort(k);
      }
      if (k->merged)
         sums[i]++;
      else
         kept[i]++;
   }
   for (unsigned i = 0; i < n; i++) {
      assert_true(kept[i] <= STORE_FOLD_KEEP);
      assert_true(sums[i] <= 1);
   }
}

static void checkInvariants(Store* s, bool sums) {
   StoreStats st = stats(s);
   size_t nprocs = 0, nalive = 0, nsocks = 0, nactive = 0, nedges = 0, nedges_active = 0;
   for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p)) {
      nprocs++;
      if (Proc_isAlive(p))
         nalive++;
      if (p->hashed)
         assert_ptr_equal(Store_proc(s, p->pid), p);
      /* parent links */
      if (p->parent) {
         bool found = false;
         LIST_FOREACH(c, &p->parent->children) found |= LIST_ENTRY(c, Proc, sibling) == p;
         assert_true(found);
      }
      uint32_t nch = 0, live = 0;
      LIST_FOREACH(c, &p->children) {
         Proc* ch = LIST_ENTRY(c, Proc, sibling);
         assert_ptr_equal(ch->parent, p);
         nch++;
         live += (Proc_isAlive(ch) ? 1 : 0) + ch->nlive_desc;
      }
      assert_int_equal(nch, p->nchildren);
      assert_int_equal(live, p->nlive_desc);
      /* no cycle: the ancestor chain ends within nprocs steps */
      size_t depth = 0;
      for (Proc* a = p->parent; a; a = a->parent)
         assert_true(++depth <= st.procs);
      uint32_t ps = 0, pa = 0;
      uint64_t tx = 0, rx = 0;
      checkSockOrder(&p->listens);
      checkEdgeOrder(&p->edges, offsetof(Edge, proc_node));
      LIST_FOREACH(l, &p->listens) {
         Sock* k = LIST_ENTRY(l, Sock, node);
         assert_ptr_equal(k->proc, p);
         assert_null(k->edge);
         assert_true(Sock_isListen(k));
         ps++;
         pa += Sock_isActive(k);
         tx += k->tx;
         rx += k->rx;
      }
      LIST_FOREACH(en, &p->edges) {
         Edge* e = LIST_ENTRY(en, Edge, proc_node);
         assert_ptr_equal(e->proc, p);
         nedges++;
         nedges_active += Edge_isActive(e);
         uint32_t es = 0, ea = 0;
         uint64_t etx = 0, erx = 0;
         checkSockOrder(&e->socks);
         LIST_FOREACH(sn, &e->socks) {
            Sock* k = LIST_ENTRY(sn, Sock, node);
            assert_ptr_equal(k->proc, p);
            assert_ptr_equal(k->edge, e);
            assert_memory_equal(k->key.raddr, e->ep->addr, 16);
            if (k->merged) { /* a summary: closed, named by no event */
               assert_false(Sock_isActive(k));
               assert_false(k->hashed);
            }
            es++;
            ea += Sock_isActive(k);
            etx += k->tx;
            erx += k->rx;
         }
         (void)es;
         checkFolds(&e->socks);
         assert_int_equal(ea, e->nactive);
         assert_true(Edge_isActive(e) == (e->inactive_since == 0));
         if (sums) {
            assert_int_equal(etx, e->tx);
            assert_int_equal(erx, e->rx);
         }
         ps += es;
         pa += ea;
         tx += etx;
         rx += erx;
      }
      assert_int_equal(ps, p->nsocks);
      assert_int_equal(pa, p->nactive);
      if (sums) {
         assert_int_equal(tx, p->tx);
         assert_int_equal(rx, p->rx);
      }
      nsocks += ps;
      nactive += pa;
   }
   size_t norph = 0;
   checkSockOrder(Store_orphans(s));
   LIST_FOREACH(o, Store_orphans(s)) {
      Sock* k = Store_orphanSock(o);
      assert_null(k->proc);
      norph++;
      nactive += Sock_isActive(k);
   }
   nsocks += norph;
   size_t neps = 0;
   for (Endpoint* ep = Store_firstEndpoint(s); ep; ep = Store_nextEndpoint(s, ep)) {
      neps++;
      uint32_t ne = 0, na = 0;
      checkEdgeOrder(&ep->edges, offsetof(Edge, ep_node));
      LIST_FOREACH(en, &ep->edges) {
         Edge* e = LIST_ENTRY(en, Edge, ep_node);
         assert_ptr_equal(e->ep, ep);
         ne++;
         na += e->nactive;
      }
      assert_int_equal(ne, ep->nedges);
      assert_true(ne > 0);
      assert_int_equal(na, ep->nactive);
   }
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k)) {
      SockKey key = k->key;
      assert_true(k->hashed);
      assert_ptr_equal(Store_sock(s, &key), k);
   }
   assert_int_equal(nprocs, st.procs);
   assert_int_equal(nalive, st.procs_alive);
   assert_int_equal(nsocks, st.socks);
   assert_int_equal(nactive, st.socks_active);
   assert_int_equal(nedges, st.edges);
   assert_int_equal(nedges_active, st.edges_active);
   assert_int_equal(neps, st.endpoints);
   assert_int_equal(norph, st.orphans);
}

/* ---- lifecycle ---- */

static void test_connect_lifecycle(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 1, 5 * SEC, "curl", 5 * SEC));
   apply(s, sockEv(EV_CONNECT, 100, "93.184.216.34", 443, 40000, 6 * SEC));
   Sock* k = sockAt(s, "93.184.216.34", 443, 40000);
   assert_non_null(k);
   assert_int_equal(k->state, TCPS_SYN_SENT);
   assert_int_equal(k->dir, DIR_OUT);
   assert_true(Sock_isActive(k));
   Proc* p = Store_proc(s, 100);
   assert_ptr_equal(k->proc, p);
   assert_non_null(k->edge);
   assert_ptr_equal(k->edge->ep, epAt(s, "93.184.216.34"));
   assert_int_equal(p->nactive, 1);
   assert_true(Edge_isActive(k->edge));

   apply(s, sockEv(EV_CONNECTED, 100, "93.184.216.34", 443, 40000, 6 * SEC + MS));
   assert_int_equal(k->state, TCPS_ESTABLISHED);
   assert_int_equal(k->dir, DIR_OUT);

   Event c = sockEv(EV_CLOSE, 100, "93.184.216.34", 443, 40000, 9 * SEC);
   c.sock.tx = 1000;
   c.sock.rx = 5000;
   c.sock.lifetime_ns = 3 * SEC + 500 * MS;
   apply(s, c);
   assert_false(Sock_isActive(k));
   assert_int_equal(k->closed, 9 * SEC);
   assert_int_equal(k->opened, 5 * SEC + 500 * MS); /* refined by lifetime */
   assert_int_equal(k->tx, 1000);
   assert_int_equal(k->rx, 5000);
   assert_false(Edge_isActive(k->edge));
   assert_int_equal(k->edge->inactive_since, 9 * SEC);
   assert_int_equal(k->edge->ep->nactive, 0);
   assert_int_equal(p->nactive, 0);
   assert_int_equal(p->nsocks, 1); /* kept as history */
   StoreStats st = stats(s);
   assert_int_equal(st.socks, 1);
   assert_int_equal(st.socks_active, 0);
   assert_int_equal(st.edges_active, 0);
   assert_int_equal(st.events, 4);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_accept_and_listen(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(200, 1, SEC, "nginx", SEC));
   apply(s, TU_sock(EV_LISTEN, 200, SEC, "0.0.0.0", 80, "0.0.0.0", 0, 2 * SEC));
   Proc* p = Store_proc(s, 200);
   assert_int_equal(listLen(&p->listens), 1);
   Sock* l = LIST_ENTRY(p->listens.next, Sock, node);
   assert_int_equal(l->dir, DIR_LISTEN);
   assert_int_equal(l->state, TCPS_LISTEN);
   assert_null(l->edge);
   assert_true(Sock_isListen(l));
   assert_int_equal(stats(s).endpoints, 0);

   apply(s, TU_sock(EV_ACCEPT, 200, SEC, "10.0.0.1", 80, "10.9.9.9", 51000, 3 * SEC));
   Event q = TU_sock(EV_ACCEPT, 200, SEC, "10.0.0.1", 80, "10.9.9.9", 51000, 0);
   SockKey key = keyOf(&q);
   Sock* k = Store_sock(s, &key);
   assert_non_null(k);
   assert_int_equal(k->dir, DIR_IN);
   assert_int_equal(k->state, TCPS_ESTABLISHED);
   assert_ptr_equal(k->proc, p);
   assert_int_equal(listLen(&p->edges), 1);
   assert_int_equal(p->nactive, 2);
   checkInvariants(s, true);
   Store_free(s);
}

/* Events from different CPUs can arrive out of order: a late connect or
 * accept does not move a socket's state back. */
static void test_late_open_events_keep_state(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, sockEv(EV_CONNECTED, 10, "10.18.0.1", 80, 40500, 2 * SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.18.0.1", 80, 40500, SEC)); /* late */
   Sock* k = sockAt(s, "10.18.0.1", 80, 40500);
   assert_int_equal(k->state, TCPS_ESTABLISHED);
   assert_int_equal(k->dir, DIR_OUT);
   Event st = sockEv(EV_STATE, 0, "10.18.0.2", 50000, 80, 3 * SEC);
   st.sock.oldstate = TCPS_ESTABLISHED;
   st.sock.state = TCPS_CLOSE_WAIT; /* the peer closed before accept() */
   apply(s, st);
   apply(s, sockEv(EV_ACCEPT, 20, "10.18.0.2", 50000, 80, 4 * SEC));
   Sock* a = sockAt(s, "10.18.0.2", 50000, 80);
   assert_int_equal(a->state, TCPS_CLOSE_WAIT);
   assert_int_equal(a->dir, DIR_IN);
   assert_ptr_equal(a->proc, Store_proc(s, 20)); /* orphan got its owner */
   /* but an accept after SYN_RECV does establish it */
   st = sockEv(EV_STATE, 0, "10.18.0.3", 50001, 80, 5 * SEC);
   st.sock.oldstate = TCPS_LISTEN;
   st.sock.state = TCPS_SYN_RECV;
   apply(s, st);
   apply(s, sockEv(EV_ACCEPT, 20, "10.18.0.3", 50001, 80, 6 * SEC));
   assert_int_equal(sockAt(s, "10.18.0.3", 50001, 80)->state, TCPS_ESTABLISHED);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_connect_failure(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(300, 1, SEC, "ssh", SEC));
   apply(s, sockEv(EV_CONNECT, 300, "10.1.1.1", 22, 40001, 2 * SEC));
   Event f = sockEv(EV_CONNECT_FAIL, 300, "10.1.1.1", 22, 40001, 3 * SEC);
   f.sock.err = 111;
   apply(s, f);
   Sock* k = sockAt(s, "10.1.1.1", 22, 40001);
   assert_non_null(k);
   assert_int_equal(k->err, 111);
   assert_false(Sock_isActive(k));
   assert_int_equal(k->closed, 3 * SEC);
   assert_false(Edge_isActive(k->edge));
   /* A retry on the same tuple is a new socket; the failed one is history. */
   apply(s, sockEv(EV_CONNECT, 300, "10.1.1.1", 22, 40001, 4 * SEC));
   Sock* k2 = sockAt(s, "10.1.1.1", 22, 40001);
   assert_ptr_not_equal(k2, k);
   assert_false(k->hashed);
   assert_true(k2->hashed);
   assert_int_equal(k2->err, 0);
   assert_int_equal(stats(s).socks, 2);
   assert_true(Edge_isActive(k2->edge));
   assert_ptr_equal(k2->edge, k->edge);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_state_close_and_unknown_socket(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(10, 1, SEC, "app", SEC));
   /* A close for a socket never seen opening still records the connection. */
   Event c = sockEv(EV_CLOSE, 10, "10.2.2.2", 8080, 40002, 10 * SEC);
   c.sock.lifetime_ns = 4 * SEC;
   c.sock.tx = 7;
   apply(s, c);
   Sock* k = sockAt(s, "10.2.2.2", 8080, 40002);
   assert_non_null(k);
   assert_false(Sock_isActive(k));
   assert_int_equal(k->opened, 6 * SEC);
   assert_int_equal(Store_proc(s, 10)->tx, 7);
   /* EV_STATE to CLOSE closes a TCP socket. */
   apply(s, sockEv(EV_CONNECT, 10, "10.2.2.3", 80, 40003, 11 * SEC));
   Event st = sockEv(EV_STATE, 10, "10.2.2.3", 80, 40003, 12 * SEC);
   st.sock.oldstate = TCPS_ESTABLISHED;
   st.sock.state = TCPS_FIN_WAIT1;
   apply(s, st);
   Sock* k2 = sockAt(s, "10.2.2.3", 80, 40003);
   assert_int_equal(k2->state, TCPS_FIN_WAIT1);
   assert_true(Sock_isActive(k2));
   st.sock.oldstate = TCPS_FIN_WAIT1;
   st.sock.state = TCPS_CLOSE;
   st.ts = 13 * SEC;
   apply(s, st);
   assert_false(Sock_isActive(k2));
   assert_int_equal(k2->closed, 13 * SEC);
   /* a second close (EV_CLOSE after the state change) keeps the same Sock */
   Event c2 = sockEv(EV_CLOSE, 10, "10.2.2.3", 80, 40003, 13 * SEC + 1);
   c2.sock.rx = 99;
   apply(s, c2);
   assert_ptr_equal(sockAt(s, "10.2.2.3", 80, 40003), k2);
   assert_int_equal(k2->rx, 99);
   assert_int_equal(k2->closed, 13 * SEC);
   assert_int_equal(stats(s).socks, 2);
   checkInvariants(s, true);
   Store_free(s);
}

/* ---- processes ---- */

static void test_pid_reuse(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(500, 1, 100 * SEC, "old", 100 * SEC));
   apply(s, sockEv(EV_CONNECT, 500, "10.3.3.3", 80, 40010, 101 * SEC));
   Proc* old = Store_proc(s, 500);
   /* Same start seen at tick granularity: the same process. */
   apply(s, procEv(500, 1, 100 * SEC + 7 * MS, "old", 102 * SEC));
   assert_ptr_equal(Store_proc(s, 500), old);
   /* start 0 (unknown) matches too */
   apply(s, sockEv(EV_BYTES, 500, "10.3.3.3", 80, 40010, 102 * SEC));
   assert_ptr_equal(Store_proc(s, 500), old);
   assert_int_equal(stats(s).procs, 1);
   /* A later start is a new process; the old one stays as dead history. */
   apply(s, TU_exec(500, 1, 200 * SEC, "new", 200 * SEC));
   Proc* p = Store_proc(s, 500);
   assert_ptr_not_equal(p, old);
   assert_string_equal(p->comm, "new");
   assert_int_equal(p->start, 200 * SEC);
   assert_false(old->hashed);
   assert_true(p->hashed);
   assert_false(Proc_isAlive(old));
   assert_string_equal(old->comm, "old");
   assert_int_equal(old->nsocks, 1);
   assert_int_equal(stats(s).procs, 2);
   assert_int_equal(stats(s).procs_alive, 1);
   /* A late event of the old incarnation goes to the old Proc. */
   apply(s, TU_exit(500, 100 * SEC, 9, 150 * SEC));
   assert_true(Proc_isAlive(p));
   assert_int_equal(old->exit_code, 0); /* already dead; exit code unknown */
   checkInvariants(s, true);
   Store_free(s);
}

static void test_fork_exec_exit(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   apply(s, TU_exec(50, 1, 2 * SEC, "bash", 2 * SEC));
   apply(s, TU_fork(50, 2 * SEC, 51, 3 * SEC, 3 * SEC));
   Proc* bash = Store_proc(s, 50);
   Proc* c = Store_proc(s, 51);
   assert_non_null(c);
   assert_ptr_equal(c->parent, bash);
   assert_int_equal(c->ppid, 50);
   assert_string_equal(c->comm, "bash");
   assert_string_equal(c->exe, "/usr/bin/bash");
   assert_string_equal(c->cmdline, "bash");
   assert_int_equal(bash->nlive_desc, 1);
   assert_int_equal(Store_proc(s, 1)->nlive_desc, 2);

   Event ex = TU_exec(51, 50, 3 * SEC, "curl", 4 * SEC);
   const char args[] = "curl\0-s\0http://x";
   memcpy(ex.proc.args, args, sizeof args);
   ex.proc.args_len = sizeof args;
   apply(s, ex);
   assert_ptr_equal(Store_proc(s, 51), c);
   assert_string_equal(c->comm, "curl");
   assert_string_equal(c->exe, "/usr/bin/curl");
   assert_string_equal(c->cmdline, "curl -s http://x");

   apply(s, TU_exit(51, 3 * SEC, 256, 5 * SEC));
   assert_false(Proc_isAlive(c));
   assert_int_equal(c->exit_code, 256);
   assert_int_equal(c->exited, 5 * SEC);
   assert_int_equal(bash->nlive_desc, 0);
   assert_int_equal(Store_proc(s, 1)->nlive_desc, 1);
   assert_int_equal(stats(s).procs_alive, 2);
   /* exit of a pid never seen is ignored */
   apply(s, TU_exit(4242, 0, 0, 6 * SEC));
   assert_null(Store_proc(s, 4242));
   checkInvariants(s, true);
   Store_free(s);
}

static void test_fork_after_child_exec(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(60, 1, SEC, "make", SEC));
   /* the child's exec reached us before the fork (another CPU) */
   apply(s, TU_exec(61, 60, 2 * SEC, "cc", 2 * SEC + 5));
   apply(s, TU_fork(60, SEC, 61, 2 * SEC, 2 * SEC));
   Proc* c = Store_proc(s, 61);
   assert_string_equal(c->comm, "cc");
   assert_ptr_equal(c->parent, Store_proc(s, 60));
   assert_int_equal(Store_proc(s, 60)->nchildren, 1);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_late_parent_and_reparent(void** state) {
   (void)state;
   Store* s = Store_new(0);
   /* snapshot order: child before its parent */
   apply(s, procEv(701, 700, 20 * SEC, "worker", 30 * SEC));
   Proc* w = Store_proc(s, 701);
   assert_null(w->parent);
   apply(s, procEv(700, 1, 10 * SEC, "master", 30 * SEC));
   Proc* m = Store_proc(s, 700);
   assert_ptr_equal(w->parent, m);
   assert_int_equal(m->nlive_desc, 1);
   /* a parent that started after the child cannot be its parent */
   apply(s, procEv(801, 800, 20 * SEC, "late", 30 * SEC));
   apply(s, procEv(800, 1, 25 * SEC, "newer", 30 * SEC));
   assert_null(Store_proc(s, 801)->parent);
   /* init shows up: the roots waiting for pid 1 are adopted */
   apply(s, procEv(1, 0, SEC, "init", 30 * SEC));
   Proc* init = Store_proc(s, 1);
   assert_ptr_equal(m->parent, init);
   assert_ptr_equal(Store_proc(s, 800)->parent, init);
   assert_int_equal(init->nlive_desc, 3);
   /* master exits: the worker stays under it until we learn its new ppid */
   apply(s, TU_exit(700, 10 * SEC, 0, 40 * SEC));
   assert_ptr_equal(w->parent, m);
   assert_int_equal(init->nlive_desc, 2); /* worker and 800; 801 waits for 800 */
   assert_int_equal(m->nlive_desc, 1);
   /* the kernel reparented it to init */
   apply(s, procEv(701, 1, 20 * SEC, "worker", 41 * SEC));
   assert_ptr_equal(w->parent, init);
   assert_int_equal(m->nchildren, 0);
   assert_int_equal(m->nlive_desc, 0);
   assert_int_equal(init->nlive_desc, 2);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_cycle_refused(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, procEv(900, 901, 0, "a", SEC));
   apply(s, procEv(901, 900, 0, "b", SEC));
   Proc* a = Store_proc(s, 900);
   Proc* b = Store_proc(s, 901);
   /* one link is made, the one that would close the loop is refused */
   assert_true((a->parent == b && b->parent == NULL) || (b->parent == a && a->parent == NULL));
   apply(s, procEv(900, 900, 0, "a", SEC)); /* its own parent */
   assert_ptr_not_equal(a->parent, a);
   checkInvariants(s, true);
   Store_free(s);
}

/* ---- sockets ---- */

static void test_ownership_moves_on_accept(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 1, SEC, "server", SEC));
   /* the handshake completed in another task's context (softirq) */
   Event st = sockEv(EV_STATE, 77, "10.5.5.5", 50000, 80, 2 * SEC);
   st.sock.oldstate = TCPS_SYN_RECV;
   st.sock.state = TCPS_ESTABLISHED;
   apply(s, st);
   Sock* k = sockAt(s, "10.5.5.5", 50000, 80);
   Proc* other = Store_proc(s, 77);
   assert_ptr_equal(k->proc, other);
   assert_string_equal(other->comm, "?"); /* placeholder */
   /* a later state change in yet another context does not move it */
   st.pid = 78;
   st.sock.oldstate = TCPS_ESTABLISHED;
   st.sock.state = TCPS_ESTABLISHED;
   apply(s, st);
   assert_ptr_equal(k->proc, other);
   apply(s, bytesEv(77, "10.5.5.5", 50000, 80, 10, 20, 2 * SEC + 1));
   /* accept moves it, with its bytes */
   apply(s, sockEv(EV_ACCEPT, 100, "10.5.5.5", 50000, 80, 3 * SEC));
   Proc* srv = Store_proc(s, 100);
   assert_ptr_equal(k->proc, srv);
   assert_int_equal(k->dir, DIR_IN);
   assert_int_equal(other->nsocks, 0);
   assert_int_equal(other->nactive, 0);
   assert_int_equal(other->tx, 0);
   assert_int_equal(srv->nactive, 1);
   assert_int_equal(srv->tx, 10);
   assert_int_equal(srv->rx, 20);
   assert_int_equal(k->edge->tx, 10);
   assert_int_equal(epAt(s, "10.5.5.5")->tx, 10); /* not doubled */
   assert_int_equal(stats(s).socks, 1);
   checkInvariants(s, true);
   /* the placeholder learns its name later */
   apply(s, procEv(77, 1, 0, "kworker", 4 * SEC));
   assert_string_equal(other->comm, "kworker");
   Store_free(s);
}

static void test_snapshot_no_duplicate(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 1, SEC, "app", SEC));
   Event c = sockEv(EV_CONNECT, 100, "10.6.6.6", 443, 40100, 2 * SEC);
   c.sock.sk = 0xabc;
   apply(s, c);
   Sock* k = sockAt(s, "10.6.6.6", 443, 40100);
   /* the snapshot sees the same socket: updated, not duplicated */
   Event snap = sockEv(EV_SOCK, 100, "10.6.6.6", 443, 40100, 3 * SEC);
   snap.sock.sk = 0xabc;
   snap.sock.state = TCPS_ESTABLISHED;
   snap.sock.tx = 40;
   snap.sock.ino = 1234;
   apply(s, snap);
   assert_ptr_equal(sockAt(s, "10.6.6.6", 443, 40100), k);
   assert_int_equal(stats(s).socks, 1);
   assert_int_equal(k->state, TCPS_ESTABLISHED);
   assert_int_equal(k->tx, 40);
   assert_int_equal(k->ino, 1234);
   /* snapshot with another sk identity (cookie vs pointer) still no dup */
   snap.sock.sk = 0xdef;
   apply(s, snap);
   assert_int_equal(stats(s).socks, 1);
   /* closed by the probe; a stale snapshot must not reopen it */
   apply(s, sockEv(EV_CLOSE, 100, "10.6.6.6", 443, 40100, 5 * SEC));
   snap.sock.sk = 0xabc;
   snap.ts = 6 * SEC; /* same sk: stale even though later */
   apply(s, snap);
   snap.sock.sk = 0;
   snap.ts = 4 * SEC; /* taken before the close */
   apply(s, snap);
   assert_ptr_equal(sockAt(s, "10.6.6.6", 443, 40100), k);
   assert_false(Sock_isActive(k));
   assert_int_equal(stats(s).socks, 1);
   assert_int_equal(stats(s).socks_active, 0);
   /* a later snapshot with another socket on that tuple is a new one */
   snap.sock.sk = 0x999;
   snap.ts = 7 * SEC;
   apply(s, snap);
   Sock* k2 = sockAt(s, "10.6.6.6", 443, 40100);
   assert_ptr_not_equal(k2, k);
   assert_true(Sock_isActive(k2));
   assert_int_equal(stats(s).socks, 2);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_other_sk_replaces_active(void** state) {
   (void)state;
   Store* s = Store_new(0);
   Event c = sockEv(EV_CONNECT, 100, "10.6.6.7", 443, 40101, 2 * SEC);
   c.sock.sk = 1;
   apply(s, c);
   Sock* k = sockAt(s, "10.6.6.7", 443, 40101);
   c.sock.sk = 2;
   c.ts = 3 * SEC;
   apply(s, c); /* the close of sk 1 was lost */
   Sock* k2 = sockAt(s, "10.6.6.7", 443, 40101);
   assert_ptr_not_equal(k, k2);
   assert_false(Sock_isActive(k));
   assert_int_equal(k->closed, 3 * SEC);
   assert_int_equal(k2->sk, 2);
   assert_int_equal(stats(s).socks_active, 1);
   checkInvariants(s, true);
   Store_free(s);
}

static void test_bytes_sums(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 1, SEC, "a", SEC));
   apply(s, TU_exec(101, 1, SEC, "b", SEC));
   apply(s, sockEv(EV_CONNECT, 100, "10.7.7.7", 80, 41000, 2 * SEC));
   apply(s, sockEv(EV_CONNECT, 100, "10.7.7.7", 81, 41001, 2 * SEC));
   apply(s, sockEv(EV_CONNECT, 100, "10.7.7.8", 80, 41002, 2 * SEC));
   apply(s, sockEv(EV_CONNECT, 101, "10.7.7.7", 80, 41003, 2 * SEC));
   apply(s, bytesEv(100, "10.7.7.7", 80, 41000, 100, 1000, 3 * SEC));
   apply(s, bytesEv(100, "10.7.7.7", 80, 41000, 150, 1000, 4 * SEC)); /* cumulative */
   apply(s, bytesEv(100, "10.7.7.7", 80, 41000, 120, 900, 4 * SEC));  /* late, smaller */
   apply(s, bytesEv(100, "10.7.7.7", 81, 41001, 5, 6, 4 * SEC));
   apply(s, bytesEv(100, "10.7.7.8", 80, 41002, 7, 8, 4 * SEC));
   apply(s, bytesEv(101, "10.7.7.7", 80, 41003, 11, 12, 5 * SEC));
   Proc* a = Store_proc(s, 100);
   Proc* b = Store_proc(s, 101);
   assert_int_equal(sockAt(s, "10.7.7.7", 80, 41000)->tx, 150);
   assert_int_equal(sockAt(s, "10.7.7.7", 80, 41000)->rx, 1000);
   assert_int_equal(a->tx, 162);
   assert_int_equal(a->rx, 1014);
   assert_int_equal(b->tx, 11);
   Edge* e = sockAt(s, "10.7.7.7", 80, 41000)->edge;
   assert_int_equal(e->tx, 155);
   assert_int_equal(e->rx, 1006);
   assert_int_equal(listLen(&e->socks), 2);
   assert_int_equal(e->last, 4 * SEC);
   Endpoint* ep = epAt(s, "10.7.7.7");
   assert_int_equal(ep->tx, 166);
   assert_int_equal(ep->rx, 1018);
   assert_int_equal(ep->nedges, 2);
   assert_int_equal(ep->nactive, 3);
   assert_int_equal(ep->last, 5 * SEC);
   assert_int_equal(epAt(s, "10.7.7.8")->tx, 7);
   checkInvariants(s, true);
   /* edge sums stay when its sockets are pruned */
   Event cl = sockEv(EV_CLOSE, 100, "10.7.7.7", 81, 41001, 6 * SEC);
   apply(s, cl);
   PruneCount pc = Store_prune(s);
   assert_int_equal(pc.socks, 1);
   assert_int_equal(pc.edges, 0);
   assert_int_equal(e->tx, 155);
   assert_int_equal(listLen(&e->socks), 1);
   checkInvariants(s, false);
   Store_free(s);
}

static void test_udp_and_exit(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(400, 1, SEC, "dig", SEC));
   Event u = udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53000, 2 * SEC);
   u.sock.count = 3;
   u.sock.tx = 90;
   apply(s, u);
   u.sock.count = 2; /* late: counts only grow */
   apply(s, u);
   Event ul = udpEv(EV_SOCK, 400, "0.0.0.0", 0, 5353, 2 * SEC);
   ul.sock.state = TCPS_CLOSE; /* how the kernel reports unconnected UDP */
   apply(s, ul);
   apply(s, sockEv(EV_CONNECT, 400, "10.8.8.9", 443, 41000, 2 * SEC));
   Proc* p = Store_proc(s, 400);
   Event q = udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53000, 0);
   SockKey key = keyOf(&q);
   Sock* k = Store_sock(s, &key);
   assert_non_null(k);
   assert_int_equal(k->udp_count, 3);
   assert_int_equal(k->tx, 90);
   assert_int_equal(k->key.proto, IPPROTO_UDP);
   assert_int_equal(p->nactive, 3);
   Sock* l = LIST_ENTRY(p->listens.next, Sock, node);
   assert_true(Sock_isActive(l)); /* UDP "CLOSE" state is not closed */
   /* exit: UDP sockets end with it, TCP waits for the kernel */
   apply(s, TU_exit(400, SEC, 0, 3 * SEC));
   assert_false(Sock_isActive(k));
   assert_int_equal(k->closed, 3 * SEC);
   assert_false(Sock_isActive(l));
   assert_true(Sock_isActive(sockAt(s, "10.8.8.9", 443, 41000)));
   assert_int_equal(p->nactive, 1);
   /* holding an active socket, the exited process is not pruned */
   Store_prune(s);
   assert_non_null(Store_proc(s, 400));
   checkInvariants(s, false);
   Store_free(s);
}

static Sock* udpAt(Store* s, uint16_t lport) {
   Event q = udpEv(EV_UDP_PEER, 0, "10.8.8.8", 53, lport, 0);
   SockKey key = keyOf(&q);
   return Store_sock(s, &key);
}

/* UDP has no close: a socket silent for the quiet time is taken as
 * closed; one that speaks stays, and a bound server socket never expires. */
static void test_udp_quiet(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(400, 1, SEC, "app", SEC));
   apply(s, udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53000, 2 * SEC)); /* one exchange */
   apply(s, udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53001, 100 * SEC));
   apply(s, udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53001, 105 * SEC)); /* a stream */
   Event ul = udpEv(EV_LISTEN, 400, "0.0.0.0", 0, 5353, 2 * SEC);
   ul.sock.dir = DIR_LISTEN;
   apply(s, ul);
   Sock* a = udpAt(s, 53000);
   Sock* b = udpAt(s, 53001);
   Proc* p = Store_proc(s, 400);
   assert_int_equal(p->nactive, 3);
   /* the one exchange: 30 s (STORE_UDP_BRIEF_NS) */
   assert_int_equal(Store_closeQuietUdp(s, 32 * SEC, 120 * SEC), 0); /* 30 s exactly: kept */
   assert_int_equal(Store_closeQuietUdp(s, 33 * SEC, 120 * SEC), 1);
   assert_false(Sock_isActive(a));
   assert_int_equal(a->closed, 33 * SEC);
   assert_true(Sock_isActive(b));
   /* the stream: 120 s after its last datagram */
   assert_int_equal(Store_closeQuietUdp(s, 225 * SEC, 120 * SEC), 0);
   apply(s, udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53001, 200 * SEC)); /* speaks again */
   assert_int_equal(Store_closeQuietUdp(s, 320 * SEC, 120 * SEC), 0);
   assert_int_equal(Store_closeQuietUdp(s, 321 * SEC, 120 * SEC), 1);
   assert_false(Sock_isActive(b));
   assert_int_equal(Store_closeQuietUdp(s, 10000 * SEC, 120 * SEC), 0); /* the listener stays */
   assert_int_equal(p->nactive, 1);
   assert_int_equal(stats(s).udp_quiet_closed, 2);
   /* a datagram after the close is a new socket, active; a shorter quiet
    * time given holds for both kinds */
   apply(s, udpEv(EV_UDP_PEER, 400, "10.8.8.8", 53, 53000, 10001 * SEC));
   assert_true(Sock_isActive(udpAt(s, 53000)));
   assert_int_equal(stats(s).socks_active, 2);
   assert_int_equal(Store_closeQuietUdp(s, 10012 * SEC, 10 * SEC), 1);
   checkInvariants(s, false);
   Store_free(s);
}

static void test_orphans(void** state) {
   (void)state;
   Store* s = Store_new(0);
   Event o = sockEv(EV_SOCK, 0, "10.9.0.1", 443, 42000, SEC);
   o.sock.noowner = NOOWN_PERM;
   apply(s, o);
   Event tw = sockEv(EV_SOCK, 0, "10.9.0.2", 443, 42001, SEC);
   tw.sock.noowner = NOOWN_ORPHAN;
   tw.sock.state = TCPS_TIME_WAIT;
   apply(s, tw);
   assert_int_equal(listLen(Store_orphans(s)), 2);
   Sock* k = sockAt(s, "10.9.0.1", 443, 42000);
   assert_null(k->proc);
   assert_null(k->edge);
   assert_int_equal(k->noowner, NOOWN_PERM);
   assert_int_equal(stats(s).orphans, 2);
   assert_int_equal(stats(s).procs, 0);
   checkInvariants(s, true);
   /* a snapshot's TIME_WAIT socket is closed already: history, not active */
   Sock* t = sockAt(s, "10.9.0.2", 443, 42001);
   assert_int_equal(t->state, TCPS_TIME_WAIT);
   assert_true(t->closed != 0);
   assert_int_equal(stats(s).socks_active, 1);
   /* its later close changes nothing, and it is never silently dropped */
   apply(s, sockEv(EV_CLOSE, 0, "10.9.0.2", 443, 42001, 2 * SEC));
   assert_int_equal(listLen(Store_orphans(s)), 2);
   assert_int_equal(stats(s).socks_active, 1);
   /* an owner shows up */
   apply(s, TU_exec(123, 1, SEC, "java", 3 * SEC));
   apply(s, bytesEv(123, "10.9.0.1", 443, 42000, 1, 2, 4 * SEC));
   assert_ptr_equal(k->proc, Store_proc(s, 123));
   assert_int_equal(k->noowner, NOOWN_NONE);
   assert_int_equal(stats(s).orphans, 1);
   checkInvariants(s, true);
   PruneCount pc = Store_prune(s);
   assert_int_equal(pc.socks, 1);
   assert_int_equal(stats(s).orphans, 0);
   checkInvariants(s, false);
   Store_free(s);
}

static void test_malformed_rejected(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 1, SEC, "x", SEC));
   StoreStats before = stats(s);
   Event bad[12];
   int n = 0;
   memset(&bad[n++], 0, sizeof bad[0]);              /* EV_NONE */
   bad[n] = TU_exec(100, 1, SEC, "x", SEC);
   bad[n++].type = EV__COUNT;                         /* unknown type */
   bad[n] = TU_exec(100, 1, SEC, "x", SEC);
   bad[n++].type = 0xffff;
   bad[n++] = TU_exec(0, 1, SEC, "x", SEC);           /* pid 0 */
   bad[n++] = TU_exit(0, SEC, 0, SEC);
   bad[n++] = TU_fork(100, SEC, 0, SEC, SEC);         /* child 0 */
   bad[n++] = TU_fork(100, SEC, 100, SEC, SEC);       /* itself */
   bad[n] = sockEv(EV_CONNECT, 100, "10.0.0.9", 1, 2, SEC);
   bad[n++].sock.proto = 1;                           /* ICMP */
   bad[n] = sockEv(EV_CONNECT, 100, "10.0.0.9", 1, 2, SEC);
   bad[n++].sock.family = AF_UNIX;
   bad[n] = sockEv(EV_STATE, 100, "10.0.0.9", 1, 2, SEC);
   bad[n++].sock.state = 200;
   bad[n] = sockEv(EV_CONNECT, 100, "10.0.0.9", 1, 2, SEC);
   bad[n++].sock.dir = 9;
   bad[n] = sockEv(EV_CONNECT_FAIL, 100, "10.0.0.9", 1, 2, SEC);
   bad[n++].sock.err = -5;
   for (int i = 0; i < n; i++)
      assert_int_equal(Store_apply(s, &bad[i]), -1);
   StoreStats after = stats(s);
   assert_int_equal(after.bad_events, n);
   assert_int_equal(after.events, before.events);
   assert_int_equal(after.procs, before.procs);
   assert_int_equal(after.socks, 0);
   assert_int_equal(after.endpoints, 0);
   checkInvariants(s, true);
   Store_free(s);
}

/* ---- prune and cap ---- */

static void test_prune_all(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   apply(s, TU_fork(1, SEC, 10, 2 * SEC, 2 * SEC));   /* A alive */
   apply(s, TU_fork(10, 2 * SEC, 11, 3 * SEC, 3 * SEC)); /* B, will exit */
   apply(s, TU_fork(11, 3 * SEC, 12, 4 * SEC, 4 * SEC)); /* C alive under B */
   apply(s, TU_fork(11, 3 * SEC, 13, 4 * SEC, 4 * SEC)); /* D, exits, holds a live TCP */
   apply(s, TU_fork(1, SEC, 20, 2 * SEC, 2 * SEC));   /* E exits, nothing held */
   apply(s, sockEv(EV_CONNECT, 13, "10.10.0.1", 80, 43000, 5 * SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.10.0.2", 80, 43001, 5 * SEC));
   apply(s, sockEv(EV_CLOSE, 10, "10.10.0.2", 80, 43001, 6 * SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.10.0.3", 80, 43002, 5 * SEC));
   apply(s, sockEv(EV_CLOSE, 10, "10.10.0.3", 80, 43002, 6 * SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.10.0.3", 81, 43003, 5 * SEC)); /* stays open */
   apply(s, TU_exit(11, 3 * SEC, 0, 7 * SEC));
   apply(s, TU_exit(13, 4 * SEC, 0, 7 * SEC));
   apply(s, TU_exit(20, 2 * SEC, 0, 7 * SEC));
   checkInvariants(s, true);
   Proc *A = Store_proc(s, 10), *B = Store_proc(s, 11), *C = Store_proc(s, 12),
        *D = Store_proc(s, 13);

   PruneCount pc = Store_prune(s);
   assert_int_equal(pc.socks, 2);  /* A's two closed sockets */
   assert_int_equal(pc.edges, 1);  /* A -> 10.10.0.2 (10.10.0.3 still active) */
   assert_int_equal(pc.procs, 1);  /* E */
   assert_null(Store_proc(s, 20));
   assert_null(epAt(s, "10.10.0.2"));   /* endpoint without edges removed */
   assert_non_null(epAt(s, "10.10.0.3"));
   assert_ptr_equal(Store_proc(s, 11), B); /* exited, live child C */
   assert_ptr_equal(Store_proc(s, 13), D); /* exited, holds an active socket */
   checkInvariants(s, false);

   /* C exits: B has no live descendant, D still holds its socket. B goes,
    * and its remaining children (C, D) move up to A. */
   apply(s, TU_exit(12, 4 * SEC, 0, 8 * SEC));
   pc = Store_prune(s);
   assert_int_equal(pc.procs, 2); /* B and C */
   assert_int_equal(pc.socks, 0);
   assert_null(Store_proc(s, 11));
   assert_null(Store_proc(s, 12));
   assert_ptr_equal(D->parent, A);
   assert_int_equal(D->ppid, 10);
   checkInvariants(s, false);
   (void)C;

   /* D's socket closes: D and its edge go */
   apply(s, sockEv(EV_CLOSE, 13, "10.10.0.1", 80, 43000, 9 * SEC));
   pc = Store_prune(s);
   assert_int_equal(pc.socks, 1);
   assert_int_equal(pc.edges, 1);
   assert_int_equal(pc.procs, 1);
   assert_int_equal(A->nchildren, 0);
   /* nothing left to prune */
   pc = Store_prune(s);
   assert_int_equal(pc.socks + pc.edges + pc.procs, 0);
   StoreStats st = stats(s);
   assert_int_equal(st.procs, 2);
   assert_int_equal(st.socks, 1);
   assert_int_equal(st.inactive, 0);
   checkInvariants(s, false);
   Store_free(s);
}

/* Exited processes that never held a socket go at the next refresh
 * (Store_dropSockless); those that held one stay as history, and so does
 * an exited parent while a child of it is kept. */
static void test_drop_sockless(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   apply(s, TU_fork(1, SEC, 10, 2 * SEC, 2 * SEC)); /* a shell */
   apply(s, TU_fork(10, 2 * SEC, 11, 3 * SEC, 3 * SEC)); /* its cat */
   apply(s, TU_exit(11, 3 * SEC, 0, 4 * SEC));
   apply(s, TU_fork(1, SEC, 20, 2 * SEC, 5 * SEC)); /* a client */
   apply(s, sockEv(EV_CONNECT, 20, "10.11.0.1", 80, 44000, 6 * SEC));
   apply(s, sockEv(EV_CLOSE, 20, "10.11.0.1", 80, 44000, 7 * SEC));
   apply(s, TU_exit(20, 2 * SEC, 0, 8 * SEC));
   apply(s, TU_fork(1, SEC, 30, 2 * SEC, 5 * SEC)); /* make, sockless */
   apply(s, TU_fork(30, 2 * SEC, 31, 3 * SEC, 5 * SEC)); /* its curl */
   apply(s, sockEv(EV_CONNECT, 31, "10.11.0.2", 80, 44001, 6 * SEC));
   apply(s, TU_exit(31, 3 * SEC, 0, 8 * SEC));
   apply(s, TU_exit(30, 2 * SEC, 0, 9 * SEC));
   apply(s, TU_exit(10, 2 * SEC, 0, 9 * SEC)); /* the shell, childless after its cat */
   assert_int_equal(stats(s).procs, 6);
   assert_int_equal(Store_dropSockless(s), 2); /* cat, then the shell */
   assert_null(Store_proc(s, 11));
   assert_null(Store_proc(s, 10));
   assert_non_null(Store_proc(s, 20)); /* held a socket */
   assert_non_null(Store_proc(s, 30)); /* a parent of one that did */
   assert_non_null(Store_proc(s, 31));
   assert_int_equal(stats(s).procs, 4);
   assert_int_equal(Store_dropSockless(s), 0);
   checkInvariants(s, false);
   Store_free(s);
}

/* History per conversation: an edge keeps its STORE_FOLD_KEEP latest
 * closed connections per fold port; older ones are merged into one
 * summary of that port with their count and sums. Another port of the
 * same edge keeps its own. A process exiting with many UDP sockets to one
 * port merges them while it closes them. */
static void test_fold_history(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(10, 1, SEC, "client", SEC));
   uint64_t tx80 = 0, tx_merged = 0, rx_merged = 0, first = 0, last_merged = 0;
   int n80 = 0;
   for (int i = 0; i < 100; i++) {
      uint16_t rport = i % 10 == 9 ? 443 : 80, lport = (uint16_t)(40000 + i);
      uint64_t ts = (uint64_t)(i + 2) * SEC;
      apply(s, sockEv(EV_CONNECT, 10, "10.20.0.1", rport, lport, ts));
      apply(s, bytesEv(10, "10.20.0.1", rport, lport, (uint64_t)i + 1, 2 * ((uint64_t)i + 1),
                       ts + 1));
      apply(s, sockEv(EV_CLOSE, 10, "10.20.0.1", rport, lport, ts + 2));
      if (rport != 80)
         continue;
      tx80 += (uint64_t)i + 1;
      if (++n80 <= 90 - STORE_FOLD_KEEP) { /* the oldest 58 of port 80's 90 */
         tx_merged += (uint64_t)i + 1;
         rx_merged += 2 * ((uint64_t)i + 1);
         last_merged = ts + 2;
         if (!first)
            first = ts;
      }
   }
   StoreStats st = stats(s);
   assert_int_equal(st.socks, STORE_FOLD_KEEP + 1 + 10);
   assert_int_equal(st.merged, 90 - STORE_FOLD_KEEP);
   assert_int_equal(st.inactive, STORE_FOLD_KEEP + 1 + 10 + 1); /* + the edge */
   Edge* e = LIST_ENTRY(Store_proc(s, 10)->edges.next, Edge, proc_node);
   assert_int_equal(e->tx, 5050);
   assert_int_equal(e->rx, 10100);
   Sock* sum = NULL;
   int kept80 = 0, kept443 = 0;
   LIST_FOREACH(sn, &e->socks) {
      Sock* k = LIST_ENTRY(sn, Sock, node);
      if (k->merged)
         sum = k;
      else if (k->key.rport == 80)
         kept80++;
      else
         kept443++;
   }
   assert_int_equal(kept80, STORE_FOLD_KEEP);
   assert_int_equal(kept443, 10);
   assert_non_null(sum);
   assert_int_equal(sum->merged, 90 - STORE_FOLD_KEEP);
   assert_int_equal(sum->key.rport, 80);
   assert_int_equal(sum->tx, tx_merged);
   assert_int_equal(sum->rx, rx_merged);
   assert_int_equal(sum->opened, first);
   assert_int_equal(sum->closed, last_merged);
   assert_int_equal(Store_proc(s, 10)->tx, 5050);
   assert_true(tx80 > tx_merged);
   checkInvariants(s, true);

   /* interleaved: one close in nine to each of eight UDP ports and a TCP
    * port; each fold keeps its own 32, however mixed the closes come */
   apply(s, TU_exec(12, 1, SEC, "mixed", SEC));
   for (int i = 0; i < 900; i++) {
      uint16_t lport = (uint16_t)(20000 + i), rport = (uint16_t)(7800 + i % 9);
      Event o = i % 9 == 8 ? sockEv(EV_CONNECT, 12, "10.20.0.9", rport, lport, 300 * SEC)
                           : udpEv(EV_UDP_PEER, 12, "10.20.0.9", rport, lport, 300 * SEC);
      apply(s, o);
      Event c = o;
      c.type = EV_CLOSE;
      c.sock.dir = 0;
      c.ts = 300 * SEC + 1;
      apply(s, c);
   }
   st = stats(s);
   assert_int_equal(st.socks, STORE_FOLD_KEEP + 1 + 10 + 9 * (STORE_FOLD_KEEP + 1));
   assert_int_equal(st.merged, 90 - STORE_FOLD_KEEP + 9 * (100 - STORE_FOLD_KEEP));
   checkInvariants(s, true);
   apply(s, TU_exit(12, SEC, 0, 301 * SEC));

   /* 40 UDP sockets to one resolver, closed by their process's exit */
   apply(s, TU_exec(11, 1, SEC, "resolver", SEC));
   for (int i = 0; i < 40; i++)
      apply(s, udpEv(EV_UDP_PEER, 11, "10.20.0.53", 53, (uint16_t)(50000 + i), 200 * SEC));
   assert_int_equal(stats(s).socks_active, 40);
   apply(s, TU_exit(11, SEC, 0, 201 * SEC));
   st = stats(s);
   assert_int_equal(st.socks_active, 0);
   assert_int_equal(st.socks,
                    STORE_FOLD_KEEP + 1 + 10 + 9 * (STORE_FOLD_KEEP + 1) + STORE_FOLD_KEEP + 1);
   assert_int_equal(st.merged,
                    90 - STORE_FOLD_KEEP + 9 * (100 - STORE_FOLD_KEEP) + 40 - STORE_FOLD_KEEP);
   checkInvariants(s, true);
   Store_free(s);
}

/* Rates: a baseline, then the first rate as it is, then an exponential
 * average over STORE_RATE_TAU_S; sums per edge, process and endpoint;
 * totals by state; a closed socket has none. */
static void test_rates(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(10, 1, SEC, "dl", SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.11.0.1", 443, 44000, SEC));
   apply(s, sockEv(EV_CONNECTED, 10, "10.11.0.1", 443, 44000, SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.11.0.2", 80, 44001, SEC));
   apply(s, bytesEv(10, "10.11.0.1", 443, 44000, 100, 5000, 2 * SEC)); /* before: no burst */
   Store_updateRates(s, 2 * SEC);
   Sock* k = sockAt(s, "10.11.0.1", 443, 44000);
   assert_true(k->up == 0.0f && k->down == 0.0f);
   apply(s, bytesEv(10, "10.11.0.1", 443, 44000, 100, 5000 + 2000000, 3 * SEC));
   Store_updateRates(s, 3 * SEC);
   assert_true(k->down == 2000000.0f); /* the first rate as it is */
   /* a steady 1 MB/s after it: the average moves by 1 - e^(-dt/tau) a step */
   double want = 2000000.0;
   for (int i = 4; i <= 13; i++) {
      apply(s, bytesEv(10, "10.11.0.1", 443, 44000, 100, 2005000 + (uint64_t)(i - 3) * 1000000,
                       (uint64_t)i * SEC));
      Store_updateRates(s, (uint64_t)i * SEC);
      want += (1.0 - exp(-1.0 / STORE_RATE_TAU_S)) * (1000000.0 - want);
   }
   assert_true(fabs(k->down - want) < 1.0);
   assert_true(fabs(want - 1000000.0) < 0.01 * 1000000.0); /* within 1 % after 10 s */
   Proc* p = Store_proc(s, 10);
   uint32_t gen = Store_rateGen(s);
   assert_true(p->rate_gen == gen && k->edge->rate_gen == gen && k->ep->rate_gen == gen);
   assert_true(p->down == k->down && k->edge->down == k->down && k->ep->down == k->down);
   const StoreRates* r = Store_rates(s);
   assert_true(r->down == k->down && r->up == 0.0);
   assert_int_equal(r->tcp[TCPS_ESTABLISHED], 1);
   assert_int_equal(r->tcp[TCPS_SYN_SENT], 1);
   assert_int_equal(r->udp, 0);
   /* two connections opened at 1 s: their rate decayed since */
   assert_true(r->new_per_s < 0.01);
   /* closed: no rate, nothing in the sums */
   apply(s, sockEv(EV_CLOSE, 10, "10.11.0.1", 443, 44000, 14 * SEC));
   Store_updateRates(s, 14 * SEC);
   assert_true(k->down == 0.0f && r->down == 0.0);
   assert_true(p->rate_gen != Store_rateGen(s)); /* nothing added: its sums do not hold */
   assert_int_equal(r->tcp[TCPS_ESTABLISHED], 0);
   /* no time passed: nothing changes, nothing divided by zero */
   Store_updateRates(s, 14 * SEC);
   assert_int_equal(r->tcp[TCPS_SYN_SENT], 1);
   Store_free(s);
}

static void test_prune_older(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(10, 1, SEC, "a", SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.11.0.1", 80, 44000, SEC));
   apply(s, sockEv(EV_CLOSE, 10, "10.11.0.1", 80, 44000, 10 * SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.11.0.2", 80, 44001, SEC));
   apply(s, sockEv(EV_CLOSE, 10, "10.11.0.2", 80, 44001, 20 * SEC));
   apply(s, TU_exec(11, 1, SEC, "b", SEC));
   apply(s, TU_exit(11, SEC, 0, 12 * SEC));
   apply(s, TU_exec(12, 1, SEC, "c", SEC));
   apply(s, TU_exit(12, SEC, 0, 25 * SEC));
   PruneCount pc = Store_pruneOlder(s, 30 * SEC, 15 * SEC); /* before 15 s */
   assert_int_equal(pc.socks, 1);
   assert_int_equal(pc.edges, 1);
   assert_int_equal(pc.procs, 1);
   assert_null(sockAt(s, "10.11.0.1", 80, 44000));
   assert_non_null(sockAt(s, "10.11.0.2", 80, 44001));
   assert_null(Store_proc(s, 11));
   assert_non_null(Store_proc(s, 12));
   /* an age larger than now prunes nothing */
   pc = Store_pruneOlder(s, 30 * SEC, 60 * SEC);
   assert_int_equal(pc.socks + pc.edges + pc.procs, 0);
   pc = Store_pruneOlder(s, 100 * SEC, 15 * SEC);
   assert_int_equal(pc.socks, 1);
   assert_int_equal(pc.procs, 1);
   checkInvariants(s, false);
   Store_free(s);
}

static void test_inactive_cap(void** state) {
   (void)state;
   Store* s = Store_new(10);
   apply(s, TU_exec(10, 1, SEC, "a", SEC));
   char ip[32];
   for (int i = 0; i < 30; i++) {
      snprintf(ip, sizeof ip, "10.12.0.%d", i + 1);
      apply(s, sockEv(EV_CONNECT, 10, ip, 80, (uint16_t)(45000 + i), (uint64_t)(i + 1) * SEC));
      apply(s, sockEv(EV_CLOSE, 10, ip, 80, (uint16_t)(45000 + i), (uint64_t)(i + 1) * SEC + 1));
      assert_true(stats(s).inactive <= 10);
   }
   StoreStats st = stats(s);
   /* 30 closed sockets + 30 inactive edges = 60 inactive entries, 10 kept */
   assert_int_equal(st.inactive, 10);
   assert_int_equal(st.evicted, 50);
   assert_int_equal(st.socks + st.edges, 10);
   /* the oldest went first */
   assert_null(sockAt(s, "10.12.0.1", 80, 45000));
   assert_non_null(sockAt(s, "10.12.0.30", 80, 45029));
   assert_null(epAt(s, "10.12.0.1"));
   /* live entries are never evicted */
   assert_non_null(Store_proc(s, 10));
   for (int i = 0; i < 20; i++) {
      snprintf(ip, sizeof ip, "10.13.0.%d", i + 1);
      apply(s, sockEv(EV_CONNECT, 10, ip, 80, 46000, 100 * SEC));
   }
   assert_int_equal(stats(s).socks_active, 20);
   checkInvariants(s, false);
   Store_free(s);
}

/* One eviction can free several entries: every one is counted. */
static void test_cap_counts_every_entry(void** state) {
   (void)state;
   Store* s = Store_new(2);
   apply(s, TU_exec(10, 1, SEC, "a", SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.16.0.1", 80, 48000, SEC));
   apply(s, sockEv(EV_CONNECT, 10, "10.16.0.1", 80, 48001, SEC));
   apply(s, sockEv(EV_CLOSE, 10, "10.16.0.1", 80, 48001, 10 * SEC));
   assert_int_equal(stats(s).inactive, 1);
   /* a late close, stamped before the other: the edge's inactive time (5 s)
    * is the oldest, so the edge goes first, with both its sockets */
   apply(s, sockEv(EV_CLOSE, 10, "10.16.0.1", 80, 48000, 5 * SEC));
   StoreStats st = stats(s);
   assert_int_equal(st.evicted, 3);
   assert_int_equal(st.socks, 0);
   assert_int_equal(st.edges, 0);
   assert_int_equal(st.endpoints, 0);
   assert_int_equal(st.inactive, 0);
   assert_int_equal(Store_proc(s, 10)->nsocks, 0);
   checkInvariants(s, false);
   Store_free(s);
}

static void test_cap_evicts_procs(void** state) {
   (void)state;
   Store* s = Store_new(5);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   for (uint32_t i = 0; i < 20; i++) {
      apply(s, TU_fork(1, SEC, 100 + i, 2 * SEC, 2 * SEC + i));
      apply(s, TU_exit(100 + i, 2 * SEC, 0, 3 * SEC + i));
   }
   StoreStats st = stats(s);
   assert_int_equal(st.procs, 6);
   assert_int_equal(st.evicted, 15);
   assert_null(Store_proc(s, 100));
   assert_non_null(Store_proc(s, 119));
   checkInvariants(s, true);
   Store_free(s);
}

static void test_set_name(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, sockEv(EV_CONNECT, 10, "10.14.0.1", 80, 47000, SEC));
   uint8_t a[16];
   Addr_parse("10.14.0.1", a);
   assert_int_equal(Store_setName(s, a, "example.org"), 0);
   assert_string_equal(epAt(s, "10.14.0.1")->name, "example.org");
   assert_int_equal(Store_setName(s, a, NULL), 0);
   assert_null(epAt(s, "10.14.0.1")->name);
   assert_int_equal(Store_setName(s, a, "again"), 0);
   Addr_parse("10.14.0.2", a);
   assert_int_equal(Store_setName(s, a, "nope"), -1);
   Store_free(s); /* frees the name (ASan/LSan checks) */
}

/* A random but reproducible event stream, with prunes, under a small cap:
 * every counter must match a recount from the links after each batch. */
static void test_random_stream_invariants(void** state) {
   (void)state;
   Store* s = Store_new(300);
   unsigned seed = 12345;
   char ip[32];
   for (int round = 0; round < 40; round++) {
      for (int i = 0; i < 500; i++) {
         uint32_t r = (uint32_t)rand_r(&seed);
         uint32_t pid = 2 + r % 60;
         uint64_t ts = (uint64_t)(round * 500 + i + 1) * MS;
         uint64_t start = (uint64_t)(pid % 3 == 0 && round > 20 ? 2 : 1) * SEC;
         Event e;
         snprintf(ip, sizeof ip, "10.15.%u.%u", (r >> 8) % 3, (r >> 12) % 20);
         uint16_t lport = (uint16_t)(30000 + (r >> 16) % 50);
         switch ((r >> 24) % 12) {
         case 0: e = TU_exec(pid, 2 + (r >> 8) % 60, start, "p", ts); break;
         case 1: e = TU_fork(pid, start, 2 + (r >> 9) % 60, start, ts); break;
         case 2: e = TU_exit(pid, start, 0, ts); break;
         case 3: e = sockEv(EV_CONNECT, pid, ip, 80, lport, ts); break;
         case 4: e = sockEv(EV_CLOSE, pid, ip, 80, lport, ts); break;
         case 5: e = bytesEv(pid, ip, 80, lport, r % 1000, r % 777, ts); break;
         case 6: e = sockEv(EV_ACCEPT, pid, ip, 80, lport, ts); break;
         case 7: e = udpEv(EV_UDP_PEER, pid, ip, 53, lport, ts); break;
         case 8: e = sockEv(EV_SOCK, (r & 1) ? pid : 0, ip, 80, lport, ts); break;
         case 9: e = TU_sock(EV_LISTEN, pid, 0, "0.0.0.0", lport, "0.0.0.0", 0, ts); break;
         case 10: e = procEv(pid, 2 + (r >> 7) % 60, start, "q", ts); break;
         default:
            e = sockEv(EV_STATE, pid, ip, 80, lport, ts);
            e.sock.oldstate = TCPS_ESTABLISHED;
            e.sock.state = (r & 2) ? TCPS_CLOSE : TCPS_FIN_WAIT1;
            break;
         }
         if (e.type == EV_FORK && e.proc.child_pid == e.pid)
            e.proc.child_pid++;
         assert_int_equal(Store_apply(s, &e), 0);
      }
      checkInvariants(s, false);
      assert_true(stats(s).inactive <= 300);
      if (round % 7 == 6) {
         Store_pruneOlder(s, (uint64_t)round * 500 * MS, 200 * MS);
         checkInvariants(s, false);
      }
      if (round % 13 == 12) {
         Store_prune(s);
         checkInvariants(s, false);
      }
   }
   assert_true(stats(s).evicted > 0);
   Store_free(s);
}

/* Store_applyBatch must leave exactly what one Store_apply per event does,
 * malformed events included. */
static void test_batch_equals_single(void** state) {
   (void)state;
   enum { N = 3000 };
   Event* ev = calloc(N, sizeof *ev);
   assert_non_null(ev);
   unsigned seed = 777;
   char ip[32];
   for (int i = 0; i < N; i++) {
      uint32_t r = (uint32_t)rand_r(&seed);
      uint32_t pid = 2 + r % 40;
      uint64_t ts = (uint64_t)(i + 1) * MS;
      snprintf(ip, sizeof ip, "10.17.0.%u", (r >> 8) % 30);
      uint16_t lport = (uint16_t)(30000 + (r >> 16) % 40);
      switch ((r >> 24) % 8) {
      case 0: ev[i] = TU_exec(pid, 1, SEC, "p", ts); break;
      case 1: ev[i] = TU_exit(pid, SEC, 0, ts); break;
      case 2: ev[i] = sockEv(EV_CONNECT, pid, ip, 80, lport, ts); break;
      case 3: ev[i] = sockEv(EV_CLOSE, pid, ip, 80, lport, ts); break;
      case 4: ev[i] = sockEv(EV_SOCK, pid, ip, 80, lport, ts); break;
      case 5:
         ev[i] = sockEv(EV_CONNECT, pid, ip, 80, lport, ts);
         ev[i].sock.proto = 99; /* malformed */
         break;
      default: ev[i] = bytesEv(pid, ip, 80, lport, r % 5000, r % 7000, ts); break;
      }
   }
   Store* a = Store_new(200);
   Store* b = Store_new(200);
   size_t bad = 0;
   for (int i = 0; i < N; i++)
      bad += Store_apply(a, &ev[i]) < 0;
   size_t done = 0, badb = 0;
   for (size_t chunk = 1; done < N; chunk = chunk * 3 + 1) { /* odd sizes, 1 included */
      size_t n = chunk < N - done ? chunk : N - done;
      badb += Store_applyBatch(b, ev + done, n);
      done += n;
   }
   assert_true(bad > 0);
   assert_int_equal(bad, badb);
   StoreStats sa = stats(a), sb = stats(b);
   assert_memory_equal(&sa, &sb, sizeof sa);
   for (Sock* k = Store_firstSock(a); k; k = Store_nextSock(a, k)) {
      Sock* kb = Store_sock(b, &k->key);
      assert_non_null(kb);
      assert_int_equal(kb->tx, k->tx);
      assert_int_equal(kb->rx, k->rx);
      assert_int_equal(kb->closed, k->closed);
      assert_int_equal(kb->proc ? kb->proc->pid : 0, k->proc ? k->proc->pid : 0);
   }
   assert_int_equal(Store_applyBatch(b, ev, 0), 0);
   checkInvariants(b, false);
   Store_free(a);
   Store_free(b);
   free(ev);
}

/* ---- hot-path shortcuts (what they skip must not show) ---- */

/* The key a socket event is looked up by: the same bytes as a field by
 * field copy, padding zero (the index hashes and compares raw bytes). */
static void test_sockkey_from_event(void** state) {
   (void)state;
   Event e = sockEv(EV_CONNECT, 7, "2001:db8::5", 65535, 1, SEC);
   e.sock.netns = 0xF0000001u;
   e.sock.proto = IPPROTO_UDP;
   SockKey k;
   memset(&k, 0xAB, sizeof k);
   SockKey_fromEvent(&k, &e.sock);
   SockKey ref = keyOf(&e);
   assert_memory_equal(&k, &ref, sizeof k);
   assert_int_equal(k.lport, 1);
   assert_int_equal(k.rport, 65535);
   assert_int_equal(k.netns, 0xF0000001u);
   assert_int_equal(k.proto, IPPROTO_UDP);
}

/* Connection churn as under a connect/accept/close load: client and server
 * sockets, ephemeral ports cycling so that a tuple comes back while its
 * closed Sock is still kept, and the inactive cap evicting all along. The
 * new Sock takes over the old one's index slot: lookups, iteration and
 * counts must be as if it had been removed and added. */
static Event churnEv(EventType t, bool server, uint16_t eph, uint64_t sk, uint64_t ts) {
   Event e = TU_sock(t, 900, SEC, "127.0.0.1", server ? 8080 : eph, "127.0.0.1",
                     server ? eph : 8080, ts);
   e.sock.sk = sk;
   if (t == EV_CLOSE || t == EV_CONNECTED)
      e.sock.dir = 0;
   return e;
}

static size_t churnStream(Event* ev, size_t max, int conns, int ports) {
   size_t n = 0;
   ev[n++] = TU_exec(900, 1, SEC, "load", SEC);
   for (int i = 0; i < conns && n + 5 <= max; i++) {
      uint16_t eph = (uint16_t)(40000 + (i * 7) % ports);
      uint64_t ts = 2 * SEC + (uint64_t)i * 5 * MS;
      ev[n++] = churnEv(EV_CONNECT, false, eph, 2 * (uint64_t)i + 1, ts);
      ev[n++] = churnEv(EV_CONNECTED, false, eph, 2 * (uint64_t)i + 1, ts + 1);
      ev[n++] = churnEv(EV_ACCEPT, true, eph, 2 * (uint64_t)i + 2, ts + 2);
      ev[n++] = churnEv(EV_CLOSE, false, eph, 2 * (uint64_t)i + 1, ts + 3);
      ev[n++] = churnEv(EV_CLOSE, true, eph, 2 * (uint64_t)i + 2, ts + 4);
   }
   return n;
}

static void test_tuple_reuse_at_cap(void** state) {
   (void)state;
   enum { CONNS = 400, PORTS = 23, CAP = 60 };
   Event* ev = calloc(5 * CONNS + 1, sizeof *ev);
   assert_non_null(ev);
   size_t n = churnStream(ev, 5 * CONNS + 1, CONNS, PORTS);
   Store* s = Store_new(CAP);
   for (size_t i = 0; i < n; i++) {
      assert_int_equal(Store_apply(s, &ev[i]), 0);
      if (ev[i].type == EV_ACCEPT) { /* the tuple just reopened is the current one */
         SockKey key;
         SockKey_fromEvent(&key, &ev[i].sock);
         Sock* srv = Store_sock(s, &key);
         assert_non_null(srv);
         assert_true(Sock_isActive(srv));
         assert_true(srv->hashed);
         assert_int_equal(srv->sk, ev[i].sock.sk);
      }
      if (i % 97 == 0)
         checkInvariants(s, false);
   }
   checkInvariants(s, false);
   StoreStats st = stats(s);
   /* every socket closed: CAP of them kept (one edge, active never), the
    * rest evicted; each tuple seen has at most one current Sock */
   assert_int_equal(st.socks_active, 0);
   assert_int_equal(st.inactive, CAP);
   assert_int_equal(st.socks, CAP - 1); /* + the inactive edge */
   assert_int_equal(st.evicted, 2 * CONNS - (CAP - 1));
   size_t hashed = 0;
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k))
      hashed++;
   assert_true(hashed <= 2 * PORTS);
   assert_true(hashed > 0);
   /* the process exits holding only closed sockets: none is closed again,
    * the exited process is one more inactive entry, so one socket goes */
   Event x = TU_exit(900, SEC, 0, 100 * SEC);
   assert_int_equal(Store_apply(s, &x), 0);
   assert_int_equal(stats(s).socks, CAP - 2);
   assert_int_equal(stats(s).evicted, 2 * CONNS - (CAP - 2));
   assert_int_equal(stats(s).socks_active, 0);
   checkInvariants(s, false);
   /* the same stream in batches leaves the same store */
   Store* b = Store_new(CAP);
   assert_int_equal(Store_applyBatch(b, ev, n), 0);
   assert_int_equal(Store_apply(b, &x), 0);
   StoreStats sa = stats(s), sb = stats(b);
   assert_memory_equal(&sa, &sb, sizeof sa);
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k)) {
      Sock* kb = Store_sock(b, &k->key);
      assert_non_null(kb);
      assert_int_equal(kb->id, k->id);
      assert_int_equal(kb->closed, k->closed);
   }
   checkInvariants(b, false);
   Store_free(b);
   Store_free(s);
   free(ev);
}

/* The store remembers the owner of the last new socket; a pid taken over
 * by a new process, or a Proc freed by the cap, must not be returned. */
static void test_owner_cache_pid_reuse(void** state) {
   (void)state;
   Store* s = Store_new(4);
   apply(s, TU_exec(600, 1, 10 * SEC, "old", 10 * SEC));
   apply(s, TU_sock(EV_CONNECT, 600, 10 * SEC, "10.0.0.1", 41000, "10.30.0.1", 80, 11 * SEC));
   Proc* old = Store_proc(s, 600);
   /* pid 600 is a new process now; its first socket must not go to old */
   apply(s, TU_exec(600, 1, 20 * SEC, "new", 20 * SEC));
   apply(s, TU_sock(EV_CONNECT, 600, 20 * SEC, "10.0.0.1", 41001, "10.30.0.1", 80, 21 * SEC));
   Proc* p = Store_proc(s, 600);
   assert_ptr_not_equal(p, old);
   assert_int_equal(p->nsocks, 1);
   assert_int_equal(old->nsocks, 1);
   /* and an event of the old incarnation still finds the old one */
   apply(s, TU_sock(EV_CONNECT, 600, 10 * SEC, "10.0.0.1", 41002, "10.30.0.1", 80, 22 * SEC));
   assert_int_equal(old->nsocks, 2);
   assert_int_equal(p->nsocks, 1);
   checkInvariants(s, false);
   /* the new one exits and, with its sockets closed, is evicted by the cap
    * (ASan: the remembered owner must not be used after that) */
   apply(s, TU_sock(EV_CLOSE, 600, 20 * SEC, "10.0.0.1", 41001, "10.30.0.1", 80, 23 * SEC));
   apply(s, TU_exit(600, 20 * SEC, 0, 24 * SEC));
   for (int i = 0; i < 8; i++) { /* other closed sockets push it out */
      apply(s, TU_sock(EV_CONNECT, 700, SEC, "10.0.0.1", (uint16_t)(42000 + i), "10.31.0.1", 80,
                       (uint64_t)(30 + i) * SEC));
      apply(s, TU_sock(EV_CLOSE, 700, SEC, "10.0.0.1", (uint16_t)(42000 + i), "10.31.0.1", 80,
                       (uint64_t)(30 + i) * SEC + 1));
   }
   assert_true(stats(s).evicted > 0);
   Proc* q = Store_proc(s, 600);
   assert_true(q == NULL || q != p || Proc_isAlive(q) == false);
   apply(s, TU_sock(EV_CONNECT, 600, 50 * SEC, "10.0.0.1", 41003, "10.30.0.1", 80, 50 * SEC));
   q = Store_proc(s, 600);
   assert_non_null(q);
   assert_int_equal(q->start, 50 * SEC);
   assert_int_equal(q->nsocks, 1);
   assert_int_equal(q->nactive, 1);
   checkInvariants(s, false);
   Store_free(s);
}

/* The remembered owner itself freed by the cap (its last socket event was
 * the last new socket): the next socket of that pid must not touch it
 * (ASan: heap-use-after-free otherwise). */
static void test_owner_cache_freed_proc(void** state) {
   (void)state;
   Store* s = Store_new(2);
   for (int i = 0; i < 3; i++)
      apply(s, TU_sock(EV_CONNECT, 700, SEC, "10.0.0.1", (uint16_t)(44000 + i), "10.34.0.1", 80,
                       2 * SEC));
   apply(s, TU_sock(EV_CONNECT, 600, 20 * SEC, "10.0.0.1", 44100, "10.35.0.1", 80, 20 * SEC));
   Proc* p = Store_proc(s, 600);
   apply(s, TU_sock(EV_CLOSE, 600, 20 * SEC, "10.0.0.1", 44100, "10.35.0.1", 80, 21 * SEC));
   apply(s, TU_exit(600, 20 * SEC, 0, 22 * SEC));
   assert_ptr_equal(Store_proc(s, 600), p);
   /* closes of sockets already known (no owner lookup) evict its socket,
    * its edge, then the exited process itself */
   for (int i = 0; i < 3; i++)
      apply(s, TU_sock(EV_CLOSE, 700, SEC, "10.0.0.1", (uint16_t)(44000 + i), "10.34.0.1", 80,
                       (uint64_t)(23 + i) * SEC));
   assert_null(Store_proc(s, 600));
   apply(s, TU_sock(EV_CONNECT, 600, 30 * SEC, "10.0.0.1", 44101, "10.35.0.1", 80, 30 * SEC));
   Proc* q = Store_proc(s, 600);
   assert_non_null(q);
   assert_int_equal(q->start, 30 * SEC);
   assert_int_equal(q->nactive, 1);
   checkInvariants(s, false);
   Store_free(s);
}

/* Same for the remembered edge: once the cap frees it, the next socket of
 * that process to that address gets a new edge with its own counts. */
static void test_edge_cache_after_eviction(void** state) {
   (void)state;
   Store* s = Store_new(2);
   apply(s, TU_exec(800, 1, SEC, "a", SEC));
   apply(s, sockEv(EV_CONNECT, 800, "10.32.0.1", 80, 43000, 2 * SEC));
   Sock* k = sockAt(s, "10.32.0.1", 80, 43000);
   assert_non_null(k);
   Edge* e1 = k->edge;
   assert_non_null(e1);
   apply(s, sockEv(EV_CLOSE, 800, "10.32.0.1", 80, 43000, 3 * SEC));
   /* other inactive entries evict the socket, then the edge */
   for (int i = 0; i < 3; i++) {
      char ip[32];
      snprintf(ip, sizeof ip, "10.33.0.%d", i + 1);
      apply(s, sockEv(EV_CONNECT, 800, ip, 80, (uint16_t)(43100 + i), (uint64_t)(4 + i) * SEC));
      apply(s, sockEv(EV_CLOSE, 800, ip, 80, (uint16_t)(43100 + i), (uint64_t)(4 + i) * SEC + 1));
   }
   assert_null(epAt(s, "10.32.0.1"));
   apply(s, sockEv(EV_CONNECT, 800, "10.32.0.1", 80, 43001, 10 * SEC));
   k = sockAt(s, "10.32.0.1", 80, 43001);
   assert_non_null(k);
   assert_non_null(k->edge);
   assert_int_equal(listLen(&k->edge->socks), 1);
   assert_int_equal(k->edge->nactive, 1);
   assert_ptr_equal(k->edge->proc, Store_proc(s, 800));
   assert_non_null(epAt(s, "10.32.0.1"));
   assert_int_equal(epAt(s, "10.32.0.1")->nedges, 1);
   checkInvariants(s, false);
   Store_free(s);
}

/* Random bytes as events: each is applied or rejected, never a crash, and
 * the counters stay consistent (run under ASan/UBSan). */
static void test_garbage_events(void** state) {
   (void)state;
   Store* s = Store_new(50);
   unsigned seed = 4242;
   uint64_t rejected = 0;
   for (int i = 0; i < 20000; i++) {
      Event e;
      unsigned char* b = (unsigned char*)&e;
      for (size_t j = 0; j < sizeof e; j++)
         b[j] = (unsigned char)rand_r(&seed);
      /* mostly valid headers, so that deep paths are reached */
      if (i % 4) {
         e.type = (uint16_t)(1 + (unsigned)rand_r(&seed) % (EV__COUNT - 1));
         e.pid = (uint32_t)(rand_r(&seed) % 50);
         e.pstart = (uint64_t)(rand_r(&seed) % 3) * SEC;
         e.proc.child_pid = (uint32_t)(rand_r(&seed) % 50);
         if (Event_isSock(&e)) {
            e.sock.proto = (i & 8) ? IPPROTO_UDP : IPPROTO_TCP;
            e.sock.family = AF_INET;
            e.sock.state %= TCPS__COUNT;
            e.sock.oldstate %= TCPS__COUNT;
            e.sock.dir %= 4;
            e.sock.noowner %= 4;
            e.sock.err &= 0x7f;
            memset(e.sock.raddr, 0, 15); /* few distinct peers */
            e.sock.raddr[15] %= 8;
            memset(e.sock.laddr, 0, 16);
            e.sock.lport %= 16;
            e.sock.rport %= 4;
            e.sock.netns = 0;
         }
      }
      if (Store_apply(s, &e) < 0)
         rejected++;
      if (i % 5000 == 4999) {
         checkInvariants(s, false);
         Store_prune(s);
         checkInvariants(s, false);
      }
   }
   StoreStats st = stats(s);
   assert_int_equal(st.bad_events, rejected);
   assert_int_equal(st.events + st.bad_events, 20000);
   assert_true(rejected > 1000);
   assert_true(st.events > 10000);
   Store_free(s);
}

/* An accepted socket handed to a forked child: the owner event moves it,
 * the close (no owner context) keeps it there, and when the child exits the
 * socket stays under the child, never under the parent. */
static void test_owner_event_moves_socket(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, procEv(100, 1, 5 * SEC, "server", 1 * MS));
   Event fork = TU_fork(100, 5 * SEC, 101, 6 * SEC, 2 * MS);
   apply(s, fork);
   apply(s, sockEv(EV_ACCEPT, 100, "10.0.0.9", 40000, 80, 3 * MS));
   Sock* k = sockAt(s, "10.0.0.9", 40000, 80);
   assert_non_null(k);
   assert_int_equal(k->proc->pid, 100);
   Event own = sockEv(EV_OWNER, 101, "10.0.0.9", 40000, 80, 4 * MS);
   own.sock.count = 100;
   own.sock.state = TCPS_ESTABLISHED;
   apply(s, own);
   assert_ptr_equal(sockAt(s, "10.0.0.9", 40000, 80), k);
   assert_int_equal(k->proc->pid, 101);
   assert_int_equal(k->from_pid, 100);
   assert_int_equal(k->dir, DIR_IN);
   assert_int_equal(Store_proc(s, 100)->nsocks, 0);
   assert_int_equal(Store_proc(s, 101)->nactive, 1);
   Event cl = sockEv(EV_CLOSE, 100, "10.0.0.9", 40000, 80, 5 * MS);
   cl.sock.tx = 300;
   apply(s, cl);
   assert_int_equal(k->proc->pid, 101);
   assert_false(Sock_isActive(k));
   assert_int_equal(k->tx, 300);
   apply(s, TU_exit(101, 6 * SEC, 0, 6 * MS));
   assert_int_equal(k->proc->pid, 101);
   assert_false(Proc_isAlive(k->proc));
   Store_free(s);
}

/* An owner event for a socket the store has never seen (accepted through
 * io_uring) creates it, accepted when a listener holds its port. */
static void test_owner_event_unknown_socket(void** state) {
   (void)state;
   Store* s = Store_new(0);
   Event l = TU_sock(EV_LISTEN, 200, 0, "0.0.0.0", 8080, "0.0.0.0", 0, 1 * MS);
   l.sock.dir = DIR_LISTEN;
   l.sock.state = TCPS_LISTEN;
   apply(s, l);
   Event own = sockEv(EV_OWNER, 200, "10.0.0.9", 41000, 8080, 2 * MS);
   own.sock.dir = 0;
   own.sock.state = TCPS_ESTABLISHED;
   apply(s, own);
   Sock* k = sockAt(s, "10.0.0.9", 41000, 8080);
   assert_non_null(k);
   assert_int_equal(k->proc->pid, 200);
   assert_int_equal(k->dir, DIR_IN);
   assert_int_equal(k->state, TCPS_ESTABLISHED);
   Event out = sockEv(EV_OWNER, 200, "10.0.0.7", 443, 50000, 3 * MS);
   out.sock.dir = 0;
   out.sock.state = TCPS_ESTABLISHED;
   apply(s, out);
   assert_int_equal(sockAt(s, "10.0.0.7", 443, 50000)->dir, DIR_OUT);
   Store_free(s);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connect_lifecycle),
      cmocka_unit_test(test_accept_and_listen),
      cmocka_unit_test(test_late_open_events_keep_state),
      cmocka_unit_test(test_connect_failure),
      cmocka_unit_test(test_state_close_and_unknown_socket),
      cmocka_unit_test(test_pid_reuse),
      cmocka_unit_test(test_fork_exec_exit),
      cmocka_unit_test(test_fork_after_child_exec),
      cmocka_unit_test(test_late_parent_and_reparent),
      cmocka_unit_test(test_cycle_refused),
      cmocka_unit_test(test_ownership_moves_on_accept),
      cmocka_unit_test(test_snapshot_no_duplicate),
      cmocka_unit_test(test_other_sk_replaces_active),
      cmocka_unit_test(test_bytes_sums),
      cmocka_unit_test(test_udp_and_exit),
      cmocka_unit_test(test_udp_quiet),
      cmocka_unit_test(test_orphans),
      cmocka_unit_test(test_malformed_rejected),
      cmocka_unit_test(test_prune_all),
      cmocka_unit_test(test_prune_older),
      cmocka_unit_test(test_rates),
      cmocka_unit_test(test_drop_sockless),
      cmocka_unit_test(test_fold_history),
      cmocka_unit_test(test_inactive_cap),
      cmocka_unit_test(test_cap_counts_every_entry),
      cmocka_unit_test(test_cap_evicts_procs),
      cmocka_unit_test(test_set_name),
      cmocka_unit_test(test_random_stream_invariants),
      cmocka_unit_test(test_batch_equals_single),
      cmocka_unit_test(test_garbage_events),
      cmocka_unit_test(test_sockkey_from_event),
      cmocka_unit_test(test_tuple_reuse_at_cap),
      cmocka_unit_test(test_owner_cache_pid_reuse),
      cmocka_unit_test(test_owner_cache_freed_proc),
      cmocka_unit_test(test_edge_cache_after_eviction),
      cmocka_unit_test(test_owner_event_moves_socket),
      cmocka_unit_test(test_owner_event_unknown_socket),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
