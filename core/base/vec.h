/* vec.h: growing arrays, the one way core code makes room for one more. */
#ifndef VISNET_VEC_H
#define VISNET_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes room for element index n in data (capacity *cap, elements of size
 * elem), doubling from first. Returns the array to use from now on, or NULL
 * when out of memory (data is then left as it was). */
static inline void* Vec_grow(void* data, size_t* cap, size_t n, size_t elem, size_t first) {
   if (n < *cap)
      return data;
   size_t ncap = *cap ? *cap * 2 : first;
   if (ncap <= n)
      ncap = n + 1;
   if (ncap > SIZE_MAX / elem)
      return NULL;
   void* p = realloc(data, ncap * elem);
   if (p)
      *cap = ncap;
   return p;
}

static inline void* Vec_keep(void* old, void* grown) { return grown ? grown : old; }

/* Vec_grow on an array lvalue: VEC_GROW(arr, cap, n, first) is true when
 * arr has room for index n, false when out of memory. */
#define VEC_GROW(arr, cap, n, first) \
   ((arr) = Vec_keep((arr), Vec_grow((arr), &(cap), (n), sizeof *(arr), (first))), (cap) > (n))

#endif
