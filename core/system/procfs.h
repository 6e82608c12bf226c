/* procfs.h: processes and their socket inodes from /proc (internal to the
 * snapshot). Parsing helpers are exposed for the unit tests. */
#ifndef VISNET_PROCFS_H
#define VISNET_PROCFS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "u64map.h"

/* A process seen by the scan: what sockets need from their owner. */
typedef struct ProcOwner_ {
   uint32_t pid;
   uint64_t start;
   uint64_t cgroup;
} ProcOwner;

/* A network namespace other than ours and one process inside it. */
typedef struct ForeignNetns_ {
   uint32_t ino;
   uint32_t pid;
} ForeignNetns;

typedef struct ProcScan_ {
   ProcOwner* owners; /* one per process scanned (or helped with) */
   size_t nowners, capowners;
   U64Map inodes;       /* socket inode -> index in owners (lowest pid wins) */
   ForeignNetns* netns; /* distinct namespaces other than self_netns */
   size_t nnetns, capnetns;
   size_t denied; /* /proc/PID/fd we could not read */
   int lack;      /* a resource that ran out while reading (EMFILE, ENFILE, ENOMEM), 0: none */
   size_t lacked; /* processes it kept us from reading */
   int* fdbuf;    /* fd numbers of the directory being read */
   size_t fdcap;
   bool oom; /* an allocation failed while helping */
} ProcScan;

/* One big /proc/PID/fd directory shared between threads: its owner lists
 * the fd numbers, then every thread that calls FdJob_help takes chunks of
 * readlinkat calls. One job at a time; zero-initialise it. */
#define FDJOB_MIN 512 /* fds below which a directory is read alone */
#define FDJOB_CHUNK 128

typedef struct FdJob_ {
   atomic_int busy;    /* the slot is taken by an owner */
   atomic_int active;  /* chunks may be claimed */
   atomic_int helpers; /* threads inside, besides the owner */
   atomic_size_t next; /* first unclaimed index in fds */
   int dirfd;
   const int* fds;
   size_t n;
   ProcOwner owner;
} FdJob;

/* Helps with the job in progress, if any (returns at once otherwise). */
void FdJob_help(FdJob* job, ProcScan* scan);

/* Walks proc_root: emits one EV_PROC per process (ts = now) through fn and
 * fills scan. cgroup_root is where cgroup v2 paths are resolved ("" to skip).
 * self_netns: namespaces other than this are collected (0 to skip). */
int Procfs_scan(const char* proc_root, const char* cgroup_root, uint32_t self_netns, uint64_t now,
                EventSink fn, void* ctx, ProcScan* scan, char* errbuf, size_t errlen);
void ProcScan_free(ProcScan* scan);

/* The same scan in pieces, for several threads: list the pids once, let
 * each worker scan its share into its own ProcScan, merge them after. */
typedef struct ProcList_ {
   int rootfd;
   uint32_t* pids; /* sorted */
   size_t n;
} ProcList;

int ProcList_open(ProcList* l, const char* proc_root, char* errbuf, size_t errlen);
void ProcList_close(ProcList* l);
/* Reads one process into e and its sockets into scan: 1 if read, 0 if it is
 * gone or unreadable, -1 when out of memory. A big fd directory is shared
 * through job when job is not NULL. */
int Procfs_scanPid(int rootfd, uint32_t pid, const char* cgroup_root, uint32_t self_netns,
                   uint64_t now, Event* e, ProcScan* scan, FdJob* job);
/* Adds src's owners, inodes (lowest pid wins) and namespaces to dst. */
int ProcScan_merge(ProcScan* dst, const ProcScan* src);

/* Parses the contents of /proc/PID/stat: comm (between the first '(' and
 * the LAST ')'), ppid (field 4) and starttime (field 22, clock ticks).
 * Returns 0, or -1 if malformed. comm gets at most VN_COMM_LEN-1 bytes. */
int Procfs_parseStat(const char* buf, size_t len, char comm[VN_COMM_LEN], uint32_t* ppid,
                     uint64_t* start_ticks);
/* Real uid from the "Uid:" line of /proc/PID/status; -1 if absent. */
int Procfs_parseUid(const char* buf, uint32_t* uid);
/* The cgroup v2 path ("0::/path" line) of /proc/PID/cgroup, copied to out:
 * to the end of the file, as a path may hold newlines. Returns 0, or -1 if
 * there is none. */
int Procfs_parseCgroup(const char* buf, char* out, size_t outlen);
/* "socket:[12345]" -> 12345; 0 if the link is not a socket. */
uint64_t Procfs_socketInode(const char* link, size_t len);

/* Clock ticks -> ns. */
uint64_t Procfs_ticksToNs(uint64_t ticks);

#endif
