/* probe.h: the kernel probe as seen by the rest of visnet.
 *
 * The only module that includes libbpf is the loader behind this header;
 * callers see an opaque Probe that turns ring buffer records into core
 * Events. Errors come back as one line in errbuf, never printed here.
 *
 * Its modes and sizes come in ProbeOpts, which the program fills from its
 * options (src/options.c: --probe-bytes, --probe-states, and the
 * VISNET_PROBE_* variables the tests and measurements use); the loader
 * reads no environment. Once attached the probe needs no capability: the ring buffer is mapped,
 * maps are read through fds already open, Probe_poll is a getppid().
 */
#ifndef VISNET_PROBE_H
#define VISNET_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

typedef struct Probe_ Probe;


typedef struct ProbeOpts_ {
   uint32_t self_pid;      /* visnet's own pid, ignored by the probe */
   bool verbose;           /* libbpf debug output to stderr */
   bool bytes_trace;       /* count TCP bytes on every send and receive
                              instead of reading tcp_sock at each Probe_poll */
   bool states_all;        /* an EV_STATE for every TCP state change, not only
                              for states that last until a Probe_poll */
   bool compat;            /* load the probe built without kfuncs even where
                              the kernel has them (tests of that variant) */
   uint32_t owner_buckets; /* owner table of this many buckets of 8 (a power of
                              two up to 16384, to test a full one); 0: 16384 */
   uint32_t wakeup_bytes;  /* wake the reader once this much waits in a ring
                              (1: at every record); 0: half the ring */
   uint32_t ring_kib;      /* each CPU's ring of this many KiB (a power of two,
                              at least 4, to make a loss in tests); 0: 16 MiB
                              shared out between the CPUs */
} ProbeOpts;

/* What loading the probe charges to visnet's memory cgroup, measured on
 * kernel 6.18 (docs/LIMITS.md): the peak while it loads (the verifier's
 * passing memory and libbpf's copy of the kernel's BTF), and what the maps
 * and rings of these options then hold. */
#define PROBE_LOAD_PEAK_BYTES (52ull << 20) /* 49.4 MiB measured, and some room */
uint64_t Probe_heldBytes(const ProbeOpts* o);

/* Opens, loads and attaches. Returns NULL with a one-line reason in errbuf
 * (not root, no BTF, tracefs, a missing tracepoint ...). Features whose
 * tracepoint is missing are disabled and listed by Probe_warnings. */
Probe* Probe_open(const ProbeOpts* o, EventSink sink, void* ctx,
                  char* errbuf, size_t errlen);
/* The ring buffer's epoll-able fd. It becomes readable only once half the
 * ring buffer waits (VISNET_PROBE_WAKEUP=bytes changes it, 0 = every
 * record): call Probe_consume on a short timer (source.c: 50 ms) and
 * Probe_poll on the refresh timer. */
int Probe_fd(const Probe* p);
/* Consumes every pending record, calling the sink; returns records read or
 * -1 on error. */
int Probe_consume(Probe* p);
/* Reads kernel-side aggregates (UDP peers, live byte counts, TCP states
 * that lasted) and consumes every pending record; call on the refresh
 * timer and once more before Probe_close. Returns records read or -1. */
int Probe_poll(Probe* p);
/* Events lost in the kernel, all CPUs: ring buffer reservations that
 * failed, and program runs the kernel skipped (one interrupting itself),
 * the latter as of the last Probe_poll. */
uint64_t Probe_lost(const Probe* p);
/* TCP sockets whose owner found the owner table's bucket full: their
 * later events carry no owner (pid 0). */
uint64_t Probe_untracked(const Probe* p);
/* What each of the probe's maps could not hold (seeds: the caller's). */
void Probe_mapFull(const Probe* p, MapFull* out);
/* Tells the probe the holder of a TCP socket older than it, found in
 * /proc (socket:[ino]): that socket's events then carry this owner. Call
 * before the first Probe_consume after the snapshot. Returns 0, or -errno
 * (-E2BIG: the table of 65 536 is full). */
int Probe_seed(Probe* p, uint64_t ino, uint32_t pid, uint64_t pstart, uint64_t cgroup,
               uint8_t dir);
/* Semicolon-separated list of features disabled at load, or "". */
const char* Probe_warnings(const Probe* p);
void Probe_close(Probe* p);

#endif
