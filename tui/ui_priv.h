/* ui_priv.h: the UI as its parts, for the three files that compose them:
 * ui.c (life and entry points), draw.c (a frame: header, body, footer)
 * and keys.c (what keys do). The drawing modules each know only their own
 * part: term.h (the terminal), rows.h (the rows), rowtext.h (one row's
 * text), details.h and help.h (the overlays). Nothing outside tui/
 * includes it. */
#ifndef VISNET_UI_PRIV_H
#define VISNET_UI_PRIV_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "details.h"
#include "rows.h"
#include "rowtext.h"
#include "term.h"
#include "ui.h"
#include "fleet.h"

typedef enum PromptKind_ { PROMPT_NONE = 0, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_COLUMNS } PromptKind;

/* A search or a filter being typed, and the last search. */
typedef struct Prompt_ {
   PromptKind kind;
   char input[INPUT_CAP];
   size_t len;
   char search[INPUT_CAP];
} Prompt;

struct Ui_ {
   UiOpts opts;
   SCREEN* scr;
   bool active; /* curses is on the terminal */
   Term term;
   Rows rows;
   RowText text;
   Details details;
   bool help;
   Prompt prompt;
   char msg[200]; /* the footer's message, until msg_until_ms */
   uint64_t msg_until_ms;
   bool auto_prune;
   char host[72], kernel[72];
   Store* store; /* of the last frame, for redraws on resize */
   UiStatus st;
   bool have_st;
   UiCommand cmd; /* for the owner: Ui_takeCommand */
   struct {
      bool open;
      int sel;
      UiPrefs before; /* when it opened */
   } setup;
   struct {
      int mode;      /* 0 none, 1 the signal menu, 2 a confirmation asked */
      int sel;       /* in the signal menu */
      UiAction act;  /* being chosen, confirmed, or the last done */
   } action;
   int scheme; /* TermScheme in use */
   bool mouse; /* mouse events asked for */
};

/* ui.c */
/* The clock of the store's timestamps: the frame's, else CLOCK_BOOTTIME. */
uint64_t Ui_nowNs(const Ui* ui);
/* Freezes or thaws the display ('z'): frozen rows keep their text. */
void Ui_freeze(Ui* ui, bool on);
/* Rebuilds the rows if needed, saying so if that failed. */
void Ui_ensureRows(Ui* ui, Store* s);

/* draw.c */
void Draw_frame(Ui* ui, Store* s);

#endif
