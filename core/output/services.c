/* services.c: service names of ports (see services.h). */
#include "services.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

struct ServiceName_ {
   uint32_t key; /* proto << 16 | port */
   char* name;   /* NULL: none */
   UT_hash_handle hh;
};

const char* Services_name(ServiceName** cache, uint16_t port, uint8_t proto) {
   uint32_t key = (uint32_t)proto << 16 | port;
   ServiceName* s;
   HASH_FIND(hh, *cache, &key, sizeof key, s);
   if (s)
      return s->name;
   s = calloc(1, sizeof *s);
   if (!s)
      return NULL;
   s->key = key;
   struct servent se, *r = NULL;
   char buf[1024];
   if (getservbyport_r(htons(port), proto == IPPROTO_UDP ? "udp" : "tcp", &se, buf, sizeof buf,
                       &r) == 0 &&
       r && r->s_name)
      s->name = strdup(r->s_name);
   HASH_ADD(hh, *cache, key, sizeof s->key, s);
   return s->name;
}

const char* Services_port(ServiceName** cache, uint16_t port, uint8_t proto, char* buf,
                          unsigned len) {
   const char* name = cache && port ? Services_name(cache, port, proto) : NULL;
   if (name)
      snprintf(buf, len, "%s", name);
   else
      snprintf(buf, len, "%u", port);
   return buf;
}

void Services_free(ServiceName** cache) {
   ServiceName *s, *t;
   HASH_ITER(hh, *cache, s, t) {
      HASH_DEL(*cache, s);
      free(s->name);
      free(s);
   }
}
