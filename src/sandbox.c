/* sandbox.c: the kernel enforces what visnet may do once its probe is
 * attached and its files are open. Three layers, each skipped with a note
 * where the kernel lacks it: no_new_privs; Landlock, a file system that
 * reads /proc, /sys and the system's files and writes only the record
 * file; seccomp, a list of the system calls the running mode makes.
 *
 * A call off the list fails with EPERM rather than killing the process:
 * visnet runs as a terminal program on production hosts, and a library
 * path we did not foresee should give an error line, not a dead process
 * and a terminal left in raw mode. */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* Landlock's later ABIs, for system headers older than the kernel. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define VN_LANDLOCK_NET_BIND_TCP (1ULL << 0)
#define VN_LANDLOCK_NET_CONNECT_TCP (1ULL << 1)
#define VN_LANDLOCK_RULE_NET_PORT 2
#define VN_LANDLOCK_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define VN_LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; the kernel is given the size
 * its ABI knows. */
struct vn_ruleset_attr {
   uint64_t handled_access_fs;
   uint64_t handled_access_net;
   uint64_t scoped;
};

struct vn_net_port_attr {
   uint64_t allowed_access;
   uint64_t port;
};

#if defined(__x86_64__)
#define VN_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define VN_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static void addNote(char* note, size_t len, const char* what) {
   size_t used = strlen(note);
   snprintf(note + used, len - used, "%s%s", used ? "; " : "", what);
}

/* ---- Landlock ---- */

static int landlockAbi(void) {
   long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
   return abi < 0 ? 0 : (int)abi;
}

static uint64_t landlockFsRights(int abi) {
   uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0 to 12 */
   if (abi >= 2)
      r |= LANDLOCK_ACCESS_FS_REFER;
   if (abi >= 3)
      r |= LANDLOCK_ACCESS_FS_TRUNCATE;
   if (abi >= 5)
      r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
   return r;
}

/* A path that does not exist here (no /lib64 on this system) is no error. */
static int allowPath(int ruleset, const char* path, uint64_t rights) {
   int fd = open(path, O_PATH | O_CLOEXEC);
   if (fd < 0)
      return errno == ENOENT ? 0 : -1;
   struct landlock_path_beneath_attr pb = {.allowed_access = rights, .parent_fd = fd};
   int rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
   int saved = errno;
   close(fd);
   errno = saved;
   return rc;
}

static int landlockRules(int rs, const SandboxPlan* p, uint64_t handled) {
   const uint64_t rd = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
   const uint64_t file_rd = LANDLOCK_ACCESS_FS_READ_FILE;
   const uint64_t file_rw = (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                             LANDLOCK_ACCESS_FS_TRUNCATE) & handled;
   /* processes and sockets; cgroups; user, host and service names, the
    * time zone, the libraries name lookups load, the terminal's terminfo */
   static const char* const readable[] = {"/proc", "/sys", "/etc", "/usr", "/lib", "/lib64"};
   for (size_t i = 0; i < sizeof readable / sizeof *readable; i++)
      if (allowPath(rs, readable[i], rd) < 0)
         return -1;
   if (p->replay && allowPath(rs, p->replay, file_rd) < 0)
      return -1;
   if (p->record && allowPath(rs, p->record, file_rw) < 0)
      return -1;
   if (p->config) { /* its directory, if it could be made: else saving says why */
      char dir[512];
      snprintf(dir, sizeof dir, "%s", p->config);
      char* slash = strrchr(dir, '/');
      if (slash && slash != dir)
         *slash = '\0';
      const uint64_t dir_rw = (file_rw | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                               LANDLOCK_ACCESS_FS_REMOVE_FILE) & handled;
      if (allowPath(rs, dir, dir_rw) < 0 && errno != ENOENT && errno != ENOTDIR)
         return -1;
   }
   return 0;
}

/* No TCP bind at all; TCP connect only to port 53, the name servers'
 * fallback when an answer is too long for UDP. */
static int landlockNet(int rs, const SandboxPlan* p) {
   if (!p->resolver)
      return 0;
   struct vn_net_port_attr np = {.allowed_access = VN_LANDLOCK_NET_CONNECT_TCP, .port = 53};
   return (int)syscall(SYS_landlock_add_rule, rs, VN_LANDLOCK_RULE_NET_PORT, &np, 0);
}

static int landlockApply(const SandboxPlan* p, char* note, size_t notelen, char* err, size_t errlen) {
   int abi = landlockAbi();
   if (abi <= 0) {
      addNote(note, notelen, "Landlock: not in this kernel, the file system is not restricted");
      return 0;
   }
   struct vn_ruleset_attr attr = {.handled_access_fs = landlockFsRights(abi)};
   size_t size = offsetof(struct vn_ruleset_attr, handled_access_net);
   if (abi >= 4) {
      attr.handled_access_net = VN_LANDLOCK_NET_BIND_TCP | VN_LANDLOCK_NET_CONNECT_TCP;
      size = offsetof(struct vn_ruleset_attr, scoped);
   }
   if (abi >= 6) {
      /* no signals to processes outside (unless the user may send them),
       * no abstract sockets of others */
      attr.scoped = VN_LANDLOCK_SCOPE_ABSTRACT_UNIX | (p->actions ? 0 : VN_LANDLOCK_SCOPE_SIGNAL);
      size = sizeof attr;
   }
   int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
   if (rs < 0) {
      snprintf(err, errlen, "Landlock ruleset: %s", strerror(errno));
      return -1;
   }
   int rc = landlockRules(rs, p, attr.handled_access_fs);
   if (rc == 0 && abi >= 4)
      rc = landlockNet(rs, p);
   if (rc == 0)
      rc = (int)syscall(SYS_landlock_restrict_self, rs, 0);
   if (rc < 0)
      snprintf(err, errlen, "Landlock: %s", strerror(errno));
   close(rs);
   return rc;
}

/* ---- seccomp ---- */

#define MAX_INSNS 512

typedef struct {
   struct sock_filter f[MAX_INSNS];
   unsigned n;
} Filter;

static void emit(Filter* f, struct sock_filter insn) {
   if (f->n < MAX_INSNS)
      f->f[f->n++] = insn;
   else
      f->n = MAX_INSNS + 1; /* too long: refused below */
}

#define SC_ALLOW SECCOMP_RET_ALLOW
#define SC_DENY (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define NR_OFF offsetof(struct seccomp_data, nr)
/* the low 32 bits of an argument (little-endian) */
#define ARG_OFF(i) (offsetof(struct seccomp_data, args) + 8 * (i))

static void allowNr(Filter* f, long nr) {
   emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1));
   emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SC_ALLOW));
}

/* nr allowed when argument arg is one of vals; the accumulator holds nr
 * before and after. */
static void allowNrIf(Filter* f, long nr, int arg, const uint32_t* vals, unsigned nvals) {
   unsigned body = 2 + 2 * nvals + 1;
   emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, (uint8_t)body));
   emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)ARG_OFF(arg)));
   for (unsigned i = 0; i < nvals; i++) {
      emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vals[i], 0, 1));
      emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SC_ALLOW));
   }
   emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SC_DENY));
   emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)NR_OFF));
}

#define ALLOW(name) allowNr(f, SYS_##name)
#define ALLOW_IF(name, arg, ...)                                                                   \
   do {                                                                                            \
      static const uint32_t v_[] = {__VA_ARGS__};                                                  \
      allowNrIf(f, SYS_##name, arg, v_, sizeof v_ / sizeof *v_);                                   \
   } while (0)

/* What every mode does: files, memory, the loop, threads, time. */
static void allowBase(Filter* f) {
   ALLOW(read), ALLOW(write), ALLOW(readv), ALLOW(writev), ALLOW(pread64), ALLOW(close);
   ALLOW(openat), ALLOW(newfstatat), ALLOW(fstat), ALLOW(statx), ALLOW(lseek), ALLOW(getdents64);
   ALLOW(readlinkat), ALLOW(faccessat), ALLOW(faccessat2), ALLOW(fcntl), ALLOW(dup), ALLOW(statfs);
   ALLOW(fstatfs), ALLOW(fsync), ALLOW(fdatasync), ALLOW(ftruncate), ALLOW(pipe2);
   ALLOW(eventfd2); /* the resolver's results, started on first use */
#ifdef SYS_open
   ALLOW(open), ALLOW(stat), ALLOW(lstat), ALLOW(readlink), ALLOW(access), ALLOW(poll);
#endif
   ALLOW(ppoll), ALLOW(epoll_pwait), ALLOW(epoll_ctl), ALLOW(timerfd_settime), ALLOW(timerfd_gettime);
#ifdef SYS_epoll_wait
   ALLOW(epoll_wait);
#endif
   ALLOW(mmap), ALLOW(munmap), ALLOW(mremap), ALLOW(mprotect), ALLOW(brk), ALLOW(madvise);
   ALLOW(futex), ALLOW(set_robust_list), ALLOW(rseq), ALLOW(clone), ALLOW(clone3);
   ALLOW(exit), ALLOW(exit_group), ALLOW(rt_sigreturn), ALLOW(rt_sigprocmask), ALLOW(rt_sigaction);
   ALLOW(getpid), ALLOW(gettid), ALLOW(getuid), ALLOW(geteuid), ALLOW(getgid), ALLOW(getegid);
   ALLOW(uname), ALLOW(getrandom), ALLOW(clock_gettime), ALLOW(clock_nanosleep), ALLOW(nanosleep);
   ALLOW(sched_yield), ALLOW(sched_getaffinity), ALLOW(sysinfo), ALLOW(restart_syscall);
}

/* Signals only to itself (raise, abort, the terminal's suspend). */
static void allowSelfSignals(Filter* f) {
   uint32_t self = (uint32_t)getpid();
   allowNrIf(f, SYS_kill, 0, (uint32_t[]){self, 0}, 2);
   allowNrIf(f, SYS_tgkill, 0, (uint32_t[]){self}, 1);
}

static void allowSockets(Filter* f, const SandboxPlan* p) {
   if (p->resolver)
      ALLOW_IF(socket, 0, AF_NETLINK, AF_INET, AF_INET6, AF_UNIX);
   else
      ALLOW_IF(socket, 0, AF_NETLINK);
   ALLOW(connect), ALLOW(bind), ALLOW(getsockname), ALLOW(getpeername), ALLOW(setsockopt);
   ALLOW(getsockopt), ALLOW(sendto), ALLOW(recvfrom), ALLOW(sendmsg), ALLOW(recvmsg);
   ALLOW(sendmmsg), ALLOW(recvmmsg), ALLOW(shutdown);
}

static void allowIoctls(Filter* f, const SandboxPlan* p) {
   uint32_t cmds[12];
   unsigned n = 0;
   cmds[n++] = FIONREAD;
   if (p->tty) {
      cmds[n++] = TCGETS, cmds[n++] = TCSETS, cmds[n++] = TCSETSW, cmds[n++] = TCSETSF;
      cmds[n++] = TIOCGWINSZ, cmds[n++] = TCFLSH;
   }
   if (p->probe) /* detaching at exit */
      cmds[n++] = PERF_EVENT_IOC_DISABLE;
   allowNrIf(f, SYS_ioctl, 1, cmds, n);
}

static int buildFilter(Filter* f, const SandboxPlan* p) {
#ifndef VN_AUDIT_ARCH
   (void)f, (void)p;
   return -1;
#else
   emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
   emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VN_AUDIT_ARCH, 1, 0));
   emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
   emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)NR_OFF));
#ifdef __x86_64__
   /* the x32 numbers alias ours: none of them */
   emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
   emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SC_DENY));
#endif
   allowBase(f);
   allowSelfSignals(f);
   allowIoctls(f, p);
   allowSockets(f, p);
   if (p->probe) {
      ALLOW_IF(bpf, 0, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
               BPF_MAP_GET_NEXT_KEY, BPF_OBJ_GET_INFO_BY_FD);
      ALLOW(getppid); /* the probe's flush trigger */
   }
   if (p->forks)
      ALLOW(setns), ALLOW(wait4), ALLOW(waitid);
   if (p->actions) /* a signal the user confirmed, to the process they chose */
      ALLOW(pidfd_open), ALLOW(pidfd_send_signal);
   if (p->config) { /* the settings file: written beside, renamed over */
      ALLOW(renameat), ALLOW(renameat2), ALLOW(unlinkat), ALLOW(mkdirat);
#ifdef SYS_rename
      ALLOW(rename), ALLOW(unlink), ALLOW(mkdir);
#endif
   }
   emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SC_DENY));
   return f->n <= MAX_INSNS ? 0 : -1;
#endif
}

static int seccompApply(const SandboxPlan* p, char* note, size_t notelen, char* err, size_t errlen) {
   static Filter f; /* 4 KiB: off the stack */
   f.n = 0;
   if (buildFilter(&f, p) < 0) {
      addNote(note, notelen, "seccomp: no system call list for this architecture");
      return 0;
   }
   struct sock_fprog prog = {.len = (unsigned short)f.n, .filter = f.f};
   if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog) == 0)
      return 0;
   if (errno == EINVAL || errno == ENOSYS) {
      addNote(note, notelen, "seccomp: not in this kernel, system calls are not restricted");
      return 0;
   }
   snprintf(err, errlen, "seccomp: %s", strerror(errno));
   return -1;
}

int Sandbox_apply(const SandboxPlan* p, char* note, size_t notelen, char* err, size_t errlen) {
   note[0] = '\0';
   if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
      snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
      return -1;
   }
   /* Landlock also denies a sandboxed process ptrace access to processes
    * outside its domain, which /proc/PID/fd needs: the fallback, reading
    * them at every refresh, goes without it. */
   if (!p->forks && landlockApply(p, note, notelen, err, errlen) < 0)
      return -1;
   return seccompApply(p, note, notelen, err, errlen);
}

void Sandbox_probe(const char* path, char* out, size_t len) {
   int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
   char w[80];
   snprintf(w, sizeof w, "%s", fd >= 0 ? "ok" : strerror(errno));
   if (fd >= 0)
      close(fd);
   char cwd[256];
   long rc = syscall(SYS_getcwd, cwd, sizeof cwd);
   snprintf(out, len, "write %s: %s; getcwd: %s", path, w, rc >= 0 ? "ok" : strerror(errno));
}
