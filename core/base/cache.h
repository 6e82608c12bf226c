/* cache.h: small keyed caches are uthash tables (the index of core/base is
 * for the hot paths); this is what every owner of one does at the end. */
#ifndef VISNET_CACHE_H
#define VISNET_CACHE_H

#include <stdlib.h>
#include <uthash.h>

/* Removes every entry of the table at head (entries from malloc, with a
 * UT_hash_handle named hh) and frees it; head is NULL after. */
#define CACHE_FREE_ALL(head)                                                                       \
   do {                                                                                            \
      __typeof__(head) cache_it_, cache_tmp_;                                                      \
      HASH_ITER(hh, head, cache_it_, cache_tmp_) {                                                 \
         HASH_DEL(head, cache_it_);                                                                \
         free(cache_it_);                                                                          \
      }                                                                                            \
   } while (0)

#endif
