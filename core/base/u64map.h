/* u64map.h: a map from a non-zero 64-bit key to a 32-bit value (socket
 * inode to owner, process id to row), on core's one index (index.h). */
#ifndef VISNET_U64MAP_H
#define VISNET_U64MAP_H

#include <stdint.h>

#include "index.h"

typedef struct U64Map_ {
   Index ix; /* of U64Entry, in pool */
   Pool pool;
   size_t count; /* entries */
} U64Map;

/* A zero-filled U64Map is an empty one too. */
void U64Map_init(U64Map* m);
void U64Map_free(U64Map* m);
/* Inserts or overwrites; returns 0, or -1 when out of memory or key is 0. */
int U64Map_put(U64Map* m, uint64_t key, uint32_t val);
/* Returns a pointer to the value (valid until U64Map_free), NULL if absent. */
uint32_t* U64Map_get(const U64Map* m, uint64_t key);
/* Iteration in no particular order: start with *pos = 0; false at the end. */
bool U64Map_next(const U64Map* m, size_t* pos, uint64_t* key, uint32_t* val);

#endif
