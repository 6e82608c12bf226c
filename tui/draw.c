/* draw.c: one frame: header, column titles, the body (rows, or an
 * overlay), the footer.
 *
 * Every line is drawn in place and cleared to its end; the screen is never
 * erased, so curses' own diff sends only the cells that changed (an idle
 * screen sends nothing but the clock, once a second). */
#include "ui_priv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "help.h"
#include "actions.h"
#include "setup.h"

static const char* glyph(const Ui* ui, const char* utf8, const char* ascii) {
   return ui->term.utf8 ? utf8 : ascii;
}

/* Host, kernel, mode and its note; the clock at the right. */
static void headerTitle(Ui* ui) {
   const Term* t = &ui->term;
   const UiStatus* st = ui->have_st ? &ui->st : NULL;
   Buf b;
   Buf_reset(&b);
   Buf_cls(&b, CL_HEAD);
   Buf_printf(&b, "visnet ");
   Buf_cls(&b, CL_NORMAL);
   Buf_san(&b, ui->host, t->utf8);
   Buf_cls(&b, CL_SECOND);
   Buf_printf(&b, "  kernel ");
   Buf_san(&b, ui->kernel, t->utf8);
   Buf_cls(&b, CL_HEAD);
   Buf_printf(&b, "  %s", st && st->mode ? st->mode : "");
   if (st && st->note && st->note[0]) {
      Buf_cls(&b, CL_WARN);
      Buf_printf(&b, "  (");
      Buf_san(&b, st->note, t->utf8);
      Buf_printf(&b, ")");
   }
   Term_line(t, 0, b.s, A_NORMAL, false);
   /* a replay shows the log's clock */
   time_t now = st && st->clock_wall_ns ? (time_t)(st->clock_wall_ns / 1000000000ull) : time(NULL);
   struct tm tm;
   localtime_r(&now, &tm);
   if (COLS > 70) {
      char clk[16];
      strftime(clk, sizeof clk, "%H:%M:%S", &tm);
      attrset(t->attr[CL_HEAD]);
      mvaddstr(0, COLS - 9, " ");
      addstr(clk);
      attrset(A_NORMAL);
   }
}

/* "(estab 5, listen 2, syn 1, closing 3, udp 4)": the states that have any */
static void stateCounts(const StoreRates* r, Buf* b) {
   size_t syn = r->tcp[TCPS_SYN_SENT] + r->tcp[TCPS_SYN_RECV] + r->tcp[TCPS_NEW_SYN_RECV];
   size_t closing = r->tcp[TCPS_FIN_WAIT1] + r->tcp[TCPS_FIN_WAIT2] + r->tcp[TCPS_TIME_WAIT] +
                    r->tcp[TCPS_CLOSE_WAIT] + r->tcp[TCPS_LAST_ACK] + r->tcp[TCPS_CLOSING];
   const struct {
      const char* name;
      size_t n;
   } parts[] = {{"estab", r->tcp[TCPS_ESTABLISHED]},
                {"listen", r->tcp[TCPS_LISTEN]},
                {"syn", syn},
                {"closing", closing},
                {"udp", r->udp}};
   const char* sep = " (";
   for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
      if (parts[i].n) {
         Buf_printf(b, "%s%s %zu", sep, parts[i].name, parts[i].n);
         sep = ", ";
      }
   if (sep[0] == ',')
      Buf_printf(b, ")");
}

/* A fleet's rates: its hosts' summed. */
static const StoreRates* fleetRates(const Fleet* f, StoreRates* sum) {
   memset(sum, 0, sizeof *sum);
   for (size_t i = 0; i < Fleet_count(f); i++) {
      const StoreRates* r = Store_rates(Fleet_hostC(f, i)->store);
      sum->up += r->up;
      sum->down += r->down;
      sum->new_per_s += r->new_per_s;
      sum->udp += r->udp;
      for (int k = 0; k < TCPS__COUNT; k++)
         sum->tcp[k] += r->tcp[k];
   }
   return sum;
}

static void headerCounts(Ui* ui, Store* s) {
   StoreStats ss;
   StoreRates sum;
   const Fleet* f = ui->opts.fleet;
   memset(&ss, 0, sizeof ss);
   if (f)
      Fleet_stats(f, &ss);
   else if (s)
      Store_stats(s, &ss);
   const UiStatus* st = ui->have_st ? &ui->st : NULL;
   Buf b;
   Buf_reset(&b);
   const StoreRates* r = f ? fleetRates(f, &sum) : s ? Store_rates(s) : NULL;
   if (f) {
      size_t up = 0;
      for (size_t i = 0; i < Fleet_count(f); i++)
         up += Fleet_hostC(f, i)->state == HOST_UP;
      Buf_printf(&b, "hosts %zu/%zu up  ", up, Fleet_count(f));
   }
   char up[32], down[32];
   if (r) {
      Fmt_rate(r->down, down, sizeof down);
      Fmt_rate(r->up, up, sizeof up);
      Buf_printf(&b, "%s%s %s%s/s  ", glyph(ui, "\u2193", "rx "), down[0] ? down : "0B",
                 glyph(ui, "\u2191", "tx "), up[0] ? up : "0B");
   }
   size_t ma, mi;
   if (ui->rows.tree && Tree_matches(ui->rows.tree, &ma, &mi)) {
      Buf_printf(&b, "conns %zu active, %zu inactive match", ma, mi);
   } else {
      Buf_printf(&b, "conns %zu active", ss.socks_active);
      if (r)
         stateCounts(r, &b);
      Buf_printf(&b, ", %zu inactive", ss.socks - ss.socks_active);
   }
   if (r)
      Buf_printf(&b, "  new %.*f/s", r->new_per_s < 10 ? 1 : 0, r->new_per_s);
   Buf_printf(&b, "  procs %zu (%zu alive)  remotes %zu", ss.procs, ss.procs_alive, ss.endpoints);
   if (st)
      Buf_printf(&b, "  events/s %.0f", st->events_per_s);
   if (st && st->live)
      Buf_printf(&b, "  lost %llu", (unsigned long long)st->lost);
   if (st && st->healed)
      Buf_printf(&b, " (healed %llu)", (unsigned long long)st->healed);
   if (st && st->untracked)
      Buf_printf(&b, "  untracked %llu", (unsigned long long)st->untracked);
   if (st) {
      MapFull other = st->full;
      other.owners = 0; /* said as untracked */
      char full[120];
      if (MapFull_format(&other, full, sizeof full)[0])
         Buf_printf(&b, "  full: %s", full);
   }
   Term_line(&ui->term, 1, b.s, A_NORMAL, false);
}

/* What is in force: view, sort, filter, switches. */
static void headerSettings(Ui* ui) {
   const Rows* r = &ui->rows;
   Buf b;
   Buf_reset(&b);
   Buf_printf(&b, "view %s  sort %s %s", Tree_viewOption(r->topts.view),
              Tree_sortName(r->topts.sort),
              r->topts.descending ? glyph(ui, "\u25bc", "desc") : glyph(ui, "\u25b2", "asc"));
   if (r->filter[0]) {
      Buf_printf(&b, "  filter \"");
      Buf_san(&b, r->filter, ui->term.utf8);
      Buf_printf(&b, "\"");
   }
   if (r->topts.root_pid)
      Buf_printf(&b, "  pid %u", r->topts.root_pid);
   Buf_printf(&b, "  %s", r->topts.all_procs ? "all processes" : "with sockets");
   Buf_printf(&b, "  inactive %s", r->topts.show_inactive ? "shown" : "hidden");
   if (ui->auto_prune)
      Buf_printf(&b, "  auto-prune %llus", (unsigned long long)ui->opts.prune_after_s);
   const UiStatus* st = ui->have_st ? &ui->st : NULL;
   char sz[32];
   if (st && st->record) {
      Buf_cls(&b, CL_WARN);
      Buf_printf(&b, "  %s rec ", glyph(ui, "\u25cf", "*"));
      Buf_san(&b, st->record, ui->term.utf8);
      Buf_printf(&b, " %s", Fmt_bytes(st->record_bytes, sz, sizeof sz));
      Buf_cls(&b, CL_NORMAL);
   }
   if (st && st->replay) {
      Buf_printf(&b, "  at +%.1fs %.0f%%", (double)st->replay_at_ns / 1e9, st->replay_done * 100);
      if (st->paused) {
         Buf_cls(&b, CL_WARN);
         Buf_printf(&b, "  PAUSED (P resumes, . steps)");
         Buf_cls(&b, CL_NORMAL);
      }
   }
   if (ui->text.dns)
      Buf_printf(&b, "  dns");
   if (ui->opts.netns)
      Buf_printf(&b, "  netns %u", ui->opts.netns);
   if (r->frozen) {
      Buf_cls(&b, CL_WARN);
      Buf_printf(&b, "  FROZEN (z resumes)");
   }
   Term_line(&ui->term, 2, b.s, A_NORMAL, false);
}

static void header(Ui* ui, Store* s) {
   headerTitle(ui);
   headerCounts(ui, s);
   headerSettings(ui);
   Buf b;
   Buf_reset(&b);
   RowText_titles(&ui->text, ui->rows.topts.view, &b);
   Term_line(&ui->term, 3, b.s, Term_bar(&ui->term, PAIR_COLHDR), true);
}

static void footer(Ui* ui) {
   const Term* t = &ui->term;
   Buf b;
   Buf_reset(&b);
   int y = LINES - 1;
   if (ui->prompt.kind != PROMPT_NONE) {
      static const char* const WHAT[] = {"", "Search", "Filter", "Columns (" COLUMNS_DEFAULT ")"};
      Buf_printf(&b, "%s: ", WHAT[ui->prompt.kind]);
      Buf_san(&b, ui->prompt.input, t->utf8);
      Buf_printf(&b, "_   (Enter accept, Esc cancel)");
      Term_line(t, y, b.s, A_NORMAL, false);
      return;
   }
   if (Actions_prompt(ui, &b)) {
      Term_line(t, y, b.s, A_BOLD, false);
      return;
   }
   if (ui->msg[0] && Term_nowMs() < ui->msg_until_ms) {
      Buf_san(&b, ui->msg, t->utf8);
      Term_line(t, y, b.s, A_BOLD, false);
      return;
   }
   ui->msg[0] = '\0';
   Buf_printf(&b, "F1 help  F2 setup  / search  \\ filter  s sort  v view  t inactive  p prune  q quit");
   Term_line(t, y, b.s, Term_bar(t, PAIR_BAR), true);
}

static void body(Ui* ui) {
   const Term* t = &ui->term;
   Rows* r = &ui->rows;
   Buf b;
   int y0 = t->body_y;
   if (r->n == 0) {
      Term_line(t, y0,
                r->filter[0] ? "  (nothing matches the filter; Esc clears it)"
                             : "  (nothing to show yet)",
                A_NORMAL, false);
      for (int y = 1; y < t->body_h; y++)
         Term_line(t, y0 + y, "", A_NORMAL, false);
      return;
   }
   for (int y = 0; y < t->body_h; y++) {
      size_t i = r->top + (size_t)y;
      if (i >= r->n) {
         Term_line(t, y0 + y, "", A_NORMAL, false);
         continue;
      }
      const Row* row = &r->v[i];
      const char* text = row->text;
      if (!text) {
         RowText_format(&ui->text, row->n, &b);
         text = b.s;
      }
      attr_t base = row->dim ? A_DIM : A_NORMAL;
      bool sel = i == r->sel;
      if (sel)
         base = t->color ? (COLOR_PAIR(PAIR_SEL) | (base & A_DIM)) : (A_REVERSE | base);
      Term_line(t, y0 + y, text, base, sel);
   }
}

static void tooSmall(Ui* ui) {
   char m[96];
   snprintf(m, sizeof m, "terminal too small (%dx%d), need at least 60x10", COLS, LINES);
   Term_line(&ui->term, 0, m, A_NORMAL, false);
   move(1, 0);
   clrtobot();
}

void Draw_frame(Ui* ui, Store* s) {
   if (COLS < 60 || LINES < 10) {
      tooSmall(ui);
      wnoutrefresh(stdscr);
      doupdate();
      return;
   }
   Term* t = &ui->term;
   t->body_y = 4;
   t->body_h = LINES - 5;
   ui->rows.height = (size_t)t->body_h;
   ui->text.now_ns = Ui_nowNs(ui);
   /* columns by width: process, remote, state and rates always; the
    * rest when there is room (docs/USAGE.md) */
   ui->rows.topts.now_ns = ui->text.now_ns; /* UDP sockets quiet since fold */
   ui->text.health = COLS >= 120;
   ui->text.narrow = COLS < 100;
   Ui_ensureRows(ui, s);
   Rows_select(&ui->rows, ui->rows.sel);
   header(ui, s);
   if (ui->help)
      Help_draw(t, ui->have_st ? ui->st.note : NULL);
   else if (ui->details.open)
      Details_draw(&ui->details, t, Rows_selected(&ui->rows), &ui->text.users, ui->text.now_ns);
   else if (ui->setup.open)
      Setup_draw(ui);
   else if (ui->action.mode == 1)
      Actions_drawMenu(ui);
   else
      body(ui);
   footer(ui);
   wnoutrefresh(stdscr);
   doupdate();
}
