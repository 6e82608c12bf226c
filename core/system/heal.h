/* heal.h: after events were lost, the TCP sockets the store holds active
 * are checked against the kernel's own list (sock_diag), and those the
 * kernel no longer has are closed, so that the picture heals. */
#ifndef VISNET_HEAL_H
#define VISNET_HEAL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "store.h"

/* Marks the active TCP sockets of network namespace netns as stale, dumps
 * the namespace's sockets (the caller's own namespace: sock_diag reads no
 * other) and unmarks those the kernel still has; for each one left it
 * hands sink an EV_CLOSE at now, flagged EVF_HEALED, with the socket's
 * owner and byte counts. Returns how many, or -1 with err set (nothing is
 * closed then). */
int Heal_tcp(Store* s, uint32_t netns, uint64_t now, EventSink sink, void* ctx, char* err,
             size_t errlen);

#endif
