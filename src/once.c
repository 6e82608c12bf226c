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
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dot.h"
#include "json.h"
#include "snapshot.h"
#include "store.h"
#include "textout.h"
#include "tree.h"
#include "say.h"

#define ONCE_PIPE_WIDTH 80

typedef struct OnceCtx_ {
   Store* store;
   size_t rejected;
} OnceCtx;

static void Once_apply(void* ctx, const Event* e) {
   OnceCtx* c = ctx;
   if (Store_apply(c->store, e) < 0)
      c->rejected++;
}

static bool Once_utf8(void) {
   if (!isatty(STDOUT_FILENO))
      return false;
   const char* cs = nl_langinfo(CODESET);
   return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

static int Once_width(void) {
   struct winsize ws;
   if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
      return ws.ws_col;
   return ONCE_PIPE_WIDTH;
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
      TextOutOpts to = {.width = Once_width(), .utf8 = Once_utf8(), .all_procs = o->all_procs};
      if (TextOut_write(stdout, t, &to) < 0)
         return -1;
      size_t shown, hidden;
      TextOut_countProcs(t, o->all_procs, &shown, &hidden);
      hidden += Tree_hiddenProcs(t);
      printf("%zu processes shown (%zu without sockets left out, %zu running), %zu sockets "
             "(%zu without owner)\n",
             shown, hidden, st->procs, st->socks, st->unowned);
      return 0;
   }
   }
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
   OnceCtx c = {.store = Store_new(o->inactive_cap ? o->inactive_cap : STORE_DEFAULT_INACTIVE_CAP)};
   if (!c.store) {
      fprintf(stderr, "visnet: out of memory\n");
      return 1;
   }
   SnapshotStats st;
   char err[256];
   if (Snapshot_take("/proc", Once_apply, &c, &st, err, sizeof err) < 0) {
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
                  .descending =
                      o->sort == SORT_CONNS || o->sort == SORT_BYTES || o->sort == SORT_LAST,
                  .show_inactive = true, /* TIME_WAIT sockets, closed but listed like ss does */
                  .filter = o->filter,
                  .root_pid = o->pid,
                  /* documents list every process and connection */
                  .all_procs = o->all_procs || o->once_format != ONCE_TEXT,
                  .fold = o->once_format == ONCE_TEXT};
   Tree* t = Tree_build(c.store, &to);
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
