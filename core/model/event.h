/* event.h: the one fact model of visnet.
 *
 * Every source (the eBPF probe, the /proc + sock_diag snapshot, a replayed
 * event log) produces Events; the Store consumes them. The struct is plain
 * fixed-size data so that it can be copied, logged and replayed as is.
 */
#ifndef VISNET_EVENT_H
#define VISNET_EVENT_H

#include <stdint.h>
#include <stddef.h>

#define VN_COMM_LEN 16
#define VN_PATH_LEN 256
#define VN_ARGS_LEN 256

typedef enum EventType_ {
   EV_NONE = 0,
   EV_EXEC,         /* a process image was exec'd (proc payload) */
   EV_FORK,         /* pid forked proc.child_pid (proc payload) */
   EV_EXIT,         /* thread group exited with proc.exit_code */
   EV_PROC,         /* snapshot: a process already running (proc payload) */
   EV_CONNECT,      /* TCP connect() attempt, or UDP connect() */
   EV_CONNECTED,    /* TCP connect succeeded (ESTABLISHED) */
   EV_CONNECT_FAIL, /* TCP connect failed; sock.err is a positive errno */
   EV_ACCEPT,       /* accept() returned this socket to pid */
   EV_LISTEN,       /* socket entered LISTEN */
   EV_STATE,        /* TCP state change sock.oldstate -> sock.state */
   EV_CLOSE,        /* socket closed; sock.lifetime_ns, sock.tx/rx totals */
   EV_BYTES,        /* cumulative byte counts of an open socket (tx/rx) */
   EV_UDP_PEER,     /* UDP traffic with a peer; sock.count datagrams so far */
   EV_SOCK,         /* snapshot: a socket already open (state, tx/rx) */
   EV_OWNER,        /* another process uses the socket (a forked child, the
                       receiver of a passed fd): pid is the new owner,
                       sock.count the previous one (0: none known) */
   EV__COUNT
} EventType;

typedef enum SockDir_ {
   DIR_UNKNOWN = 0,
   DIR_OUT = 1,    /* we connected */
   DIR_IN = 2,     /* we accepted */
   DIR_LISTEN = 3, /* listening socket */
} SockDir;

/* Why a socket has no owning process (Event.pid == 0). */
typedef enum NoOwner_ {
   NOOWN_NONE = 0,   /* it has an owner */
   NOOWN_PERM = 1,   /* owner's /proc/PID/fd not readable (another user) */
   NOOWN_NETNS = 2,  /* socket is in a network namespace we cannot map */
   NOOWN_ORPHAN = 3, /* no process holds it (TIME_WAIT, closed fd) */
} NoOwner;

/* Linux TCP states, numbered as the kernel does (include/net/tcp_states.h). */
enum {
   TCPS_ESTABLISHED = 1, TCPS_SYN_SENT, TCPS_SYN_RECV, TCPS_FIN_WAIT1,
   TCPS_FIN_WAIT2, TCPS_TIME_WAIT, TCPS_CLOSE, TCPS_CLOSE_WAIT,
   TCPS_LAST_ACK, TCPS_LISTEN, TCPS_CLOSING, TCPS_NEW_SYN_RECV,
   TCPS__COUNT
};

/* Event.flags */
#define EVF_TRUNC_ARGS 0x1 /* proc.args was cut at VN_ARGS_LEN */
#define EVF_THREAD 0x2     /* connect came from a thread other than the leader */
#define EVF_HEALED 0x4     /* a close inferred after a loss: the kernel no longer has the socket */

typedef struct ProcEvent_ {
   uint32_t ppid;
   uint32_t uid;
   uint32_t child_pid;     /* EV_FORK */
   int32_t exit_code;      /* EV_EXIT: wait status style (code << 8 | sig) */
   uint64_t child_start;   /* EV_FORK: child's start, ns since boot */
   uint64_t cgroup;        /* cgroup id (inode of its cgroup v2 dir) */
   uint16_t args_len;      /* bytes used in args, NUL-separated argv */
   char comm[VN_COMM_LEN];
   char filename[VN_PATH_LEN]; /* exe path */
   char args[VN_ARGS_LEN];     /* argv joined by NUL */
} ProcEvent;

/* Addresses are 16 bytes; IPv4 is stored v4-mapped (::ffff:a.b.c.d) so that
 * a v4 peer reached over a dual-stack socket is the same endpoint. */
typedef struct SockEvent_ {
   uint64_t sk;          /* kernel socket identity, 0 when unknown */
   uint64_t ino;         /* socket inode, 0 when unknown */
   uint64_t cgroup;
   uint64_t tx, rx;      /* bytes, cumulative */
   uint64_t lifetime_ns; /* EV_CLOSE */
   uint32_t netns;       /* network namespace inode */
   uint32_t count;       /* EV_UDP_PEER: datagrams seen with this peer;
                            EV_OWNER: the previous owner's pid */
   int32_t err;          /* EV_CONNECT_FAIL: positive errno */
   uint32_t rtt_us;      /* TCP, 0 if unknown: smoothed round-trip time (bytes,
                            state, close, snapshot); not in the event log */
   uint32_t retrans;     /* TCP: segments retransmitted so far (the same) */
   uint16_t lport, rport; /* host byte order */
   uint8_t proto;        /* IPPROTO_TCP or IPPROTO_UDP */
   uint8_t family;       /* AF_INET or AF_INET6: the socket's family */
   uint8_t dir;          /* SockDir */
   uint8_t state;        /* TCPS_* (new state) */
   uint8_t oldstate;
   uint8_t noowner;      /* NoOwner, when pid == 0 */
   uint8_t laddr[16];
   uint8_t raddr[16];
} SockEvent;

typedef struct Event_ {
   uint16_t type;   /* EventType */
   uint16_t flags;  /* EVF_* */
   uint32_t pid;    /* thread group id; 0 = no owner known */
   uint32_t tid;
   uint32_t reserved;
   uint64_t ts;     /* ns since boot (CLOCK_BOOTTIME) */
   uint64_t pstart; /* start time of pid, ns since boot; 0 if unknown */
   union {
      ProcEvent proc;
      SockEvent sock;
   };
} Event;

/* Where a source (the probe, a snapshot, the poller, a replay) hands each
 * Event it produces, in order; the one callback type of visnet. */
typedef void (*EventSink)(void* ctx, const Event* e);

const char* Event_typeName(EventType t);
/* Parses a name from Event_typeName; EV_NONE if unknown. */
EventType Event_typeFromName(const char* name);
const char* Event_tcpStateName(int state);
const char* Event_dirName(int dir);
const char* Event_noOwnerName(int why);
int Event_isSock(const Event* e);

/* Address helpers. */
void Addr_fromV4(uint8_t out[16], uint32_t be_addr);
int Addr_isV4(const uint8_t a[16]);
int Addr_isZero(const uint8_t a[16]);
/* Writes the address as text (dotted v4 for v4-mapped, RFC 5952 v6). */
const char* Addr_format(const uint8_t a[16], char* buf, size_t len);
/* Parses dotted v4 or v6 text; 0 on success, -1 if not an address. */
int Addr_parse(const char* s, uint8_t out[16]);

/* What the probe's tables could not hold, counted per table: sockets left
 * without an owner (owners), UDP peers not counted (udp_peers), socket
 * calls whose addresses were not kept (calls), sockets older than visnet
 * not handed to the probe (seeds). All 0 without a probe. */
typedef struct MapFull_ {
   uint64_t owners, udp_peers, calls, seeds;
} MapFull;

/* "owners 12, seeds 3": the tables that were full, or "" if none. */
const char* MapFull_format(const MapFull* m, char* buf, size_t len);

#endif
