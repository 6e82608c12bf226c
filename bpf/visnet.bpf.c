// SPDX-License-Identifier: GPL-2.0
/* visnet.bpf.c: the kernel probe, on tracepoints only (inet_sock_set_state
 * as a raw tracepoint, the others classic).
 *
 * Over 800 lines on purpose: one BPF object, whose programs share maps and
 * always-inline helpers; libbpf's skeleton is made per object, and a
 * program split into another object could not share the owner table.
 *
 * Processes: exec, fork (task_newtask, which carries the clone flags, so
 * threads are skipped), exit of the whole thread group.
 * TCP: the owner of a socket is recorded in `owners` where the owning task
 * is current (CLOSE->SYN_SENT and LISTEN in the caller's context, accept()
 * on its way out) and only looked up elsewhere: state changes may run in
 * softirq or in another task (on loopback the server's handshake runs in
 * the client's context), so they never use the current task.
 * Holders: a process that sends, receives or closes on a TCP socket runs
 * in its own context; if it is not the recorded owner (a forked child, the
 * receiver of a passed fd), the socket moves to it (VN_EV_OWNER). A socket
 * older than the probe takes the holder user space found in /proc (`seeds`,
 * by inode) at its first event.
 * Aggregates: UDP peers are counted in `udp_peers`; user space asks for
 * what changed by calling getppid(), which runs `vn_flush` in visnet's own
 * context: it reports UDP peers, TCP byte counts read from tcp_sock and TCP
 * states that lasted until then, at no per-packet cost.
 * Only what matters reaches the ring buffer: a short TCP connection costs
 * two records, its two closes, each standing for the opening events the
 * flush has not written yet (connect and connected, or accept).
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "visnet_abi.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define CLONE_THREAD 0x00010000
#define PF_KTHREAD 0x00200000
#define SHUTDOWN_MASK 3
#define EINPROGRESS 115
#define EALREADY 114
#define EISCONN 106
#define ECONNABORTED 103

enum {
   TCP_ESTABLISHED = 1,
   TCP_SYN_SENT,
   TCP_SYN_RECV,
   TCP_FIN_WAIT1,
   TCP_FIN_WAIT2,
   TCP_TIME_WAIT,
   TCP_CLOSE,
   TCP_CLOSE_WAIT,
   TCP_LAST_ACK,
   TCP_LISTEN,
   TCP_CLOSING,
   TCP_NEW_SYN_RECV,
};

/* Set by the loader before load. */
const volatile __u32 self_pid = 0;
/* 1: count live TCP bytes on every send/recv (sock_*_length); 0: read the
 * totals from tcp_sock when user space polls. */
const volatile __u32 bytes_trace = 0;
/* 1: an EV_STATE record for every state change; 0: intermediate states
 * (FIN_WAIT1, CLOSE_WAIT ...) are reported by the flush when they last
 * until it, so a short connection costs connect, connected, accept and the
 * two closes only. */
const volatile __u32 states_all = 0;
/* User space drains the ring buffer on a short timer and is woken only
 * when this much waits (the loader sets half the ring): a wakeup costs an
 * irq_work, in a VM an IPI, and a context switch, more than the record.
 * 0: every record wakes it. */
const volatile __u32 wakeup_bytes = 0;

char LICENSE[] SEC("license") = "GPL";

/* One ring buffer per CPU (the loader sizes the array and creates the
 * rings): a shared ring's lock and positions crossed between the CPUs on
 * every record. User space merges the rings in timestamp order. */
struct ring {
   __uint(type, BPF_MAP_TYPE_RINGBUF);
   __uint(max_entries, 1 << 20);
};

struct {
   __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
   __uint(max_entries, 1);
   __type(key, __u32);
   __array(values, struct ring);
} rings SEC(".maps");

struct {
   __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
   __uint(max_entries, VN_CNT__COUNT);
   __type(key, __u32);
   __type(value, __u64);
} counters SEC(".maps");

/* Owners of TCP sockets, in a table: the sock address hashes to a bucket
 * of OWN_WAYS keys (one cache line), the key's place to its owner (one
 * line more). A lookup is a few inlined loads, an insert one compare-and-
 * swap; a hash map took a bucket lock and a free-list lock on each insert
 * and delete, a third of the state-change program's time. Both arrays are
 * mmapable for their page-aligned values: otherwise each 64-byte value
 * straddles two cache lines. 16 384 buckets (9 MiB in all) hold 20 000
 * sockets with room to spare; a socket whose bucket is full is counted as
 * VN_CNT_MAPFULL and goes without owner. */
#define OWN_BUCKETS 16384
#define OWN_WAYS 8

struct own_bucket {
   __u64 sk[OWN_WAYS]; /* 0: free */
};

struct {
   __uint(type, BPF_MAP_TYPE_ARRAY);
   __uint(max_entries, OWN_BUCKETS);
   __uint(map_flags, BPF_F_MMAPABLE);
   __type(key, __u32);
   __type(value, struct own_bucket);
} own_keys SEC(".maps");

struct {
   __uint(type, BPF_MAP_TYPE_ARRAY);
   __uint(max_entries, OWN_BUCKETS* OWN_WAYS);
   __uint(map_flags, BPF_F_MMAPABLE);
   __type(key, __u32);
   __type(value, struct vn_sk_owner);
} owners SEC(".maps");

/* Byte counts by place, read by the flush only (and in bytes_trace mode
 * by every send and receive). */
struct {
   __uint(type, BPF_MAP_TYPE_ARRAY);
   __uint(max_entries, OWN_BUCKETS* OWN_WAYS);
   __type(key, __u32);
   __type(value, struct vn_sk_bytes);
} own_bytes SEC(".maps");

static __always_inline void count(__u32 idx);

/* An owner entry's key store, ordered with the stores around it: x86
 * keeps the order of plain stores (the compiler must too), where a locked
 * one waited for its line; other CPUs need the ordered exchange. */
#ifdef __TARGET_ARCH_x86
#define ORDERED_STORE(p, v)                                                                        \
   do {                                                                                            \
      asm volatile("" ::: "memory");                                                               \
      *(p) = (v);                                                                                  \
      asm volatile("" ::: "memory");                                                               \
   } while (0)
#else
#define ORDERED_STORE(p, v) __sync_lock_test_and_set((p), (v))
#endif

/* Buckets in use, a power of two up to OWN_BUCKETS (the loader may set
 * fewer, for tests of a full table). */
const volatile __u32 own_buckets = OWN_BUCKETS;

static __always_inline struct own_bucket* own_bucket_of(__u64 sk, __u32* b) {
   *b = (__u32)(((sk >> 6) * 0x9E3779B97F4A7C15ull) >> 40) & (own_buckets - 1);
   return bpf_map_lookup_elem(&own_keys, b);
}

/* The owner of sk and its place, if recorded. */
static __always_inline struct vn_sk_owner* owner_of(__u64 sk, __u32* place) {
   __u32 b;
   struct own_bucket* k = own_bucket_of(sk, &b);
   if (!k)
      return 0;
   for (int w = 0; w < OWN_WAYS; w++) {
      if (k->sk[w] != sk)
         continue;
      *place = b * OWN_WAYS + w;
      struct vn_sk_owner* o = bpf_map_lookup_elem(&owners, place);
      return o && o->sk == sk ? o : 0;
   }
   return 0;
}

/* Takes a place for sk (or the one a missed close left to it) and writes
 * the owner, its key last: a reader (a flush, a state change on another
 * CPU) takes it for sk's only once written. */
static __always_inline bool owner_add(__u64 sk, const struct vn_sk_owner* o) {
   __u32 b;
   struct own_bucket* k = own_bucket_of(sk, &b);
   if (!k)
      return false;
   int way = -1;
   for (int w = 0; w < OWN_WAYS && way < 0; w++)
      if (k->sk[w] == sk)
         way = w;
   for (int w = 0; w < OWN_WAYS && way < 0; w++)
      if (k->sk[w] == 0 && __sync_val_compare_and_swap(&k->sk[w], 0, sk) == 0)
         way = w;
   __u32 place = b * OWN_WAYS + (way < 0 ? 0 : way);
   struct vn_sk_owner* s = bpf_map_lookup_elem(&owners, &place);
   if (way < 0 || !s) {
      count(VN_CNT_MAPFULL);
      return false;
   }
   ORDERED_STORE(&s->sk, 0);
   __builtin_memcpy((void*)s + 8, (const void*)o + 8, sizeof(*o) - 8);
   if (bytes_trace) {
      struct vn_sk_bytes* c = bpf_map_lookup_elem(&own_bytes, &place);
      if (c) {
         __builtin_memset(c, 0, sizeof(*c));
         c->sk = sk;
      }
   }
   ORDERED_STORE(&s->sk, sk);
   return true;
}

static __always_inline void owner_del(struct vn_sk_owner* o, __u32 place) {
   __u32 b = place / OWN_WAYS;
   ORDERED_STORE(&o->sk, 0); /* before the key frees the place for another socket */
   struct own_bucket* k = bpf_map_lookup_elem(&own_keys, &b);
   if (k)
      ORDERED_STORE(&k->sk[place % OWN_WAYS], 0);
}

/* Holders of sockets older than the probe, by inode (user space fills it
 * from its start-up snapshot); an entry goes once its socket took it. */
struct {
   __uint(type, BPF_MAP_TYPE_HASH);
   __uint(max_entries, 65536);
   __uint(map_flags, BPF_F_NO_PREALLOC);
   __type(key, __u64);
   __type(value, struct vn_seed);
} seeds SEC(".maps");

/* The last socket a send or receive on this CPU was checked for, and by
 * whom: a bulk transfer checks its owner once, not on every write. */
struct last_use {
   __u64 sk;
   __u32 pid;
   __u32 pad;
};

struct {
   __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
   __uint(max_entries, 1);
   __type(key, __u32);
   __type(value, struct last_use);
} last_use SEC(".maps");

struct {
   __uint(type, BPF_MAP_TYPE_LRU_HASH);
   __uint(max_entries, 16384);
   __type(key, struct vn_udp_key);
   __type(value, struct vn_udp_val);
} udp_peers SEC(".maps");

/* OP_SENDMM/OP_RECVMM: uaddr is the struct mmsghdr vector */
enum { OP_CONNECT = 1, OP_SEND = 2, OP_RECV = 3, OP_SENDMM = 4, OP_RECVMM = 5 };

/* A socket syscall in flight, from sys_enter to sys_exit: kept in the
 * thread's own storage, which costs a pointer walk where a hash keyed by
 * thread id cost an insert and a delete per call. op 0: none. */
struct pending {
   __u64 uaddr; /* user sockaddr (connect, sendto/recvfrom, msg_name) */
   __u64 sk;    /* the UDP socket, once sock_*_length saw it in this call */
   __u32 fd;
   __u16 op;
   __u16 sent_syn; /* this connect() put a TCP socket in SYN_SENT */
};

struct {
   __uint(type, BPF_MAP_TYPE_TASK_STORAGE);
   __uint(map_flags, BPF_F_NO_PREALLOC);
   __type(key, int);
   __type(value, struct pending);
} pendings SEC(".maps");

static __always_inline struct pending* pending_of_current(__u64 flags) {
   return bpf_task_storage_get(&pendings, bpf_get_current_task_btf(), 0, flags);
}

/* The classic tracepoints' records are the kernel's own types
 * (vmlinux_min.h: syscall_trace_enter/exit, trace_event_raw_*), relocated
 * by CO-RE like any kernel struct (through the struct's own name: a
 * typedef of ours would not be found in the kernel's BTF). */

/* inet_sock_set_state as a raw tracepoint: (sk, oldstate, newstate). The
 * classic form's perf glue fills a buffer with both address pairs on every
 * call, six calls per connection, before the program even looks. */
struct raw_set_state {
   __u64 sk;
   __u64 oldstate;
   __u64 newstate;
};

/* sock_send_length and sock_recv_length as raw tracepoints: (sk, ret,
 * flags). They fire on every send and receive of the system, each
 * message of a sendmmsg and io_uring's included; the classic form's glue
 * cost more than the program. */
struct raw_sock_len {
   __u64 sk;
   __u64 ret;
   __u64 flags;
};

/* The head of a sockaddr_in or sockaddr_in6 (sin6_flowinfo in place of
 * sin_addr); sin6_addr follows at offset 8. */
struct sockaddr_head {
   __u16 family;
   __be16 port;
   __be32 v4;
};

static __always_inline void count(__u32 idx) {
   __u64* c = bpf_map_lookup_elem(&counters, &idx);
   if (c)
      *c += 1;
}

static __always_inline void* this_ring(void) {
   __u32 cpu = bpf_get_smp_processor_id();
   return bpf_map_lookup_elem(&rings, &cpu);
}

/* Records take their timestamp after the reservation (sock_rec,
 * proc_hdr): user space relies on it to merge the rings in order. */
static __always_inline void* reserve(__u64 size) {
   void* rb = this_ring();
   void* r = rb ? bpf_ringbuf_reserve(rb, size, 0) : 0;
   if (!r)
      count(VN_CNT_LOST);
   return r;
}

#define RESERVE(type) ((type*)reserve(sizeof(type)))

/* Programs run with migration disabled: the ring is the reserving one. */
static __always_inline void submit(void* r) {
   __u64 flags = 0;
   void* rb;
   if (wakeup_bytes && (rb = this_ring()))
      flags = bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
                                                                       : BPF_RB_NO_WAKEUP;
   bpf_ringbuf_submit(r, flags);
}

static __always_inline void map4(__u8* out, __be32 a) {
   __builtin_memset(out, 0, 10);
   out[10] = 0xff;
   out[11] = 0xff;
   __builtin_memcpy(out + 12, &a, 4);
}

static __always_inline __u64 leader_start(struct task_struct* t) {
   return BPF_CORE_READ(t, group_leader, start_boottime);
}

/* KR(type, p, field): a field of the kernel object at p. Through
 * bpf_rdonly_cast (Linux 6.2) the verifier knows p's type and the field is
 * a plain load, fault-safe, where each bpf_probe_read_kernel cost a helper
 * call and ~35 ns (a short connection took 14); the verifier turns the cast
 * into a register move. The loader falls back to an object built with
 * VN_NO_KFUNC, which reads, on kernels without it. */
#ifndef VN_NO_KFUNC
extern void* bpf_rdonly_cast(const void* obj, __u32 btf_id) __ksym;
#define AS_KERNEL(type, p) ((type*)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))
#define KR(type, p, field) (AS_KERNEL(type, p)->field)
#define KR_INTO(dst, type, p, field)                                                               \
   __builtin_memcpy((dst), &AS_KERNEL(type, p)->field, sizeof(*(dst)))
#else
#define KR(type, p, field) BPF_CORE_READ((type*)(p), field)
#define KR_INTO(dst, type, p, field) BPF_CORE_READ_INTO((dst), (type*)(p), field)
#endif
#define SKC(sk, field) KR(struct sock, sk, __sk_common.field)

static __always_inline __u32 sk_netns(struct sock* sk) {
   struct net* net = SKC(sk, skc_net.net);
   return KR(struct net, net, ns.inum);
}

/* The owner record of the current task. */
static __always_inline void owner_current(struct vn_sk_owner* o, __u8 dir) {
   /* the BTF task pointer reads fields directly, without a helper call */
   struct task_struct* t = bpf_get_current_task_btf();
   __u64 id = bpf_get_current_pid_tgid();
   __builtin_memset(o, 0, sizeof(*o));
   o->pid = id >> 32;
   o->tid = (__u32)id;
   o->pstart = t->group_leader->start_boottime;
   o->cgroup = bpf_get_current_cgroup_id();
   o->first_ts = bpf_ktime_get_boot_ns();
   o->dir = dir;
}

/* A socket record stamped now, with its owner's fields if any. */
static __always_inline void fill_rec(struct vn_sock_rec* r, const struct vn_sk_owner* o, __u64 sk) {
   __builtin_memset(r, 0, sizeof(*r));
   r->h.ts = bpf_ktime_get_boot_ns();
   r->sk = sk;
   r->proto = IPPROTO_TCP;
   if (o) {
      r->h.pid = o->pid;
      r->h.tid = o->tid;
      r->h.pstart = o->pstart;
      r->h.flags = o->pid != o->tid ? VN_F_THREAD : 0;
      r->cgroup = o->cgroup;
      r->dir = o->dir;
      r->netns = o->netns;
   }
}

static __always_inline struct vn_sock_rec* sock_rec(__u16 type, const struct vn_sk_owner* o,
                                                    __u64 sk) {
   struct vn_sock_rec* r = RESERVE(struct vn_sock_rec);
   if (!r)
      return 0;
   fill_rec(r, o, sk);
   r->h.type = type;
   return r;
}

/* The 4-tuple as the socket has it now; returns its state. On its way to
 * CLOSE the local port is already released (skc_num is 0): it then comes
 * from inet_sport. */
static __always_inline __u8 sk_tuple(struct sock* sk, struct vn_sock_rec* r) {
   r->family = SKC(sk, skc_family);
   r->lport = SKC(sk, skc_num);
   if (!r->lport)
      r->lport = bpf_ntohs(KR(struct inet_sock, sk, inet_sport));
   r->rport = bpf_ntohs(SKC(sk, skc_dport));
   if (r->family == AF_INET) {
      map4(r->laddr, SKC(sk, skc_rcv_saddr));
      map4(r->raddr, SKC(sk, skc_daddr));
   } else {
      KR_INTO(&r->laddr, struct sock, sk, __sk_common.skc_v6_rcv_saddr);
      KR_INTO(&r->raddr, struct sock, sk, __sk_common.skc_v6_daddr);
   }
   return SKC(sk, skc_state);
}


static __always_inline bool sk_is_tcp(struct sock* sk) {
   return KR(struct sock, sk, sk_protocol) == IPPROTO_TCP;
}

/* The sock behind a socket fd of the current task, any family. */
static __always_inline struct sock* fd_sock_any(__u32 fd) {
   struct task_struct* t = bpf_get_current_task_btf();
   struct fdtable* fdt = t->files->fdt;
   if (!fdt || fd >= fdt->max_fds)
      return 0;
   struct file** arr = fdt->fd;
   struct file* f = 0;
   bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
   if (!f)
      return 0;
   struct socket* so = KR(struct file, f, private_data);
   struct sock* sk = 0;
   /* read, not loaded: a loaded pointer stays typed for the verifier,
    * which then refuses the address arithmetic of the owner table */
   if (so)
      bpf_probe_read_kernel(&sk, sizeof(sk), (void*)so + bpf_core_field_offset(struct socket, sk));
   return sk;
}

/* The sock behind an fd, if an IPv4 or IPv6 one. */
static __always_inline struct sock* fd_sock(__u32 fd) {
   struct sock* sk = fd_sock_any(fd);
   if (!sk)
      return 0;
   __u16 fam = SKC(sk, skc_family);
   if (fam != AF_INET && fam != AF_INET6)
      return 0;
   return sk;
}

static __always_inline bool is_self(void) {
   return (bpf_get_current_pid_tgid() >> 32) == self_pid;
}

/* ---- processes ---- */

static __always_inline void proc_hdr(struct vn_proc_rec* r, __u16 type, struct task_struct* t) {
   __u64 id = bpf_get_current_pid_tgid();
   r->h.type = type;
   r->h.flags = 0;
   r->h.pid = id >> 32;
   r->h.tid = (__u32)id;
   r->h.pad = 0;
   r->h.ts = bpf_ktime_get_boot_ns();
   r->h.pstart = leader_start(t);
   r->ppid = BPF_CORE_READ(t, real_parent, tgid);
   r->uid = (__u32)bpf_get_current_uid_gid();
   r->child_pid = 0;
   r->exit_code = 0;
   r->child_start = 0;
   r->cgroup = bpf_get_current_cgroup_id();
   r->args_len = 0;
   r->pad[0] = r->pad[1] = r->pad[2] = 0;
   r->filename[0] = 0;
   bpf_get_current_comm(r->comm, sizeof(r->comm));
}

SEC("tracepoint/sched/sched_process_exec")
int vn_exec(struct trace_event_raw_sched_process_exec* ctx) {
   if (is_self())
      return 0;
   struct task_struct* t = (void*)bpf_get_current_task();
   struct vn_proc_rec* r = RESERVE(struct vn_proc_rec);
   if (!r)
      return 0;
   proc_hdr(r, VN_EV_EXEC, t);
   bpf_probe_read_kernel_str(r->filename, sizeof(r->filename),
                             (void*)ctx + (ctx->__data_loc_filename & 0xffff));
   unsigned long start = BPF_CORE_READ(t, mm, arg_start);
   unsigned long end = BPF_CORE_READ(t, mm, arg_end);
   __u64 len = end > start ? end - start : 0;
   if (len > VN_ABI_ARGS) {
      len = VN_ABI_ARGS;
      r->h.flags |= VN_F_TRUNC_ARGS;
   }
   if (len > 0 && bpf_probe_read_user(r->args, len, (void*)start) == 0)
      r->args_len = len;
   submit(r);
   return 0;
}

SEC("tracepoint/task/task_newtask")
int vn_fork(struct trace_event_raw_task_newtask* ctx) {
   if ((ctx->clone_flags & CLONE_THREAD) || is_self())
      return 0;
   struct task_struct* t = (void*)bpf_get_current_task();
   struct vn_proc_rec* r = RESERVE(struct vn_proc_rec);
   if (!r)
      return 0;
   proc_hdr(r, VN_EV_FORK, t);
   r->ppid = r->h.pid;
   r->child_pid = ctx->pid;
   /* copy_process set the child's start_boottime microseconds ago */
   r->child_start = bpf_ktime_get_boot_ns();
   submit(r);
   return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int vn_exit(void* ctx) {
   __u64 id = bpf_get_current_pid_tgid();
   bool dead;
   if (bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead))
      dead = BPF_CORE_READ((struct trace_event_raw_sched_process_exit*)ctx, group_dead);
   else
      dead = (id >> 32) == (__u32)id;
   if (!dead || is_self())
      return 0;
   struct task_struct* t = (void*)bpf_get_current_task();
   struct vn_proc_rec* r = RESERVE(struct vn_proc_rec);
   if (!r)
      return 0;
   proc_hdr(r, VN_EV_EXIT, t);
   r->exit_code = BPF_CORE_READ(t, exit_code);
   submit(r);
   return 0;
}

/* ---- TCP ---- */

#define SOCK_DONE 1 /* enum sock_flags: a FIN was received */

/* Payload bytes acknowledged by the peer and received from it. The kernel's
 * bytes_acked and bytes_received also count a FIN: bytes_acked is capped by
 * the payload sent once (bytes_sent counts payload only, retransmits
 * included), and the FIN is taken off bytes_received once seen. */
static __always_inline void tcp_bytes(struct sock* sk, __u64* tx, __u64* rx) {
   __u64 acked = KR(struct tcp_sock, sk, bytes_acked);
   __u64 recv = KR(struct tcp_sock, sk, bytes_received), sent = 0;
   if (acked)
      sent = KR(struct tcp_sock, sk, bytes_sent) - KR(struct tcp_sock, sk, bytes_retrans);
   if (recv && (SKC(sk, skc_flags) & (1UL << SOCK_DONE)))
      recv--;
   *tx = acked < sent ? acked : sent;
   *rx = recv;
}

/* The connection's health: its smoothed RTT and its retransmissions. */
static __always_inline void tcp_health(struct sock* sk, struct vn_sock_rec* r) {
   r->rtt_us = KR(struct tcp_sock, sk, srtt_us) >> 3;
   r->retrans = KR(struct tcp_sock, sk, total_retrans);
}

/* The opening events of an owned socket that user space lacks, written by
 * the flush: the connect (still in SYN_SENT), the connect and its success,
 * or the accept, each stamped when it happened. The close may take them
 * at the same moment on another CPU: whoever moves rep_level writes. */
static __always_inline int report_open(struct vn_sk_owner* o, struct sock* sk) {
   __u32 want = o->dir == VN_DIR_OUT && o->open_ts ? VN_REP_CONNECTED : VN_REP_CONNECT;
   __u32 cur = o->rep_level;
   if (o->dir == VN_DIR_LISTEN || cur >= want)
      return 0;
   struct vn_sock_rec* r = RESERVE(struct vn_sock_rec);
   if (!r)
      return 1; /* ring full: stop, retry on the next flush */
   if (__sync_val_compare_and_swap(&o->rep_level, cur, want) != cur) {
      bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
      return 0;
   }
   fill_rec(r, o, (__u64)sk);
   if (o->dir == VN_DIR_IN) {
      r->h.type = VN_EV_ACCEPT;
      r->h.ts = o->open_ts;
   } else if (want == VN_REP_CONNECTED) {
      r->h.type = VN_EV_CONNECTED;
      r->h.flags |= cur == VN_REP_NONE ? VN_F_WITH_CONNECT : 0;
      r->h.ts = o->open_ts;
      r->lifetime_ns = o->open_ts - o->first_ts; /* the connect came that much earlier */
      r->oldstate = TCP_SYN_SENT;
   } else {
      r->h.type = VN_EV_CONNECT;
      r->h.ts = o->first_ts;
      r->oldstate = TCP_CLOSE;
   }
   sk_tuple(sk, r);
   /* the state then; the flush reports a later one as a state change */
   r->state = o->dir == VN_DIR_IN ? o->rep_state
                                  : (want == VN_REP_CONNECTED ? TCP_ESTABLISHED : TCP_SYN_SENT);
   submit(r);
   return 0;
}

/* ---- holders ---- */

/* The socket's inode, as /proc shows it (socket:[ino]); 0 once no process
 * holds it. Read only for sockets without owner entry. */
static __always_inline __u64 sk_ino(struct sock* sk) {
   return BPF_CORE_READ(sk, sk_socket, file, f_inode, i_ino);
}

/* The holder user space found for a socket older than the probe, moved
 * into the owner table. Its opening is known to user space already (the
 * snapshot); a connect still in SYN_SENT gets its outcome reported. */
static __always_inline struct vn_sk_owner* owner_seeded(struct sock* sk, __u32* place) {
   __u64 ino = sk_ino(sk);
   struct vn_seed* s = ino ? bpf_map_lookup_elem(&seeds, &ino) : 0;
   if (!s)
      return 0;
   struct vn_sk_owner o;
   __builtin_memset(&o, 0, sizeof(o));
   o.pid = o.tid = s->pid;
   o.pstart = s->pstart;
   o.cgroup = s->cgroup;
   o.dir = s->dir;
   o.netns = sk_netns(sk);
   o.rep_state = SKC(sk, skc_state);
   o.first_ts = bpf_ktime_get_boot_ns();
   bool syn_sent = o.rep_state == TCP_SYN_SENT;
   o.open_ts = syn_sent ? 0 : o.first_ts;
   o.rep_level = syn_sent ? VN_REP_CONNECT : VN_REP_CONNECTED;
   bpf_map_delete_elem(&seeds, &ino);
   if (!owner_add((__u64)sk, &o))
      return 0;
   return owner_of((__u64)sk, place);
}

/* The current task takes sk over from o (NULL: a socket without owner
 * entry, e.g. accepted through io_uring), and user space is told. The
 * opening is reported first, under the owner it belonged to. */
static __always_inline void owner_move(struct sock* sk, struct vn_sk_owner* o, __u8 state) {
   struct vn_sk_owner n;
   owner_current(&n, VN_DIR_UNKNOWN);
   __u32 old = 0;
   if (o) {
      report_open(o, sk);
      old = o->pid;
      o->pid = n.pid;
      o->tid = n.tid;
      o->pstart = n.pstart;
      o->cgroup = n.cgroup;
   } else {
      n.netns = sk_netns(sk);
      /* Every connect since load went through SYN_SENT and has an owner,
       * and an older socket its seed: this one was accepted where no
       * accept() returned it (io_uring). */
      n.dir = VN_DIR_IN;
      n.open_ts = n.first_ts;
      n.rep_state = state;
      n.rep_level = VN_REP_CONNECTED; /* nothing of its opening is known */
      if (!owner_add((__u64)sk, &n))
         return;
      o = &n;
   }
   struct vn_sock_rec* r = sock_rec(VN_EV_OWNER, o, (__u64)sk);
   if (!r)
      return;
   r->netns = o->netns ? o->netns : sk_netns(sk);
   r->state = sk_tuple(sk, r);
   r->count = old;
   tcp_bytes(sk, &r->tx, &r->rx);
   submit(r);
}

/* A process uses sk in its own context (a send, a receive, a close or
 * shutdown): it holds the socket. Moves the socket to it if it is not the
 * recorded owner. */
static __always_inline void owner_follow(struct sock* sk) {
   __u64 id = bpf_get_current_pid_tgid();
   __u32 tgid = id >> 32, zero = 0, place = 0;
   if (tgid == self_pid || tgid == 0)
      return;
   struct last_use* lu = bpf_map_lookup_elem(&last_use, &zero);
   if (lu && lu->sk == (__u64)sk && lu->pid == tgid)
      return;
   __u8 state = SKC(sk, skc_state);
   if (state == TCP_CLOSE || state == TCP_LISTEN)
      return;
   struct vn_sk_owner* o = owner_of((__u64)sk, &place);
   if (!o)
      o = owner_seeded(sk, &place);
   if (!o || o->pid != tgid) {
      /* a kernel thread closing a socket (delayed fput) holds nothing */
      struct task_struct* t = bpf_get_current_task_btf();
      if (t->flags & PF_KTHREAD)
         return;
      owner_move(sk, o, state);
   }
   if (lu) {
      lu->sk = (__u64)sk;
      lu->pid = tgid;
   }
}

/* An established socket closed at once (SO_LINGER 0, or unread data left)
 * goes to CLOSE in the closer's own task, tcp_close having marked it shut
 * both ways first; a reset from the peer goes there in any task and marks
 * it after. The first is its holder's last use. */
static __always_inline void owner_on_abort(struct sock* sk, struct vn_sk_owner* o, int old) {
   __u32 tgid = bpf_get_current_pid_tgid() >> 32;
   if (tgid == o->pid || tgid == self_pid || tgid == 0 ||
       (old != TCP_ESTABLISHED && old != TCP_CLOSE_WAIT))
      return;
   if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_shutdown) != SHUTDOWN_MASK)
      return;
   struct task_struct* t = bpf_get_current_task_btf();
   if (!(t->flags & PF_KTHREAD))
      owner_move(sk, o, old);
}

static __always_inline void on_syn_sent(struct sock* sk) {
   if (is_self() || !sk_is_tcp(sk))
      return;
   __u64 key = (__u64)sk;
   struct vn_sk_owner o;
   owner_current(&o, VN_DIR_OUT);
   o.rep_state = TCP_SYN_SENT;
   o.netns = sk_netns(sk);
   owner_add(key, &o);
   struct pending* p = pending_of_current(0);
   if (p && p->op == OP_CONNECT)
      p->sent_syn = 1;
}

static __always_inline void on_listen(struct sock* sk, int old) {
   if (is_self() || !sk_is_tcp(sk))
      return;
   __u64 key = (__u64)sk;
   struct vn_sk_owner o;
   owner_current(&o, VN_DIR_LISTEN);
   o.rep_state = TCP_LISTEN;
   o.rep_level = VN_REP_CONNECTED;
   o.netns = sk_netns(sk);
   owner_add(key, &o);
   struct vn_sock_rec* r = sock_rec(VN_EV_LISTEN, &o, key);
   if (!r)
      return;
   sk_tuple(sk, r);
   r->state = TCP_LISTEN;
   r->oldstate = old;
   submit(r);
}

static __always_inline bool was_connection(int st) {
   return st == TCP_ESTABLISHED || st == TCP_FIN_WAIT1 || st == TCP_FIN_WAIT2 ||
          st == TCP_CLOSE_WAIT || st == TCP_LAST_ACK || st == TCP_CLOSING;
}

/* A connect older than the probe whose holder is not known completes:
 * reported without owner, user space matches its 5-tuple. */
static __always_inline void unowned_connected(struct sock* sk) {
   if (!sk_is_tcp(sk))
      return;
   struct vn_sock_rec* r = sock_rec(VN_EV_CONNECTED, 0, (__u64)sk);
   if (!r)
      return;
   sk_tuple(sk, r);
   r->netns = sk_netns(sk);
   r->dir = VN_DIR_OUT;
   r->state = TCP_ESTABLISHED;
   r->oldstate = TCP_SYN_SENT;
   submit(r);
}

static __always_inline void forget_use(struct sock* sk) {
   __u32 zero = 0;
   struct last_use* lu = bpf_map_lookup_elem(&last_use, &zero);
   if (lu && lu->sk == (__u64)sk)
      lu->sk = 0;
}

static __always_inline void on_close(struct sock* sk, int old, struct vn_sk_owner* o, __u32 place) {
   __u64 key = (__u64)sk;
   forget_use(sk);
   /* owners holds TCP sockets only; an unowned one must be checked. A
    * socket older than the probe takes its holder from the seeds (a
    * connect that fails, a connection its peer resets). */
   if (!o) {
      if ((!was_connection(old) && old != TCP_SYN_SENT) || !sk_is_tcp(sk))
         return;
      o = owner_seeded(sk, &place);
      if (!o && !was_connection(old))
         return;
   }
   /* take what the flush has not reported of the opening, before the
    * reservation: a flush record written after this is never needed */
   __u32 had = o ? __sync_lock_test_and_set(&o->rep_level, VN_REP_CLOSED) : VN_REP_CLOSED;
   struct vn_sock_rec* r = sock_rec(VN_EV_CLOSE, o, key);
   if (r) {
      /* one record stands for the opening events not reported yet, a
       * connect_fail and the close; the loader expands it */
      if (o && o->dir == VN_DIR_IN && had == VN_REP_NONE) {
         r->h.flags |= VN_F_WITH_ACCEPT;
         r->open_ts = o->open_ts;
      }
      if (o && o->dir == VN_DIR_OUT) {
         r->h.flags |= had == VN_REP_NONE ? VN_F_WITH_CONNECT : 0;
         if (had < VN_REP_CONNECTED && o->open_ts) {
            r->h.flags |= VN_F_WITH_CONNECTED;
            r->open_ts = o->open_ts;
         }
      }
      if (o && old == TCP_SYN_SENT) {
         r->h.flags |= VN_F_WITH_FAIL;
         r->err = KR(struct sock, sk, sk_err);
         if (r->err == 0)
            r->err = ECONNABORTED; /* closed by its owner before an answer */
      }
      sk_tuple(sk, r);
      if (!o)
         r->netns = sk_netns(sk);
      tcp_bytes(sk, &r->tx, &r->rx);
      tcp_health(sk, r);
      r->state = TCP_CLOSE;
      r->oldstate = old;
      if (o)
         r->lifetime_ns = r->h.ts - o->first_ts;
      submit(r);
   }
   if (o)
      owner_del(o, place);
}

SEC("raw_tp/inet_sock_set_state")
int vn_set_state(struct raw_set_state* ctx) {
   struct sock* sk = (struct sock*)ctx->sk;
   int old = ctx->oldstate, state = ctx->newstate;
   if (state == TCP_SYN_SENT && old == TCP_CLOSE) {
      on_syn_sent(sk);
      return 0;
   }
   if (state == TCP_LISTEN) {
      on_listen(sk, old);
      return 0;
   }
   /* Only a close() or shutdown() of the socket's holder, in its own
    * context, enters FIN_WAIT1 or LAST_ACK (tcp_close_state). */
   if (state == TCP_FIN_WAIT1 || state == TCP_LAST_ACK) {
      owner_follow(sk);
      if (!states_all)
         return 0;
   }
   bool connected = old == TCP_SYN_SENT && state == TCP_ESTABLISHED;
   /* Most changes need no record: leave before the owner lookup. A
    * server-side socket in its handshake has no owner yet (accept() comes
    * after ESTABLISHED). */
   if (state != TCP_CLOSE &&
       (state == TCP_SYN_RECV || old == TCP_SYN_RECV || (!connected && !states_all)))
      return 0;
   __u64 key = (__u64)sk;
   __u32 place = 0;
   struct vn_sk_owner* o = owner_of(key, &place);
   if (state == TCP_CLOSE) {
      if (o)
         owner_on_abort(sk, o, old);
      on_close(sk, old, o, place);
      return 0;
   }
   if (!o && connected)
      o = owner_seeded(sk, &place);
   if (!o) {
      if (connected)
         unowned_connected(sk);
      return 0;
   }
   if (connected) {
      /* written by the flush or with the close, whichever comes first */
      o->open_ts = bpf_ktime_get_boot_ns();
      o->rep_state = state;
      return 0;
   }
   struct vn_sock_rec* r = sock_rec(VN_EV_STATE, o, key); /* states_all only */
   if (!r)
      return 0;
   o->rep_state = state;
   sk_tuple(sk, r);
   r->state = state;
   r->oldstate = old;
   submit(r);
   return 0;
}

/* The accept is written by the flush or with the close; right away only
 * when no owner entry can carry it (closed already, or the map full). */
static __always_inline void on_accept(struct syscall_trace_exit* ctx) {
   if (ctx->ret < 0 || is_self())
      return;
   struct sock* sk = fd_sock_any(ctx->ret);
   if (!sk || !sk_is_tcp(sk))
      return;
   __u64 key = (__u64)sk;
   struct vn_sk_owner o;
   owner_current(&o, VN_DIR_IN);
   o.open_ts = o.first_ts;
   __u16 fam = SKC(sk, skc_family);
   if (fam != AF_INET && fam != AF_INET6)
      return;
   o.netns = sk_netns(sk);
   o.rep_state = SKC(sk, skc_state);
   if (o.rep_state != TCP_CLOSE && owner_add(key, &o))
      return;
   struct vn_sock_rec* r = sock_rec(VN_EV_ACCEPT, &o, key);
   if (!r)
      return;
   r->state = sk_tuple(sk, r);
   submit(r);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int vn_accept4(struct syscall_trace_exit* ctx) {
   on_accept(ctx);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int vn_accept(struct syscall_trace_exit* ctx) {
   on_accept(ctx);
   return 0;
}

/* ---- connect(): TCP port binding, UDP peers ---- */

static __always_inline bool is_datagram_op(__u32 op) {
   return op == OP_SEND || op == OP_RECV || op == OP_SENDMM || op == OP_RECVMM;
}

static __always_inline void pend(__u32 op, __u64 fd, __u64 uaddr) {
   if (is_self())
      return;
   struct pending* p = pending_of_current(BPF_LOCAL_STORAGE_GET_F_CREATE);
   if (!p) {
      count(VN_CNT_CALLSFULL);
      return;
   }
   p->uaddr = uaddr;
   p->sk = 0;
   p->fd = fd;
   p->sent_syn = 0;
   p->op = op;
}

/* Takes this thread's pending syscall of kind op, if any. */
static __always_inline bool unpend(__u32 op, struct pending* out) {
   struct pending* p = pending_of_current(0);
   if (!p || !p->op)
      return false;
   __builtin_memcpy(out, p, sizeof(*out));
   p->op = 0;
   return out->op == op;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int vn_enter_connect(struct syscall_trace_enter* ctx) {
   pend(OP_CONNECT, ctx->args[0], ctx->args[1]);
   return 0;
}

static __always_inline void udp_key_from_sk(struct sock* sk, struct vn_udp_key* k) {
   __builtin_memset(k, 0, sizeof(*k));
   k->pid = bpf_get_current_pid_tgid() >> 32;
   k->family = SKC(sk, skc_family);
   k->lport = SKC(sk, skc_num);
   if (k->family == AF_INET)
      map4(k->laddr, SKC(sk, skc_rcv_saddr));
   else
      KR_INTO(&k->laddr, struct sock, sk, __sk_common.skc_v6_rcv_saddr);
   k->netns = sk_netns(sk);
}

static __always_inline bool udp_peer_from_sk(struct sock* sk, struct vn_udp_key* k) {
   k->rport = bpf_ntohs(SKC(sk, skc_dport));
   if (k->family == AF_INET)
      map4(k->raddr, SKC(sk, skc_daddr));
   else
      KR_INTO(&k->raddr, struct sock, sk, __sk_common.skc_v6_daddr);
   return k->rport != 0;
}

static __always_inline bool udp_peer_from_user(__u64 uaddr, struct vn_udp_key* k) {
   /* read only what the family says is there: a sockaddr_in is 16 bytes
    * and may end a page */
   struct sockaddr_head sa;
   if (bpf_probe_read_user(&sa, 8, (void*)uaddr))
      return false;
   k->rport = bpf_ntohs(sa.port);
   if (sa.family == AF_INET)
      map4(k->raddr, sa.v4);
   else if (sa.family != AF_INET6 ||
            bpf_probe_read_user(k->raddr, 16, (void*)uaddr + 8 /* sin6_addr */))
      return false;
   return k->rport != 0;
}

/* The UDP socket of a datagram call: as sock_*_length noted it, or from
 * the fd (the call failed before, or the socket is not UDP). */
static __always_inline struct sock* pending_udp(const struct pending* p) {
   if (p->sk)
      return (struct sock*)p->sk;
   struct sock* sk = fd_sock(p->fd);
   return sk && KR(struct sock, sk, sk_protocol) == IPPROTO_UDP ? sk : 0;
}

/* One datagram (or a connect(), dgrams == 0) with a peer. */
static __always_inline void udp_note(struct vn_udp_key* k, struct sock* sk, __u8 dir, __u32 dgrams,
                                     __u64 bytes) {
   struct vn_udp_val* v = bpf_map_lookup_elem(&udp_peers, k);
   __u64 now = bpf_ktime_get_boot_ns();
   if (v) {
      __sync_fetch_and_add(&v->count, dgrams);
      if (dir == VN_DIR_OUT)
         __sync_fetch_and_add(&v->tx, bytes);
      else
         __sync_fetch_and_add(&v->rx, bytes);
      v->last_ts = now;
      return;
   }
   struct task_struct* t = (void*)bpf_get_current_task();
   struct vn_udp_val n;
   __builtin_memset(&n, 0, sizeof(n));
   n.count = dgrams;
   n.reported = dgrams ? 0 : ~0ULL; /* a bare connect() is reported as EV_CONNECT */
   if (dir == VN_DIR_OUT)
      n.tx = bytes;
   else
      n.rx = bytes;
   n.first_ts = n.last_ts = now;
   n.pstart = leader_start(t);
   n.cgroup = bpf_get_current_cgroup_id();
   n.sk = (__u64)sk;
   n.tid = (__u32)bpf_get_current_pid_tgid();
   n.dir = dir;
   /* EEXIST: another CPU inserted it first, its count stands */
   long err = bpf_map_update_elem(&udp_peers, k, &n, BPF_NOEXIST);
   if (err && err != -17)
      count(VN_CNT_UDPFULL);
}

/* A TCP connect() that failed before its SYN (no route, no local port,
 * refused by a filter): the peer is only in the caller's sockaddr. */
static __always_inline void tcp_early_fail(struct sock* sk, const struct pending* p, int err) {
   struct vn_udp_key k; /* a tuple holder: local side from the sock */
   udp_key_from_sk(sk, &k);
   if (!udp_peer_from_user(p->uaddr, &k))
      return;
   struct vn_sk_owner o;
   owner_current(&o, VN_DIR_OUT);
   o.netns = k.netns;
   for (int i = 0; i < 2; i++) {
      struct vn_sock_rec* r = sock_rec(i == 0 ? VN_EV_CONNECT : VN_EV_CONNECT_FAIL, &o, (__u64)sk);
      if (!r)
         return;
      r->family = k.family;
      r->lport = k.lport;
      r->rport = k.rport;
      __builtin_memcpy(r->laddr, k.laddr, 16);
      __builtin_memcpy(r->raddr, k.raddr, 16);
      r->state = i == 0 ? TCP_SYN_SENT : TCP_CLOSE;
      r->oldstate = TCP_CLOSE;
      r->err = i == 0 ? 0 : err;
      submit(r);
   }
}

SEC("tracepoint/syscalls/sys_exit_connect")
int vn_exit_connect(struct syscall_trace_exit* ctx) {
   struct pending p;
   if (!unpend(OP_CONNECT, &p))
      return 0;
   if (p.sent_syn)
      return 0; /* an owned TCP socket: the flush or its close reports it */
   struct sock* sk;
   if (ctx->ret != 0) {
      if (ctx->ret != -EINPROGRESS && ctx->ret != -EALREADY && ctx->ret != -EISCONN &&
          (sk = fd_sock(p.fd)) && KR(struct sock, sk, sk_protocol) == IPPROTO_TCP)
         tcp_early_fail(sk, &p, -ctx->ret);
      return 0;
   }
   sk = fd_sock(p.fd);
   if (!sk || KR(struct sock, sk, sk_protocol) != IPPROTO_UDP)
      return 0;
   struct vn_udp_key k;
   udp_key_from_sk(sk, &k);
   if (!udp_peer_from_sk(sk, &k))
      return 0; /* connect(AF_UNSPEC) dissolves the association */
   struct vn_sk_owner o;
   owner_current(&o, VN_DIR_OUT);
   o.netns = k.netns;
   struct vn_sock_rec* r = sock_rec(VN_EV_CONNECT, &o, (__u64)sk);
   if (r) {
      sk_tuple(sk, r);
      r->proto = IPPROTO_UDP;
      submit(r);
   }
   udp_note(&k, sk, VN_DIR_OUT, 0, 0);
   return 0;
}

/* ---- UDP datagrams ---- */

SEC("tracepoint/syscalls/sys_enter_sendto")
int vn_enter_sendto(struct syscall_trace_enter* ctx) {
   if (ctx->args[4])
      pend(OP_SEND, ctx->args[0], ctx->args[4]);
   return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int vn_enter_recvfrom(struct syscall_trace_enter* ctx) {
   if (ctx->args[4])
      pend(OP_RECV, ctx->args[0], ctx->args[4]);
   return 0;
}

static __always_inline void pend_msg(__u32 op, struct syscall_trace_enter* ctx) {
   struct user_msghdr* m = (void*)ctx->args[1];
   void* name = 0;
   if (!m || bpf_probe_read_user(&name, sizeof(name), &m->msg_name) || !name)
      return;
   pend(op, ctx->args[0], (__u64)name);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int vn_enter_sendmsg(struct syscall_trace_enter* ctx) {
   pend_msg(OP_SEND, ctx);
   return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int vn_enter_recvmsg(struct syscall_trace_enter* ctx) {
   pend_msg(OP_RECV, ctx);
   return 0;
}

static __always_inline void udp_exit(struct syscall_trace_exit* ctx, __u32 op) {
   struct pending p;
   if (!unpend(op, &p) || ctx->ret < 0)
      return;
   struct sock* sk = pending_udp(&p);
   if (!sk)
      return;
   struct vn_udp_key k;
   udp_key_from_sk(sk, &k);
   if (!udp_peer_from_user(p.uaddr, &k))
      return;
   udp_note(&k, sk, op == OP_SEND ? VN_DIR_OUT : VN_DIR_IN, 1, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int vn_exit_sendto(struct syscall_trace_exit* ctx) {
   udp_exit(ctx, OP_SEND);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int vn_exit_recvfrom(struct syscall_trace_exit* ctx) {
   udp_exit(ctx, OP_RECV);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int vn_exit_sendmsg(struct syscall_trace_exit* ctx) {
   udp_exit(ctx, OP_SEND);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int vn_exit_recvmsg(struct syscall_trace_exit* ctx) {
   udp_exit(ctx, OP_RECV);
   return 0;
}

/* ---- batched datagrams: sendmmsg, recvmmsg ---- */

/* struct mmsghdr (uapi): a user_msghdr of 56 bytes, msg_name first, then
 * msg_len, which the kernel sets for every message it moved. */
#define MMSG_SIZE 64
#define MMSG_LEN_OFF 56
#define MMSG_MAX 1024 /* UIO_MAXIOV: the kernel moves no more per call */

struct mmsg_walk {
   struct vn_udp_key k; /* the local side; each message sets the peer */
   struct sock* sk;
   __u64 vec;
   __u8 dir;
};

static long mmsg_one(__u32 i, struct mmsg_walk* w) {
   __u64 at = w->vec + (__u64)i * MMSG_SIZE;
   __u64 name = 0;
   __u32 len = 0;
   if (bpf_probe_read_user(&name, sizeof(name), (void*)at) ||
       bpf_probe_read_user(&len, sizeof(len), (void*)(at + MMSG_LEN_OFF)))
      return 1;
   struct vn_udp_key k = w->k;
   /* no address: a connected socket's peer */
   if (name ? !udp_peer_from_user(name, &k) : !udp_peer_from_sk(w->sk, &k))
      return 0;
   udp_note(&k, w->sk, w->dir, 1, len);
   return 0;
}

static __always_inline void mmsg_exit(struct syscall_trace_exit* ctx, __u32 op) {
   struct pending p;
   if (!unpend(op, &p) || ctx->ret <= 0)
      return;
   struct sock* sk = pending_udp(&p);
   if (!sk)
      return;
   struct mmsg_walk w;
   udp_key_from_sk(sk, &w.k);
   w.sk = sk;
   w.vec = p.uaddr;
   w.dir = op == OP_SENDMM ? VN_DIR_OUT : VN_DIR_IN;
   __u32 n = ctx->ret < MMSG_MAX ? ctx->ret : MMSG_MAX;
   bpf_loop(n, mmsg_one, &w, 0);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int vn_enter_sendmmsg(struct syscall_trace_enter* ctx) {
   pend(OP_SENDMM, ctx->args[0], ctx->args[1]);
   return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int vn_enter_recvmmsg(struct syscall_trace_enter* ctx) {
   pend(OP_RECVMM, ctx->args[0], ctx->args[1]);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int vn_exit_sendmmsg(struct syscall_trace_exit* ctx) {
   mmsg_exit(ctx, OP_SENDMM);
   return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int vn_exit_recvmmsg(struct syscall_trace_exit* ctx) {
   mmsg_exit(ctx, OP_RECVMM);
   return 0;
}

/* ---- every send and receive: holders, connected UDP ---- */

/* Whether this thread is in a datagram call that carries addresses: its
 * exit counts the datagrams, from those addresses, on the socket noted
 * here (no walk of the fd table then). */
static __always_inline bool datagram_pending(struct sock* sk) {
   struct pending* p = pending_of_current(0);
   if (!p || !is_datagram_op(p->op))
      return false;
   p->sk = (__u64)sk;
   return true;
}

/* Runs in the sender's or receiver's task context, whatever the call
 * (write, send, sendmsg, one message of sendmmsg, io_uring ...): TCP
 * holders (and live byte counts in bytes_trace mode), and the datagrams of
 * connected UDP sockets that no address-carrying call counts. */
static __always_inline void sock_len(struct raw_sock_len* ctx, __u8 dir) {
   int ret = (int)ctx->ret;
   if (ret <= 0)
      return;
   struct sock* sk = (struct sock*)ctx->sk;
   __u16 proto = KR(struct sock, sk, sk_protocol);
   if (proto == IPPROTO_TCP) {
      owner_follow(sk);
      if (!bytes_trace)
         return;
      __u32 place;
      struct vn_sk_bytes* c;
      if (!owner_of((__u64)sk, &place) || !(c = bpf_map_lookup_elem(&own_bytes, &place)))
         return;
      if (dir == VN_DIR_OUT)
         __sync_fetch_and_add(&c->tx, ret);
      else
         __sync_fetch_and_add(&c->rx, ret);
      return;
   }
   if (proto != IPPROTO_UDP || is_self() || datagram_pending(sk))
      return;
   __u16 fam = SKC(sk, skc_family);
   if (fam != AF_INET && fam != AF_INET6)
      return;
   struct vn_udp_key k;
   udp_key_from_sk(sk, &k);
   if (!udp_peer_from_sk(sk, &k))
      return; /* unconnected, and no address seen: the peer is unknown */
   udp_note(&k, sk, dir, 1, ret);
}

SEC("raw_tp/sock_send_length")
int vn_send_len(struct raw_sock_len* ctx) {
   sock_len(ctx, VN_DIR_OUT);
   return 0;
}

SEC("raw_tp/sock_recv_length")
int vn_recv_len(struct raw_sock_len* ctx) {
   sock_len(ctx, VN_DIR_IN);
   return 0;
}

/* ---- flush: user space calls getppid() from visnet's thread ---- */

struct bpf_map;

/* The byte counts of the socket at place: a new owner's start from 0. */
static __always_inline struct vn_sk_bytes* flush_bytes(__u64 sk, __u32 place) {
   struct vn_sk_bytes* c = bpf_map_lookup_elem(&own_bytes, &place);
   if (c && c->sk != sk) {
      __builtin_memset(c, 0, sizeof(*c));
      c->sk = sk;
   }
   return c;
}

static __noinline int flush_sock(__u64 skey, __u32 place) {
   struct vn_sk_owner* o = bpf_map_lookup_elem(&owners, &place);
   struct vn_sk_bytes* c = flush_bytes(skey, place);
   if (!o || !c || o->sk != skey || o->dir == VN_DIR_LISTEN)
      return 0;
   struct sock* sk = (struct sock*)skey;
   if (report_open(o, sk))
      return 1;
   __u64 tx = c->tx, rx = c->rx;
   if (!bytes_trace)
      tcp_bytes(sk, &tx, &rx);
   __u8 state = SKC(sk, skc_state);
   if (state != o->rep_state && state != TCP_CLOSE) {
      struct vn_sock_rec* r = sock_rec(VN_EV_STATE, o, skey);
      if (!r)
         return 1; /* ring buffer full: stop, retry on the next flush */
      sk_tuple(sk, r);
      r->oldstate = o->rep_state;
      r->state = state;
      r->tx = tx;
      r->rx = rx;
      tcp_health(sk, r);
      o->rep_state = state;
      submit(r);
   }
   /* a stalled connection retransmits without moving a byte: say so */
   __u32 retrans = KR(struct tcp_sock, sk, total_retrans);
   if (tx == c->rep_tx && rx == c->rep_rx && retrans == c->rep_retrans)
      return 0;
   struct vn_sock_rec* r = sock_rec(VN_EV_BYTES, o, skey);
   if (!r)
      return 1;
   c->rep_tx = tx;
   c->rep_rx = rx;
   c->rep_retrans = retrans;
   sk_tuple(sk, r);
   r->tx = tx;
   r->rx = rx;
   tcp_health(sk, r);
   r->state = state;
   submit(r);
   return 0;
}

/* Only the places a bucket holds a key for: most of the table is empty. */
static long flush_bucket(struct bpf_map* map, __u32* idx, struct own_bucket* k, void* ctx) {
   for (int w = 0; w < OWN_WAYS; w++) {
      __u64 sk = k->sk[w];
      if (sk && flush_sock(sk, *idx * OWN_WAYS + w))
         return 1; /* ring buffer full: stop, retry on the next flush */
   }
   return 0;
}

static long flush_udp(struct bpf_map* map, struct vn_udp_key* k, struct vn_udp_val* v, void* ctx) {
   if (v->count == v->reported || v->count == 0)
      return 0;
   struct vn_sock_rec* r = RESERVE(struct vn_sock_rec);
   if (!r)
      return 1;
   v->reported = v->count;
   __builtin_memset(r, 0, sizeof(*r));
   r->h.type = VN_EV_UDP_PEER;
   r->h.pid = k->pid;
   r->h.tid = v->tid;
   r->h.flags = k->pid != v->tid ? VN_F_THREAD : 0;
   r->h.ts = v->last_ts;
   r->h.pstart = v->pstart;
   r->sk = v->sk;
   r->cgroup = v->cgroup;
   r->tx = v->tx;
   r->rx = v->rx;
   r->lifetime_ns = v->last_ts - v->first_ts;
   r->netns = k->netns;
   r->count = v->count;
   r->lport = k->lport;
   r->rport = k->rport;
   r->proto = IPPROTO_UDP;
   r->family = k->family;
   r->dir = v->dir;
   __builtin_memcpy(r->laddr, k->laddr, 16);
   __builtin_memcpy(r->raddr, k->raddr, 16);
   submit(r);
   return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int vn_flush(void* ctx) {
   if (!is_self() || self_pid == 0)
      return 0;
   bpf_for_each_map_elem(&own_keys, flush_bucket, 0, 0);
   bpf_for_each_map_elem(&udp_peers, flush_udp, 0, 0);
   return 0;
}
