/* fleet.h: several hosts' stores side by side, and the connections that
 * join them.
 *
 * Each host (a remote visnet's JSON stream, docs/FLEET.md) has a Store of
 * its own: pids, socket ids and network namespaces are per host. Events
 * reach it on our clock: a host's ts is moved by the offset taken at its
 * hello, so that every host's ages and rates read against one now
 * (Fleet_now), whatever each kernel's boot time.
 *
 * A connection seen on host A (A's address and port to B's) and the one
 * seen on host B (B's address and port from A's) are the two ends of one
 * conversation: Fleet_peer finds the other end. Hosts are told apart by
 * the local addresses of their sockets; address translation between them
 * is not seen through. */
#ifndef VISNET_FLEET_H
#define VISNET_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef enum HostState_ {
   HOST_CONNECTING = 0, /* started, no hello yet */
   HOST_UP,             /* its stream is read */
   HOST_DOWN,           /* it ended or failed: reason says why; retried */
} HostState;

#define FLEET_NETNS_MAX 16 /* network namespaces a peer lookup tries per host */
#define FLEET_NAME_LEN 64

typedef struct Host_ {
   char name[FLEET_NAME_LEN]; /* as the user named it: "db1", "root@web1", "local" */
   Store* store;              /* what its stream said; a new one per connection */
   HostState state;
   bool ready;                  /* its start-up snapshot is in (a "ready" line) */
   bool ever_up;                /* it has said hello at least once */
   char reason[200];            /* HOST_DOWN: why, one line */
   char remote[FLEET_NAME_LEN]; /* the host name its hello gave */
   char version[32];            /* visnet's on that host */
   char mode[16];               /* live, fallback, replay */
   uint64_t offset;             /* its clock to ours: ts + offset (mod 2^64) */
   uint64_t since;              /* when state began, Fleet_now's clock */
   uint64_t retry_at;           /* down: when it is tried again (the same clock), 0: not */
   uint64_t events;             /* events applied from it, every connection */
   uint64_t bad;                /* its events the store refused */
   uint32_t netns[FLEET_NETNS_MAX];
   size_t nnetns;
} Host;

typedef struct Fleet_ Fleet;

/* names: n host names, copied. inactive_cap: each store's (store.h). */
Fleet* Fleet_new(const char* const* names, size_t n, size_t inactive_cap);
void Fleet_free(Fleet* f);
size_t Fleet_count(const Fleet* f);
Host* Fleet_host(Fleet* f, size_t i);
const Host* Fleet_hostC(const Fleet* f, size_t i);

/* Our clock for every host's events: CLOCK_BOOTTIME plus a constant, so
 * that a host booted long before us still has positive times. */
uint64_t Fleet_now(void);

/* A connection to host i said hello at remote_ts (its clock): a fresh
 * store (what an earlier connection said is replaced by what this one
 * says), the clock offset, the hello's facts. Returns -1 when out of memory. */
int Fleet_hello(Fleet* f, size_t i, uint64_t remote_ts, const char* remote, const char* version,
                const char* mode);
/* Host i's stream ended or was cut: down, with reason; its store stays as
 * it was, shown as the last known state. */
void Fleet_down(Fleet* f, size_t i, const char* reason);
void Fleet_connecting(Fleet* f, size_t i);

/* Applies n events of host i in order, their times moved to our clock
 * (ev is changed). Returns how many the store refused. */
size_t Fleet_apply(Fleet* f, size_t i, Event* ev, size_t n);

/* The other end of socket k of host i, on another host: found is true
 * when that host has the socket with the mirrored tuple. */
typedef struct FleetPeer_ {
   size_t host;
   const Sock* sock;
} FleetPeer;
bool Fleet_peer(const Fleet* f, size_t i, const Sock* k, FleetPeer* out);

/* Every store: stats summed (for a header), prune, rates. */
void Fleet_stats(const Fleet* f, StoreStats* out);
PruneCount Fleet_prune(Fleet* f);
PruneCount Fleet_pruneOlder(Fleet* f, uint64_t now_ns, uint64_t age_ns);
void Fleet_tick(Fleet* f, uint64_t now_ns);

const char* Host_stateName(HostState s);

#endif
