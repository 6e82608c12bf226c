/* pool.h: memory for many small objects of one size, and the large blocks
 * behind them. Header-only (static inline): the store's hot path inlines
 * every call. */
#ifndef VISNET_POOL_H
#define VISNET_POOL_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MEM_HUGE_SIZE (2u << 20)

/* Large blocks (slabs, index arrays) are 2 MiB aligned and advised into
 * transparent huge pages: random lookups over 100 000 sockets otherwise
 * pay a TLB miss on top of each cache miss. */
static inline void* Mem_alloc(size_t size) {
   if (size < MEM_HUGE_SIZE)
      return aligned_alloc(64, (size + 63) & ~(size_t)63);
   size = (size + MEM_HUGE_SIZE - 1) & ~(size_t)(MEM_HUGE_SIZE - 1);
   void* p = aligned_alloc(MEM_HUGE_SIZE, size);
   if (p)
      madvise(p, size, MADV_HUGEPAGE);
   return p;
}

/* Fixed-size object pool: bump allocation in growing slabs, recycled
 * through a free list. Neither the hot path nor a socket pays malloc's
 * overhead. Under AddressSanitizer plain calloc/free are used so that a
 * use-after-free is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MALLOC 1
#endif
#endif

typedef struct PoolFree_ {
   struct PoolFree_* next;
} PoolFree;

typedef struct Pool_ {
   size_t size;       /* object size, rounded to the alignment */
   PoolFree* free;
   char* cur;         /* bump pointer in the newest slab */
   size_t left;       /* objects left there */
   size_t slab_bytes; /* size of the next slab: doubles up to 2 MiB */
   void** slabs;
   size_t nslabs, capslabs;
} Pool;

static inline void Pool_init(Pool* p, size_t size, size_t align) {
   memset(p, 0, sizeof *p);
   p->size = (size + align - 1) / align * align;
   p->slab_bytes = 16384;
}

static inline void* Pool_alloc(Pool* p) {
#ifdef POOL_MALLOC
   return calloc(1, p->size);
#else
   void* obj;
   if (p->free) {
      obj = p->free;
      p->free = p->free->next;
   } else {
      if (p->left == 0) {
         if (p->nslabs == p->capslabs) {
            size_t cap = p->capslabs ? p->capslabs * 2 : 16;
            void** slabs = realloc(p->slabs, cap * sizeof *slabs);
            if (!slabs)
               return NULL;
            p->slabs = slabs;
            p->capslabs = cap;
         }
         char* slab = Mem_alloc(p->slab_bytes);
         if (!slab)
            return NULL;
         p->slabs[p->nslabs++] = slab;
         p->cur = slab;
         p->left = p->slab_bytes / p->size;
         if (p->slab_bytes < MEM_HUGE_SIZE)
            p->slab_bytes *= 2;
      }
      obj = p->cur;
      p->cur += p->size;
      p->left--;
   }
   memset(obj, 0, p->size);
   return obj;
#endif
}

static inline void Pool_release(Pool* p, void* obj) {
#ifdef POOL_MALLOC
   (void)p;
   free(obj);
#else
   PoolFree* f = obj;
   f->next = p->free;
   p->free = f;
#endif
}

static inline void Pool_done(Pool* p) {
   for (size_t i = 0; i < p->nslabs; i++)
      free(p->slabs[i]);
   free(p->slabs);
   memset(p, 0, sizeof *p);
}

#endif
