/* heal.c: a lost close would leave a socket active for ever; the kernel's
 * list of sockets says which ones are gone. Only closes are inferred: a
 * socket whose open was lost appears with its owner at the probe's next
 * report of its bytes. */
#include "heal.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockdiag.h"

typedef struct {
   Store* s;
   size_t present;
} Unmark;

static int unmark(void* ctx, const SockEvent* se) {
   Unmark* u = ctx;
   /* a socket in TIME_WAIT is the kernel's leftover after the close: the
    * store closed its socket at that point too */
   if (se->proto != IPPROTO_TCP || se->state == TCPS_TIME_WAIT || se->state == TCPS_CLOSE)
      return 0;
   SockKey key;
   SockKey_fromEvent(&key, se);
   Sock* k = Store_sock(u->s, &key);
   if (k && k->stale) {
      k->stale = 0;
      u->present++;
   }
   return 0;
}

static void closeEvent(const Sock* k, uint64_t now, Event* e) {
   memset(e, 0, sizeof *e);
   e->type = EV_CLOSE;
   e->flags = EVF_HEALED;
   e->ts = now;
   if (k->proc) {
      e->pid = e->tid = k->proc->pid;
      e->pstart = k->proc->start;
   }
   SockEvent* se = &e->sock;
   se->sk = k->sk;
   se->ino = k->ino;
   se->tx = k->tx;
   se->rx = k->rx;
   se->netns = k->key.netns;
   se->lport = k->key.lport;
   se->rport = k->key.rport;
   se->proto = IPPROTO_TCP;
   se->family = k->family;
   se->dir = k->dir;
   se->oldstate = k->state;
   se->state = TCPS_CLOSE;
   se->noowner = k->noowner;
   memcpy(se->laddr, k->key.laddr, 16);
   memcpy(se->raddr, k->key.raddr, 16);
}

static size_t mark(Store* s, uint32_t netns) {
   size_t n = 0;
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k)) {
      if (Sock_isActive(k) && k->hashed && k->key.proto == IPPROTO_TCP && k->key.netns == netns) {
         k->stale = 1;
         n++;
      }
   }
   return n;
}

int Heal_tcp(Store* s, uint32_t netns, uint64_t now, EventSink sink, void* ctx, char* err,
             size_t errlen) {
   char* buf = malloc(SOCKDIAG_BUFLEN);
   if (!buf) {
      snprintf(err, errlen, "out of memory");
      return -1;
   }
   size_t marked = mark(s, netns);
   Unmark u = {s, 0};
   int rc = SockDiag_dump(netns, unmark, &u, buf, SOCKDIAG_BUFLEN, err, errlen);
   free(buf);
   /* collected first: each close changes the lists being walked */
   size_t n = 0, cap = marked - u.present;
   Event* out = rc == 0 && cap ? calloc(cap, sizeof *out) : NULL;
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k)) {
      if (!k->stale)
         continue;
      k->stale = 0;
      if (out && n < cap)
         closeEvent(k, now, &out[n++]);
   }
   if (rc != 0)
      return -1;
   if (cap && !out) {
      snprintf(err, errlen, "out of memory");
      return -1;
   }
   for (size_t i = 0; i < n; i++)
      sink(ctx, &out[i]);
   free(out);
   return (int)n;
}
