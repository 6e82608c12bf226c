/* fleetrun.c: visnet --remote (fleetrun.h): the hosts' streams read in the
 * one loop, each line checked (jsonread.h) before it reaches its host's
 * store, then shown, written out with its host, or summed up once. */
#include "fleetrun.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dot.h"
#include "filter.h"
#include "fleet.h"
#include "json.h"
#include "jsonread.h"
#include "loop.h"
#include "once.h"
#include "outq.h"
#include "remote.h"
#include "say.h"
#include "textout.h"
#include "ui.h"

#define FLEET_MAX_HOSTS 1024
#define ONCE_WAIT_S 20 /* --once: how long hosts have to send their picture */
#define JSON_QUEUE_BYTES (16u << 20)
#define JSON_FLUSH_BYTES (64 * 1024)

typedef struct Run_ {
   const Options* o;
   Loop* loop;
   Fleet* fleet;
   Remotes* rem;
   char (*names)[64];
   size_t n;
   bool* hello;      /* per host: this connection said hello */
   bool* settled;    /* per host: its picture is in, or its first try failed */
   uint64_t* lineno; /* per host: lines of this connection */
   Ui* ui;
   JsonBuf json;
   OutQ out;
   Filter* filter; /* --json --filter */
   uint64_t lines, filtered, events;
   uint64_t rate_events, rate_ns; /* the header's events/s */
   double rate;
   const char* ended;
   int rc;
   char err[320];
   uint64_t once_until; /* --once: CLOCK_MONOTONIC ns */
   bool once_done;
   Event ev; /* the line being read */
} Run;

/* ---- the hosts ---- */

static int addHosts(Run* r, const char* list, char* err, size_t errlen) {
   int k = Options_hosts(list, NULL, 0, err, errlen);
   if (k < 0)
      return -1;
   if (r->n + (size_t)k > FLEET_MAX_HOSTS)
      return snprintf(err, errlen,
                      "more than %d hosts: for that many, ship each host's "
                      "visnet --json to a store (docs/FLEET.md)",
                      FLEET_MAX_HOSTS),
             -1;
   char(*more)[64] = realloc(r->names, (r->n + (size_t)k) * sizeof *r->names);
   if (!more)
      return snprintf(err, errlen, "out of memory"), -1;
   r->names = more;
   Options_hosts(list, r->names + r->n, (size_t)k, err, errlen);
   r->n += (size_t)k;
   return 0;
}

/* --remote-file: one host (or a comma list) a line; blanks and # comments. */
static int readHostFile(Run* r, const char* path, char* err, size_t errlen) {
   FILE* f = fopen(path, "re");
   if (!f)
      return snprintf(err, errlen, "--remote-file %s: %s", path, strerror(errno)), -1;
   char line[1024], why[200];
   int no = 0, rc = 0;
   while (rc == 0 && fgets(line, sizeof line, f)) {
      no++;
      char* p = line + strspn(line, " \t");
      p[strcspn(p, "#\r\n")] = '\0';
      for (size_t l = strlen(p); l && (p[l - 1] == ' ' || p[l - 1] == '\t'); l--)
         p[l - 1] = '\0';
      if (*p && addHosts(r, p, why, sizeof why) < 0) {
         snprintf(err, errlen, "--remote-file %s:%d: %s", path, no, why);
         rc = -1;
      }
   }
   if (rc == 0 && ferror(f))
      rc = -1, snprintf(err, errlen, "--remote-file %s: %s", path, strerror(errno));
   fclose(f);
   if (rc == 0 && r->n == 0)
      rc = -1, snprintf(err, errlen, "--remote-file %s: no host in it", path);
   return rc;
}

static int loadHosts(Run* r, char* err, size_t errlen) {
   if (r->o->remote && addHosts(r, r->o->remote, err, errlen) < 0)
      return -1;
   if (r->o->remote_file && readHostFile(r, r->o->remote_file, err, errlen) < 0)
      return -1;
   for (size_t i = 0; i < r->n; i++)
      for (size_t j = 0; j < i; j++)
         if (strcmp(r->names[i], r->names[j]) == 0)
            return snprintf(err, errlen, "--remote: %s given twice", r->names[i]), -1;
   return 0;
}

/* ---- --json ---- */

static void flushJson(Run* r) {
   if (r->out.unsaid) {
      JsonBuf b;
      JsonBuf_init(&b);
      JsonLost l = {.ts = Loop_nowNs(),
                    .wall_ns = Loop_wallNs(),
                    .lines = r->out.unsaid,
                    .dropped = r->out.dropped};
      Json_lost(&b, &l);
      if (!b.oom && OutQ_put(&r->out, b.data, b.len, 0))
         r->out.unsaid = 0;
      JsonBuf_free(&b);
   }
   OutQ_write(&r->out, r->json.data, r->json.len, r->lines);
   JsonBuf_reset(&r->json);
   r->lines = 0;
   if (OutQ_flush(&r->out) < 0) {
      r->ended = r->out.err == EPIPE ? "reader gone" : "error";
      if (r->out.err != EPIPE)
         snprintf(r->err, sizeof r->err, "stdout: %s", strerror(r->out.err));
      Loop_stop(r->loop, r->out.err == EPIPE ? 0 : 1);
   }
}

static void hostLine(Run* r, size_t i) {
   if (r->o->mode != MODE_JSON)
      return;
   const Host* h = Fleet_hostC(r->fleet, i);
   JsonHost j = {
       .ts = Loop_nowNs(),
       .wall_ns = Loop_wallNs(),
       .host = h->name,
       .status = Host_stateName(h->state),
       .reason = h->state == HOST_DOWN ? h->reason : NULL,
       .remote = h->state == HOST_UP ? h->remote : NULL,
       .version = h->state == HOST_UP ? h->version : NULL,
       .retry_s = h->state == HOST_DOWN ? Remotes_retryIn(r->rem, i) : 0,
   };
   Json_host(&r->json, &j);
   r->lines++;
}

/* A socket event's socket, as its host's store has it now. */
static const Sock* sockOf(const Host* h, const Event* e) {
   SockKey key;
   SockKey_fromEvent(&key, &e->sock);
   return Store_sock(h->store, &key);
}

static bool passes(Run* r, const Host* h, const Event* e, const Sock* k) {
   if (!r->filter)
      return true;
   Filter_setHost(r->filter, h->name);
   if (Event_isSock(e))
      return k && Filter_sock(r->filter, k);
   const Proc* p = Store_proc(h->store, e->pid);
   return p && Filter_proc(r->filter, p) == FILTER_YES;
}

/* The host's own line, with its name and, for a connection whose other
 * end another host has, that end. */
static void eventLine(Run* r, size_t i, const char* line, size_t len, const Event* e) {
   const Host* h = Fleet_hostC(r->fleet, i);
   const Sock* k = Event_isSock(e) ? sockOf(h, e) : NULL;
   if (!passes(r, h, e, k)) {
      r->filtered++;
      return;
   }
   FleetPeer p;
   JsonPeer jp;
   const JsonPeer* peer = NULL;
   if (k && Fleet_peer(r->fleet, i, k, &p)) {
      const Proc* q = p.sock->proc;
      jp = (JsonPeer){.host = Fleet_hostC(r->fleet, p.host)->name,
                      .pid = q ? q->pid : 0,
                      .comm = q ? q->comm : NULL};
      peer = &jp;
   }
   r->lines += Json_tagLine(&r->json, line, len, h->name, peer);
   if (r->json.len >= JSON_FLUSH_BYTES)
      flushJson(r);
}

/* ---- the streams ---- */

static void onceCheck(Run* r);

static void cutf(Run* r, size_t i, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
static void cutf(Run* r, size_t i, const char* fmt, ...) {
   char why[240];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof why, fmt, ap);
   va_end(ap);
   Remotes_cut(r->rem, i, why);
}

static void onHello(Run* r, size_t i, const JsonReadHello* h) {
   if (r->hello[i]) {
      cutf(r, i, "line %llu: a second hello", (unsigned long long)r->lineno[i]);
      return;
   }
   if (Fleet_hello(r->fleet, i, h->ts, h->host, h->visnet, h->mode) < 0) {
      cutf(r, i, "out of memory");
      return;
   }
   r->hello[i] = true;
   Fleet_host(r->fleet, i)->retry_at = 0;
   Remotes_ok(r->rem, i);
   hostLine(r, i);
}

static void onLine(void* ctx, size_t i, const char* line, size_t len) {
   Run* r = ctx;
   char err[200];
   JsonReadHello h;
   r->lineno[i]++;
   int k = JsonRead_stream(line, len, &r->ev, &h, err, sizeof err);
   if (k < 0) {
      cutf(r, i, "line %llu: %s: not visnet's stream", (unsigned long long)r->lineno[i], err);
      return;
   }
   if (k == JSONREAD_HELLO) {
      onHello(r, i, &h);
   } else if (!r->hello[i]) {
      cutf(r, i, "line %llu: no hello first: not visnet's stream",
           (unsigned long long)r->lineno[i]);
      return;
   } else if (k == JSONREAD_READY) {
      Fleet_host(r->fleet, i)->ready = true;
      r->settled[i] = true;
      if (r->o->mode == MODE_JSON)
         r->lines += Json_tagLine(&r->json, line, len, Fleet_hostC(r->fleet, i)->name, NULL);
      onceCheck(r);
   } else if (k == JSONREAD_EVENT) {
      r->events++;
      Fleet_apply(r->fleet, i, &r->ev, 1);
      if (r->o->mode == MODE_JSON)
         eventLine(r, i, line, len, &r->ev);
   } else if (k != JSONREAD_BYE && r->o->mode == MODE_JSON) { /* lost, or a newer kind */
      r->lines += Json_tagLine(&r->json, line, len, Fleet_hostC(r->fleet, i)->name, NULL);
   }
   if (r->ui)
      Ui_markDirty(r->ui);
}

static void onEnded(void* ctx, size_t i, const char* reason) {
   Run* r = ctx;
   r->hello[i] = false;
   r->lineno[i] = 0;
   r->settled[i] = true;
   Fleet_down(r->fleet, i, reason);
   Fleet_host(r->fleet, i)->retry_at = Fleet_now() + Remotes_retryIn(r->rem, i) * 1000000000ull;
   hostLine(r, i);
   if (r->ui)
      Ui_markDirty(r->ui);
   onceCheck(r);
}

/* ---- --once ---- */

static int printOnce(Run* r) {
   const Options* o = r->o;
   TreeOpts to = {.view = o->view,
                  .sort = o->sort,
                  .descending = Tree_sortDescending(o->sort),
                  .show_inactive = true,
                  .filter = o->filter,
                  .all_procs = o->all_procs || o->once_format != ONCE_TEXT,
                  .fold = o->once_format == ONCE_TEXT,
                  .fleet = r->fleet,
                  .now_ns = Fleet_now()};
   Tree* t = Tree_build(NULL, &to);
   if (!t)
      return snprintf(r->err, sizeof r->err, "out of memory building the tree"), -1;
   int rc = 0;
   if (o->once_format == ONCE_JSON) {
      JsonBuf b;
      JsonBuf_init(&b);
      Json_fleetTree(&b, t, o->view);
      JsonBuf_append(&b, "\n", 1);
      rc = JsonBuf_write(&b, stdout);
      JsonBuf_free(&b);
   } else if (o->once_format == ONCE_DOT) {
      rc = Dot_write(stdout, t);
   } else {
      TextOutOpts tx = Once_textOpts(o);
      rc = TextOut_write(stdout, t, &tx);
   }
   Tree_free(t);
   if (fflush(stdout) != 0 || rc < 0)
      return snprintf(r->err, sizeof r->err, "write error: %s", strerror(errno)), -1;
   return 0;
}

/* Every host has sent its picture or failed once (or the wait is over):
 * the merged picture, and each host that is not in it said on stderr. */
static void onceFinish(Run* r) {
   if (r->once_done)
      return;
   r->once_done = true;
   Fleet_tick(r->fleet, Fleet_now());
   if (printOnce(r) < 0)
      r->rc = 1;
   for (size_t i = 0; i < r->n; i++) {
      const Host* h = Fleet_hostC(r->fleet, i);
      if (h->ready)
         continue;
      Say_error("%s: %s", h->name,
                h->state == HOST_DOWN ? h->reason
                                      : "no complete picture within " /* still on its way */
                                        "20 s");
      r->rc = 1;
   }
   Loop_stop(r->loop, 0);
}

static void onceCheck(Run* r) {
   if (r->o->mode != MODE_ONCE)
      return;
   for (size_t i = 0; i < r->n; i++)
      if (!r->settled[i])
         return;
   onceFinish(r);
}

/* ---- the loop ---- */

static void draw(Run* r) {
   if (!r->ui)
      return;
   UiStatus st = {.mode = "fleet over ssh", .now_ns = Fleet_now(), .events_per_s = r->rate};
   Ui_draw(r->ui, NULL, &st);
}

/* Events per second from every host, for the header. */
static void updateRate(Run* r) {
   uint64_t now = Loop_monoNs();
   if (r->rate_ns && now > r->rate_ns)
      r->rate = (double)(r->events - r->rate_events) * 1e9 / (double)(now - r->rate_ns);
   r->rate_ns = now;
   r->rate_events = r->events;
}

/* A child started again since the last tick is connecting. */
static void noteRestarts(Run* r) {
   for (size_t i = 0; i < r->n; i++) {
      Host* h = Fleet_host(r->fleet, i);
      if (h->state == HOST_DOWN && Remotes_running(r->rem, i)) {
         Fleet_connecting(r->fleet, i);
         h->retry_at = 0;
         hostLine(r, i);
         if (r->ui)
            Ui_markDirty(r->ui);
      }
   }
}

static int onTick(void* ctx) {
   Run* r = ctx;
   Remotes_tick(r->rem);
   noteRestarts(r);
   updateRate(r);
   Fleet_tick(r->fleet, Fleet_now());
   if (r->o->mode == MODE_JSON)
      flushJson(r);
   if (r->o->mode == MODE_ONCE && Loop_monoNs() >= r->once_until)
      onceFinish(r);
   draw(r); /* rebuilt when a line came (onLine), else redrawn */
   return 0;
}

static int onInput(void* ctx) {
   Run* r = ctx;
   if (Ui_onInput(r->ui, NULL)) {
      Loop_stop(r->loop, 0);
      return 0;
   }
   if (Ui_wantsNames(r->ui)) /* r: said, not pretended */
      Ui_namesUnavailable(r->ui, "not in a fleet view: each address is a host's own to name");
   UiCommand cmd = Ui_takeCommand(r->ui);
   if (cmd == UI_CMD_ACTION)
      Ui_message(r->ui, "a fleet's processes are on other hosts: act there with their own visnet");
   if (cmd == UI_CMD_PREFS) { /* the refresh, for this run (a fleet saves no settings) */
      UiPrefs before, now;
      Ui_prefsChanged(r->ui, &before, &now);
      if (now.delay_ds != before.delay_ds)
         (void)Loop_setTimer(r->loop, (unsigned)now.delay_ds * 100u, onTick, r);
   }
   draw(r);
   return 0;
}

static int onSignal(void* ctx, int signo) {
   Run* r = ctx;
   if (signo == SIGWINCH) {
      if (r->ui) {
         Ui_onResize(r->ui);
         draw(r);
      }
      return 0;
   }
   if (!r->ended)
      r->ended = "signal";
   Loop_stop(r->loop, 0);
   return 0;
}

static int onDeadline(void* ctx) {
   Run* r = ctx;
   if (!r->ended)
      r->ended = "duration";
   Loop_stop(r->loop, 0);
   return 0;
}

static void sayHello(Run* r) {
   const char* names[FLEET_MAX_HOSTS];
   char host[256] = "";
   gethostname(host, sizeof host - 1);
   for (size_t i = 0; i < r->n; i++)
      names[i] = r->names[i];
   JsonHello h = {.version = VISNET_VERSION,
                  .host = host,
                  .boot_id = "",
                  .kernel = "",
                  .mode = "fleet",
                  .started_ns = Loop_wallNs(),
                  .ts = Loop_nowNs(),
                  .hosts = names,
                  .nhosts = r->n};
   Json_hello(&r->json, &h);
   r->lines++;
   flushJson(r);
}

static void sayBye(Run* r) {
   JsonBye y = {.ended_ns = Loop_wallNs(),
                .ts = Loop_nowNs(),
                .events = r->events,
                .dropped = r->out.dropped,
                .filtered = r->filtered,
                .reason = r->ended ? r->ended : "signal",
                .error = r->err[0] ? r->err : NULL};
   Json_bye(&r->json, &y);
   r->out.max += r->json.len; /* the last line always has room */
   OutQ_put(&r->out, r->json.data, r->json.len, 1);
   JsonBuf_reset(&r->json);
   (void)OutQ_drain(&r->out, 1000);
}

static UiOpts uiOpts(const Run* r) {
   const Options* o = r->o;
   return (UiOpts){
       .no_actions = "a fleet's processes are on other hosts: act there with their own visnet",
       .order = (int)o->order,
       .colors = (int)o->colors,
       .hide_inactive = o->hide_inactive,
       .mouse = !o->no_mouse,
       .columns = o->columns,
       .settings_where = "a fleet view: changes last this run",
       .delay_ds = o->delay_ds,
       .filter = o->filter,
       .no_color = o->no_color,
       .auto_prune = o->auto_prune,
       .all_procs = o->all_procs,
       .numeric = o->numeric,
       .prune_after_s = o->prune_after_s,
       .view = o->view,
       .sort = o->sort,
       .fleet = r->fleet,
   };
}

static int setup(Run* r) {
   const Options* o = r->o;
   if (loadHosts(r, r->err, sizeof r->err) < 0)
      return -1;
   r->hello = calloc(r->n, sizeof *r->hello);
   r->settled = calloc(r->n, sizeof *r->settled);
   r->lineno = calloc(r->n, sizeof *r->lineno);
   const char* names[FLEET_MAX_HOSTS];
   for (size_t i = 0; i < r->n; i++)
      names[i] = r->names[i];
   r->fleet = Fleet_new(names, r->n, o->inactive_cap);
   if (!r->hello || !r->settled || !r->lineno || !r->fleet)
      return snprintf(r->err, sizeof r->err, "out of memory"), -1;
   if (o->mode == MODE_UI && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
      return snprintf(r->err, sizeof r->err,
                      "the terminal UI needs a terminal on stdin and stdout "
                      "(use --once or --json otherwise)"),
             -1;
   r->loop = Loop_new(r->err, sizeof r->err);
   if (!r->loop)
      return -1;
   if (Loop_onSignals(r->loop, onSignal, r) < 0)
      return snprintf(r->err, sizeof r->err, "signalfd: %s", strerror(errno)), -1;
   JsonBuf_init(&r->json);
   if (o->mode == MODE_JSON) {
      char ferr[200];
      OutQ_init(&r->out, STDOUT_FILENO, JSON_QUEUE_BYTES);
      r->filter = Filter_parse(o->filter, ferr, sizeof ferr);
      sayHello(r);
   }
   if (o->mode == MODE_UI) {
      UiOpts uo = uiOpts(r);
      r->ui = Ui_open(&uo, r->err, sizeof r->err);
      if (!r->ui)
         return -1;
      if (Loop_addFd(r->loop, Ui_inputFd(r->ui), onInput, r) < 0)
         return snprintf(r->err, sizeof r->err, "epoll: %s", strerror(errno)), -1;
   }
   RemoteCmd cmd = {.ssh = o->ssh_command, .visnet = o->remote_visnet, .netns = o->netns_name};
   RemoteCb cb = {.line = onLine, .ended = onEnded, .ctx = r};
   r->rem = Remotes_new(r->loop, r->names, r->n, &cmd, &cb, r->err, sizeof r->err);
   if (!r->rem)
      return -1;
   Remotes_tick(r->rem); /* every child started now */
   r->once_until = Loop_monoNs() + ONCE_WAIT_S * 1000000000ull;
   unsigned tick_ms = o->mode == MODE_ONCE ? 250 : (unsigned)o->delay_ds * 100u;
   if (Loop_setTimer(r->loop, tick_ms, onTick, r) < 0 ||
       (o->duration > 0 && Loop_setDeadline(r->loop, o->duration, onDeadline, r) < 0))
      return snprintf(r->err, sizeof r->err, "timerfd: %s", strerror(errno)), -1;
   return 0;
}

static void teardown(Run* r) {
   if (r->ui)
      Ui_free(r->ui);
   Remotes_free(r->rem); /* every child ends: before the fleet they feed goes */
   if (r->o->mode == MODE_JSON && r->loop) {
      flushJson(r);
      sayBye(r);
      OutQ_done(&r->out);
   }
   JsonBuf_free(&r->json);
   Filter_free(r->filter);
   Fleet_free(r->fleet);
   Loop_free(r->loop);
   free(r->hello);
   free(r->settled);
   free(r->lineno);
   free(r->names);
}

int FleetRun_run(const Options* o) {
   Run r = {.o = o};
   signal(SIGPIPE, SIG_IGN);
   if (setup(&r) < 0) {
      r.rc = r.rc ? r.rc : 1;
      if (!r.ended)
         r.ended = "error";
   } else {
      draw(&r);
      if (Loop_run(r.loop) && !r.rc)
         r.rc = 1;
   }
   teardown(&r);
   if (r.err[0])
      Say_error("%s", r.err);
   return r.rc;
}
