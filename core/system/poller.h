/* poller.h: live picture without eBPF, from successive snapshots.
 *
 * Each Poller_tick takes a snapshot and compares it with the previous one:
 *  - EV_PROC for a process that is new, or whose comm or command line
 *    changed (exec);
 *  - EV_SOCK for a socket that is new or whose owner, state or byte counts
 *    changed;
 *  - EV_CLOSE for a socket that disappeared, or whose last fd was closed
 *    (its inode became 0: FIN_WAIT, TIME_WAIT; what remains of it is then
 *    not reported again), with tx/rx as last seen and lifetime_ns since it
 *    was first seen;
 *  - EV_EXIT for a process that disappeared, or whose pid now belongs to a
 *    process with another start time; proc.exit_code is -1: polling cannot
 *    know it.
 * The first tick reports everything as new. A failed snapshot reports
 * nothing as gone (the next good tick does). Closes come before exits.
 */
#ifndef VISNET_POLLER_H
#define VISNET_POLLER_H

#include <stddef.h>

#include "snapshot.h"

#define POLL_EXIT_UNKNOWN (-1)

typedef struct Poller_ Poller;

/* Polls /proc; NULL when out of memory. */
Poller* Poller_new(void);
/* Same, with another proc root (tests). The string is copied. */
Poller* Poller_newRoot(const char* proc_root);
void Poller_free(Poller* p);

/* Takes a snapshot and emits the differences. Returns 0, or -1 with a
 * one-line reason in errbuf. */
int Poller_tick(Poller* p, EventSink sink, void* ctx, char* errbuf, size_t errlen);

/* Last snapshot's statistics. */
const SnapshotStats* Poller_stats(const Poller* p);

#endif
