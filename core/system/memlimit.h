/* memlimit.h: the memory cgroup limit visnet runs under, and what fits in it.
 *
 * A memory cgroup counts the probe's maps and ring buffers (kernel memory
 * charged to the loader) with visnet's own pages: a limit too small for
 * them kills visnet with SIGKILL while it loads, saying nothing. So the
 * limit is read first (cgroup v2 memory.max, or v1 memory.limit_in_bytes,
 * the tightest on the way from visnet's cgroup to the root) and the run is
 * fitted to it: a smaller history, or a one-line refusal. */
#ifndef VISNET_MEMLIMIT_H
#define VISNET_MEMLIMIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct MemLimit_ {
   uint64_t limit;   /* bytes */
   uint64_t usage;   /* bytes that cgroup holds now */
   char cgroup[200]; /* its path in its hierarchy ("/vn-m64") */
} MemLimit;

/* Finds the limit from the text of /proc/self/cgroup and /proc/self/mounts;
 * prefix is put before every mount point (the tests' fake trees; "" for the
 * system). 0 with m filled, 1 when no limit applies, -1 when no memory
 * controller is mounted. */
int MemLimit_find(const char* cgroup_text, const char* mounts_text, const char* prefix,
                  MemLimit* m);
/* The same for this process. */
int MemLimit_read(MemLimit* m);

/* What a run needs: its peak while the probe loads (the verifier's and
 * libbpf's passing memory; 0 without a probe), what it then holds whatever
 * it sees (the probe's maps and rings, user space's base), the bytes of
 * one inactive entry, and the history cap asked for. */
typedef struct MemNeed_ {
   uint64_t load_peak;
   uint64_t fixed;
   uint64_t entry;
   size_t cap;
} MemNeed;

/* Entries below this are no history worth running for. */
#define MEMLIMIT_MIN_ENTRIES 4096

/* The history cap that fits (<= n->cap) in *cap, and the bytes the run
 * needs at least in *need; -1 when it does not fit, 0 otherwise. */
int MemLimit_fit(const MemLimit* m, const MemNeed* n, size_t* cap, uint64_t* need);

#endif
