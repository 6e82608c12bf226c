/* test_tree.c: the display tree: views, filter, sort, visibility, keys.
 * Over 800 lines because every view, filter and sort case builds its own
 * small store next to its assertions, so that a case reads on its own. */
#include "testutil.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree.h"

#define MS 1000000ull

/* ---- helpers ---- */

static void apply(Store* s, Event e) { assert_int_equal(Store_apply(s, &e), 0); }

static void conn(Store* s, uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport,
                 uint64_t ts) {
   apply(s, TU_sock(EV_CONNECT, pid, 0, "10.0.0.1", lport, raddr, rport, ts));
   apply(s, TU_sock(EV_CONNECTED, pid, 0, "10.0.0.1", lport, raddr, rport, ts));
}

static void bytes(Store* s, uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport,
                  uint64_t tx, uint64_t rx, uint64_t ts) {
   Event e = TU_sock(EV_BYTES, pid, 0, "10.0.0.1", lport, raddr, rport, ts);
   e.sock.tx = tx;
   e.sock.rx = rx;
   apply(s, e);
}

static void closeSock(Store* s, uint32_t pid, const char* raddr, uint16_t rport, uint16_t lport,
                      uint64_t ts) {
   apply(s, TU_sock(EV_CLOSE, pid, 0, "10.0.0.1", lport, raddr, rport, ts));
}

static void listen_(Store* s, uint32_t pid, uint16_t port, uint64_t ts) {
   apply(s, TU_sock(EV_LISTEN, pid, 0, "0.0.0.0", port, "0.0.0.0", 0, ts));
}

typedef struct Render_ {
   char buf[8192];
   size_t len;
} Render;

static int renderNode(void* ctx, const TreeNode* n) {
   Render* r = ctx;
   char a[64];
   char line[160];
   switch (n->kind) {
   case NODE_PROC:
   case NODE_EP_PROC:
      snprintf(line, sizeof line, "%s%s[%u]%s%s", n->kind == NODE_EP_PROC ? "@" : "",
               n->proc->comm, n->proc->pid, n->active ? "" : " x", n->context ? " ~" : "");
      break;
   case NODE_FOLD:
      snprintf(line, sizeof line, "fold %s%u x%u", n->sock->dir == DIR_IN ? "on " : "",
               n->sock->dir == DIR_IN ? n->sock->key.lport : n->sock->key.rport, n->nfolded);
      break;
   case NODE_EDGE:
   case NODE_ENDPOINT:
      snprintf(line, sizeof line, "%s%s%s", n->kind == NODE_EDGE ? "-> " : "ep ",
               Addr_format(n->ep->addr, a, sizeof a), n->active ? "" : " x");
      break;
   case NODE_SOCK:
      snprintf(line, sizeof line, "%u>%u%s", n->sock->key.lport, n->sock->key.rport,
               n->active ? "" : " x");
      break;
   case NODE_LISTEN:
      snprintf(line, sizeof line, "listen %u%s", n->sock->key.lport, n->active ? "" : " x");
      break;
   case NODE_ORPHANS: snprintf(line, sizeof line, "orphans"); break;
   default: snprintf(line, sizeof line, "?"); break;
   }
   r->len += (size_t)snprintf(r->buf + r->len, sizeof r->buf - r->len, "%*s%s\n",
                              (int)n->depth * 2, "", line);
   return 0;
}

/* The tree as indented text, one node per line, in display order. */
static const char* render(const Tree* t) {
   static Render r;
   r.len = 0;
   r.buf[0] = '\0';
   Tree_walk(t, NULL, NULL, renderNode, &r);
   return r.buf;
}

static const char* build(const Store* s, TreeOpts o) {
   Tree* t = Tree_build(s, &o);
   assert_non_null(t);
   const char* out = render(t);
   Tree_free(t);
   return out;
}

static TreeOpts opts(TreeView v) {
   TreeOpts o;
   memset(&o, 0, sizeof o);
   o.view = v;
   o.all_procs = true; /* the hierarchy as it is; test_network_first has the default */
   return o;
}

/* init[1] -> sshd[10] -> bash[11] -> curl[12]; nginx[20] listening with
 * two clients; curl with two connections to one IP, one to another. */
static Store* sample(void) {
   Store* s = Store_new(0);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   apply(s, TU_fork(1, SEC, 10, 2 * SEC, 2 * SEC));
   apply(s, TU_exec(10, 1, 2 * SEC, "sshd", 2 * SEC));
   apply(s, TU_fork(10, 2 * SEC, 11, 3 * SEC, 3 * SEC));
   apply(s, TU_exec(11, 10, 3 * SEC, "bash", 3 * SEC));
   apply(s, TU_fork(11, 3 * SEC, 12, 4 * SEC, 4 * SEC));
   apply(s, TU_exec(12, 11, 4 * SEC, "curl", 4 * SEC));
   apply(s, TU_fork(1, SEC, 20, 2 * SEC, 2 * SEC));
   apply(s, TU_exec(20, 1, 2 * SEC, "nginx", 2 * SEC));
   conn(s, 12, "93.184.216.34", 443, 40001, 5 * SEC);
   conn(s, 12, "93.184.216.34", 80, 40002, 5 * SEC);
   conn(s, 12, "1.1.1.1", 53, 40003, 5 * SEC);
   bytes(s, 12, "93.184.216.34", 443, 40001, 1000, 9000, 6 * SEC);
   bytes(s, 12, "1.1.1.1", 53, 40003, 10, 20, 7 * SEC);
   listen_(s, 20, 8080, 2 * SEC);
   apply(s, TU_sock(EV_ACCEPT, 20, 0, "10.0.0.1", 8080, "10.0.0.2", 50000, 6 * SEC));
   apply(s, TU_sock(EV_ACCEPT, 20, 0, "10.0.0.1", 8080, "10.0.0.3", 50001, 6 * SEC));
   bytes(s, 20, "10.0.0.3", 50001, 8080, 5, 5, 8 * SEC);
   return s;
}

/* ---- views ---- */

/* ---- network first, folds ---- */

/* The default: processes that hold or held a socket, their ancestors for
 * context (marked ~), and what the filter names; nothing else. */
static void test_network_first(void** state) {
   (void)state;
   Store* s = sample();
   apply(s, TU_exec(2, 0, SEC, "kthreadd", SEC));
   apply(s, TU_fork(1, SEC, 30, 2 * SEC, 2 * SEC));
   apply(s, TU_exec(30, 1, 2 * SEC, "sleep", 2 * SEC));
   apply(s, TU_fork(11, 3 * SEC, 31, 5 * SEC, 5 * SEC)); /* bash's cat, exited */
   apply(s, TU_exec(31, 11, 5 * SEC, "cat", 5 * SEC));
   apply(s, TU_exit(31, 5 * SEC, 0, 6 * SEC));
   TreeOpts o;
   memset(&o, 0, sizeof o);
   o.show_inactive = true;
   Tree* t = Tree_build(s, &o);
   assert_string_equal(render(t), "init[1] ~\n"
                                  "  sshd[10] ~\n"
                                  "    bash[11] ~\n"
                                  "      curl[12]\n"
                                  "        -> 1.1.1.1\n"
                                  "          40003>53\n"
                                  "        -> 93.184.216.34\n"
                                  "          40002>80\n"
                                  "          40001>443\n"
                                  "  nginx[20]\n"
                                  "    -> 10.0.0.2\n"
                                  "      8080>50000\n"
                                  "    -> 10.0.0.3\n"
                                  "      8080>50001\n"
                                  "    listen 8080\n");
   assert_int_equal(Tree_hiddenProcs(t), 3); /* kthreadd, sleep, cat */
   Tree_free(t);
   /* a filter that names a process shows it, sockets or not */
   o.filter = "sleep";
   assert_string_equal(build(s, o), "init[1] ~\n  sleep[30]\n");
   /* every process: none hidden, none marked */
   o.filter = NULL;
   o.all_procs = true;
   t = Tree_build(s, &o);
   assert_int_equal(Tree_hiddenProcs(t), 0);
   assert_non_null(strstr(render(t), "kthreadd[2]\n"));
   assert_non_null(strstr(render(t), "      cat[31] x\n"));
   Tree_free(t);
   Store_free(s);
}

static uint64_t openFold;

static bool foldOpen(void* ctx, uint64_t key) {
   (void)ctx;
   return key == openFold;
}

/* Inactive shown, folded, folds opened by openFold. */
static TreeOpts foldOpts(void) {
   TreeOpts o;
   memset(&o, 0, sizeof o);
   o.show_inactive = true;
   o.fold = true;
   o.fold_open = foldOpen;
   return o;
}

/* A store where ab[40] made n short connections to 10.0.0.9:80, from
 * ports 41000 up, each sending tx and receiving rx, the i-th closed at
 * 3 + i s. */
static Store* shortConns(uint16_t n, uint64_t tx, uint64_t rx) {
   Store* s = Store_new(0);
   apply(s, TU_exec(40, 1, SEC, "ab", SEC));
   for (uint16_t i = 0; i < n; i++) {
      conn(s, 40, "10.0.0.9", 80, (uint16_t)(41000 + i), 2 * SEC);
      bytes(s, 40, "10.0.0.9", 80, (uint16_t)(41000 + i), tx, rx, 2 * SEC);
      closeSock(s, 40, "10.0.0.9", 80, (uint16_t)(41000 + i), (3 + i) * SEC);
   }
   return s;
}

/* Closed connections of one process to one remote port (inbound: to one
 * local port) fold into one node with their count; a lone one stays
 * itself; active ones are never folded; a fold opens on demand. */
static void test_folds(void** state) {
   (void)state;
   Store* s = shortConns(5, 100, 1000);
   conn(s, 40, "10.0.0.9", 80, 42000, 9 * SEC); /* active */
   conn(s, 40, "10.0.0.9", 443, 42001, 9 * SEC);
   closeSock(s, 40, "10.0.0.9", 443, 42001, 9 * SEC);
   apply(s, TU_exec(20, 1, SEC, "nginx", SEC));
   listen_(s, 20, 8080, 2 * SEC);
   for (uint16_t i = 0; i < 3; i++) {
      apply(s, TU_sock(EV_ACCEPT, 20, 0, "10.0.0.1", 8080, "10.0.0.3", (uint16_t)(50000 + i),
                       3 * SEC));
      apply(s, TU_sock(EV_CLOSE, 20, 0, "10.0.0.1", 8080, "10.0.0.3", (uint16_t)(50000 + i),
                       4 * SEC));
   }
   TreeOpts o = foldOpts();
   Tree* t = Tree_build(s, &o);
   assert_string_equal(render(t), "nginx[20]\n"
                                  "  -> 10.0.0.3 x\n"
                                  "    fold on 8080 x3\n"
                                  "  listen 8080\n"
                                  "ab[40]\n"
                                  "  -> 10.0.0.9\n"
                                  "    fold 80 x5\n"
                                  "    42000>80\n"
                                  "    42001>443 x\n");
   const TreeNode* ab = Tree_root(t)->first_child->next;
   const TreeNode* fold = ab->first_child->first_child;
   assert_int_equal(fold->kind, NODE_FOLD);
   assert_int_equal(fold->tx, 500);
   assert_int_equal(fold->rx, 5000);
   assert_int_equal(fold->sock->key.lport, 41004); /* the latest */
   assert_int_equal(fold->nconns, 0);
   assert_int_equal(ab->nconns, 1); /* active ones only */
   openFold = fold->key;
   Tree_free(t);
   /* opened: the five beneath, the key unchanged */
   t = Tree_build(s, &o);
   fold = Tree_root(t)->first_child->next->first_child->first_child;
   assert_int_equal(fold->key, openFold);
   assert_int_equal(fold->nchildren, 5);
   assert_non_null(strstr(render(t), "    fold 80 x5\n      41000>80 x\n"));
   Tree_free(t);
   /* the same under a filter naming the process */
   o.filter = "ab";
   assert_non_null(strstr(build(s, o), "    fold 80 x5\n      41000>80 x\n"));
   o.filter = NULL;
   /* a filter counts only the closed connections it matches */
   o.filter = "41003";
   assert_string_equal(build(s, o), "ab[40]\n  -> 10.0.0.9\n    41003>80 x\n");
   o.filter = NULL;
   /* inactive hidden: no folds */
   o.show_inactive = false;
   assert_string_equal(build(s, o), "nginx[20]\n  listen 8080\nab[40]\n  -> 10.0.0.9\n    42000>80\n");
   openFold = 0;
   Store_free(s);
}

/* A fold over the store's summary (STORE_FOLD_KEEP kept, older merged):
 * it counts every connection, opened it lists the kept ones and the
 * summary, and a filter counts the summary's connections. */
static void test_fold_summary(void** state) {
   (void)state;
   Store* s = shortConns(100, 10, 100);
   TreeOpts o = foldOpts();
   Tree* t = Tree_build(s, &o);
   assert_string_equal(render(t), "ab[40]\n  -> 10.0.0.9 x\n    fold 80 x100\n");
   const TreeNode* fold = Tree_root(t)->first_child->first_child->first_child;
   assert_int_equal(fold->nfolded, 100);
   assert_int_equal(fold->tx, 1000);
   assert_int_equal(fold->rx, 10000);
   assert_int_equal(fold->sock->key.lport, 41099); /* the latest */
   openFold = fold->key;
   Tree_free(t);
   t = Tree_build(s, &o);
   fold = Tree_root(t)->first_child->first_child->first_child;
   assert_int_equal(fold->nchildren, STORE_FOLD_KEEP + 1);
   assert_int_equal(fold->first_child->sock->merged, 100 - STORE_FOLD_KEEP); /* first */
   size_t merged = 0, kept = 0;
   for (const TreeNode* c = fold->first_child; c; c = c->next)
      if (c->sock->merged)
         merged += c->sock->merged;
      else
         kept++;
   assert_int_equal(merged, 100 - STORE_FOLD_KEEP);
   assert_int_equal(kept, STORE_FOLD_KEEP);
   Tree_free(t);
   openFold = 0;
   o.filter = "port:80";
   t = Tree_build(s, &o);
   size_t active = 1, inactive = 0;
   assert_true(Tree_matches(t, &active, &inactive));
   assert_int_equal(active, 0);
   assert_int_equal(inactive, 100);
   Tree_free(t);
   Store_free(s);
}

/* TCP health: a socket its own sample, an edge and a process the slowest
 * active connection's RTT and the sum of the retransmissions. */
static void test_health(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(40, 1, SEC, "app", SEC));
   conn(s, 40, "10.0.0.9", 80, 41000, 2 * SEC);
   conn(s, 40, "10.0.0.9", 443, 41001, 2 * SEC);
   conn(s, 40, "10.0.0.8", 22, 41002, 2 * SEC);
   uint32_t rtt[] = {1000, 5000, 9000}, re[] = {2, 1, 4};
   uint16_t lport[] = {41000, 41001, 41002}, rport[] = {80, 443, 22};
   const char* ip[] = {"10.0.0.9", "10.0.0.9", "10.0.0.8"};
   for (int i = 0; i < 3; i++) {
      Event e = TU_sock(EV_BYTES, 40, 0, "10.0.0.1", lport[i], ip[i], rport[i], 3 * SEC);
      e.sock.tx = 10;
      e.sock.rtt_us = rtt[i];
      e.sock.retrans = re[i];
      apply(s, e);
   }
   closeSock(s, 40, "10.0.0.8", 22, 41002, 4 * SEC); /* closed: its RTT no longer counts */
   Store_updateRates(s, 5 * SEC); /* the edges' and processes' sums */
   TreeOpts o = opts(VIEW_TREE);
   o.show_inactive = true;
   Tree* t = Tree_build(s, &o);
   const TreeNode* app = Tree_root(t)->first_child;
   assert_int_equal(app->rtt_us, 5000);
   assert_int_equal(app->retrans, 3); /* of its active connections */
   const TreeNode* e8 = app->first_child; /* 10.0.0.8 first (pid sort: by address) */
   uint32_t h_rtt, h_re;
   Tree_health(e8, &h_rtt, &h_re); /* an edge's, read from its sockets */
   assert_int_equal(h_rtt, 0);
   assert_int_equal(h_re, 4);
   Tree_health(e8->next, &h_rtt, &h_re);
   assert_int_equal(h_rtt, 5000);
   assert_int_equal(h_re, 3);
   Tree_health(e8->next->first_child, &h_rtt, &h_re); /* a socket's own */
   assert_true(h_rtt == 1000 || h_rtt == 5000);
   Tree_free(t);
   /* by RTT, the slowest remote first */
   o.sort = SORT_RTT;
   o.descending = Tree_sortDescending(SORT_RTT);
   assert_true(o.descending);
   t = Tree_build(s, &o);
   Tree_health(Tree_root(t)->first_child->first_child, &h_rtt, &h_re);
   assert_int_equal(h_rtt, 5000);
   Tree_free(t);
   Store_free(s);
}

/* UDP sockets quiet for TREE_UDP_QUIET_NS fold too (the kernel says no
 * close for UDP): one row, its active connections still counted; and so
 * do more than TREE_UDP_ROWS fresh ones to one port. */
static void test_quiet_udp(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(50, 1, SEC, "resolver", SEC));
   for (uint16_t i = 0; i < 6; i++) {
      Event e = TU_sock(EV_UDP_PEER, 50, 0, "10.0.0.1", (uint16_t)(40000 + i), "10.0.0.53", 53,
                        (i < 5 ? 2 : 30) * SEC);
      e.sock.proto = 17;
      apply(s, e);
   }
   TreeOpts o = opts(VIEW_TREE);
   o.show_inactive = true;
   o.fold = true;
   o.now_ns = 31 * SEC;
   Tree* t = Tree_build(s, &o);
   assert_string_equal(render(t), "resolver[50]\n  -> 10.0.0.53\n    fold 53 x5\n    40005>53\n");
   assert_int_equal(Tree_root(t)->first_child->nconns, 6); /* quiet, still active */
   assert_int_equal(Tree_root(t)->first_child->first_child->first_child->nconns, 5);
   Tree_free(t);
   o.now_ns = 0; /* no clock: no quiet folds */
   t = Tree_build(s, &o);
   assert_int_equal(Tree_size(t), 8);
   Tree_free(t);
   /* fresh ones: TREE_UDP_ROWS of them are rows; one more, and they all
    * fold into one row with the quiet ones (a socket per query) */
   for (uint16_t i = 0; i < TREE_UDP_ROWS; i++) {
      Event e = TU_sock(EV_UDP_PEER, 50, 0, "10.0.0.1", (uint16_t)(40006 + i), "10.0.0.53", 53,
                        30 * SEC);
      e.sock.proto = 17;
      apply(s, e);
      o.now_ns = 31 * SEC;
      t = Tree_build(s, &o);
      const TreeNode* edge = Tree_root(t)->first_child->first_child;
      bool folded = i + 2 > TREE_UDP_ROWS; /* 40005 and i + 1 more */
      assert_int_equal(edge->nchildren, folded ? 1 : i + 3);
      assert_int_equal(edge->first_child->kind, NODE_FOLD);
      assert_int_equal(edge->first_child->nfolded, folded ? 5 + i + 2 : 5);
      assert_int_equal(edge->nconns, 5 + i + 2);
      Tree_free(t);
   }
   Store_free(s);
}

static void test_hierarchy(void** state) {
   (void)state;
   Store* s = sample();
   assert_string_equal(build(s, opts(VIEW_TREE)),
                       "init[1]\n"
                       "  sshd[10]\n"
                       "    bash[11]\n"
                       "      curl[12]\n"
                       "        -> 1.1.1.1\n"
                       "          40003>53\n"
                       "        -> 93.184.216.34\n"
                       "          40002>80\n"
                       "          40001>443\n"
                       "  nginx[20]\n"
                       "    -> 10.0.0.2\n"
                       "      8080>50000\n"
                       "    -> 10.0.0.3\n"
                       "      8080>50001\n"
                       "    listen 8080\n");
   TreeOpts o = opts(VIEW_TREE);
   Tree* t = Tree_build(s, &o);
   assert_int_equal(Tree_size(t), 15);
   const TreeNode* root = Tree_root(t);
   assert_int_equal(root->kind, NODE_ROOT);
   assert_int_equal(root->nchildren, 1);
   const TreeNode* init = root->first_child;
   assert_int_equal(init->nconns, 5);
   assert_int_equal(init->tx, 1015);
   assert_int_equal(init->rx, 9025);
   assert_int_equal(init->last, 8 * SEC);
   const TreeNode* nginx = init->first_child->next;
   assert_string_equal(nginx->proc->comm, "nginx");
   assert_ptr_equal(nginx->parent, init);
   assert_int_equal(nginx->nconns, 2);
   assert_int_equal(nginx->nchildren, 3);
   assert_int_equal(nginx->tx, 5);
   Tree_free(t);
   Store_free(s);
}

static void test_reparent_in_tree(void** state) {
   (void)state;
   Store* s = sample();
   /* sshd exits; bash stays under it (shown, live descendants) */
   apply(s, TU_exit(10, 2 * SEC, 0, 10 * SEC));
   const char* out = build(s, opts(VIEW_TREE));
   assert_non_null(strstr(out, "  sshd[10] x\n    bash[11]\n"));
   /* the kernel reparented bash to init */
   Event p = TU_exec(11, 1, 3 * SEC, "bash", 11 * SEC);
   p.type = EV_PROC;
   apply(s, p);
   out = build(s, opts(VIEW_TREE));
   assert_null(strstr(out, "sshd"));       /* exited, nothing below: hidden */
   assert_non_null(strstr(out, "init[1]\n  bash[11]\n    curl[12]\n"));
   TreeOpts o = opts(VIEW_TREE);
   o.show_inactive = true;
   out = build(s, o);
   assert_non_null(strstr(out, "  sshd[10] x\n"));
   Store_free(s);
}

static void test_flat_view(void** state) {
   (void)state;
   Store* s = sample();
   assert_string_equal(build(s, opts(VIEW_FLAT)),
                       "init[1]\n"
                       "sshd[10]\n"
                       "bash[11]\n"
                       "curl[12]\n"
                       "  -> 1.1.1.1\n"
                       "    40003>53\n"
                       "  -> 93.184.216.34\n"
                       "    40002>80\n"
                       "    40001>443\n"
                       "nginx[20]\n"
                       "  -> 10.0.0.2\n"
                       "    8080>50000\n"
                       "  -> 10.0.0.3\n"
                       "    8080>50001\n"
                       "  listen 8080\n");
   Store_free(s);
}

static void test_endpoint_view(void** state) {
   (void)state;
   Store* s = sample();
   conn(s, 11, "1.1.1.1", 53, 40009, 9 * SEC);
   assert_string_equal(build(s, opts(VIEW_ENDPOINT)),
                       "ep 1.1.1.1\n"
                       "  @bash[11]\n"
                       "    40009>53\n"
                       "  @curl[12]\n"
                       "    40003>53\n"
                       "ep 10.0.0.2\n"
                       "  @nginx[20]\n"
                       "    8080>50000\n"
                       "ep 10.0.0.3\n"
                       "  @nginx[20]\n"
                       "    8080>50001\n"
                       "ep 93.184.216.34\n"
                       "  @curl[12]\n"
                       "    40002>80\n"
                       "    40001>443\n");
   TreeOpts o = opts(VIEW_ENDPOINT);
   Tree* t = Tree_build(s, &o);
   const TreeNode* ep = Tree_root(t)->first_child;
   assert_int_equal(ep->kind, NODE_ENDPOINT);
   assert_int_equal(ep->nconns, 2);
   assert_int_equal(ep->tx, 10);
   assert_int_equal(ep->first_child->kind, NODE_EP_PROC);
   assert_non_null(ep->first_child->edge);
   Tree_free(t);
   Store_free(s);
}

static void test_orphans_group(void** state) {
   (void)state;
   Store* s = sample();
   Event o = TU_sock(EV_SOCK, 0, 0, "10.0.0.1", 42000, "10.9.9.9", 443, 9 * SEC);
   o.sock.noowner = NOOWN_PERM;
   apply(s, o);
   Event l = TU_sock(EV_SOCK, 0, 0, "0.0.0.0", 25, "0.0.0.0", 0, 9 * SEC);
   l.sock.state = TCPS_LISTEN;
   apply(s, l);
   for (int v = 0; v < VIEW__COUNT; v++) {
      const char* out = build(s, opts((TreeView)v));
      const char* g = strstr(out, "orphans\n");
      assert_non_null(g);
      assert_string_equal(g, "orphans\n  listen 25\n  42000>443\n"); /* last */
   }
   TreeOpts f = opts(VIEW_TREE);
   f.filter = "10.9.9";
   assert_string_equal(build(s, f), "orphans\n  42000>443\n");
   Store_free(s);
}

/* ---- filter ---- */

static void test_filter(void** state) {
   (void)state;
   Store* s = sample();
   TreeOpts o = opts(VIEW_TREE);
   o.filter = "CURL"; /* by name, case-insensitive: ancestors kept, all below */
   assert_string_equal(build(s, o), "init[1]\n"
                                    "  sshd[10]\n"
                                    "    bash[11]\n"
                                    "      curl[12]\n"
                                    "        -> 1.1.1.1\n"
                                    "          40003>53\n"
                                    "        -> 93.184.216.34\n"
                                    "          40002>80\n"
                                    "          40001>443\n");
   o.filter = "1.1.1"; /* by IP: the edge and all below it */
   assert_string_equal(build(s, o), "init[1]\n"
                                    "  sshd[10]\n"
                                    "    bash[11]\n"
                                    "      curl[12]\n"
                                    "        -> 1.1.1.1\n"
                                    "          40003>53\n");
   o.filter = "443"; /* by port: only that socket */
   assert_string_equal(build(s, o), "init[1]\n"
                                    "  sshd[10]\n"
                                    "    bash[11]\n"
                                    "      curl[12]\n"
                                    "        -> 93.184.216.34\n"
                                    "          40001>443\n");
   o.filter = "listen"; /* by state */
   assert_string_equal(build(s, o), "init[1]\n  nginx[20]\n    listen 8080\n");
   o.filter = "established";
   const char* out = build(s, o);
   assert_non_null(strstr(out, "40001>443"));
   assert_null(strstr(out, "listen"));
   o.filter = "20"; /* pid as text: nginx[20] and everything below it */
   out = build(s, o);
   assert_non_null(strstr(out, "  nginx[20]\n    -> 10.0.0.2\n"));
   o.filter = "nothing-matches-this";
   assert_string_equal(build(s, o), "");
   o.filter = ""; /* empty = no filter */
   assert_non_null(strstr(build(s, o), "curl[12]"));
   /* endpoint host name */
   uint8_t a[16];
   Addr_parse("93.184.216.34", a);
   Store_setName(s, a, "example.com");
   o.filter = "example";
   out = build(s, o);
   assert_non_null(strstr(out, "-> 93.184.216.34\n          40002>80\n          40001>443\n"));
   assert_null(strstr(out, "1.1.1.1"));
   /* matched flags: the match itself, not the ancestors kept for it */
   o.filter = "curl";
   Tree* t = Tree_build(s, &o);
   const TreeNode* n = Tree_root(t)->first_child;
   assert_false(n->matched);
   while (n->first_child && n->kind == NODE_PROC && strcmp(n->proc->comm, "curl") != 0)
      n = n->first_child;
   assert_string_equal(n->proc->comm, "curl");
   assert_true(n->matched);
   assert_true(Tree_nodeMatches(n, "cur"));
   assert_false(Tree_nodeMatches(n, "nginx"));
   assert_true(Tree_nodeMatches(n, NULL));
   Tree_free(t);
   /* endpoint view: a matching endpoint keeps all below it */
   o = opts(VIEW_ENDPOINT);
   o.filter = "10.0.0.3";
   assert_string_equal(build(s, o), "ep 10.0.0.3\n  @nginx[20]\n    8080>50001\n");
   o.filter = "bash";
   assert_string_equal(build(s, o), "");
   Store_free(s);
}

/* ---- sort ---- */

static Store* sortSample(void) {
   Store* s = Store_new(0);
   /* three roots: different pids, names, conns, bytes and last activity */
   apply(s, TU_exec(30, 0, SEC, "bravo", SEC));
   apply(s, TU_exec(10, 0, SEC, "charlie", SEC));
   apply(s, TU_exec(20, 0, SEC, "Alpha", SEC));
   conn(s, 30, "10.1.0.1", 80, 1001, 2 * SEC);
   conn(s, 10, "10.1.0.2", 80, 1002, 2 * SEC);
   conn(s, 10, "10.1.0.3", 80, 1003, 2 * SEC);
   conn(s, 10, "10.1.0.4", 80, 1004, 2 * SEC);
   conn(s, 20, "10.1.0.5", 80, 1005, 2 * SEC);
   conn(s, 20, "10.1.0.6", 80, 1006, 2 * SEC);
   bytes(s, 20, "10.1.0.5", 80, 1005, 1, 1, 3 * SEC);
   bytes(s, 30, "10.1.0.1", 80, 1001, 500, 500, 5 * SEC);
   bytes(s, 10, "10.1.0.2", 80, 1002, 100, 100, 4 * SEC);
   return s;
}

static void procOrder(const Store* s, SortKey k, bool desc, char* out, size_t len) {
   TreeOpts o = opts(VIEW_TREE);
   o.sort = k;
   o.descending = desc;
   Tree* t = Tree_build(s, &o);
   out[0] = '\0';
   for (const TreeNode* n = Tree_root(t)->first_child; n; n = n->next) {
      char b[16];
      snprintf(b, sizeof b, "%u ", n->proc->pid);
      strncat(out, b, len - strlen(out) - 1);
   }
   Tree_free(t);
}

static void test_sort_keys(void** state) {
   (void)state;
   Store* s = sortSample();
   char o[64];
   procOrder(s, SORT_PID, false, o, sizeof o);
   assert_string_equal(o, "10 20 30 ");
   procOrder(s, SORT_PID, true, o, sizeof o);
   assert_string_equal(o, "30 20 10 ");
   procOrder(s, SORT_NAME, false, o, sizeof o);
   assert_string_equal(o, "20 30 10 "); /* Alpha bravo charlie */
   procOrder(s, SORT_NAME, true, o, sizeof o);
   assert_string_equal(o, "10 30 20 ");
   procOrder(s, SORT_CONNS, false, o, sizeof o);
   assert_string_equal(o, "30 20 10 ");
   procOrder(s, SORT_CONNS, true, o, sizeof o);
   assert_string_equal(o, "10 20 30 ");
   procOrder(s, SORT_BYTES, false, o, sizeof o);
   assert_string_equal(o, "20 10 30 ");
   procOrder(s, SORT_BYTES, true, o, sizeof o);
   assert_string_equal(o, "30 10 20 ");
   procOrder(s, SORT_LAST, false, o, sizeof o);
   assert_string_equal(o, "20 10 30 ");
   procOrder(s, SORT_LAST, true, o, sizeof o);
   assert_string_equal(o, "30 10 20 ");
   /* ties broken by pid, ascending, whatever the direction */
   Store* t = Store_new(0);
   apply(t, TU_exec(5, 0, SEC, "same", SEC));
   apply(t, TU_exec(3, 0, SEC, "same", SEC));
   apply(t, TU_exec(4, 0, SEC, "same", SEC));
   procOrder(t, SORT_NAME, true, o, sizeof o);
   assert_string_equal(o, "3 4 5 ");
   procOrder(t, SORT_BYTES, false, o, sizeof o);
   assert_string_equal(o, "3 4 5 ");
   Store_free(t);
   /* sockets under an edge by port, edges by address */
   TreeOpts to = opts(VIEW_TREE);
   to.descending = true;
   Store* u = Store_new(0);
   apply(u, TU_exec(7, 0, SEC, "x", SEC));
   conn(u, 7, "10.2.0.1", 443, 1, SEC);
   conn(u, 7, "10.2.0.1", 22, 2, SEC);
   conn(u, 7, "10.2.0.2", 80, 3, SEC);
   assert_string_equal(build(u, to), "x[7]\n"
                                     "  -> 10.2.0.2\n"
                                     "    3>80\n"
                                     "  -> 10.2.0.1\n"
                                     "    1>443\n"
                                     "    2>22\n");
   to.descending = false;
   assert_string_equal(build(u, to), "x[7]\n"
                                     "  -> 10.2.0.1\n"
                                     "    2>22\n"
                                     "    1>443\n"
                                     "  -> 10.2.0.2\n"
                                     "    3>80\n");
   Store_free(u);
   Store_free(s);
}

/* Groups of more than 16 siblings take the qsort path, smaller ones an
 * insertion sort: both give the same order. */
static void test_sort_large_groups(void** state) {
   (void)state;
   Store* s = Store_new(0);
   for (uint32_t i = 0; i < 40; i++) {
      apply(s, TU_exec(100 + (i * 17) % 40, 0, SEC, i % 2 ? "odd" : "even", SEC));
      char ip[32];
      snprintf(ip, sizeof ip, "10.4.0.%u", i + 1);
      conn(s, 100 + (i * 17) % 40, ip, 80, (uint16_t)(2000 + i), 2 * SEC);
      bytes(s, 100 + (i * 17) % 40, ip, 80, (uint16_t)(2000 + i), (i * 7919) % 1000, 0, 3 * SEC);
   }
   for (int k = 0; k < SORT__COUNT; k++)
      for (int d = 0; d < 2; d++) {
         TreeOpts o = opts(VIEW_TREE);
         o.sort = (SortKey)k;
         o.descending = d;
         Tree* t = Tree_build(s, &o);
         int n = 0;
         for (const TreeNode* a = Tree_root(t)->first_child; a; a = a->next, n++) {
            const TreeNode* b = a->next;
            if (!b)
               continue;
            uint64_t ka = 0, kb = 0;
            switch (o.sort) {
            case SORT_BYTES: ka = a->tx + a->rx; kb = b->tx + b->rx; break;
            case SORT_CONNS: ka = a->nconns; kb = b->nconns; break;
            case SORT_LAST: ka = a->last; kb = b->last; break;
            case SORT_RATE:
               ka = (uint64_t)(a->up + a->down);
               kb = (uint64_t)(b->up + b->down);
               break;
            case SORT_AGE:
               ka = UINT64_MAX - a->proc->start;
               kb = UINT64_MAX - b->proc->start;
               break;
            case SORT_RTT: ka = a->rtt_us; kb = b->rtt_us; break;
            case SORT_RETRANS: ka = a->retrans; kb = b->retrans; break;
            case SORT_NAME: ka = a->proc->comm[0]; kb = b->proc->comm[0]; break;
            default: ka = a->proc->pid; kb = b->proc->pid; break;
            }
            if (ka == kb) /* ties: by pid, ascending (pid itself follows d) */
               assert_true(o.sort == SORT_PID ? false : a->proc->pid < b->proc->pid);
            else
               assert_true(d ? ka > kb : ka < kb);
         }
         assert_int_equal(n, 40);
         Tree_free(t);
      }
   Store_free(s);
}

/* ---- visibility, root, keys, walk ---- */

static void test_show_inactive(void** state) {
   (void)state;
   Store* s = sample();
   closeSock(s, 12, "1.1.1.1", 53, 40003, 9 * SEC);
   closeSock(s, 12, "93.184.216.34", 80, 40002, 9 * SEC);
   apply(s, TU_fork(1, SEC, 30, 9 * SEC, 9 * SEC));
   apply(s, TU_exit(30, 9 * SEC, 0, 10 * SEC));
   TreeOpts o = opts(VIEW_TREE);
   const char* out = build(s, o);
   assert_null(strstr(out, "1.1.1.1"));   /* inactive edge hidden */
   assert_null(strstr(out, "40002>80"));  /* closed socket hidden */
   assert_non_null(strstr(out, "40001>443"));
   assert_null(strstr(out, "[30]"));      /* exited, nothing below */
   o.show_inactive = true;
   out = build(s, o);
   assert_non_null(strstr(out, "        -> 1.1.1.1 x\n          40003>53 x\n"));
   assert_non_null(strstr(out, "40002>80 x"));
   assert_non_null(strstr(out, "  init[30] x\n")); /* fork copied the name */
   /* conns count the active connections, whatever is shown */
   Tree* t = Tree_build(s, &o);
   assert_int_equal(Tree_root(t)->nconns, 3);
   Tree_free(t);
   o.show_inactive = false;
   t = Tree_build(s, &o);
   assert_int_equal(Tree_root(t)->nconns, 3);
   Tree_free(t);
   Store_free(s);
}

static void test_root_pid(void** state) {
   (void)state;
   Store* s = sample();
   TreeOpts o = opts(VIEW_TREE);
   o.root_pid = 11;
   assert_string_equal(build(s, o), "bash[11]\n"
                                    "  curl[12]\n"
                                    "    -> 1.1.1.1\n"
                                    "      40003>53\n"
                                    "    -> 93.184.216.34\n"
                                    "      40002>80\n"
                                    "      40001>443\n");
   o.view = VIEW_FLAT;
   const char* out = build(s, o);
   assert_true(strncmp(out, "bash[11]\ncurl[12]\n", 18) == 0);
   assert_null(strstr(out, "nginx"));
   o.view = VIEW_ENDPOINT;
   o.root_pid = 20;
   assert_string_equal(build(s, o), "ep 10.0.0.2\n"
                                    "  @nginx[20]\n"
                                    "    8080>50000\n"
                                    "ep 10.0.0.3\n"
                                    "  @nginx[20]\n"
                                    "    8080>50001\n");
   o.root_pid = 4242; /* no such process: empty */
   o.view = VIEW_TREE;
   Tree* t = Tree_build(s, &o);
   assert_int_equal(Tree_size(t), 0);
   assert_null(Tree_root(t)->first_child);
   Tree_free(t);
   Store_free(s);
}

#define MAXKEYS 64

typedef struct Keys_ {
   uint64_t k[MAXKEYS];
   int kind[MAXKEYS];
   int n;
} Keys;

static int collectKey(void* ctx, const TreeNode* n) {
   Keys* k = ctx;
   assert_true(k->n < MAXKEYS);
   k->kind[k->n] = n->kind;
   k->k[k->n++] = n->key;
   return 0;
}

static void keysOf(const Store* s, TreeOpts o, Keys* k) {
   Tree* t = Tree_build(s, &o);
   k->n = 0;
   Tree_walk(t, NULL, NULL, collectKey, k);
   Tree_free(t);
}

static void test_stable_keys(void** state) {
   (void)state;
   Store* s = sample();
   Keys a, b, c;
   keysOf(s, opts(VIEW_TREE), &a);
   keysOf(s, opts(VIEW_TREE), &b);
   assert_int_equal(a.n, b.n);
   assert_memory_equal(a.k, b.k, sizeof a.k[0] * (size_t)a.n);
   for (int i = 0; i < a.n; i++) /* unique */
      for (int j = i + 1; j < a.n; j++)
         assert_true(a.k[i] != a.k[j]);
   /* new activity and another sort order: same keys, other positions */
   conn(s, 11, "8.8.8.8", 53, 40100, 20 * SEC);
   TreeOpts o = opts(VIEW_TREE);
   o.sort = SORT_BYTES;
   o.descending = true;
   keysOf(s, o, &c);
   assert_int_equal(c.n, a.n + 2);
   for (int i = 0; i < a.n; i++) {
      bool found = false;
      for (int j = 0; j < c.n; j++)
         found |= c.k[j] == a.k[i];
      assert_true(found);
   }
   /* a reused tuple is a new socket with a new key */
   closeSock(s, 12, "1.1.1.1", 53, 40003, 21 * SEC);
   conn(s, 12, "1.1.1.1", 53, 40003, 22 * SEC);
   Keys d;
   keysOf(s, opts(VIEW_TREE), &d);
   int socksBefore = 0, common = 0;
   for (int i = 0; i < a.n; i++) {
      if (a.kind[i] != NODE_SOCK)
         continue;
      socksBefore++;
      for (int j = 0; j < d.n; j++)
         common += d.k[j] == a.k[i];
   }
   assert_int_equal(common, socksBefore - 1);
   /* the same process in two views has distinct keys per kind */
   Keys e;
   keysOf(s, opts(VIEW_ENDPOINT), &e);
   for (int i = 0; i < e.n; i++)
      for (int j = 0; j < d.n; j++)
         if (e.kind[i] != d.kind[j])
            assert_true(e.k[i] != d.k[j]);
   Store_free(s);
}

typedef struct WalkCtx_ {
   uint64_t collapse;
   int visited;
   int stop_at;
} WalkCtx;

static bool isCollapsed(void* ctx, uint64_t key) { return ((WalkCtx*)ctx)->collapse == key; }

static int countNode(void* ctx, const TreeNode* n) {
   (void)n;
   WalkCtx* w = ctx;
   w->visited++;
   return w->visited == w->stop_at ? 42 : 0;
}

static void test_walk_collapse(void** state) {
   (void)state;
   Store* s = sample();
   TreeOpts o = opts(VIEW_TREE);
   Tree* t = Tree_build(s, &o);
   WalkCtx w = {0, 0, -1};
   assert_int_equal(Tree_walk(t, NULL, NULL, countNode, &w), 0);
   assert_int_equal(w.visited, 15);
   /* collapse bash: curl and its 5 rows below are skipped */
   const TreeNode* bash = Tree_root(t)->first_child->first_child->first_child;
   assert_string_equal(bash->proc->comm, "bash");
   w = (WalkCtx){bash->key, 0, -1};
   assert_int_equal(Tree_walk(t, isCollapsed, &w, countNode, &w), 0);
   assert_int_equal(w.visited, 9);
   /* collapsing a leaf changes nothing */
   const TreeNode* leaf = bash->first_child->first_child->first_child;
   assert_int_equal(leaf->kind, NODE_SOCK);
   w = (WalkCtx){leaf->key, 0, -1};
   Tree_walk(t, isCollapsed, &w, countNode, &w);
   assert_int_equal(w.visited, 15);
   /* early stop returns the callback's value */
   w = (WalkCtx){0, 0, 4};
   assert_int_equal(Tree_walk(t, NULL, NULL, countNode, &w), 42);
   assert_int_equal(w.visited, 4);
   Tree_free(t);
   /* empty store */
   Store* e = Store_new(0);
   t = Tree_build(e, &o);
   assert_int_equal(Tree_size(t), 0);
   w = (WalkCtx){0, 0, -1};
   assert_int_equal(Tree_walk(t, NULL, NULL, countNode, &w), 0);
   assert_int_equal(w.visited, 0);
   Tree_free(t);
   Store_free(e);
   Store_free(s);
}

static void test_names_and_bad_opts(void** state) {
   (void)state;
   assert_string_equal(Tree_viewName(VIEW_TREE), "tree");
   assert_string_equal(Tree_viewName(VIEW_FLAT), "flat");
   assert_string_equal(Tree_viewName(VIEW_ENDPOINT), "endpoint");
   assert_string_equal(Tree_viewName((TreeView)77), "invalid");
   assert_string_equal(Tree_sortName(SORT_PID), "pid");
   assert_string_equal(Tree_sortName(SORT_NAME), "name");
   assert_string_equal(Tree_sortName(SORT_CONNS), "conns");
   assert_string_equal(Tree_sortName(SORT_BYTES), "bytes");
   assert_string_equal(Tree_sortName(SORT_LAST), "last");
   assert_string_equal(Tree_sortName((SortKey)-1), "invalid");
   /* out-of-range options fall back to the defaults, NULL opts too */
   Store* s = sample();
   TreeOpts o = opts((TreeView)99);
   o.sort = (SortKey)99;
   char def[8192];
   snprintf(def, sizeof def, "%s", build(s, opts(VIEW_TREE)));
   assert_string_equal(build(s, o), def);
   Tree* t = Tree_build(s, NULL);
   assert_int_equal(Tree_size(t), 15);
   Tree_free(t);
   Store_free(s);
}

static int maxDepth(void* ctx, const TreeNode* n) {
   int* d = ctx;
   if (n->depth > *d)
      *d = n->depth;
   return 0;
}

/* A fork chain thousands deep: built without deep recursion, nothing lost. */
static void test_deep_chain(void** state) {
   (void)state;
   enum { DEPTH = 5000 };
   Store* s = Store_new(0);
   apply(s, TU_exec(1, 0, SEC, "init", SEC));
   for (uint32_t i = 0; i < DEPTH; i++)
      apply(s, TU_fork(1 + i, 0, 2 + i, 0, 2 * SEC));
   conn(s, 1 + DEPTH, "10.3.0.1", 80, 1000, 3 * SEC);
   TreeOpts o = opts(VIEW_TREE);
   Tree* t = Tree_build(s, &o);
   assert_int_equal(Tree_size(t), DEPTH + 1 + 2);
   int depth = 0;
   Tree_walk(t, NULL, NULL, maxDepth, &depth);
   assert_true(depth <= 300);
   assert_int_equal(Tree_root(t)->nconns, 1);
   Tree_free(t);
   o.filter = "10.3.0.1"; /* the deepest one's edge: every ancestor kept */
   t = Tree_build(s, &o);
   assert_int_equal(Tree_size(t), 256 + 1 + 2);
   Tree_free(t);
   Store_free(s);
}

/* Sibling groups built from lists in reverse, mixed and sorted order (the
 * sort reverses runs and uses integer keys): every order must come out the
 * same as Tree_cmp's, both directions, in the small and large group path. */
static void checkEdgeOrder(const Store* s, bool desc, int n) {
   TreeOpts o = opts(VIEW_TREE);
   o.descending = desc;
   Tree* t = Tree_build(s, &o);
   const TreeNode* p = Tree_root(t)->first_child;
   assert_non_null(p);
   int k = 0;
   for (const TreeNode* e = p->first_child; e; e = e->next, k++) {
      assert_int_equal(e->kind, NODE_EDGE);
      if (e->next) {
         int c = memcmp(e->ep->addr, e->next->ep->addr, 16);
         assert_true(desc ? c > 0 : c < 0);
      }
   }
   assert_int_equal(k, n);
   Tree_free(t);
}

static void test_sort_reversed_lists(void** state) {
   (void)state;
   static const int sizes[] = {2, 5, 24, 25, 40};
   for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++)
      for (int shape = 0; shape < 3; shape++) {
         int n = sizes[z];
         Store* s = Store_new(0);
         apply(s, TU_exec(100, 0, SEC, "client", SEC));
         for (int i = 0; i < n; i++) {
            /* descending, ascending, or descending then ascending */
            int v = shape == 0 ? n - i : shape == 1 ? i + 1 : (i < n / 2 ? n / 2 - i : i + 1);
            char ip[32];
            snprintf(ip, sizeof ip, "10.6.%d.%d", v / 200, v % 200 + 1);
            conn(s, 100, ip, 443, (uint16_t)(3000 + i), 2 * SEC + (uint64_t)i);
         }
         checkEdgeOrder(s, false, n);
         checkEdgeOrder(s, true, n);
         Store_free(s);
      }
}

/* Names equal in their first 8 bytes (the integer key) are ordered by the
 * rest, case-insensitively, with ties by pid. */
static void test_sort_name_long_prefix(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(10, 0, SEC, "abcdefghZ", SEC));
   apply(s, TU_exec(11, 0, SEC, "ABCDEFGHa", SEC));
   apply(s, TU_exec(12, 0, SEC, "abcdefgh", SEC));
   apply(s, TU_exec(13, 0, SEC, "abcdefgha", SEC));
   TreeOpts o = opts(VIEW_FLAT);
   o.sort = SORT_NAME;
   assert_string_equal(build(s, o), "abcdefgh[12]\nABCDEFGHa[11]\nabcdefgha[13]\nabcdefghZ[10]\n");
   o.descending = true;
   assert_string_equal(build(s, o), "abcdefghZ[10]\nABCDEFGHa[11]\nabcdefgha[13]\nabcdefgh[12]\n");
   Store_free(s);
}

/* Tree_next visits what Tree_walk visits, in the same order; a second build
 * (into the arrays the first one left) gives the same tree. */
static int collectNode(void* ctx, const TreeNode* n) {
   const TreeNode*** p = ctx;
   *(*p)++ = n;
   return 0;
}

static void test_next_matches_walk(void** state) {
   (void)state;
   Store* s = sample();
   TreeOpts o = opts(VIEW_TREE);
   char first[8192];
   snprintf(first, sizeof first, "%s", build(s, o));
   assert_string_equal(build(s, o), first);
   Tree* t = Tree_build(s, &o);
   const TreeNode* v[64];
   const TreeNode** end = v;
   Tree_walk(t, NULL, NULL, collectNode, &end);
   size_t i = 0;
   for (const TreeNode* n = Tree_root(t)->first_child; n; n = Tree_next(n, false), i++) {
      assert_true(v + i < end);
      assert_ptr_equal(n, v[i]);
   }
   assert_int_equal(i, (size_t)(end - v));
   assert_int_equal(i, Tree_size(t));
   /* skipping the children of the first process leaves the other tops */
   const TreeNode* top = Tree_root(t)->first_child;
   const TreeNode* after = Tree_next(top, true);
   assert_ptr_equal(after, top->next);
   Tree_free(t);
   Store_free(s);
}

/* Filtering by address with more addresses than the text cache holds,
 * IPv6 addresses, a filter too long for the plain scan (strcasestr), and
 * upper case. */
static int countKind(const Tree* t, NodeKind kind) {
   int n = 0;
   for (const TreeNode* x = Tree_root(t)->first_child; x; x = Tree_next(x, false))
      n += x->kind == kind;
   return n;
}

static void test_filter_addresses(void** state) {
   (void)state;
   Store* s = Store_new(0);
   apply(s, TU_exec(100, 0, SEC, "scanner", SEC));
   for (int i = 0; i < 300; i++) {
      char ip[32];
      snprintf(ip, sizeof ip, "10.7.%d.%d", i / 256, i % 256);
      conn(s, 100, ip, 22, (uint16_t)(5000 + i), 2 * SEC);
   }
   apply(s, TU_sock(EV_CONNECT, 100, 0, "fd00:200::1", 6000, "fd00:200::1234:5678", 443, 3 * SEC));
   apply(s, TU_sock(EV_CONNECT, 100, 0, "fd00:200::1", 6001, "fd00:200::1234:9999", 443, 3 * SEC));
   TreeOpts o = opts(VIEW_TREE);
   struct {
      const char* filter;
      int edges, socks;
   } cases[] = {
      {"10.7.1.2", 11, 11},             /* 10.7.1.2 and 10.7.1.20-29 */
      {"10.7.0.25", 7, 7},              /* 10.7.0.25 and 10.7.0.250-255 */
      {"7.0.99", 1, 1},
      {"FD00:200::1234", 2, 2},
      {"fd00:200::1234:5678", 1, 1},    /* longer than the plain scan */
      {"FD00:200::1234:5678", 1, 1},
      {"fd00:200::1234:56789", 0, 0},
      {"SCANNER", 302, 302},
   };
   for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
      o.filter = cases[i].filter;
      Tree* t = Tree_build(s, &o);
      assert_int_equal(countKind(t, NODE_EDGE), cases[i].edges);
      assert_int_equal(countKind(t, NODE_SOCK), cases[i].socks);
      Tree_free(t);
   }
   Store_free(s);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hierarchy),
      cmocka_unit_test(test_network_first),
      cmocka_unit_test(test_folds),
      cmocka_unit_test(test_fold_summary),
      cmocka_unit_test(test_health),
      cmocka_unit_test(test_quiet_udp),
      cmocka_unit_test(test_reparent_in_tree),
      cmocka_unit_test(test_flat_view),
      cmocka_unit_test(test_endpoint_view),
      cmocka_unit_test(test_orphans_group),
      cmocka_unit_test(test_filter),
      cmocka_unit_test(test_sort_keys),
      cmocka_unit_test(test_sort_large_groups),
      cmocka_unit_test(test_show_inactive),
      cmocka_unit_test(test_root_pid),
      cmocka_unit_test(test_stable_keys),
      cmocka_unit_test(test_walk_collapse),
      cmocka_unit_test(test_names_and_bad_opts),
      cmocka_unit_test(test_deep_chain),
      cmocka_unit_test(test_sort_reversed_lists),
      cmocka_unit_test(test_sort_name_long_prefix),
      cmocka_unit_test(test_next_matches_walk),
      cmocka_unit_test(test_filter_addresses),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
