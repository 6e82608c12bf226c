/* source.c: the live probe (with its start-up snapshot), snapshot polling
 * and replay, behind one interface for the event loop. */
#include "source.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog.h"
#include "poller.h"
#include "probe.h"
#include "sockid.h"

#define REPLAY_BATCH 200000 /* events per tick at most, so a frame is never starved */
/* The probe writes records without waking us (a wakeup per record costs
 * more than the record: PERFORMANCE.md, ## Probe): this timer drains the
 * ring buffer. 50 ms hold ~1.7 MB at 65 000 connections/s, a tenth of the
 * ring; the probe wakes us early only when half of it is full. */
#define DRAIN_MS 50

struct Source_ {
   SourceKind kind;
   const Options* o;
   Loop* loop;
   EventSink sink;
   void* ctx;
   uint64_t events;
   char note[256];
   char error[256];
   /* live */
   Probe* probe;
   int drain_fd;
   uint64_t unseeded; /* snapshot sockets the probe's seed table refused */
   /* poll */
   Poller* poller;
   /* replay */
   EvlogReader* reader;
   bool map_sk;   /* a log from before socket ids: its sk are addresses */
   SockIdKey key; /* for those */
   Event pending;
   bool has_pending;
   bool done;
   uint64_t t0_event, t0_wall, now_event;
   bool paused;       /* P: the log's clock stands */
   uint64_t step_to;  /* while paused: events up to this log time are due */
   uint64_t log_size; /* bytes of the log, for the position */
};

static void deliver(void* ctx, const Event* e) {
   Source* s = ctx;
   s->events++;
   s->sink(s->ctx, e);
}

/* The start-up snapshot: every TCP socket with a holder in /proc is told
 * to the probe, so that its later events (including those that run in
 * softirq, in no holder's context) carry that holder. */
static void deliverSnapshot(void* ctx, const Event* e) {
   Source* s = ctx;
   const SockEvent* se = &e->sock;
   if (e->type == EV_SOCK && e->pid && se->ino && se->proto == IPPROTO_TCP &&
       se->state != TCPS_LISTEN && se->state != TCPS_TIME_WAIT &&
       Probe_seed(s->probe, se->ino, e->pid, e->pstart, se->cgroup, se->dir) < 0)
      s->unseeded++;
   deliver(ctx, e);
}

static int onProbeReadable(void* ctx) {
   Source* s = ctx;
   if (Probe_consume(s->probe) < 0) {
      snprintf(s->error, sizeof s->error, "ring buffer: %s", strerror(errno));
      return -1;
   }
   return 0;
}

static int onDrainTick(void* ctx) {
   Source* s = ctx;
   uint64_t ticks;
   if (read(s->drain_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN) {
      snprintf(s->error, sizeof s->error, "drain timer: %s", strerror(errno));
      return -1;
   }
   return onProbeReadable(s);
}

static int addDrainTimer(Source* s) {
   s->drain_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
   if (s->drain_fd < 0)
      return -1;
   struct itimerspec its = {.it_interval = {0, DRAIN_MS * 1000000L},
                            .it_value = {0, DRAIN_MS * 1000000L}};
   if (timerfd_settime(s->drain_fd, 0, &its, NULL) < 0)
      return -1;
   return Loop_addFd(s->loop, s->drain_fd, onDrainTick, s);
}

static int openLive(Source* s, char* err, size_t errlen) {
   ProbeOpts po = s->o->probe;
   po.self_pid = (uint32_t)getpid();
   po.verbose = s->o->verbose;
   s->probe = Probe_open(&po, deliver, s, err, errlen);
   if (!s->probe)
      return -1;
   /* The probe is attached before the snapshot: whatever changes during the
    * snapshot waits in the ring buffer and is applied after it. */
   char serr[256];
   SnapshotStats st;
   if (Snapshot_take("/proc", deliverSnapshot, s, &st, serr, sizeof serr) < 0)
      snprintf(s->note, sizeof s->note, "start-up snapshot incomplete: %.200s", serr);
   else if (st.procs_unread)
      snprintf(s->note, sizeof s->note, "start-up snapshot incomplete: %zu processes unread: %s",
               st.procs_unread, strerror(st.unread_errno));
   else if (s->unseeded)
      snprintf(s->note, sizeof s->note,
               "%llu sockets older than visnet not told to the probe (table full): "
               "their later events may lack an owner",
               (unsigned long long)s->unseeded);
   if (Loop_addFd(s->loop, Probe_fd(s->probe), onProbeReadable, s) < 0 || addDrainTimer(s) < 0) {
      snprintf(err, errlen, "epoll: %s", strerror(errno));
      return -1;
   }
   const char* w = Probe_warnings(s->probe);
   if (w && *w && !s->note[0])
      snprintf(s->note, sizeof s->note, "disabled: %s", w);
   s->kind = SOURCE_LIVE;
   return 0;
}

static int openPoll(Source* s, char* err, size_t errlen) {
   s->poller = Poller_new();
   if (!s->poller) {
      snprintf(err, errlen, "out of memory");
      return -1;
   }
   s->kind = SOURCE_POLL;
   return Poller_tick(s->poller, deliver, s, err, errlen);
}

static int openReplay(Source* s, char* err, size_t errlen) {
   EvlogStatus st;
   char rerr[200];
   s->reader = EvlogReader_open(s->o->replay, &st, rerr, sizeof rerr);
   if (!s->reader) {
      snprintf(err, errlen, "%s", rerr);
      return -1;
   }
   s->kind = SOURCE_REPLAY;
   struct stat sb;
   if (stat(s->o->replay, &sb) == 0)
      s->log_size = (uint64_t)sb.st_size;
   if (!(EvlogReader_header(s->reader)->flags & EVLOG_F_SK_IDS)) {
      s->map_sk = true;
      (void)SockId_newKey(&s->key);
   }
   return 0; /* the first tick starts the clock, so that nothing comes before the caller's first
                line */
}

Source* Source_open(const Options* o, Loop* loop, Store* store, EventSink sink, void* ctx,
                    char* err, size_t errlen) {
   (void)store;
   Source* s = calloc(1, sizeof *s);
   if (!s) {
      snprintf(err, errlen, "out of memory");
      return NULL;
   }
   s->o = o;
   s->drain_fd = -1;
   s->loop = loop;
   s->sink = sink;
   s->ctx = ctx;
   int rc;
   if (o->replay) {
      rc = openReplay(s, err, errlen);
   } else if (o->no_bpf) {
      rc = openPoll(s, err, errlen);
      if (rc == 0)
         snprintf(s->note, sizeof s->note, "polling: short-lived connections may be missed");
   } else {
      char perr[256];
      rc = openLive(s, perr, sizeof perr);
      if (rc < 0) {
         if (s->drain_fd >= 0) {
            Loop_delFd(s->loop, s->drain_fd);
            close(s->drain_fd);
            s->drain_fd = -1;
         }
         if (s->probe) {
            Loop_delFd(s->loop, Probe_fd(s->probe)); /* if added */
            Probe_close(s->probe);
            s->probe = NULL;
         }
         snprintf(s->note, sizeof s->note,
                  "no eBPF (%.180s): polling, short-lived connections may be missed", perr);
         rc = openPoll(s, err, errlen);
      }
   }
   if (rc < 0) {
      Source_close(s);
      return NULL;
   }
   return s;
}

/* Delivers recorded events up to the replay clock. */
static int tickReplay(Source* s) {
   if (!s->t0_wall)
      s->t0_wall = Loop_nowNs();
   uint64_t elapsed = Loop_nowNs() - s->t0_wall;
   for (int n = 0; n < REPLAY_BATCH && !s->done; n++) {
      if (!s->has_pending) {
         EvlogStatus st = EvlogReader_next(s->reader, &s->pending);
         if (st == EVLOG_EOF) {
            s->done = true;
            break;
         }
         if (st == EVLOG_ERR_TRUNCATED) {
            /* what a kill -9 or a crash while recording leaves: not an error */
            snprintf(s->note, sizeof s->note,
                     "the log ends in a partial record at offset %llu (its recording was cut "
                     "short): replayed up to it",
                     (unsigned long long)EvlogReader_offset(s->reader));
            s->done = true;
            break;
         }
         if (st != EVLOG_OK) {
            snprintf(s->error, sizeof s->error, "replay %s: %s at offset %llu", s->o->replay,
                     Evlog_strerror(st), (unsigned long long)EvlogReader_offset(s->reader));
            s->done = true;
            break;
         }
         s->has_pending = true;
         if (s->map_sk && Event_isSock(&s->pending))
            s->pending.sock.sk = SockId_of(&s->key, s->pending.sock.sk);
         if (!s->t0_event)
            s->t0_event = s->pending.ts ? s->pending.ts : 1;
      }
      uint64_t due = s->pending.ts > s->t0_event ? s->pending.ts - s->t0_event : 0;
      if (s->paused ? s->pending.ts > s->step_to
                    : s->o->speed > 0 && (double)due > (double)elapsed * s->o->speed)
         break;
      s->now_event = s->pending.ts > s->now_event ? s->pending.ts : s->now_event;
      s->has_pending = false;
      deliver(s, &s->pending);
   }
   if (s->paused) {
      if (s->step_to > s->now_event)
         s->now_event = s->step_to;
   } else if (s->o->speed > 0 && !s->done) {
      uint64_t clock = s->t0_event + (uint64_t)((double)elapsed * s->o->speed);
      if (clock > s->now_event)
         s->now_event = clock;
   }
   return 0;
}

bool Source_pause(Source* s, bool on) {
   if (s->kind != SOURCE_REPLAY || s->done || on == s->paused)
      return false;
   s->paused = on;
   if (on) {
      s->step_to = s->now_event;
      return true;
   }
   /* go on from where the log's clock stands, steps included */
   double ran = s->o->speed > 0 ? (double)(s->now_event - s->t0_event) / s->o->speed : 0;
   uint64_t now = Loop_nowNs();
   s->t0_wall = now > (uint64_t)ran ? now - (uint64_t)ran : 1;
   return true;
}

bool Source_paused(const Source* s) { return s->paused; }

void Source_step(Source* s, uint64_t ns) {
   if (s->paused)
      s->step_to = (s->step_to > s->t0_event ? s->step_to : s->t0_event) + ns;
}

uint64_t Source_replayAt(const Source* s) {
   return s->kind == SOURCE_REPLAY && s->now_event > s->t0_event ? s->now_event - s->t0_event : 0;
}

double Source_replayDone(const Source* s) {
   if (s->kind != SOURCE_REPLAY || !s->log_size)
      return 0;
   if (s->done)
      return 1;
   double f = (double)EvlogReader_offset(s->reader) / (double)s->log_size;
   return f > 1 ? 1 : f;
}

uint64_t Source_bootTimeNs(const Source* s) {
   if (s && s->kind == SOURCE_REPLAY)
      return EvlogReader_header(s->reader)->boot_time_ns;
   struct timespec real, boot;
   clock_gettime(CLOCK_REALTIME, &real);
   clock_gettime(CLOCK_BOOTTIME, &boot);
   return ((uint64_t)real.tv_sec - (uint64_t)boot.tv_sec) * 1000000000ull + (uint64_t)real.tv_nsec -
          (uint64_t)boot.tv_nsec;
}

const char* Source_host(const Source* s) {
   return s->kind == SOURCE_REPLAY ? EvlogReader_header(s->reader)->host : NULL;
}

int Source_tick(Source* s) {
   char err[256];
   switch (s->kind) {
   case SOURCE_LIVE:
      return Probe_poll(s->probe) < 0 ? -1 : 0;
   case SOURCE_POLL:
      if (Poller_tick(s->poller, deliver, s, err, sizeof err) < 0)
         snprintf(s->note, sizeof s->note, "polling: %.200s", err);
      return 0;
   case SOURCE_REPLAY:
      return tickReplay(s);
   }
   return 0;
}

SourceKind Source_kind(const Source* s) {
   return s->kind;
}

const char* Source_label(const Source* s) {
   switch (s->kind) {
   case SOURCE_LIVE:
      return "eBPF live";
   case SOURCE_POLL:
      return "snapshot polling";
   case SOURCE_REPLAY:
      return "replay";
   }
   return "?";
}

const char* Source_note(const Source* s) {
   return s->note;
}
const char* Source_error(const Source* s) {
   return s->error[0] ? s->error : NULL;
}
uint64_t Source_lost(const Source* s) {
   return s->probe ? Probe_lost(s->probe) : 0;
}
uint64_t Source_untracked(const Source* s) {
   return s->probe ? Probe_untracked(s->probe) : 0;
}

void Source_mapFull(const Source* s, MapFull* out) {
   *out = (MapFull){0, 0, 0, 0};
   if (s->probe)
      Probe_mapFull(s->probe, out);
   out->seeds = s->unseeded;
}
uint64_t Source_events(const Source* s) {
   return s->events;
}
bool Source_done(const Source* s) {
   return s->kind == SOURCE_REPLAY && s->done;
}

uint64_t Source_now(const Source* s) {
   return s->kind == SOURCE_REPLAY ? s->now_event : Loop_nowNs();
}

void Source_close(Source* s) {
   if (!s)
      return;
   if (s->drain_fd >= 0) {
      Loop_delFd(s->loop, s->drain_fd);
      close(s->drain_fd);
   }
   if (s->probe) {
      Loop_delFd(s->loop, Probe_fd(s->probe));
      Probe_close(s->probe);
   }
   if (s->poller)
      Poller_free(s->poller);
   if (s->reader)
      EvlogReader_close(s->reader);
   free(s);
}
