/* ringbuf.h: a reader of BPF ring buffer maps, mapped by hand.
 *
 * libbpf's reader publishes its position after every record; producers
 * on other CPUs read that position on every reservation, so the cache line
 * moves back and forth once per record. This reader publishes it once per
 * 256 KiB and at the end of each call. It also reads several rings (one per
 * CPU) as one stream in timestamp order. */
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
   uint8_t* bounce; /* a record that wraps past the end, made whole (owned) */
   size_t bounce_cap;
} Ring;

/* Maps the ring buffer map fd of max_entries bytes; -1 with errno set.
 * The data pages are mapped once, not twice as libbpf does: each mapped
 * page counts in the reader's RSS, and a record that wraps past the end
 * (rare: records are small) is copied whole instead. */
int Ring_open(Ring* r, int fd, size_t max_entries);
/* Reads n rings as one stream: each record holds a u64 timestamp at byte
 * ts_off; records are delivered oldest first, and only those stamped
 * before `until` (taken before the call). Producers stamp a record after
 * reserving it, so if record B (stamped before `until`) was reserved after
 * record A was committed, A was committed before this call read its ring:
 * two records of one socket written one after the other from different
 * CPUs come out in their order. Later records stay in their ring. Returns records read, or -1 (errno
 * EBADMSG) on a malformed record (ENOMEM: no memory to copy one that wraps). */
int Ring_consumeMerged(Ring* rings, int n, size_t ts_off, uint64_t until, RingFn fn, void* ctx);
/* Unmaps the ring and frees its bounce buffer. */
void Ring_close(Ring* r);

#endif
