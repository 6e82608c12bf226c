/* loader.c: opens, loads and attaches the eBPF probe (visnet.bpf.c), and
 * hands its ring buffer records to convert.c, which makes them Events.
 *
 * Steps, each failing with one precise line in errbuf: privileges, BTF,
 * tracefs (mounted here if needed), tracepoints present (programs whose
 * tracepoint is missing are disabled and listed in the warnings), load,
 * attach, ring buffer.
 */
#include "probe.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "convert.h"
#include "ringbuf.h"
#include "visnet_abi.h"
#include "visnet.skel.h"
#include "visnet_compat.skel.h"

struct Probe_ {
   struct visnet_bpf* skel;
   Ring* rings; /* one per possible CPU */
   int nrings;
   size_t ring_bytes;
   int epfd; /* every ring's fd: readable when one wakes us */
   int ncpu;
   bool flush;       /* vn_flush loaded: Probe_poll can ask */
   uint64_t skipped; /* program runs the kernel skipped, as of the last poll */
   Convert conv; /* records to Events, for the sink */
   char warnings[512];
};

/* A feature and the tracepoints it needs; all or none are loaded. */
typedef struct ProbeFeature_ {
   const char* what;
   const char* tps[2]; /* "category/event" */
   const char* progs[2];
} ProbeFeature;

static const ProbeFeature Probe_features[] = {
    {"exec events", {"sched/sched_process_exec"}, {"vn_exec"}},
    {"fork events", {"task/task_newtask"}, {"vn_fork"}},
    {"exit events", {"sched/sched_process_exit"}, {"vn_exit"}},
    {"TCP connections", {"sock/inet_sock_set_state"}, {"vn_set_state"}},
    {"accept() owners", {"syscalls/sys_exit_accept4"}, {"vn_accept4"}},
    {"accept() owners (old accept)", {"syscalls/sys_exit_accept"}, {"vn_accept"}},
    {"UDP connect() and early TCP connect events",
     {"syscalls/sys_enter_connect", "syscalls/sys_exit_connect"},
     {"vn_enter_connect", "vn_exit_connect"}},
    {"UDP peers of sendto()",
     {"syscalls/sys_enter_sendto", "syscalls/sys_exit_sendto"},
     {"vn_enter_sendto", "vn_exit_sendto"}},
    {"UDP peers of recvfrom()",
     {"syscalls/sys_enter_recvfrom", "syscalls/sys_exit_recvfrom"},
     {"vn_enter_recvfrom", "vn_exit_recvfrom"}},
    {"UDP peers of sendmsg()",
     {"syscalls/sys_enter_sendmsg", "syscalls/sys_exit_sendmsg"},
     {"vn_enter_sendmsg", "vn_exit_sendmsg"}},
    {"UDP peers of recvmsg()",
     {"syscalls/sys_enter_recvmsg", "syscalls/sys_exit_recvmsg"},
     {"vn_enter_recvmsg", "vn_exit_recvmsg"}},
    {"UDP peers of sendmmsg()",
     {"syscalls/sys_enter_sendmmsg", "syscalls/sys_exit_sendmmsg"},
     {"vn_enter_sendmmsg", "vn_exit_sendmmsg"}},
    {"UDP peers of recvmmsg()",
     {"syscalls/sys_enter_recvmmsg", "syscalls/sys_exit_recvmmsg"},
     {"vn_enter_recvmmsg", "vn_exit_recvmmsg"}},
    {"socket holders that change, and connected UDP traffic",
     {"sock/sock_send_length", "sock/sock_recv_length"},
     {"vn_send_len", "vn_recv_len"}},
    {"live byte counts and UDP peer updates", {"syscalls/sys_enter_getppid"}, {"vn_flush"}},
};

/* libbpf's last warning, kept to explain a failure in one line. */
static char Probe_libbpfLast[256];
static bool Probe_verbose;

static int Probe_libbpfPrint(enum libbpf_print_level level, const char* fmt, va_list ap) {
   if (Probe_verbose) {
      va_list copy;
      va_copy(copy, ap);
      vfprintf(stderr, fmt, copy);
      va_end(copy);
   }
   if (level == LIBBPF_WARN) {
      vsnprintf(Probe_libbpfLast, sizeof(Probe_libbpfLast), fmt, ap);
      Probe_libbpfLast[strcspn(Probe_libbpfLast, "\n")] = '\0';
   }
   return 0;
}

static bool Probe_hasCap(const struct __user_cap_data_struct d[2], int cap) {
   return d[cap / 32].effective & (1u << (cap % 32));
}

static int Probe_checkPrivs(char* errbuf, size_t errlen) {
   struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
   struct __user_cap_data_struct d[2];
   memset(d, 0, sizeof(d));
   if (syscall(SYS_capget, &h, d) != 0) {
      snprintf(errbuf, errlen, "cannot read own capabilities: %s", strerror(errno));
      return -1;
   }
   bool admin = Probe_hasCap(d, CAP_SYS_ADMIN);
   bool bpf = admin || Probe_hasCap(d, 39 /* CAP_BPF */);
   bool perfmon = admin || Probe_hasCap(d, 38 /* CAP_PERFMON */);
   if (bpf && perfmon)
      return 0;
   if (geteuid() != 0)
      snprintf(errbuf, errlen,
               "the eBPF probe needs root (or CAP_BPF and CAP_PERFMON): "
               "run visnet with sudo, or use --no-bpf");
   else
      snprintf(errbuf, errlen,
               "running as root but without %s%s%s in the effective set "
               "(container or capability bounding set?): the eBPF probe cannot load",
               bpf ? "" : "CAP_BPF", bpf || perfmon ? "" : " and ", perfmon ? "" : "CAP_PERFMON");
   return -1;
}

/* The tracefs events directory libbpf will use (it prefers debugfs). */
static const char* Probe_eventsDir(void) {
   if (access("/sys/kernel/debug/tracing", F_OK) == 0)
      return "/sys/kernel/debug/tracing/events";
   return "/sys/kernel/tracing/events";
}

static int Probe_checkTracefs(char* errbuf, size_t errlen) {
   if (access(Probe_eventsDir(), F_OK) == 0)
      return 0;
   if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
       access(Probe_eventsDir(), F_OK) == 0)
      return 0;
   snprintf(errbuf, errlen,
            "tracefs is not mounted and mounting it failed (%s): "
            "run 'mount -t tracefs nodev /sys/kernel/tracing'",
            strerror(errno));
   return -1;
}

static bool Probe_hasTracepoint(const char* tp) {
   char path[256];
   snprintf(path, sizeof(path), "%s/%s/id", Probe_eventsDir(), tp);
   return access(path, F_OK) == 0;
}

static void Probe_warn(Probe* p, const char* what, const char* tp) {
   size_t len = strlen(p->warnings);
   snprintf(p->warnings + len, sizeof(p->warnings) - len, "%sno %s (tracepoint %s missing)",
            len ? "; " : "", what, tp);
}

/* Disables programs whose tracepoints this kernel lacks; returns how many
 * features stay enabled. */
static int Probe_selectPrograms(Probe* p) {
   int enabled = 0;
   for (size_t i = 0; i < sizeof(Probe_features) / sizeof(Probe_features[0]); i++) {
      const ProbeFeature* f = &Probe_features[i];
      const char* missing = NULL;
      for (int j = 0; j < 2 && f->tps[j]; j++)
         if (!Probe_hasTracepoint(f->tps[j]))
            missing = f->tps[j];
      for (int j = 0; missing && j < 2 && f->progs[j]; j++) {
         struct bpf_program* prog = bpf_object__find_program_by_name(p->skel->obj, f->progs[j]);
         if (prog)
            bpf_program__set_autoload(prog, false);
      }
      if (missing)
         Probe_warn(p, f->what, missing);
      else
         enabled++;
      if (strcmp(f->progs[0], "vn_flush") == 0)
         p->flush = !missing;
   }
   return enabled;
}

static void Probe_loadError(int err, char* errbuf, size_t errlen) {
   const char* last = Probe_libbpfLast[0] ? Probe_libbpfLast : "no detail from libbpf";
   if (err == -EPERM || err == -EACCES)
      snprintf(errbuf, errlen,
               "the kernel refused the eBPF probe (%s): a program type or "
               "helper is not allowed here (lockdown, or CAP_BPF/CAP_PERFMON missing), not a "
               "locked-memory limit; libbpf: %s",
               strerror(-err), last);
   else
      snprintf(errbuf, errlen, "loading the eBPF probe failed (%s); libbpf: %s", strerror(-err),
               last);
}

/* A smaller owner table (a power of two, at most the default), so that
 * tests can fill it; anything else keeps the default. */
static void Probe_sizeOwners(Probe* p, uint32_t n) {
   if (n == 0 || n > p->skel->rodata->own_buckets || (n & (n - 1)))
      return;
   p->skel->rodata->own_buckets = n;
}

/* Bytes per CPU ring: 16 MiB in all (over a second of a 65 000
 * connections/s load), at least 512 KiB each (a ring half full wakes the
 * reader early); or what the options ask. */
static size_t Probe_ringBytes(const ProbeOpts* o, int ncpu) {
   if (o->ring_kib >= 4 && (o->ring_kib & (o->ring_kib - 1)) == 0)
      return (size_t)o->ring_kib << 10;
   size_t per = VN_RINGBUF_BYTES / (size_t)ncpu, bytes = 512u << 10;
   while (bytes * 2 <= per)
      bytes *= 2;
   return bytes;
}

/* The maps' share is measured (19.5 MiB: the owner table 8.4, own_bytes
 * 5.2, udp_peers 3.1, the rest 2.8), rounded up. */
uint64_t Probe_heldBytes(const ProbeOpts* o) {
   int ncpu = libbpf_num_possible_cpus();
   if (ncpu <= 0)
      ncpu = 1;
   return (20ull << 20) + (uint64_t)ncpu * Probe_ringBytes(o, ncpu);
}

/* Creates a ring per possible CPU, puts it in the `rings` array the
 * programs reserve from, maps it and adds it to the epoll set. */
static int Probe_openRings(Probe* p) {
   p->rings = calloc((size_t)p->ncpu, sizeof *p->rings);
   p->epfd = epoll_create1(EPOLL_CLOEXEC);
   if (!p->rings || p->epfd < 0)
      return -ENOMEM;
   int outer = bpf_map__fd(p->skel->maps.rings);
   for (int i = 0; i < p->ncpu; i++) {
      int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "vn_ring", 0, 0, (uint32_t)p->ring_bytes, NULL);
      if (fd < 0)
         return -errno;
      if (Ring_open(&p->rings[i], fd, p->ring_bytes) < 0) {
         int e = errno;
         close(fd);
         return -e;
      }
      p->nrings++;
      uint32_t key = (uint32_t)i;
      struct epoll_event ev = {.events = EPOLLIN, .data.u32 = key};
      if (bpf_map_update_elem(outer, &key, &fd, BPF_ANY) < 0 ||
          epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
         return -errno;
   }
   return 0;
}

/* Whether the kernel has the bpf_rdonly_cast kfunc (Linux 6.2) the probe
 * reads kernel fields with. */
static bool Probe_hasKfuncs(void) {
   struct btf* vmlinux = btf__load_vmlinux_btf();
   if (!vmlinux)
      return true; /* let the load say what is wrong */
   bool has = btf__find_by_name_kind(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) >= 0;
   btf__free(vmlinux);
   return has;
}

/* The skeleton, opened on the probe built with or without kfuncs: the two
 * objects come from one source and have the same maps, programs and
 * read-only data. */
static struct visnet_bpf* Probe_openSkel(bool kfuncs) {
   if (kfuncs)
      return visnet_bpf__open();
   if (Probe_verbose)
      fprintf(stderr, "probe: no bpf_rdonly_cast kfunc: kernel fields are read with "
                      "bpf_probe_read_kernel\n");
   struct visnet_bpf* obj = calloc(1, sizeof(*obj));
   if (!obj) {
      errno = ENOMEM;
      return NULL;
   }
   int err = visnet_bpf__create_skeleton(obj);
   if (!err) {
      size_t sz;
      obj->skeleton->data = (void*)visnet_compat_bpf__elf_bytes(&sz);
      obj->skeleton->data_sz = sz;
      err = bpf_object__open_skeleton(obj->skeleton, NULL);
   }
   if (!err && bpf_map__value_size(obj->maps.rodata) != sizeof(*obj->rodata))
      err = -EPROTO;
   if (err) {
      visnet_bpf__destroy(obj);
      errno = -err;
      return NULL;
   }
   return obj;
}

Probe* Probe_open(const ProbeOpts* o, EventSink sink, void* ctx, char* errbuf, size_t errlen) {
   int err = -1;
   Probe* p = NULL;
   errbuf[0] = '\0';
   Probe_verbose = o->verbose;
   Probe_libbpfLast[0] = '\0';
   libbpf_set_print(Probe_libbpfPrint);

   if (Probe_checkPrivs(errbuf, errlen) != 0)
      goto cleanup;
   if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
      snprintf(errbuf, errlen,
               "this kernel has no BTF (/sys/kernel/btf/vmlinux missing, "
               "needs CONFIG_DEBUG_INFO_BTF=y): the eBPF probe cannot load; use --no-bpf");
      goto cleanup;
   }
   if (Probe_checkTracefs(errbuf, errlen) != 0)
      goto cleanup;

   p = calloc(1, sizeof(*p));
   if (!p) {
      snprintf(errbuf, errlen, "out of memory");
      goto cleanup;
   }
   Convert_init(&p->conv, sink, ctx);
   p->epfd = -1;
   p->ncpu = libbpf_num_possible_cpus();
   if (p->ncpu <= 0) {
      snprintf(errbuf, errlen, "cannot count possible CPUs: %s", strerror(-p->ncpu));
      goto cleanup;
   }

   p->skel = Probe_openSkel(!o->compat && Probe_hasKfuncs());
   if (!p->skel) {
      snprintf(errbuf, errlen, "opening the eBPF probe failed (%s); libbpf: %s", strerror(errno),
               Probe_libbpfLast);
      goto cleanup;
   }
   p->skel->rodata->self_pid = o->self_pid;
   p->ring_bytes = Probe_ringBytes(o, p->ncpu);
   bpf_map__set_max_entries(p->skel->maps.rings, (uint32_t)p->ncpu);
   p->skel->rodata->bytes_trace = o->bytes_trace;
   /* The reader drains the ring buffer on a short timer (source.c); a
    * ring half full wakes it early */
   p->skel->rodata->wakeup_bytes = o->wakeup_bytes ? o->wakeup_bytes : p->ring_bytes / 2;
   p->skel->rodata->states_all = o->states_all;
   Probe_sizeOwners(p, o->owner_buckets);
   if (Probe_selectPrograms(p) == 0) {
      snprintf(errbuf, errlen, "none of the tracepoints the probe needs exist under %s",
               Probe_eventsDir());
      goto cleanup;
   }

   err = visnet_bpf__load(p->skel);
   if (err) {
      Probe_loadError(err, errbuf, errlen);
      goto cleanup;
   }
   err = Probe_openRings(p);
   if (err) {
      snprintf(errbuf, errlen, "creating the probe's ring buffers failed: %s", strerror(-err));
      goto cleanup;
   }
   err = visnet_bpf__attach(p->skel);
   if (err) {
      snprintf(errbuf, errlen,
               "attaching the eBPF probe to its tracepoints failed (%s); "
               "libbpf: %s",
               strerror(-err), Probe_libbpfLast);
      goto cleanup;
   }
   err = 0;

cleanup:
   if (err) {
      Probe_close(p);
      return NULL;
   }
   return p;
}

int Probe_fd(const Probe* p) {
   return p->epfd;
}

int Probe_consume(Probe* p) {
   struct timespec now;
   clock_gettime(CLOCK_BOOTTIME, &now); /* the clock of bpf_ktime_get_boot_ns */
   uint64_t until = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
   int n = Ring_consumeMerged(p->rings, p->nrings, offsetof(struct vn_hdr, ts), until,
                              Convert_record, &p->conv);
   return n < 0 ? -1 : n;
}

/* Runs of the programs the kernel skipped because the program was already
 * running on that CPU (an interrupt in the middle of it): their events are
 * lost as surely as those of a full ring. */
static uint64_t Probe_skippedRuns(const Probe* p) {
   uint64_t n = 0;
   struct bpf_program* prog;
   bpf_object__for_each_program(prog, p->skel->obj) {
      struct bpf_prog_info info;
      uint32_t len = sizeof(info);
      memset(&info, 0, sizeof(info));
      int fd = bpf_program__fd(prog);
      if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
         n += info.recursion_misses;
   }
   return n;
}

int Probe_poll(Probe* p) {
   /* getppid() in our own thread group runs vn_flush, which writes
    * EV_BYTES and EV_UDP_PEER records for what changed since last time. */
   if (p->flush)
      (void)syscall(SYS_getppid);
   p->skipped = Probe_skippedRuns(p); /* here, not per frame: a syscall per program */
   return Probe_consume(p);
}

static uint64_t Probe_counter(const Probe* p, uint32_t key) {
   uint64_t vals[p->ncpu];
   if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.counters), &key, vals) != 0)
      return 0;
   uint64_t sum = 0;
   for (int i = 0; i < p->ncpu; i++)
      sum += vals[i];
   return sum;
}

uint64_t Probe_lost(const Probe* p) {
   return Probe_counter(p, VN_CNT_LOST) + p->skipped;
}

int Probe_seed(Probe* p, uint64_t ino, uint32_t pid, uint64_t pstart, uint64_t cgroup,
               uint8_t dir) {
   struct vn_seed s = {.pid = pid, .dir = dir, .pstart = pstart, .cgroup = cgroup};
   if (bpf_map_update_elem(bpf_map__fd(p->skel->maps.seeds), &ino, &s, BPF_ANY) < 0)
      return -errno;
   return 0;
}

uint64_t Probe_untracked(const Probe* p) {
   return Probe_counter(p, VN_CNT_MAPFULL);
}

void Probe_mapFull(const Probe* p, MapFull* out) {
   out->owners = Probe_counter(p, VN_CNT_MAPFULL);
   out->udp_peers = Probe_counter(p, VN_CNT_UDPFULL);
   out->calls = Probe_counter(p, VN_CNT_CALLSFULL);
}

const char* Probe_warnings(const Probe* p) {
   return p->warnings;
}

void Probe_close(Probe* p) {
   if (!p)
      return;
   for (int i = 0; i < p->nrings; i++) {
      Ring_close(&p->rings[i]);
      close(p->rings[i].fd);
   }
   free(p->rings);
   if (p->epfd >= 0)
      close(p->epfd);
   visnet_bpf__destroy(p->skel);
   free(p);
}
