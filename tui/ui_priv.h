/* ui_priv.h: the state shared by the files of the terminal UI (tui/).
 * Nothing outside tui/ includes it. */
#ifndef VISNET_UI_PRIV_H
#define VISNET_UI_PRIV_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "cache.h"
#include "buf.h"
#include "users.h"
#include "ui.h"

/* Pairs for whole lines. */
enum { PAIR_BAR = CL__COUNT, PAIR_SEL, PAIR_COLHDR, PAIR__COUNT };

#define INPUT_CAP 128

typedef struct Row_ {
   const TreeNode* n; /* NULL while frozen */
   char* text;        /* frozen text, owned; NULL otherwise */
   uint64_t key;
   bool active;
} Row;

typedef struct KeySet_ {
   uint64_t key;
   UT_hash_handle hh;
} KeySet;

typedef struct Rate_ {
   uint64_t key;
   uint64_t tx, rx;
   double up, down;
   unsigned gen;
   UT_hash_handle hh;
} Rate;

typedef enum Prompt_ { PROMPT_NONE = 0, PROMPT_SEARCH, PROMPT_FILTER } Prompt;

#define UI_UNNAMED_MAX 64

struct Ui_ {
   UiOpts opts;
   SCREEN* scr;
   bool active; /* curses is on the terminal */
   bool utf8, color;
   attr_t attr[CL__COUNT];
   char host[72], kernel[72];

   /* the tree and its rows */
   TreeOpts topts;
   char filter[INPUT_CAP];
   Tree* tree;
   bool dirty;
   Row* rows;
   size_t nrows, rowcap;
   size_t sel, top;
   uint64_t sel_key;
   size_t found; /* row of sel_key in the last walk, SIZE_MAX if none */
   KeySet* collapsed;
   bool frozen;

   /* live rates, sampled for the rows on screen */
   Rate* rates;
   unsigned rate_gen;
   uint64_t rate_ms;

   /* prompt, search, overlays */
   Prompt prompt;
   char input[INPUT_CAP];
   size_t inlen;
   char search[INPUT_CAP];
   bool details, help;
   int details_scroll;
   uint64_t details_key; /* the row the details pane was opened on */

   char msg[200];
   uint64_t msg_until_ms;

   bool auto_prune;
   bool dns; /* 'r': names of remote addresses, looked up by the UI's owner */
   /* remote addresses drawn in the last frame without a name (Ui_unnamed) */
   uint8_t unnamed[UI_UNNAMED_MAX][16];
   size_t nunnamed;

   /* the ssh connection visnet runs under */
   bool have_ssh;
   uint8_t ssh_client[16], ssh_server[16];
   uint16_t ssh_cport, ssh_sport;

   UserName* users;
   Store* store; /* of the last frame, for redraws on resize */
   UiStatus st;
   bool have_st;
   int body_y, body_h;
};

/* ui.c */
uint64_t Ui_nowMs(void);
uint64_t Ui_nowNs(const Ui* ui);
void Ui_message(Ui* ui, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
const char* Ui_userName(Ui* ui, uint32_t uid);

/* rows.c: tree rebuild, rows, selection, collapse, rates */
void Rows_rebuild(Ui* ui, Store* s);
void Rows_ensure(Ui* ui, Store* s);
void Rows_select(Ui* ui, size_t i);
void Rows_move(Ui* ui, long delta);
bool Rows_isCollapsed(Ui* ui, uint64_t key);
void Rows_setCollapsed(Ui* ui, uint64_t key, bool on);
void Rows_freeze(Ui* ui, bool on);
void Rows_freeAll(Ui* ui);
void Rows_sampleRates(Ui* ui);
const Rate* Rows_rate(Ui* ui, uint64_t key);
int Rows_search(Ui* ui, const char* text, size_t from, int dir);
const TreeNode* Rows_selected(Ui* ui);

/* draw.c */
void Draw_frame(Ui* ui, Store* s);
void Draw_line(Ui* ui, int y, const char* s, attr_t base, bool fill);
void Draw_formatRow(Ui* ui, const TreeNode* n, Buf* b);
const char* Draw_viewName(TreeView v);

/* details.c, help.c */
void Details_draw(Ui* ui, Store* s);
void Details_scroll(Ui* ui, int delta);
void Help_draw(Ui* ui);

/* keys.c */
int Keys_handle(Ui* ui, Store* s, int ch);

/* A key binding of the tree screen: its keys (0-terminated), how the help
 * names them and what it says they do (NULL: shown with the line before),
 * and the action (1: quit). */
#define KEYS_PER_ACTION 4
typedef struct KeyAction_ {
   int keys[KEYS_PER_ACTION];
   const char* label;
   const char* what;
   int (*run)(Ui* ui, Store* s);
   bool global; /* also in prompts and overlays */
} KeyAction;
extern const KeyAction Keys_table[]; /* ends with run == NULL */

#endif
