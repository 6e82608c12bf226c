/* sandbox.h: what visnet may still do once everything is open: no new
 * privileges, a Landlock file system view, a seccomp system call list.
 * docs/SECURITY.md describes the stages of a run. */
#ifndef VISNET_SANDBOX_H
#define VISNET_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
   const char* replay; /* read: the event log replayed, or NULL */
   const char* record; /* read and written: the event log recorded, or NULL */
   bool probe;         /* live: the probe's maps (bpf) and its flush (getppid) */
   bool forks;         /* the fallback: children that enter other network
                        * namespaces, other processes' /proc/PID/fd read at
                        * every refresh (no Landlock then) */
   bool tty;           /* the terminal UI: terminal ioctls */
   bool resolver;      /* reverse DNS: sockets to name servers */
   bool actions;       /* the UI's signals to processes and closes of
                        * connections: pidfd signals, no Landlock signal scope */
   const char* config; /* the settings file the setup screen saves, or NULL:
                        * its directory may be written (a file made and
                        * renamed over the old) */
} SandboxPlan;

/* Sets no_new_privs, then restricts the file system with Landlock and the
 * system calls with seccomp, in this thread and every thread started
 * after. A layer the kernel lacks is skipped and named in note ("" when
 * all three hold). Returns 0, or -1 with err set when a layer the kernel
 * has could not be applied. */
int Sandbox_apply(const SandboxPlan* p, char* note, size_t notelen, char* err, size_t errlen);

/* The test hook (VISNET_SANDBOX_PROBE=PATH): tries what the sandbox
 * forbids, creating PATH and calling getcwd, and writes the outcome in out
 * ("write PATH: Permission denied; getcwd: Operation not permitted"). */
void Sandbox_probe(const char* path, char* out, size_t len);

#endif
