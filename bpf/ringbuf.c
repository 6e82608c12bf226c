/* ringbuf.c: see ringbuf.h. Layout (kernel/bpf/ringbuf.c): a consumer page
 * we may write, then a producer page and the data pages, mapped twice in a
 * row so that a record crossing the end reads as one piece. Each record has
 * an 8-byte header: its length with a busy bit (not committed yet) and a
 * discard bit, then the record, padded to 8 bytes. */
#include "ringbuf.h"

#include <errno.h>
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
   r->consumer_pos = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (r->consumer_pos == MAP_FAILED) {
      r->consumer_pos = NULL;
      return -1;
   }
   void* p = mmap(NULL, r->page + 2 * max_entries, PROT_READ, MAP_SHARED, fd, (off_t)r->page);
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

int Ring_consume(Ring* r, RingFn fn, void* ctx) {
   unsigned long cons = *r->consumer_pos, published = cons;
   /* what is there now, not what keeps coming: a busy producer must not
    * keep the caller here */
   unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
   int n = 0;
   while (cons < prod) {
      const uint32_t* hdr = (const uint32_t*)(r->data + (cons & (r->size - 1)));
      uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
      if (len & RING_BUSY)
         break; /* reserved, not committed yet: the next call reads it */
      size_t body = len & ~(RING_BUSY | RING_DISCARD);
      if (body > r->size - RING_HDR) {
         errno = EBADMSG;
         n = -1;
         break;
      }
      if (!(len & RING_DISCARD)) {
         fn(ctx, (void*)(hdr + 2), body);
         n++;
      }
      cons += (RING_HDR + body + 7) & ~7ul;
      if (cons - published >= RING_PUBLISH) {
         __atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
         published = cons;
      }
   }
   if (cons != published)
      __atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
   return n;
}

void Ring_close(Ring* r) {
   if (r->consumer_pos)
      munmap(r->consumer_pos, r->page);
   if (r->producer_pos)
      munmap((void*)r->producer_pos, r->page + 2 * r->size);
   r->consumer_pos = NULL;
   r->producer_pos = NULL;
}
