/* tree.c: builds the display tree (process / endpoint / socket rows) from
 * the store.
 *
 * Over 800 lines on purpose: the three views (hierarchy, flat, by remote),
 * filtering and sorting share one node array and one pre-order build with
 * roll-back; they are one algorithm with three walks.
 *
 * All nodes live in one array sized up front from the store's counts, so a
 * build does two allocations whatever the size. Nodes are created in
 * pre-order; a node that turns out hidden (filtered, inactive) is dropped by
 * rolling the array back to it, which also drops everything built below it.
 * Siblings are gathered on a stack, sorted on precomputed integer keys and
 * linked. A build is bound by cache misses on the store's linked lists and
 * by writing the nodes: see "build order" and the prefetching below, and
 * docs/PERFORMANCE.md ("Terminal UI") for the figures.
 */
#include "tree.h"

#include "filter.h"
#include "fleet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct SortItem_ {
   uint64_t hi, lo; /* sort key, see Tree_sortKey */
   const TreeNode* n;
} SortItem;

struct Tree_ {
   TreeNode* nodes; /* nodes[0] is the root */
   size_t n, cap;
   struct SortItem_* stack; /* siblings waiting to be sorted and linked */
   size_t top;
   const Store* store;
   TreeOpts o;
   const Filter* filter; /* NULL when not filtering: TreeOpts.compiled, or owned */
   Filter* owned;        /* compiled from TreeOpts.filter for this build */
   Proc* root_proc;
   size_t hidden_procs;
   size_t match_active, match_inactive; /* connections the filter matches */
   bool in_fold;                        /* building an open fold's children */
   bool filtered;                       /* a filter was in force */
   uint32_t rate_gen;                   /* Store_rateGen: whose rates hold */
   char error[200];                     /* the filter's, or "" */
   Sock** closed; /* an edge's closed sockets, gathered for folding */
   size_t nclosed, capclosed;
   size_t group;  /* Tree_folds: the first socket of the group being made */
   TreeNode* top_parent; /* where top-level rows go: the root, or a host's node */
   uint64_t salt;        /* keys of a fleet's host: its own (ids are per store) */
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

/* A UDP socket with a peer and no datagram for TREE_UDP_QUIET_NS: the
 * kernel says no close for UDP, so a client that opens a socket per query
 * leaves thousands of these "active" until the store's 120 s; they fold
 * like closed connections (TreeOpts.now_ns, 0: never). */
static inline bool Tree_quietUdp(const Tree* t, const Sock* k) {
   return t->o.now_ns && k->key.proto == IPPROTO_UDP && Sock_isActive(k) && k->last &&
          k->last + TREE_UDP_QUIET_NS < t->o.now_ns;
}

static inline uint64_t Tree_key(const Tree* t, const TreeNode* n) {
   /* a different seed per kind: one object shown as two kinds, two keys */
   uint64_t h = 0x5649534E4554ull * (2 * (uint64_t)n->kind + 1) + t->salt;
   switch (n->kind) {
   case NODE_PROC: return mix64(h, n->proc->id);
   case NODE_EDGE:
   case NODE_EP_PROC: return mixAddr(mix64(h, n->proc->id), n->ep->addr);
   case NODE_SOCK:
   case NODE_LISTEN: return mix64(h, n->sock->id);
   case NODE_ENDPOINT: return mixAddr(h, n->ep->addr);
   case NODE_FOLD: /* an orphans' fold (no proc) folds by address alone */
      return mix64(mixAddr(mix64(h, n->proc ? n->proc->id : 0), n->sock->key.raddr),
                   n->proc ? Sock_foldPort(n->sock) : 0);
   default: return h;
   }
}

/* ---- filter ---- */

/* Filters are short: a plain scan beats strcasestr, which prepares its
 * two-way search on every call. Longer texts keep strcasestr's linear
 * bound (a hostile command line cannot make a scan quadratic). */
#define SCAN_MAX 16

static bool has(const char* hay, const char* text) {
   if (!hay)
      return false;
   size_t m = 0;
   while (m <= SCAN_MAX && text[m])
      m++;
   if (m > SCAN_MAX || m == 0)
      return strcasestr(hay, text) != NULL;
   int c0 = tolower((unsigned char)text[0]);
   for (; *hay; hay++) {
      if (tolower((unsigned char)*hay) != c0)
         continue;
      size_t i = 1;
      while (i < m && tolower((unsigned char)hay[i]) == tolower((unsigned char)text[i]))
         i++;
      if (i == m)
         return true;
   }
   return false;
}

static bool hasNum(uint64_t v, const char* text) {
   char buf[24];
   char* p = buf + sizeof buf - 1;
   *p = '\0';
   do
      *--p = (char)('0' + v % 10);
   while ((v /= 10) != 0);
   return has(p, text); /* digits: the same as strstr */
}

/* Formatting an address is the slow part of filtering: a filtered build
 * asks for the local and remote address of every socket and the address
 * of every edge. Texts are kept in a small table indexed by a hash of the
 * address, and IPv4 (the usual case) is formatted by hand: inet_ntop goes
 * through snprintf. */
typedef struct AddrText_ {
   uint8_t addr[16];
   bool valid;
   char text[INET6_ADDRSTRLEN];
} AddrText;

#define ADDR_CACHE 256 /* a power of two */

static _Thread_local AddrText addrCache[ADDR_CACHE];

static char* putDec(char* p, unsigned v) {
   if (v >= 100)
      *p++ = (char)('0' + v / 100);
   if (v >= 10)
      *p++ = (char)('0' + v / 10 % 10);
   *p++ = (char)('0' + v % 10);
   return p;
}

/* Addr_format, the same text. */
static void Tree_formatAddr(const uint8_t a[16], char* out, size_t len) {
   static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
   if (len < INET_ADDRSTRLEN || memcmp(a, v4, 12) != 0) {
      Addr_format(a, out, len);
      return;
   }
   char* p = out;
   for (int i = 12; i < 16; i++) {
      p = putDec(p, a[i]);
      *p++ = '.';
   }
   p[-1] = '\0';
}

static bool hasAddr(const uint8_t a[16], const char* text) {
   uint32_t tail;
   memcpy(&tail, a + 12, 4);
   AddrText* c = &addrCache[(tail * 0x9E3779B1u) >> 24 & (ADDR_CACHE - 1)];
   if (!c->valid || memcmp(c->addr, a, 16) != 0) {
      memcpy(c->addr, a, 16);
      Tree_formatAddr(a, c->text, sizeof c->text);
      c->valid = true;
   }
   return has(c->text, text);
}

bool Tree_procMatches(const Proc* p, const char* text) {
   return has(p->comm, text) || has(p->cmdline, text) || hasNum(p->pid, text);
}

bool Tree_epMatches(const Endpoint* ep, const char* text) {
   return hasAddr(ep->addr, text) || has(ep->name, text);
}

bool Tree_sockMatches(const Sock* k, const char* text) {
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
   case NODE_FOLD:
   case NODE_LISTEN: return n->sock && Tree_sockMatches(n->sock, text);
   default: return false;
   }
}

/* ---- nodes ---- */

static inline TreeNode* Tree_node(Tree* t, TreeNode* parent, NodeKind kind) {
   /* nodes are written in array order: ask for the lines a little ahead */
   if (t->n + 8 < t->cap)
      __builtin_prefetch(&t->nodes[t->n + 8], 1);
   TreeNode* n = &t->nodes[t->n++];
   /* field by field: a memset here compiles to a slow "rep stos" */
   n->kind = kind;
   n->depth = parent == t->nodes ? 0 : (uint16_t)(parent->depth < UINT16_MAX ? parent->depth + 1 : UINT16_MAX);
   n->matched = n->active = n->context = false;
   n->key = 0;
   n->proc = NULL;
   n->edge = NULL;
   n->sock = NULL;
   n->ep = NULL;
   n->nconns = n->nchildren = n->nfolded = 0;
   n->tx = n->rx = n->last = 0;
   n->up = n->down = 0;
   n->rtt_us = n->retrans = 0;
   n->parent = parent;
   n->first_child = n->next = NULL;
   return n;
}

static uint64_t bytes(const TreeNode* n) { return n->tx + n->rx; }

/* Whole bytes/s: rates a byte apart are a tie, broken by identity, so
 * rows do not swap on noise. */
static uint64_t Tree_rateKey(const TreeNode* n) {
   float up, down;
   Tree_rate(n, &up, &down);
   return (uint64_t)((double)up + down);
}

static uint64_t Tree_rttKey(const TreeNode* n) {
   uint32_t rtt, re;
   Tree_health(n, &rtt, &re);
   return rtt;
}

static uint64_t Tree_retransKey(const TreeNode* n) {
   uint32_t rtt, re;
   Tree_health(n, &rtt, &re);
   return re;
}

/* The older, the greater: the complement of when it started. */
static uint64_t Tree_ageKey(const TreeNode* n) {
   uint64_t t = 0;
   switch (n->kind) {
   case NODE_PROC:
   case NODE_EP_PROC: t = n->proc ? n->proc->start : 0; break;
   case NODE_EDGE: t = 0; break; /* a remote of a process: no age of its own */
   case NODE_ENDPOINT: t = n->ep ? n->ep->first : 0; break;
   case NODE_SOCK:
   case NODE_LISTEN:
   case NODE_FOLD: t = n->sock ? n->sock->opened : 0; break;
   default: break;
   }
   return t ? UINT64_MAX - t : 0; /* unknown: the youngest */
}

static int cmpU64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* Identity order: total and independent of the sort key, for ties. */
/* Where a connection row goes among its siblings by identity: by remote
 * then local port; a fold by the port it stands for, not by its latest
 * connection's (whose ephemeral port changes as connections come and go,
 * and the row would jump at every frame); the summary of a fold's older
 * connections first among them. */
static uint64_t Tree_portOrder(const TreeNode* n) {
   const Sock* k = n->sock;
   if (k->merged)
      return 0; /* a fold's summary of its older connections: before them */
   if (n->kind != NODE_FOLD)
      return (uint64_t)k->key.rport << 16 | k->key.lport;
   return k->dir == DIR_IN ? k->key.lport : (uint64_t)k->key.rport << 16;
}

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
   case NODE_FOLD:
   case NODE_LISTEN:
      if ((c = cmpU64(Tree_portOrder(a), Tree_portOrder(b))))
         return c;
      if (a->kind == NODE_FOLD || b->kind == NODE_FOLD) {
         if (a->kind != b->kind)
            return a->kind == NODE_FOLD ? -1 : 1;
         if ((c = memcmp(a->sock->key.raddr, b->sock->key.raddr, 16)))
            return c;
         return cmpU64(a->key, b->key);
      }
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
   case SORT_RATE: return cmpU64(Tree_rateKey(a), Tree_rateKey(b));
   case SORT_RTT: return cmpU64(Tree_rttKey(a), Tree_rttKey(b));
   case SORT_RETRANS: return cmpU64(Tree_retransKey(a), Tree_retransKey(b));
   case SORT_AGE: return cmpU64(Tree_ageKey(a), Tree_ageKey(b));
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

/* ---- sorting siblings ----
 *
 * Each sibling waits on the stack with a 128-bit sort key computed once from
 * its node (and what it points to). The key is a coarser order than
 * Tree_cmp: when two keys differ they order the nodes as Tree_cmp would, and
 * only equal keys fall back to Tree_cmp. So nearly every comparison is two
 * integer compares, with no pointer chasing into the store. */

static uint64_t be64(const uint8_t* p) {
   uint64_t v;
   memcpy(&v, p, 8);
   return __builtin_bswap64(v);
}

/* The first 8 bytes of s as strcasecmp sees them, big-endian: comparing two
 * such prefixes orders the strings as strcasecmp does, unless they are
 * equal. */
static uint64_t casePrefix(const char* s) {
   uint64_t v = 0;
   int i = 0;
   for (; i < 8 && s[i]; i++)
      v = v << 8 | (uint8_t)tolower((unsigned char)s[i]);
   return i < 8 ? v << (8 * (8 - i)) : v;
}

static void Tree_sortKey(const Tree* t, const TreeNode* n, SortItem* it) {
   uint64_t hi = 0, lo = 0;
   bool flip = t->o.descending; /* does the key follow the direction? */
   switch (t->o.sort) {
   case SORT_CONNS: hi = n->nconns; break;
   case SORT_BYTES: hi = bytes(n); break;
   case SORT_LAST: hi = n->last; break;
   case SORT_RATE: hi = Tree_rateKey(n); break;
   case SORT_RTT: hi = Tree_rttKey(n); break;
   case SORT_RETRANS: hi = Tree_retransKey(n); break;
   case SORT_AGE: hi = Tree_ageKey(n); break;
   case SORT_NAME:
      if (n->kind == NODE_PROC || n->kind == NODE_EP_PROC)
         hi = casePrefix(n->proc->comm);
      else if (n->kind == NODE_SOCK || n->kind == NODE_LISTEN || n->kind == NODE_FOLD)
         hi = Tree_portOrder(n);
      else
         flip = false; /* names of endpoints: Tree_cmp decides */
      break;
   case SORT_PID:
   default:
      switch (n->kind) {
      case NODE_PROC:
         hi = n->proc->pid;
         lo = n->proc->id;
         break;
      case NODE_EP_PROC: hi = n->proc->pid; break;
      case NODE_EDGE:
      case NODE_ENDPOINT:
         hi = be64(n->ep->addr);
         lo = be64(n->ep->addr + 8);
         break;
      case NODE_SOCK:
      case NODE_FOLD:
      case NODE_LISTEN: hi = Tree_portOrder(n); break;
      default: break;
      }
      break;
   }
   it->hi = flip ? ~hi : hi;
   it->lo = flip ? ~lo : lo;
   it->n = n;
}

/* Puts c on the stack, to be sorted among its siblings, and counts it in
 * parent now, while c is in the cache (bytes too if sum). */
static inline void Tree_push(Tree* t, TreeNode* parent, TreeNode* c, bool sum) {
   t->stack[t->top++].n = c;
   parent->nchildren++;
   parent->nconns += c->nconns;
   if (c->last > parent->last)
      parent->last = c->last;
   if (sum) {
      parent->tx += c->tx;
      parent->rx += c->rx;
      parent->up += c->up;
      parent->down += c->down;
      parent->retrans += c->retrans;
      if (c->rtt_us > parent->rtt_us)
         parent->rtt_us = c->rtt_us;
   }
}

static inline int Tree_cmpItem(const SortItem* a, const SortItem* b, const Tree* t) {
   if (a->hi != b->hi)
      return a->hi < b->hi ? -1 : 1;
   if (a->lo != b->lo)
      return a->lo < b->lo ? -1 : 1;
   return Tree_cmp(&a->n, &b->n, (void*)t);
}

static int Tree_cmpItemQ(const void* a, const void* b, void* t) { return Tree_cmpItem(a, b, t); }

static void Tree_sortGroup(Tree* t, SortItem* v, size_t k) {
   for (size_t i = 0; i < k; i++)
      Tree_sortKey(t, v[i].n, &v[i]);
   /* The store keeps recent entries first: a group is often in reverse
    * order, or starts so. Reverse that run; insertion sort is then linear. */
   size_t run = 1;
   while (run < k && Tree_cmpItem(&v[run - 1], &v[run], t) > 0)
      run++;
   for (size_t i = 0, j = run - 1; i < j; i++, j--) {
      SortItem x = v[i];
      v[i] = v[j];
      v[j] = x;
   }
   if (k > 24) {
      /* often in order already (creation order is pid order) */
      size_t i = 1;
      while (i < k && Tree_cmpItem(&v[i - 1], &v[i], t) <= 0)
         i++;
      if (i < k)
         qsort_r(v, k, sizeof *v, Tree_cmpItemQ, t);
      return;
   }
   for (size_t i = 1; i < k; i++) { /* small groups: insertion sort */
      if (Tree_cmpItem(&v[i - 1], &v[i], t) <= 0)
         continue;
      SortItem x = v[i];
      size_t j = i;
      for (; j > 0 && Tree_cmpItem(&v[j - 1], &x, t) > 0; j--)
         v[j] = v[j - 1];
      v[j] = x;
   }
}

/* Sorts the siblings pushed since base (not yet linked). Keys are only
 * computed for groups of two or more: most groups (the sockets of one
 * edge) have one member. */
static inline void Tree_sort(Tree* t, size_t base) {
   if (t->top - base >= 2)
      Tree_sortGroup(t, t->stack + base, t->top - base);
}

/* Links the nodes pushed since base (sorted, group by group) as the
 * children of parent, which has none yet, and pops them. */
static void Tree_link(Tree* t, TreeNode* parent, size_t base) {
   TreeNode** tail = &parent->first_child;
   for (size_t i = base; i < t->top; i++) {
      TreeNode* c = (TreeNode*)t->stack[i].n;
      *tail = c;
      tail = &c->next;
   }
   *tail = NULL;
   t->top = base;
}

static bool Tree_visibleSock(const Tree* t, const Sock* k) {
   return t->o.show_inactive || Sock_isActive(k);
}

/* ---- build order ----
 *
 * Walking the tree after a build (Tree_walk, the UI's rows) is several times
 * faster when display order is memory order, and nodes are written in the
 * order they are built. So each sibling group is built in the order it will
 * probably be sorted into: the store keeps recent entries first, and a list
 * is often sorted backwards. The first and last entries are compared on a
 * stand-in for the sort key read from the store; a wrong guess only costs
 * walk speed, as the siblings are sorted anyway. Lists that keep inactive
 * entries last are only walked backwards when the last entry is shown. */

static int Tree_guessDir(const Tree* t, int c) { return t->o.descending ? -c : c; }

static int Tree_guessSocks(const Tree* t, const Sock* a, const Sock* b) {
   switch (t->o.sort) {
   case SORT_BYTES: return Tree_guessDir(t, cmpU64(a->tx + a->rx, b->tx + b->rx));
   case SORT_LAST: return Tree_guessDir(t, cmpU64(a->last, b->last));
   default:
      return Tree_guessDir(t, cmpU64((uint32_t)a->key.rport << 16 | a->key.lport,
                                     (uint32_t)b->key.rport << 16 | b->key.lport));
   }
}

static int Tree_guessProcs(const Tree* t, const Proc* a, const Proc* b) {
   switch (t->o.sort) {
   case SORT_NAME: return Tree_guessDir(t, strcasecmp(a->comm, b->comm));
   case SORT_CONNS: return Tree_guessDir(t, cmpU64(a->nactive, b->nactive));
   case SORT_BYTES: return Tree_guessDir(t, cmpU64(a->tx + a->rx, b->tx + b->rx));
   case SORT_LAST: return Tree_guessDir(t, cmpU64(a->last, b->last));
   default: return Tree_guessDir(t, cmpU64(a->pid, b->pid));
   }
}

static int Tree_guessEdges(const Tree* t, const Edge* a, const Edge* b, bool by_proc) {
   switch (t->o.sort) {
   case SORT_CONNS: return Tree_guessDir(t, cmpU64(a->nactive, b->nactive));
   case SORT_BYTES: return Tree_guessDir(t, cmpU64(a->tx + a->rx, b->tx + b->rx));
   case SORT_LAST: return Tree_guessDir(t, cmpU64(a->last, b->last));
   default:
      if (by_proc)
         return Tree_guessProcs(t, a->proc, b->proc);
      return Tree_guessDir(t, memcmp(a->ep->addr, b->ep->addr, 16));
   }
}

static inline bool Tree_backSocks(const Tree* t, const ListNode* head) {
   if (head->next == head->prev)
      return false;
   const Sock* first = LIST_ENTRY(head->next, Sock, node);
   const Sock* last = LIST_ENTRY(head->prev, Sock, node);
   return Tree_visibleSock(t, last) && Tree_guessSocks(t, first, last) > 0;
}

/* Edges of a process (by_proc false) or of an endpoint (by_proc true). */
static bool Tree_backEdges(const Tree* t, const ListNode* head, size_t member, bool by_proc) {
   if (head->next == head->prev)
      return false;
   const Edge* first = (const Edge*)((const char*)head->next - member);
   const Edge* last = (const Edge*)((const char*)head->prev - member);
   return (t->o.show_inactive || Edge_isActive(last)) &&
          Tree_guessEdges(t, first, last, by_proc) > 0;
}

static bool Tree_backProcs(const Tree* t, const ListNode* head) {
   if (head->next == head->prev)
      return false;
   return Tree_guessProcs(t, LIST_ENTRY(head->next, Proc, sibling),
                          LIST_ENTRY(head->prev, Proc, sibling)) > 0;
}

static inline ListNode* Tree_step(const ListNode* n, bool back) { return back ? n->prev : n->next; }

#define LIST_EACH(node, head, back) \
   for (ListNode* node = Tree_step(head, back); node != (head); node = Tree_step(node, back))

/* Walking a socket list is a chain of cache misses: ask for the next
 * socket's two hot lines while this one is turned into a node. */
static inline void Tree_prefetchSock(const ListNode* next) {
   __builtin_prefetch(next);
   __builtin_prefetch((const char*)next + 64);
}

static void Tree_countMatch(Tree* t, const Sock* k) {
   if (Sock_isActive(k))
      t->match_active++;
   else
      t->match_inactive += Sock_count(k); /* a summary: its connections */
}

static TreeNode* Tree_sock(Tree* t, TreeNode* parent, Sock* k, NodeKind kind, bool all) {
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, kind);
   n->sock = k;
   n->proc = k->proc;
   n->edge = k->edge;
   n->ep = k->edge ? k->edge->ep : NULL;
   n->matched = t->filter && Filter_sock(t->filter, k);
   if (n->matched && !t->in_fold)
      Tree_countMatch(t, k);
   if (!all && !n->matched) {
      t->n = mark;
      return NULL;
   }
   n->active = Sock_isActive(k);
   n->nconns = n->kind == NODE_SOCK && n->active ? 1 : 0;
   n->tx = k->tx;
   n->rx = k->rx;
   n->last = k->last;
   n->key = Tree_key(t, n);
   return n;
}

/* ---- folds: closed connections of an edge, by port ---- */

static bool Tree_gather(Tree* t, Sock* k) {
   if (t->nclosed == t->capclosed) {
      size_t cap = t->capclosed ? t->capclosed * 2 : 256;
      Sock** v = realloc(t->closed, cap * sizeof *v);
      if (!v)
         return false;
      t->closed = v;
      t->capclosed = cap;
   }
   t->closed[t->nclosed++] = k;
   return true;
}

/* One group of k closed connections to one port: a single one as itself,
 * more (or the store's summary of older ones) as a NODE_FOLD, with them
 * beneath only when the front end opened it. */
static void Tree_fold(Tree* t, TreeNode* parent, Sock** v, size_t k) {
   if (k == 1 && !v[0]->merged) {
      t->in_fold = true; /* counted when gathered */
      TreeNode* c = Tree_sock(t, parent, v[0], NODE_SOCK, true);
      t->in_fold = false;
      Tree_push(t, parent, c, false);
      return;
   }
   TreeNode* f = Tree_node(t, parent, NODE_FOLD);
   Sock* latest = v[0];
   for (size_t i = 0; i < k; i++) {
      f->nfolded += Sock_count(v[i]);
      f->tx += v[i]->tx;
      f->rx += v[i]->rx;
      if (v[i]->last > latest->last)
         latest = v[i];
      if (v[i]->last > f->last)
         f->last = v[i]->last;
      if (Sock_isActive(v[i])) { /* quiet UDP: still connections */
         f->nconns++;
         f->active = true;
      }
   }
   f->sock = latest;
   f->proc = parent->proc;
   f->edge = parent->edge;
   f->ep = parent->ep;
   f->matched = t->filter && Filter_sock(t->filter, latest);
   f->key = Tree_key(t, f);
   if (t->o.fold_open && t->o.fold_open(t->o.fold_ctx, f->key)) {
      size_t base = t->top;
      t->in_fold = true; /* counted when gathered */
      for (size_t i = 0; i < k; i++)
         Tree_push(t, f, Tree_sock(t, f, v[i], NODE_SOCK, true), false);
      t->in_fold = false;
      Tree_sort(t, base);
      Tree_link(t, f, base);
   }
   Tree_push(t, parent, f, false);
}

/* Moves the sockets of v[0..n) that pass keep to the front; returns how
 * many. */
static size_t Tree_partition(const Tree* t, Sock** v, size_t n,
                             bool (*keep)(const Tree*, const Sock*)) {
   size_t j = 0;
   for (size_t x = 0; x < n; x++)
      if (keep(t, v[x])) {
         Sock* tmp = v[j];
         v[j++] = v[x];
         v[x] = tmp;
      }
   return j;
}

static bool Tree_sameFoldAs0(const Tree* t, const Sock* k) {
   return Sock_foldPort(k) == Sock_foldPort(t->closed[t->group]);
}

static bool Tree_sameAddrAs0(const Tree* t, const Sock* k) {
   return memcmp(k->key.raddr, t->closed[t->group]->key.raddr, 16) == 0;
}

/* An active UDP socket that spoke lately: a row of its own, unless its
 * port has more than TREE_UDP_ROWS of them (a server's peers, a client's
 * socket per query): then they fold with the quiet ones. */
static bool Tree_freshUdp(const Tree* t, const Sock* k) {
   return k->key.proto == IPPROTO_UDP && Sock_isActive(k) && !Tree_quietUdp(t, k);
}

/* One group: fresh UDP sockets, when few, as rows; the rest folded. */
static void Tree_group(Tree* t, TreeNode* parent, Sock** v, size_t n) {
   size_t fresh = v[0]->key.proto == IPPROTO_UDP ? Tree_partition(t, v, n, Tree_freshUdp) : 0;
   if (fresh > TREE_UDP_ROWS)
      fresh = 0;
   t->in_fold = true; /* counted when gathered */
   for (size_t i = 0; i < fresh; i++)
      Tree_push(t, parent, Tree_sock(t, parent, v[i], NODE_SOCK, true), false);
   t->in_fold = false;
   if (n > fresh)
      Tree_fold(t, parent, v + fresh, n - fresh);
}

/* Groups the gathered sockets, in place: few groups, so a pass per group. */
static void Tree_folds(Tree* t, TreeNode* parent, bool by_addr) {
   Sock** v = t->closed;
   size_t m = t->nclosed;
   for (size_t i = 0; i < m;) {
      t->group = i;
      size_t j = i + Tree_partition(t, v + i, m - i, by_addr ? Tree_sameAddrAs0 : Tree_sameFoldAs0);
      Tree_group(t, parent, v + i, j - i);
      i = j;
   }
   t->nclosed = 0;
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
      n->matched = Filter_remote(t->filter, e->proc, e->ep) == FILTER_YES;
   bool below = all || n->matched;
   size_t base = t->top;
   bool back = Tree_backSocks(t, &e->socks);
   LIST_EACH(sn, &e->socks, back) {
      Tree_prefetchSock(Tree_step(sn, back));
      Sock* k = LIST_ENTRY(sn, Sock, node);
      if (!Tree_visibleSock(t, k))
         break; /* the store keeps closed sockets last */
      /* closed and UDP sockets group by port (Tree_folds) */
      if (t->o.fold && (!Sock_isActive(k) || (t->o.now_ns && k->key.proto == IPPROTO_UDP))) {
         bool match = t->filter && Filter_sock(t->filter, k);
         if ((below || match) && Tree_gather(t, k)) {
            if (match)
               Tree_countMatch(t, k);
            continue;
         }
      }
      TreeNode* c = Tree_sock(t, n, k, NODE_SOCK, below);
      if (c)
         Tree_push(t, n, c, false);
   }
   if (t->nclosed)
      Tree_folds(t, n, false);
   Tree_sort(t, base);
   Tree_link(t, n, base);
   if (!n->nchildren && !(below && (t->o.show_inactive || n->active))) {
      t->n = mark;
      return NULL;
   }
   n->tx = e->tx;
   if (e->rate_gen == t->rate_gen) { /* else none at the last update */
      n->up = e->up;
      n->down = e->down;
   }
   n->rx = e->rx;
   if (e->last > n->last)
      n->last = e->last;
   n->key = Tree_key(t, n);
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

/* Edge lists are chains of misses too. While one child of a process (or
 * one endpoint) is built, the edge lists of the next AHEAD siblings advance
 * a step each, from both ends (see Tree_backEdges), asking for the next
 * edge and its first socket: by its turn a sibling's first edges are in the
 * cache. */
#define SIBLINGS 32
#define AHEAD 4

typedef struct Ahead_ {
   void* owner;                /* the Proc or Endpoint */
   const ListNode* head;       /* its list of edges */
   size_t member;              /* offset of that list's node in Edge */
   const ListNode *fwd, *bwd;  /* asked for; NULL once the ends met */
} Ahead;

static inline void Tree_aheadEdge(const ListNode* en, size_t member) {
   __builtin_prefetch((const char*)en - member); /* both lines of the edge */
   __builtin_prefetch((const char*)en - member + 64);
}

static void Tree_aheadInit(Ahead* a, void* owner, const ListNode* head, size_t member) {
   a->owner = owner;
   a->head = head;
   a->member = member;
   a->fwd = a->bwd = NULL;
   if (head->next == head)
      return;
   Tree_aheadEdge(head->next, member);
   Tree_aheadEdge(head->prev, member);
   if (head->next != head->prev) {
      a->fwd = head->next;
      a->bwd = head->prev;
   }
}

static void Tree_aheadSock(const Ahead* a, const ListNode* en) {
   const Edge* e = (const Edge*)((const char*)en - a->member);
   Tree_prefetchSock(e->socks.next);
   __builtin_prefetch(e->proc); /* read by an endpoint's edges */
}

static void Tree_aheadStep(Ahead* a) {
   if (!a->fwd)
      return;
   const ListNode* f = a->fwd->next;
   const ListNode* b = a->bwd->prev;
   Tree_aheadSock(a, a->fwd);
   Tree_aheadSock(a, a->bwd);
   if (f == a->bwd || b == a->fwd) {
      a->fwd = a->bwd = NULL;
      return;
   }
   Tree_aheadEdge(f, a->member);
   Tree_aheadEdge(b, a->member);
   a->fwd = f;
   a->bwd = b;
   if (f == b)
      a->fwd = a->bwd = NULL;
}

/* Socket lists are walked a step at a time over the edges of p, from
 * both ends (see Tree_backSocks): each pass reads the lines the pass
 * before asked for and asks for the next ones, so the misses of all the
 * lists overlap instead of following each other. */
#define PREFETCH_EDGES 32
#define PREFETCH_STEPS 3

static void Tree_prefetchBelow(const Proc* p, bool recurse) {
   const ListNode *head[PREFETCH_EDGES], *fwd[PREFETCH_EDGES], *bwd[PREFETCH_EDGES];
   size_t n = 0;
   LIST_FOREACH(en, &p->edges) {
      const Edge* e = LIST_ENTRY(en, Edge, proc_node);
      __builtin_prefetch(e); /* its first line, read when it becomes a node */
      Tree_prefetchSock(e->socks.next);
      Tree_prefetchSock(e->socks.prev);
      if (n < PREFETCH_EDGES && e->socks.next != e->socks.prev) {
         head[n] = &e->socks;
         fwd[n] = e->socks.next;
         bwd[n] = e->socks.prev;
         n++;
      }
   }
   Tree_prefetchSock(p->listens.next);
   Tree_prefetchSock(p->listens.prev);
   if (recurse) {
      LIST_FOREACH(cn, &p->children)
         Tree_prefetchObj(LIST_ENTRY(cn, Proc, sibling), sizeof(Proc));
   }
   for (int step = 0; step < PREFETCH_STEPS && n; step++) {
      size_t live = 0;
      for (size_t i = 0; i < n; i++) {
         const ListNode* f = fwd[i]->next;
         const ListNode* b = bwd[i]->prev;
         if (f == bwd[i] || f == head[i] || b == fwd[i])
            continue; /* the two ends met: all asked for */
         Tree_prefetchSock(f);
         Tree_prefetchSock(b);
         if (f == b)
            continue;
         head[live] = head[i];
         fwd[live] = f;
         bwd[live] = b;
         live++;
      }
      n = live;
   }
   if (recurse) {
      LIST_FOREACH(cn, &p->children) {
         const Proc* c = LIST_ENTRY(cn, Proc, sibling);
         if (!List_isEmpty(&c->edges)) {
            Tree_aheadEdge(c->edges.next, offsetof(Edge, proc_node));
            Tree_aheadEdge(c->edges.prev, offsetof(Edge, proc_node));
         }
      }
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
      bool back = Tree_backProcs(t, &p->children);
      const ListNode* head = &p->children;
      const ListNode* cn = Tree_step(head, back);
      while (cn != head) { /* SIBLINGS at a time */
         Ahead kid[SIBLINGS];
         size_t k = 0;
         for (; cn != head && k < SIBLINGS; cn = Tree_step(cn, back)) {
            Proc* c = LIST_ENTRY(cn, Proc, sibling);
            Tree_aheadInit(&kid[k++], c, &c->edges, offsetof(Edge, proc_node));
         }
         for (size_t i = 0; i < k; i++) {
            for (size_t j = i + 1; j < k && j <= i + AHEAD; j++)
               Tree_aheadStep(&kid[j]);
            TreeNode* c = Tree_proc(t, n, kid[i].owner, below, true);
            if (c)
               Tree_push(t, n, c, true);
         }
      }
      return;
   }
   for (Proc* d = Tree_nextInSubtree(p, p); d; d = Tree_nextInSubtree(p, d)) {
      TreeNode* c = Tree_proc(t, n, d, below, false);
      if (c)
         Tree_push(t, n, c, true);
   }
}

static TreeNode* Tree_proc(Tree* t, TreeNode* parent, Proc* p, bool all, bool recurse) {
   Tree_prefetchBelow(p, recurse);
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, parent, NODE_PROC);
   n->proc = p;
   n->active = Proc_isAlive(p);
   n->matched = t->filter && Filter_proc(t->filter, p) == FILTER_YES;
   bool below = all || n->matched;
   size_t base = t->top;
   bool back = Tree_backEdges(t, &p->edges, offsetof(Edge, proc_node), false);
   LIST_EACH(en, &p->edges, back) {
      __builtin_prefetch(LIST_ENTRY(Tree_step(en, back), Edge, proc_node));
      Edge* e = LIST_ENTRY(en, Edge, proc_node);
      if (!t->o.show_inactive && !Edge_isActive(e))
         break; /* inactive edges come last */
      TreeNode* c = Tree_edge(t, n, e, NODE_EDGE, below);
      if (c)
         Tree_push(t, n, c, false);
   }
   Tree_sort(t, base);
   size_t group = t->top;
   back = Tree_backSocks(t, &p->listens);
   LIST_EACH(ln, &p->listens, back) {
      Tree_prefetchSock(Tree_step(ln, back));
      Sock* k = LIST_ENTRY(ln, Sock, node);
      if (!Tree_visibleSock(t, k))
         break;
      TreeNode* c = Tree_sock(t, n, k, NODE_LISTEN, below);
      if (c)
         Tree_push(t, n, c, false);
   }
   Tree_sort(t, group);
   if (recurse) {
      group = t->top;
      Tree_children(t, n, p, below);
      Tree_sort(t, group);
   }
   Tree_link(t, n, base);
   /* Hidden unless it has something to show below it, or is itself shown:
    * alive (or inactive ones wanted), not filtered out, and (unless every
    * process is wanted) one that has held a socket or that the filter names. */
   bool net = t->o.all_procs || (p->flags & PROCF_SOCKETS) || n->matched;
   if (!n->nchildren && !(below && net && (t->o.show_inactive || n->active))) {
      if (below && !net && (t->o.show_inactive || n->active))
         t->hidden_procs++;
      t->n = mark;
      return NULL;
   }
   n->context = !net;
   n->tx += p->tx;
   if (p->rate_gen == t->rate_gen) {
      n->up += p->up;
      n->down += p->down;
      n->retrans += p->retrans;
      if (p->rtt_us > n->rtt_us)
         n->rtt_us = p->rtt_us;
   }
   n->rx += p->rx;
   if (p->last > n->last)
      n->last = p->last;
   n->key = Tree_key(t, n);
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
   n->matched = t->filter && Filter_remote(t->filter, NULL, ep) == FILTER_YES;
   bool below = !t->filter || n->matched;
   size_t base = t->top;
   bool back = Tree_backEdges(t, &ep->edges, offsetof(Edge, ep_node), true);
   LIST_EACH(en, &ep->edges, back) {
      Edge* e = LIST_ENTRY(en, Edge, ep_node);
      if (!t->o.show_inactive && !Edge_isActive(e))
         break;
      if (Tree_inSubtree(t, e->proc)) {
         TreeNode* c = Tree_edge(t, n, e, NODE_EP_PROC, below);
         if (c)
            Tree_push(t, n, c, false);
      }
   }
   Tree_sort(t, base);
   Tree_link(t, n, base);
   if (!n->nchildren) {
      t->n = mark;
      return NULL;
   }
   n->tx = ep->tx;
   if (ep->rate_gen == t->rate_gen) {
      n->up = ep->up;
      n->down = ep->down;
      n->rtt_us = ep->rtt_us;
      n->retrans = ep->retrans;
   }
   n->rx = ep->rx;
   if (ep->last > n->last)
      n->last = ep->last;
   n->key = Tree_key(t, n);
   return n;
}

static void Tree_orphans(Tree* t) {
   const ListNode* head = Store_orphans(t->store);
   if (List_isEmpty(head) || t->root_proc)
      return;
   size_t mark = t->n;
   TreeNode* n = Tree_node(t, t->top_parent, NODE_ORPHANS);
   n->active = true;
   size_t base = t->top;
   bool back = Tree_backSocks(t, head);
   LIST_EACH(sn, head, back) {
      Sock* k = Store_orphanSock(sn);
      if (!Tree_visibleSock(t, k))
         break;
      /* TIME_WAIT swamps a busy host's list: one row per remote address
       * (of those the filter keeps), unless the filter asks by state */
      if (t->o.fold && k->state == TCPS_TIME_WAIT && !Filter_namesState(t->filter)) {
         bool match = t->filter && Filter_sock(t->filter, k);
         if ((!t->filter || match) && Tree_gather(t, k)) {
            if (match)
               Tree_countMatch(t, k);
            continue;
         }
      }
      TreeNode* c = Tree_sock(t, n, k, Sock_isListen(k) ? NODE_LISTEN : NODE_SOCK, !t->filter);
      if (c)
         Tree_push(t, n, c, true);
   }
   if (t->nclosed)
      Tree_folds(t, n, true);
   Tree_sort(t, base);
   Tree_link(t, n, base);
   if (!n->nchildren) {
      t->n = mark;
      return;
   }
   n->key = Tree_key(t, n);
   Tree_push(t, t->top_parent, n, true);
}

static void Tree_top(Tree* t) {
   TreeNode* root = t->top_parent;
   size_t base = t->top;
   const Store* s = t->store;
   bool all = !t->filter;
   switch (t->o.view) {
   case VIEW_FLAT:
      for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p))
         if (Tree_inSubtree(t, p)) {
            TreeNode* c = Tree_proc(t, root, p, all, false);
            if (c)
               Tree_push(t, root, c, true);
         }
      break;
   case VIEW_ENDPOINT:
      for (Endpoint* ep = Store_firstEndpoint(s); ep;) { /* SIBLINGS at a time */
         Ahead next[SIBLINGS];
         size_t k = 0;
         for (; ep && k < SIBLINGS; ep = Store_nextEndpoint(s, ep))
            Tree_aheadInit(&next[k++], ep, &ep->edges, offsetof(Edge, ep_node));
         for (size_t i = 0; i < k; i++) {
            for (size_t j = i + 1; j < k && j <= i + AHEAD; j++)
               Tree_aheadStep(&next[j]);
            TreeNode* c = Tree_endpoint(t, root, next[i].owner);
            if (c)
               Tree_push(t, root, c, true);
         }
      }
      break;
   default:
      if (t->root_proc) {
         TreeNode* c = Tree_proc(t, root, t->root_proc, all, true);
         if (c)
            Tree_push(t, root, c, true);
         break;
      }
      for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p))
         if (!p->parent) {
            TreeNode* c = Tree_proc(t, root, p, all, true);
            if (c)
               Tree_push(t, root, c, true);
         }
      break;
   }
   Tree_sort(t, base);
   /* The orphans group always comes last, after the sorted rows. */
   Tree_orphans(t);
   Tree_link(t, root, base);
}

/* A fleet's tree: one node per host, in the fleet's order, its store's
 * rows beneath; a filter's host: terms ask for the host being built. */
static void Tree_hosts(Tree* t) {
   const Fleet* f = t->o.fleet;
   TreeNode* root = t->nodes;
   size_t base = t->top;
   for (size_t i = 0; i < Fleet_count(f); i++) {
      const Host* h = Fleet_hostC(f, i);
      size_t mark = t->n;
      TreeNode* n = Tree_node(t, root, NODE_HOST);
      n->nfolded = (uint32_t)i;
      n->active = h->state == HOST_UP;
      t->salt = ((uint64_t)i + 1) * 0x9E3779B97F4A7C15ull;
      n->key = Tree_key(t, n);
      t->store = h->store;
      t->rate_gen = Store_rateGen(h->store);
      t->top_parent = n;
      Filter_setHost((Filter*)t->filter, h->name);
      size_t inner = t->top;
      Tree_top(t);
      t->top = inner;
      if (!n->first_child && t->filter) {
         t->n = mark;
         continue;
      }
      Tree_push(t, root, n, true);
   }
   Filter_setHost((Filter*)t->filter, NULL);
   Tree_link(t, root, base);
}

const Fleet* Tree_fleet(const Tree* t) { return t->o.fleet; }

size_t Tree_hostOf(const TreeNode* n) {
   for (; n; n = n->parent)
      if (n->kind == NODE_HOST)
         return n->nfolded;
   return SIZE_MAX;
}

/* The arrays of the last freed tree, kept for the next build: a front end
 * rebuilds every refresh, and fresh arrays of a 100 000-row tree cost more
 * in page faults than the build itself. One per thread. */
static _Thread_local struct {
   TreeNode* nodes;
   SortItem* stack;
   size_t cap;
} spare;

Tree* Tree_build(const Store* s, const TreeOpts* o) {
   Tree* t = calloc(1, sizeof *t);
   if (!t)
      return NULL;
   StoreStats st;
   if (o && o->fleet)
      Fleet_stats(o->fleet, &st);
   else
      Store_stats(s, &st);
   /* folds: one per two closed sockets at most */
   t->cap = st.procs + st.edges + st.socks + st.socks / 2 + st.endpoints + 2 +
            2 * Fleet_count(o ? o->fleet : NULL);
   if (spare.nodes && spare.cap >= t->cap) {
      t->nodes = spare.nodes;
      t->stack = spare.stack;
      t->cap = spare.cap;
      spare.nodes = NULL;
      spare.stack = NULL;
      spare.cap = 0; /* or Tree_free would not keep them again */
   } else {
      t->nodes = malloc(t->cap * sizeof *t->nodes);
      t->stack = malloc(t->cap * sizeof *t->stack);
   }
   if (!t->nodes || !t->stack) {
      Tree_free(t);
      return NULL;
   }
   if (o)
      t->o = *o;
   t->store = t->o.fleet ? NULL : s;
   t->rate_gen = t->store ? Store_rateGen(s) : 0;
   if (t->o.fleet)
      t->o.root_pid = 0;
   if ((unsigned)t->o.view >= VIEW__COUNT)
      t->o.view = VIEW_TREE;
   if ((unsigned)t->o.sort >= SORT__COUNT)
      t->o.sort = SORT_PID;
   TreeNode* root = &t->nodes[t->n++];
   memset(root, 0, sizeof *root);
   root->kind = NODE_ROOT;
   root->active = true;
   if (t->o.compiled) {
      t->filter = t->o.compiled;
   } else {
      t->owned = Filter_parse(t->o.filter, t->error, sizeof t->error);
      Filter_setUnits(t->owned, t->o.unit, t->o.unit_ctx);
      t->filter = t->owned;
   }
   t->o.filter = NULL; /* not kept: the caller's string may go */
   t->o.compiled = NULL;
   t->filtered = t->filter != NULL;
   if (!t->error[0] && t->o.root_pid)
      t->root_proc = Store_proc(s, t->o.root_pid);
   /* a bad filter, or no such process: an empty tree */
   t->top_parent = root;
   if (!t->error[0] && t->o.fleet)
      Tree_hosts(t);
   else if (!t->error[0] && (!t->o.root_pid || t->root_proc))
      Tree_top(t);
   Filter_free(t->owned);
   t->owned = NULL;
   t->filter = NULL;
   return t;
}

void Tree_free(Tree* t) {
   if (!t)
      return;
   free(t->closed);
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

size_t Tree_hiddenProcs(const Tree* t) { return t->hidden_procs; }

bool Tree_matches(const Tree* t, size_t* active, size_t* inactive) {
   *active = t->match_active;
   *inactive = t->match_inactive;
   return t->filtered;
}

const char* Tree_error(const Tree* t) { return t->error[0] ? t->error : NULL; }

int Tree_walk(const Tree* t, bool (*collapsed)(void* ctx, uint64_t key), void* cctx, TreeVisit fn,
              void* ctx) {
   for (const TreeNode* n = t->nodes->first_child; n;) {
      int rc = fn(ctx, n);
      if (rc)
         return rc;
      n = Tree_next(n, n->first_child && collapsed && collapsed(cctx, n->key));
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

const char* Tree_viewOption(TreeView v) {
   return v == VIEW_ENDPOINT ? "remote" : Tree_viewName(v);
}

bool Tree_sortDescending(SortKey k) { return k != SORT_PID && k != SORT_NAME; }

const char* Tree_sortName(SortKey k) {
   switch (k) {
   case SORT_PID: return "pid";
   case SORT_NAME: return "name";
   case SORT_CONNS: return "conns";
   case SORT_BYTES: return "bytes";
   case SORT_LAST: return "last";
   case SORT_RATE: return "rate";
   case SORT_AGE: return "age";
   case SORT_RTT: return "rtt";
   case SORT_RETRANS: return "retrans";
   default: return "invalid";
   }
}
