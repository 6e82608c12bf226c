/* rows.c: the rows on screen (see rows.h). */
#include "rows.h"

#include "cache.h"
#include "filter.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool foldOpen(void* ctx, uint64_t key) { return Rows_isOpened(ctx, key); }

/* Parses the filter when its text changed, not at every rebuild (a service
 * or user name is looked up in /etc). Half typed ("port:") or wrong: say
 * why once, and keep the last one that parsed. */
static void compileFilter(Rows* rs) {
   if (strcmp(rs->filter, rs->parsed) == 0)
      return;
   memcpy(rs->parsed, rs->filter, sizeof rs->parsed);
   char err[180];
   Filter* f = Filter_parse(rs->filter, err, sizeof err);
   if (err[0]) {
      snprintf(rs->filter_error, sizeof rs->filter_error, "filter %s", err);
      rs->error = rs->filter_error;
      return;
   }
   Filter_free(rs->compiled);
   rs->compiled = f;
   Filter_setUnits(f, rs->topts.unit, rs->topts.unit_ctx);
}

/* Room for every node of the tree, so that the walk never reallocates. */
static bool reserveRows(Rows* rs, size_t n) {
   if (n <= rs->cap)
      return true;
   size_t cap = rs->cap ? rs->cap : 1024;
   while (cap < n)
      cap *= 2;
   Row* r = realloc(rs->v, cap * sizeof *r);
   if (!r)
      return false;
   rs->v = r;
   rs->cap = cap;
   return true;
}

/* Flattens the tree into rows, folding collapsed nodes, and finds the
 * selected item on the way, while its node is in the cache. This runs
 * over every node of every rebuilt frame: no call per node, and no
 * collapse lookup while nothing is collapsed. */
static void flatten(Rows* rs) {
   Row* rows = rs->v;
   size_t i = 0, found = SIZE_MAX;
   uint64_t sel_key = rs->sel_key;
   bool any_collapsed = rs->collapsed != NULL;
   for (const TreeNode* n = Tree_root(rs->tree)->first_child; n;) {
      if (n->key == sel_key)
         found = i;
      rows[i++] = (Row){.n = n, .key = n->key, .active = n->active, .dim = !n->active || n->context};
      n = Tree_next(n, any_collapsed && n->first_child && Rows_isCollapsed(rs, n->key));
   }
   rs->n = i;
   rs->found = found;
}

static void freeFrozen(Rows* rs) {
   for (size_t i = 0; i < rs->n; i++) {
      free(rs->v[i].text);
      rs->v[i].text = NULL;
   }
}

static void keepInView(Rows* rs) {
   size_t h = rs->height ? rs->height : 1;
   if (rs->sel < rs->top)
      rs->top = rs->sel;
   else if (rs->sel >= rs->top + h)
      rs->top = rs->sel - h + 1;
   if (rs->n <= h)
      rs->top = 0;
   else if (rs->top > rs->n - h)
      rs->top = rs->n - h;
}

void Rows_rebuild(Rows* rs, Store* s) {
   if (rs->frozen || (!s && !rs->topts.fleet))
      return;
   size_t old_off = rs->sel >= rs->top ? rs->sel - rs->top : 0;
   Tree_free(rs->tree);
   compileFilter(rs);
   rs->topts.filter = NULL;
   rs->topts.compiled = rs->compiled;
   rs->topts.fold_open = rs->opened ? foldOpen : NULL;
   rs->topts.fold_ctx = rs;
   rs->tree = Tree_build(s, &rs->topts);
   rs->n = 0;
   rs->dirty = false;
   if (!rs->tree) {
      rs->error = "cannot build the tree (out of memory?)";
      return;
   }
   rs->found = SIZE_MAX;
   if (!reserveRows(rs, Tree_size(rs->tree))) {
      rs->error = "cannot build the rows (out of memory?)";
      return;
   }
   flatten(rs);
   if (rs->n == 0) {
      rs->sel = rs->top = 0;
      return;
   }
   size_t found = rs->chosen ? rs->found : 0;
   if (found < rs->n) {
      rs->sel = found;
      rs->top = found >= old_off ? found - old_off : 0;
   } else if (rs->sel >= rs->n) {
      rs->sel = rs->n - 1;
   }
   rs->sel_key = rs->v[rs->sel].key;
   keepInView(rs);
}

const char* Rows_takeError(Rows* rs) {
   const char* e = rs->error;
   rs->error = NULL;
   return e;
}

void Rows_ensure(Rows* rs, Store* s) {
   if (rs->dirty && !rs->frozen)
      Rows_rebuild(rs, s);
}

void Rows_select(Rows* rs, size_t i) {
   if (rs->n == 0)
      return;
   if (i >= rs->n)
      i = rs->n - 1;
   rs->sel = i;
   rs->sel_key = rs->v[i].key;
   keepInView(rs);
}

void Rows_choose(Rows* rs, size_t i) {
   rs->chosen = true;
   Rows_select(rs, i);
}

void Rows_move(Rows* rs, long delta) {
   if (rs->n == 0)
      return;
   long i = (long)rs->sel + delta;
   if (i < 0)
      i = 0;
   Rows_choose(rs, (size_t)i);
}

bool Rows_isCollapsed(const Rows* rs, uint64_t key) {
   KeySet* k;
   HASH_FIND(hh, rs->collapsed, &key, sizeof key, k);
   return k != NULL;
}

static void KeySet_set(KeySet** set, uint64_t key, bool on) {
   KeySet* k;
   HASH_FIND(hh, *set, &key, sizeof key, k);
   if (on && !k) {
      k = calloc(1, sizeof *k);
      if (!k)
         return;
      k->key = key;
      HASH_ADD(hh, *set, key, sizeof k->key, k);
   } else if (!on && k) {
      HASH_DEL(*set, k);
      free(k);
   }
}

void Rows_setCollapsed(Rows* rs, uint64_t key, bool on) {
   KeySet_set(&rs->collapsed, key, on);
   rs->dirty = true;
}

bool Rows_isOpened(const Rows* rs, uint64_t key) {
   KeySet* k;
   HASH_FIND(hh, rs->opened, &key, sizeof key, k);
   return k != NULL;
}

void Rows_setOpened(Rows* rs, uint64_t key, bool on) {
   KeySet_set(&rs->opened, key, on);
   rs->dirty = true;
}



/* A frozen display keeps the text of every row: the tree itself borrows
 * store pointers that the collection going on may free. */
void Rows_freeze(Rows* rs, bool on, RowFormatFn fmt, void* ctx) {
   if (on == rs->frozen)
      return;
   if (on) {
      Buf b;
      for (size_t i = 0; i < rs->n; i++) {
         fmt(ctx, rs->v[i].n, &b);
         rs->v[i].text = strdup(b.s);
         rs->v[i].n = NULL;
      }
      Tree_free(rs->tree);
      rs->tree = NULL;
      rs->frozen = true;
   } else {
      freeFrozen(rs);
      rs->frozen = false;
      rs->dirty = true;
   }
}

void Rows_free(Rows* rs) {
   freeFrozen(rs);
   free(rs->v);
   rs->v = NULL;
   rs->n = rs->cap = 0;
   Tree_free(rs->tree);
   rs->tree = NULL;
   CACHE_FREE_ALL(rs->collapsed);
   CACHE_FREE_ALL(rs->opened);
   Filter_free(rs->compiled);
   rs->compiled = NULL;
   rs->parsed[0] = '\0';
}


static bool rowMatches(const Row* r, const char* text) {
   if (r->n)
      return Tree_nodeMatches(r->n, text);
   return r->text && strcasestr(r->text, text) != NULL;
}

int Rows_search(const Rows* rs, const char* text, size_t from, int dir) {
   if (rs->n == 0 || !text[0])
      return -1;
   for (size_t k = 0; k < rs->n; k++) {
      size_t i = dir >= 0 ? (from + k) % rs->n : (from + rs->n - k % rs->n) % rs->n;
      if (rowMatches(&rs->v[i], text))
         return (int)i;
   }
   return -1;
}

const TreeNode* Rows_selected(const Rows* rs) {
   if (rs->frozen || rs->n == 0)
      return NULL;
   return rs->v[rs->sel].n;
}
