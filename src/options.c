/* options.c: parses the command line into Options. */
#include "options.h"

#include "filter.h"

#include "fmt.h"
#include "probe_env.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
   OPT_JSON = 256, OPT_HEADLESS, OPT_ONCE, OPT_DOT, OPT_NO_BPF, OPT_NO_COLOR, OPT_REPLAY,
   OPT_SPEED, OPT_RECORD, OPT_DURATION, OPT_PRUNE_AFTER, OPT_AUTO_PRUNE, OPT_MAX_INACTIVE,
   OPT_FILTER, OPT_VIEW, OPT_SORT, OPT_VERSION, OPT_PROBE_BYTES, OPT_PROBE_STATES,
   OPT_RECORD_MAX, OPT_FORCE, OPT_NO_SANDBOX, OPT_WIDTH, OPT_AT, OPT_NO_CONFIG, OPT_NO_MOUSE, OPT_READ_ONLY, OPT_NETNS,
   OPT_REMOTE, OPT_REMOTE_FILE, OPT_SSH_COMMAND, OPT_REMOTE_VISNET, OPT_WHILE_STDIN,
};

static const struct option LONG_OPTS[] = {
   {"json", no_argument, NULL, OPT_JSON},
   {"headless", no_argument, NULL, OPT_HEADLESS},
   {"once", no_argument, NULL, OPT_ONCE},
   {"dot", no_argument, NULL, OPT_DOT},
   {"no-bpf", no_argument, NULL, OPT_NO_BPF},
   {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
   {"no-config", no_argument, NULL, OPT_NO_CONFIG},
   {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
   {"read-only", no_argument, NULL, OPT_READ_ONLY},
   {"netns", required_argument, NULL, OPT_NETNS},
   {"remote", required_argument, NULL, OPT_REMOTE},
   {"remote-file", required_argument, NULL, OPT_REMOTE_FILE},
   {"ssh-command", required_argument, NULL, OPT_SSH_COMMAND},
   {"remote-visnet", required_argument, NULL, OPT_REMOTE_VISNET},
   {"while-stdin", no_argument, NULL, OPT_WHILE_STDIN},
   {"no-color", no_argument, NULL, OPT_NO_COLOR},
   {"no-colour", no_argument, NULL, OPT_NO_COLOR},
   {"replay", required_argument, NULL, OPT_REPLAY},
   {"speed", required_argument, NULL, OPT_SPEED},
   {"record", required_argument, NULL, OPT_RECORD},
   {"record-max", required_argument, NULL, OPT_RECORD_MAX},
   {"force", no_argument, NULL, OPT_FORCE},
   {"duration", required_argument, NULL, OPT_DURATION},
   {"prune-after", required_argument, NULL, OPT_PRUNE_AFTER},
   {"auto-prune", no_argument, NULL, OPT_AUTO_PRUNE},
   {"all", no_argument, NULL, 'a'},
   {"numeric", no_argument, NULL, 'n'},
   {"width", required_argument, NULL, OPT_WIDTH},
   {"at", required_argument, NULL, OPT_AT},
   {"max-inactive", required_argument, NULL, OPT_MAX_INACTIVE},
   {"filter", required_argument, NULL, OPT_FILTER},
   {"view", required_argument, NULL, OPT_VIEW},
   {"sort", required_argument, NULL, OPT_SORT},
   {"delay", required_argument, NULL, 'd'},
   {"pid", required_argument, NULL, 'p'},
   {"verbose", no_argument, NULL, 'v'},
   {"help", no_argument, NULL, 'h'},
   {"version", no_argument, NULL, OPT_VERSION},
   {"probe-bytes", required_argument, NULL, OPT_PROBE_BYTES},
   {"probe-states", required_argument, NULL, OPT_PROBE_STATES},
   {NULL, 0, NULL, 0},
};

void Options_usage(FILE* f) {
   fputs("Usage: visnet [OPTION]...\n"
         "Live map of which processes talk to which remote IP:port.\n\n"
         "Modes:\n"
         "  (none)              full-screen terminal UI (eBPF live; needs root)\n"
         "  --once              print the current tree once and exit\n"
         "      --json          ... as one JSON document\n"
         "      --dot           ... as Graphviz DOT (visnet --once --dot | dot -Tsvg)\n"
         "  --json              stream events as JSON Lines to stdout\n"
         "  --headless          collect without a UI; print a summary at exit\n"
         "  --replay FILE       replay a recorded event log (no root needed)\n"
         "  --no-bpf            no eBPF: periodic snapshots of /proc and sock_diag\n"
         "  --remote HOSTS      many hosts in one view: [USER@]HOST,... each through ssh\n"
         "                      running visnet --json there; 'local' is this machine\n"
         "                      (with the UI, --once or --json; docs/FLEET.md)\n\n"
         "Options:\n"
         "  -d, --delay TENTHS  refresh interval in tenths of a second (default 10)\n"
         "  -p, --pid PID       show only the subtree of PID\n"
         "  -a, --all           every process, not only those with sockets (key a)\n"
         "  -n, --numeric       ports as numbers, not service names (as ss -n)\n"
         "      --width N       --once: cut lines at N columns (default: the terminal's;\n"
         "                      whole lines into a pipe or a file)\n"
         "      --at T          --once --replay: the picture T into the log (default: its end)\n"
         "      --filter TEXT   show only what matches TEXT (and its ancestors)\n"
         "      --view V        tree | flat | remote (default tree)\n"
         "      --sort KEY      pid | name | conns | bytes | last | rate | age | rtt | retrans\n"
         "                      (default pid)\n"
         "      --speed X       replay speed factor (default 1, 0 = at once)\n"
         "      --record FILE   also write every event to FILE (event log, mode 0600;\n"
         "                      never over an existing file or through a symlink)\n"
         "      --record-max SIZE  stop recording at SIZE bytes (K, M, G suffixes)\n"
         "      --force         let --record replace an existing file\n"
         "      --duration T    stop after T: 90, 90s, 2m, 1.5h (default: until interrupted)\n"
         "      --prune-after T age for automatic pruning (default 300s)\n"
         "      --auto-prune    start with automatic pruning on\n"
         "      --max-inactive N  keep at most N inactive entries (default 100000)\n"
         "      --no-color      no colours (NO_COLOR is honoured too)\n"
         "      --no-mouse      no mouse: clicks and the wheel stay the terminal's\n"
         "      --netns NS      only the sockets of one network namespace: self, its inode\n"
         "                      number, or a path (/run/netns/NAME, /proc/PID/ns/net)\n"
         "      --remote-file F one host a line (# comments), as --remote takes them\n"
         "      --ssh-command C the command in place of ssh (words split at blanks;\n"
         "                      called as C -T -o BatchMode=yes ... HOST VISNET ARGS)\n"
         "      --remote-visnet P  visnet on the far side (default: visnet; e.g. 'sudo -n\n"
         "                      visnet'); --netns goes to every host's visnet\n"
         "      --while-stdin   end when standard input closes (a fleet's ssh channel)\n"
         "      --read-only     no signals to processes, no closing of connections (F9, x),\n"
         "                      and none of the capabilities they need kept\n"
         "      --no-config     neither read nor write the settings file\n"
         "                      (~/.config/visnet/visnetrc; F2 in the UI edits it)\n"
         "      --no-sandbox    keep no_new_privs, Landlock and seccomp off (for debugging;\n"
         "                      capabilities are still dropped once the probe is attached)\n"
         "  -v, --verbose       libbpf diagnostics on stderr\n"
         "      --probe-bytes M poll (default: TCP byte counts read at each refresh)\n"
         "                      | trace (counted on every send and receive)\n"
         "      --probe-states M lasting (default: TCP states that last until a refresh)\n"
         "                      | all (every state change as an event)\n"
         "  -h, --help          this help\n"
         "      --version       version\n",
         f);
}

/* The message quotes what was typed: escaped, so that it stays one line
 * and no argument writes escape sequences to the terminal. */
static int fail(char* err, size_t errlen, const char* fmt, ...) {
   char raw[512];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(raw, sizeof raw, fmt, ap);
   va_end(ap);
   if (errlen)
      (void)Fmt_escape(err, errlen, raw, strlen(raw), true, INT_MAX, NULL);
   return -1;
}

static int parseUnsigned(const char* s, unsigned long long max, unsigned long long* out) {
   char* end;
   errno = 0;
   if (!s || *s == '\0' || *s == '-')
      return -1;
   unsigned long long v = strtoull(s, &end, 10);
   if (errno || *end != '\0' || v > max)
      return -1;
   *out = v;
   return 0;
}

/* 512, 64K, 10M, 2G (powers of 1024). */
static int parseSize(const char* s, uint64_t* out) {
   char* end;
   errno = 0;
   if (!s || *s < '0' || *s > '9')
      return -1;
   unsigned long long v = strtoull(s, &end, 10);
   int shift = 0;
   if (*end == 'K' || *end == 'k')
      shift = 10, end++;
   else if (*end == 'M' || *end == 'm')
      shift = 20, end++;
   else if (*end == 'G' || *end == 'g')
      shift = 30, end++;
   if (errno || *end != '\0' || v == 0 || v > (1ull << 40) >> shift)
      return -1;
   *out = (uint64_t)v << shift;
   return 0;
}

/* The one rule for numbers: decimal digits with an optional fraction, no
 * sign, hex, exponent, inf or nan (strtod would take them all). */
static int parseDecimal(const char* s, double max, double* out) {
   if (!s || !(*s >= '0' && *s <= '9'))
      return -1;
   size_t i = strspn(s, "0123456789");
   if (s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9')
      i += 1 + strspn(s + i + 1, "0123456789");
   if (s[i] != '\0')
      return -1;
   double v = strtod(s, NULL);
   if (v > max)
      return -1;
   *out = v;
   return 0;
}

/* A time: a decimal number of seconds, or with a unit: 90s, 2m, 1.5h. */
int Options_seconds(const char* s, double max, double* out) {
   char num[64];
   size_t n = s ? strlen(s) : 0;
   if (n == 0 || n >= sizeof num)
      return -1;
   double mult = 1;
   memcpy(num, s, n + 1);
   if (num[n - 1] == 's' || num[n - 1] == 'm' || num[n - 1] == 'h') {
      mult = num[n - 1] == 'h' ? 3600 : num[n - 1] == 'm' ? 60 : 1;
      num[n - 1] = '\0';
   }
   double v;
   if (parseDecimal(num, max / mult, &v) < 0)
      return -1;
   *out = v * mult;
   return 0;
}

int Options_nameIndex(const char* s, const char* const* names, int n) {
   for (int i = 0; i < n; i++)
      if (strcmp(s, names[i]) == 0)
         return i;
   return -1;
}

/* The names the tree gives its views and sort keys, which the UI shows. */
static const char* viewName(int i) {
   return Tree_viewOption((TreeView)i);
}

static const char* sortName(int i) {
   return Tree_sortName((SortKey)i);
}

static int parseEnum(const char* s, int n, const char* (*name)(int)) {
   for (int i = 0; i < n; i++)
      if (strcmp(s, name(i)) == 0)
         return i;
   return -1;
}

int Options_viewOf(const char* s) { return parseEnum(s, VIEW__COUNT, viewName); }
int Options_sortOf(const char* s) { return parseEnum(s, SORT__COUNT, sortName); }

static void setDefaults(Options* o) {
   memset(o, 0, sizeof *o);
   o->mode = MODE_UI;
   o->delay_ds = 10;
   o->speed = 1.0;
   o->prune_after_s = 300;
   o->inactive_cap = STORE_DEFAULT_INACTIVE_CAP;
   const char* nc = getenv("NO_COLOR");
   o->no_color = nc && *nc;
   if (o->no_color) /* no-color.org: the user's wish, over any file */
      o->given |= 1u << SET_COLORS;
   ProbeEnv_read(&o->probe);
}

static int parseOne(int c, const char* arg, Options* o, char* err, size_t errlen) {
   static const char* const PROBE_BYTES[] = {"poll", "trace"};
   static const char* const PROBE_STATES[] = {"lasting", "all"};
   unsigned long long u;
   int i;
   switch (c) {
   case OPT_JSON: o->once_format = ONCE_JSON; if (o->mode != MODE_ONCE) o->mode = MODE_JSON; return 0;
   case OPT_HEADLESS: o->mode = MODE_HEADLESS; return 0;
   case OPT_ONCE: o->mode = MODE_ONCE; return 0;
   case OPT_DOT: return 0;
   case OPT_NO_BPF: o->no_bpf = true; return 0;
   case OPT_NO_COLOR: o->no_color = true; return 0;
   case OPT_NO_SANDBOX: o->no_sandbox = true; return 0;
   case OPT_NO_CONFIG: o->no_config = true; return 0;
   case OPT_NO_MOUSE: o->no_mouse = true; return 0;
   case OPT_READ_ONLY: o->read_only = true; return 0;
   case OPT_NETNS: o->netns_name = arg; return 0;
   case OPT_WHILE_STDIN: o->while_stdin = true; return 0;
   case OPT_REMOTE:
      if (Options_hosts(arg, NULL, 0, err, errlen) < 0)
         return -1;
      o->remote = arg;
      return 0;
   case OPT_REMOTE_FILE:
      if (!*arg)
         return fail(err, errlen, "--remote-file: an empty file name");
      o->remote_file = arg;
      return 0;
   case OPT_SSH_COMMAND:
      if (!arg[strspn(arg, " \t")])
         return fail(err, errlen, "--ssh-command: an empty command");
      o->ssh_command = arg;
      return 0;
   case OPT_REMOTE_VISNET:
      if (!arg[strspn(arg, " \t")])
         return fail(err, errlen, "--remote-visnet: an empty command");
      o->remote_visnet = arg;
      return 0;
   case OPT_AUTO_PRUNE: o->auto_prune = true; return 0;
   case OPT_REPLAY:
      if (!*arg)
         return fail(err, errlen, "--replay: an empty file name");
      o->replay = arg;
      return 0;
   case OPT_RECORD:
      if (!*arg)
         return fail(err, errlen, "--record: an empty file name");
      o->record = arg;
      return 0;
   case OPT_FORCE: o->force = true; return 0;
   case OPT_RECORD_MAX:
      if (parseSize(arg, &o->record_max) < 0)
         return fail(err, errlen, "--record-max: '%s' is not a size (e.g. 512K, 100M, 2G)", arg);
      return 0;
   case OPT_FILTER: {
      char why[200];
      Filter* f = Filter_parse(arg, why, sizeof why);
      Filter_free(f);
      if (why[0])
         return fail(err, errlen, "--filter: %s", why);
      o->filter = arg;
      return 0;
   }
   case 'v': o->verbose = true; return 0;
   case 'a': o->all_procs = true; return 0;
   case 'n': o->numeric = true; return 0;
   case OPT_SPEED:
      if (parseDecimal(arg, 1e6, &o->speed) < 0)
         return fail(err, errlen, "--speed: '%s' is not a number >= 0", arg);
      return 0;
   case OPT_WIDTH:
      if (parseUnsigned(arg, 16384, &u) < 0 || u < 20)
         return fail(err, errlen, "--width: '%s' is not a number of columns from 20 to 16384", arg);
      o->width = (int)u;
      return 0;
   case OPT_AT:
      if (Options_seconds(arg, 100.0 * 365 * 86400, &o->at) < 0)
         return fail(err, errlen, "--at: '%s' is not a time into the log (0, 90s, 2m, 1.5h)", arg);
      o->at_set = true;
      return 0;
   case OPT_DURATION:
      if (Options_seconds(arg, 1e9, &o->duration) < 0 || o->duration == 0.0)
         return fail(err, errlen, "--duration: '%s' is not a time > 0 (90, 90s, 2m, 1h)", arg);
      return 0;
   case OPT_PRUNE_AFTER: {
      double t;
      if (Options_seconds(arg, 100.0 * 365 * 86400, &t) < 0)
         return fail(err, errlen, "--prune-after: '%s' is not a time (300, 300s, 5m, 1h)", arg);
      o->prune_after_s = (uint64_t)t;
      return 0;
   }
   case OPT_MAX_INACTIVE:
      if (parseUnsigned(arg, 100000000ull, &u) < 0)
         return fail(err, errlen, "--max-inactive: '%s' is not a count", arg);
      o->inactive_cap = (size_t)u;
      return 0;
   case 'd':
      if (parseUnsigned(arg, 36000, &u) < 0 || u == 0)
         return fail(err, errlen, "-d: '%s' is not a delay in tenths of a second (1-36000)", arg);
      o->delay_ds = (int)u;
      return 0;
   case 'p':
      if (parseUnsigned(arg, 0x7fffffff, &u) < 0 || u == 0)
         return fail(err, errlen, "-p: '%s' is not a process id", arg);
      o->pid = (uint32_t)u;
      return 0;
   case OPT_VIEW:
      if ((i = Options_viewOf(arg)) < 0)
         return fail(err, errlen, "--view: '%s' is not one of tree, flat, remote", arg);
      o->view = (TreeView)i;
      return 0;
   case OPT_PROBE_BYTES:
      if ((i = Options_nameIndex(arg, PROBE_BYTES, 2)) < 0)
         return fail(err, errlen, "--probe-bytes: '%s' is not one of poll, trace", arg);
      o->probe.bytes_trace = i == 1;
      return 0;
   case OPT_PROBE_STATES:
      if ((i = Options_nameIndex(arg, PROBE_STATES, 2)) < 0)
         return fail(err, errlen, "--probe-states: '%s' is not one of lasting, all", arg);
      o->probe.states_all = i == 1;
      return 0;
   case OPT_SORT:
      if ((i = Options_sortOf(arg)) < 0)
         return fail(err, errlen, "--sort: '%s' is not one of pid, name, conns, bytes, last, rate, "
                              "age, rtt, retrans", arg);
      o->sort = (SortKey)i;
      return 0;
   default:
      return fail(err, errlen, "unknown option (try --help)");
   }
}

/* Flags that choose a mode, or a form of output: no two of a kind. */
enum { GIVEN_ONCE = 1, GIVEN_HEADLESS = 2, GIVEN_JSON = 4, GIVEN_DOT = 8 };

static int conflicts(unsigned given, char* err, size_t errlen) {
   static const struct {
      unsigned a, b;
      const char* what;
   } BAD[] = {
       {GIVEN_ONCE, GIVEN_HEADLESS, "--once and --headless"},
       {GIVEN_JSON, GIVEN_HEADLESS, "--json and --headless"},
       {GIVEN_JSON, GIVEN_DOT, "--json and --dot"},
       {GIVEN_DOT, GIVEN_HEADLESS, "--dot and --headless"},
   };
   for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
      if ((given & BAD[i].a) && (given & BAD[i].b))
         return fail(err, errlen, "%s cannot be combined", BAD[i].what);
   return 0;
}

/* The settings a flag sets: the settings file does not override them. */
static unsigned givenSettings(int c) {
   switch (c) {
   case OPT_VIEW: return 1u << SET_VIEW;
   case OPT_SORT: return 1u << SET_SORT | 1u << SET_ORDER;
   case 'd': return 1u << SET_REFRESH;
   case OPT_FILTER: return 1u << SET_FILTER;
   case OPT_NO_COLOR: return 1u << SET_COLORS;
   case 'a': return 1u << SET_SHOW_ALL;
   case 'n': return 1u << SET_PORT_NAMES;
   case OPT_NO_MOUSE: return 1u << SET_MOUSE;
   default: return 0;
   }
}

static unsigned givenBit(int c) {
   switch (c) {
   case OPT_ONCE: return GIVEN_ONCE;
   case OPT_HEADLESS: return GIVEN_HEADLESS;
   case OPT_JSON: return GIVEN_JSON;
   case OPT_DOT: return GIVEN_DOT;
   default: return 0;
   }
}

/* One host as --remote and --remote-file take it: [USER@]HOST, or local.
 * Never a word ssh would take for an option, nor one with blanks. */
static int checkHost(const char* h, size_t n, char* err, size_t errlen) {
   if (n == 0)
      return fail(err, errlen, "--remote: an empty host name");
   if (n >= 64)
      return fail(err, errlen, "--remote: '%.*s' is too long a host name", (int)n, h);
   if (h[0] == '-')
      return fail(err, errlen, "--remote: '%.*s' is not a host name", (int)n, h);
   for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)h[i];
      if (c <= ' ' || c == 0x7f || c == '\'' || c == '"' || c == '\\' || c == ';' || c == '|' ||
          c == '&' || c == '$' || c == '`')
         return fail(err, errlen, "--remote: '%.*s' is not a host name", (int)n, h);
   }
   return 0;
}

int Options_hosts(const char* list, char (*out)[64], size_t max, char* err, size_t errlen) {
   size_t n = 0;
   for (const char* p = list;;) {
      size_t len = strcspn(p, ",");
      if (checkHost(p, len, err, errlen) < 0)
         return -1;
      if (out && n < max)
         snprintf(out[n], 64, "%.*s", (int)len, p);
      n++;
      if (!p[len])
         break;
      p += len + 1;
   }
   return (int)n;
}

static int validateRemote(const Options* o, char* err, size_t errlen) {
   if (!o->remote && !o->remote_file) {
      if (o->ssh_command || o->remote_visnet)
         return fail(err, errlen, "--ssh-command and --remote-visnet go with --remote");
      return 0;
   }
   if (o->replay || o->record || o->no_bpf || o->pid || o->mode == MODE_HEADLESS)
      return fail(err, errlen, "--remote cannot be combined with --replay, --record, --no-bpf, "
                               "--pid or --headless (each host's visnet does that part)");
   if (o->while_stdin)
      return fail(err, errlen, "--while-stdin is for the far side, not with --remote");
   const char* ns = o->netns_name;
   if (ns && (!*ns || ns[strspn(ns, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-")]))
      return fail(err, errlen, "--netns '%s' with --remote: a name of letters, digits and / . _ -", ns);
   return 0;
}

static int validate(Options* o, bool dot, char* err, size_t errlen) {
   if (dot) {
      if (o->mode != MODE_ONCE)
         return fail(err, errlen, "--dot needs --once");
      o->once_format = ONCE_DOT;
   }
   if (o->mode == MODE_ONCE && (o->record || o->duration > 0))
      return fail(err, errlen, "--once prints one picture: it cannot be combined with --record or --duration");
   if (o->at_set && !(o->mode == MODE_ONCE && o->replay))
      return fail(err, errlen, "--at goes with --once and --replay (the picture at a time of the log)");
   if (o->width && !(o->mode == MODE_ONCE && o->once_format == ONCE_TEXT))
      return fail(err, errlen, "--width goes with --once (text)");
   if ((o->record_max || o->force) && !o->record)
      return fail(err, errlen, "--record-max and --force go with --record");
   if (o->replay && o->record)
      return fail(err, errlen, "--replay and --record cannot be combined");
   if (o->replay && o->no_bpf)
      return fail(err, errlen, "--replay and --no-bpf cannot be combined");
   return validateRemote(o, err, errlen);
}

int Options_parse(int argc, char** argv, Options* o, char* err, size_t errlen) {
   bool dot = false;
   setDefaults(o);
   opterr = 0;
   optind = 0; /* not 1: glibc then also drops a cluster of short options
                  an earlier call left half read */
   int c, info = 0;
   unsigned given = 0;
   while ((c = getopt_long(argc, argv, ":d:p:anvh", LONG_OPTS, NULL)) != -1) {
      if (c == 'h' || c == OPT_VERSION) {
         info = c; /* printed once the rest is known to be right */
         continue;
      }
      given |= givenBit(c);
      o->given |= givenSettings(c);
      if (c == OPT_DOT)
         dot = true;
      if (c == '?')
         return fail(err, errlen, "unknown option '%s' (try --help)", argv[optind - 1]);
      if (c == ':')
         return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
      if (parseOne(c, optarg, o, err, errlen) < 0)
         return -1;
   }
   if (optind < argc)
      return fail(err, errlen, "unexpected argument '%s' (try --help)", argv[optind]);
   if (info == 'h') {
      Options_usage(stdout);
      return 1;
   }
   if (info == OPT_VERSION) {
      printf("visnet %s\n", VISNET_VERSION);
      return 1;
   }
   if (conflicts(given, err, errlen) < 0)
      return -1;
   return validate(o, dot, err, errlen);
}
