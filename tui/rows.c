/* rows.c: the rows on screen: the tree rebuilt from the store, flattened
 * with the collapsed nodes folded, the selection kept on the same item (by
 * node key) when rows move, the frozen copy, and the live rates. */
#include "ui_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void setBodyDefault(Ui* ui) {
   if (ui->body_h <= 0)
      ui->body_h = LINES > 6 ? LINES - 6 : 1;
}

/* Room for every node of the tree, so that the walk never reallocates. */
static bool reserveRows(Ui* ui, size_t n) {
   if (n <= ui->rowcap)
      return true;
   size_t cap = ui->rowcap ? ui->rowcap : 1024;
   while (cap < n)
      cap *= 2;
   Row* r = realloc(ui->rows, cap * sizeof *r);
   if (!r)
      return false;
   ui->rows = r;
   ui->rowcap = cap;
   return true;
}

/* Flattens the tree into rows, folding collapsed nodes, and finds the
 * selected item on the way, while its node is in the cache. This runs
 * over every node of every rebuilt frame: no call per node, and no
 * collapse lookup while nothing is collapsed. */
static void flatten(Ui* ui) {
   Row* rows = ui->rows;
   size_t i = 0, found = SIZE_MAX;
   uint64_t sel_key = ui->sel_key;
   bool any_collapsed = ui->collapsed != NULL;
   for (const TreeNode* n = Tree_root(ui->tree)->first_child; n;) {
      if (n->key == sel_key)
         found = i;
      rows[i++] = (Row){.n = n, .key = n->key, .active = n->active};
      n = Tree_next(n, any_collapsed && n->first_child && Rows_isCollapsed(ui, n->key));
   }
   ui->nrows = i;
   ui->found = found;
}

static void freeFrozen(Ui* ui) {
   for (size_t i = 0; i < ui->nrows; i++) {
      free(ui->rows[i].text);
      ui->rows[i].text = NULL;
   }
}

static void keepInView(Ui* ui) {
   setBodyDefault(ui);
   size_t h = (size_t)ui->body_h;
   if (ui->sel < ui->top)
      ui->top = ui->sel;
   else if (ui->sel >= ui->top + h)
      ui->top = ui->sel - h + 1;
   if (ui->nrows <= h)
      ui->top = 0;
   else if (ui->top > ui->nrows - h)
      ui->top = ui->nrows - h;
}

void Rows_rebuild(Ui* ui, Store* s) {
   if (ui->frozen || !s)
      return;
   size_t old_off = ui->sel >= ui->top ? ui->sel - ui->top : 0;
   Tree_free(ui->tree);
   ui->topts.filter = ui->filter[0] ? ui->filter : NULL;
   ui->tree = Tree_build(s, &ui->topts);
   ui->nrows = 0;
   ui->dirty = false;
   if (!ui->tree) {
      Ui_message(ui, "cannot build the tree (out of memory?)");
      return;
   }
   ui->found = SIZE_MAX;
   if (!reserveRows(ui, Tree_size(ui->tree))) {
      Ui_message(ui, "cannot build the rows (out of memory?)");
      return;
   }
   flatten(ui);
   if (ui->nrows == 0) {
      ui->sel = ui->top = 0;
      return;
   }
   size_t found = ui->found;
   if (found < ui->nrows) {
      ui->sel = found;
      ui->top = found >= old_off ? found - old_off : 0;
   } else if (ui->sel >= ui->nrows) {
      ui->sel = ui->nrows - 1;
   }
   ui->sel_key = ui->rows[ui->sel].key;
   keepInView(ui);
}

void Rows_ensure(Ui* ui, Store* s) {
   if (ui->dirty && !ui->frozen)
      Rows_rebuild(ui, s);
}

void Rows_select(Ui* ui, size_t i) {
   if (ui->nrows == 0)
      return;
   if (i >= ui->nrows)
      i = ui->nrows - 1;
   ui->sel = i;
   ui->sel_key = ui->rows[i].key;
   keepInView(ui);
}

void Rows_move(Ui* ui, long delta) {
   if (ui->nrows == 0)
      return;
   long i = (long)ui->sel + delta;
   if (i < 0)
      i = 0;
   Rows_select(ui, (size_t)i);
}

bool Rows_isCollapsed(Ui* ui, uint64_t key) {
   KeySet* k;
   HASH_FIND(hh, ui->collapsed, &key, sizeof key, k);
   return k != NULL;
}

void Rows_setCollapsed(Ui* ui, uint64_t key, bool on) {
   KeySet* k;
   HASH_FIND(hh, ui->collapsed, &key, sizeof key, k);
   if (on && !k) {
      k = calloc(1, sizeof *k);
      if (!k)
         return;
      k->key = key;
      HASH_ADD(hh, ui->collapsed, key, sizeof k->key, k);
   } else if (!on && k) {
      HASH_DEL(ui->collapsed, k);
      free(k);
   }
   ui->dirty = true;
}

/* A frozen display keeps the text of every row: the tree itself borrows
 * store pointers that the collection going on may free. */
void Rows_freeze(Ui* ui, bool on) {
   if (on == ui->frozen)
      return;
   if (on) {
      Buf b;
      for (size_t i = 0; i < ui->nrows; i++) {
         Draw_formatRow(ui, ui->rows[i].n, &b);
         ui->rows[i].text = strdup(b.s);
         ui->rows[i].n = NULL;
      }
      Tree_free(ui->tree);
      ui->tree = NULL;
      ui->frozen = true;
   } else {
      freeFrozen(ui);
      ui->frozen = false;
      ui->dirty = true;
   }
}

void Rows_freeAll(Ui* ui) {
   freeFrozen(ui);
   free(ui->rows);
   ui->rows = NULL;
   ui->nrows = ui->rowcap = 0;
   Tree_free(ui->tree);
   ui->tree = NULL;
   CACHE_FREE_ALL(ui->collapsed);
   CACHE_FREE_ALL(ui->rates);
}

/* Rates come from byte deltas of the rows on screen, at most once a second
 * so that a redraw after a key does not divide by a tiny interval. */
void Rows_sampleRates(Ui* ui) {
   uint64_t now = Ui_nowMs();
   if (ui->frozen || (ui->rate_gen && now - ui->rate_ms < 1000))
      return;
   double dt = (double)(now - ui->rate_ms) / 1000.0;
   unsigned prev = ui->rate_gen++;
   size_t end = ui->top + (size_t)(ui->body_h > 0 ? ui->body_h : 0);
   for (size_t i = ui->top; i < end && i < ui->nrows; i++) {
      const TreeNode* n = ui->rows[i].n;
      Rate* r;
      HASH_FIND(hh, ui->rates, &n->key, sizeof n->key, r);
      if (!r) {
         r = calloc(1, sizeof *r);
         if (!r)
            break;
         r->key = n->key;
         HASH_ADD(hh, ui->rates, key, sizeof r->key, r);
      } else if (r->gen == prev && prev != 0) {
         r->up = n->tx >= r->tx ? (double)(n->tx - r->tx) / dt : 0.0;
         r->down = n->rx >= r->rx ? (double)(n->rx - r->rx) / dt : 0.0;
      } else {
         r->up = r->down = 0.0;
      }
      r->tx = n->tx;
      r->rx = n->rx;
      r->gen = ui->rate_gen;
   }
   Rate *r, *rt;
   HASH_ITER(hh, ui->rates, r, rt) {
      if (r->gen != ui->rate_gen) {
         HASH_DEL(ui->rates, r);
         free(r);
      }
   }
   ui->rate_ms = now;
}

const Rate* Rows_rate(Ui* ui, uint64_t key) {
   Rate* r;
   HASH_FIND(hh, ui->rates, &key, sizeof key, r);
   return r;
}

static bool rowMatches(const Row* r, const char* text) {
   if (r->n)
      return Tree_nodeMatches(r->n, text);
   return r->text && strcasestr(r->text, text) != NULL;
}

int Rows_search(Ui* ui, const char* text, size_t from, int dir) {
   if (ui->nrows == 0 || !text[0])
      return -1;
   for (size_t k = 0; k < ui->nrows; k++) {
      size_t i = dir >= 0 ? (from + k) % ui->nrows : (from + ui->nrows - k % ui->nrows) % ui->nrows;
      if (rowMatches(&ui->rows[i], text))
         return (int)i;
   }
   return -1;
}

const TreeNode* Rows_selected(Ui* ui) {
   if (ui->frozen || ui->nrows == 0)
      return NULL;
   return ui->rows[ui->sel].n;
}
