/* settings.c: see settings.h. */
#include "settings.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "filter.h"
#include "fmt.h"
#include "options.h"

static const char* const KEYS[SET__COUNT] = {
    [SET_VIEW] = "view",
    [SET_SORT] = "sort",
    [SET_ORDER] = "sort_order",
    [SET_REFRESH] = "refresh",
    [SET_FILTER] = "filter",
    [SET_COLORS] = "colors",
    [SET_SHOW_ALL] = "show_all",
    [SET_SHOW_INACTIVE] = "show_inactive",
    [SET_RESOLVE] = "resolve_names",
    [SET_PORT_NAMES] = "port_names",
    [SET_MOUSE] = "mouse",
    [SET_COLUMNS] = "columns",
    [SET_UNITS] = "units",
};

static const char* const ORDERS[ORDER__COUNT] = {"auto", "ascending", "descending"};
static const char* const SCHEMES[COLORS__COUNT] = {"default", "monochrome", "high-contrast"};

const char* Settings_keyName(SettingKey k) {
   return k < SET__COUNT ? KEYS[k] : "?";
}

static void Settings_defaults(SettingValues* v) {
   memset(v, 0, sizeof *v);
   v->view = VIEW_TREE;
   v->sort = SORT_PID;
   v->order = ORDER_KEY;
   v->delay_ds = 10;
   v->show_inactive = true;
   v->port_names = true;
   v->mouse = true;
   snprintf(v->columns, sizeof v->columns, "%s", COLUMNS_DEFAULT);
}

void Settings_init(Settings* s) {
   memset(s, 0, sizeof *s);
   Settings_defaults(&s->v);
}

void Settings_free(Settings* s) {
   free(s->text);
   s->text = NULL;
   s->len = 0;
}

/* ---- values ---- */

static int boolOf(const char* v) {
   static const char* const YES[] = {"yes", "true", "on", "1"};
   static const char* const NO[] = {"no", "false", "off", "0"};
   if (Options_nameIndex(v, YES, 4) >= 0)
      return 1;
   return Options_nameIndex(v, NO, 4) >= 0 ? 0 : -1;
}

static bool* boolField(SettingValues* v, SettingKey k) {
   switch (k) {
   case SET_SHOW_ALL:
      return &v->show_all;
   case SET_SHOW_INACTIVE:
      return &v->show_inactive;
   case SET_RESOLVE:
      return &v->resolve;
   case SET_PORT_NAMES:
      return &v->port_names;
   case SET_MOUSE:
      return &v->mouse;
   case SET_UNITS:
      return &v->units;
   default:
      return NULL;
   }
}

/* Reads value into v; -1 with why on a bad one. */
static int Settings_read(SettingValues* v, SettingKey k, const char* value, char* why, size_t len) {
   int i;
   double secs;
   char ferr[200];
   bool* b = boolField(v, k);
   if (b) {
      if ((i = boolOf(value)) < 0)
         return snprintf(why, len, "not yes or no"), -1;
      *b = i == 1;
      return 0;
   }
   switch (k) {
   case SET_VIEW:
      if ((i = Options_viewOf(value)) < 0)
         return snprintf(why, len, "not one of tree, flat, remote"), -1;
      v->view = (TreeView)i;
      return 0;
   case SET_SORT:
      if ((i = Options_sortOf(value)) < 0)
         return snprintf(why, len,
                         "not a sort key (pid, name, conns, bytes, last, rate, age, "
                         "rtt, retrans)"),
                -1;
      v->sort = (SortKey)i;
      return 0;
   case SET_ORDER:
      if ((i = Options_nameIndex(value, ORDERS, ORDER__COUNT)) < 0)
         return snprintf(why, len, "not one of auto, ascending, descending"), -1;
      v->order = (SortOrder)i;
      return 0;
   case SET_REFRESH:
      if (Options_seconds(value, 3600, &secs) < 0 || secs < 0.1)
         return snprintf(why, len, "not a time from 0.1 to 3600 s (1, 2.5, 1.5s)"), -1;
      v->delay_ds = (int)(secs * 10 + 0.5);
      return 0;
   case SET_FILTER: {
      Filter* f = Filter_parse(value, ferr, sizeof ferr);
      Filter_free(f);
      if (ferr[0])
         return snprintf(why, len, "%s", ferr), -1;
      if (strlen(value) >= sizeof v->filter)
         return snprintf(why, len, "longer than %zu bytes", sizeof v->filter - 1), -1;
      memset(v->filter, 0, sizeof v->filter);
      snprintf(v->filter, sizeof v->filter, "%s", value);
      return 0;
   }
   case SET_COLUMNS: {
      uint8_t cols[COL__COUNT];
      int n = Columns_parse(value, cols, ferr, sizeof ferr);
      if (n <= 0)
         return snprintf(why, len, "%s", n == 0 ? "no column named" : ferr), -1;
      memset(v->columns, 0, sizeof v->columns);
      Columns_format(cols, n, v->columns, sizeof v->columns);
      return 0;
   }
   case SET_COLORS:
      if ((i = Options_nameIndex(value, SCHEMES, COLORS__COUNT)) < 0)
         return snprintf(why, len, "not one of default, monochrome, high-contrast"), -1;
      v->colors = (ColorScheme)i;
      return 0;
   default:
      return snprintf(why, len, "unknown key"), -1;
   }
}

const char* Settings_value(const SettingValues* v, SettingKey k, char* buf, size_t len) {
   const bool* b = boolField((SettingValues*)v, k);
   if (b)
      return *b ? "yes" : "no";
   switch (k) {
   case SET_VIEW:
      return Tree_viewOption(v->view);
   case SET_SORT:
      return Tree_sortName(v->sort);
   case SET_ORDER:
      return ORDERS[v->order];
   case SET_REFRESH:
      snprintf(buf, len, "%d.%d", v->delay_ds / 10, v->delay_ds % 10);
      return buf;
   case SET_FILTER:
      return v->filter;
   case SET_COLORS:
      return SCHEMES[v->colors];
   case SET_COLUMNS:
      return v->columns;
   default:
      return "";
   }
}

/* ---- lines ---- */

typedef struct Line_ {
   const char* key; /* in the text, not terminated */
   size_t keylen;
   const char* value;
   size_t valuelen;
   bool blank; /* empty or a comment */
} Line;

static bool isSpace(char c) {
   return c == ' ' || c == '\t';
}

/* Splits one line (without its newline) into key and value, trimmed. */
static bool Line_split(const char* p, size_t n, Line* l) {
   memset(l, 0, sizeof *l);
   while (n && (isSpace(p[n - 1]) || p[n - 1] == '\r'))
      n--;
   while (n && isSpace(*p))
      p++, n--;
   if (n == 0 || *p == '#' || *p == ';') {
      l->blank = true;
      return true;
   }
   const char* eq = memchr(p, '=', n);
   if (!eq)
      return false;
   size_t kl = (size_t)(eq - p);
   while (kl && isSpace(p[kl - 1]))
      kl--;
   const char* v = eq + 1;
   size_t vl = n - (size_t)(v - p);
   while (vl && isSpace(*v))
      v++, vl--;
   l->key = p;
   l->keylen = kl;
   l->value = v;
   l->valuelen = vl;
   return kl > 0;
}

static int keyOf(const Line* l) {
   for (int k = 0; k < SET__COUNT; k++)
      if (strlen(KEYS[k]) == l->keylen && memcmp(KEYS[k], l->key, l->keylen) == 0)
         return k;
   return -1;
}

static bool hasControl(const char* p, size_t n) {
   for (size_t i = 0; i < n; i++)
      if ((unsigned char)p[i] < 0x20 && p[i] != '\t' && p[i] != '\r')
         return true;
   return false;
}

static void Settings_warn(Settings* s, const char* name, unsigned lineno, const char* p, size_t n,
                          const char* why) {
   if (s->bad++)
      return;
   char raw[512];
   snprintf(raw, sizeof raw, "%s:%u: '%.*s%s': %s; ignored", name, lineno, (int)(n < 40 ? n : 40),
            p, n > 40 ? "..." : "", why);
   /* the line and the reason may quote any byte: one escaped line */
   (void)Fmt_escape(s->warning, sizeof s->warning, raw, strlen(raw), true, INT_MAX, NULL);
}

static void Settings_line(Settings* s, const char* name, unsigned lineno, const char* p, size_t n) {
   Line l;
   char why[200];
   if (hasControl(p, n))
      return Settings_warn(s, name, lineno, p, n, "control characters");
   if (!Line_split(p, n, &l))
      return Settings_warn(s, name, lineno, p, n, "not key=value");
   if (l.blank)
      return;
   int k = keyOf(&l);
   if (k < 0)
      return Settings_warn(s, name, lineno, p, n, "unknown key (kept in the file)");
   char value[512];
   if (l.valuelen >= sizeof value)
      return Settings_warn(s, name, lineno, p, n, "value too long");
   memcpy(value, l.value, l.valuelen);
   value[l.valuelen] = '\0';
   if (Settings_read(&s->v, (SettingKey)k, value, why, sizeof why) < 0)
      return Settings_warn(s, name, lineno, p, n, why);
   s->present |= 1u << k;
}

void Settings_parse(Settings* s, const char* text, size_t len, const char* name) {
   unsigned lineno = 0;
   for (size_t i = 0; i < len;) {
      const char* nl = memchr(text + i, '\n', len - i);
      size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
      Settings_line(s, name, ++lineno, text + i, n);
      i += n + 1;
   }
}

#define SETTINGS_MAX (64 * 1024)

int Settings_load(Settings* s, const char* path, char* err, size_t errlen) {
   int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
   if (fd < 0) {
      if (errno == ENOENT)
         return 0;
      snprintf(err, errlen, "%s: %s", path, strerror(errno));
      return -1;
   }
   struct stat st;
   if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SETTINGS_MAX) {
      close(fd);
      snprintf(err, errlen, "%s: not a regular file of at most 64 KiB", path);
      return -1;
   }
   char* buf = malloc((size_t)st.st_size + 1);
   ssize_t got = buf ? read(fd, buf, (size_t)st.st_size) : -1;
   int e = buf ? errno : ENOMEM;
   close(fd);
   if (got < 0) {
      free(buf);
      snprintf(err, errlen, "%s: %s", path, strerror(e));
      return -1;
   }
   buf[got] = '\0';
   free(s->text);
   s->text = buf;
   s->len = (size_t)got;
   const char* name = strrchr(path, '/');
   Settings_parse(s, buf, s->len, name ? name + 1 : path);
   return 0;
}

int Settings_set(Settings* s, SettingKey k, const char* value, char* err, size_t errlen) {
   if (k >= SET__COUNT)
      return snprintf(err, errlen, "unknown setting"), -1;
   SettingValues v = s->v;
   char why[200], was[64], now[64];
   if (Settings_read(&v, k, value, why, sizeof why) < 0)
      return snprintf(err, errlen, "%s: %s", KEYS[k], why), -1;
   if (strcmp(Settings_value(&s->v, k, was, sizeof was), Settings_value(&v, k, now, sizeof now)))
      s->changed |= 1u << k;
   s->v = v;
   return 0;
}

/* ---- writing ---- */

typedef struct Out_ {
   char* s;
   size_t len, cap;
   bool failed;
} Out;

static void Out_add(Out* o, const char* p, size_t n) {
   if (o->failed)
      return;
   if (o->len + n + 1 > o->cap) {
      size_t cap = (o->len + n + 1) * 2;
      char* s = realloc(o->s, cap);
      if (!s) {
         o->failed = true;
         return;
      }
      o->s = s;
      o->cap = cap;
   }
   memcpy(o->s + o->len, p, n);
   o->len += n;
   o->s[o->len] = '\0';
}

static void Out_setting(Out* o, const SettingValues* v, SettingKey k) {
   char buf[64];
   const char* val = Settings_value(v, k, buf, sizeof buf);
   Out_add(o, KEYS[k], strlen(KEYS[k]));
   Out_add(o, "=", 1);
   Out_add(o, val, strlen(val));
   Out_add(o, "\n", 1);
}

char* Settings_format(const Settings* s, size_t* len) {
   Out o = {NULL, 0, 0, false};
   unsigned written = 0;
   Out_add(&o, "", 0);
   static const char HEAD[] = "# visnet settings (visnet(1), SETTINGS)\n";
   if (!s->text || !s->len)
      Out_add(&o, HEAD, sizeof HEAD - 1);
   for (size_t i = 0; s->text && i < s->len;) {
      const char* p = s->text + i;
      const char* nl = memchr(p, '\n', s->len - i);
      size_t n = nl ? (size_t)(nl - p) : s->len - i;
      i += n + 1;
      Line l;
      int k = Line_split(p, n, &l) && !l.blank ? keyOf(&l) : -1;
      if (k >= 0 && (s->changed & (1u << k))) {
         if (!(written & (1u << k)))
            Out_setting(&o, &s->v, (SettingKey)k); /* in its place, once */
         written |= 1u << k;
         continue;
      }
      Out_add(&o, p, n);
      Out_add(&o, "\n", 1);
   }
   for (int k = 0; k < SET__COUNT; k++)
      if ((s->changed & (1u << k)) && !(written & (1u << k)))
         Out_setting(&o, &s->v, (SettingKey)k);
   if (o.failed) {
      free(o.s);
      return NULL;
   }
   *len = o.len;
   return o.s;
}

int Settings_makeDir(const char* path) {
   char dir[PATH_MAX];
   snprintf(dir, sizeof dir, "%s", path);
   for (char* p = dir + 1; *p; p++) {
      if (*p != '/')
         continue;
      *p = '\0';
      struct stat st; /* what exists is not made again (the sandbox refuses mkdir) */
      if (stat(dir, &st) < 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
         return -1;
      *p = '/';
   }
   return 0;
}

int Settings_save(const Settings* s, const char* path, char* err, size_t errlen) {
   size_t len;
   char* text = Settings_format(s, &len);
   char tmp[PATH_MAX];
   if (!text)
      return snprintf(err, errlen, "out of memory"), -1;
   if (snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof tmp) {
      free(text);
      return snprintf(err, errlen, "%s: path too long", path), -1;
   }
   int fd = Settings_makeDir(path) < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
   bool ok = fd >= 0;
   for (size_t off = 0; ok && off < len;) {
      ssize_t w = write(fd, text + off, len - off);
      if (w < 0 && errno == EINTR)
         continue;
      ok = w > 0;
      off += ok ? (size_t)w : 0;
   }
   ok = ok && fsync(fd) == 0;
   int e = errno;
   if (fd >= 0 && close(fd) < 0 && ok)
      ok = false, e = errno;
   if (ok && rename(tmp, path) < 0)
      ok = false, e = errno;
   free(text);
   if (ok)
      return 0;
   if (fd >= 0)
      unlink(tmp);
   snprintf(err, errlen, "saving %s: %s", path, strerror(e));
   return -1;
}

void Settings_apply(const Settings* s, Options* o) {
   unsigned take = s->present & ~o->given;
   const SettingValues* v = &s->v;
   if (take & 1u << SET_VIEW)
      o->view = v->view;
   if (take & 1u << SET_SORT)
      o->sort = v->sort;
   if (take & 1u << SET_ORDER)
      o->order = v->order;
   if (take & 1u << SET_REFRESH)
      o->delay_ds = v->delay_ds;
   if (take & 1u << SET_FILTER)
      o->filter = v->filter[0] ? v->filter : NULL;
   if (take & 1u << SET_COLORS)
      o->colors = v->colors;
   if (take & 1u << SET_SHOW_ALL)
      o->all_procs = v->show_all;
   if (take & 1u << SET_SHOW_INACTIVE)
      o->hide_inactive = !v->show_inactive;
   if (take & 1u << SET_RESOLVE)
      o->dns = v->resolve;
   if (take & 1u << SET_PORT_NAMES)
      o->numeric = !v->port_names;
   if (take & 1u << SET_MOUSE)
      o->no_mouse = !v->mouse;
   if (take & 1u << SET_COLUMNS)
      o->columns = v->columns;
   if (take & 1u << SET_UNITS)
      o->units = v->units;
}

const char* Settings_path(char* buf, size_t len) {
   const char* xdg = getenv("XDG_CONFIG_HOME");
   const char* home = getenv("HOME");
   int n;
   if (xdg && xdg[0] == '/')
      n = snprintf(buf, len, "%s/visnet/visnetrc", xdg);
   else if (home && home[0] == '/')
      n = snprintf(buf, len, "%s/.config/visnet/visnetrc", home);
   else
      return NULL;
   return n > 0 && (size_t)n < len ? buf : NULL;
}
