/* index.h: core's one fast index, an open-addressing table of item
 * pointers keyed by a 32-bit hash (Hash_bytes), used by the store for its
 * processes, sockets, endpoints and edges, and by U64Map. Header-only
 * (static inline): lookups are inlined with the key comparison of each
 * item type (INDEX_FIND). */
#ifndef VISNET_INDEX_H
#define VISNET_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

/* Open-addressing index (linear probing, at most 70 % full). Each slot
 * keeps the item's hash, so a probe compares keys only on a hash match: a
 * lookup costs one miss for the slot and one for the item. */
typedef struct IndexSlot_ {
   uint32_t hash;
   void* item; /* NULL: empty */
} IndexSlot;

typedef struct Index_ {
   IndexSlot* slots;
   size_t mask; /* capacity - 1 */
   size_t count;
} Index;

static inline int Index_grow(Index* ix) {
   size_t cap = ix->slots ? (ix->mask + 1) * 2 : 64;
   IndexSlot* slots = Mem_alloc(cap * sizeof *slots);
   if (!slots)
      return -1;
   memset(slots, 0, cap * sizeof *slots);
   for (size_t i = 0; ix->slots && i <= ix->mask; i++) {
      IndexSlot* o = &ix->slots[i];
      if (!o->item)
         continue;
      size_t j = o->hash & (cap - 1);
      while (slots[j].item)
         j = (j + 1) & (cap - 1);
      slots[j] = *o;
   }
   free(ix->slots);
   ix->slots = slots;
   ix->mask = cap - 1;
   return 0;
}

/* Adds an item known to be absent. */
static inline int Index_add(Index* ix, uint32_t h, void* item) {
   if (!ix->slots || (ix->count + 1) * 10 > (ix->mask + 1) * 7)
      if (Index_grow(ix) < 0)
         return -1;
   size_t i = h & ix->mask;
   while (ix->slots[i].item)
      i = (i + 1) & ix->mask;
   ix->slots[i].hash = h;
   ix->slots[i].item = item;
   ix->count++;
   return 0;
}

/* Slot holding item (which has hash h), or SIZE_MAX. */
static inline size_t Index_slotOf(const Index* ix, uint32_t h, const void* item) {
   if (!ix->slots)
      return SIZE_MAX;
   for (size_t i = h & ix->mask; ix->slots[i].item; i = (i + 1) & ix->mask)
      if (ix->slots[i].item == item)
         return i;
   return SIZE_MAX;
}

/* Empties slot i, shifting back the entries of its probe run (no
 * tombstones). */
static inline void Index_delAt(Index* ix, size_t i) {
   size_t j = i;
   for (;;) {
      j = (j + 1) & ix->mask;
      if (!ix->slots[j].item)
         break;
      size_t home = ix->slots[j].hash & ix->mask;
      /* the entry at j may fill hole i unless its home lies in (i, j] */
      bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
         ix->slots[i] = ix->slots[j];
         i = j;
      }
   }
   ix->slots[i].item = NULL;
   ix->count--;
}

static inline void Index_del(Index* ix, uint32_t h, const void* item) {
   size_t i = Index_slotOf(ix, h, item);
   if (i != SIZE_MAX)
      Index_delAt(ix, i);
}

/* First item at or after slot i, or NULL. */
static inline void* Index_scan(const Index* ix, size_t i) {
   for (; ix->slots && i <= ix->mask; i++)
      if (ix->slots[i].item)
         return ix->slots[i].item;
   return NULL;
}

/* Lookups with the key comparison inlined per type. */
#define INDEX_FIND(ix, h, type, match)                                      \
   ({                                                                        \
      type* found_ = NULL;                                                   \
      if ((ix)->slots)                                                       \
         for (size_t i_ = (h) & (ix)->mask; (ix)->slots[i_].item;            \
              i_ = (i_ + 1) & (ix)->mask) {                                  \
            if ((ix)->slots[i_].hash != (h))                                 \
               continue;                                                     \
            type* it = (ix)->slots[i_].item;                                 \
            if (match) {                                                     \
               found_ = it;                                                  \
               break;                                                        \
            }                                                                \
         }                                                                   \
      found_;                                                                \
   })

#endif
