/* ui.c: the UI's life: curses on and off the terminal, resize, and the
 * per-frame entry point called by the event loop. */
#include "ui_priv.h"

#include "keys.h"
#include "mouse.h"

#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static Ui* g_open; /* for the atexit safety net */

/* The clock of the store's timestamps: the frame's, else CLOCK_BOOTTIME. */
uint64_t Ui_nowNs(const Ui* ui) {
   if (ui->have_st && ui->st.now_ns)
      return ui->st.now_ns;
   struct timespec ts;
   clock_gettime(CLOCK_BOOTTIME, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void Ui_message(Ui* ui, const char* fmt, ...) {
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
   va_end(ap);
   ui->msg_until_ms = Term_nowMs() + 4000;
}

static void formatFrozen(void* ctx, const TreeNode* n, Buf* b) {
   RowText_format(ctx, n, b);
}

void Ui_prefs(const Ui* ui, UiPrefs* out) {
   const TreeOpts* o = &ui->rows.topts;
   memset(out, 0, sizeof *out);
   out->view = o->view;
   out->sort = o->sort;
   out->descending = o->descending;
   out->delay_ds = ui->opts.delay_ds;
   snprintf(out->filter, sizeof out->filter, "%s", ui->rows.filter);
   out->colors = ui->scheme;
   out->all_procs = o->all_procs;
   out->show_inactive = o->show_inactive;
   out->dns = ui->text.dns;
   out->numeric = ui->text.numeric;
   out->mouse = ui->mouse;
   out->units = ui->text.units;
   if (ui->text.ncols)
      Columns_format(ui->text.cols, ui->text.ncols, out->columns, sizeof out->columns);
   else
      snprintf(out->columns, sizeof out->columns, "%s", COLUMNS_DEFAULT);
}

void Ui_setPrefs(Ui* ui, const UiPrefs* p) {
   TreeOpts* o = &ui->rows.topts;
   if (ui->rows.frozen)
      Ui_freeze(ui, false);
   o->view = p->view;
   o->sort = p->sort;
   o->descending = p->descending;
   ui->opts.delay_ds = p->delay_ds;
   snprintf(ui->rows.filter, sizeof ui->rows.filter, "%s", p->filter);
   o->all_procs = p->all_procs;
   o->show_inactive = p->show_inactive;
   ui->text.dns = p->dns;
   ui->text.numeric = p->numeric;
   ui->text.units = p->units;
   uint8_t cols[COL__COUNT];
   char err[120];
   int n = Columns_parse(p->columns, cols, err, sizeof err);
   if (n > 0) {
      memcpy(ui->text.cols, cols, sizeof cols);
      ui->text.ncols = n;
   }
   if (p->mouse != ui->mouse) {
      ui->mouse = p->mouse;
      Mouse_enable(ui->mouse);
   }
   if (p->colors != ui->scheme) {
      ui->scheme = p->colors % SCHEME__COUNT;
      Term_colors(&ui->term, (TermScheme)ui->scheme);
      clearok(curscr, TRUE);
   }
   ui->rows.dirty = true;
}

const UiAction* Ui_action(const Ui* ui) { return &ui->action.act; }

void Ui_prefsChanged(const Ui* ui, UiPrefs* before, UiPrefs* now) {
   *before = ui->setup.before;
   Ui_prefs(ui, now);
}

UiCommand Ui_takeCommand(Ui* ui) {
   UiCommand c = ui->cmd;
   ui->cmd = UI_CMD_NONE;
   return c;
}

void Ui_freeze(Ui* ui, bool on) {
   ui->text.now_ns = Ui_nowNs(ui);
   Rows_freeze(&ui->rows, on, formatFrozen, &ui->text);
}

void Ui_ensureRows(Ui* ui, Store* s) {
   Rows_ensure(&ui->rows, s);
   const char* err = Rows_takeError(&ui->rows);
   if (err)
      Ui_message(ui, "%s", err);
}

static void atexitClose(void) {
   if (g_open)
      Ui_close(g_open);
}

Ui* Ui_open(const UiOpts* o, char* err, size_t errlen) {
   if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
      snprintf(err, errlen,
               "the terminal UI needs a terminal on stdin and stdout "
               "(use --once, --json or --headless otherwise)");
      return NULL;
   }
   Ui* ui = calloc(1, sizeof *ui);
   if (!ui) {
      snprintf(err, errlen, "out of memory");
      return NULL;
   }
   ui->opts = *o;
   setlocale(LC_ALL, "");
   ui->term.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
   ui->text.utf8 = ui->term.utf8;
   ui->scr = newterm(NULL, stdout, stdin);
   if (!ui->scr) {
      const char* term = getenv("TERM");
      snprintf(err, errlen, "cannot start the terminal UI for TERM=%s", term ? term : "(unset)");
      free(ui);
      return NULL;
   }
   set_term(ui->scr);
   ui->active = true;
   const char* cup = tigetstr("cup");
   if (!cup || cup == (char*)-1) {
      const char* term = getenv("TERM");
      snprintf(err, errlen,
               "TERM=%s cannot move the cursor: the terminal UI needs one that "
               "can (use --once, --json or --headless otherwise)",
               term ? term : "(unset)");
      endwin();
      delscreen(ui->scr);
      free(ui);
      return NULL;
   }
   set_escdelay(25);
   cbreak(); /* keeps ISIG: Ctrl-C reaches the program's signalfd as SIGINT */
   noecho();
   nonl();
   intrflush(stdscr, FALSE);
   keypad(stdscr, TRUE);
   nodelay(stdscr, TRUE);
   leaveok(stdscr, TRUE);
   curs_set(0);
   ui->scheme = o->no_color ? SCHEME_MONO : o->colors % SCHEME__COUNT;
   Term_colors(&ui->term, (TermScheme)ui->scheme);

   struct utsname un;
   if (uname(&un) == 0) {
      snprintf(ui->host, sizeof ui->host, "%s", un.nodename);
      snprintf(ui->kernel, sizeof ui->kernel, "%s", un.release);
   }
   RowText_findSsh(&ui->text);
   Rows* r = &ui->rows;
   r->topts.view = o->view;
   r->topts.sort = o->sort;
   r->topts.descending = o->order ? o->order == 2 : Tree_sortDescending(o->sort);
   r->topts.show_inactive = !o->hide_inactive;
   ui->text.dns = o->dns;
   ui->mouse = o->mouse;
   Mouse_enable(ui->mouse);
   r->topts.root_pid = o->pid;
   r->topts.all_procs = o->all_procs;
   ui->text.numeric = o->numeric;
   r->topts.unit = o->unit; /* unit: terms */
   r->topts.unit_ctx = o->unit_ctx;
   ui->details.unit = o->unit;
   ui->text.unit = o->unit;
   ui->text.unit_ctx = o->unit_ctx;
   ui->text.units = o->units;
   if (o->columns) {
      char err[120];
      int n = Columns_parse(o->columns, ui->text.cols, err, sizeof err);
      ui->text.ncols = n > 0 ? n : 0;
   }
   ui->details.unit_ctx = o->unit_ctx;
   r->topts.fold = true;
   r->topts.fleet = o->fleet;
   ui->text.fleet = o->fleet;
   ui->details.fleet = o->fleet;
   if (o->filter)
      snprintf(r->filter, sizeof r->filter, "%s", o->filter);
   r->height = LINES > 6 ? (size_t)LINES - 6 : 1;
   r->dirty = true;
   ui->auto_prune = o->auto_prune;
   g_open = ui;
   static bool registered;
   if (!registered && atexit(atexitClose) == 0)
      registered = true;
   return ui;
}

int Ui_inputFd(const Ui* ui) {
   (void)ui;
   return STDIN_FILENO;
}

bool Ui_wantsNames(const Ui* ui) {
   return ui && ui->text.dns;
}

size_t Ui_unnamed(Ui* ui, uint8_t (*out)[16], size_t max) {
   RowText* rt = &ui->text;
   size_t n = rt->nunnamed < max ? rt->nunnamed : max;
   memcpy(out, rt->unnamed, n * 16);
   rt->nunnamed = 0;
   return n;
}

void Ui_namesUnavailable(Ui* ui, const char* why) {
   ui->text.dns = false;
   Ui_message(ui, "reverse DNS unavailable: %s", why);
}

void Ui_markDirty(Ui* ui) {
   ui->rows.dirty = true;
}

static void autoPrune(Ui* ui, Store* s) {
   if (!ui->auto_prune || !ui->have_st || !ui->st.now_ns)
      return;
   uint64_t age = ui->opts.prune_after_s * 1000000000ull;
   PruneCount c = ui->opts.fleet ? Fleet_pruneOlder((Fleet*)ui->opts.fleet, ui->st.now_ns, age)
                                 : Store_pruneOlder(s, ui->st.now_ns, age);
   if (c.socks || c.edges || c.procs)
      ui->rows.dirty = true;
}

void Ui_draw(Ui* ui, Store* s, const UiStatus* st) {
   if (!ui || !ui->active)
      return;
   ui->store = s;
   if (st) {
      ui->st = *st;
      ui->have_st = true;
   }
   autoPrune(ui, s);
   Draw_frame(ui, s);
}

void Ui_redraw(Ui* ui) {
   if (ui && ui->active && (ui->store || ui->opts.fleet))
      Draw_frame(ui, ui->store);
}

void Ui_onResize(Ui* ui) {
   if (!ui || !ui->active)
      return;
   struct winsize ws;
   if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
       (ws.ws_row != LINES || ws.ws_col != COLS))
      resizeterm(ws.ws_row, ws.ws_col);
   Ui_redraw(ui);
}

int Ui_onInput(Ui* ui, Store* s) {
   if (!ui || !ui->active)
      return 0;
   ui->store = s;
   Ui_ensureRows(ui, s);
   bool any = false;
   int ch;
   while ((ch = getch()) != ERR) {
      any = true;
      if (ch == KEY_RESIZE) {
         /* curses has resized already (resizeterm queues this key) */
         Ui_redraw(ui);
         continue;
      }
      if (Keys_handle(ui, s, ch))
         return 1;
   }
   if (any) {
      Draw_frame(ui, s);
      return 0;
   }
   /* readable but no key: the terminal is gone (hangup without SIGHUP);
    * quit rather than spin on an fd that stays readable */
   struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
   if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
      return 1;
   return 0;
}

void Ui_close(Ui* ui) {
   if (!ui)
      return;
   if (ui->active) {
      ui->active = false;
      if (ui->mouse)
         Mouse_enable(false); /* the terminal stops reporting it */
      curs_set(1);
      endwin();
      fflush(stdout);
   }
   if (g_open == ui)
      g_open = NULL;
}

void Ui_free(Ui* ui) {
   if (!ui)
      return;
   Ui_close(ui);
   Rows_free(&ui->rows);
   Users_free(&ui->text.users);
   Services_free(&ui->text.services);
   if (ui->scr)
      delscreen(ui->scr);
   free(ui);
}
