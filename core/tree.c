/* tree.c: builds the display tree (process / endpoint / socket rows) from
 * the store.
 *
 * All nodes live in one array sized up front from the store's counts, so a
 * build does two allocations whatever the size. Nodes are created in
 * pre-order; a node that turns out hidden (filtered, inactive) is dropped by
 * rolling the array back to it, which also drops everything built below it.
 * Siblings are gathered on a pointer stack, sorted with qsort_r and linked.
 */
#include "tree.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct Tree_ {
   TreeNode* nodes; /* nodes[0] is the root */
   size_t n, cap;
   TreeNode** stack; /* siblings waiting to be sorted and linked */
   size_t top;
   const Store* store;
   TreeOpts o;
   const char* filter; /* NULL when not filtering */
   Proc* root_proc;
};

/* ---- keys ---- */

static uint64_t mix64(uint64_t h, uint64_t v) {
   h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
   h *= 0xBF58476D1CE4E5B9ull;
   return h ^ (h >> 31);
}

static uint64_t mixAddr(uint64_t h, const uint8_t a[16]) {
   uint64_t lo, hi;
   memcpy(&lo, a, 8);
   memcpy(&hi, a + 8, 8);
   return mix64(mix64(h, lo), hi);
}

static uint64_t Tree_key(const TreeNode* n) {
   /* a different seed per kind: one object shown as two kinds, two keys */
   uint64_t h = 0x5649534E4554ull * (2 * (uint64_t)n->kind + 1);
   switch (n->kind) {
   case NODE_PROC: return mix64(h, n->proc->id);
   case NODE_EDGE:
   case NODE_EP_PROC: return mixAddr(mix64(h, n->proc->id), n->ep->addr);
   case NODE_SOCK:
   case NODE_LISTEN: return mix64(h, n->sock->id);
   case NODE_ENDPOINT: return mixAddr(h, n->ep->addr);
   default: return h;
   }
}

/* ---- filter ---- */

static bool has(const char* hay, const char* text) { return hay && strcasestr(hay, text); }

static bool hasNum(uint64_t v, const char* text) {
   char buf[24];
   char* p = buf + sizeof buf - 1;
   *p = '\0';
   do
      *--p = (char)('0' + v % 10);
   while ((v /= 10) != 0);
   return strstr(p, text) != NULL;
}

/* Formatting an address is the slow part of filtering: sockets of one edge
 * share the remote address and usually the local one, so the last few
 * texts are remembered. */
typedef struct AddrText_ {
   uint8_t addr[16];
   bool valid;
   char text[INET6_ADDRSTRLEN];
} AddrText;

static _Thread_local AddrText addrCache[2];

static bool hasAddr(const uint8_t a[16], const char* text) {
   AddrText* c = &addrCache[a[15] & 1];
   if (!c->valid || memcmp(c->addr, a, 16) != 0) {
      memcpy(c->addr, a, 16);
      Addr_format(a, c->text, sizeof c->text);
      c->valid = true;
   }
   return has(c->text, text);
}

static bool Tree_procMatches(const Proc* p, const char* text) {
   return has(p->comm, text) || has(p->cmdline, text) || hasNum(p->pid, text);
}

static bool Tree_epMatches(const Endpoint* ep, const char* text) {
   return hasAddr(ep->addr, text) || has(ep->name, text);
}

static bool Tree_sockMatches(const Sock* k, const char* text) {
   if (hasNum(k->key.lport, text) || (k->key.rport && hasNum(k->key.rport, text)))
      return true;
   if (has(Event_tcpStateName(k->state), text) || (k->dir == DIR_LISTEN && has("LISTEN", text)))
      return true;
   if (has(k->key.proto == IPPROTO_UDP ? "udp" : "tcp", text))
      return true;
   return hasAddr(k->key.laddr, text) || (!Sock_isListen(k) && hasAddr(k->key.raddr, text));
}

bool Tree_nodeMatches(const TreeNode* n, const char* text) {
   if (!text || !*text)
      return true;
   switch (n->kind) {
   case NODE_PROC:
   case NODE_EP_PROC: return n->proc && Tree_procMatches(n->proc, text);
   case NODE_EDGE:
   case NODE_ENDPOINT: return n->ep && Tree_epMatches(n->ep, text);
   case NODE_SOCK:
   case NODE_LISTEN: return n->sock && Tree_sockMatches(n->sock, text);
   default: return false;
   }
}

/* ---- nodes ---- */

static TreeNode* Tree_node(Tree* t, TreeNode* parent, NodeKind kind) {
   /* nodes are written in array order: ask for the lines a little ahead */
   TreeNode* n = &t->nodes[t->n++];
   memset(n, 0, sizeof *n);
   n->kind = kind;
   n->parent = parent;
   n->depth = parent == t->nodes ? 0 : (uint16_t)(parent->depth < UINT16_MAX ? parent->depth + 1 : UINT16_MAX);
   return n;
}

static void Tree_push(Tree* t, TreeNode* n) { t->stack[t->top++] = n; }

static uint64_t bytes(const TreeNode* n) { return n->tx + n->rx; }

static int cmpU64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* Identity order: total and independent of the sort key, for ties. */
static int Tree_cmpIdentity(const TreeNode* a, const TreeNode* b) {
   int c;
   switch (a->kind) {
   case NODE_PROC:
      if ((c = cmpU64(a->proc->pid, b->proc->pid)))
         return c;
      return cmpU64(a->proc->id, b->proc->id);
   case NODE_EDGE:
   case NODE_ENDPOINT:
   case NODE_EP_PROC:
      if ((c = memcmp(a->ep->addr, b->ep->addr, 16)))
         return c;
      if (a->proc && b->proc) {
         if ((c = cmpU64(a->proc->pid, b->proc->pid)))
            return c;
         return cmpU64(a->proc->id, b->proc->id);
      }
      return 0;
   case NODE_SOCK:
   case NODE_LISTEN:
      if ((c = cmpU64(a->sock->key.rport, b->sock->key.rport)))
         return c;
      if ((c = cmpU64(a->sock->key.lport, b->sock->key.lport)))
         return c;
      if ((c = memcmp(&a->sock->key, &b->sock->key, sizeof a->sock->key)))
         return c;
      return cmpU64(a->sock->id, b->sock->id);
   default: return 0;
   }
}

/* The sort key proper, ascending; 0 on ties. */
static int Tree_cmpKey(const TreeNode* a, const TreeNode* b, SortKey key) {
   switch (key) {
   case SORT_NAME:
      if (a->kind == NODE_PROC || a->kind == NODE_EP_PROC)
         return strcasecmp(a->proc->comm, b->proc->comm);
      if ((a->kind == NODE_EDGE || a->kind == NODE_ENDPOINT) && (a->ep->name || b->ep->name)) {
         if (!a->ep->name || !b->ep->name)
            return a->ep->name ? -1 : 1; /* named first */
         return strcasecmp(a->ep->name, b->ep->name);
      }
      return 0;
   case SORT_CONNS: return cmpU64(a->nconns, b->nconns);
   case SORT_BYTES: return cmpU64(bytes(a), bytes(b));
   case SORT_LAST: return cmpU64(a->last, b->last);
   case SORT_PID:
      if (a->kind == NODE_EP_PROC)
         return cmpU64(a->proc->pid, b->proc->pid);
      return 0;
   default: return 0;
   }
}

static int Tree_cmp(const void* pa, const void* pb, void* ctx) {
   const TreeNode* a = *(TreeNode* const*)pa;
   const TreeNode* b = *(TreeNode* const*)pb;
   const Tree* t = ctx;
   int c = Tree_cmpKey(a, b, t->o.sort);
   if (c)
      return t->o.descending ? -c : c;
   c = Tree_cmpIdentity(a, b);
   /* With no key of its own (pid order for sockets, addresses) the identity
    * order is the key, so it follows the direction too. */
   if (t->o.sort == SORT_PID || (t->o.sort == SORT_NAME && a->kind != NODE_PROC &&
                                 a->kind != NODE_EP_PROC))
      return t->o.descending ? -c : c;
   return c;
}

/* Sorts the siblings pushed since base and appends them to parent. */
static void Tree_link(Tree* t, TreeNode* parent, size_t base) {
   size_t k = t->top - base;
   if (k == 0)
      return;
   TreeNode** v = t->stack + base;
   if (k > 16) {
      qsort_r(v, k, sizeof *v, Tree_cmp, t);
   } else { /* most sibling groups are tiny: insertion sort, no calls */
      for (size_t i = 1; i < k; i++) {
         TreeNode* x = v[i];
         size_t j = i;
         for (; j > 0 && Tree_cmp(&v[j - 1], &x, t) > 0; j--)
            v[j] = v[j - 1];
         v[j] = x;
      }
   }
   TreeNode* tail = parent->first_child;
   while (tail && tail->next)
      tail = tail->next;
   for (size_t i = 0; i < k; i++) {
      v[i]->next = NULL;
      if (tail)
         tail->next = v[i];
      else
         parent->first_child = v[i];
      tail = v[i];
      parent->nchildren++;
      parent->nconns += v[i]->nconns;
      if (v[i]->last > parent->last)
         parent->last = v[i]->last;
   }
   t->top = base;
}

/* Adds the byte totals of the children of parent of the given kind. */
static void Tree_sumBytes(TreeNode* parent, NodeKind kind) {
   for (TreeNode* c = parent->first_child; c; c = c->next)
      if (c->kind == kind) {
         parent->tx += c->tx;
         parent->rx += c->rx;
      }
}

static bool Tree_visibleSock(const Tree* t, const Sock* k) {
   return t->o.show_inactive || Sock_isActive(k);
}

/* Walking a socket list is a chain of cache misses: ask for the next
 * socket's two hot lines while this one is turned into a node. */
static inline void Tree_prefetchSock(const ListNode* next) {
   __builtin_prefetch(next);
   __builtin_prefetch((const char*)next + 64);
}

static TreeNode* Tree_sock(Tree* t, TreeNode* parent, Sock* k, NodeKind kind, bool all) {
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, kind);
   n->sock = k;
   n->proc = k->proc;
   n->edge = k->edge;
   n->ep = k->edge ? k->edge->ep : NULL;
   n->matched = t->filter && Tree_sockMatches(k, t->filter);
   if (!all && !n->matched) {
      t->n = mark;
      return NULL;
   }
   n->active = Sock_isActive(k);
   n->nconns = n->kind == NODE_SOCK ? 1 : 0;
   n->tx = k->tx;
   n->rx = k->rx;
   n->last = k->last;
   n->key = Tree_key(n);
   return n;
}

/* An edge: NODE_EDGE under a process, or NODE_EP_PROC under an endpoint. */
static TreeNode* Tree_edge(Tree* t, TreeNode* parent, Edge* e, NodeKind kind, bool all) {
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, kind);
   n->edge = e;
   n->ep = e->ep;
   n->proc = e->proc;
   n->active = Edge_isActive(e);
   if (t->filter)
      n->matched = kind == NODE_EDGE ? Tree_epMatches(e->ep, t->filter)
                                     : Tree_procMatches(e->proc, t->filter);
   bool below = all || n->matched;
   size_t base = t->top;
   LIST_FOREACH(sn, &e->socks) {
      Tree_prefetchSock(sn->next);
      Sock* k = LIST_ENTRY(sn, Sock, node);
      if (!Tree_visibleSock(t, k))
         break; /* the store keeps closed sockets last */
      TreeNode* c = Tree_sock(t, n, k, NODE_SOCK, below);
      if (c)
         Tree_push(t, c);
   }
   Tree_link(t, n, base);
   if (!n->nchildren && !(below && (t->o.show_inactive || n->active))) {
      t->n = mark;
      return NULL;
   }
   n->tx = e->tx;
   n->rx = e->rx;
   if (e->last > n->last)
      n->last = e->last;
   n->key = Tree_key(n);
   return n;
}

/* Asks for the first socket of every edge of p (and the first edge and
 * listening socket of every child) before they are built: one pass over
 * the short lists puts many misses in flight at once instead of one by
 * one. Hints only. */
static inline void Tree_prefetchObj(const void* obj, size_t size) {
   for (size_t off = 0; off < size; off += 64)
      __builtin_prefetch((const char*)obj + off);
}

static void Tree_prefetchBelow(const Proc* p, bool recurse) {
   LIST_FOREACH(en, &p->edges) {
      const Edge* e = LIST_ENTRY(en, Edge, proc_node);
      __builtin_prefetch(e); /* its first line, read when it becomes a node */
      Tree_prefetchSock(e->socks.next);
   }
   Tree_prefetchSock(p->listens.next);
   if (recurse)
      LIST_FOREACH(cn, &p->children) {
         const Proc* c = LIST_ENTRY(cn, Proc, sibling);
         Tree_prefetchObj(c, sizeof *c);
         __builtin_prefetch(LIST_ENTRY(c->edges.next, Edge, proc_node));
      }
}

/* Process trees deeper than this (a fork chain, hostile or not) are not
 * nested further: the rest of the chain is listed flat under the last
 * nested process, so the build's recursion, and its stack, stay bounded. */
#define TREE_MAX_DEPTH 256

/* Pre-order successor of cur within the subtree of root, or NULL. */
static Proc* Tree_nextInSubtree(const Proc* root, const Proc* cur) {
   if (!List_isEmpty(&cur->children))
      return LIST_ENTRY(cur->children.next, Proc, sibling);
   for (; cur != root; cur = cur->parent)
      if (cur->sibling.next != &cur->parent->children)
         return LIST_ENTRY(cur->sibling.next, Proc, sibling);
   return NULL;
}

static TreeNode* Tree_proc(Tree* t, TreeNode* parent, Proc* p, bool all, bool recurse);

static void Tree_children(Tree* t, TreeNode* n, Proc* p, bool below) {
   if (n->depth + 1 < TREE_MAX_DEPTH) {
      LIST_FOREACH(cn, &p->children) {
         __builtin_prefetch(LIST_ENTRY(cn->next, Proc, sibling));
         TreeNode* c = Tree_proc(t, n, LIST_ENTRY(cn, Proc, sibling), below, true);
         if (c)
            Tree_push(t, c);
      }
      return;
   }
   for (Proc* d = Tree_nextInSubtree(p, p); d; d = Tree_nextInSubtree(p, d)) {
      TreeNode* c = Tree_proc(t, n, d, below, false);
      if (c)
         Tree_push(t, c);
   }
}

static TreeNode* Tree_proc(Tree* t, TreeNode* parent, Proc* p, bool all, bool recurse) {
   Tree_prefetchBelow(p, recurse);
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, NODE_PROC);
   n->proc = p;
   n->active = Proc_isAlive(p);
   n->matched = t->filter && Tree_procMatches(p, t->filter);
   bool below = all || n->matched;
   size_t base = t->top;
   LIST_FOREACH(en, &p->edges) {
      __builtin_prefetch(LIST_ENTRY(en->next, Edge, proc_node));
      Edge* e = LIST_ENTRY(en, Edge, proc_node);
      if (!t->o.show_inactive && !Edge_isActive(e))
         break; /* inactive edges come last */
      TreeNode* c = Tree_edge(t, n, e, NODE_EDGE, below);
      if (c)
         Tree_push(t, c);
   }
   Tree_link(t, n, base);
   LIST_FOREACH(ln, &p->listens) {
      Tree_prefetchSock(ln->next);
      Sock* k = LIST_ENTRY(ln, Sock, node);
      if (!Tree_visibleSock(t, k))
         break;
      TreeNode* c = Tree_sock(t, n, k, NODE_LISTEN, below);
      if (c)
         Tree_push(t, c);
   }
   Tree_link(t, n, base);
   if (recurse) {
      Tree_children(t, n, p, below);
      Tree_link(t, n, base);
   }
   /* Hidden unless it has something to show below it, or is itself shown:
    * alive (or inactive ones wanted) and not filtered out. */
   if (!n->nchildren && !(below && (t->o.show_inactive || n->active))) {
      t->n = mark;
      return NULL;
   }
   Tree_sumBytes(n, NODE_PROC);
   n->tx += p->tx;
   n->rx += p->rx;
   if (p->last > n->last)
      n->last = p->last;
   n->key = Tree_key(n);
   return n;
}

static bool Tree_inSubtree(const Tree* t, const Proc* p) {
   if (!t->root_proc)
      return true;
   for (; p; p = p->parent)
      if (p == t->root_proc)
         return true;
   return false;
}

static TreeNode* Tree_endpoint(Tree* t, TreeNode* parent, Endpoint* ep) {
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, NODE_ENDPOINT);
   n->ep = ep;
   n->active = ep->nactive > 0;
   n->matched = t->filter && Tree_epMatches(ep, t->filter);
   bool below = !t->filter || n->matched;
   size_t base = t->top;
   LIST_FOREACH(en, &ep->edges) {
      Edge* e = LIST_ENTRY(en, Edge, ep_node);
      if (!t->o.show_inactive && !Edge_isActive(e))
         break;
      if (Tree_inSubtree(t, e->proc)) {
         TreeNode* c = Tree_edge(t, n, e, NODE_EP_PROC, below);
         if (c)
            Tree_push(t, c);
      }
   }
   Tree_link(t, n, base);
   if (!n->nchildren) {
      t->n = mark;
      return NULL;
   }
   n->tx = ep->tx;
   n->rx = ep->rx;
   if (ep->last > n->last)
      n->last = ep->last;
   n->key = Tree_key(n);
   return n;
}

static void Tree_orphans(Tree* t) {
   const ListNode* head = Store_orphans(t->store);
   if (List_isEmpty(head) || t->root_proc)
      return;
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, t->nodes, NODE_ORPHANS);
   n->active = true;
   size_t base = t->top;
   LIST_FOREACH(sn, head) {
      Sock* k = Store_orphanSock(sn);
      if (!Tree_visibleSock(t, k))
         break;
      TreeNode* c = Tree_sock(t, n, k, Sock_isListen(k) ? NODE_LISTEN : NODE_SOCK, !t->filter);
      if (c)
         Tree_push(t, c);
   }
   Tree_link(t, n, base);
   if (!n->nchildren) {
      t->n = mark;
      return;
   }
   for (TreeNode* c = n->first_child; c; c = c->next) {
      n->tx += c->tx;
      n->rx += c->rx;
   }
   n->key = Tree_key(n);
   Tree_push(t, n);
}

static void Tree_top(Tree* t) {
   TreeNode* root = t->nodes;
   size_t base = t->top;
   const Store* s = t->store;
   bool all = !t->filter;
   switch (t->o.view) {
   case VIEW_FLAT:
      for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p))
         if (Tree_inSubtree(t, p)) {
            TreeNode* c = Tree_proc(t, root, p, all, false);
            if (c)
               Tree_push(t, c);
         }
      break;
   case VIEW_ENDPOINT:
      for (Endpoint* ep = Store_firstEndpoint(s); ep; ep = Store_nextEndpoint(s, ep)) {
         TreeNode* c = Tree_endpoint(t, root, ep);
         if (c)
            Tree_push(t, c);
      }
      break;
   default:
      if (t->root_proc) {
         TreeNode* c = Tree_proc(t, root, t->root_proc, all, true);
         if (c)
            Tree_push(t, c);
         break;
      }
      for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p))
         if (!p->parent) {
            TreeNode* c = Tree_proc(t, root, p, all, true);
            if (c)
               Tree_push(t, c);
         }
      break;
   }
   Tree_link(t, root, base);
   /* The orphans group always comes last, after the sorted rows. */
   Tree_orphans(t);
   Tree_link(t, root, base);
   for (TreeNode* c = root->first_child; c; c = c->next) {
      root->tx += c->tx;
      root->rx += c->rx;
   }
}

/* The arrays of the last freed tree, kept for the next build: a front end
 * rebuilds every refresh, and fresh arrays of a 100 000-row tree cost more
 * in page faults than the build itself. One per thread. */
static _Thread_local struct {
   TreeNode* nodes;
   TreeNode** stack;
   size_t cap;
} spare;

Tree* Tree_build(const Store* s, const TreeOpts* o) {
   Tree* t = calloc(1, sizeof *t);
   if (!t)
      return NULL;
   StoreStats st;
   Store_stats(s, &st);
   t->cap = st.procs + st.edges + st.socks + st.endpoints + 2;
   if (spare.nodes && spare.cap >= t->cap) {
      t->nodes = spare.nodes;
      t->stack = spare.stack;
      t->cap = spare.cap;
      spare.nodes = NULL;
      spare.stack = NULL;
   } else {
      t->nodes = malloc(t->cap * sizeof *t->nodes);
      t->stack = malloc(t->cap * sizeof *t->stack);
   }
   if (!t->nodes || !t->stack) {
      Tree_free(t);
      return NULL;
   }
   t->store = s;
   if (o)
      t->o = *o;
   if ((unsigned)t->o.view >= VIEW__COUNT)
      t->o.view = VIEW_TREE;
   if ((unsigned)t->o.sort >= SORT__COUNT)
      t->o.sort = SORT_PID;
   t->filter = t->o.filter && t->o.filter[0] ? t->o.filter : NULL;
   t->o.filter = NULL; /* not kept: the caller's string may go */
   TreeNode* root = &t->nodes[t->n++];
   memset(root, 0, sizeof *root);
   root->kind = NODE_ROOT;
   root->active = true;
   if (t->o.root_pid) {
      t->root_proc = Store_proc(s, t->o.root_pid);
      if (!t->root_proc)
         return t; /* no such process: an empty tree */
   }
   Tree_top(t);
   t->filter = NULL;
   return t;
}

void Tree_free(Tree* t) {
   if (!t)
      return;
   if (t->nodes && t->stack && t->cap > spare.cap) {
      free(spare.nodes);
      free(spare.stack);
      spare.nodes = t->nodes;
      spare.stack = t->stack;
      spare.cap = t->cap;
   } else {
      free(t->nodes);
      free(t->stack);
   }
   free(t);
}

const TreeNode* Tree_root(const Tree* t) { return t->nodes; }

size_t Tree_size(const Tree* t) { return t->n - 1; }

int Tree_walk(const Tree* t, bool (*collapsed)(void* ctx, uint64_t key), void* cctx, TreeVisit fn,
              void* ctx) {
   const TreeNode* root = t->nodes;
   const TreeNode* n = root->first_child;
   while (n) {
      int rc = fn(ctx, n);
      if (rc)
         return rc;
      if (n->first_child && !(collapsed && collapsed(cctx, n->key))) {
         n = n->first_child;
         continue;
      }
      while (n != root && !n->next)
         n = n->parent;
      if (n == root)
         break;
      n = n->next;
   }
   return 0;
}

const char* Tree_viewName(TreeView v) {
   switch (v) {
   case VIEW_TREE: return "tree";
   case VIEW_FLAT: return "flat";
   case VIEW_ENDPOINT: return "endpoint";
   default: return "invalid";
   }
}

const char* Tree_sortName(SortKey k) {
   switch (k) {
   case SORT_PID: return "pid";
   case SORT_NAME: return "name";
   case SORT_CONNS: return "conns";
   case SORT_BYTES: return "bytes";
   case SORT_LAST: return "last";
   default: return "invalid";
   }
}
