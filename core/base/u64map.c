/* u64map.c: U64Map over the shared index (u64map.h). */
#include "u64map.h"

#include <string.h>

#include "hash.h"

typedef struct U64Entry_ {
   uint64_t key;
   uint32_t val;
} U64Entry;

void U64Map_init(U64Map* m) {
   memset(m, 0, sizeof *m);
}

void U64Map_free(U64Map* m) {
   for (size_t i = 0; m->ix.slots && i <= m->ix.mask; i++)
      if (m->ix.slots[i].item)
         Pool_release(&m->pool, m->ix.slots[i].item);
   free(m->ix.slots);
   Pool_done(&m->pool);
   U64Map_init(m);
}

static inline uint32_t U64Map_hash(uint64_t key) {
   return Hash_bytes(&key, sizeof key);
}

uint32_t* U64Map_get(const U64Map* m, uint64_t key) {
   if (!key)
      return NULL;
   U64Entry* e = INDEX_FIND(&m->ix, U64Map_hash(key), U64Entry, it->key == key);
   return e ? &e->val : NULL;
}

int U64Map_put(U64Map* m, uint64_t key, uint32_t val) {
   if (!key)
      return -1;
   uint32_t* v = U64Map_get(m, key);
   if (v) {
      *v = val;
      return 0;
   }
   if (!m->pool.size)
      Pool_init(&m->pool, sizeof(U64Entry), 8);
   U64Entry* e = Pool_alloc(&m->pool);
   if (!e)
      return -1;
   e->key = key;
   e->val = val;
   if (Index_add(&m->ix, U64Map_hash(key), e) < 0) {
      Pool_release(&m->pool, e);
      return -1;
   }
   m->count++;
   return 0;
}

bool U64Map_next(const U64Map* m, size_t* pos, uint64_t* key, uint32_t* val) {
   for (; m->ix.slots && *pos <= m->ix.mask; (*pos)++) {
      const U64Entry* e = m->ix.slots[*pos].item;
      if (e) {
         (*pos)++;
         *key = e->key;
         *val = e->val;
         return true;
      }
   }
   return false;
}
