/* resolver.c: reverse DNS on a worker thread, results through an eventfd.
 *
 * The worker and the owner share one state with a reference count, so that
 * Resolver_free never waits for a slow DNS server: the last one out frees. */
#include "resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uthash.h>

typedef enum { LOOKUP_PENDING = 0, LOOKUP_DONE, LOOKUP_FAILED } LookupState;

typedef struct Lookup_ {
   uint8_t addr[16];
   LookupState state;
   bool delivered;
   char* name;
   struct Lookup_* next_done;
   UT_hash_handle hh;
} Lookup;

struct Resolver_ {
   pthread_mutex_t lock;
   pthread_cond_t wake;
   int refs;
   bool stop;
   int efd;
   Lookup* cache;
   size_t ncache;
   uint8_t queue[RESOLVER_MAX_PENDING][16];
   size_t qhead, qlen;
   Lookup* done;
};

static void destroy(Resolver* r) {
   Lookup *l, *tmp;
   HASH_ITER(hh, r->cache, l, tmp) {
      HASH_DEL(r->cache, l);
      free(l->name);
      free(l);
   }
   close(r->efd);
   pthread_cond_destroy(&r->wake);
   pthread_mutex_destroy(&r->lock);
   free(r);
}

/* Drops one reference; frees on the last. Called with the lock held. */
static void release(Resolver* r) {
   bool last = --r->refs == 0;
   pthread_mutex_unlock(&r->lock);
   if (last)
      destroy(r);
}

static char* lookup(const uint8_t addr[16]) {
   struct sockaddr_storage ss;
   socklen_t sl;
   memset(&ss, 0, sizeof ss);
   if (Addr_isV4(addr)) {
      struct sockaddr_in* sin = (struct sockaddr_in*)&ss;
      sin->sin_family = AF_INET;
      memcpy(&sin->sin_addr, addr + 12, 4);
      sl = sizeof *sin;
   } else {
      struct sockaddr_in6* sin6 = (struct sockaddr_in6*)&ss;
      sin6->sin6_family = AF_INET6;
      memcpy(&sin6->sin6_addr, addr, 16);
      sl = sizeof *sin6;
   }
   char host[NI_MAXHOST];
   if (getnameinfo((struct sockaddr*)&ss, sl, host, sizeof host, NULL, 0, NI_NAMEREQD) != 0)
      return NULL;
   return strdup(host);
}

static void* worker(void* arg) {
   Resolver* r = arg;
   pthread_mutex_lock(&r->lock);
   for (;;) {
      while (r->qlen == 0 && !r->stop)
         pthread_cond_wait(&r->wake, &r->lock);
      if (r->stop)
         break;
      uint8_t addr[16];
      memcpy(addr, r->queue[r->qhead], 16);
      r->qhead = (r->qhead + 1) % RESOLVER_MAX_PENDING;
      r->qlen--;
      pthread_mutex_unlock(&r->lock);
      char* name = lookup(addr);
      pthread_mutex_lock(&r->lock);
      Lookup* l;
      HASH_FIND(hh, r->cache, addr, 16, l);
      if (!l) {
         free(name);
         continue;
      }
      l->state = name ? LOOKUP_DONE : LOOKUP_FAILED;
      l->name = name;
      l->next_done = r->done;
      r->done = l;
      uint64_t one = 1;
      if (write(r->efd, &one, sizeof one) < 0) {
         /* the counter cannot overflow in practice; the next write wakes */
      }
   }
   release(r);
   return NULL;
}

Resolver* Resolver_new(char* err, size_t errlen) {
   Resolver* r = calloc(1, sizeof *r);
   if (!r) {
      snprintf(err, errlen, "resolver: out of memory");
      return NULL;
   }
   r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
   if (r->efd < 0) {
      snprintf(err, errlen, "resolver: eventfd: %s", strerror(errno));
      free(r);
      return NULL;
   }
   pthread_mutex_init(&r->lock, NULL);
   pthread_cond_init(&r->wake, NULL);
   r->refs = 2;
   pthread_t th;
   int rc = pthread_create(&th, NULL, worker, r);
   if (rc != 0) {
      snprintf(err, errlen, "resolver: cannot start thread: %s", strerror(rc));
      r->refs = 1;
      pthread_mutex_lock(&r->lock);
      release(r);
      return NULL;
   }
   pthread_detach(th);
   return r;
}

int Resolver_fd(const Resolver* r) {
   return r->efd;
}

/* Forgets finished lookups already handed over, to bound the cache. */
static void trimCache(Resolver* r) {
   Lookup *l, *tmp;
   HASH_ITER(hh, r->cache, l, tmp) {
      if (l->state != LOOKUP_PENDING && l->delivered) {
         HASH_DEL(r->cache, l);
         free(l->name);
         free(l);
         r->ncache--;
      }
   }
}

int Resolver_request(Resolver* r, const uint8_t addr[16]) {
   int rc = 0;
   pthread_mutex_lock(&r->lock);
   Lookup* l;
   HASH_FIND(hh, r->cache, addr, 16, l);
   if (l)
      goto out;
   if (r->qlen == RESOLVER_MAX_PENDING) {
      rc = -1;
      goto out;
   }
   if (r->ncache >= RESOLVER_MAX_CACHE)
      trimCache(r);
   l = calloc(1, sizeof *l);
   if (!l) {
      rc = -1;
      goto out;
   }
   memcpy(l->addr, addr, 16);
   HASH_ADD(hh, r->cache, addr, 16, l);
   r->ncache++;
   memcpy(r->queue[(r->qhead + r->qlen) % RESOLVER_MAX_PENDING], addr, 16);
   r->qlen++;
   pthread_cond_signal(&r->wake);
   rc = 1;
out:
   pthread_mutex_unlock(&r->lock);
   return rc;
}

int Resolver_drain(Resolver* r, Store* s) {
   uint64_t n;
   while (read(r->efd, &n, sizeof n) == (ssize_t)sizeof n) {
   }
   int set = 0;
   pthread_mutex_lock(&r->lock);
   Lookup* l = r->done;
   r->done = NULL;
   for (; l; l = l->next_done) {
      l->delivered = true;
      if (l->state == LOOKUP_DONE && Store_setName(s, l->addr, l->name) == 0)
         set++;
   }
   pthread_mutex_unlock(&r->lock);
   return set;
}

const char* Resolver_cached(Resolver* r, const uint8_t addr[16], char* buf, size_t len) {
   const char* res = NULL;
   pthread_mutex_lock(&r->lock);
   Lookup* l;
   HASH_FIND(hh, r->cache, addr, 16, l);
   if (l && l->state == LOOKUP_DONE && len > 0) {
      snprintf(buf, len, "%s", l->name);
      res = buf;
   }
   pthread_mutex_unlock(&r->lock);
   return res;
}

void Resolver_free(Resolver* r) {
   if (!r)
      return;
   pthread_mutex_lock(&r->lock);
   r->stop = true;
   pthread_cond_signal(&r->wake);
   release(r);
}
