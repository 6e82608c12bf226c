/* visnet_abi.h: the records the kernel probe writes to its ring buffer and
 * the keys/values of the maps user space reads. Shared by visnet.bpf.c and
 * loader.c, so it holds plain __u8/__u16/__u32/__u64 fields only; the
 * loader turns records into core Events. Record types use the numbering of
 * EventType in core/model/event.h (the loader checks this at compile time).
 */
#ifndef VISNET_ABI_H
#define VISNET_ABI_H

#define VN_ABI_COMM 16
#define VN_ABI_PATH 256
#define VN_ABI_ARGS 256
/* Size of the ring buffer: ~0.5 s of a 65 000 connections/s load. */
#define VN_RINGBUF_BYTES (16 << 20)

enum vn_rec_type {
   VN_EV_EXEC = 1,
   VN_EV_FORK = 2,
   VN_EV_EXIT = 3,
   VN_EV_CONNECT = 5,
   VN_EV_CONNECTED = 6,
   VN_EV_CONNECT_FAIL = 7,
   VN_EV_ACCEPT = 8,
   VN_EV_LISTEN = 9,
   VN_EV_STATE = 10,
   VN_EV_CLOSE = 11,
   VN_EV_BYTES = 12,
   VN_EV_UDP_PEER = 13,
   VN_EV_OWNER = 15, /* another process uses the socket; count: the previous owner's pid */
};

#define VN_F_TRUNC_ARGS 0x1
#define VN_F_THREAD 0x2
/* Record-only flags: one record stands for several events, saving ring
 * buffer traffic on the hot path; the loader expands them in order. */
#define VN_F_WITH_CONNECT 0x100   /* EV_CONNECT (state SYN_SENT), at ts - lifetime_ns */
#define VN_F_WITH_FAIL 0x200      /* EV_CONNECT_FAIL (err) comes before EV_CLOSE */
#define VN_F_WITH_CONNECTED 0x400 /* EV_CONNECTED, at open_ts */
#define VN_F_WITH_ACCEPT 0x800    /* EV_ACCEPT, at open_ts */
#define VN_F_RECORD_ONLY                                                                           \
   (VN_F_WITH_CONNECT | VN_F_WITH_FAIL | VN_F_WITH_CONNECTED | VN_F_WITH_ACCEPT)

enum vn_dir { VN_DIR_UNKNOWN = 0, VN_DIR_OUT = 1, VN_DIR_IN = 2, VN_DIR_LISTEN = 3 };

struct vn_hdr {
   __u16 type;
   __u16 flags;
   __u32 pid; /* thread group id */
   __u32 tid;
   __u32 pad;
   __u64 ts;     /* bpf_ktime_get_boot_ns */
   __u64 pstart; /* group leader's start_boottime */
};

struct vn_proc_rec {
   struct vn_hdr h;
   __u32 ppid;
   __u32 uid;
   __u32 child_pid;
   __s32 exit_code;
   __u64 child_start;
   __u64 cgroup;
   __u16 args_len;
   __u16 pad[3];
   char comm[VN_ABI_COMM];
   char filename[VN_ABI_PATH];
   char args[VN_ABI_ARGS];
};

struct vn_sock_rec {
   struct vn_hdr h;
   __u64 sk;
   __u64 cgroup;
   __u64 tx, rx;
   __u64 lifetime_ns;
   __u64 open_ts; /* VN_F_WITH_CONNECTED / VN_F_WITH_ACCEPT: when it happened */
   __u32 netns;
   __u32 count;
   __s32 err;
   __u16 lport, rport; /* host byte order */
   __u8 proto;
   __u8 family;
   __u8 dir;
   __u8 state;
   __u8 oldstate;
   __u8 pad[3];
   __u32 rtt_us;   /* TCP: smoothed round-trip time (bytes, state, close) */
   __u32 retrans;  /* TCP: segments retransmitted so far */
   __u8 laddr[16]; /* IPv4 is v4-mapped */
   __u8 raddr[16];
};

/* Owner of a TCP socket, keyed by the kernel sock address. Recorded where
 * the owner is known (connect, accept, listen), read where it is not
 * (softirq state changes). One cache line: the state-change program reads
 * it on every change, so the byte counts the flush keeps live apart
 * (vn_sk_bytes). */
struct vn_sk_owner {
   __u64 sk; /* whose owner this is, written last; 0: free or being written */
   __u32 pid;
   __u32 tid;
   __u64 pstart;
   __u64 cgroup;
   __u64 first_ts; /* connect() or accept() */
   __u64 open_ts;  /* established (outbound) or accepted; 0 before */
   __u32 netns;
   __u32 rep_level; /* VN_REP_*: how much of the opening user space has */
   __u8 dir;
   __u8 rep_state; /* TCP state last reported */
   __u8 pad[6];
};

/* Byte counts of an owned socket, beside its owner. */
struct vn_sk_bytes {
   __u64 sk;             /* whose counts these are: a new owner starts from 0 */
   __u64 tx, rx;         /* live bytes (bytes_trace mode only) */
   __u64 rep_tx, rep_rx; /* last reported in EV_BYTES */
   __u32 rep_retrans;    /* ... and the retransmissions then: more makes one too */
   __u32 pad;
};

/* The opening of a socket (connect, connected, accept) is not written when
 * it happens but by the next flush, or with the close if that comes first:
 * a short connection then costs two records, not four. Whoever moves
 * rep_level first (atomically) writes it. */
enum vn_rep_level {
   VN_REP_NONE = 0,      /* nothing reported yet */
   VN_REP_CONNECT = 1,   /* the connect (SYN_SENT) or the accept */
   VN_REP_CONNECTED = 2, /* the connect and its success */
   VN_REP_CLOSED = 3,    /* the close took what was left */
};

/* UDP traffic aggregated per owner and peer. */
struct vn_udp_key {
   __u32 pid;
   __u32 netns;
   __u16 lport, rport;
   __u8 family;
   __u8 pad[3];
   __u8 laddr[16];
   __u8 raddr[16];
};

struct vn_udp_val {
   __u64 count;    /* datagrams, both directions */
   __u64 reported; /* count at the last EV_UDP_PEER */
   __u64 tx, rx;   /* bytes */
   __u64 first_ts, last_ts;
   __u64 pstart;
   __u64 cgroup;
   __u64 sk;
   __u32 tid;
   __u8 dir; /* VN_DIR_OUT if we sent first */
   __u8 pad[3];
};

/* The holder of a socket older than the probe, told by user space from
 * /proc (socket:[ino]) and keyed by the socket's inode: the first event
 * of that socket takes it as its owner. */
struct vn_seed {
   __u32 pid;
   __u32 dir;
   __u64 pstart;
   __u64 cgroup;
};

/* Index of the per-CPU counters array. */
enum vn_counter {
   VN_CNT_LOST = 0,    /* failed ringbuf reservations */
   VN_CNT_MAPFULL = 1, /* owner map insert failures */
   VN_CNT_UDPFULL = 2, /* udp_peers insert failures */
   VN_CNT_CALLSFULL = 3, /* syscalls in flight the task storage could not keep */
   VN_CNT__COUNT = 4,
};

#endif
