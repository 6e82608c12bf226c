/* keys.c: what each key does (see keys.h). */
#include "keys.h"

#include "actions.h"
#include "mouse.h"
#include "setup.h"
#include "ui_priv.h"

#include <string.h>

#define CTRL(c) ((c)&0x1f)
#define KEY_ESC 27

static void toggleCollapse(Ui* ui, int how) {
   const TreeNode* n = Rows_selected(&ui->rows);
   if (!n)
      return;
   if (n->kind == NODE_FOLD && (how >= 0 || Rows_isOpened(&ui->rows, n->key))) {
      /* a fold is built with its connections only when open */
      bool open = how == 0 ? !Rows_isOpened(&ui->rows, n->key) : how > 0;
      Rows_setOpened(&ui->rows, n->key, open);
      return;
   }
   bool col = Rows_isCollapsed(&ui->rows, n->key);
   if (how < 0 && (col || !n->first_child)) {
      /* already folded: go to the parent, like htop */
      for (size_t i = ui->rows.sel; n->parent && n->parent->kind != NODE_ROOT && i-- > 0;)
         if (ui->rows.v[i].n == n->parent) {
            Rows_choose(&ui->rows, i);
            return;
         }
      return;
   }
   if (!n->first_child)
      return;
   bool want = how == 0 ? !col : how < 0;
   if (want != col)
      Rows_setCollapsed(&ui->rows, n->key, want);
}

static void doSearch(Ui* ui, size_t from, int dir) {
   if (!ui->prompt.search[0])
      return;
   int i = Rows_search(&ui->rows, ui->prompt.search, from, dir);
   if (i < 0)
      Ui_message(ui, "search: \"%s\" not found", ui->prompt.search);
   else
      Rows_choose(&ui->rows, (size_t)i);
}

static void doPrune(Ui* ui, Store* s) {
   if (ui->rows.frozen)
      Ui_freeze(ui, false);
   PruneCount c = ui->opts.fleet ? Fleet_prune((Fleet*)ui->opts.fleet) : Store_prune(s);
   ui->rows.dirty = true;
   Ui_ensureRows(ui, s);
   Ui_message(ui, "pruned %zu connection%s, %zu process%s", c.socks, c.socks == 1 ? "" : "s",
              c.procs, c.procs == 1 ? "" : "es");
}

static void toggleDns(Ui* ui) {
   ui->text.dns = !ui->text.dns;
   Ui_message(ui, "reverse DNS %s", ui->text.dns ? "on" : "off");
}

/* Keys while typing a search or a filter. */
/* Enter on the columns prompt: the list typed, if it is one. */
static void applyColumns(Ui* ui) {
   char err[120];
   uint8_t cols[COL__COUNT];
   int n = Columns_parse(ui->prompt.input, cols, err, sizeof err);
   if (n <= 0) {
      Ui_message(ui, "columns: %s", n == 0 ? "none named" : err);
      return;
   }
   memcpy(ui->text.cols, cols, sizeof cols);
   ui->text.ncols = n;
   ui->rows.dirty = true;
}

static void promptKey(Ui* ui, Store* s, int ch) {
   bool filter = ui->prompt.kind == PROMPT_FILTER;
   if (ui->prompt.kind == PROMPT_COLUMNS && (ch == '\n' || ch == '\r' || ch == KEY_ENTER)) {
      ui->prompt.kind = PROMPT_NONE;
      applyColumns(ui);
      return;
   }
   if (ch == KEY_ESC) {
      ui->prompt.kind = PROMPT_NONE;
      if (filter) {
         ui->rows.filter[0] = '\0';
         ui->rows.dirty = true;
      }
      return;
   }
   if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
      ui->prompt.kind = PROMPT_NONE;
      return;
   }
   if (ch == KEY_BACKSPACE || ch == 127 || ch == CTRL('h')) {
      if (ui->prompt.len > 0)
         ui->prompt.input[--ui->prompt.len] = '\0';
   } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && ui->prompt.len + 1 < INPUT_CAP) {
      ui->prompt.input[ui->prompt.len++] = (char)ch;
      ui->prompt.input[ui->prompt.len] = '\0';
   } else {
      return;
   }
   if (ui->prompt.kind == PROMPT_COLUMNS) {
      return; /* in effect on Enter */
   } else if (filter) {
      memcpy(ui->rows.filter, ui->prompt.input, ui->prompt.len + 1);
      ui->rows.dirty = true;
      Ui_ensureRows(ui, s);
   } else {
      memcpy(ui->prompt.search, ui->prompt.input, ui->prompt.len + 1);
      doSearch(ui, ui->rows.sel, 1);
   }
}

static void startPrompt(Ui* ui, PromptKind p) {
   if (p == PROMPT_FILTER && ui->rows.frozen)
      Ui_freeze(ui, false);
   ui->prompt.kind = p;
   ui->prompt.len = 0;
   ui->prompt.input[0] = '\0';
}

/* Keys that change what the tree holds unfreeze the display first. */
static void thaw(Ui* ui, Store* s) {
   if (ui->rows.frozen) {
      Ui_freeze(ui, false);
      Ui_ensureRows(ui, s);
   }
}

static int overlayKey(Ui* ui, int ch) {
   if (ui->help) {
      ui->help = false;
      return ch == 'q' || ch == KEY_F(10);
   }
   switch (ch) {
   case KEY_UP:
   case 'k':
      Details_scroll(&ui->details, -1);
      break;
   case KEY_DOWN:
   case 'j':
      Details_scroll(&ui->details, 1);
      break;
   case KEY_PPAGE:
      Details_scroll(&ui->details, -10);
      break;
   case KEY_NPAGE:
      Details_scroll(&ui->details, 10);
      break;
   case KEY_F(10):
      return 1;
   case KEY_ESC:
   case 'q':
   case 'i':
   case '\n':
   case '\r':
   case KEY_ENTER:
      ui->details.open = false;
      break;
   default:
      break;
   }
   return 0;
}

/* ---- actions of the tree screen, one function each ---- */

static long pageRows(const Ui* ui) {
   return ui->term.body_h > 1 ? ui->term.body_h - 1 : 1;
}

static int aQuit(Ui* ui, Store* s) {
   (void)ui, (void)s;
   return 1;
}

static int aUp(Ui* ui, Store* s) {
   (void)s;
   Rows_move(&ui->rows, -1);
   return 0;
}

static int aDown(Ui* ui, Store* s) {
   (void)s;
   Rows_move(&ui->rows, 1);
   return 0;
}

static int aPageUp(Ui* ui, Store* s) {
   (void)s;
   Rows_move(&ui->rows, -pageRows(ui));
   return 0;
}

static int aPageDown(Ui* ui, Store* s) {
   (void)s;
   Rows_move(&ui->rows, pageRows(ui));
   return 0;
}

static int aFirst(Ui* ui, Store* s) {
   (void)s;
   Rows_choose(&ui->rows, 0);
   return 0;
}

static int aLast(Ui* ui, Store* s) {
   (void)s;
   Rows_choose(&ui->rows, ui->rows.n ? ui->rows.n - 1 : 0);
   return 0;
}

static int aCollapse(Ui* ui, Store* s) {
   thaw(ui, s);
   toggleCollapse(ui, -1);
   return 0;
}

static int aExpand(Ui* ui, Store* s) {
   thaw(ui, s);
   toggleCollapse(ui, 1);
   return 0;
}

static int aToggle(Ui* ui, Store* s) {
   thaw(ui, s);
   toggleCollapse(ui, 0);
   return 0;
}

static int aDetails(Ui* ui, Store* s) {
   thaw(ui, s);
   if (Rows_selected(&ui->rows))
      Details_open(&ui->details, ui->rows.sel_key);
   return 0;
}

static int aSearch(Ui* ui, Store* s) {
   (void)s;
   startPrompt(ui, PROMPT_SEARCH);
   return 0;
}

static int aNext(Ui* ui, Store* s) {
   (void)s;
   doSearch(ui, ui->rows.sel + 1, 1);
   return 0;
}

static int aPrevious(Ui* ui, Store* s) {
   (void)s;
   doSearch(ui, ui->rows.sel ? ui->rows.sel - 1 : (ui->rows.n ? ui->rows.n - 1 : 0), -1);
   return 0;
}

static int aFilter(Ui* ui, Store* s) {
   (void)s;
   startPrompt(ui, PROMPT_FILTER);
   return 0;
}

static int aClearFilter(Ui* ui, Store* s) {
   if (ui->rows.filter[0]) {
      thaw(ui, s);
      ui->rows.filter[0] = '\0';
      ui->rows.dirty = true;
      Ui_message(ui, "filter cleared");
   }
   return 0;
}

/* The next (step 1) or previous (step -1) sort key, in its first direction. */
static void stepSort(Ui* ui, Store* s, int step) {
   thaw(ui, s);
   TreeOpts* o = &ui->rows.topts;
   o->sort = (SortKey)((o->sort + SORT__COUNT + step) % SORT__COUNT);
   o->descending = Tree_sortDescending(o->sort);
   ui->rows.dirty = true;
   Ui_message(ui, "sort by %s", Tree_sortName(o->sort));
}

static int aSort(Ui* ui, Store* s) {
   stepSort(ui, s, 1);
   return 0;
}

static int aSortBack(Ui* ui, Store* s) {
   stepSort(ui, s, -1);
   return 0;
}

static int aReverse(Ui* ui, Store* s) {
   thaw(ui, s);
   ui->rows.topts.descending = !ui->rows.topts.descending;
   ui->rows.dirty = true;
   return 0;
}

static int aView(Ui* ui, Store* s) {
   thaw(ui, s);
   ui->rows.topts.view = (TreeView)((ui->rows.topts.view + 1) % VIEW__COUNT);
   ui->rows.dirty = true;
   Ui_message(ui, "view: %s", Tree_viewOption(ui->rows.topts.view));
   return 0;
}

static int aInactive(Ui* ui, Store* s) {
   thaw(ui, s);
   ui->rows.topts.show_inactive = !ui->rows.topts.show_inactive;
   ui->rows.dirty = true;
   Ui_message(ui, "inactive entries %s", ui->rows.topts.show_inactive ? "shown" : "hidden");
   return 0;
}

static int aPrune(Ui* ui, Store* s) {
   doPrune(ui, s);
   return 0;
}

static int aAutoPrune(Ui* ui, Store* s) {
   (void)s;
   ui->auto_prune = !ui->auto_prune;
   Ui_message(ui, "automatic pruning %s (after %llus)", ui->auto_prune ? "on" : "off",
              (unsigned long long)ui->opts.prune_after_s);
   return 0;
}

static int aAll(Ui* ui, Store* s) {
   thaw(ui, s);
   ui->rows.topts.all_procs = !ui->rows.topts.all_procs;
   ui->rows.dirty = true;
   Ui_message(ui, "%s", ui->rows.topts.all_procs ? "every process"
                                                  : "processes with sockets (and their ancestors)");
   return 0;
}

static int aPause(Ui* ui, Store* s) {
   (void)s;
   if (!ui->have_st || !ui->st.replay) {
      Ui_message(ui, "P pauses a replay; z freezes the display");
      return 0;
   }
   ui->cmd = UI_CMD_PAUSE;
   return 0;
}

static int aStep(Ui* ui, Store* s) {
   (void)s;
   if (!ui->have_st || !ui->st.paused) {
      Ui_message(ui, ". steps a paused replay (P pauses it)");
      return 0;
   }
   ui->cmd = UI_CMD_STEP;
   return 0;
}

static int aNames(Ui* ui, Store* s) {
   (void)s;
   toggleDns(ui);
   return 0;
}

static int aFreeze(Ui* ui, Store* s) {
   Ui_freeze(ui, !ui->rows.frozen);
   Ui_ensureRows(ui, s);
   return 0;
}

static int aHelp(Ui* ui, Store* s) {
   (void)s;
   ui->help = true;
   return 0;
}

static int aSetup(Ui* ui, Store* s) {
   thaw(ui, s);
   Setup_open(ui);
   return 0;
}

static int aSignal(Ui* ui, Store* s) {
   thaw(ui, s);
   Actions_signal(ui);
   return 0;
}

static int aCloseConn(Ui* ui, Store* s) {
   thaw(ui, s);
   Actions_close(ui);
   return 0;
}

static int aCopy(Ui* ui, Store* s) {
   (void)s;
   Actions_copy(ui);
   return 0;
}

static int aRedraw(Ui* ui, Store* s) {
   (void)ui, (void)s;
   clearok(curscr, TRUE);
   return 0;
}

/* The keys of the tree screen, in the order of the help screen, which is
 * made from this table (help.c): a key does what its line says. Global
 * keys work in prompts and overlays too. */
const KeyAction Keys_table[] = {
    {{KEY_UP, 'k'}, "Up k", "move up", aUp, false},
    {{KEY_DOWN, 'j'}, "Down j", "move down", aDown, false},
    {{KEY_PPAGE, CTRL('b')}, "PgUp ^B", "page up", aPageUp, false},
    {{KEY_NPAGE, CTRL('f')}, "PgDn ^F", "page down", aPageDown, false},
    {{KEY_HOME, 'g'}, "Home g", "first row", aFirst, false},
    {{KEY_END, 'G'}, "End G", "last row", aLast, false},
    {{KEY_LEFT, 'h'}, "Left h", "collapse / parent", aCollapse, false},
    {{KEY_RIGHT, 'l'}, "Right l", "expand", aExpand, false},
    {{' '}, "Space", "collapse / expand", aToggle, false},
    {{'\n', '\r', KEY_ENTER, 'i'}, "Enter i", "details pane", aDetails, false},
    {{'/'}, "/", "search", aSearch, false},
    {{'n'}, "n N", "next, previous match", aNext, false},
    {{'N'}, NULL, NULL, aPrevious, false},
    {{'\\', 'f'}, "\\ f", "filter (keeps ancestors)", aFilter, false},
    {{KEY_ESC}, "Esc", "clear the filter", aClearFilter, false},
    {{'s', '>'}, "s >", "next sort key: pid name conns bytes last rate age rtt retrans", aSort, false},
    {{'<'}, "<", "previous sort key", aSortBack, false},
    {{'v'}, "v", "view: tree, flat, by remote endpoint", aView, false},
    {{'t'}, "t", "show / hide exited processes and closed connections", aInactive, false},
    {{'p'}, "p", "prune every inactive entry now", aPrune, false},
    {{'a'}, "a", "every process / only those with sockets", aAll, false},
    {{'A'}, "A", "automatic pruning after --prune-after seconds", aAutoPrune, false},
    {{'r'}, "r", "reverse DNS names on / off (looked up in the background)", aNames, false},
    {{'z'}, "z", "freeze the display (collection goes on)", aFreeze, false},
    {{'P'}, "P", "replay: pause / resume the log's clock", aPause, false},
    {{'.'}, ".", "replay, paused: one second of the log on", aStep, false},
    {{'S', 'I'}, "S I", "invert the sort", aReverse, false},
    {{KEY_F(9), 'K'}, "F9 K", "send a signal to the process (a menu, then y to confirm)", aSignal, false},
    {{'x'}, "x", "close the TCP connection, as ss -K does (y to confirm)", aCloseConn, false},
    {{'c'}, "c", "copy the row as one line (OSC 52 clipboard; shown too)", aCopy, false},
    {{KEY_F(2), 'C'}, "F2 C", "setup: view, sort, refresh, colours... (saved)", aSetup, false},
    {{'?', KEY_F(1)}, "? F1", "this help", aHelp, false},
    {{CTRL('l')}, "^L", "redraw the screen", aRedraw, true},
    {{'q', KEY_F(10), CTRL('c')}, "q F10 ^C", "quit", aQuit, false},
    {{0}, NULL, NULL, NULL, false},
};

static const KeyAction* Keys_find(int ch) {
   for (const KeyAction* k = Keys_table; k->run; k++)
      for (int i = 0; i < KEYS_PER_ACTION && k->keys[i]; i++)
         if (k->keys[i] == ch)
            return k;
   return NULL;
}

int Keys_handle(Ui* ui, Store* s, int ch) {
   if (ch == KEY_MOUSE) {
      Mouse_event(ui, s);
      Ui_ensureRows(ui, s);
      return 0;
   }
   const KeyAction* k = Keys_find(ch);
   if (ch == CTRL('c'))
      return 1; /* everywhere, even in a prompt */
   if (k && k->global)
      return k->run(ui, s);
   if (ui->prompt.kind != PROMPT_NONE) {
      promptKey(ui, s, ch);
      return 0;
   }
   if (Actions_key(ui, ch))
      return 0;
   if (ui->help || ui->details.open)
      return overlayKey(ui, ch);
   if (ui->setup.open) {
      Setup_key(ui, s, ch);
      return 0;
   }
   if (k && k->run(ui, s))
      return 1;
   Ui_ensureRows(ui, s);
   return 0;
}
