/* tree.h: the read-only view a front end walks.
 *
 * Tree_build turns the store into a tree of nodes:
 *   VIEW_TREE      process hierarchy; under each process its remote
 *                  endpoints (by IP) with one node per socket beneath, then
 *                  its listening / unconnected sockets.
 *   VIEW_FLAT      the same, every process at top level.
 *   VIEW_ENDPOINT  the inverted view: endpoint -> processes -> sockets.
 * A filter keeps matching nodes, their ancestors and (for a matching process
 * or endpoint) everything below. Sorting applies among siblings.
 * The tree borrows pointers from the store: rebuild it after Store_apply or
 * Store_prune before reading it again.
 */
#ifndef VISNET_TREE_H
#define VISNET_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef enum TreeView_ { VIEW_TREE = 0, VIEW_FLAT, VIEW_ENDPOINT, VIEW__COUNT } TreeView;
typedef enum SortKey_ {
   SORT_PID = 0,
   SORT_NAME,
   SORT_CONNS,
   SORT_BYTES,
   SORT_LAST,
   SORT_RATE, /* bytes/s both ways */
   SORT_AGE,  /* since start / open: the oldest is the greatest */
   SORT_RTT,  /* the slowest connection's smoothed RTT */
   SORT_RETRANS,
   SORT__COUNT
} SortKey;

typedef enum NodeKind_ {
   NODE_ROOT = 0,  /* invisible root */
   NODE_PROC,      /* proc */
   NODE_EDGE,      /* edge: a remote IP under a process (proc, ep) */
   NODE_SOCK,      /* sock: one connection under an edge */
   NODE_LISTEN,    /* sock: listening or unconnected socket under a process */
   NODE_ENDPOINT,  /* ep: inverted view root */
   NODE_EP_PROC,   /* edge: a process under an endpoint (inverted view) */
   NODE_ORPHANS,   /* group of sockets with no known owner */
   NODE_FOLD,      /* sock (the latest): closed connections of one edge to one
                      port (remote port out, local port in), nfolded of them,
                      or its quiet UDP sockets (sock is UDP, nconns of them
                      active); its children only when TreeOpts.fold_open says so */
   NODE_HOST,      /* a host of a fleet (TreeOpts.fleet): nfolded is its index
                      (Fleet_host), its store's tree beneath */
} NodeKind;

typedef struct TreeNode_ TreeNode;
/* 128 bytes, two cache lines: a build writes 200 000 of them. */
struct TreeNode_ {
   NodeKind kind;
   uint16_t depth;        /* 0 for top-level rows */
   bool matched;          /* matched the filter itself */
   bool active;           /* not exited / closed / inactive */
   bool context;          /* a process shown only as the ancestor of one
                             with sockets (network-first view) */
   uint32_t nfolded;      /* NODE_FOLD: the closed connections it stands for */
   uint64_t key;          /* stable identity across rebuilds (selection, collapse) */
   Proc* proc;
   Edge* edge;
   Sock* sock;
   Endpoint* ep;
   uint32_t nconns;       /* active connections at or below */
   uint32_t nchildren;
   uint64_t tx, rx;       /* bytes at or below */
   uint64_t last;         /* last activity at or below */
   /* Rates and TCP health as of the last Store_updateRates, for every node
    * but a socket's (whose own are in its Sock: Tree_rate, Tree_health):
    * an edge's and a remote's from the store, a process's its own and, in
    * the tree view, its subtree's. */
   float up, down;        /* bytes/s */
   uint32_t rtt_us;       /* the slowest active TCP connection's smoothed RTT */
   uint32_t retrans;      /* TCP retransmissions */
   TreeNode* parent;
   TreeNode* first_child;
   TreeNode* next;        /* next sibling */
};

/* A node's rates and health, a socket's from its Sock. */
static inline void Tree_rate(const TreeNode* n, float* up, float* down) {
   bool own = (n->kind == NODE_SOCK || n->kind == NODE_LISTEN) && n->sock;
   *up = own ? n->sock->up : n->up;
   *down = own ? n->sock->down : n->down;
}

/* An edge's from its sockets, read here: only for rows on screen (and a
 * sort by health) rather than at every build. */
static inline void Tree_health(const TreeNode* n, uint32_t* rtt_us, uint32_t* retrans) {
   bool own = (n->kind == NODE_SOCK || n->kind == NODE_LISTEN) && n->sock;
   *rtt_us = own ? (Sock_isActive(n->sock) ? n->sock->rtt_us : 0) : n->rtt_us;
   *retrans = own ? n->sock->retrans : n->retrans;
   if ((n->kind == NODE_EDGE || n->kind == NODE_EP_PROC) && n->edge) {
      LIST_FOREACH(sn, &n->edge->socks) {
         const Sock* k = LIST_ENTRY(sn, Sock, node);
         *retrans += k->retrans;
         if (Sock_isActive(k) && k->rtt_us > *rtt_us)
            *rtt_us = k->rtt_us;
      }
   }
}

typedef struct TreeOpts_ {
   TreeView view;
   SortKey sort;
   bool descending;
   bool show_inactive;    /* include exited / closed / inactive entries */
   const char* filter;    /* the filter language (filter.h); NULL or "" = all */
   const struct Filter_* compiled; /* a filter parsed once by the caller, used
                             instead of filter (a front end that rebuilds every
                             frame: no parse, no /etc lookups per build) */
   uint32_t root_pid;     /* 0 = whole tree, else only that subtree */
   bool all_procs;        /* every process; else only those that have or had
                             a socket, their ancestors (context), and those the
                             filter names */
   bool fold;             /* closed connections of one edge to one port as one
                             NODE_FOLD (show_inactive) */
   bool (*fold_open)(void* ctx, uint64_t key); /* NULL: every fold closed */
   void* fold_ctx;
   const char* (*unit)(void* ctx, uint64_t cgroup); /* for unit: terms; may be NULL */
   void* unit_ctx;
   const struct Fleet_* fleet; /* non-NULL: one NODE_HOST per host, in the
                             fleet's order, with that host's store's tree
                             beneath (the store argument is not read;
                             root_pid neither: pids are per host) */
   uint64_t now_ns;       /* the store's clock: with fold, UDP sockets quiet for
                             TREE_UDP_QUIET_NS fold too; 0: they do not */
} TreeOpts;

#define TREE_UDP_QUIET_NS (10ull * 1000000000ull)
/* More UDP sockets than this to one port under one edge fold, quiet or
 * not: a server's peers, a resolver's socket per query. */
#define TREE_UDP_ROWS 8

typedef struct Tree_ Tree;

Tree* Tree_build(const Store* s, const TreeOpts* o);
void Tree_free(Tree* t);
const TreeNode* Tree_root(const Tree* t);
size_t Tree_size(const Tree* t); /* nodes, root excluded */
/* The fleet host a node belongs to (its NODE_HOST's index), or SIZE_MAX
 * outside a fleet's tree. */
size_t Tree_hostOf(const TreeNode* n);
/* The fleet the tree was built from (TreeOpts.fleet), or NULL. */
const struct Fleet_* Tree_fleet(const Tree* t);

/* Processes left out for having no socket (all_procs false, not filtered). */
size_t Tree_hiddenProcs(const Tree* t);
/* With a filter: the connections it matches (true); without: false. */
bool Tree_matches(const Tree* t, size_t* active, size_t* inactive);
/* Why the filter was refused (the tree is then empty), or NULL. */
const char* Tree_error(const Tree* t);

/* Calls fn for every node in display order (pre-order), skipping the
 * children of nodes for which collapsed(ctx, key) is true. collapsed may be
 * NULL. Stops early if fn returns non-zero, and returns that value. */
typedef int (*TreeVisit)(void* ctx, const TreeNode* n);
int Tree_walk(const Tree* t, bool (*collapsed)(void* ctx, uint64_t key),
              void* cctx, TreeVisit fn, void* ctx);

/* The node after n in display order (pre-order), or NULL at the end; the
 * children of n are skipped if skip_children. Tree_walk without the call
 * per node, for loops over every row: start from Tree_root(t)->first_child. */
static inline const TreeNode* Tree_next(const TreeNode* n, bool skip_children) {
   if (!skip_children && n->first_child)
      return n->first_child;
   for (; n->parent; n = n->parent) /* the root has no parent */
      if (n->next)
         return n->next;
   return NULL;
}

/* Does the node itself match the filter text? (exposed for search) */
/* The filter's test on one item of the store (what Tree_nodeMatches asks
 * of a node's item): --json applies it to events. */
bool Tree_procMatches(const Proc* p, const char* text);
bool Tree_sockMatches(const Sock* k, const char* text);
bool Tree_epMatches(const Endpoint* ep, const char* text);
bool Tree_nodeMatches(const TreeNode* n, const char* text);

const char* Tree_viewName(TreeView v);
/* The name --view and the UI give it: "remote" for VIEW_ENDPOINT. */
const char* Tree_viewOption(TreeView v);
const char* Tree_sortName(SortKey k);
/* Numeric keys start from the greatest (htop's habit); pid and name do not. */
bool Tree_sortDescending(SortKey k);

#endif
