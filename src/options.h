/* options.h: the command line. */
#ifndef VISNET_OPTIONS_H
#define VISNET_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "probe.h"
#include "settings.h"
#include "tree.h"

typedef enum RunMode_ {
   MODE_UI = 0,   /* full-screen terminal UI (default) */
   MODE_JSON,     /* --json: JSON Lines events on stdout */
   MODE_HEADLESS, /* --headless: collect into the store, summary at exit */
   MODE_ONCE,     /* --once: print the current tree and exit */
} RunMode;

typedef enum OnceFormat_ { ONCE_TEXT = 0, ONCE_JSON, ONCE_DOT } OnceFormat;

typedef struct Options_ {
   RunMode mode;
   OnceFormat once_format;
   bool no_bpf;             /* --no-bpf: periodic snapshots, no probe */
   bool no_sandbox;         /* --no-sandbox: no no_new_privs, Landlock, seccomp */
   bool verbose;            /* -v: libbpf diagnostics */
   bool no_color;           /* --no-color, or NO_COLOR set */
   bool auto_prune;         /* --auto-prune: start with automatic pruning on */
   bool all_procs;          /* -a, --all: processes without sockets too */
   bool numeric;            /* -n, --numeric: ports as numbers, not service names */
   int width;               /* --width N (--once text), 0: the terminal's, or whole lines */
   double at;               /* --at T (--once --replay): seconds into the log */
   bool at_set;
   int delay_ds;            /* -d: refresh interval, tenths of a second */
   uint32_t pid;            /* -p: show this subtree */
   const char* filter;      /* --filter */
   const char* replay;      /* --replay FILE */
   double speed;            /* --speed X (replay), 0 = as fast as possible */
   const char* record;      /* --record FILE */
   uint64_t record_max;     /* --record-max SIZE in bytes, 0 = no bound */
   bool force;              /* --force: --record may replace an existing file */
   double duration;         /* --duration SECONDS, 0 = until interrupted */
   uint64_t prune_after_s;  /* --prune-after SECONDS */
   size_t inactive_cap;     /* --max-inactive N */
   TreeView view;           /* --view tree|flat|remote */
   SortKey sort;            /* --sort pid|name|conns|bytes|last */
   ProbeOpts probe;         /* --probe-bytes, --probe-states, VISNET_PROBE_* */
   bool no_config;          /* --no-config: the settings file neither read nor written */
   bool no_mouse;           /* --no-mouse: no mouse events */
   bool read_only;          /* --read-only: no signals, no closes (and no rights for them) */
   const char* columns;     /* the settings file's columns, NULL: all */
   const char* netns_name;  /* --netns NAME: self, an inode, a path */
   uint32_t netns;          /* ... resolved (main.c), 0: every namespace */
   const char* remote;      /* --remote HOST,HOST,...: a fleet (docs/FLEET.md) */
   const char* remote_file; /* --remote-file FILE: one host a line */
   const char* ssh_command; /* --ssh-command CMD, NULL: ssh */
   const char* remote_visnet; /* --remote-visnet CMD, NULL: visnet */
   bool while_stdin;        /* --while-stdin: end when stdin closes */
   bool units;              /* the settings file's: units in the rows */
   unsigned given;          /* settings the command line set (bit per SettingKey) */
   /* settings the command line has no flag for (the settings file's) */
   SortOrder order;
   ColorScheme colors;
   bool hide_inactive;
   bool dns;
} Options;

/* Parses argv. Returns 0 to run, 1 when --help or --version was printed
 * (exit 0), -1 with a one-line message in err (exit 2). */
int Options_parse(int argc, char** argv, Options* o, char* err, size_t errlen);
void Options_usage(FILE* f);
/* The one rule for a time in every flag and setting: a decimal number of
 * seconds, or with a unit (90s, 2m, 1.5h), at most max seconds. */
int Options_seconds(const char* s, double max, double* out);
/* The view and the sort key named as --view and --sort take them, or -1. */
int Options_viewOf(const char* s);
int Options_sortOf(const char* s);
/* The hosts of a --remote list, split at commas and checked: how many
 * (up to max copied to out), or -1 with a one-line reason in err. */
int Options_hosts(const char* list, char (*out)[64], size_t max, char* err, size_t errlen);
/* The index of s among names[0..n), or -1. */
int Options_nameIndex(const char* s, const char* const* names, int n);

#endif
