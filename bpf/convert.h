/* convert.h: the probe's ring records (visnet_abi.h) as core Events, for
 * an EventSink. A process record is one Event; a socket record that stands
 * for several (its connect, its connected or accept, a failure, before
 * its own) is expanded into them, each at its own time. No kernel address
 * leaves it: a socket's address becomes its id (sockid.h). Needs no libbpf
 * and no kernel: the loader feeds it records from the rings, benchmarks
 * and tests feed it records of their own. */
#ifndef VISNET_CONVERT_H
#define VISNET_CONVERT_H

#include <stddef.h>

#include "event.h"
#include "sockid.h"

typedef struct Convert_ {
   EventSink sink;
   void* ctx;
   SockIdKey key; /* kernel socket addresses become ids (sockid.h) */
   /* Reused for every record: a socket record fills only the head and the
    * SockEvent (~130 of ~600 bytes), the rest stays as cleared or the last
    * process record left it. */
   Event ev, pre;
} Convert;

/* Draws a fresh key for socket ids. */
void Convert_init(Convert* c, EventSink sink, void* ctx);
/* One record of size bytes (a Ring callback: ctx is the Convert). A short
 * or unknown record is skipped. Returns 0. */
int Convert_record(void* ctx, void* data, size_t size);

#endif
