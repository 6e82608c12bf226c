/* store.c: the event store: processes, sockets, endpoints and edges.
 *
 * Over 800 lines on purpose: one module whose invariants (counters kept
 * incrementally, LRU membership, index slots reused by a tuple's next
 * socket) span processes, sockets, edges and endpoints together; split, the
 * helpers that keep them would have to be shared through a header and lose
 * their inlining on the per-event path. Its containers live in core/base.
 *
 * Every entry is found through an open-addressing index (procs by pid,
 * sockets by 5-tuple, endpoints by address, edges by (proc, endpoint)),
 * allocated from a slab pool, and linked into intrusive lists for the
 * readers (active entries first in socket and edge lists). Counters (active sockets, live
 * descendants, byte sums) are kept incrementally so that nothing is
 * recomputed per event. Entries that become inactive go to one of three LRU
 * lists (sockets, edges, processes), which prune and the inactive cap drain.
 */
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "store.h"

#include "hash.h"
#include "index.h"
#include "pool.h"

/* /proc reports start times in clock ticks (USER_HZ = 100). */
#define TICK_NS 10000000ull

typedef struct EdgeKey_ {
   const Proc* proc;
   const Endpoint* ep;
} EdgeKey;

static inline uint32_t Sock_hash(const SockKey* k) { return Hash_bytes(k, sizeof *k); }
static inline uint32_t Proc_hash(uint32_t pid) { return Hash_bytes(&pid, sizeof pid); }
static inline uint32_t Ep_hash(const uint8_t a[16]) { return Hash_bytes(a, 16); }
static inline uint32_t Edge_hash(const Proc* p, const Endpoint* ep) {
   EdgeKey k = {p, ep};
   return Hash_bytes(&k, sizeof k);
}

/* The closed connections of one edge to one fold port (Sock_foldPort):
 * those listed one by one, in close order through Sock.quiet, and the
 * summary the older ones were merged into. */
typedef struct Fold_ {
   ListNode kept;
   Edge* edge;
   Sock* sum;      /* NULL until more than STORE_FOLD_KEEP have closed */
   uint32_t port;
   uint32_t nkept;
} Fold;

typedef struct FoldKey_ {
   const Edge* edge;
   uint64_t port;
} FoldKey;

static inline uint32_t Fold_hash(const Edge* e, uint32_t port) {
   FoldKey k = {e, port};
   return Hash_bytes(&k, sizeof k);
}

struct Store_ {
   Index procs;        /* current procs by pid */
   Index socks;        /* current sockets by key */
   Index eps;          /* by address */
   Index edges;        /* by (proc, ep) */
   Index folds;        /* by (edge, fold port) */
   ListNode all;       /* every Proc, Proc.all */
   ListNode waiting;   /* roots whose parent is not known yet, Proc.sibling */
   ListNode orphans;   /* sockets without owner, Sock.node */
   ListNode lru_socks, lru_edges, lru_procs;
   ListNode lru_sockless; /* idle exited processes that never had a socket,
                             childless: Store_dropSockless takes them */
   ListNode udp_quiet; /* active UDP streams, the longest silent first */
   ListNode udp_brief; /* active UDP sockets of one exchange so far, the same */
   size_t n_lru;
   size_t cap;
   uint64_t rate_ns;      /* when Store_updateRates last ran */
   uint32_t rate_gen;     /* its count: whose sums are current (Store_rateGen) */
   uint64_t opened;       /* connections opened so far (connect, accept) */
   uint64_t rate_opened;  /* ... at rate_ns */
   StoreRates rates;
   uint64_t next_id;
   Pool sock_pool, edge_pool, proc_pool, ep_pool, fold_pool;
   StoreStats st;
   /* The owner and edge of the last new socket: a burst of connections
    * comes from few processes to few addresses, so the next one is most
    * often the same. Cleared whenever that Proc leaves the pid index or
    * that Edge is freed, so a hit is always what the index would return. */
   Proc* last_proc;
   Edge* last_edge;
};

static inline Proc* Store_findProc(const Store* s, uint32_t pid) {
   uint32_t h = Proc_hash(pid);
   return INDEX_FIND(&s->procs, h, Proc, it->pid == pid);
}

static inline uint64_t load64(const void* p) {
   uint64_t v;
   memcpy(&v, p, 8);
   return v;
}

static inline uint32_t load32(const void* p) {
   uint32_t v;
   memcpy(&v, p, 4);
   return v;
}

/* memcmp of two keys in the word sizes SockKey_fromEvent writes (an
 * inlined memcmp reads overlapping words, which defeats store forwarding
 * from a key just built). */
static inline bool SockKey_equal(const SockKey* a, const SockKey* b) {
   _Static_assert(sizeof(SockKey) == 44, "SockKey is 5 words and a half");
   const char *x = (const char*)a, *y = (const char*)b;
   return ((load64(x) ^ load64(y)) | (load64(x + 8) ^ load64(y + 8)) |
           (load64(x + 16) ^ load64(y + 16)) | (load64(x + 24) ^ load64(y + 24)) |
           (load64(x + 32) ^ load64(y + 32)) | (load32(x + 40) ^ load32(y + 40))) == 0;
}

/* The socket with this key and its slot in the index (*at). Both hot
 * lines of a candidate are requested at once, before the key comparison
 * needs the first. */
static inline Sock* Store_findSockAt(const Store* s, const SockKey* key, uint32_t h,
                                     size_t* at) {
   const Index* ix = &s->socks;
   if (!ix->slots)
      return NULL;
   for (size_t i = h & ix->mask; ix->slots[i].item; i = (i + 1) & ix->mask) {
      if (ix->slots[i].hash != h)
         continue;
      Sock* k = ix->slots[i].item;
      __builtin_prefetch((char*)k + 64, 1);
      if (SockKey_equal(&k->key, key)) {
         *at = i;
         return k;
      }
   }
   return NULL;
}

static inline Sock* Store_findSock(const Store* s, const SockKey* key, uint32_t h) {
   size_t at;
   return Store_findSockAt(s, key, h, &at);
}

static inline Endpoint* Store_findEp(const Store* s, const uint8_t addr[16], uint32_t h) {
   return INDEX_FIND(&s->eps, h, Endpoint, memcmp(it->addr, addr, 16) == 0);
}

/* Event_isSock, inlined: it is asked for every event. */
static inline bool Store_isSockEvent(const Event* e) {
   return e->type >= EV_CONNECT && e->type <= EV_OWNER;
}

/* ---- lists ---- */

static inline void List_init(ListNode* n) { n->prev = n->next = n; }

static inline void List_addTail(ListNode* head, ListNode* n) {
   n->prev = head->prev;
   n->next = head;
   head->prev->next = n;
   head->prev = n;
}

static inline void List_del(ListNode* n) {
   n->prev->next = n->next;
   n->next->prev = n->prev;
   List_init(n);
}

static inline void List_addHead(ListNode* head, ListNode* n) {
   n->next = head->next;
   n->prev = head;
   head->next->prev = n;
   head->next = n;
}

/* Socket and edge lists keep the active entries first, so that a reader
 * that wants only those stops at the first inactive one. */
static inline void List_moveTail(ListNode* head, ListNode* n) {
   List_del(n);
   List_addTail(head, n);
}

static inline void List_moveHead(ListNode* head, ListNode* n) {
   List_del(n);
   List_addHead(head, n);
}

/* LRU membership: a node with next == NULL is in no LRU list. */
static inline bool Lru_has(const ListNode* n) { return n->next != NULL; }

static void Lru_add(Store* s, ListNode* head, ListNode* n) {
   if (Lru_has(n))
      return;
   List_addTail(head, n);
   s->n_lru++;
}

static void Lru_del(Store* s, ListNode* n) {
   if (!Lru_has(n))
      return;
   n->prev->next = n->next;
   n->next->prev = n->prev;
   n->next = n->prev = NULL;
   s->n_lru--;
}

static inline uint64_t nonzero(uint64_t ts) { return ts ? ts : 1; }
static inline void bump(uint64_t* last, uint64_t ts) {
   if (ts > *last)
      *last = ts;
}

/* ---- processes ---- */

static bool Store_sameStart(uint64_t a, uint64_t b) {
   if (!a || !b)
      return true;
   return (a > b ? a - b : b - a) < TICK_NS;
}

bool Proc_is(const Proc* p, uint32_t pid, uint64_t start) {
   return p && p->pid == pid && Store_sameStart(p->start, start);
}

static bool Proc_idle(const Proc* p) {
   return p->exited && p->nactive == 0 && p->nlive_desc == 0;
}

/* Keeps the process LRU in step with its prunability. */
static void Proc_checkIdle(Store* s, Proc* p, uint64_t ts) {
   if (Proc_idle(p)) {
      if (!Lru_has(&p->lru)) {
         p->idle_since = nonzero(ts > p->exited ? ts : p->exited);
         bool sockless = !(p->flags & PROCF_SOCKETS) && !p->nchildren;
         Lru_add(s, sockless ? &s->lru_sockless : &s->lru_procs, &p->lru);
      }
   } else if (Lru_has(&p->lru)) {
      p->idle_since = 0;
      Lru_del(s, &p->lru);
   }
}

/* Adds delta to the live-descendant count of every ancestor of p. */
static void Proc_addLive(Store* s, Proc* from, int delta, uint64_t ts) {
   if (!delta)
      return;
   for (Proc* a = from; a; a = a->parent) {
      a->nlive_desc = (uint32_t)((int64_t)a->nlive_desc + delta);
      Proc_checkIdle(s, a, ts);
   }
}

static void Proc_setParent(Store* s, Proc* p, Proc* np, uint64_t ts) {
   for (Proc* a = np; a; a = a->parent)
      if (a == p) { /* would make a cycle: refuse */
         np = NULL;
         break;
      }
   bool wait = !np && p->ppid && p->ppid != p->pid;
   if (p->parent == np && wait == !!(p->flags & PROCF_WAITING))
      return;
   int weight = (Proc_isAlive(p) ? 1 : 0) + (int)p->nlive_desc;
   if (p->parent) {
      Proc* old = p->parent;
      List_del(&p->sibling);
      old->nchildren--;
      p->parent = NULL;
      Proc_addLive(s, old, -weight, ts);
   } else if (p->flags & PROCF_WAITING) {
      List_del(&p->sibling);
      p->flags &= (uint8_t)~PROCF_WAITING;
   }
   if (np) {
      p->parent = np;
      List_addTail(&np->children, &p->sibling);
      np->nchildren++;
      Proc_addLive(s, np, weight, ts);
   } else if (wait) {
      List_addTail(&s->waiting, &p->sibling);
      p->flags |= PROCF_WAITING;
   }
}

/* Could q be the parent of p? It must have started no later than p. */
static bool Proc_canParent(const Proc* q, const Proc* p) {
   if (q == p)
      return false;
   return !q->start || !p->start || q->start <= p->start + TICK_NS;
}

static void Proc_setPpid(Store* s, Proc* p, uint32_t ppid, uint64_t ts) {
   if (ppid == p->ppid) {
      if (p->parent ? p->parent->pid == ppid : (ppid == 0 || (p->flags & PROCF_WAITING)))
         return;
   }
   p->ppid = ppid;
   Proc* np = NULL;
   if (ppid && ppid != p->pid) {
      np = Store_findProc(s, ppid);
      if (np && !Proc_canParent(np, p))
         np = NULL;
   }
   Proc_setParent(s, p, np, ts);
}

/* A new process with pid p->pid appeared: adopt the roots waiting for it. */
static void Proc_adoptWaiting(Store* s, Proc* p, uint64_t ts) {
   for (ListNode* n = s->waiting.next; n != &s->waiting;) {
      Proc* c = LIST_ENTRY(n, Proc, sibling);
      n = n->next;
      if (c->ppid == p->pid && Proc_canParent(p, c))
         Proc_setParent(s, c, p, ts);
   }
}

static Proc* Proc_alloc(Store* s, uint32_t pid, uint64_t start, uint64_t ts) {
   Proc* p = Pool_alloc(&s->proc_pool);
   if (!p)
      return NULL;
   p->pid = pid;
   p->start = start;
   p->last = ts;
   p->id = ++s->next_id;
   p->comm[0] = '?';
   List_init(&p->children);
   List_init(&p->sibling);
   List_init(&p->edges);
   List_init(&p->listens);
   List_addTail(&s->all, &p->all);
   s->st.procs++;
   s->st.procs_alive++;
   return p;
}

static void Proc_exit(Store* s, Proc* p, int32_t code, uint64_t ts);

/* The old holder of a reused pid: no longer current, and certainly dead. */
static void Proc_unhash(Store* s, Proc* p, uint64_t when) {
   Index_del(&s->procs, Proc_hash(p->pid), p);
   if (s->last_proc == p)
      s->last_proc = NULL;
   p->hashed = false;
   if (Proc_isAlive(p))
      Proc_exit(s, p, 0, when);
}

static Proc* Proc_new(Store* s, uint32_t pid, uint64_t start, uint64_t ts) {
   Proc* p = Proc_alloc(s, pid, start, ts);
   if (!p)
      return NULL;
   if (Index_add(&s->procs, Proc_hash(pid), p) < 0)
      return p; /* out of memory: usable, but not found by pid */
   p->hashed = true;
   if (!List_isEmpty(&s->waiting))
      Proc_adoptWaiting(s, p, ts);
   return p;
}

/* An event for an older incarnation of a pid now used by a newer process.
 * Rare (the pid space must wrap in between), so a linear search will do. */
static Proc* Proc_history(Store* s, uint32_t pid, uint64_t start, uint64_t ts, bool create) {
   LIST_FOREACH(n, &s->all) {
      Proc* p = LIST_ENTRY(n, Proc, all);
      if (!p->hashed && p->pid == pid && p->start && Store_sameStart(p->start, start))
         return p;
   }
   if (!create)
      return NULL;
   Proc* p = Proc_alloc(s, pid, start, ts);
   if (p)
      Proc_exit(s, p, 0, ts); /* its pid is reused: it is gone */
   return p;
}

/* Finds the process (pid, start), creating it if needed. *created tells. */
static Proc* Proc_get(Store* s, uint32_t pid, uint64_t start, uint64_t ts, bool* created) {
   *created = false;
   Proc* p = s->last_proc && s->last_proc->pid == pid ? s->last_proc : Store_findProc(s, pid);
   if (p && Store_sameStart(p->start, start)) {
      if (!p->start)
         p->start = start;
      s->last_proc = p;
      return p;
   }
   if (p && start < p->start)
      return Proc_history(s, pid, start, ts, true);
   if (p)
      Proc_unhash(s, p, start ? start : ts);
   *created = true;
   p = Proc_new(s, pid, start, ts);
   if (p && p->hashed)
      s->last_proc = p;
   return p;
}

static void Sock_close(Store* s, Sock* k, uint64_t ts);

/* Closes the active UDP sockets of a list whose active ones come first. */
static void Proc_closeUdp(Store* s, ListNode* head, uint64_t ts) {
   ListNode* n = head->next;
   bool more = n != head && Sock_isActive(LIST_ENTRY(n, Sock, node));
   while (more) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      n = n->next; /* known active before k's close can free a closed one */
      more = n != head && Sock_isActive(LIST_ENTRY(n, Sock, node));
      if (k->key.proto == IPPROTO_UDP)
         Sock_close(s, k, ts); /* k moves to the tail, past the active ones */
   }
}

static void Proc_exit(Store* s, Proc* p, int32_t code, uint64_t ts) {
   if (!Proc_isAlive(p))
      return;
   p->exited = nonzero(ts);
   p->exit_code = code;
   bump(&p->last, ts);
   s->st.procs_alive--;
   /* The kernel reports no close for UDP: the process's UDP sockets end
    * with it. */
   /* Closing moves sockets and edges to the tail of their lists, and may
    * merge closed sockets (Edge_compact): only the active ones, which lead
    * each list, are walked, and the next one is known active before the
    * close. Without an active socket there is nothing to close: a process
    * that made 100 000 connections exits without a walk over its history. */
   for (ListNode* en = p->nactive ? p->edges.next : &p->edges; en != &p->edges;) {
      Edge* e = LIST_ENTRY(en, Edge, proc_node);
      en = en->next;
      Proc_closeUdp(s, &e->socks, ts);
   }
   if (p->nactive)
      Proc_closeUdp(s, &p->listens, ts);
   Proc_addLive(s, p->parent, -1, ts);
   Proc_checkIdle(s, p, ts);
}

static void Proc_setStrings(Proc* p, const ProcEvent* pe) {
   memcpy(p->comm, pe->comm, VN_COMM_LEN);
   p->comm[VN_COMM_LEN - 1] = '\0';
   if (!p->comm[0])
      strcpy(p->comm, "?");
   free(p->exe);
   p->exe = pe->filename[0] ? strndup(pe->filename, VN_PATH_LEN - 1) : NULL;
   size_t len = pe->args_len;
   if (len > VN_ARGS_LEN)
      len = VN_ARGS_LEN;
   if (len == 0)
      len = strnlen(pe->args, VN_ARGS_LEN);
   while (len > 0 && pe->args[len - 1] == '\0')
      len--;
   free(p->cmdline);
   p->cmdline = NULL;
   if (len > 0 && (p->cmdline = malloc(len + 1))) {
      for (size_t i = 0; i < len; i++)
         p->cmdline[i] = pe->args[i] ? pe->args[i] : ' ';
      p->cmdline[len] = '\0';
   }
   p->flags |= PROCF_NAMED;
}

static char* dupOrNull(const char* x) { return x ? strdup(x) : NULL; }

static int Store_procEvent(Store* s, const Event* e) {
   bool created;
   Proc* p;
   switch (e->type) {
   case EV_EXEC:
   case EV_PROC:
      p = Proc_get(s, e->pid, e->pstart, e->ts, &created);
      if (!p)
         return 0;
      Proc_setStrings(p, &e->proc);
      p->uid = e->proc.uid;
      if (e->proc.cgroup)
         p->cgroup = e->proc.cgroup;
      bump(&p->last, e->ts);
      if (p->hashed)
         Proc_setPpid(s, p, e->proc.ppid, e->ts);
      return 0;
   case EV_FORK: {
      p = Proc_get(s, e->pid, e->pstart, e->ts, &created);
      if (!p)
         return 0;
      Proc* c = Proc_get(s, e->proc.child_pid, e->proc.child_start, e->ts, &created);
      if (!c)
         return 0;
      if (!(c->flags & PROCF_NAMED)) { /* the child's exec may have come first */
         memcpy(c->comm, p->comm, VN_COMM_LEN);
         free(c->exe);
         free(c->cmdline);
         c->exe = dupOrNull(p->exe);
         c->cmdline = dupOrNull(p->cmdline);
         c->uid = p->uid;
         c->cgroup = p->cgroup;
      }
      bump(&p->last, e->ts);
      bump(&c->last, e->ts);
      if (c->hashed) {
         c->ppid = p->pid;
         Proc_setParent(s, c, p, e->ts);
      }
      return 0;
   }
   case EV_EXIT:
      p = Store_findProc(s, e->pid);
      if (!p)
         return 0; /* never seen: nothing to record */
      if (Store_sameStart(p->start, e->pstart))
         Proc_exit(s, p, e->proc.exit_code, e->ts);
      else if (e->pstart > p->start)
         Proc_unhash(s, p, e->pstart); /* a newer holder of the pid exited */
      else if ((p = Proc_history(s, e->pid, e->pstart, e->ts, false)))
         Proc_exit(s, p, e->proc.exit_code, e->ts);
      return 0;
   }
   return -1;
}

/* ---- endpoints and edges ---- */

static Endpoint* Endpoint_get(Store* s, const uint8_t addr[16], uint64_t ts) {
   uint32_t h = Ep_hash(addr);
   Endpoint* ep = Store_findEp(s, addr, h);
   if (ep)
      return ep;
   ep = Pool_alloc(&s->ep_pool);
   if (!ep)
      return NULL;
   memcpy(ep->addr, addr, 16);
   ep->first = ep->last = ts;
   List_init(&ep->edges);
   if (Index_add(&s->eps, h, ep) < 0) {
      Pool_release(&s->ep_pool, ep);
      return NULL;
   }
   s->st.endpoints++;
   return ep;
}

static void Endpoint_free(Store* s, Endpoint* ep) {
   Index_del(&s->eps, Ep_hash(ep->addr), ep);
   free(ep->name);
   Pool_release(&s->ep_pool, ep);
   s->st.endpoints--;
}

static void Edge_deactivate(Store* s, Edge* e, uint64_t ts) {
   e->inactive_since = nonzero(ts);
   s->st.edges_active--;
   Lru_add(s, &s->lru_edges, &e->lru);
   List_moveTail(&e->proc->edges, &e->proc_node);
   List_moveTail(&e->ep->edges, &e->ep_node);
}

static void Edge_activate(Store* s, Edge* e) {
   e->inactive_since = 0;
   s->st.edges_active++;
   Lru_del(s, &e->lru);
   List_moveHead(&e->proc->edges, &e->proc_node);
   List_moveHead(&e->ep->edges, &e->ep_node);
}

static Edge* Edge_get(Store* s, Proc* p, const uint8_t addr[16], uint64_t ts) {
   Edge* last = s->last_edge;
   if (last && last->proc == p && memcmp(last->ep->addr, addr, 16) == 0)
      return last;
   s->last_edge = NULL;
   Endpoint* ep = Endpoint_get(s, addr, ts);
   if (!ep)
      return NULL;
   uint32_t h = Edge_hash(p, ep);
   Edge* e = INDEX_FIND(&s->edges, h, Edge, it->proc == p && it->ep == ep);
   if (e)
      return s->last_edge = e;
   e = Pool_alloc(&s->edge_pool);
   if (e && Index_add(&s->edges, h, e) < 0) {
      Pool_release(&s->edge_pool, e);
      e = NULL;
   }
   if (!e) {
      if (ep->nedges == 0)
         Endpoint_free(s, ep);
      return NULL;
   }
   e->proc = p;
   e->ep = ep;
   e->last = ts;
   List_init(&e->socks);
   List_addTail(&p->edges, &e->proc_node);
   List_addTail(&ep->edges, &e->ep_node);
   ep->nedges++;
   s->st.edges++;
   s->st.edges_active++;
   Edge_deactivate(s, e, ts); /* until a socket makes it active */
   return s->last_edge = e;
}

/* ---- sockets ---- */

static void Fold_add(Store* s, Sock* k);
static void Fold_leave(Store* s, Sock* k);

/* Links k under its owner p (NULL: the orphans list) and adds it to the
 * owner's counters and sums. */
static void Sock_attach(Store* s, Sock* k, Proc* p, uint64_t ts) {
   bool active = Sock_isActive(k);
   k->proc = p;
   k->edge = NULL;
   if (!p) {
      if (active)
         List_addHead(&s->orphans, &k->node);
      else
         List_addTail(&s->orphans, &k->node);
      s->st.orphans++;
      return;
   }
   k->noowner = NOOWN_NONE;
   p->flags |= PROCF_SOCKETS;
   p->nsocks++;
   p->tx += k->tx;
   p->rx += k->rx;
   if (active)
      p->nactive++;
   if (!Sock_isListen(k))
      k->edge = Edge_get(s, p, k->key.raddr, ts);
   if (k->edge) {
      Edge* e = k->edge;
      k->ep = e->ep;
      if (active)
         List_addHead(&e->socks, &k->node);
      else
         List_addTail(&e->socks, &k->node);
      e->tx += k->tx;
      e->rx += k->rx;
      bump(&e->last, k->last);
      bump(&e->ep->last, k->last);
      if (active) {
         if (e->nactive++ == 0)
            Edge_activate(s, e);
         e->ep->nactive++;
      }
   } else {
      if (active)
         List_addHead(&p->listens, &k->node);
      else
         List_addTail(&p->listens, &k->node);
   }
   if (active)
      Proc_checkIdle(s, p, ts);
   else if (k->edge && !k->merged)
      Fold_add(s, k);
}

/* Unlinks k from its owner. keep_sums: the owner's byte sums keep what k
 * carried (k is going away); otherwise they give it back (k moves). */
static void Sock_detach(Store* s, Sock* k, uint64_t ts, bool keep_sums) {
   Proc* p = k->proc;
   bool active = Sock_isActive(k);
   Fold_leave(s, k);
   List_del(&k->node);
   if (!p) {
      s->st.orphans--;
      return;
   }
   p->nsocks--;
   if (!keep_sums) {
      p->tx -= k->tx;
      p->rx -= k->rx;
   }
   if (active)
      p->nactive--;
   Edge* e = k->edge;
   if (e) {
      if (!keep_sums) {
         e->tx -= k->tx;
         e->rx -= k->rx;
      }
      if (active) {
         e->ep->nactive--;
         if (--e->nactive == 0)
            Edge_deactivate(s, e, ts);
      }
   }
   k->proc = NULL;
   k->edge = NULL;
   k->ep = NULL;
   if (active)
      Proc_checkIdle(s, p, ts);
}

/* Active UDP sockets in order of their last datagram: the kernel reports
 * no close for UDP, and a long-lived process that opens a socket per DNS
 * query would otherwise hold every one of them until it exits. */
static void Quiet_del(Sock* k) {
   if (!k->quiet.next)
      return;
   k->quiet.prev->next = k->quiet.next;
   k->quiet.next->prev = k->quiet.prev;
   k->quiet.next = k->quiet.prev = NULL;
}

static void Quiet_touch(Store* s, Sock* k) {
   Quiet_del(k);
   bool stream = k->last >= k->opened + STORE_UDP_STREAM_NS;
   List_addTail(stream ? &s->udp_quiet : &s->udp_brief, &k->quiet);
}

static void Sock_free(Store* s, Sock* k) {
   Fold_leave(s, k);
   Quiet_del(k);
   Sock_detach(s, k, k->closed ? k->closed : k->last, true);
   if (k->hashed)
      Index_del(&s->socks, k->hash, k);
   Lru_del(s, &k->lru);
   s->st.socks--;
   if (Sock_isActive(k))
      s->st.socks_active--;
   Pool_release(&s->sock_pool, k);
}

static Fold* Fold_get(Store* s, Edge* e, uint32_t port) {
   uint32_t h = Fold_hash(e, port);
   Fold* f = INDEX_FIND(&s->folds, h, Fold, it->edge == e && it->port == port);
   if (f)
      return f;
   f = Pool_alloc(&s->fold_pool);
   if (!f)
      return NULL;
   if (Index_add(&s->folds, h, f) < 0) {
      Pool_release(&s->fold_pool, f);
      return NULL;
   }
   List_init(&f->kept);
   f->edge = e;
   f->port = port;
   return f;
}

/* k leaves its fold (k is freed or moves); an empty fold goes. */
static void Fold_leave(Store* s, Sock* k) {
   Fold* f = k->fold;
   if (!f)
      return;
   k->fold = NULL;
   if (f->sum == k) {
      f->sum = NULL;
   } else {
      List_del(&k->quiet);
      k->quiet.next = k->quiet.prev = NULL; /* as Quiet_del expects */
      f->nkept--;
   }
   if (!f->sum && !f->nkept) {
      Index_del(&s->folds, Fold_hash(f->edge, f->port), f);
      Pool_release(&s->fold_pool, f);
   }
}

/* Merges victim (closed, listed) into sum, its fold's summary. */
static void Sock_merge(Store* s, Sock* sum, Sock* victim) {
   sum->merged += Sock_count(victim);
   sum->tx += victim->tx;
   sum->rx += victim->rx;
   sum->udp_count += victim->udp_count;
   sum->retrans += victim->retrans;
   bump(&sum->last, victim->last);
   bump(&sum->closed, victim->closed);
   if (victim->opened && (!sum->opened || victim->opened < sum->opened))
      sum->opened = victim->opened;
   Lru_del(s, &sum->lru); /* the fold is alive: its summary goes last */
   Lru_add(s, &s->lru_socks, &sum->lru);
   s->st.merged += Sock_count(victim);
   Sock_free(s, victim); /* the owner's and edge's sums keep its bytes */
}

/* k, closed under an edge, joins its (edge, port) fold: if more than
 * STORE_FOLD_KEEP are then listed, the oldest goes into the fold's
 * summary (or becomes it). Without memory k stays a plain closed socket. */
static void Fold_add(Store* s, Sock* k) {
   Fold* f = Fold_get(s, k->edge, Sock_foldPort(k));
   if (!f)
      return;
   k->fold = f;
   List_addTail(&f->kept, &k->quiet);
   if (++f->nkept <= STORE_FOLD_KEEP)
      return;
   Sock* victim = LIST_ENTRY(f->kept.next, Sock, quiet);
   List_del(&victim->quiet);
   victim->quiet.next = victim->quiet.prev = NULL;
   f->nkept--;
   if (f->sum) {
      victim->fold = NULL;
      Sock_merge(s, f->sum, victim);
      return;
   }
   f->sum = victim; /* the first summary: no event names it any more */
   victim->merged = 1;
   if (victim->hashed) {
      Index_del(&s->socks, victim->hash, victim);
      victim->hashed = false;
   }
   s->st.merged++;
}

static void Sock_close(Store* s, Sock* k, uint64_t ts) {
   if (!Sock_isActive(k))
      return;
   k->closed = nonzero(ts);
   k->up = k->down = 0; /* no rate once closed */
   bump(&k->last, ts);
   s->st.socks_active--;
   Quiet_del(k);
   Lru_add(s, &s->lru_socks, &k->lru);
   Proc* p = k->proc;
   if (!p) {
      List_moveTail(&s->orphans, &k->node);
      return;
   }
   List_moveTail(k->edge ? &k->edge->socks : &p->listens, &k->node);
   p->nactive--;
   if (k->edge) {
      Edge* e = k->edge;
      e->ep->nactive--;
      if (--e->nactive == 0)
         Edge_deactivate(s, e, ts);
      Fold_add(s, k);
   }
   Proc_checkIdle(s, p, ts);
}

/* Sets cumulative byte counts; only growth counts (a late, smaller
 * cumulative value changes nothing) and the delta goes to every sum. */
static void Sock_setBytes(Sock* k, uint64_t tx, uint64_t rx) {
   uint64_t dtx = tx > k->tx ? tx - k->tx : 0;
   uint64_t drx = rx > k->rx ? rx - k->rx : 0;
   if (!(dtx | drx))
      return;
   k->tx += dtx;
   k->rx += drx;
   if (k->proc) {
      k->proc->tx += dtx;
      k->proc->rx += drx;
   }
   if (k->edge) {
      k->edge->tx += dtx;
      k->edge->rx += drx;
      k->ep->tx += dtx;
      k->ep->rx += drx;
   }
}

static void Sock_touch(Sock* k, uint64_t ts) {
   bump(&k->last, ts);
   if (k->proc)
      bump(&k->proc->last, ts);
   if (k->edge) {
      bump(&k->edge->last, ts);
      bump(&k->ep->last, ts);
   }
}

/* A new current Sock for key. at: the index slot of the Sock it replaces
 * under the same key (same hash, so it takes that slot over instead of a
 * delete and an insert), or SIZE_MAX. */
static Sock* Sock_new(Store* s, const SockKey* key, uint32_t h, size_t at, const Event* e) {
   Sock* k = Pool_alloc(&s->sock_pool);
   if (!k)
      return NULL;
   k->key = *key;
   k->id = ++s->next_id;
   k->sk = e->sock.sk;
   k->ino = e->sock.ino;
   k->opened = k->last = e->ts;
   if (e->type == EV_CONNECT || e->type == EV_ACCEPT)
      s->opened++;
   k->family = e->sock.family;
   k->noowner = e->sock.noowner;
   List_init(&k->node);
   k->hash = h;
   if (at != SIZE_MAX) {
      s->socks.slots[at].item = k;
   } else if (Index_add(&s->socks, h, k) < 0) {
      Pool_release(&s->sock_pool, k);
      return NULL;
   }
   k->hashed = true;
   s->st.socks++;
   s->st.socks_active++;
   return k;
}

/* Events that begin a socket's life: on a closed Sock they start a new one. */
static bool Event_opens(const Event* e) {
   switch (e->type) {
   case EV_CONNECT:
   case EV_ACCEPT:
   case EV_LISTEN:
   case EV_SOCK:
   case EV_UDP_PEER:
   case EV_OWNER:
      return true;
   case EV_STATE:
      return e->sock.oldstate == TCPS_CLOSE && e->sock.state != TCPS_CLOSE;
   default:
      return false;
   }
}

/* Events emitted in the owning task's context, so their pid is the owner.
 * State changes, closes and connect completions often run in softirq
 * context on behalf of any task: they never move ownership. */
static bool Event_ownerContext(int type) {
   return type == EV_CONNECT || type == EV_ACCEPT || type == EV_LISTEN || type == EV_SOCK ||
          type == EV_BYTES || type == EV_UDP_PEER || type == EV_OWNER;
}

/* Every test is evaluated (& and |, not && and ||): no branch to
 * mispredict, fewer instructions than the chain of jumps. */
static bool Sock_valid(const Event* e) {
   const SockEvent* se = &e->sock;
   return ((se->proto == IPPROTO_TCP) | (se->proto == IPPROTO_UDP)) &
          ((se->family == AF_INET) | (se->family == AF_INET6)) & (se->state < TCPS__COUNT) &
          (se->oldstate < TCPS__COUNT) & (se->dir <= DIR_LISTEN) &
          (se->noowner <= NOOWN_ORPHAN) & (se->err >= 0);
}

static void Sock_setOwner(Store* s, Sock* k, const Event* e) {
   bool created;
   Proc* p = Proc_get(s, e->pid, e->pstart, e->ts, &created);
   if (!p || p == k->proc)
      return;
   Sock_detach(s, k, e->ts, false);
   Sock_attach(s, k, p, e->ts);
}

/* No state known beyond the opening yet. */
static inline bool Sock_early(const Sock* k) {
   return k->state == 0 || k->state == TCPS_CLOSE || k->state == TCPS_SYN_SENT;
}

/* The direction of a socket first seen in use (a socket accepted through
 * io_uring, or older than the probe and not in the snapshot): accepted if
 * a listening socket holds its local port, made otherwise. */
static uint8_t Store_guessDir(const Store* s, const Sock* k) {
   if (k->key.proto != IPPROTO_TCP || Sock_isListen(k))
      return DIR_UNKNOWN;
   /* a listener's unspecified addresses: 0.0.0.0 (v4-mapped) or :: */
   static const uint8_t any4[16] = {[10] = 0xff, [11] = 0xff}, any6[16];
   const uint8_t* locals[3] = {k->key.laddr, any4, any6};
   SockKey lk = k->key;
   lk.rport = 0;
   for (int r = 0; r < 2; r++) {
      memcpy(lk.raddr, r ? any6 : any4, 16);
      for (int i = 0; i < 3; i++) {
         memcpy(lk.laddr, locals[i], 16);
         Sock* l = Store_findSock(s, &lk, Sock_hash(&lk));
         if (l && Sock_isActive(l) && l->state == TCPS_LISTEN)
            return DIR_IN;
      }
   }
   return DIR_OUT;
}

static void Sock_apply(Store* s, Sock* k, const Event* e) {
   const SockEvent* se = &e->sock;
   bool tcp = k->key.proto == IPPROTO_TCP;
   /* Byte counts and state changes establish nothing about identity or
    * direction; skipping them keeps the hot path off the third line. */
   if (e->type != EV_BYTES && e->type != EV_STATE) {
      if (se->sk && !k->sk)
         k->sk = se->sk;
      if (se->ino && !k->ino)
         k->ino = se->ino;
      if (se->dir && (!k->dir || e->type == EV_CONNECT || e->type == EV_ACCEPT ||
                      e->type == EV_LISTEN))
         k->dir = se->dir;
   }
   switch (e->type) {
   case EV_CONNECT:
      if (!k->dir)
         k->dir = DIR_OUT;
      /* a late connect (after the handshake was seen) must not move the
       * state back */
      if (!tcp || Sock_early(k))
         k->state = se->state ? se->state : (tcp ? TCPS_SYN_SENT : TCPS_ESTABLISHED);
      break;
   case EV_CONNECTED:
      if (!k->dir)
         k->dir = DIR_OUT;
      k->state = TCPS_ESTABLISHED;
      break;
   case EV_CONNECT_FAIL:
      k->err = se->err;
      k->state = TCPS_CLOSE;
      Sock_close(s, k, e->ts);
      break;
   case EV_ACCEPT:
      k->dir = DIR_IN;
      if (Sock_early(k) || k->state == TCPS_SYN_RECV || k->state == TCPS_NEW_SYN_RECV)
         k->state = se->state ? se->state : TCPS_ESTABLISHED;
      break;
   case EV_LISTEN:
      k->dir = DIR_LISTEN;
      k->state = TCPS_LISTEN;
      break;
   case EV_STATE:
      k->state = se->state;
      if (se->state == TCPS_LISTEN)
         k->dir = DIR_LISTEN;
      if (tcp && se->state == TCPS_CLOSE)
         Sock_close(s, k, e->ts);
      break;
   case EV_CLOSE:
      Sock_setBytes(k, se->tx, se->rx);
      if (se->lifetime_ns && se->lifetime_ns < e->ts && e->ts - se->lifetime_ns < k->opened)
         k->opened = e->ts - se->lifetime_ns;
      if (tcp)
         k->state = TCPS_CLOSE;
      Sock_close(s, k, e->ts);
      break;
   case EV_BYTES:
      Sock_setBytes(k, se->tx, se->rx);
      break;
   case EV_UDP_PEER:
      if (se->count > k->udp_count)
         k->udp_count = se->count;
      if (!k->dir)
         k->dir = DIR_OUT;
      if (!k->state)
         k->state = TCPS_ESTABLISHED;
      Sock_setBytes(k, se->tx, se->rx);
      break;
   case EV_OWNER:
      if (se->count && se->count != e->pid)
         k->from_pid = se->count;
      if (se->state && (!tcp || !Sock_early(k) || se->state != TCPS_SYN_SENT))
         k->state = se->state;
      if (!k->dir)
         k->dir = Store_guessDir(s, k);
      break;
   case EV_SOCK:
      if (se->state)
         k->state = se->state;
      if (k->state == TCPS_LISTEN)
         k->dir = DIR_LISTEN;
      Sock_setBytes(k, se->tx, se->rx);
      /* both ends have closed: the kernel keeps only the tuple, and no
       * event would ever say when that goes */
      if (tcp && k->state == TCPS_TIME_WAIT)
         Sock_close(s, k, e->ts);
      break;
   }
   if (!k->proc && se->noowner)
      k->noowner = se->noowner;
   Sock_touch(k, e->ts);
}

void SockKey_fromEvent(SockKey* k, const SockEvent* se) {
   memcpy(k->laddr, se->laddr, 16);
   memcpy(k->raddr, se->raddr, 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
   /* The same bytes as the field by field version below, written in the
    * 8 and 4 byte words that Store_hash and SockKey_equal read back at
    * once: a load spanning several narrower stores waits for them to
    * retire (no store forwarding), which cost more than the hash. */
   _Static_assert(offsetof(SockKey, netns) == 32 && offsetof(SockKey, lport) == 36 &&
                      offsetof(SockKey, rport) == 38 && offsetof(SockKey, proto) == 40,
                  "SockKey tail layout");
   uint64_t tail = se->netns | (uint64_t)se->lport << 32 | (uint64_t)se->rport << 48;
   uint32_t proto = se->proto;
   memcpy(&k->netns, &tail, 8);
   memcpy(&k->proto, &proto, 4);
#else
   k->netns = se->netns;
   k->lport = se->lport;
   k->rport = se->rport;
   k->proto = se->proto;
   k->pad[0] = k->pad[1] = k->pad[2] = 0;
#endif
}

/* key and h: the event's key and its hash (SockKey_fromEvent, Sock_hash),
 * built once per event by the caller. */
static int Store_sockEvent(Store* s, const Event* e, const SockKey* key, uint32_t h) {
   const SockEvent* se = &e->sock;
   size_t at = SIZE_MAX;
   Sock* k = Store_findSockAt(s, key, h, &at);
   Sock* old = NULL; /* the Sock this event starts a new one after */
   if (k) {
      /* The owner, edge and endpoint are about to be updated: load them in
       * parallel rather than one miss after the other. */
      __builtin_prefetch(k->proc, 1);
      __builtin_prefetch(k->edge, 1);
      __builtin_prefetch(k->ep, 1);
      bool opens = Event_opens(e);
      bool other_sk = (opens || !Sock_isActive(k)) && se->sk && k->sk && se->sk != k->sk;
      if (!Sock_isActive(k)) {
         /* A snapshot of a socket we saw close: stale, do not reopen. */
         if (e->type == EV_SOCK && ((se->sk && se->sk == k->sk) || e->ts <= k->closed))
            return 0;
         if (opens || other_sk) {
            old = k;
            k = NULL;
         }
      } else if (other_sk && opens && e->type != EV_SOCK) {
         /* Same tuple, another kernel socket: we missed the old one's close. */
         Sock_close(s, k, e->ts);
         Store_findSockAt(s, key, h, &at); /* a merge may have moved k's slot */
         old = k;
         k = NULL;
      }
   }
   if (!k) {
      k = Sock_new(s, key, h, old ? at : SIZE_MAX, e);
      if (old) {
         old->hashed = false;
         if (!k) /* out of memory: the key has no current Sock */
            Index_delAt(&s->socks, at);
      }
      if (!k)
         return 0;
      Proc* p = NULL;
      if (e->pid) {
         bool created;
         p = Proc_get(s, e->pid, e->pstart, e->ts, &created);
      }
      Sock_attach(s, k, p, e->ts);
   } else if (e->pid && (!k->proc || k->proc->pid != e->pid) &&
              (!k->proc || Event_ownerContext(e->type))) {
      Sock_setOwner(s, k, e);
   }
   Sock_apply(s, k, e);
   if (se->rtt_us || se->retrans) { /* TCP health, when the event has it */
      k->rtt_us = se->rtt_us;
      k->retrans = se->retrans;
   }
   if (k->key.proto == IPPROTO_UDP && Sock_isActive(k)) {
      if (k->dir == DIR_LISTEN) /* a server's socket waits as long as it likes */
         Quiet_del(k);
      else
         Quiet_touch(s, k);
   }
   return 0;
}

/* Closes the sockets of one quiet list silent for more than quiet_ns. */
static size_t Store_closeQuietList(Store* s, ListNode* head, uint64_t now_ns, uint64_t quiet_ns) {
   size_t n = 0;
   while (!List_isEmpty(head)) {
      Sock* k = LIST_ENTRY(head->next, Sock, quiet);
      if (k->last + quiet_ns >= now_ns)
         break;
      Sock_close(s, k, now_ns); /* unlinks it */
      n++;
   }
   return n;
}

size_t Store_closeQuietUdp(Store* s, uint64_t now_ns, uint64_t quiet_ns) {
   uint64_t brief = quiet_ns < STORE_UDP_BRIEF_NS ? quiet_ns : STORE_UDP_BRIEF_NS;
   size_t n = Store_closeQuietList(s, &s->udp_quiet, now_ns, quiet_ns) +
              Store_closeQuietList(s, &s->udp_brief, now_ns, brief);
   s->st.udp_quiet_closed += n;
   return n;
}

/* ---- eviction and prune ---- */

static void Edge_free(Store* s, Edge* e, size_t* nsocks) {
   for (ListNode* n = e->socks.next; n != &e->socks;) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      n = n->next;
      Sock_free(s, k);
      (*nsocks)++;
   }
   if (Edge_isActive(e))
      s->st.edges_active--;
   List_del(&e->proc_node);
   List_del(&e->ep_node);
   Index_del(&s->edges, Edge_hash(e->proc, e->ep), e);
   if (s->last_edge == e)
      s->last_edge = NULL;
   Lru_del(s, &e->lru);
   s->st.edges--;
   Endpoint* ep = e->ep;
   Pool_release(&s->edge_pool, e);
   if (--ep->nedges == 0)
      Endpoint_free(s, ep);
}

/* Frees an idle process with its (inactive) sockets and edges; its children
 * move up to its parent so that no pointer dangles. */
static void Proc_free(Store* s, Proc* p, PruneCount* c) {
   for (ListNode* n = p->listens.next; n != &p->listens;) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      n = n->next;
      Sock_free(s, k);
      c->socks++;
   }
   for (ListNode* n = p->edges.next; n != &p->edges;) {
      Edge* e = LIST_ENTRY(n, Edge, proc_node);
      n = n->next;
      Edge_free(s, e, &c->socks);
      c->edges++;
   }
   uint64_t ts = p->idle_since;
   while (!List_isEmpty(&p->children)) {
      Proc* ch = LIST_ENTRY(p->children.next, Proc, sibling);
      ch->ppid = p->parent ? p->parent->pid : 0;
      Proc_setParent(s, ch, p->parent, ts);
   }
   p->ppid = 0; /* so that setParent does not queue it as waiting */
   Proc_setParent(s, p, NULL, ts);
   if (p->flags & PROCF_WAITING) {
      List_del(&p->sibling);
      p->flags &= (uint8_t)~PROCF_WAITING;
   }
   if (p->hashed)
      Index_del(&s->procs, Proc_hash(p->pid), p);
   if (s->last_proc == p)
      s->last_proc = NULL;
   List_del(&p->all);
   Lru_del(s, &p->lru);
   s->st.procs--;
   if (Proc_isAlive(p))
      s->st.procs_alive--;
   free(p->exe);
   free(p->cmdline);
   Pool_release(&s->proc_pool, p);
   c->procs++;
}

static uint64_t Lru_time(const ListNode* head, int which) {
   if (List_isEmpty(head))
      return UINT64_MAX;
   const ListNode* n = head->next;
   switch (which) {
   case 0: return LIST_ENTRY(n, Sock, lru)->closed;
   case 1: return LIST_ENTRY(n, Edge, lru)->inactive_since;
   default: return LIST_ENTRY(n, Proc, lru)->idle_since;
   }
}

/* Evicts the oldest inactive entry of the LRU lists. */
static void Store_evictOne(Store* s) {
   uint64_t ts = Lru_time(&s->lru_socks, 0), te = Lru_time(&s->lru_edges, 1),
            tp = Lru_time(&s->lru_procs, 2), tn = Lru_time(&s->lru_sockless, 2);
   PruneCount c = {0, 0, 0};
   if (ts == UINT64_MAX && te == UINT64_MAX && tp == UINT64_MAX && tn == UINT64_MAX)
      return;
   if (tn < tp)
      tp = tn;
   if (ts <= te && ts <= tp) {
      Sock_free(s, LIST_ENTRY(s->lru_socks.next, Sock, lru));
      c.socks++;
   } else if (te <= tp) {
      Edge_free(s, LIST_ENTRY(s->lru_edges.next, Edge, lru), &c.socks);
      c.edges++;
   } else {
      ListNode* head = tn == tp ? &s->lru_sockless : &s->lru_procs;
      Proc_free(s, LIST_ENTRY(head->next, Proc, lru), &c);
   }
   s->st.evicted += c.socks + c.edges + c.procs;
}

static size_t Store_dropSocklessBefore(Store* s, uint64_t cutoff);

static PruneCount Store_pruneBefore(Store* s, uint64_t cutoff, bool all) {
   PruneCount c = {0, 0, 0};
   for (ListNode* n = s->lru_socks.next; n != &s->lru_socks;) {
      Sock* k = LIST_ENTRY(n, Sock, lru);
      n = n->next;
      if (all || k->closed < cutoff) {
         Sock_free(s, k);
         c.socks++;
      }
   }
   for (ListNode* n = s->lru_edges.next; n != &s->lru_edges;) {
      Edge* e = LIST_ENTRY(n, Edge, lru);
      n = n->next;
      if (all || (e->inactive_since < cutoff && List_isEmpty(&e->socks))) {
         Edge_free(s, e, &c.socks);
         c.edges++;
      }
   }
   for (ListNode* n = s->lru_procs.next; n != &s->lru_procs;) {
      Proc* p = LIST_ENTRY(n, Proc, lru);
      n = n->next;
      if (all || (p->idle_since < cutoff && p->nsocks == 0 && List_isEmpty(&p->edges)))
         Proc_free(s, p, &c);
   }
   c.procs += Store_dropSocklessBefore(s, all ? UINT64_MAX : cutoff);
   return c;
}

/* An exited parent that never had a socket follows its last such child. */
static bool Proc_socklessIdle(const Proc* p) {
   return p && Proc_idle(p) && !(p->flags & PROCF_SOCKETS) && !p->nchildren;
}

size_t Store_dropSockless(Store* s) { return Store_dropSocklessBefore(s, UINT64_MAX); }

/* The list is in idle order: the oldest first. */
static size_t Store_dropSocklessBefore(Store* s, uint64_t cutoff) {
   size_t n = 0;
   while (!List_isEmpty(&s->lru_sockless)) {
      Proc* p = LIST_ENTRY(s->lru_sockless.next, Proc, lru);
      if (p->idle_since >= cutoff)
         break;
      PruneCount c = {0, 0, 0};
      do {
         Proc* parent = p->parent;
         Proc_free(s, p, &c);
         p = parent;
      } while (Proc_socklessIdle(p));
      n += c.procs;
   }
   return n;
}

PruneCount Store_prune(Store* s) { return Store_pruneBefore(s, 0, true); }

PruneCount Store_pruneOlder(Store* s, uint64_t now_ns, uint64_t age_ns) {
   uint64_t cutoff = now_ns > age_ns ? now_ns - age_ns : 0;
   return Store_pruneBefore(s, cutoff, false);
}

/* ---- rates ---- */

/* The totals start again; the smoothed new connections/s goes on. */
static void Store_resetTotals(Store* s) {
   StoreRates* r = &s->rates;
   double n = r->new_per_s;
   memset(r, 0, sizeof *r);
   r->new_per_s = n;
}

/* The sums of an object, zeroed on first touch in this update. */
static inline void Edge_fresh(Store* s, Edge* e) {
   if (e->rate_gen != s->rate_gen) {
      e->rate_gen = s->rate_gen;
      e->up = e->down = 0;
   }
}

static inline void Proc_fresh(Store* s, Proc* p) {
   if (p->rate_gen != s->rate_gen) {
      p->rate_gen = s->rate_gen;
      p->up = p->down = 0;
      p->rtt_us = p->retrans = 0;
   }
}

static inline void Endpoint_fresh(Store* s, Endpoint* ep) {
   if (ep->rate_gen != s->rate_gen) {
      ep->rate_gen = s->rate_gen;
      ep->up = ep->down = 0;
      ep->rtt_us = ep->retrans = 0;
   }
}

#define MAX_INTO(x, v) ((x) = (v) > (x) ? (v) : (x))

/* The TCP health of k into its owner's, edge's and remote's. */
static void Sock_health(Store* s, Sock* k) {
   uint32_t rtt = Sock_isActive(k) ? k->rtt_us : 0;
   if (k->proc) {
      Proc_fresh(s, k->proc);
      k->proc->retrans += k->retrans;
      MAX_INTO(k->proc->rtt_us, rtt);
   }
   if (k->ep) {
      Endpoint_fresh(s, k->ep);
      k->ep->retrans += k->retrans;
      MAX_INTO(k->ep->rtt_us, rtt);
   }
}

/* One socket's sample: bytes since the last one over dt, smoothed by a. */
static void Sock_rate(Store* s, Sock* k, double dt, double a) {
   if (k->retrans | k->rtt_us)
      Sock_health(s, k);
   if (!Sock_isActive(k)) {
      k->up = k->down = 0;
      return;
   }
   if (k->rated) {
      double up = (double)(k->tx - k->rate_tx) / dt, down = (double)(k->rx - k->rate_rx) / dt;
      double w = k->rated == 1 ? 1.0 : a;
      k->up += (float)(w * (up - k->up));
      k->down += (float)(w * (down - k->down));
   }
   k->rate_tx = k->tx;
   k->rate_rx = k->rx;
   k->rated = k->rated ? 2 : 1;
   StoreRates* r = &s->rates;
   r->up += k->up;
   r->down += k->down;
   if (k->key.proto == IPPROTO_UDP)
      r->udp++;
   else if (k->state < TCPS__COUNT)
      r->tcp[k->state]++;
   if (k->up == 0 && k->down == 0)
      return; /* idle: nothing to add, nothing to touch */
   if (k->proc) {
      Proc_fresh(s, k->proc);
      k->proc->up += k->up;
      k->proc->down += k->down;
   }
   if (k->edge) {
      Edge_fresh(s, k->edge);
      k->edge->up += k->up;
      k->edge->down += k->down;
      Endpoint_fresh(s, k->ep);
      k->ep->up += k->up;
      k->ep->down += k->down;
   }
}

/* Only the active sockets: every list keeps them first, so the history
 * (up to the inactive cap) costs nothing here. */
static void Store_rateList(Store* s, const ListNode* head, double dt, double a) {
   LIST_FOREACH(n, head) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      if (!Sock_isActive(k))
         break;
      Sock_rate(s, k, dt, a);
   }
}

static void Store_rateActive(Store* s, double dt, double a) {
   for (Proc* p = Store_firstProc(s); p; p = Store_nextProc(s, p)) {
      if (!p->nactive)
         continue;
      LIST_FOREACH(en, &p->edges) {
         Edge* e = LIST_ENTRY(en, Edge, proc_node);
         if (!Edge_isActive(e))
            break; /* inactive edges come last */
         Store_rateList(s, &e->socks, dt, a);
      }
      Store_rateList(s, &p->listens, dt, a);
   }
   Store_rateList(s, &s->orphans, dt, a);
}

void Store_updateRates(Store* s, uint64_t now_ns) {
   double dt = s->rate_ns && now_ns > s->rate_ns ? (double)(now_ns - s->rate_ns) / 1e9 : 0;
   if (s->rate_ns && dt == 0)
      return; /* no time passed: nothing to divide by */
   double a = dt > 0 ? 1.0 - exp(-dt / STORE_RATE_TAU_S) : 0;
   Store_resetTotals(s);
   if (++s->rate_gen == 0) /* 0 is what a new object has: never current */
      s->rate_gen = 1;
   Store_rateActive(s, dt > 0 ? dt : 1, a);
   if (dt > 0)
      s->rates.new_per_s += a * ((double)(s->opened - s->rate_opened) / dt - s->rates.new_per_s);
   s->rate_opened = s->opened;
   s->rate_ns = now_ns;
}

const StoreRates* Store_rates(const Store* s) { return &s->rates; }

uint32_t Store_rateGen(const Store* s) { return s->rate_gen; }

/* ---- public ---- */

void Store_setIdBase(Store* s, uint64_t base) {
   if (s->next_id < base)
      s->next_id = base;
}

Store* Store_new(size_t inactive_cap) {
   Store* s = calloc(1, sizeof *s);
   if (!s)
      return NULL;
   s->cap = inactive_cap ? inactive_cap : STORE_DEFAULT_INACTIVE_CAP;
   List_init(&s->all);
   List_init(&s->waiting);
   List_init(&s->orphans);
   List_init(&s->lru_socks);
   List_init(&s->lru_sockless);
   List_init(&s->udp_quiet);
   List_init(&s->udp_brief);
   List_init(&s->lru_edges);
   List_init(&s->lru_procs);
   Pool_init(&s->sock_pool, sizeof(Sock), 64); /* hot fields in 2 lines */
   Pool_init(&s->edge_pool, sizeof(Edge), 64);
   Pool_init(&s->proc_pool, sizeof(Proc), 16);
   Pool_init(&s->ep_pool, sizeof(Endpoint), 16);
   Pool_init(&s->fold_pool, sizeof(Fold), 16);
   return s;
}

/* Releases every socket and edge a process holds, without bookkeeping. */
static void Store_freeHeld(Store* s, Proc* p) {
   for (ListNode* n = p->listens.next; n != &p->listens;) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      n = n->next;
      Pool_release(&s->sock_pool, k);
   }
   for (ListNode* en = p->edges.next; en != &p->edges;) {
      Edge* e = LIST_ENTRY(en, Edge, proc_node);
      en = en->next;
      for (ListNode* n = e->socks.next; n != &e->socks;) {
         Sock* k = LIST_ENTRY(n, Sock, node);
         n = n->next;
         Pool_release(&s->sock_pool, k);
      }
      Pool_release(&s->edge_pool, e);
   }
}

void Store_free(Store* s) {
   if (!s)
      return;
   for (ListNode* n = s->all.next; n != &s->all;) {
      Proc* p = LIST_ENTRY(n, Proc, all);
      n = n->next;
      Store_freeHeld(s, p);
      free(p->exe);
      free(p->cmdline);
      Pool_release(&s->proc_pool, p);
   }
   for (ListNode* n = s->orphans.next; n != &s->orphans;) {
      Sock* k = LIST_ENTRY(n, Sock, node);
      n = n->next;
      Pool_release(&s->sock_pool, k);
   }
   for (size_t i = 0; s->eps.slots && i <= s->eps.mask; i++) {
      Endpoint* ep = s->eps.slots[i].item;
      if (ep) {
         free(ep->name);
         Pool_release(&s->ep_pool, ep);
      }
   }
   free(s->procs.slots);
   free(s->socks.slots);
   free(s->eps.slots);
   for (size_t i = 0; s->folds.slots && i <= s->folds.mask; i++)
      if (s->folds.slots[i].item)
         Pool_release(&s->fold_pool, s->folds.slots[i].item);
   free(s->edges.slots);
   free(s->folds.slots);
   Pool_done(&s->fold_pool);
   Pool_done(&s->sock_pool);
   Pool_done(&s->edge_pool);
   Pool_done(&s->proc_pool);
   Pool_done(&s->ep_pool);
   free(s);
}

/* Store_apply; for a socket event, key and h are its key and hash. */
static int Store_applyKeyed(Store* s, const Event* e, const SockKey* key, uint32_t h) {
   int rc = -1;
   if (e->type > EV_NONE && e->type < EV__COUNT) {
      if (Store_isSockEvent(e)) {
         if (Sock_valid(e))
            rc = Store_sockEvent(s, e, key, h);
      } else if (e->pid && !(e->type == EV_FORK &&
                             (e->proc.child_pid == 0 || e->proc.child_pid == e->pid))) {
         rc = Store_procEvent(s, e);
      }
   }
   if (rc < 0) {
      s->st.bad_events++;
      return -1;
   }
   s->st.events++;
   while (s->n_lru > s->cap) {
      size_t before = s->n_lru;
      Store_evictOne(s);
      if (s->n_lru >= before)
         break;
   }
   return 0;
}

int Store_apply(Store* s, const Event* e) {
   SockKey key;
   uint32_t h = 0;
   if (Store_isSockEvent(e)) {
      SockKey_fromEvent(&key, &e->sock);
      h = Sock_hash(&key);
   }
   return Store_applyKeyed(s, e, &key, h);
}

/* Prefetch distances, in events: the slot of event i + FAR is requested,
 * then by i + NEAR it has arrived and the socket it points to is requested.
 * Prefetches are hints only: nothing read here changes what is applied. */
#define BATCH_FAR 12
#define BATCH_NEAR 6
#define BATCH_RING 16 /* > BATCH_FAR, a power of two: hashes in flight */

/* At the inactive cap every close evicts the oldest closed socket, cold by
 * then, and its index slot. The sockets VICTIM_AHEAD places down the LRU
 * list are requested (closes come in bursts, so a shorter lead arrives too
 * late); the walk there reads only entries requested by earlier calls. */
#define VICTIM_AHEAD 6

static inline void Store_prefetchVictims(const Store* s) {
   if (s->n_lru + VICTIM_AHEAD < s->cap)
      return;
   const ListNode* head = &s->lru_socks;
   const ListNode* n = head->next;
   for (int i = 1; i < VICTIM_AHEAD && n != head; i++)
      n = n->next;
   if (n == head)
      return;
   const Sock* k = LIST_ENTRY(n, Sock, lru);
   __builtin_prefetch(k, 1);
   __builtin_prefetch((const char*)k + 64, 1);
   __builtin_prefetch((const char*)k + 128, 1);
   /* the one before it arrived at the last call: its slot */
   k = LIST_ENTRY(n->prev, Sock, lru);
   if (n->prev != head && k->hashed && s->socks.slots)
      __builtin_prefetch(&s->socks.slots[k->hash & s->socks.mask], 1);
}

size_t Store_applyBatch(Store* s, const Event* ev, size_t n) {
   /* the keys and hashes of the events in flight, built once each */
   SockKey key[BATCH_RING];
   uint32_t hash[BATCH_RING] = {0};
   size_t bad = 0;
   for (size_t i = 0; i < n + BATCH_FAR; i++) {
      if (i < n && Store_isSockEvent(&ev[i])) {
         SockKey_fromEvent(&key[i % BATCH_RING], &ev[i].sock);
         hash[i % BATCH_RING] = Sock_hash(&key[i % BATCH_RING]);
         if (s->socks.slots)
            __builtin_prefetch(&s->socks.slots[hash[i % BATCH_RING] & s->socks.mask]);
      }
      size_t j = i - BATCH_NEAR; /* wraps when i < NEAR: then j >= n */
      if (j < n && Store_isSockEvent(&ev[j]) && s->socks.slots) {
         uint32_t h = hash[j % BATCH_RING];
         for (size_t k = h & s->socks.mask; s->socks.slots[k].item; k = (k + 1) & s->socks.mask)
            if (s->socks.slots[k].hash == h) {
               /* all three lines: a closed socket whose tuple comes back
                * (ephemeral ports cycle) is checked on its third (sk) */
               char* it = s->socks.slots[k].item;
               __builtin_prefetch(it, 1);
               __builtin_prefetch(it + 64, 1);
               __builtin_prefetch(it + 128, 1);
               break;
            }
      }
      Store_prefetchVictims(s);
      size_t a = i - BATCH_FAR;
      if (a < n && Store_applyKeyed(s, &ev[a], &key[a % BATCH_RING], hash[a % BATCH_RING]) < 0)
         bad++;
   }
   return bad;
}

void Store_stats(const Store* s, StoreStats* out) {
   *out = s->st;
   out->inactive = s->n_lru;
}

static size_t Pool_bytes(const Pool* p) {
   size_t n = 0, bytes = 16384;
   for (size_t i = 0; i < p->nslabs; i++) { /* replays the slab growth */
      n += bytes;
      if (bytes < MEM_HUGE_SIZE)
         bytes *= 2;
   }
   return n;
}

static size_t Index_bytes(const Index* ix) {
   return ix->slots ? (ix->mask + 1) * sizeof(IndexSlot) : 0;
}

void Store_memory(const Store* s, StoreMem* out) {
   out->sock_size = s->sock_pool.size;
   out->sock_index = Index_bytes(&s->socks);
   out->pools = Pool_bytes(&s->sock_pool) + Pool_bytes(&s->edge_pool) +
                Pool_bytes(&s->proc_pool) + Pool_bytes(&s->ep_pool);
   out->indexes = Index_bytes(&s->socks) + Index_bytes(&s->procs) + Index_bytes(&s->eps) +
                  Index_bytes(&s->edges);
}

Proc* Store_proc(const Store* s, uint32_t pid) { return Store_findProc(s, pid); }

Sock* Store_sock(const Store* s, const SockKey* key) {
   SockKey k = *key;
   memset(k.pad, 0, sizeof k.pad);
   return Store_findSock(s, &k, Sock_hash(&k));
}

Endpoint* Store_endpoint(const Store* s, const uint8_t addr[16]) {
   return Store_findEp(s, addr, Ep_hash(addr));
}

Proc* Store_firstProc(const Store* s) {
   return List_isEmpty(&s->all) ? NULL : LIST_ENTRY(s->all.next, Proc, all);
}

Proc* Store_nextProc(const Store* s, const Proc* p) {
   return p->all.next == &s->all ? NULL : LIST_ENTRY(p->all.next, Proc, all);
}

/* Index order; the next item is found from the current one's slot. */
Endpoint* Store_firstEndpoint(const Store* s) { return Index_scan(&s->eps, 0); }

Endpoint* Store_nextEndpoint(const Store* s, const Endpoint* ep) {
   size_t i = Index_slotOf(&s->eps, Ep_hash(ep->addr), ep);
   return i == SIZE_MAX ? NULL : Index_scan(&s->eps, i + 1);
}

Sock* Store_firstSock(const Store* s) { return Index_scan(&s->socks, 0); }

Sock* Store_nextSock(const Store* s, const Sock* k) {
   size_t i = Index_slotOf(&s->socks, k->hash, k);
   return i == SIZE_MAX ? NULL : Index_scan(&s->socks, i + 1);
}

const ListNode* Store_orphans(const Store* s) { return &s->orphans; }

int Store_setName(Store* s, const uint8_t addr[16], const char* name) {
   Endpoint* ep = Store_endpoint(s, addr);
   if (!ep)
      return -1;
   char* copy = NULL;
   if (name && !(copy = strdup(name)))
      return -1;
   free(ep->name);
   ep->name = copy;
   return 0;
}
