/* ringbuf.h: a reader of one BPF ring buffer map, mapped by hand.
 *
 * libbpf's reader publishes its position after every record; producers
 * on other CPUs read that position on every reservation, so the cache line
 * moves back and forth once per record. This reader publishes it once per
 * RING_PUBLISH bytes and at the end of each call. */
#ifndef VISNET_RINGBUF_H
#define VISNET_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

typedef int (*RingFn)(void* ctx, void* data, size_t size);

typedef struct Ring_ {
   int fd;
   size_t size; /* data bytes, a power of two */
   unsigned long* consumer_pos;
   const unsigned long* producer_pos;
   const uint8_t* data;
   size_t page;
} Ring;

/* Maps the ring buffer map fd of max_entries bytes; -1 with errno set. */
int Ring_open(Ring* r, int fd, size_t max_entries);
/* Calls fn for each committed record in order; returns how many, or -1 if
 * a record is malformed (errno EBADMSG). */
int Ring_consume(Ring* r, RingFn fn, void* ctx);
void Ring_close(Ring* r);

#endif
