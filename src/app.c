/* app.c: wires the event loop: source -> store (and JSON, recording) ->
 * UI or summary. Errors are printed here, once, as one line. */
#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "evlog.h"
#include "filter.h"
#include "heal.h"
#include "json.h"
#include "loop.h"
#include "memlimit.h"
#include "outq.h"
#include "privs.h"
#include "probe.h"
#include "resolver.h"
#include "settings.h"
#include "sockdiag.h"
#include "procfs.h"
#include "sandbox.h"
#include "source.h"
#include "store.h"
#include "ui.h"
#include "say.h"

#define JSON_FLUSH_BYTES (64 * 1024)
/* What a slow reader of --json may fall behind by before lines are dropped:
 * seconds of a busy host's events, not a growing heap. */
#define JSON_QUEUE_BYTES (16u << 20)
/* Events wait here and go to the store in batches: Store_applyBatch
 * overlaps the cache misses of consecutive events. Flushed before anything
 * reads the store. A socket event fills 136 bytes (3 cache lines) of its
 * slot: 128 of them touch ~24 KiB, half the L1 cache, while a batch stays
 * long enough for the store's prefetch pipeline (12 events deep). */
#define APPLY_BATCH 128

typedef struct App_ {
   const Options* o; /* &tuned */
   Options tuned;    /* the options, fitted to a memory limit */
   Loop* loop;
   Store* store;
   Source* src;
   EvlogWriter* rec;
   char rec_note[300]; /* why the recording stopped before the end, or "" */
   char sandbox_note[200]; /* the sandbox's layers this kernel lacks, or "" */
   char mem_note[200];     /* the history cap a memory limit imposed, or "" */
   bool rec_failed;    /* ... because writing failed (the exit status says so) */
   Ui* ui;
   Settings settings;       /* the UI's settings file, as read */
   char settings_path[512]; /* "" when not saved (--no-config, no HOME) */
   char settings_where[600]; /* the setup screen says where changes go */
   char settings_warn[320];  /* the file's first bad line, or why it could not be read */
   Resolver* resolver; /* started when the UI first asks for names */
   bool resolver_failed;
   JsonBuf json;
   uint64_t json_lines; /* in json */
   uint64_t filtered;   /* --json --filter: events left out */
   OutQ out;            /* --json: stdout, never blocking the loop */
   JsonLine line;     /* --json: the context of every event line */
   UserName* users;   /* --json: user names */
   Cgroups* cgroups;  /* --json, live or fallback: the units of cgroups */
   Filter* filter;    /* --json --filter */
   const char* ended; /* --json: why the stream ends, for its bye */
   bool hello_done;   /* --json: the first line is out */
   uint32_t netns;       /* visnet's own network namespace (sock_diag's) */
   uint64_t heal_lost;   /* Source_lost at the last heal */
   uint64_t heal_ns;     /* when it ran (CLOCK_MONOTONIC) */
   uint64_t healed;      /* sockets closed by the heals */
   int rc;
   char err[320];
   uint64_t by_type[EV__COUNT];
   uint64_t rate_events, rate_ns;
   double rate;
   size_t npending;
   Event pending[APPLY_BATCH];
} App;

static void fatal(App* a, const char* fmt, const char* what) {
   if (!a->err[0])
      snprintf(a->err, sizeof a->err, fmt, what);
   a->ended = "error";
   a->rc = 1;
   Loop_stop(a->loop, 1);
}

/* A reader that fell behind is told how many lines it missed, as soon as
 * the queue has room again. */
static void sayLost(App* a) {
   JsonBuf b;
   JsonBuf_init(&b);
   JsonLost l = {.ts = Source_now(a->src), .lines = a->out.unsaid, .dropped = a->out.dropped};
   l.wall_ns = a->line.boot_time_ns + l.ts;
   Json_lost(&b, &l);
   /* counted as no line: when it does not fit either, it is said next time */
   if (!b.oom && OutQ_put(&a->out, b.data, b.len, 0))
      a->out.unsaid = 0;
   JsonBuf_free(&b);
}

static int flushJson(App* a) {
   if (!a->hello_done) /* the start-up snapshot waits for the hello */
      return 0;
   if (a->out.unsaid)
      sayLost(a);
   if (a->json.oom) { /* lines that could not be built: dropped, counted */
      a->out.dropped += a->json_lines;
      a->out.unsaid += a->json_lines;
      a->json.oom = 0;
   } else {
      OutQ_write(&a->out, a->json.data, a->json.len, a->json_lines);
   }
   JsonBuf_reset(&a->json);
   a->json_lines = 0;
   if (OutQ_flush(&a->out) < 0) {
      if (a->out.err == EPIPE) { /* the reader went away: a normal end */
         a->ended = "reader gone";
         Loop_stop(a->loop, 0);
      } else {
         fatal(a, "stdout: %s", strerror(a->out.err));
      }
      return -1;
   }
   return 0;
}

/* --json --filter: a socket event passes when the filter matches its
 * socket (with its process and remote), a process event when the filter
 * says yes of the process alone (docs/JSON.md). */
static bool eventMatches(App* a, const Event* e) {
   if (!a->filter)
      return true;
   if (!Event_isSock(e)) {
      const Proc* p = a->line.proc ? a->line.proc : Store_proc(a->store, e->pid);
      return p && Proc_is(p, e->pid, e->pstart) && Filter_proc(a->filter, p) == FILTER_YES;
   }
   SockKey key;
   SockKey_fromEvent(&key, &e->sock);
   const Sock* k = Store_sock(a->store, &key);
   return k && Filter_sock(a->filter, k);
}


/* After the store has them, so that a socket event can name its process. */
static void writeJson(App* a) {
   for (size_t i = 0; i < a->npending; i++) {
      const Event* e = &a->pending[i];
      bool sock = Event_isSock(e);
      a->line.proc = sock && e->pid ? Store_proc(a->store, e->pid) : NULL;
      if (!eventMatches(a, e)) {
         a->filtered++;
         continue;
      }
      a->line.unit = Cgroups_unit(a->cgroups, sock ? e->sock.cgroup : e->proc.cgroup);
      Json_eventLine(&a->json, e, &a->line);
      a->json_lines++;
   }
   if (a->json.len >= JSON_FLUSH_BYTES)
      flushJson(a);
}

/* The recording ends; the live view goes on. Said at once without a UI,
 * in the header with one, and again at exit. */
static void stopRecording(App* a, const char* why, bool failed) {
   char werr[200] = "";
   uint64_t n = EvlogWriter_count(a->rec);
   if (EvlogWriter_closeErr(a->rec, werr, sizeof werr) < 0 && !failed) {
      why = werr;
      failed = true;
   }
   a->rec = NULL;
   a->rec_failed = failed;
   snprintf(a->rec_note, sizeof a->rec_note,
            "recording to %.100s stopped after %llu events: %.150s", a->o->record,
            (unsigned long long)n, why);
   if (!a->ui)
      Say_error("%s", a->rec_note);
}

/* At every refresh tick: what was recorded reaches the file, so that a
 * kill -9 or a crash loses at most one tick. */
static void tickRecording(App* a) {
   if (!a->rec)
      return;
   if (EvlogWriter_flush(a->rec) < 0) {
      stopRecording(a, strerror(errno), true);
      return;
   }
}

/* One event to the log; the recording stops at --record-max, before the
 * record that would pass it, or at the first write that fails. */
static void record(App* a, const Event* e) {
   if (EvlogWriter_write(a->rec, e) < 0) {
      if (errno != EINVAL) /* EINVAL: an event of no known type, skipped */
         stopRecording(a, strerror(errno), true);
      return;
   }
   if (a->o->record_max && EvlogWriter_bytes(a->rec) + EVLOG_RECORD_HDR + EVLOG_MAX_PAYLOAD >
                              a->o->record_max) {
      char why[80];
      snprintf(why, sizeof why, "--record-max %llu bytes reached",
               (unsigned long long)a->o->record_max);
      stopRecording(a, why, false);
   }
}

static void flushStore(App* a) {
   if (a->npending == 0)
      return;
   Store_applyBatch(a->store, a->pending, a->npending);
   if (a->o->mode == MODE_JSON)
      writeJson(a);
   a->npending = 0;
   if (a->ui)
      Ui_markDirty(a->ui);
}

static void onEvent(void* ctx, const Event* e) {
   App* a = ctx;
   if (a->o->netns && Event_isSock(e) && e->sock.netns != a->o->netns)
      return; /* --netns: another namespace's socket */
   if (e->type < EV__COUNT)
      a->by_type[e->type]++;
   if (a->rec)
      record(a, e);
   /* A socket event uses a fraction of the Event (the proc part holds the
    * strings): copy only what it uses, a constant size so that the copy is
    * in line (no libc call). */
   Event* slot = &a->pending[a->npending++];
   if (e->type >= EV_CONNECT && e->type <= EV_OWNER) /* Event_isSock, inlined */
      memcpy(slot, e, offsetof(Event, sock) + sizeof(SockEvent));
   else
      memcpy(slot, e, sizeof *e);
   if (a->npending == APPLY_BATCH)
      flushStore(a);
}

static MapFull mapFull(const Source* src) {
   MapFull m;
   Source_mapFull(src, &m);
   return m;
}

/* The status line's note: the most pressing of them */
static const char* statusNote(const App* a) {
   if (Source_error(a->src))
      return Source_error(a->src);
   if (a->rec_note[0])
      return a->rec_note;
   if (Source_note(a->src)[0])
      return Source_note(a->src);
   return a->mem_note[0] ? a->mem_note : a->sandbox_note;
}

static void draw(App* a) {
   if (!a->ui)
      return;
   flushStore(a);
   UiStatus st = {
       .mode = Source_label(a->src),
       .note = statusNote(a),
       .events_per_s = a->rate,
       .lost = Source_lost(a->src),
       .untracked = Source_untracked(a->src),
       .full = mapFull(a->src),
       .healed = a->healed,
       .live = Source_kind(a->src) == SOURCE_LIVE,
       .record = a->rec && !a->rec_note[0] ? a->o->record : NULL,
       .record_bytes = a->rec ? EvlogWriter_bytes(a->rec) : 0,
       .replay = Source_kind(a->src) == SOURCE_REPLAY,
       .paused = Source_paused(a->src),
       .replay_at_ns = Source_replayAt(a->src),
       .replay_done = Source_replayDone(a->src),
       .clock_wall_ns = Source_kind(a->src) == SOURCE_REPLAY && Source_now(a->src)
                            ? Source_bootTimeNs(a->src) + Source_now(a->src)
                            : 0,
       .now_ns = Source_now(a->src),
   };
   Ui_draw(a->ui, a->store, &st);
}

static int onNames(void* ctx) {
   App* a = ctx;
   flushStore(a);
   if (Resolver_drain(a->resolver, a->store) > 0)
      Ui_markDirty(a->ui);
   return 0;
}

/* At the refresh tick, never while drawing: the names the last frame
 * lacked go to the resolver, started on first use, its fd in the loop. */
static void requestNames(App* a) {
   if (!Ui_wantsNames(a->ui) || a->resolver_failed)
      return;
   if (!a->resolver) {
      char err[160];
      a->resolver = Resolver_new(err, sizeof err);
      if (a->resolver && Loop_addFd(a->loop, Resolver_fd(a->resolver), onNames, a) < 0) {
         snprintf(err, sizeof err, "epoll: %s", strerror(errno));
         Resolver_free(a->resolver);
         a->resolver = NULL;
      }
      if (!a->resolver) {
         a->resolver_failed = true;
         Ui_namesUnavailable(a->ui, err);
         return;
      }
   }
   uint8_t addrs[64][16];
   size_t n = Ui_unnamed(a->ui, addrs, 64);
   for (size_t i = 0; i < n; i++)
      (void)Resolver_request(a->resolver, addrs[i]);
}

static void updateRate(App* a) {
   uint64_t now = Loop_nowNs(), ev = Source_events(a->src);
   if (a->rate_ns && now > a->rate_ns)
      a->rate = (double)(ev - a->rate_events) * 1e9 / (double)(now - a->rate_ns);
   a->rate_ns = now;
   a->rate_events = ev;
}

/* Events were lost since the last look: closes among them would leave
 * sockets active for ever. The kernel's list says which are gone; their
 * closes go through onEvent like any event (store, JSON, recording). At
 * most every 5 s under a lasting overload: a dump costs as much as a
 * snapshot of the sockets. */
static void healAfterLoss(App* a) {
   uint64_t lost = Source_lost(a->src), now = Loop_monoNs();
   if (Source_kind(a->src) != SOURCE_LIVE || lost == a->heal_lost || !a->netns ||
       (a->heal_ns && now - a->heal_ns < 5000000000ull))
      return;
   a->heal_lost = lost;
   a->heal_ns = now;
   flushStore(a);
   char err[160];
   int n = Heal_tcp(a->store, a->netns, Source_now(a->src), onEvent, a, err, sizeof err);
   if (n > 0)
      a->healed += (uint64_t)n;
}

static void savePrefs(App* a);
static void act(App* a, const UiAction* u);

static int onTick(void* ctx) {
   App* a = ctx;
   if (Source_tick(a->src) < 0) {
      fatal(a, "%s", Source_error(a->src) ? Source_error(a->src) : "probe: reading maps failed");
      return 1;
   }
   updateRate(a);
   healAfterLoss(a);
   tickRecording(a);
   flushStore(a);
   if (Source_now(a->src))
      Store_closeQuietUdp(a->store, Source_now(a->src), STORE_UDP_QUIET_NS);
   if (a->ui && Source_now(a->src)) /* this tick's byte counts are in */
      Store_updateRates(a->store, Source_now(a->src));
   if (a->o->mode == MODE_JSON) {
      flushStore(a);
      flushJson(a);
   }
   Store_dropSockless(a->store); /* their exits are written out */
   if (!a->ui && Source_done(a->src)) {
      a->ended = "end of replay";
      if (Source_error(a->src))
         fatal(a, "%s", Source_error(a->src));
      Loop_stop(a->loop, a->rc);
   }
   if (a->ui)
      requestNames(a);
   draw(a);
   return 0;
}

static int onInput(void* ctx) {
   App* a = ctx;
   flushStore(a);
   if (Ui_onInput(a->ui, a->store)) {
      Loop_stop(a->loop, 0);
      return 0;
   }
   switch (Ui_takeCommand(a->ui)) {
   case UI_CMD_PAUSE: Source_pause(a->src, !Source_paused(a->src)); break;
   case UI_CMD_PREFS: savePrefs(a); break;
   case UI_CMD_ACTION: act(a, Ui_action(a->ui)); break;
   case UI_CMD_STEP: /* one second of the log, shown at once */
      Source_step(a->src, 1000000000ull);
      if (Source_tick(a->src) == 0) {
         flushStore(a);
         Store_updateRates(a->store, Source_now(a->src));
      }
      break;
   default: break;
   }
   draw(a);
   return 0;
}

static int onSignal(void* ctx, int signo) {
   App* a = ctx;
   if (signo == SIGWINCH) {
      if (a->ui) {
         Ui_onResize(a->ui);
         draw(a);
      }
      return 0;
   }
   if (!a->ended)
      a->ended = "signal";
   Loop_stop(a->loop, 0);
   return 0;
}

static int onDeadline(void* ctx) {
   App* a = ctx;
   if (!a->ended)
      a->ended = "duration";
   Loop_stop(a->loop, a->rc);
   return 0;
}

/* --while-stdin: the far side of a fleet's ssh channel ends with it (an
 * ssh session without a terminal sends no SIGHUP). What comes in is
 * read and dropped. */
static int onStdin(void* ctx) {
   App* a = ctx;
   char buf[512];
   ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
   if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
      return 0;
   Loop_delFd(a->loop, STDIN_FILENO);
   if (!a->ended)
      a->ended = "reader gone";
   Loop_stop(a->loop, 0);
   return 0;
}


/* ", N sockets closed after the loss", ", N sockets untracked (...)" and
 * the probe's other full tables, for the exit summaries, or "". */
static const char* lossNote(const App* a) {
   static char note[320];
   const Source* src = a->src;
   uint64_t n = Source_untracked(src);
   note[0] = '\0';
   if (a->healed)
      snprintf(note, sizeof note, ", %llu sockets closed after the loss (gone from the kernel)",
               (unsigned long long)a->healed);
   if (n) {
      size_t used = strlen(note);
      snprintf(note + used, sizeof note - used, ", %llu sockets untracked (owner table full)",
               (unsigned long long)n);
   }
   MapFull other = mapFull(src);
   other.owners = 0;
   char full[160];
   if (MapFull_format(&other, full, sizeof full)[0]) {
      size_t used = strlen(note);
      snprintf(note + used, sizeof note - used, ", tables full: %s", full);
   }
   return note;
}

/* ", N lines dropped (slow reader)" for --json's summary, or "". */
static const char* droppedNote(const OutQ* q) {
   static char note[64];
   note[0] = '\0';
   if (q->dropped)
      snprintf(note, sizeof note, ", %llu lines dropped (slow reader)",
               (unsigned long long)q->dropped);
   return note;
}

static void printSummary(App* a) {
   flushStore(a);
   StoreStats st;
   Store_stats(a->store, &st);
   fprintf(stderr,
           "visnet: %s: %llu events, %llu lost%s, %llu connects, %llu accepts, %llu closes; "
           "%zu processes, %zu sockets (%zu active), %zu endpoints\n",
           Source_label(a->src), (unsigned long long)Source_events(a->src),
           (unsigned long long)Source_lost(a->src), lossNote(a),
           (unsigned long long)a->by_type[EV_CONNECT], (unsigned long long)a->by_type[EV_ACCEPT],
           (unsigned long long)a->by_type[EV_CLOSE], st.procs, st.socks, st.socks_active,
           st.endpoints);
}

static void readLine(const char* path, char* out, size_t len) {
   out[0] = '\0';
   FILE* f = fopen(path, "re");
   if (!f)
      return;
   if (fgets(out, (int)len, f))
      out[strcspn(out, "\n")] = '\0';
   fclose(f);
}

/* The first line of --json: what the stream is (docs/JSON.md). */
static void sayHello(App* a) {
   struct utsname un;
   char boot_id[64] = "";
   if (uname(&un) != 0)
      memset(&un, 0, sizeof un);
   const char* host = Source_host(a->src) ? Source_host(a->src) : un.nodename;
   SourceKind k = Source_kind(a->src);
   if (k != SOURCE_REPLAY)
      readLine("/proc/sys/kernel/random/boot_id", boot_id, sizeof boot_id);
   a->line.boot_time_ns = Source_bootTimeNs(a->src);
   a->line.users = &a->users;
   JsonHello h = {
       .version = VISNET_VERSION,
       .host = host,
       .boot_id = boot_id,
       .kernel = k == SOURCE_REPLAY ? "" : un.release,
       .mode = k == SOURCE_REPLAY ? "replay"
               : k == SOURCE_POLL ? "fallback"
                                  : "live",
       .source = k == SOURCE_REPLAY ? a->o->replay : NULL,
       .started_ns = Loop_wallNs(),
       .ts = Source_now(a->src),
       .boot_time_ns = a->line.boot_time_ns,
       .netns = a->o->netns,
   };
   JsonBuf first;
   JsonBuf_init(&first);
   Json_hello(&first, &h);
   OutQ_put(&a->out, first.data, first.len, 1);
   a->hello_done = true;
   flushStore(a); /* the snapshot's last batch */
   flushJson(a);
   /* what existed at the start is out: a merging visnet waits for this
    * (a replay's log has no start-up picture of this machine) */
   if (k != SOURCE_REPLAY) {
      JsonBuf_reset(&first);
      uint64_t ts = Source_now(a->src); /* time is boot_time + ts, as on every line */
      Json_ready(&first, ts, a->line.boot_time_ns + ts, Source_events(a->src));
      OutQ_put(&a->out, first.data, first.len, 0);
      flushJson(a);
   }
   JsonBuf_free(&first);
}

/* The last line: counts, and why it ended. */
static void sayBye(App* a) {
   flushStore(a);
   flushJson(a);
   if (a->out.unsaid)
      sayLost(a);
   JsonBye y = {
       .ended_ns = Loop_wallNs(),
       .ts = Source_now(a->src),
       .events = Source_events(a->src),
       .lost = Source_lost(a->src),
       .dropped = a->out.dropped,
       .filtered = a->filtered,
       .reason = a->ended ? a->ended : "signal",
       .error = a->err[0] ? a->err : NULL,
       .map_full = mapFull(a->src),
       .healed = a->healed,
   };
   Json_bye(&a->json, &y);
   a->out.max += a->json.len; /* the last line always has room */
   OutQ_put(&a->out, a->json.data, a->json.len, 1);
   JsonBuf_reset(&a->json);
   /* the reader gets a second to take the rest; a run still ends at once
    * on a signal when nobody reads */
   if (OutQ_drain(&a->out, 1000) < 0 && a->out.err != EPIPE)
      fprintf(stderr, "visnet: stdout: the reader did not take the last %zu bytes\n",
              a->out.len - a->out.off);
}

/* The UI's settings file: read before the UI opens, its values under the
 * command line's; its directory made now, so that the sandbox can let
 * the setup screen write there and nowhere else. */
static void loadSettings(App* a) {
   const char* path = NULL;
   char err[300] = "";
   if (a->o->no_config) {
      snprintf(a->settings_where, sizeof a->settings_where,
               "--no-config: changes last this run (the settings file is neither read nor written)");
      return;
   }
   path = Settings_path(a->settings_path, sizeof a->settings_path);
   if (!path) {
      a->settings_path[0] = '\0';
      snprintf(a->settings_where, sizeof a->settings_where,
               "neither XDG_CONFIG_HOME nor HOME is set: changes last this run");
      return;
   }
   if (Settings_load(&a->settings, path, err, sizeof err) < 0)
      snprintf(a->settings_warn, sizeof a->settings_warn, "settings: %s; defaults used", err);
   else if (a->settings.bad)
      snprintf(a->settings_warn, sizeof a->settings_warn, "%s%s", a->settings.warning,
               a->settings.bad > 1 ? " (and more: F2 rewrites only what it changes)" : "");
   Settings_apply(&a->settings, &a->tuned);
   snprintf(a->settings_where, sizeof a->settings_where, "Leaving saves what you changed to %s",
            path);
   Settings_makeDir(path);
}

/* What the UI has, as the settings file's values. */
static void prefValues(const UiPrefs* p, SettingValues* v) {
   memset(v, 0, sizeof *v);
   v->view = p->view;
   v->sort = p->sort;
   v->order = p->descending == Tree_sortDescending(p->sort) ? ORDER_KEY
              : p->descending                              ? ORDER_DESC
                                                           : ORDER_ASC;
   v->delay_ds = p->delay_ds;
   snprintf(v->filter, sizeof v->filter, "%s", p->filter);
   v->colors = (ColorScheme)(p->colors % COLORS__COUNT);
   v->show_all = p->all_procs;
   v->show_inactive = p->show_inactive;
   v->resolve = p->dns;
   v->port_names = !p->numeric;
   v->mouse = p->mouse;
   v->units = p->units;
   snprintf(v->columns, sizeof v->columns, "%s", p->columns);
}

/* The setup screen closed: the refresh as it says, and what it changed
 * saved (only that: the rest of the file stays as the user wrote it). */
static void savePrefs(App* a) {
   UiPrefs before, now;
   Ui_prefsChanged(a->ui, &before, &now);
   if (now.delay_ds != before.delay_ds && Source_kind(a->src) != SOURCE_REPLAY)
      (void)Loop_setTimer(a->loop, (unsigned)now.delay_ds * 100u, onTick, a);
   unsigned was = a->settings.changed;
   SettingValues vb, vn;
   prefValues(&before, &vb);
   prefValues(&now, &vn);
   for (int k = 0; k < SET__COUNT; k++) {
      char b[160], n[160], err[200];
      const char* tb = Settings_value(&vb, (SettingKey)k, b, sizeof b);
      const char* tn = Settings_value(&vn, (SettingKey)k, n, sizeof n);
      if (strcmp(tb, tn) && Settings_set(&a->settings, (SettingKey)k, tn, err, sizeof err) < 0)
         Ui_message(a->ui, "settings: %s", err);
   }
   if (a->settings.changed == was)
      return;
   char err[300];
   if (!a->settings_path[0])
      Ui_message(a->ui, "settings changed for this run only (%s)",
                 a->o->no_config ? "--no-config" : "no HOME");
   else if (Settings_save(&a->settings, a->settings_path, err, sizeof err) < 0)
      Ui_message(a->ui, "%s", err);
   else
      Ui_message(a->ui, "settings saved to %s", a->settings_path);
}

/* Why the UI offers no signals and closes, or NULL when it does. */
static const char* noActions(const Options* o) {
   if (o->read_only)
      return "--read-only: no signals, no closing of connections";
   if (o->replay)
      return "a replay: its processes and connections are not this machine's to act on";
   return NULL;
}

/* Is pid still the process p was (its start time, at clock-tick grain)?
 * A pid taken over by another process is not signalled. */
static bool samePid(const Proc* p, uint32_t pid) {
   char path[64], buf[1024], comm[VN_COMM_LEN];
   snprintf(path, sizeof path, "/proc/%u/stat", pid);
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
   if (fd >= 0)
      close(fd);
   uint32_t ppid;
   uint64_t ticks;
   if (n <= 0 || Procfs_parseStat(buf, (size_t)n, comm, &ppid, &ticks) < 0)
      return false;
   return Proc_is(p, pid, Procfs_ticksToNs(ticks));
}

static void signalProc(App* a, const UiAction* u) {
   const Proc* p = Store_proc(a->store, u->pid);
   if (!p || !Proc_isAlive(p) || p->start != u->start) {
      Ui_message(a->ui, "%s has exited: nothing sent", u->target);
      return;
   }
   int fd = (int)syscall(SYS_pidfd_open, u->pid, 0);
   if (fd < 0 || !samePid(p, u->pid)) { /* the pidfd holds it from here on */
      Ui_message(a->ui, "%s has exited: nothing sent", u->target);
      if (fd >= 0)
         close(fd);
      return;
   }
   int rc = (int)syscall(SYS_pidfd_send_signal, fd, u->sig, NULL, 0);
   int e = errno;
   close(fd);
   if (rc == 0)
      Ui_message(a->ui, "sent SIG%s to %s", sigabbrev_np(u->sig), u->target);
   else
      Ui_message(a->ui, "signal to %s: %s", u->target,
                 e == EPERM ? "not permitted (another user's process needs CAP_KILL)" : strerror(e));
}

static void closeConn(App* a, const UiAction* u) {
   char err[200];
   if (u->key.netns && a->netns && u->key.netns != a->netns) {
      Ui_message(a->ui, "%s is in another network namespace (%u): not closed", u->target,
                 u->key.netns);
      return;
   }
   if (SockDiag_destroy(u->family, u->key.laddr, u->key.lport, u->key.raddr, u->key.rport, err,
                        sizeof err) < 0)
      Ui_message(a->ui, "%s", err);
   else
      Ui_message(a->ui, "closed %s: its process gets ECONNABORTED, the other end a reset",
                 u->target);
}

static void act(App* a, const UiAction* u) {
   if (noActions(a->o)) {
      Ui_message(a->ui, "%s", noActions(a->o));
      return;
   }
   if (u->kind == UI_ACT_SIGNAL)
      signalProc(a, u);
   else if (u->kind == UI_ACT_CLOSE)
      closeConn(a, u);
}

static UiOpts uiOpts(const App* a, const Options* o) {
   return (UiOpts){
       .no_actions = noActions(o),
       .order = (int)o->order,
       .colors = (int)o->colors,
       .hide_inactive = o->hide_inactive,
       .dns = o->dns,
       .mouse = !o->no_mouse,
       .units = o->units,
       .netns = o->netns,
       .columns = o->columns,
       .settings_where = a->settings_where,
       .delay_ds = o->delay_ds,
       .pid = o->pid,
       .filter = o->filter,
       .no_color = o->no_color,
       .auto_prune = o->auto_prune,
       .all_procs = o->all_procs,
       .numeric = o->numeric,
       .prune_after_s = o->prune_after_s,
       .view = o->view,
       .sort = o->sort,
   };
}

/* Everything is open: keep only the rights the rest of the run needs
 * (docs/SECURITY.md). The fallback reads other users' /proc/PID/fd and
 * enters network namespaces at every refresh; the probe and a replay need
 * no capability at all. */
static int confine(App* a) {
   SourceKind k = Source_kind(a->src);
   uint64_t keep = k == SOURCE_POLL ? (1ull << CAP_SYS_ADMIN | 1ull << CAP_SYS_PTRACE |
                                       1ull << CAP_DAC_READ_SEARCH)
                                    : 0;
   bool actions = a->ui && !noActions(a->o);
   if (actions) /* signals to other users' processes; SOCK_DESTROY */
      keep |= 1ull << CAP_KILL | 1ull << CAP_NET_ADMIN;
   if (Privs_drop(keep) < 0) {
      snprintf(a->err, sizeof a->err, "dropping capabilities: %s", strerror(errno));
      return -1;
   }
   if (!a->o->no_sandbox) {
      SandboxPlan plan = {
          .replay = a->o->replay,
          .record = a->o->record,
          .probe = k == SOURCE_LIVE,
          .forks = k == SOURCE_POLL,
          .tty = a->ui != NULL,
          .resolver = a->ui != NULL,
          .config = a->ui && a->settings_path[0] ? a->settings_path : NULL,
          .actions = actions,
      };
      char err[200];
      if (Sandbox_apply(&plan, a->sandbox_note, sizeof a->sandbox_note, err, sizeof err) < 0) {
         snprintf(a->err, sizeof a->err, "sandbox: %s (--no-sandbox runs without it)", err);
         return -1;
      }
      if (a->sandbox_note[0] && !a->ui)
         fprintf(stderr, "visnet: sandbox: %s\n", a->sandbox_note);
   }
   const char* probe = getenv("VISNET_SANDBOX_PROBE"); /* the tests' hook */
   if (probe && *probe) {
      char out[400];
      Sandbox_probe(probe, out, sizeof out);
      fprintf(stderr, "visnet: sandbox probe: %s\n", out);
   }
   return 0;
}

/* "net:[4026531840]" -> 4026531840, or 0 */
static uint32_t ownNetns(void) {
   char link[64];
   ssize_t n = readlink("/proc/self/ns/net", link, sizeof link - 1);
   if (n <= 0)
      return 0;
   link[n] = '\0';
   unsigned long v = 0;
   return sscanf(link, "net:[%lu]", &v) == 1 ? (uint32_t)v : 0;
}

/* What one inactive entry costs user space: 252 bytes measured (a closed
 * socket, docs/LIMITS.md), with room for the hash tables' doubling. */
#define ENTRY_BYTES 384
/* User space's own base: the program, its buffers, the screen */
#define USER_BASE_BYTES (8ull << 20)

/* Fits the run to a memory cgroup's limit before anything big is made: the
 * kernel kills a process that passes it with SIGKILL, which says nothing
 * (while the probe loads, as its maps and the verifier's memory are charged
 * to visnet). Too small a limit is refused; a small one shortens the
 * history. */
static int fitMemory(App* a) {
   Options* o = &a->tuned;
   MemLimit lim;
   if (MemLimit_read(&lim) != 0)
      return 0;
   bool probe = !o->no_bpf && !o->replay;
   MemNeed n = {
       .load_peak = probe ? PROBE_LOAD_PEAK_BYTES : 0,
       .fixed = (probe ? Probe_heldBytes(&o->probe) : 0) + USER_BASE_BYTES +
                (o->mode == MODE_JSON ? JSON_QUEUE_BYTES : 0),
       .entry = ENTRY_BYTES,
       .cap = o->inactive_cap,
   };
   size_t cap;
   uint64_t need;
   if (MemLimit_fit(&lim, &n, &cap, &need) < 0) {
      snprintf(a->err, sizeof a->err,
               "the memory limit of cgroup %.100s (%llu MiB, %llu MiB in use) leaves too little: "
               "visnet needs %llu MiB%s; raise the limit",
               lim.cgroup, (unsigned long long)(lim.limit >> 20),
               (unsigned long long)(lim.usage >> 20), (unsigned long long)((need + (1u << 20) - 1) >> 20),
               probe ? " to load its probe (--no-bpf needs less)" : "");
      return -1;
   }
   if (cap == o->inactive_cap)
      return 0;
   snprintf(a->mem_note, sizeof a->mem_note,
            "memory limit %llu MiB (cgroup %.100s): keeping at most %zu inactive entries",
            (unsigned long long)(lim.limit >> 20), lim.cgroup, cap);
   o->inactive_cap = cap;
   if (o->mode != MODE_UI)
      Say_error("%s", a->mem_note);
   return 0;
}

static int setup(App* a) {
   const Options* o = a->o;
   a->netns = ownNetns();
   a->loop = Loop_new(a->err, sizeof a->err);
   if (!a->loop)
      return -1;
   if (Loop_onSignals(a->loop, onSignal, a) < 0) {
      snprintf(a->err, sizeof a->err, "signalfd: %s", strerror(errno));
      return -1;
   }
   /* before the probe is loaded (0.7 s as root) for nothing */
   if (o->mode == MODE_UI && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
      snprintf(a->err, sizeof a->err,
               "the terminal UI needs a terminal on stdin and stdout "
               "(use --once, --json or --headless otherwise)");
      return -1;
   }
   if (fitMemory(a) < 0)
      return -1;
   a->store = Store_new(o->inactive_cap);
   if (!a->store) {
      snprintf(a->err, sizeof a->err, "out of memory");
      return -1;
   }
   JsonBuf_init(&a->json);
   if (o->mode == MODE_JSON)
      OutQ_init(&a->out, STDOUT_FILENO, JSON_QUEUE_BYTES);
   if (o->record) {
      a->rec = EvlogWriter_create(o->record, NULL, o->force, a->err, sizeof a->err);
      if (!a->rec)
         return -1;
   }
   char serr[300];
   /* a replay's cgroup ids are another boot's: no units for them */
   if ((o->mode == MODE_JSON || o->mode == MODE_UI) && !o->replay)
      a->cgroups = Cgroups_new(NULL);
   if (o->mode == MODE_JSON && !o->replay) {
      a->line.boot_time_ns = Source_bootTimeNs(NULL);
      a->line.users = &a->users;
   }
   if (o->mode == MODE_JSON) { /* checked by Options_parse */
      char ferr[200];
      a->filter = Filter_parse(o->filter, ferr, sizeof ferr);
      Filter_setUnits(a->filter, a->cgroups ? Cgroups_unitOf : NULL, a->cgroups);
   }
   a->src = Source_open(o, a->loop, a->store, onEvent, a, serr, sizeof serr);
   if (!a->src) {
      snprintf(a->err, sizeof a->err, "%s", serr);
      return -1;
   }
   if (Source_kind(a->src) == SOURCE_POLL && !o->no_bpf)
      Say_error("%s", Source_note(a->src));
   if (o->mode == MODE_JSON)
      sayHello(a);
   if (o->mode == MODE_UI) {
      UiOpts uo = uiOpts(a, o);
      uo.unit = a->cgroups ? Cgroups_unitOf : NULL;
      uo.unit_ctx = a->cgroups;
      a->ui = Ui_open(&uo, a->err, sizeof a->err);
      if (!a->ui)
         return -1;
      if (a->settings_warn[0])
         Ui_message(a->ui, "%s", a->settings_warn);
      if (Loop_addFd(a->loop, Ui_inputFd(a->ui), onInput, a) < 0) {
         snprintf(a->err, sizeof a->err, "epoll: %s", strerror(errno));
         return -1;
      }
   }
   if (o->while_stdin && o->mode != MODE_UI &&
       (fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK) < 0 ||
        Loop_addFd(a->loop, STDIN_FILENO, onStdin, a) < 0)) {
      snprintf(a->err, sizeof a->err, "--while-stdin: standard input: %s", strerror(errno));
      return -1;
   }
   unsigned tick_ms = (unsigned)o->delay_ds * 100u;
   if (Source_kind(a->src) == SOURCE_REPLAY && tick_ms > 100)
      tick_ms = 100; /* replay pacing */
   if (Loop_setTimer(a->loop, tick_ms, onTick, a) < 0 || (o->duration > 0 && Loop_setDeadline(a->loop, o->duration, onDeadline, a) < 0)) {
      snprintf(a->err, sizeof a->err, "timerfd: %s", strerror(errno));
      return -1;
   }
   return confine(a);
}

static void teardown(App* a) {
   if (a->ui)
      Ui_free(a->ui);
   if (a->resolver) {
      Loop_delFd(a->loop, Resolver_fd(a->resolver));
      Resolver_free(a->resolver);
   }
   Source_close(a->src);
   if (a->o->mode == MODE_JSON)
      flushJson(a);
   char werr[200];
   if (a->rec && EvlogWriter_closeErr(a->rec, werr, sizeof werr) < 0 && !a->err[0]) {
      snprintf(a->err, sizeof a->err, "--record %s: %s; the log is incomplete", a->o->record, werr);
      a->rc = 1;
   }
   if (a->rec_note[0] && a->o->mode == MODE_UI) /* the screen that showed it is gone */
      Say_error("%s", a->rec_note);
   if (a->rec_failed)
      a->rc = 1;
   JsonBuf_free(&a->json);
   OutQ_done(&a->out);
   Users_free(&a->users);
   Cgroups_free(a->cgroups);
   Filter_free(a->filter);
   if (a->store)
      Store_free(a->store);
   Loop_free(a->loop);
}

int App_run(const Options* o) {
   App a = {.tuned = *o};
   a.o = &a.tuned;
   signal(SIGPIPE, SIG_IGN);
   Settings_init(&a.settings);
   if (o->mode == MODE_UI)
      loadSettings(&a);
   if (setup(&a) < 0) {
      a.rc = 1;
   } else {
      draw(&a);
      int rc = Loop_run(a.loop);
      if (rc && !a.rc)
         a.rc = 1;
      /* The ring buffer wakes us only past a threshold: take what waits. */
      if (Source_kind(a.src) == SOURCE_LIVE)
         Source_tick(a.src);
      if (a.ui && Source_error(a.src)) {
         snprintf(a.err, sizeof a.err, "%s", Source_error(a.src));
         a.rc = 1;
      }
   }
   if (o->mode != MODE_UI && a.src && Source_kind(a.src) == SOURCE_REPLAY && Source_note(a.src)[0])
      Say_error("%s", Source_note(a.src));
   if (o->mode == MODE_JSON && a.src)
      sayBye(&a);
   if (o->mode == MODE_JSON && a.src)
      fprintf(stderr, "visnet: %s: %llu events, %llu lost%s%s\n", Source_label(a.src),
              (unsigned long long)Source_events(a.src), (unsigned long long)Source_lost(a.src),
              lossNote(&a), droppedNote(&a.out));
   if (o->mode == MODE_HEADLESS && a.src)
      printSummary(&a);
   teardown(&a);
   Settings_free(&a.settings);
   if (a.err[0])
      Say_error("%s", a.err);
   return a.rc;
}
