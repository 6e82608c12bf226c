/* filter.h: the one filter language of the TUI's filter, --filter, --once
 * and --json.
 *
 *   nginx port:443 !state:listen ip:10.0.0.0/8,fd00::/8
 *
 * A space means AND, a comma inside a term OR, a leading ! NOT. A free word
 * matches names and addresses as a substring (a process's name, command
 * line or pid; a socket's ports, state, protocol and addresses; a remote's
 * name). Field terms:
 *   port:N|NAME   either end's port (a service name from /etc/services)
 *   lport: rport: the local / the remote port
 *   pid:N         the process
 *   proc:GLOB     the process's name (fnmatch, case-insensitive)
 *   user:NAME|UID the process's user
 *   state:S       listen, syn, estab, closing, closed, active, or a TCP
 *                 state's own name (time-wait, close-wait, syn-sent, ...)
 *   proto:tcp|udp
 *   ip:ADDR[/LEN] the remote address (a listener's: its local one), exact
 *                 or a CIDR, IPv4 or IPv6
 *   netns:INODE   the socket's network namespace
 *   unit:GLOB     the process's systemd unit or container scope
 *   host:GLOB     the host (a fleet's, by the name it was given: --remote)
 *
 * A filter is asked about a process, a remote (with its process, if any)
 * and a socket. Process and remote questions may have no answer yet (the
 * filter names a port: only sockets decide): FILTER_MAYBE. A socket's
 * answer is always yes or no, its process and remote taken into account. */
#ifndef VISNET_FILTER_H
#define VISNET_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct Filter_ Filter;

typedef enum FilterAnswer_ { FILTER_NO = 0, FILTER_YES = 1, FILTER_MAYBE = 2 } FilterAnswer;

/* The unit of a cgroup id, or NULL (see core/system/cgroups.h). */
typedef const char* (*FilterUnitFn)(void* ctx, uint64_t cgroup);

/* Parses text. NULL with err[0] == '\0' for an empty filter; NULL with a
 * one-line reason naming the term in err for a bad one ("'port:x': not a
 * port number or service name"). */
Filter* Filter_parse(const char* text, char* err, size_t errlen);
void Filter_free(Filter* f);
/* Where unit: finds units (without it, unit: matches nothing). */
void Filter_setUnits(Filter* f, FilterUnitFn fn, void* ctx);

/* The host whose items the next questions are about (NULL: none, as
 * outside a fleet, where host: matches nothing); the name is not copied. */
void Filter_setHost(Filter* f, const char* host);

/* Does a term ask for sockets by state (state:)? Then nothing that a state
 * would pick out is grouped away (the orphans' TIME_WAIT). */
bool Filter_namesState(const Filter* f);

FilterAnswer Filter_proc(const Filter* f, const Proc* p);
/* A remote, seen from process p (NULL: the remote alone, by-remote view). */
FilterAnswer Filter_remote(const Filter* f, const Proc* p, const Endpoint* ep);
bool Filter_sock(const Filter* f, const Sock* k);

#endif
