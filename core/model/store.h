/* store.h: processes, sockets, remote endpoints and the edges between them.
 *
 * The store is fed Events (Store_apply) and keeps the current picture with
 * history: closed sockets and exited processes stay, marked inactive, until
 * pruned or evicted by the inactive cap. Readers (the tree model, the UI,
 * JSON output) walk the public structs below but never modify them.
 *
 * Identity:
 *  - a process is (pid, start time); the start time is compared at clock-tick
 *    (10 ms) granularity because /proc only reports ticks. A pid reused by a
 *    new process creates a new Proc; the old one stays as history.
 *  - a socket is its kernel identity (sk) plus its 5-tuple (proto, local and
 *    remote address and port) in its network namespace. A 5-tuple reused
 *    after close is a new Sock.
 *  - an endpoint is a remote IP address (16 bytes, v4-mapped for IPv4).
 *  - an edge is (process, endpoint): the sockets of that process to that IP.
 *
 * Ownership and lifecycle:
 *  - a socket event with pid 0 leaves the socket without owner, in
 *    Store_orphans with its reason; a later event with a pid gives it one.
 *    Events emitted in the owner's own context (connect, accept, listen,
 *    bytes, UDP peer, snapshot, owner) move a socket to their pid; state
 *    changes, closes and connect completions (often softirq, any task)
 *    never do. EV_OWNER says another process took the socket over (a
 *    forked child, the receiver of a passed fd): the socket moves under it
 *    at once and remembers where it came from (Sock.from_pid); a socket
 *    whose holder exited stays under that process.
 *  - a socket event for an unknown pid creates a placeholder Proc, comm "?",
 *    named by a later exec / snapshot.
 *  - a process exit closes that process's UDP sockets (the kernel reports
 *    no close for UDP); TCP sockets close by their own events.
 *  - a process whose parent is unknown is a root until that parent shows
 *    up. Children of an exited process stay under it until an EV_PROC or
 *    EV_EXEC reports their new ppid (the kernel's reparenting).
 *  - endpoints exist while an edge references them.
 *  - history per conversation, not per connection: an edge keeps its
 *    STORE_FOLD_KEEP latest closed connections to one fold port
 *    (Sock_foldPort) one by one; older ones are merged into one summary
 *    Sock of that port (Sock.merged: how many; bytes, first open and last
 *    close summed up), so that 500 short connections a second to one
 *    server cost a few dozen Socks, not a history cap full of them.
 */
#ifndef VISNET_STORE_H
#define VISNET_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "event.h"

#define STORE_DEFAULT_INACTIVE_CAP 100000
#define STORE_FOLD_KEEP 32 /* closed connections kept one by one per edge and port */

typedef struct Store_ Store;
typedef struct Proc_ Proc;
typedef struct Sock_ Sock;
typedef struct Endpoint_ Endpoint;
typedef struct Edge_ Edge;

/* Intrusive doubly linked list; the store uses it for child lists, socket
 * lists and the inactive (LRU) list. */
typedef struct ListNode_ {
   struct ListNode_* prev;
   struct ListNode_* next;
} ListNode;

#define LIST_ENTRY(ptr, type, member) \
   ((type*)((char*)(ptr) - offsetof(type, member)))
#define LIST_FOREACH(node, head) \
   for (ListNode* node = (head)->next; node != (head); node = node->next)

/* Is the list empty? (a node unlinked by the store points to itself) */
static inline int List_isEmpty(const ListNode* head) { return head->next == head; }

typedef struct SockKey_ {
   uint8_t laddr[16];
   uint8_t raddr[16];
   uint32_t netns;
   uint16_t lport, rport;
   uint8_t proto;
   uint8_t pad[3];
} SockKey;

/* The key of the socket a socket event is about (padding zeroed). */
void SockKey_fromEvent(SockKey* k, const SockEvent* se);

/* Field order in these structs follows the hot path: what one EV_BYTES
 * touches sits in the first cache lines. The store indexes sockets,
 * processes, endpoints and edges in its own open-addressing tables, so the
 * structs carry no hash handles. */
struct Sock_ {
   ListNode node;        /* in edge->socks, proc->listens, or the orphans list */
   SockKey key;
   uint32_t udp_count;   /* UDP datagrams seen with the peer */
   /* second cache line: what EV_BYTES and a tree build update or read */
   uint64_t tx, rx;      /* bytes */
   uint64_t last;        /* last activity */
   uint64_t closed;      /* 0 while active */
   Proc* proc;           /* owner, NULL if unknown (see noowner) */
   Edge* edge;           /* NULL for listening sockets and unknown peers */
   Endpoint* ep;         /* edge->ep (cached), NULL without edge */
   uint64_t id;          /* unique per Sock in this store, never reused */
   /* third line: the rest */
   uint64_t opened;      /* ns since boot */
   uint64_t sk;          /* kernel identity, 0 if unknown */
   uint64_t ino;
   int32_t err;          /* connect failure errno, 0 if none */
   uint8_t family;
   uint8_t dir;          /* SockDir */
   uint8_t state;        /* TCPS_* */
   uint8_t noowner;      /* NoOwner, when proc == NULL */
   bool hashed;          /* still the current Sock for its key */
   uint8_t stale;        /* Heal_tcp: may be gone, until the kernel says otherwise */
   uint32_t hash;        /* index hash of key, kept so removal need not rehash */
   ListNode lru;         /* in the store's inactive list once closed */
   uint32_t from_pid;    /* the holder before the last move (EV_OWNER), 0 if none */
   uint32_t merged;      /* 0: a socket; else a summary of this many closed
                            connections of its edge and fold port (Sock_count) */
   struct Fold_* fold;   /* closed, under an edge: its (edge, port) history */
   ListNode quiet;       /* active UDP: in the store's list by last datagram;
                            closed under an edge: in its Fold's, by close */
   uint64_t rate_tx, rate_rx; /* bytes at the last Store_updateRates */
   float up, down;       /* smoothed bytes/s sent and received (Store_updateRates) */
   uint8_t rated;        /* 0: no sample yet; 1: a baseline; 2: a rate */
   uint32_t rtt_us;      /* TCP: smoothed RTT at the last sample, 0 if none */
   uint32_t retrans;     /* TCP: segments retransmitted, as of that sample */
};

struct Endpoint_ {
   uint8_t addr[16];
   uint32_t nedges;      /* edges that reference it */
   uint32_t nactive;     /* active sockets to it, all processes */
   uint64_t first, last;
   uint64_t tx, rx;
   char* name;           /* reverse DNS name, NULL if none (owned) */
   ListNode edges;       /* Edge.ep_node */
   float up, down;       /* its sockets' rates, all processes */
   uint32_t rtt_us, retrans; /* its active sockets' TCP health: the slowest
                                one's RTT, their retransmissions (Store_updateRates) */
   uint32_t rate_gen;    /* these hold for Store_rateGen when equal, else 0 */
};

/* Two cache lines (the tree build reads every edge): its TCP health is
 * not kept here but read from its sockets when shown (Tree_health). */
struct Edge_ {
   Proc* proc;
   Endpoint* ep;
   uint32_t nactive;
   float up;             /* its sockets' rates, bytes/s (Store_updateRates) */
   uint64_t last;
   uint64_t tx, rx;      /* sum over its sockets, kept when sockets go */
   uint64_t inactive_since; /* 0 while active */
   ListNode socks;       /* Sock.node */
   ListNode proc_node;   /* in proc->edges */
   ListNode ep_node;     /* in ep->edges */
   ListNode lru;         /* in the store's inactive list once inactive */
   float down;
   uint32_t rate_gen;    /* up and down hold for Store_rateGen when equal, else 0 */
};

struct Proc_ {
   uint32_t pid, ppid, uid;
   int32_t exit_code;
   uint64_t start;       /* ns since boot, 0 if unknown */
   uint64_t exited;      /* 0 while alive */
   uint64_t last;        /* last activity */
   uint64_t tx, rx;
   uint32_t nsocks;      /* sockets held, any state */
   uint32_t nactive;     /* active sockets */
   uint64_t cgroup;
   uint64_t id;          /* unique per Proc in this store, never reused */
   uint64_t idle_since;  /* when it became prunable (see Store_prune), else 0 */
   char comm[VN_COMM_LEN]; /* "?" until an exec, fork or snapshot names it */
   char* exe;            /* owned, may be NULL */
   char* cmdline;        /* owned, argv joined by spaces, may be NULL */
   Proc* parent;         /* NULL for roots */
   ListNode children;    /* Proc.sibling */
   ListNode sibling;
   ListNode edges;       /* Edge.proc_node */
   ListNode listens;     /* Sock.node of LISTEN and unconnected sockets */
   uint32_t nchildren;
   uint32_t nlive_desc;  /* live descendants */
   bool hashed;          /* still the current Proc for its pid */
   uint8_t flags;        /* PROCF_* */
   ListNode all;         /* in the store's list of every Proc */
   ListNode lru;         /* in the store's inactive list once exited */
   float up, down;       /* its own sockets' rates (not its children's) */
   uint32_t rtt_us, retrans; /* its own sockets' TCP health, as the endpoint's */
   uint32_t rate_gen;    /* these hold for Store_rateGen when equal, else 0 */
};

/* Proc.flags */
#define PROCF_NAMED 0x1   /* comm/exe/cmdline come from the process itself */
#define PROCF_WAITING 0x2 /* root whose parent (ppid) is not known yet */
#define PROCF_SOCKETS 0x4 /* has held a socket in this store's life */

typedef struct PruneCount_ {
   size_t socks, edges, procs;
} PruneCount;

typedef struct StoreStats_ {
   size_t procs, procs_alive;
   size_t socks, socks_active;
   size_t edges, edges_active;
   size_t endpoints;
   uint64_t events;        /* events applied */
   uint64_t evicted;       /* entries removed by the inactive cap */
   uint64_t bad_events;    /* events rejected as malformed */
   size_t orphans;         /* sockets with no known owner */
   size_t inactive;        /* entries in the inactive (LRU) lists */
   uint64_t udp_quiet_closed; /* UDP sockets taken as closed (Store_closeQuietUdp) */
   uint64_t merged;        /* closed connections merged into summaries */
} StoreStats;

/* inactive_cap bounds the closed sockets, inactive edges and prunable exited
 * processes kept as history; 0 selects STORE_DEFAULT_INACTIVE_CAP. */
Store* Store_new(size_t inactive_cap);
void Store_free(Store* s);
/* Ids of processes and sockets (Proc.id, Sock.id) continue from base: the
 * stores of several hosts shown in one tree never share one (fleet.h). */
void Store_setIdBase(Store* s, uint64_t base);

/* Applies one event. Returns 0, or -1 if the event is malformed (counted in
 * bad_events, store unchanged). Malformed: unknown type, pid 0 in a process
 * event, fork to pid 0 or to itself, a socket event whose proto is not TCP
 * or UDP, whose family is not AF_INET/AF_INET6, or with an out-of-range
 * state, dir or noowner. Stale events (a snapshot of a socket already seen
 * closed, an exit of an unknown pid) are accepted and ignored. */
int Store_apply(Store* s, const Event* e);
/* Applies n events in order, exactly as n calls to Store_apply would, but
 * faster: the index slots and sockets of the events a few places ahead are
 * prefetched while the current one is applied. Returns how many were
 * rejected as malformed. Use it where events arrive in bursts (the probe's
 * ring buffer, a replayed log). */
size_t Store_applyBatch(Store* s, const Event* ev, size_t n);

/* Removes every inactive socket and edge, and every exited process that
 * holds nothing active and has no live descendants; the children of a
 * removed process move up to its parent. Endpoints left without edges go. */
PruneCount Store_prune(Store* s);
/* Same, limited to entries inactive since before now - age_ns. */
PruneCount Store_pruneOlder(Store* s, uint64_t now_ns, uint64_t age_ns);
/* Removes the exited processes that never held a socket and have no
 * children left (a shell's `cat`, a cron job's `mkdir`): a map of the
 * network keeps them only until the next refresh, after their exit has
 * been written out. An exited parent left childless by them follows when
 * it had no socket either. Returns how many. */
size_t Store_dropSockless(Store* s);

void Store_stats(const Store* s, StoreStats* out);

/* The kernel reports no close for UDP: an active UDP socket without a
 * datagram for quiet_ns is taken as closed at now_ns (and reopens as a new
 * socket if one comes later). As conntrack does (its UDP timeouts, 30 s and
 * 120 s for a stream), one whose datagrams all came within
 * STORE_UDP_STREAM_NS of its first (a DNS query and its answer) is taken
 * as closed sooner, after STORE_UDP_BRIEF_NS (or quiet_ns if shorter): a
 * resolver's thousands of one-off sockets are not held two minutes.
 * Returns how many. */
#define STORE_UDP_QUIET_NS (120ull * 1000000000ull)
#define STORE_UDP_BRIEF_NS (30ull * 1000000000ull)
#define STORE_UDP_STREAM_NS (2ull * 1000000000ull)
size_t Store_closeQuietUdp(Store* s, uint64_t now_ns, uint64_t quiet_ns);

/* Rates: every active socket's bytes/s sent and received, an exponential
 * average over STORE_RATE_TAU_S (iftop's shortest window is 2 s, bandwhich
 * averages 5 samples of 1 s), and their sums per edge, process and
 * endpoint; call at each refresh tick, after that tick's byte counts are
 * in, with the data's clock (a replay's is the log's). A socket's first
 * sample is its baseline: a socket older than visnet does not show its
 * whole history as one burst; its second is its rate as it is, so that a
 * steady transfer reads right from the first second. */
#define STORE_RATE_TAU_S 2.0

typedef struct StoreRates_ {
   double up, down;       /* every socket */
   double new_per_s;      /* connections opened (connect, accept), smoothed */
   size_t tcp[TCPS__COUNT]; /* active TCP sockets by state */
   size_t udp;            /* active UDP sockets */
} StoreRates;

void Store_updateRates(Store* s, uint64_t now_ns);
/* The sums of a process, edge or endpoint hold when its rate_gen equals
 * this; otherwise nothing was added to them at the last update and they
 * are 0 (an idle host's objects are not rewritten every tick). */
uint32_t Store_rateGen(const Store* s);
/* The totals of the last Store_updateRates. */
const StoreRates* Store_rates(const Store* s);

/* Memory the store holds, excluding strings (for benchmarks). */
typedef struct StoreMem_ {
   size_t sock_size;    /* bytes one Sock takes in its pool (aligned) */
   size_t sock_index;   /* bytes of the socket index */
   size_t pools;        /* bytes of every object slab */
   size_t indexes;      /* bytes of every index */
} StoreMem;
void Store_memory(const Store* s, StoreMem* out);

/* Lookups (NULL if absent). */
Proc* Store_proc(const Store* s, uint32_t pid);
Sock* Store_sock(const Store* s, const SockKey* key);
Endpoint* Store_endpoint(const Store* s, const uint8_t addr[16]);

/* Iteration over every process (current and historic, in creation order)
 * and endpoint (no particular order). */
Proc* Store_firstProc(const Store* s);
Proc* Store_nextProc(const Store* s, const Proc* p);
Endpoint* Store_firstEndpoint(const Store* s);
Endpoint* Store_nextEndpoint(const Store* s, const Endpoint* ep);

/* Sockets with no known owner (Sock.proc == NULL, reason in Sock.noowner),
 * current and closed: a list of Sock.node. */
const ListNode* Store_orphans(const Store* s);
#define Store_orphanSock(n) LIST_ENTRY(n, Sock, node)

/* Iteration over the current (hashed) sockets, any state, any owner. */
Sock* Store_firstSock(const Store* s);
Sock* Store_nextSock(const Store* s, const Sock* k);

/* Sets the reverse DNS name of an endpoint (copied); NULL clears it.
 * Returns -1 if there is no such endpoint (any more). */
int Store_setName(Store* s, const uint8_t addr[16], const char* name);

static inline bool Sock_isActive(const Sock* k) { return k->closed == 0; }
/* The connections a Sock stands for: 1, or a summary's merged count. */
static inline uint32_t Sock_count(const Sock* k) { return k->merged ? k->merged : 1; }
/* What closed connections fold by under an edge: the remote port of an
 * outbound one, the local (service) port of an inbound one; UDP apart. */
static inline uint32_t Sock_foldPort(const Sock* k) {
   uint32_t udp = k->key.proto == 17 ? 0x20000u : 0; /* IPPROTO_UDP */
   return udp | (k->dir == DIR_IN ? 0x10000u | k->key.lport : k->key.rport);
}
static inline bool Proc_isAlive(const Proc* p) { return p->exited == 0; }
/* Is p the process (pid, start) an event names? Starts match at clock-tick
 * granularity, as the store compares them; an unknown start matches. */
bool Proc_is(const Proc* p, uint32_t pid, uint64_t start);
static inline bool Edge_isActive(const Edge* e) { return e->nactive > 0; }
/* Listening or unconnected: no remote address; it sits in proc->listens. */
static inline bool Sock_isListen(const Sock* k) { return Addr_isZero(k->key.raddr); }

#endif
