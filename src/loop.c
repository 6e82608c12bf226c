/* loop.c: epoll over registered fds, one timerfd and one signalfd. */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_EVENTS 64 /* taken from epoll at a time */

/* Indexed by fd: a fleet watches three fds per host. An fd removed while
 * its event waits in the batch finds no handler and is skipped. */
typedef struct Handler_ {
   LoopFn fn;
   void* ctx;
} Handler;

struct Loop_ {
   int epfd;
   int timerfd;
   int sigfd;
   int deadlinefd;
   LoopFn timer_fn;
   void* timer_ctx;
   LoopSigFn sig_fn;
   void* sig_ctx;
   Handler* byfd;
   int cap;
   int stop_rc;
   int stopping;
};

static uint64_t clockNs(clockid_t c) {
   struct timespec ts;
   clock_gettime(c, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t Loop_nowNs(void) { return clockNs(CLOCK_BOOTTIME); }
uint64_t Loop_monoNs(void) { return clockNs(CLOCK_MONOTONIC); }
uint64_t Loop_wallNs(void) { return clockNs(CLOCK_REALTIME); }

Loop* Loop_new(char* err, size_t errlen) {
   Loop* l = calloc(1, sizeof *l);
   if (!l) {
      snprintf(err, errlen, "out of memory");
      return NULL;
   }
   l->timerfd = l->sigfd = l->deadlinefd = -1;
   l->epfd = epoll_create1(EPOLL_CLOEXEC);
   if (l->epfd < 0) {
      snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
      free(l);
      return NULL;
   }
   return l;
}

void Loop_free(Loop* l) {
   if (!l)
      return;
   if (l->timerfd >= 0)
      close(l->timerfd);
   if (l->sigfd >= 0)
      close(l->sigfd);
   if (l->deadlinefd >= 0)
      close(l->deadlinefd);
   close(l->epfd);
   free(l->byfd);
   free(l);
}

static int watch(Loop* l, int fd) {
   struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
   return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int Loop_addFd(Loop* l, int fd, LoopFn fn, void* ctx) {
   if (fd < 0) {
      errno = EBADF;
      return -1;
   }
   if (fd >= l->cap) {
      int cap = fd + 64;
      Handler* h = realloc(l->byfd, (size_t)cap * sizeof *h);
      if (!h)
         return -1;
      memset(h + l->cap, 0, (size_t)(cap - l->cap) * sizeof *h);
      l->byfd = h;
      l->cap = cap;
   }
   if (watch(l, fd) < 0)
      return -1;
   l->byfd[fd] = (Handler){fn, ctx};
   return 0;
}

int Loop_delFd(Loop* l, int fd) {
   if (fd < 0 || fd >= l->cap || !l->byfd[fd].fn) {
      errno = ENOENT;
      return -1;
   }
   l->byfd[fd].fn = NULL;
   return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

int Loop_setTimer(Loop* l, unsigned interval_ms, LoopFn fn, void* ctx) {
   if (l->timerfd < 0) {
      l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
      if (l->timerfd < 0 || watch(l, l->timerfd) < 0)
         return -1;
   }
   l->timer_fn = fn;
   l->timer_ctx = ctx;
   struct timespec iv = {interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L};
   struct itimerspec its = {.it_interval = iv, .it_value = iv};
   return timerfd_settime(l->timerfd, 0, &its, NULL);
}

int Loop_setDeadline(Loop* l, double seconds, LoopFn fn, void* ctx) {
   if (l->deadlinefd >= 0) {
      errno = EBUSY;
      return -1;
   }
   l->deadlinefd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
   if (l->deadlinefd < 0)
      return -1;
   struct itimerspec its = {.it_value = {(time_t)seconds,
                                         (long)((seconds - (double)(time_t)seconds) * 1e9)}};
   if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
      its.it_value.tv_nsec = 1; /* 0 would disarm it */
   if (timerfd_settime(l->deadlinefd, 0, &its, NULL) < 0)
      return -1;
   return Loop_addFd(l, l->deadlinefd, fn, ctx);
}

int Loop_onSignals(Loop* l, LoopSigFn fn, void* ctx) {
   sigset_t set;
   sigemptyset(&set);
   sigaddset(&set, SIGINT);
   sigaddset(&set, SIGTERM);
   sigaddset(&set, SIGHUP);
   sigaddset(&set, SIGQUIT);
   sigaddset(&set, SIGWINCH);
   if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
      return -1;
   l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
   if (l->sigfd < 0 || watch(l, l->sigfd) < 0)
      return -1;
   l->sig_fn = fn;
   l->sig_ctx = ctx;
   return 0;
}

void Loop_stop(Loop* l, int rc) {
   l->stopping = 1;
   l->stop_rc = rc;
}

static int onTimer(Loop* l) {
   uint64_t n;
   if (read(l->timerfd, &n, sizeof n) < 0 && errno != EAGAIN)
      return -1;
   return l->timer_fn ? l->timer_fn(l->timer_ctx) : 0;
}

static int onSignal(Loop* l) {
   struct signalfd_siginfo si;
   while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
      int rc = l->sig_fn ? l->sig_fn(l->sig_ctx, (int)si.ssi_signo) : 0;
      if (rc)
         return rc;
   }
   return 0;
}

static int dispatch(Loop* l, int fd) {
   if (fd == l->timerfd)
      return onTimer(l);
   if (fd == l->sigfd)
      return onSignal(l);
   if (fd >= 0 && fd < l->cap && l->byfd[fd].fn)
      return l->byfd[fd].fn(l->byfd[fd].ctx);
   return 0;
}

int Loop_run(Loop* l) {
   struct epoll_event evs[LOOP_EVENTS];
   while (!l->stopping) {
      int n = epoll_wait(l->epfd, evs, LOOP_EVENTS, -1);
      if (n < 0) {
         if (errno == EINTR)
            continue;
         return -1;
      }
      for (int i = 0; i < n && !l->stopping; i++) {
         int rc = dispatch(l, evs[i].data.fd);
         if (rc)
            return rc;
      }
   }
   return l->stop_rc;
}
