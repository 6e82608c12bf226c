/* rows.h: the rows of the tree screen: the tree rebuilt from the store and
 * flattened with collapsed nodes folded, the selection kept on the same
 * item (by node key) when rows move, and the frozen copy. Rates are the
 * store's (Store_updateRates), carried by the nodes.
 * Knows nothing of curses: the owner says how tall the body is and how a
 * row is written when the display freezes. */
#ifndef VISNET_TUI_ROWS_H
#define VISNET_TUI_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "buf.h"
#include "store.h"
#include "tree.h"

#define INPUT_CAP 128

typedef struct Row_ {
   const TreeNode* n; /* NULL while frozen */
   char* text;        /* frozen text, owned; NULL otherwise */
   uint64_t key;
   bool active;
   bool dim; /* inactive, or a process shown only for context */
} Row;

typedef struct KeySet_ {
   uint64_t key;
   UT_hash_handle hh;
} KeySet;

typedef struct Rows_ {
   TreeOpts topts;
   char filter[INPUT_CAP];
   char parsed[INPUT_CAP];      /* the filter text last parsed */
   struct Filter_* compiled;    /* the last filter that parsed: kept while one is typed */
   char filter_error[200];      /* why filter did not parse, for the message line */
   Tree* tree;
   bool dirty;  /* the store or the options changed: rebuild */
   bool frozen; /* 'z': rows keep their text, the tree is gone */
   Row* v;
   size_t n, cap;
   size_t sel, top;
   bool chosen;   /* the user moved the selection: it follows its item;
                     until then it stays on the first row */
   uint64_t sel_key;
   size_t found;  /* row of sel_key in the last walk, SIZE_MAX if none */
   size_t height; /* rows the body shows */
   KeySet* collapsed;
   KeySet* opened; /* folds of closed connections opened (Tree's fold_open) */
   const char* error; /* why the last rebuild failed, until taken */
} Rows;

/* Writes the text of a row for a frozen display. */
typedef void (*RowFormatFn)(void* ctx, const TreeNode* n, Buf* b);

void Rows_rebuild(Rows* r, Store* s);
/* Rebuilds if dirty and not frozen. */
void Rows_ensure(Rows* r, Store* s);
/* Why the last rebuild failed (NULL if it did not), once. */
const char* Rows_takeError(Rows* r);
void Rows_select(Rows* r, size_t i);
/* Rows_select by the user: from now on the selection follows its item. */
void Rows_choose(Rows* r, size_t i);
void Rows_move(Rows* r, long delta);
bool Rows_isCollapsed(const Rows* r, uint64_t key);
void Rows_setCollapsed(Rows* r, uint64_t key, bool on);
/* A fold of closed connections is closed until opened. */
bool Rows_isOpened(const Rows* r, uint64_t key);
void Rows_setOpened(Rows* r, uint64_t key, bool on);
void Rows_freeze(Rows* r, bool on, RowFormatFn fmt, void* ctx);
void Rows_free(Rows* r);
/* The next row from `from` in direction dir whose item matches text, or -1. */
int Rows_search(const Rows* r, const char* text, size_t from, int dir);
/* The selected node, NULL when there is none or the display is frozen. */
const TreeNode* Rows_selected(const Rows* r);

#endif
