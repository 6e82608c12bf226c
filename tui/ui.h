/* ui.h: the ncurses front end, driven by the program's event loop.
 *
 * The loop (src/app.c) calls Ui_onInput when the terminal is readable,
 * Ui_onResize on SIGWINCH, and Ui_draw on every refresh tick and after
 * input. The UI reads the store, and writes to it only through
 * Store_prune / Store_pruneOlder on the user's request. It owns no thread
 * and no lookup: the names of remote addresses come from the program's
 * resolver (Ui_wantsNames, Ui_unnamed).
 */
#ifndef VISNET_UI_H
#define VISNET_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "tree.h"

/* What the settings file keeps, as the UI has it now (the setup screen
 * changes them, F2). */
typedef struct UiPrefs_ {
   TreeView view;
   SortKey sort;
   bool descending;
   int delay_ds; /* refresh, tenths of a second */
   char filter[128]; /* as the filter prompt takes it */
   int colors; /* TermScheme: default, monochrome, high contrast */
   bool all_procs, show_inactive, dns;
   bool numeric; /* ports as numbers */
   bool mouse;
   bool units;       /* each process's systemd unit or container in its row */
   char columns[64]; /* "pid,user,conns,up,down,rtt,retr" in the user's order */
} UiPrefs;

typedef struct UiOpts_ {
   int delay_ds;       /* refresh interval, tenths of a second */
   uint32_t pid;       /* show this subtree, 0 = all */
   const char* filter; /* initial filter, may be NULL */
   bool no_color;
   bool auto_prune;
   bool all_procs;
   bool numeric; /* -n: ports as numbers */
   const char* (*unit)(void* ctx, uint64_t cgroup); /* the unit of a cgroup id, or NULL */
   void* unit_ctx;
   uint64_t prune_after_s;
   TreeView view;
   SortKey sort;
   int order;          /* 0: the sort key's own direction, 1 ascending, 2 descending */
   int colors;         /* TermScheme (no_color: monochrome) */
   bool hide_inactive; /* start with exited and closed entries hidden */
   bool dns;           /* start with reverse DNS names on */
   bool mouse;         /* take mouse events (clicks, wheel) */
   bool units;         /* each process's systemd unit or container in its row */
   const char* columns; /* the columns in order (tui/columns.h), NULL: all */
   uint32_t netns;      /* --netns: the one namespace shown (the header says), 0: all */
   const char* settings_where; /* the setup screen's last line: where changes go */
   const char* no_actions; /* why signals and closes are refused (--read-only, a
                              replay), or NULL when they are offered */
   const struct Fleet_* fleet; /* --remote: the hosts' stores, shown under a
                              row per host; Ui_draw and Ui_onInput then take
                              no store (NULL) */
} UiOpts;

typedef struct UiStatus_ {
   const char* mode; /* "eBPF live", "snapshot polling", "replay" */
   const char* note; /* e.g. "short-lived connections may be missed" */
   double events_per_s;
   uint64_t lost;
   uint64_t untracked; /* sockets the probe could not give an owner */
   MapFull full;       /* the probe's other tables that overflowed (owners: untracked) */
   uint64_t healed;    /* sockets closed after a loss because the kernel had them no more */
   uint64_t now_ns;    /* CLOCK_BOOTTIME of this frame */
   bool live;          /* the probe: events can be lost (not polling, not a replay) */
   const char* record; /* --record FILE, NULL when not recording */
   uint64_t record_bytes;
   bool replay, paused;    /* a replay, and P stopped its clock */
   uint64_t replay_at_ns;  /* log time since its first event */
   double replay_done;     /* of the file, 0 to 1 */
   uint64_t clock_wall_ns; /* the clock the header shows (a replay's: the log's), 0: now */
} UiStatus;

typedef struct Ui_ Ui;

/* What a key asks of the UI's owner (a replay's pace). */
/* What the user confirmed doing to what they see (Ui_action): the UI
 * names the target, its owner acts (the kernel is the owner's). */
typedef enum UiActionKind_ { UI_ACT_NONE = 0, UI_ACT_SIGNAL, UI_ACT_CLOSE } UiActionKind;
typedef struct UiAction_ {
   UiActionKind kind;
   uint32_t pid;    /* UI_ACT_SIGNAL: the process, as it was when chosen */
   uint64_t start;
   int sig;
   uint8_t family;  /* UI_ACT_CLOSE: the TCP connection */
   SockKey key;
   char target[200]; /* what the confirmation named: "nginx[812]" */
} UiAction;

typedef enum UiCommand_ {
   UI_CMD_NONE = 0,
   UI_CMD_PAUSE,
   UI_CMD_STEP,
   UI_CMD_PREFS, /* the setup screen closed: Ui_prefsChanged says what changed */
   UI_CMD_ACTION, /* an action was confirmed: Ui_action says which */
} UiCommand;

/* Starts curses on the terminal; NULL with a one-line reason if stdin or
 * stdout is not a terminal. */
Ui* Ui_open(const UiOpts* o, char* err, size_t errlen);
int Ui_inputFd(const Ui* ui);
/* Handles pending keys. Returns 1 when the user asked to quit. */
int Ui_onInput(Ui* ui, Store* s);
void Ui_onResize(Ui* ui);
/* The store changed: the tree will be rebuilt at the next draw. */
void Ui_markDirty(Ui* ui);
/* The command the last keys asked for, once (UI_CMD_NONE if none). */
UiCommand Ui_takeCommand(Ui* ui);
/* Draws a frame, writing only what changed. */
void Ui_draw(Ui* ui, Store* s, const UiStatus* st);
/* The settings as the UI has them now; and set them (the setup screen). */
void Ui_prefs(const Ui* ui, UiPrefs* out);
void Ui_setPrefs(Ui* ui, const UiPrefs* p);
/* The settings when the setup screen last opened, and now: the owner saves
 * what differs. */
void Ui_prefsChanged(const Ui* ui, UiPrefs* before, UiPrefs* now);
/* The action the last UI_CMD_ACTION confirmed. */
const UiAction* Ui_action(const Ui* ui);
/* A message in the footer for a few seconds (printf format). */
void Ui_message(Ui* ui, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* Restores the terminal; safe to call more than once and on every exit path. */
void Ui_close(Ui* ui);

/* Reverse DNS belongs to the UI's owner: whether the user asked for names
 * ('r'); the remote addresses the last frame drew without a name (at most
 * max, then forgotten), to look up at the refresh tick, never while
 * drawing; and a lookup service that could not start (names off, the
 * reason shown). Names reach the screen through Store_setName. */
bool Ui_wantsNames(const Ui* ui);
size_t Ui_unnamed(Ui* ui, uint8_t (*out)[16], size_t max);
void Ui_namesUnavailable(Ui* ui, const char* why);
/* Redraws the last frame at once (after a resize, for instance). */
void Ui_redraw(Ui* ui);
/* Ui_close, then frees everything. */
void Ui_free(Ui* ui);

#endif
