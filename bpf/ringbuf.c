/* ringbuf.c: see ringbuf.h. Layout (kernel/bpf/ringbuf.c): a consumer page
 * we may write, then a producer page and the data pages, which the kernel
 * lets us map twice in a row so that a record crossing the end reads as one
 * piece; we map them once (RSS) and copy such a record. Each record has
 * an 8-byte header: its length with a busy bit (not committed yet) and a
 * discard bit, then the record, padded to 8 bytes. */
#include "ringbuf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define RING_BUSY (1u << 31)
#define RING_DISCARD (1u << 30)
#define RING_HDR 8
#define RING_PUBLISH (256 * 1024)

int Ring_open(Ring* r, int fd, size_t max_entries) {
   r->fd = fd;
   r->size = max_entries;
   r->page = (size_t)sysconf(_SC_PAGESIZE);
   r->bounce = NULL;
   r->bounce_cap = 0;
   r->consumer_pos = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (r->consumer_pos == MAP_FAILED) {
      r->consumer_pos = NULL;
      return -1;
   }
   void* p = mmap(NULL, r->page + max_entries, PROT_READ, MAP_SHARED, fd, (off_t)r->page);
   if (p == MAP_FAILED) {
      int e = errno;
      munmap(r->consumer_pos, r->page);
      r->consumer_pos = NULL;
      errno = e;
      return -1;
   }
   r->producer_pos = p;
   r->data = (const uint8_t*)p + r->page;
   return 0;
}

/* One ring's reading state during Ring_consumeMerged. */
typedef struct RingHead_ {
   unsigned long cons, prod, published;
   const uint8_t* rec; /* the next record to deliver, NULL if none */
   size_t len;
   uint64_t ts;
} RingHead;

/* The body of len bytes at ring offset off, in one piece: in place, or
 * copied into r's bounce buffer when it wraps past the end; NULL without
 * memory. */
static const uint8_t* Ring_body(Ring* r, size_t off, size_t len) {
   if (off + len <= r->size)
      return r->data + off;
   if (len > r->bounce_cap) {
      uint8_t* b = realloc(r->bounce, len);
      if (!b)
         return NULL;
      r->bounce = b;
      r->bounce_cap = len;
   }
   size_t first = r->size - off;
   memcpy(r->bounce, r->data + off, first);
   memcpy(r->bounce + first, r->data, len - first);
   return r->bounce;
}

/* Finds h's next deliverable record, skipping discarded ones; -1 if
 * malformed. */
static int Ring_peek(Ring* r, RingHead* h, size_t ts_off, uint64_t until) {
   h->rec = NULL;
   while (h->cons < h->prod) {
      size_t off = h->cons & (r->size - 1); /* 8-aligned: a header never wraps */
      const uint32_t* hdr = (const uint32_t*)(r->data + off);
      uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
      if (len & RING_BUSY)
         return 0;
      size_t body = len & ~(RING_BUSY | RING_DISCARD);
      if (body > r->size - RING_HDR) {
         errno = EBADMSG;
         return -1;
      }
      if (len & RING_DISCARD) {
         h->cons += (RING_HDR + body + 7) & ~7ul;
         continue;
      }
      const uint8_t* rec = Ring_body(r, (off + RING_HDR) & (r->size - 1), body);
      if (!rec)
         return -1;
      uint64_t ts = 0;
      if (body >= ts_off + sizeof ts)
         memcpy(&ts, rec + ts_off, sizeof ts);
      if (ts >= until)
         return 0;
      h->rec = rec;
      h->len = body;
      h->ts = ts;
      return 0;
   }
   return 0;
}

static void Ring_publish(Ring* r, RingHead* h, bool force) {
   if (h->cons != h->published && (force || h->cons - h->published >= RING_PUBLISH)) {
      __atomic_store_n(r->consumer_pos, h->cons, __ATOMIC_RELEASE);
      h->published = h->cons;
   }
}

int Ring_consumeMerged(Ring* rings, int n, size_t ts_off, uint64_t until, RingFn fn, void* ctx) {
   RingHead heads[n];
   int count = 0;
   for (int i = 0; i < n; i++) {
      heads[i].cons = heads[i].published = *rings[i].consumer_pos;
      heads[i].prod = __atomic_load_n(rings[i].producer_pos, __ATOMIC_ACQUIRE);
      if (Ring_peek(&rings[i], &heads[i], ts_off, until) < 0)
         count = -1;
   }
   while (count >= 0) {
      int best = -1;
      for (int i = 0; i < n; i++)
         if (heads[i].rec && (best < 0 || heads[i].ts < heads[best].ts))
            best = i;
      if (best < 0)
         break;
      RingHead* h = &heads[best];
      fn(ctx, (void*)h->rec, h->len);
      count++;
      h->cons += (RING_HDR + h->len + 7) & ~7ul;
      Ring_publish(&rings[best], h, false);
      if (Ring_peek(&rings[best], h, ts_off, until) < 0)
         count = -1;
   }
   for (int i = 0; i < n; i++)
      Ring_publish(&rings[i], &heads[i], true);
   return count;
}

void Ring_close(Ring* r) {
   if (r->consumer_pos)
      munmap(r->consumer_pos, r->page);
   if (r->producer_pos)
      munmap((void*)r->producer_pos, r->page + r->size);
   r->consumer_pos = NULL;
   r->producer_pos = NULL;
   free(r->bounce);
   r->bounce = NULL;
   r->bounce_cap = 0;
}
