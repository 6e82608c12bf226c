/* outq.h: a stream's output (--json on stdout) that never blocks the event
 * loop. Whole lines are queued and written as the reader takes them; when
 * the reader is slower than the events for long enough to fill the queue,
 * whole chunks of lines are dropped and counted, so that the ring buffer is
 * still read and the reader is told what it missed (a "lost" line, the
 * bye's "dropped"). A terminal is written to as before, blocking: a person
 * reads it, and its file description is shared with the shell. */
#ifndef VISNET_OUTQ_H
#define VISNET_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct OutQ_ {
   int fd;
   int old_flags; /* to restore; -1 if not changed */
   char* buf;     /* [off, len) waits to be written */
   size_t off, len, cap, max;
   uint64_t dropped; /* lines dropped in all */
   uint64_t unsaid;  /* of those, not yet told in a "lost" line */
   int err;          /* the write error that ended the output (EPIPE: the reader left) */
} OutQ;

/* fd: where to write; max: bytes the queue may hold. */
void OutQ_init(OutQ* q, int fd, size_t max);
/* Queues len bytes holding nlines whole lines, or drops them all (counted)
 * when they do not fit; true if queued. */
bool OutQ_put(OutQ* q, const char* data, size_t len, uint64_t nlines);
/* The same, written at once when nothing waits (no copy): what the reader
 * does not take now is queued. */
bool OutQ_write(OutQ* q, const char* data, size_t len, uint64_t nlines);
/* Writes what the reader takes now. 0, or -1 with q->err once writing failed. */
int OutQ_flush(OutQ* q);
/* At the end: writes the rest, waiting at most timeout_ms for the reader. */
int OutQ_drain(OutQ* q, int timeout_ms);
/* Restores the fd's flags and frees the queue. */
void OutQ_done(OutQ* q);

#endif
