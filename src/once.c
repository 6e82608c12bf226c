/* once.c: visnet --once. One snapshot into a store, one tree, one print.
 *
 * Text uses UTF-8 line drawing only when stdout is a terminal and the
 * locale's codeset is UTF-8; it fits the terminal width (80 columns when
 * stdout is not a terminal). */
#include "once.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "dot.h"
#include "evlog.h"
#include "json.h"
#include "sockid.h"
#include "snapshot.h"
#include "store.h"
#include "textout.h"
#include "tree.h"
#include "say.h"

#define ONCE_TTY_WIDTH 80 /* a terminal that does not say its width */

typedef struct OnceCtx_ {
   Store* store;
   size_t rejected;
   uint32_t netns; /* --netns, 0: every namespace */
} OnceCtx;

static void Once_apply(void* ctx, const Event* e) {
   OnceCtx* c = ctx;
   if (c->netns && Event_isSock(e) && e->sock.netns != c->netns)
      return; /* --netns: another namespace's socket */
   if (Store_apply(c->store, e) < 0)
      c->rejected++;
}

static bool Once_utf8(void) {
   if (!isatty(STDOUT_FILENO))
      return false;
   const char* cs = nl_langinfo(CODESET);
   return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* --width, else the terminal's; into a pipe or a file, whole lines (0) */
static int Once_width(const Options* o) {
   struct winsize ws;
   if (o->width)
      return o->width;
   if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
      return ws.ws_col;
   return isatty(STDOUT_FILENO) ? ONCE_TTY_WIDTH : 0;
}

static int Once_cmpPtr(const void* a, const void* b) {
   uintptr_t x = (uintptr_t)*(const void* const*)a, y = (uintptr_t)*(const void* const*)b;
   return x < y ? -1 : x > y;
}

static const char* plural(size_t n, const char* one, const char* many) {
   return n == 1 ? one : many;
}

/* Distinct processes in the tree: in the remote view one talking to two
 * remotes is under both. */
static size_t Once_distinctProcs(const Tree* t) {
   size_t n = 0, cap = Tree_size(t) + 1;
   const void** v = malloc(cap * sizeof *v);
   if (!v)
      return 0;
   for (const TreeNode* x = Tree_root(t)->first_child; x; x = Tree_next(x, false))
      if ((x->kind == NODE_PROC || x->kind == NODE_EP_PROC) && x->proc)
         v[n++] = x->proc;
   qsort(v, n, sizeof *v, Once_cmpPtr);
   size_t distinct = 0;
   for (size_t i = 0; i < n; i++)
      distinct += i == 0 || v[i] != v[i - 1];
   free(v);
   return distinct;
}

TextOutOpts Once_textOpts(const Options* o) {
   return (TextOutOpts){.width = Once_width(o),
                        .utf8 = Once_utf8(),
                        .all_procs = o->all_procs,
                        .numeric = o->numeric};
}

static int Once_print(const Options* o, const Tree* t, const Store* s, const SnapshotStats* st) {
   switch (o->once_format) {
   case ONCE_JSON: {
      JsonBuf b;
      JsonBuf_init(&b);
      Json_treeFor(&b, t, s, NULL, o->view);
      JsonBuf_append(&b, "\n", 1);
      int rc = JsonBuf_write(&b, stdout);
      JsonBuf_free(&b);
      return rc;
   }
   case ONCE_DOT:
      return Dot_write(stdout, t);
   case ONCE_TEXT:
   default: {
      TextOutOpts to = Once_textOpts(o);
      if (TextOut_write(stdout, t, &to) < 0)
         return -1;
      TextCount n;
      size_t ma, mi;
      TextOut_countProcs(t, o->all_procs, &n);
      n.hidden += Tree_hiddenProcs(t);
      if (o->view == VIEW_ENDPOINT) {
         n.shown = Once_distinctProcs(t);
         n.context = 0;
      }
      char context[64] = "";
      if (n.context)
         snprintf(context, sizeof context, " with %zu %s", n.context,
                  plural(n.context, "ancestor", "ancestors"));
      if (Tree_matches(t, &ma, &mi))
         printf("%zu %s shown%s, %zu %s the filter (%zu active, %zu closed)\n", n.shown,
                plural(n.shown, "process", "processes"), context, ma + mi,
                plural(ma + mi, "connection matches", "connections match"), ma, mi);
      else
         printf("%zu %s shown%s (%zu without sockets left out, %zu running), %zu %s "
                "(%zu without owner)\n",
                n.shown, plural(n.shown, "process", "processes"), context, n.hidden, st->procs,
                st->socks, plural(st->socks, "socket", "sockets"), st->unowned);
      return 0;
   }
   }
}

/* --replay FILE --once [--at T]: the log applied up to T after its first
 * event (to its end without --at). The counts of the summary line are the
 * store's at that point. */
static int Once_replay(const Options* o, OnceCtx* c, SnapshotStats* st) {
   EvlogStatus es;
   char err[256];
   EvlogReader* r = EvlogReader_open(o->replay, &es, err, sizeof err);
   if (!r) {
      Say_error("%s", err);
      return -1;
   }
   SockIdKey key;
   bool map_sk = !(EvlogReader_header(r)->flags & EVLOG_F_SK_IDS) && SockId_newKey(&key) == 0;
   uint64_t t0 = 0, until = UINT64_MAX, last = 0;
   Event e;
   int rc = 0;
   while ((es = EvlogReader_next(r, &e)) == EVLOG_OK) {
      if (!t0) {
         t0 = e.ts ? e.ts : 1;
         if (o->at_set)
            until = t0 + (uint64_t)(o->at * 1e9);
      }
      if (e.ts > until)
         break;
      if (map_sk && Event_isSock(&e))
         e.sock.sk = SockId_of(&key, e.sock.sk);
      Once_apply(c, &e);
      last = e.ts;
   }
   if (es == EVLOG_ERR_TRUNCATED) {
      Say_error("--replay %s: the log ends in a partial record at offset %llu (its recording was "
                "cut short): shown up to it",
                o->replay, (unsigned long long)EvlogReader_offset(r));
   } else if (es != EVLOG_OK && es != EVLOG_EOF) {
      Say_error("--replay %s: %s at offset %llu", o->replay, Evlog_strerror(es),
                (unsigned long long)EvlogReader_offset(r));
      rc = -1;
   }
   if (o->at_set && t0 && es != EVLOG_OK && rc == 0)
      Say_error("--at %.1fs: the log ends %.1fs after its first event; shown at its end", o->at,
                (double)(last > t0 ? last - t0 : 0) / 1e9);
   EvlogReader_close(r);
   StoreStats ss;
   Store_stats(c->store, &ss);
   memset(st, 0, sizeof *st);
   st->procs = ss.procs_alive;
   st->socks = ss.socks_active;
   st->unowned = ss.orphans;
   return rc;
}

/* What the user should know about what could not be seen. */
static void Once_notes(const SnapshotStats* st) {
   if (st->fd_dirs_denied > 0)
      fprintf(stderr,
              "visnet: %zu processes' open files are not readable (run as root to see "
              "every owner); %zu sockets shown without owner\n",
              st->fd_dirs_denied, st->unowned);
   if (st->netns_failed > 0)
      fprintf(stderr, "visnet: %zu network namespaces could not be entered\n", st->netns_failed);
}

int Once_run(const Options* o) {
   if (!setlocale(LC_ALL, ""))
      setlocale(LC_ALL, "C");
   OnceCtx c = {.store = Store_new(o->inactive_cap ? o->inactive_cap : STORE_DEFAULT_INACTIVE_CAP),
                .netns = o->netns};
   if (!c.store) {
      fprintf(stderr, "visnet: out of memory\n");
      return 1;
   }
   SnapshotStats st;
   char err[256];
   if (o->replay) {
      if (Once_replay(o, &c, &st) < 0) {
         Store_free(c.store);
         return 1;
      }
   } else if (Snapshot_take("/proc", Once_apply, &c, &st, err, sizeof err) < 0) {
      Say_error("%s", err);
      Store_free(c.store);
      return 1;
   }
   if (st.procs_unread) { /* never a picture with holes, and exit 0 */
      fprintf(stderr, "visnet: could not read %zu processes: %s%s\n", st.procs_unread,
              strerror(st.unread_errno),
              st.unread_errno == EMFILE ? " (raise the limit: ulimit -n)" : "");
      Store_free(c.store);
      return 1;
   }
   if (o->pid && !Store_proc(c.store, o->pid)) {
      fprintf(stderr, "visnet: no process with pid %u\n", o->pid);
      Store_free(c.store);
      return 1;
   }
   TreeOpts to = {.view = o->view,
                  .sort = o->sort,
                  .descending = Tree_sortDescending(o->sort),
                  .show_inactive = true, /* TIME_WAIT sockets, closed but listed like ss does */
                  .filter = o->filter,
                  .root_pid = o->pid,
                  /* documents list every process and connection */
                  .all_procs = o->all_procs || o->once_format != ONCE_TEXT,
                  .fold = o->once_format == ONCE_TEXT};
   /* the sums of TCP health per remote and process (sorts by rtt, retrans) */
   struct timespec bt;
   clock_gettime(CLOCK_BOOTTIME, &bt);
   Store_updateRates(c.store, (uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
   /* unit: terms; a replay's cgroup ids are another boot's */
   Cgroups* cg = o->replay ? NULL : Cgroups_new(NULL);
   if (cg) {
      to.unit = Cgroups_unitOf;
      to.unit_ctx = cg;
   }
   Tree* t = Tree_build(c.store, &to);
   Cgroups_free(cg);
   if (!t) {
      fprintf(stderr, "visnet: out of memory building the tree\n");
      Store_free(c.store);
      return 1;
   }
   int rc = Once_print(o, t, c.store, &st);
   if (fflush(stdout) != 0 || ferror(stdout))
      rc = -1;
   int saved = errno;
   Tree_free(t);
   Store_free(c.store);
   if (rc < 0) {
      fprintf(stderr, "visnet: write error: %s\n", strerror(saved ? saved : EIO));
      return 1;
   }
   Once_notes(&st);
   return 0;
}
