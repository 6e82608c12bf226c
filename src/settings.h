/* settings.h: the settings file, as htop keeps htoprc: plain key=value
 * lines in $XDG_CONFIG_HOME/visnet/visnetrc (~/.config/visnet/visnetrc).
 *
 *   # visnet settings
 *   view=tree
 *   sort=rate
 *   sort_order=descending
 *   refresh=2
 *   filter=!state:listen
 *   colors=monochrome
 *   show_all=no
 *
 * The file is read at start; command-line flags override it for the run.
 * The setup screen (F2) changes values; saving writes back the file as it
 * was, with only the values the user changed replaced (or added at the
 * end): comments, unknown keys and lines visnet could not read stay. The
 * file is written to a temporary file, synced and renamed over the old. */
#ifndef VISNET_SETTINGS_H
#define VISNET_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "tree.h"

typedef enum SettingKey_ {
   SET_VIEW = 0,
   SET_SORT,
   SET_ORDER,
   SET_REFRESH,
   SET_FILTER,
   SET_COLORS,
   SET_SHOW_ALL,
   SET_SHOW_INACTIVE,
   SET_RESOLVE,
   SET_PORT_NAMES,
   SET_MOUSE,
   SET_COLUMNS,
   SET_UNITS,
   SET__COUNT
} SettingKey;

typedef enum ColorScheme_ {
   COLORS_DEFAULT = 0,
   COLORS_MONO,
   COLORS_CONTRAST,
   COLORS__COUNT
} ColorScheme;

/* sort_order: the key's own (numbers from the greatest), or as named. */
typedef enum SortOrder_ { ORDER_KEY = 0, ORDER_ASC, ORDER_DESC, ORDER__COUNT } SortOrder;

typedef struct SettingValues_ {
   TreeView view;
   SortKey sort;
   SortOrder order;
   int delay_ds;     /* refresh, tenths of a second */
   char filter[128]; /* as the TUI's filter prompt takes it */
   ColorScheme colors;
   bool show_all, show_inactive, resolve, port_names, mouse, units;
   char columns[64]; /* tui/columns.h names, comma-separated, in order */
} SettingValues;

typedef struct Settings_ {
   SettingValues v;
   unsigned present; /* keys the file set (bit per SettingKey) */
   unsigned changed; /* keys Settings_set changed since */
   char* text;       /* the file as read, kept for its other lines */
   size_t len;
   unsigned bad;      /* lines that could not be read */
   char warning[256]; /* the first of them: "visnetrc:3: ..." */
} Settings;

void Settings_init(Settings* s);
void Settings_free(Settings* s);

/* Reads text (the file's content, any bytes). Each line it cannot read is
 * counted and the first named in s->warning; the others are ignored. name
 * is how the warning calls the file. */
void Settings_parse(Settings* s, const char* text, size_t len, const char* name);
/* Reads path; a missing file is no error (defaults). Returns 0, or -1 with
 * a one-line reason in err when it exists but cannot be read. */
int Settings_load(Settings* s, const char* path, char* err, size_t errlen);

/* Sets a value by its text, as a line of the file would; marks it changed
 * when it differs from the current one. Returns 0, or -1 with the reason. */
int Settings_set(Settings* s, SettingKey k, const char* value, char* err, size_t errlen);
/* The text of a value as the file writes it. */
const char* Settings_value(const SettingValues* v, SettingKey k, char* buf, size_t len);
const char* Settings_keyName(SettingKey k);

/* The file's new content: the old lines, changed values replaced in
 * place, changed keys the file lacked appended. Owned by the caller. */
char* Settings_format(const Settings* s, size_t* len);
/* Makes the directories of path that are missing (mode 0700): at start,
 * so that the sandbox can let the UI write there. Returns 0 or -1. */
int Settings_makeDir(const char* path);
/* Writes Settings_format atomically to path, making its directory if
 * needed. Returns 0, or -1 with a one-line reason. */
int Settings_save(const Settings* s, const char* path, char* err, size_t errlen);

struct Options_;
/* The values the file set, into the options of a run, but for those the
 * command line gave (o->given). */
void Settings_apply(const Settings* s, struct Options_* o);

/* The file's path from the environment (XDG_CONFIG_HOME, else HOME), or
 * NULL when neither is set. */
const char* Settings_path(char* buf, size_t len);

#endif
