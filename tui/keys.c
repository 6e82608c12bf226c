/* keys.c: what each key does (htop and less habits). */
#include "ui_priv.h"

#include <string.h>

#define CTRL(c) ((c)&0x1f)
#define KEY_ESC 27

static void toggleCollapse(Ui* ui, int how) {
   const TreeNode* n = Rows_selected(ui);
   if (!n)
      return;
   bool col = Rows_isCollapsed(ui, n->key);
   if (how < 0 && (col || !n->first_child)) {
      /* already folded: go to the parent, like htop */
      for (size_t i = ui->sel; n->parent && n->parent->kind != NODE_ROOT && i-- > 0;)
         if (ui->rows[i].n == n->parent) {
            Rows_select(ui, i);
            return;
         }
      return;
   }
   if (!n->first_child)
      return;
   bool want = how == 0 ? !col : how < 0;
   if (want != col)
      Rows_setCollapsed(ui, n->key, want);
}

static void doSearch(Ui* ui, size_t from, int dir) {
   if (!ui->search[0])
      return;
   int i = Rows_search(ui, ui->search, from, dir);
   if (i < 0)
      Ui_message(ui, "search: \"%s\" not found", ui->search);
   else
      Rows_select(ui, (size_t)i);
}

static void doPrune(Ui* ui, Store* s) {
   if (ui->frozen)
      Rows_freeze(ui, false);
   PruneCount c = Store_prune(s);
   ui->dirty = true;
   Rows_ensure(ui, s);
   Ui_message(ui, "pruned %zu connection%s, %zu process%s", c.socks, c.socks == 1 ? "" : "s",
              c.procs, c.procs == 1 ? "" : "es");
}

static void toggleDns(Ui* ui) {
   ui->dns = !ui->dns;
   Ui_message(ui, "reverse DNS %s", ui->dns ? "on" : "off");
}

/* Keys while typing a search or a filter. */
static void promptKey(Ui* ui, Store* s, int ch) {
   bool filter = ui->prompt == PROMPT_FILTER;
   if (ch == KEY_ESC) {
      ui->prompt = PROMPT_NONE;
      if (filter) {
         ui->filter[0] = '\0';
         ui->dirty = true;
      }
      return;
   }
   if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
      ui->prompt = PROMPT_NONE;
      return;
   }
   if (ch == KEY_BACKSPACE || ch == 127 || ch == CTRL('h')) {
      if (ui->inlen > 0)
         ui->input[--ui->inlen] = '\0';
   } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && ui->inlen + 1 < INPUT_CAP) {
      ui->input[ui->inlen++] = (char)ch;
      ui->input[ui->inlen] = '\0';
   } else {
      return;
   }
   if (filter) {
      memcpy(ui->filter, ui->input, ui->inlen + 1);
      ui->dirty = true;
      Rows_ensure(ui, s);
   } else {
      memcpy(ui->search, ui->input, ui->inlen + 1);
      doSearch(ui, ui->sel, 1);
   }
}

static void startPrompt(Ui* ui, Prompt p) {
   if (p == PROMPT_FILTER && ui->frozen)
      Rows_freeze(ui, false);
   ui->prompt = p;
   ui->inlen = 0;
   ui->input[0] = '\0';
}

/* Keys that change what the tree holds unfreeze the display first. */
static void thaw(Ui* ui, Store* s) {
   if (ui->frozen) {
      Rows_freeze(ui, false);
      Rows_ensure(ui, s);
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
      Details_scroll(ui, -1);
      break;
   case KEY_DOWN:
   case 'j':
      Details_scroll(ui, 1);
      break;
   case KEY_PPAGE:
      Details_scroll(ui, -10);
      break;
   case KEY_NPAGE:
      Details_scroll(ui, 10);
      break;
   case KEY_F(10):
      return 1;
   case KEY_ESC:
   case 'q':
   case 'i':
   case '\n':
   case '\r':
   case KEY_ENTER:
      ui->details = false;
      break;
   default:
      break;
   }
   return 0;
}

int Keys_handle(Ui* ui, Store* s, int ch) {
   if (ch == CTRL('c'))
      return 1;
   if (ch == CTRL('l')) {
      clearok(curscr, TRUE);
      return 0;
   }
   if (ui->prompt != PROMPT_NONE) {
      promptKey(ui, s, ch);
      return 0;
   }
   if (ui->help || ui->details)
      return overlayKey(ui, ch);
   long page = ui->body_h > 1 ? ui->body_h - 1 : 1;
   switch (ch) {
   case 'q':
   case KEY_F(10):
      return 1;
   case KEY_UP:
   case 'k':
      Rows_move(ui, -1);
      break;
   case KEY_DOWN:
   case 'j':
      Rows_move(ui, 1);
      break;
   case KEY_PPAGE:
   case CTRL('b'):
      Rows_move(ui, -page);
      break;
   case KEY_NPAGE:
   case CTRL('f'):
      Rows_move(ui, page);
      break;
   case KEY_HOME:
   case 'g':
      Rows_select(ui, 0);
      break;
   case KEY_END:
   case 'G':
      Rows_select(ui, ui->nrows ? ui->nrows - 1 : 0);
      break;
   case KEY_LEFT:
   case 'h':
      thaw(ui, s);
      toggleCollapse(ui, -1);
      break;
   case KEY_RIGHT:
   case 'l':
      thaw(ui, s);
      toggleCollapse(ui, 1);
      break;
   case ' ':
      thaw(ui, s);
      toggleCollapse(ui, 0);
      break;
   case '\n':
   case '\r':
   case KEY_ENTER:
   case 'i':
      thaw(ui, s);
      ui->details = Rows_selected(ui) != NULL;
      ui->details_key = ui->sel_key;
      ui->details_scroll = 0;
      break;
   case '/':
      startPrompt(ui, PROMPT_SEARCH);
      break;
   case 'n':
      doSearch(ui, ui->sel + 1, 1);
      break;
   case 'N':
      doSearch(ui, ui->sel ? ui->sel - 1 : (ui->nrows ? ui->nrows - 1 : 0), -1);
      break;
   case '\\':
   case 'f':
      startPrompt(ui, PROMPT_FILTER);
      break;
   case KEY_ESC:
      if (ui->filter[0]) {
         thaw(ui, s);
         ui->filter[0] = '\0';
         ui->dirty = true;
         Ui_message(ui, "filter cleared");
      }
      break;
   case 's':
      thaw(ui, s);
      ui->topts.sort = (SortKey)((ui->topts.sort + 1) % SORT__COUNT);
      ui->dirty = true;
      Ui_message(ui, "sort by %s", Tree_sortName(ui->topts.sort));
      break;
   case 'S':
      thaw(ui, s);
      ui->topts.descending = !ui->topts.descending;
      ui->dirty = true;
      break;
   case 'v':
      thaw(ui, s);
      ui->topts.view = (TreeView)((ui->topts.view + 1) % VIEW__COUNT);
      ui->dirty = true;
      Ui_message(ui, "view: %s", Draw_viewName(ui->topts.view));
      break;
   case 't':
      thaw(ui, s);
      ui->topts.show_inactive = !ui->topts.show_inactive;
      ui->dirty = true;
      Ui_message(ui, "inactive entries %s", ui->topts.show_inactive ? "shown" : "hidden");
      break;
   case 'p':
      doPrune(ui, s);
      break;
   case 'a':
      ui->auto_prune = !ui->auto_prune;
      Ui_message(ui, "automatic pruning %s (after %llus)", ui->auto_prune ? "on" : "off",
                 (unsigned long long)ui->opts.prune_after_s);
      break;
   case 'r':
      toggleDns(ui);
      break;
   case 'z':
      Rows_freeze(ui, !ui->frozen);
      Rows_ensure(ui, s);
      break;
   case '?':
   case KEY_F(1):
      ui->help = true;
      break;
   default:
      break;
   }
   Rows_ensure(ui, s);
   return 0;
}
