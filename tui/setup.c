/* setup.c: the setup screen (see setup.h). */
#include "setup.h"

#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

#define KEY_ESC 27

typedef enum Item_ {
   IT_VIEW = 0,
   IT_SORT,
   IT_ORDER,
   IT_REFRESH,
   IT_FILTER,
   IT_COLORS,
   IT_ALL,
   IT_INACTIVE,
   IT_DNS,
   IT_PORTS,
   IT_MOUSE,
   IT_COLUMNS,
   IT_UNITS,
   IT__COUNT
} Item;

static const char* const LABELS[IT__COUNT] = {
    "View",
    "Sort by",
    "Sort order",
    "Refresh",
    "Filter",
    "Colours",
    "Every process (not only those with sockets)",
    "Exited processes and closed connections",
    "Reverse DNS names of remotes",
    "Service names of ports",
    "Mouse (click, wheel)",
    "Columns, in order (Enter to type them)",
    "Systemd unit or container after each process",
};

static const char* const SCHEMES[SCHEME__COUNT] = {"default", "monochrome", "high contrast"};

/* The refresh intervals offered, in tenths of a second. */
static const int DELAYS[] = {5, 10, 15, 20, 30, 50, 100};
#define NDELAYS (int)(sizeof DELAYS / sizeof DELAYS[0])

static int stepDelay(int ds, int dir) {
   int i = 0;
   while (i < NDELAYS && DELAYS[i] < ds)
      i++; /* the first offered >= ds */
   if (dir > 0)
      i = i < NDELAYS && DELAYS[i] == ds ? i + 1 : i;
   else
      i--;
   if (i < 0)
      i = NDELAYS - 1;
   return DELAYS[i % NDELAYS];
}

static int wrap(int v, int dir, int n) {
   return (v + dir + n) % n;
}

void Setup_open(Ui* ui) {
   Ui_prefs(ui, &ui->setup.before);
   ui->setup.open = true;
}

static void change(Ui* ui, Store* s, int dir) {
   UiPrefs p;
   Ui_prefs(ui, &p);
   switch ((Item)ui->setup.sel) {
   case IT_VIEW:
      p.view = (TreeView)wrap(p.view, dir, VIEW__COUNT);
      break;
   case IT_SORT:
      p.sort = (SortKey)wrap(p.sort, dir, SORT__COUNT);
      p.descending = Tree_sortDescending(p.sort);
      break;
   case IT_ORDER:
      p.descending = !p.descending;
      break;
   case IT_REFRESH:
      p.delay_ds = stepDelay(p.delay_ds, dir);
      break;
   case IT_COLORS:
      p.colors = wrap(p.colors, dir, SCHEME__COUNT);
      break;
   case IT_ALL:
      p.all_procs = !p.all_procs;
      break;
   case IT_INACTIVE:
      p.show_inactive = !p.show_inactive;
      break;
   case IT_DNS:
      p.dns = !p.dns;
      break;
   case IT_PORTS:
      p.numeric = !p.numeric;
      break;
   case IT_MOUSE:
      p.mouse = !p.mouse;
      break;
   case IT_UNITS:
      p.units = !p.units;
      break;
   case IT_COLUMNS:
      ui->prompt.kind = PROMPT_COLUMNS;
      snprintf(ui->prompt.input, sizeof ui->prompt.input, "%s", p.columns);
      ui->prompt.len = strlen(ui->prompt.input);
      return;
   case IT_FILTER: /* typed in the footer, as with \ */
      ui->prompt.kind = PROMPT_FILTER;
      snprintf(ui->prompt.input, sizeof ui->prompt.input, "%.*s", (int)sizeof ui->prompt.input - 1,
               p.filter);
      ui->prompt.len = strlen(ui->prompt.input);
      return;
   default:
      return;
   }
   Ui_setPrefs(ui, &p);
   Ui_ensureRows(ui, s);
}

void Setup_key(Ui* ui, Store* s, int ch) {
   switch (ch) {
   case KEY_UP:
   case 'k':
      ui->setup.sel = wrap(ui->setup.sel, -1, IT__COUNT);
      break;
   case KEY_DOWN:
   case 'j':
      ui->setup.sel = wrap(ui->setup.sel, 1, IT__COUNT);
      break;
   case KEY_LEFT:
   case 'h':
      change(ui, s, -1);
      break;
   case KEY_RIGHT:
   case 'l':
   case ' ':
   case '\n':
   case '\r':
   case KEY_ENTER:
      change(ui, s, 1);
      break;
   case KEY_ESC:
   case 'q':
   case KEY_F(2):
   case KEY_F(10):
      ui->setup.open = false;
      ui->cmd = UI_CMD_PREFS;
      break;
   default:
      break;
   }
}

static const char* valueText(const UiPrefs* p, Item it, char* buf, size_t len) {
   switch (it) {
   case IT_VIEW:
      return Tree_viewOption(p->view);
   case IT_SORT:
      return Tree_sortName(p->sort);
   case IT_ORDER:
      return p->descending ? "descending" : "ascending";
   case IT_REFRESH:
      snprintf(buf, len, "%d.%d s", p->delay_ds / 10, p->delay_ds % 10);
      return buf;
   case IT_FILTER:
      return p->filter[0] ? p->filter : "(none: Enter to type one)";
   case IT_COLORS:
      return SCHEMES[p->colors % SCHEME__COUNT];
   case IT_ALL:
      return p->all_procs ? "yes" : "no";
   case IT_INACTIVE:
      return p->show_inactive ? "shown" : "hidden";
   case IT_DNS:
      return p->dns ? "on" : "off";
   case IT_PORTS:
      return p->numeric ? "numbers" : "names";
   case IT_MOUSE:
      return p->mouse ? "on" : "off";
   case IT_COLUMNS:
      return p->columns;
   case IT_UNITS:
      return p->units ? "shown" : "hidden";
   default:
      return "";
   }
}

void Setup_draw(Ui* ui) {
   const Term* t = &ui->term;
   UiPrefs p;
   Ui_prefs(ui, &p);
   Buf b;
   int y = 0;
   Buf_reset(&b);
   Buf_printf(&b, "Setup  (Up/Down choose, Left/Right/Enter change, Esc or F2 leaves and saves)");
   Term_line(t, t->body_y + y++, b.s, A_BOLD, false);
   for (int i = 0; i < IT__COUNT && y < t->body_h; i++, y++) {
      char v[64];
      Buf_reset(&b);
      Buf_printf(&b, "  %-44s ", LABELS[i]);
      Buf_san(&b, valueText(&p, (Item)i, v, sizeof v), t->utf8);
      bool sel = i == ui->setup.sel;
      attr_t base = sel ? (t->color ? COLOR_PAIR(PAIR_SEL) : A_REVERSE) : A_NORMAL;
      Term_line(t, t->body_y + y, b.s, base, sel);
   }
   if (y + 1 < t->body_h) {
      Buf_reset(&b);
      Buf_printf(&b, "  ");
      Buf_san(&b, ui->opts.settings_where ? ui->opts.settings_where : "", t->utf8);
      Term_line(t, t->body_y + ++y, b.s, A_NORMAL, false);
      y++;
   }
   for (; y < t->body_h; y++)
      Term_line(t, t->body_y + y, "", A_NORMAL, false);
}
