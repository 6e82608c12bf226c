/* test_fleet.c: several hosts' stores (fleet.h): the two ends of one
 * connection found across hosts whatever their namespaces, never through
 * loopback; each host's clock moved to ours; a reconnection starts a fresh
 * store; the tree's host rows, keys and the filter's host: term; the
 * documents' peers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "json.h"
#include "testutil.h"
#include "textout.h"
#include "tree.h"

static const char* const NAMES[] = {"web1", "db1"};

static void put(Fleet* f, size_t host, Event e, uint32_t netns) {
   if (Event_isSock(&e))
      e.sock.netns = netns;
   assert_int_equal(Fleet_apply(f, host, &e, 1), 0);
}

/* web1: curl[100] 10.0.0.1:40000 -> 10.0.0.2:5432, and a loopback pair;
 * db1: postgres[812] accepted 10.0.0.2:5432 <- 10.0.0.1:40000, its own
 * loopback pair with the same ports, and curl's pid for a process of its
 * own (pids are per host). Each host's clock started elsewhere. */
static Fleet* sample(void) {
   Fleet* f = Fleet_new(NAMES, 2, 0);
   assert_non_null(f);
   assert_int_equal(Fleet_hello(f, 0, 1000 * SEC, "web1.example", "0.1.0", "live"), 0);
   assert_int_equal(Fleet_hello(f, 1, 50 * SEC, "db1.example", "0.1.0", "live"), 0);
   put(f, 0, TU_exec(100, 1, 1000 * SEC, "curl", 1000 * SEC), 0);
   put(f, 0, TU_sock(EV_CONNECT, 100, 1000 * SEC, "10.0.0.1", 40000, "10.0.0.2", 5432, 1001 * SEC),
       111);
   put(f, 0, TU_sock(EV_CONNECT, 100, 1000 * SEC, "127.0.0.1", 5000, "127.0.0.1", 6000, 1001 * SEC),
       111);
   put(f, 1, TU_exec(812, 1, 10 * SEC, "postgres", 10 * SEC), 0);
   put(f, 1, TU_exec(100, 1, 20 * SEC, "cron", 20 * SEC), 0);
   put(f, 1, TU_sock(EV_ACCEPT, 812, 10 * SEC, "10.0.0.2", 5432, "10.0.0.1", 40000, 51 * SEC), 222);
   put(f, 1, TU_sock(EV_ACCEPT, 812, 10 * SEC, "127.0.0.1", 6000, "127.0.0.1", 5000, 51 * SEC),
       222);
   return f;
}

static const Sock* sockOf(Fleet* f, size_t host, const char* la, uint16_t lp, const char* ra,
                          uint16_t rp, uint32_t netns) {
   Event e = TU_sock(EV_CONNECT, 1, 0, la, lp, ra, rp, 0);
   e.sock.netns = netns;
   SockKey k;
   SockKey_fromEvent(&k, &e.sock);
   const Sock* s = Store_sock(Fleet_host(f, host)->store, &k);
   assert_non_null(s);
   return s;
}

static void test_peer(void** state) {
   (void)state;
   Fleet* f = sample();
   FleetPeer p;
   const Sock* out = sockOf(f, 0, "10.0.0.1", 40000, "10.0.0.2", 5432, 111);
   assert_true(Fleet_peer(f, 0, out, &p));
   assert_int_equal(p.host, 1);
   assert_int_equal(p.sock->proc->pid, 812);
   assert_string_equal(p.sock->proc->comm, "postgres");
   const Sock* in = sockOf(f, 1, "10.0.0.2", 5432, "10.0.0.1", 40000, 222);
   assert_true(Fleet_peer(f, 1, in, &p));
   assert_int_equal(p.host, 0);
   assert_ptr_equal(p.sock, out);
   /* loopback is every host's own: never joined, though the ports mirror */
   const Sock* lo = sockOf(f, 0, "127.0.0.1", 5000, "127.0.0.1", 6000, 111);
   assert_false(Fleet_peer(f, 0, lo, &p));
   Fleet_free(f);
}

static void test_clock(void** state) {
   (void)state;
   Fleet* f = sample();
   const Host* web = Fleet_hostC(f, 0);
   const Host* db = Fleet_hostC(f, 1);
   const Sock* out = sockOf(f, 0, "10.0.0.1", 40000, "10.0.0.2", 5432, 111);
   const Sock* in = sockOf(f, 1, "10.0.0.2", 5432, "10.0.0.1", 40000, 222);
   /* each on its own host's clock, moved by its offset */
   assert_true(out->opened - web->offset == 1001 * SEC);
   assert_true(in->opened - db->offset == 51 * SEC);
   assert_true(out->proc->start - web->offset == 1000 * SEC);
   /* both a second after their host's hello: about now on our clock */
   uint64_t now = Fleet_now();
   assert_true(out->opened > now - 5 * SEC && out->opened < now + 5 * SEC);
   assert_true(in->opened > now - 5 * SEC && in->opened < now + 5 * SEC);
   Fleet_free(f);
}

static void test_states(void** state) {
   (void)state;
   Fleet* f = sample();
   Fleet_down(f, 1, "ssh: connect to host db1 port 22: Connection refused");
   assert_int_equal(Fleet_hostC(f, 1)->state, HOST_DOWN);
   assert_string_equal(Fleet_hostC(f, 1)->reason,
                       "ssh: connect to host db1 port 22: Connection refused");
   StoreStats st;
   Store_stats(Fleet_hostC(f, 1)->store, &st);
   assert_int_equal(st.socks, 2); /* the last known picture stays */
   Fleet_connecting(f, 1);
   assert_int_equal(Fleet_hostC(f, 1)->state, HOST_CONNECTING);
   /* a new connection: a new run over there, a fresh store */
   assert_int_equal(Fleet_hello(f, 1, 70 * SEC, "db1.example", "0.1.1", "live"), 0);
   Store_stats(Fleet_hostC(f, 1)->store, &st);
   assert_int_equal(st.socks, 0);
   assert_int_equal(Fleet_hostC(f, 1)->state, HOST_UP);
   assert_string_equal(Fleet_hostC(f, 1)->version, "0.1.1");
   assert_string_equal(Fleet_hostC(f, 1)->reason, "");
   assert_int_equal(Fleet_hostC(f, 1)->events, 4);
   Fleet_free(f);
}

static size_t countKind(const Tree* t, NodeKind k, uint64_t* keys, size_t max) {
   size_t n = 0;
   for (const TreeNode* x = Tree_root(t)->first_child; x; x = Tree_next(x, false))
      if (x->kind == k) {
         if (n < max)
            keys[n] = x->key;
         n++;
      }
   return n;
}

static void test_tree(void** state) {
   (void)state;
   Fleet* f = sample();
   TreeOpts o = {.fleet = f, .show_inactive = true, .all_procs = true};
   Tree* t = Tree_build(NULL, &o);
   if (getenv("SHOW")) {
      TextOutOpts to = {.width = 0, .numeric = true, .all_procs = true};
      TextOut_write(stderr, t, &to);
   }
   const TreeNode* h = Tree_root(t)->first_child;
   assert_int_equal(h->kind, NODE_HOST);
   assert_int_equal(h->nfolded, 0);
   assert_int_equal(h->next->kind, NODE_HOST);
   assert_int_equal(h->next->nfolded, 1);
   assert_null(h->next->next);
   assert_int_equal(h->nconns, 2);
   assert_int_equal(h->next->nconns, 2);
   /* pid 100 on both hosts: two processes, two keys */
   uint64_t keys[8];
   assert_int_equal(countKind(t, NODE_PROC, keys, 8), 3); /* curl[100], cron[100], postgres */
   for (int i = 0; i < 3; i++)
      for (int j = 0; j < i; j++)
         assert_true(keys[i] != keys[j]);
   for (const TreeNode* x = h->next->first_child; x; x = Tree_next(x, false))
      if (x->kind == NODE_SOCK)
         assert_int_equal(Tree_hostOf(x), 1);
   Tree_free(t);
   /* host: keeps one host's rows; a term on both needs both */
   o.filter = "host:db*";
   t = Tree_build(NULL, &o);
   h = Tree_root(t)->first_child;
   assert_non_null(h);
   assert_int_equal(h->nfolded, 1);
   assert_null(h->next);
   Tree_free(t);
   o.filter = "host:web1 port:5432";
   t = Tree_build(NULL, &o);
   assert_int_equal(countKind(t, NODE_SOCK, keys, 8), 1);
   Tree_free(t);
   o.filter = "host:nowhere";
   t = Tree_build(NULL, &o);
   assert_null(Tree_root(t)->first_child);
   Tree_free(t);
   Fleet_free(f);
}

/* The text and the document name the other end; times are each host's. */
static void test_outputs(void** state) {
   (void)state;
   Fleet* f = sample();
   TreeOpts o = {.fleet = f, .show_inactive = true, .filter = "port:5432"};
   Tree* t = Tree_build(NULL, &o);
   char* text = NULL;
   size_t len = 0;
   FILE* mem = open_memstream(&text, &len);
   TextOutOpts to = {.width = 0, .numeric = true};
   assert_int_equal(TextOut_write(mem, t, &to), 0);
   fclose(mem);
   if (getenv("SHOW"))
      fputs(text, stderr);
   assert_non_null(strstr(text, "web1 [up] (web1.example, visnet 0.1.0)\n"));
   assert_non_null(
       strstr(text, "-> 10.0.0.2:5432 ESTABLISHED out  tx 0B rx 0B => postgres[812] on db1\n"));
   assert_non_null(
       strstr(text, "-> 10.0.0.1:40000 ESTABLISHED in  tx 0B rx 0B => curl[100] on web1\n"));
   free(text);
   JsonBuf b;
   JsonBuf_init(&b);
   Json_fleetTree(&b, t, VIEW_TREE);
   JsonBuf_append(&b, "", 1);
   assert_non_null(strstr(b.data, "\"peer\":{\"host\":\"db1\",\"pid\":812,\"comm\":\"postgres\"}"));
   assert_non_null(strstr(b.data, "\"peer\":{\"host\":\"web1\",\"pid\":100,\"comm\":\"curl\"}"));
   assert_non_null(strstr(b.data, "\"opened\":1001000000000,"));
   assert_non_null(strstr(b.data, "\"opened\":51000000000,"));
   JsonBuf_free(&b);
   Tree_free(t);
   Fleet_free(f);
}

/* A checked line gets its host and peer; anything else is not written. */
static void test_tag(void** state) {
   (void)state;
   JsonBuf b;
   JsonBuf_init(&b);
   JsonPeer p = {.host = "db1", .pid = 812, .comm = "post\"gres"};
   const char* line = "{\"type\":\"close\",\"ts\":5,\"v\":1}  ";
   assert_int_equal(Json_tagLine(&b, line, strlen(line), "web1", &p), 1);
   assert_int_equal(Json_tagLine(&b, "[1]", 3, "web1", NULL), 0);
   JsonBuf_append(&b, "", 1);
   assert_string_equal(b.data,
                       "{\"type\":\"close\",\"ts\":5,\"v\":1,\"host\":\"web1\",\"peer\":{\"host\":"
                       "\"db1\",\"pid\":812,\"comm\":\"post\\\"gres\"}}\n");
   JsonBuf_free(&b);
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_peer), cmocka_unit_test(test_clock),   cmocka_unit_test(test_states),
       cmocka_unit_test(test_tree), cmocka_unit_test(test_outputs), cmocka_unit_test(test_tag),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
