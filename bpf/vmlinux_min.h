/* vmlinux_min.h: the few kernel types the probe reads, for CO-RE.
 *
 * Written by hand, not dumped: each struct holds only the fields we read and
 * carries preserve_access_index, so libbpf relocates every access against
 * the running kernel's BTF (field order and offsets here do not matter).
 * Anonymous unions of the kernel (skc_addrpair, skc_portpair) are flattened;
 * libbpf matches members by name through anonymous members.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* uapi constants a real vmlinux.h would carry as enums */
enum bpf_map_type {
   BPF_MAP_TYPE_HASH = 1,
   BPF_MAP_TYPE_ARRAY = 2,
   BPF_MAP_TYPE_PERCPU_ARRAY = 6,
   BPF_MAP_TYPE_LRU_HASH = 9,
   BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
   BPF_MAP_TYPE_RINGBUF = 27,
   BPF_MAP_TYPE_TASK_STORAGE = 29,
};
enum {
   BPF_LOCAL_STORAGE_GET_F_CREATE = 1,
};
enum {
   BPF_ANY = 0,
   BPF_NOEXIST = 1,
   BPF_EXIST = 2,
};
enum {
   BPF_F_NO_PREALLOC = 1,
   BPF_F_MMAPABLE = 1 << 10, /* array values page-aligned: 64-byte values on cache lines */
};
enum {
   BPF_RB_NO_WAKEUP = 1,
   BPF_RB_FORCE_WAKEUP = 2,
};
enum {
   BPF_RB_AVAIL_DATA = 0,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr {
   union {
      __u8 u6_addr8[16];
   } in6_u;
};

struct ns_common {
   unsigned int inum;
};

struct net {
   struct ns_common ns;
};

typedef struct {
   struct net* net;
} possible_net_t;

struct sock_common {
   __be32 skc_daddr;
   __be32 skc_rcv_saddr;
   __be16 skc_dport;
   __u16 skc_num;
   unsigned short skc_family;
   volatile unsigned char skc_state;
   possible_net_t skc_net;
   unsigned long skc_flags;
   struct in6_addr skc_v6_daddr;
   struct in6_addr skc_v6_rcv_saddr;
};

struct socket;

struct sock {
   struct sock_common __sk_common;
   struct socket* sk_socket;
   unsigned char sk_shutdown; /* a 2-bit bitfield before 5.x: read with BPF_CORE_READ_BITFIELD_PROBED */
   int sk_err;
   __u16 sk_protocol;
   __u16 sk_type;
};

struct inet_sock {
   __be16 inet_sport;
};

struct tcp_sock {
   __u64 bytes_received;
   __u64 bytes_acked;
   __u64 bytes_sent;
   __u64 bytes_retrans;
   __u32 srtt_us;       /* smoothed RTT << 3 */
   __u32 total_retrans; /* segments retransmitted, the connection's life */
};

struct inode {
   unsigned long i_ino;
};

struct file;

struct socket {
   short type;
   struct sock* sk;
   struct file* file;
};

struct file {
   void* private_data;
   struct inode* f_inode;
};

struct fdtable {
   unsigned int max_fds;
   struct file** fd;
};

struct files_struct {
   struct fdtable* fdt;
};

struct mm_struct {
   unsigned long arg_start;
   unsigned long arg_end;
};

struct task_struct {
   unsigned int flags;
   int pid;
   int tgid;
   int exit_code;
   __u64 start_boottime;
   char comm[16];
   struct task_struct* real_parent;
   struct task_struct* group_leader;
   struct mm_struct* mm;
   struct files_struct* files;
};

struct user_msghdr {
   void* msg_name;
   int msg_namelen;
};

/* Records of the classic tracepoints the probe reads (their ABI is the
 * format file under tracefs; CO-RE relocates the fields). */
struct trace_entry {
   unsigned short type;
};

struct syscall_trace_enter {
   struct trace_entry ent;
   int nr;
   unsigned long args[6];
};

struct syscall_trace_exit {
   struct trace_entry ent;
   int nr;
   long ret;
};

struct trace_event_raw_sched_process_exec {
   struct trace_entry ent;
   __u32 __data_loc_filename;
   int pid;
   int old_pid;
};

struct trace_event_raw_task_newtask {
   struct trace_entry ent;
   int pid;
   char comm[16];
   __u64 clone_flags;
};

/* The sched_process_exit record gained group_dead in 6.x; probed with
 * bpf_core_field_exists. */
struct trace_event_raw_sched_process_exit {
   bool group_dead;
};

#pragma clang attribute pop

#endif
