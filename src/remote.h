/* remote.h: one child per host of a fleet, each an ssh (or --ssh-command)
 * running visnet --json on that host, or this visnet itself for "local";
 * their standard output read line by line in the program's loop.
 *
 * A child that ends, or that its owner cuts off, is said once (ended) and
 * started again after a back-off: 1 s, then twice as long each time up to
 * REMOTE_RETRY_MAX_S, from the start again once a connection said hello
 * (Remotes_ok). Children run in a session of their own: the terminal's
 * keys do not reach them and ssh cannot ask for a password there. */
#ifndef VISNET_REMOTE_H
#define VISNET_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

#define REMOTE_RETRY_MAX_S 30
#define REMOTE_LOCAL "local"

typedef struct Remotes_ Remotes;

typedef struct RemoteCb_ {
   /* A whole line of host i's stream, its newline taken off. */
   void (*line)(void* ctx, size_t i, const char* line, size_t len);
   /* Host i's child is gone: why, one line (its last words on stderr, its
    * exit status, or the reason it was cut off). */
   void (*ended)(void* ctx, size_t i, const char* reason);
   void* ctx;
} RemoteCb;

typedef struct RemoteCmd_ {
   const char* ssh;    /* the command, split at blanks; NULL: "ssh" */
   const char* visnet; /* on the far side; NULL: "visnet" */
   const char* netns;  /* --netns for every host's visnet, or NULL */
} RemoteCmd;

/* hosts: n names (copied), each started by the first Remotes_tick (so
 * that the owner has the Remotes when a start fails and says so). NULL
 * with a reason in err if memory fails. */
Remotes* Remotes_new(Loop* loop, char (*hosts)[64], size_t n, const RemoteCmd* cmd,
                     const RemoteCb* cb, char* err, size_t errlen);
/* Cuts host i's child off (kills it): ended is called with why. */
void Remotes_cut(Remotes* r, size_t i, const char* why);
/* Host i's connection works (it said hello): the next back-off is short. */
void Remotes_ok(Remotes* r, size_t i);
/* Starts the children whose back-off has run out; call at every tick. */
void Remotes_tick(Remotes* r);
/* Seconds until host i is tried again, 0 if it is running. */
unsigned Remotes_retryIn(const Remotes* r, size_t i);
/* Is host i's child running? */
int Remotes_running(const Remotes* r, size_t i);
/* The argv a host's child is started with (for tests and messages),
 * joined by blanks. */
const char* Remotes_command(const Remotes* r, size_t i, char* buf, size_t len);
/* Ends every child (their stdin closed, then SIGTERM, then SIGKILL after
 * a second) and waits for them; frees everything. */
void Remotes_free(Remotes* r);

#endif
