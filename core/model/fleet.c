/* fleet.c: hosts' stores side by side, and the ends of one connection
 * found on two of them (fleet.h). */
#include "fleet.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "u64map.h"

/* Our clock's constant: 2^62 ns is 146 years, more than any uptime. */
#define FLEET_BIAS (1ull << 62)
/* An address that more than one host holds: every host is asked. */
#define FLEET_MANY UINT32_MAX

struct Fleet_ {
   Host* hosts;
   size_t n;
   size_t cap;    /* each store's inactive cap */
   U64Map owners; /* local address -> host index + 1, or FLEET_MANY */
};

static uint64_t addrKey(const uint8_t a[16]) {
   uint64_t lo, hi;
   memcpy(&lo, a, 8);
   memcpy(&hi, a + 8, 8);
   uint64_t h = (hi ^ (lo * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
   return (h ^ (h >> 31)) | 1; /* never 0: the map's empty key */
}

/* Loopback and unspecified addresses are every host's own: never a peer. */
static bool addrShared(const uint8_t a[16]) {
   static const uint8_t v6lo[16] = {[15] = 1};
   if (Addr_isZero(a) || memcmp(a, v6lo, 16) == 0)
      return true;
   return Addr_isV4(a) && (a[12] == 127 || (a[12] | a[13] | a[14] | a[15]) == 0);
}

Fleet* Fleet_new(const char* const* names, size_t n, size_t inactive_cap) {
   Fleet* f = calloc(1, sizeof *f);
   if (!f)
      return NULL;
   f->hosts = calloc(n ? n : 1, sizeof *f->hosts);
   if (!f->hosts) {
      free(f);
      return NULL;
   }
   f->n = n;
   f->cap = inactive_cap;
   for (size_t i = 0; i < n; i++) {
      Host* h = &f->hosts[i];
      snprintf(h->name, sizeof h->name, "%s", names[i]);
      h->store = Store_new(inactive_cap);
      if (!h->store) {
         Fleet_free(f);
         return NULL;
      }
      Store_setIdBase(h->store, (uint64_t)i << 44);
      h->since = Fleet_now();
   }
   return f;
}

void Fleet_free(Fleet* f) {
   if (!f)
      return;
   for (size_t i = 0; i < f->n; i++)
      if (f->hosts[i].store)
         Store_free(f->hosts[i].store);
   U64Map_free(&f->owners);
   free(f->hosts);
   free(f);
}

size_t Fleet_count(const Fleet* f) {
   return f ? f->n : 0;
}
Host* Fleet_host(Fleet* f, size_t i) {
   return i < f->n ? &f->hosts[i] : NULL;
}
const Host* Fleet_hostC(const Fleet* f, size_t i) {
   return i < f->n ? &f->hosts[i] : NULL;
}

uint64_t Fleet_now(void) {
   struct timespec ts;
   clock_gettime(CLOCK_BOOTTIME, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + FLEET_BIAS;
}

static void setState(Host* h, HostState s) {
   if (h->state != s)
      h->since = Fleet_now();
   h->state = s;
}

int Fleet_hello(Fleet* f, size_t i, uint64_t remote_ts, const char* remote, const char* version,
                const char* mode) {
   Host* h = &f->hosts[i];
   if (h->ever_up) { /* a new run over there: its ids and pids start afresh */
      Store* s = Store_new(f->cap);
      if (!s)
         return -1;
      Store_setIdBase(s, (uint64_t)i << 44);
      Store_free(h->store);
      h->store = s;
      h->nnetns = 0;
   }
   h->offset = Fleet_now() - remote_ts;
   snprintf(h->remote, sizeof h->remote, "%s", remote ? remote : "");
   snprintf(h->version, sizeof h->version, "%s", version ? version : "");
   snprintf(h->mode, sizeof h->mode, "%s", mode ? mode : "");
   h->reason[0] = '\0';
   h->ready = false;
   h->ever_up = true;
   setState(h, HOST_UP);
   return 0;
}

void Fleet_down(Fleet* f, size_t i, const char* reason) {
   Host* h = &f->hosts[i];
   snprintf(h->reason, sizeof h->reason, "%s", reason ? reason : "");
   setState(h, HOST_DOWN);
}

void Fleet_connecting(Fleet* f, size_t i) {
   setState(&f->hosts[i], HOST_CONNECTING);
}

static void noteNetns(Host* h, uint32_t ns) {
   for (size_t j = 0; j < h->nnetns; j++)
      if (h->netns[j] == ns)
         return;
   if (h->nnetns < FLEET_NETNS_MAX)
      h->netns[h->nnetns++] = ns;
}

static void noteAddr(Fleet* f, size_t i, const uint8_t a[16]) {
   if (addrShared(a))
      return;
   uint64_t key = addrKey(a);
   uint32_t* v = U64Map_get(&f->owners, key);
   if (!v)
      (void)U64Map_put(&f->owners, key, (uint32_t)i + 1);
   else if (*v != (uint32_t)i + 1)
      *v = FLEET_MANY;
}

/* The clock moves; the sockets' namespaces and local addresses are noted
 * for Fleet_peer. */
static void localize(Fleet* f, size_t i, Event* e) {
   Host* h = &f->hosts[i];
   e->ts += h->offset;
   if (e->pstart)
      e->pstart += h->offset;
   if (!Event_isSock(e)) {
      if (e->type == EV_FORK && e->proc.child_start)
         e->proc.child_start += h->offset;
      return;
   }
   noteNetns(h, e->sock.netns);
   noteAddr(f, i, e->sock.laddr);
}

size_t Fleet_apply(Fleet* f, size_t i, Event* ev, size_t n) {
   Host* h = &f->hosts[i];
   for (size_t j = 0; j < n; j++)
      localize(f, i, &ev[j]);
   size_t bad = Store_applyBatch(h->store, ev, n);
   h->events += n;
   h->bad += bad;
   return bad;
}

static const Sock* mirrored(const Host* h, const Sock* k) {
   SockKey m;
   memset(&m, 0, sizeof m);
   memcpy(m.laddr, k->key.raddr, 16);
   memcpy(m.raddr, k->key.laddr, 16);
   m.lport = k->key.rport;
   m.rport = k->key.lport;
   m.proto = k->key.proto;
   for (size_t j = 0; j < h->nnetns; j++) {
      m.netns = h->netns[j];
      const Sock* o = Store_sock(h->store, &m);
      if (o)
         return o;
   }
   return NULL;
}

bool Fleet_peer(const Fleet* f, size_t i, const Sock* k, FleetPeer* out) {
   if (!f || Sock_isListen(k) || addrShared(k->key.raddr))
      return false;
   uint32_t* v = U64Map_get(&f->owners, addrKey(k->key.raddr));
   if (!v)
      return false;
   size_t from = *v == FLEET_MANY ? 0 : *v - 1, to = *v == FLEET_MANY ? f->n : *v;
   for (size_t j = from; j < to && j < f->n; j++) {
      if (j == i)
         continue;
      const Sock* o = mirrored(&f->hosts[j], k);
      if (o) {
         out->host = j;
         out->sock = o;
         return true;
      }
   }
   return false;
}

void Fleet_stats(const Fleet* f, StoreStats* out) {
   memset(out, 0, sizeof *out);
   for (size_t i = 0; i < f->n; i++) {
      StoreStats s;
      Store_stats(f->hosts[i].store, &s);
      out->procs += s.procs;
      out->procs_alive += s.procs_alive;
      out->socks += s.socks;
      out->socks_active += s.socks_active;
      out->edges += s.edges;
      out->edges_active += s.edges_active;
      out->endpoints += s.endpoints;
      out->events += s.events;
      out->evicted += s.evicted;
      out->bad_events += s.bad_events;
      out->orphans += s.orphans;
      out->inactive += s.inactive;
      out->merged += s.merged;
   }
}

static void addPrune(PruneCount* sum, PruneCount c) {
   sum->socks += c.socks;
   sum->edges += c.edges;
   sum->procs += c.procs;
}

PruneCount Fleet_prune(Fleet* f) {
   PruneCount sum = {0, 0, 0};
   for (size_t i = 0; i < f->n; i++)
      addPrune(&sum, Store_prune(f->hosts[i].store));
   return sum;
}

PruneCount Fleet_pruneOlder(Fleet* f, uint64_t now_ns, uint64_t age_ns) {
   PruneCount sum = {0, 0, 0};
   for (size_t i = 0; i < f->n; i++)
      addPrune(&sum, Store_pruneOlder(f->hosts[i].store, now_ns, age_ns));
   return sum;
}

/* The refresh tick: what the stores do with time (quiet UDP, rates,
 * processes without sockets). */
void Fleet_tick(Fleet* f, uint64_t now_ns) {
   for (size_t i = 0; i < f->n; i++) {
      Store* s = f->hosts[i].store;
      Store_closeQuietUdp(s, now_ns, STORE_UDP_QUIET_NS);
      Store_updateRates(s, now_ns);
      Store_dropSockless(s);
   }
}

const char* Host_stateName(HostState s) {
   switch (s) {
   case HOST_CONNECTING:
      return "connecting";
   case HOST_UP:
      return "up";
   case HOST_DOWN:
      return "down";
   }
   return "?";
}
