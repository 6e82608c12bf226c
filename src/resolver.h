/* resolver.h: reverse DNS of remote endpoints without blocking the loop.
 *
 * One worker thread runs getnameinfo() for requested addresses, one at a
 * time; results come back through an eventfd that the event loop watches
 * (Resolver_fd), and Resolver_drain, called on the loop's thread, hands the
 * names to the store (Store_setName). Requests are deduplicated and cached,
 * failures included, so an address is looked up at most once.
 */
#ifndef VISNET_RESOLVER_H
#define VISNET_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define RESOLVER_MAX_PENDING 256
#define RESOLVER_MAX_CACHE 8192

typedef struct Resolver_ Resolver;

/* Starts the worker; NULL with a one-line reason in err. */
Resolver* Resolver_new(char* err, size_t errlen);
/* Readable when results are waiting. */
int Resolver_fd(const Resolver* r);
/* Queues addr unless it is cached or pending (never blocks). Returns 1 if
 * queued, 0 if already known or pending, -1 if the queue is full. */
int Resolver_request(Resolver* r, const uint8_t addr[16]);
/* Hands finished lookups to the store; returns how many names were set. */
int Resolver_drain(Resolver* r, Store* s);
/* The cached name of addr, NULL if unknown, pending or failed. */
const char* Resolver_cached(Resolver* r, const uint8_t addr[16], char* buf, size_t len);
/* Stops the worker. A lookup in progress is not waited for: the thread
 * finishes it and frees what is left. */
void Resolver_free(Resolver* r);

#endif
