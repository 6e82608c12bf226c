/* loop.h: the one event loop: epoll over fds, a periodic timer (timerfd)
 * and signals (signalfd). Callbacks run on the loop's thread. */
#ifndef VISNET_LOOP_H
#define VISNET_LOOP_H

#include <stddef.h>
#include <stdint.h>

typedef struct Loop_ Loop;
/* Returns 0 to go on, non-zero to stop the loop (its value is returned by
 * Loop_run). */
typedef int (*LoopFn)(void* ctx);
typedef int (*LoopSigFn)(void* ctx, int signo);

Loop* Loop_new(char* err, size_t errlen);
void Loop_free(Loop* l);
int Loop_addFd(Loop* l, int fd, LoopFn fn, void* ctx);
int Loop_delFd(Loop* l, int fd);
/* A periodic tick every interval_ms (one timer per loop; calling again
 * changes the interval). */
int Loop_setTimer(Loop* l, unsigned interval_ms, LoopFn fn, void* ctx);
/* Calls fn once, seconds from now (CLOCK_MONOTONIC): --duration. One per
 * loop. */
int Loop_setDeadline(Loop* l, double seconds, LoopFn fn, void* ctx);
/* Blocks SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGQUIT and delivers them here. */
int Loop_onSignals(Loop* l, LoopSigFn fn, void* ctx);
/* Runs until a callback returns non-zero or Loop_stop; returns that value. */
int Loop_run(Loop* l);
void Loop_stop(Loop* l, int rc);
/* CLOCK_BOOTTIME now, in ns (the clock of Event.ts). */
uint64_t Loop_nowNs(void);
/* CLOCK_MONOTONIC (intervals, back-offs) and the wall clock (ns since the
 * epoch, for "time" fields), in ns. */
uint64_t Loop_monoNs(void);
uint64_t Loop_wallNs(void);

#endif
