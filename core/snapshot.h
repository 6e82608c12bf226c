/* snapshot.h: the running system as Events.
 *
 * Processes from /proc (EV_PROC), sockets from sock_diag netlink dumps
 * (EV_SOCK: TCP in every state including LISTEN, UDP; IPv4 and IPv6; with
 * tcp_info byte counts), owners from /proc/PID/fd socket inodes. A socket
 * whose owner cannot be found is emitted with pid 0 and the reason in
 * sock.noowner. Errors are returned to the caller, never printed.
 */
#ifndef VISNET_SNAPSHOT_H
#define VISNET_SNAPSHOT_H

#include <stddef.h>

#include "event.h"

typedef void (*EventSink)(void* ctx, const Event* e);

typedef struct SnapshotStats_ {
   size_t procs;
   size_t socks;
   size_t unowned;
   size_t fd_dirs_denied;  /* /proc/PID/fd we could not read */
} SnapshotStats;

/* Takes one snapshot and feeds every event to sink. Returns 0, or -1 with a
 * one-line reason in errbuf. proc_root is "/proc" except in tests. */
int Snapshot_take(const char* proc_root, EventSink sink, void* ctx,
                  SnapshotStats* stats, char* errbuf, size_t errlen);

#endif
