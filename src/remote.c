/* remote.c: the children that bring a fleet's streams (remote.h). */
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jsonread.h"

#define MAX_WORDS 48
#define WHY_LEN 240

typedef struct Child_ {
   struct Remotes_* r;
   size_t i;
   char name[64];
   pid_t pid; /* 0: not running */
   int pidfd, out, err, in;
   char* buf; /* a line of stdout not yet whole */
   size_t len;
   char last[WHY_LEN];    /* the last whole line on stderr */
   char errpart[WHY_LEN]; /* the one being written */
   size_t errlen;
   unsigned attempts; /* failed starts since the last hello */
   uint64_t retry_at; /* CLOCK_MONOTONIC ns; 0: none due */
   uint64_t cut_at;   /* when it was cut off, 0: not */
   char cut_why[WHY_LEN];
} Child;

struct Remotes_ {
   Loop* loop;
   Child* c;
   size_t n;
   RemoteCb cb;
   char* ssh_words[MAX_WORDS];
   size_t nssh;
   char* far_words[MAX_WORDS]; /* visnet's words on the far side, and its arguments */
   size_t nfar;
   size_t nprog;        /* of which the program's (--remote-visnet) */
   char self[PATH_MAX]; /* this program, for "local" */
   char* split;         /* the copies the words point into */
};

/* Splits s (copied into *store, appended) at blanks into words. */
static size_t words(const char* s, char** out, size_t max, char* copy) {
   size_t n = 0;
   strcpy(copy, s);
   for (char* tok = strtok(copy, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
      out[n++] = tok;
   return n;
}

static bool isLocal(const Child* c) {
   return strcmp(c->name, REMOTE_LOCAL) == 0;
}

/* argv of host c's child, in v (at most MAX_WORDS * 2 + 16 entries). */
static size_t argvOf(const Remotes* r, const Child* c, char** v) {
   static char* const SSH_OPTS[] = {"-T",
                                    "-o",
                                    "BatchMode=yes",
                                    "-o",
                                    "LogLevel=ERROR",
                                    "-o",
                                    "ServerAliveInterval=5",
                                    "-o",
                                    "ServerAliveCountMax=3",
                                    "-o",
                                    "ConnectTimeout=10"};
   size_t n = 0;
   if (isLocal(c)) {
      v[n++] = (char*)r->self;
      for (size_t k = r->nprog; k < r->nfar; k++) /* its arguments, not the far program */
         v[n++] = r->far_words[k];
   } else {
      for (size_t k = 0; k < r->nssh; k++)
         v[n++] = r->ssh_words[k];
      for (size_t k = 0; k < sizeof SSH_OPTS / sizeof SSH_OPTS[0]; k++)
         v[n++] = SSH_OPTS[k];
      v[n++] = "--";
      v[n++] = (char*)c->name;
      for (size_t k = 0; k < r->nfar; k++)
         v[n++] = r->far_words[k];
   }
   v[n] = NULL;
   return n;
}

const char* Remotes_command(const Remotes* r, size_t i, char* buf, size_t len) {
   char* v[MAX_WORDS * 2 + 16];
   size_t n = argvOf(r, &r->c[i], v), used = 0;
   buf[0] = '\0';
   for (size_t k = 0; k < n && used < len; k++)
      used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? " " : "", v[k]);
   return buf;
}

static void execChild(const Remotes* r, const Child* c, int in, int out, int err) {
   char* v[MAX_WORDS * 2 + 16];
   argvOf(r, c, v);
   sigset_t none;
   sigemptyset(&none);
   sigprocmask(SIG_SETMASK, &none, NULL); /* the loop's signalfd blocked them */
   signal(SIGPIPE, SIG_DFL);
   setsid();
   if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
      _exit(127);
   syscall(SYS_close_range, 3u, ~0u, 0u);
   execvp(v[0], v);
   dprintf(2, "visnet: cannot run %s: %s\n", v[0], strerror(errno));
   _exit(127);
}

static int onOut(void* ctx);
static int onErr(void* ctx);
static int onExit(void* ctx);

static void closeFd(Remotes* r, int* fd) {
   if (*fd < 0)
      return;
   Loop_delFd(r->loop, *fd);
   close(*fd);
   *fd = -1;
}

static void later(Child* c) {
   unsigned s = c->attempts < 5 ? 1u << c->attempts : REMOTE_RETRY_MAX_S;
   if (s > REMOTE_RETRY_MAX_S)
      s = REMOTE_RETRY_MAX_S;
   c->attempts++;
   c->retry_at = Loop_monoNs() + (uint64_t)s * 1000000000ull;
}

static int start(Remotes* r, Child* c) {
   int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
   pid_t pid = -1;
   c->len = 0;
   c->last[0] = c->errpart[0] = c->cut_why[0] = '\0';
   c->errlen = 0;
   c->cut_at = 0;
   c->retry_at = 0;
   if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
      goto fail;
   pid = fork();
   if (pid < 0)
      goto fail;
   if (pid == 0)
      execChild(r, c, in[0], out[1], err[1]);
   close(in[0]);
   close(out[1]);
   close(err[1]);
   c->pid = pid;
   c->in = in[1];
   c->out = out[0];
   c->err = err[0];
   c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
   fcntl(c->out, F_SETFL, O_NONBLOCK);
   fcntl(c->err, F_SETFL, O_NONBLOCK);
   if (c->pidfd < 0 || Loop_addFd(r->loop, c->out, onOut, c) < 0 ||
       Loop_addFd(r->loop, c->err, onErr, c) < 0 || Loop_addFd(r->loop, c->pidfd, onExit, c) < 0) {
      Remotes_cut(r, c->i, "cannot watch the child (out of file descriptors?)");
      return -1;
   }
   return 0;
fail:
   snprintf(c->last, sizeof c->last, "cannot start: %s", strerror(errno));
   for (int k = 0; k < 2; k++) {
      if (in[k] >= 0)
         close(in[k]);
      if (out[k] >= 0)
         close(out[k]);
      if (err[k] >= 0)
         close(err[k]);
   }
   later(c);
   r->cb.ended(r->cb.ctx, c->i, c->last);
   return -1;
}

Remotes* Remotes_new(Loop* loop, char (*hosts)[64], size_t n, const RemoteCmd* cmd,
                     const RemoteCb* cb, char* err, size_t errlen) {
   Remotes* r = calloc(1, sizeof *r);
   const char* ssh = cmd->ssh ? cmd->ssh : "ssh";
   const char* far = cmd->visnet ? cmd->visnet : "visnet";
   if (r)
      r->split = malloc(strlen(ssh) + strlen(far) + 2);
   if (r)
      r->c = calloc(n ? n : 1, sizeof *r->c);
   if (!r || !r->split || !r->c) {
      snprintf(err, errlen, "out of memory");
      Remotes_free(r);
      return NULL;
   }
   r->loop = loop;
   r->cb = *cb;
   r->n = n;
   r->nssh = words(ssh, r->ssh_words, MAX_WORDS, r->split);
   r->nfar = words(far, r->far_words, MAX_WORDS - 4, r->split + strlen(ssh) + 1);
   r->nprog = r->nfar;
   r->far_words[r->nfar++] = "--json";
   r->far_words[r->nfar++] = "--while-stdin";
   if (cmd->netns) {
      r->far_words[r->nfar++] = "--netns";
      r->far_words[r->nfar++] = (char*)cmd->netns;
   }
   ssize_t k = readlink("/proc/self/exe", r->self, sizeof r->self - 1);
   r->self[k > 0 ? k : 0] = '\0';
   for (size_t i = 0; i < n; i++) {
      Child* c = &r->c[i];
      *c = (Child){.r = r, .i = i, .pidfd = -1, .out = -1, .err = -1, .in = -1};
      snprintf(c->name, sizeof c->name, "%s", hosts[i]);
      c->buf = malloc(JSONREAD_MAX_LINE + 1);
      if (!c->buf) {
         snprintf(err, errlen, "out of memory");
         Remotes_free(r);
         return NULL;
      }
   }
   for (size_t i = 0; i < n; i++)
      r->c[i].retry_at = 1; /* due: the first Remotes_tick starts them */
   return r;
}

/* Whole lines go to the owner; a line longer than a stream may send cuts
 * the child off. */
static void takeLines(Remotes* r, Child* c, const char* data, size_t n) {
   while (n && c->out >= 0) {
      const char* nl = memchr(data, '\n', n);
      size_t part = nl ? (size_t)(nl - data) : n;
      if (c->len + part > JSONREAD_MAX_LINE) {
         char why[WHY_LEN];
         snprintf(why, sizeof why, "a line longer than %d bytes: not visnet's stream",
                  JSONREAD_MAX_LINE);
         Remotes_cut(r, c->i, why);
         return;
      }
      memcpy(c->buf + c->len, data, part);
      c->len += part;
      if (!nl)
         return;
      size_t len = c->len;
      c->len = 0;
      r->cb.line(r->cb.ctx, c->i, c->buf, len);
      data += part + 1;
      n -= part + 1;
   }
}

static int onOut(void* ctx) {
   Child* c = ctx;
   Remotes* r = c->r;
   char buf[65536];
   for (int rounds = 0; rounds < 16 && c->out >= 0; rounds++) {
      ssize_t n = read(c->out, buf, sizeof buf);
      if (n > 0) {
         takeLines(r, c, buf, (size_t)n);
         continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
         break;
      closeFd(r, &c->out); /* the end: its exit says why */
   }
   return 0;
}

/* The last line it said on stderr: ssh's, the shell's or visnet's reason. */
static void takeErr(Child* c, const char* data, size_t n) {
   for (size_t k = 0; k < n; k++) {
      char ch = data[k];
      if (ch == '\n' || ch == '\r') {
         if (c->errlen) {
            c->errpart[c->errlen] = '\0';
            memcpy(c->last, c->errpart, c->errlen + 1);
         }
         c->errlen = 0;
      } else if (c->errlen + 1 < sizeof c->errpart) {
         c->errpart[c->errlen++] = (unsigned char)ch < ' ' ? '?' : ch;
      }
   }
}

static int onErr(void* ctx) {
   Child* c = ctx;
   char buf[4096];
   ssize_t n = read(c->err, buf, sizeof buf);
   if (n > 0)
      takeErr(c, buf, (size_t)n);
   else if (n == 0 || (errno != EAGAIN && errno != EINTR))
      closeFd(c->r, &c->err);
   return 0;
}

static void reasonOf(const Child* c, int status, char* why, size_t len) {
   if (c->cut_at) {
      snprintf(why, len, "%s", c->cut_why);
      return;
   }
   const char* said = c->errlen ? c->errpart : c->last;
   int room = len > 40 ? (int)len - 40 : 0; /* for the words after it */
   if (WIFSIGNALED(status))
      snprintf(why, len, "%.*s%s(killed by a signal)", room, said, said[0] ? " " : "");
   else if (WEXITSTATUS(status) == 0)
      snprintf(why, len, "%.*s%sthe stream ended", room, said, said[0] ? ": " : "");
   else if (!said[0])
      snprintf(why, len, "exit status %d", WEXITSTATUS(status));
   else
      snprintf(why, len, "%.*s", room + 39, said);
}

static int onExit(void* ctx) {
   Child* c = ctx;
   Remotes* r = c->r;
   if (c->out >= 0 && !c->cut_at)
      onOut(c); /* what it wrote before it went */
   if (c->err >= 0)
      onErr(c);
   int status = 0;
   (void)waitpid(c->pid, &status, 0);
   c->pid = 0;
   closeFd(r, &c->out);
   closeFd(r, &c->err);
   closeFd(r, &c->pidfd);
   if (c->in >= 0) {
      close(c->in);
      c->in = -1;
   }
   char why[WHY_LEN];
   reasonOf(c, status, why, sizeof why);
   later(c);
   r->cb.ended(r->cb.ctx, c->i, why);
   return 0;
}

void Remotes_cut(Remotes* r, size_t i, const char* why) {
   Child* c = &r->c[i];
   if (!c->pid || c->cut_at)
      return;
   snprintf(c->cut_why, sizeof c->cut_why, "%s", why);
   c->cut_at = Loop_monoNs();
   closeFd(r, &c->out); /* nothing more from it reaches the owner */
   kill(c->pid, SIGTERM);
}

void Remotes_ok(Remotes* r, size_t i) {
   r->c[i].attempts = 0;
}

void Remotes_tick(Remotes* r) {
   uint64_t now = Loop_monoNs();
   for (size_t i = 0; i < r->n; i++) {
      Child* c = &r->c[i];
      if (c->pid && c->cut_at && now - c->cut_at > 2000000000ull)
         kill(c->pid, SIGKILL); /* it did not take the hint */
      if (!c->pid && c->retry_at && now >= c->retry_at)
         start(r, c);
   }
}

unsigned Remotes_retryIn(const Remotes* r, size_t i) {
   const Child* c = &r->c[i];
   uint64_t now = Loop_monoNs();
   if (c->pid || !c->retry_at || c->retry_at <= now)
      return 0;
   return (unsigned)((c->retry_at - now + 999999999ull) / 1000000000ull);
}

int Remotes_running(const Remotes* r, size_t i) {
   return r->c[i].pid != 0;
}

/* Every child told to end: stdin closed and SIGTERM; a second for all of
 * them, then SIGKILL. */
static void endAll(Remotes* r) {
   for (size_t i = 0; i < r->n; i++) {
      Child* c = &r->c[i];
      if (c->in >= 0) {
         close(c->in);
         c->in = -1;
      }
      if (c->pid)
         kill(c->pid, SIGTERM);
   }
   uint64_t until = Loop_monoNs() + 1000000000ull;
   for (size_t i = 0; i < r->n; i++) {
      Child* c = &r->c[i];
      while (c->pid && c->pidfd >= 0 && Loop_monoNs() < until) {
         struct pollfd p = {.fd = c->pidfd, .events = POLLIN};
         if (poll(&p, 1, (int)((until - Loop_monoNs()) / 1000000ull) + 1) == 1)
            break;
      }
      if (c->pid && waitpid(c->pid, NULL, WNOHANG) == 0) {
         kill(c->pid, SIGKILL);
         waitpid(c->pid, NULL, 0);
      }
      c->pid = 0;
   }
}

void Remotes_free(Remotes* r) {
   if (!r)
      return;
   if (r->c) {
      endAll(r);
      for (size_t i = 0; i < r->n; i++) {
         closeFd(r, &r->c[i].out);
         closeFd(r, &r->c[i].err);
         closeFd(r, &r->c[i].pidfd);
         free(r->c[i].buf);
      }
   }
   free(r->c);
   free(r->split);
   free(r);
}
