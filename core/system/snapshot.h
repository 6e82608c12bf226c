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

typedef struct SnapshotStats_ {
   size_t procs;
   size_t socks;
   size_t unowned;
   size_t fd_dirs_denied; /* /proc/PID/fd we could not read */
   size_t netns;          /* network namespaces dumped, ours included */
   size_t netns_failed;   /* other namespaces we could not enter */
   size_t procs_unread;   /* processes we ran out of something to read */
   int unread_errno;      /* ... what: EMFILE, ENFILE or ENOMEM */
} SnapshotStats;

/* Takes one snapshot and feeds every event to sink: first one EV_PROC per
 * process, then one EV_SOCK per socket (sk = 0: the store matches sockets by
 * 5-tuple). Returns 0, or -1 with a one-line reason in errbuf. proc_root is
 * "/proc" except in tests; with another root, cgroups are resolved under
 * <proc_root>/../sys/fs/cgroup and other network namespaces are not
 * entered. stats may be NULL.
 *
 * Owners: a socket held by several processes (inherited over fork) is given
 * to the lowest pid. Sockets of other network namespaces are dumped (root
 * only) by a short-lived child per namespace that enters it with setns();
 * namespaces are found through the processes in them (/proc/PID/ns/net), so
 * one no process is in is not listed. Without root, only our own namespace
 * is seen, and other users' sockets have pid 0 and noowner NOOWN_PERM.
 * Direction: LISTEN and unconnected UDP sockets are DIR_LISTEN; a socket
 * whose local port is listening in its namespace is DIR_IN; without such a
 * listener, an ephemeral local port (ip_local_port_range) facing a fixed
 * remote port is DIR_OUT and the reverse DIR_IN; otherwise DIR_OUT.
 * tx/rx are payload bytes from tcp_info's bytes_acked / bytes_received
 * (bytes_acked less the SYN of an active open, DIR_OUT, and less our FIN
 * once acked, FIN_WAIT2), as the probe counts them; 0 for UDP.
 * Runs the sock_diag dump and the /proc scan on two threads. */
int Snapshot_take(const char* proc_root, EventSink sink, void* ctx, SnapshotStats* stats,
                  char* errbuf, size_t errlen);

#endif
