/* jsonread.c: visnet's JSON Lines read back into Events.
 *
 * The input comes from another host, through ssh, so it is hostile until
 * proven otherwise: strict JSON (RFC 8259, UTF-8 checked, no NUL in a
 * string), bounded in length and depth, every known field checked for
 * type and range, duplicates refused. A line is parsed completely into a
 * scratch record before the Event is assembled, so an error never leaves
 * half an event behind. */
#include "jsonread.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fmt.h"

typedef struct Parser_ {
   const unsigned char* start;
   const unsigned char* p;
   const unsigned char* end;
   char* err;
   size_t errlen;
   bool failed;
} Parser;

static bool failf(Parser* ps, const char* fmt, ...) {
   if (!ps->failed && ps->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(ps->err, ps->errlen, fmt, ap);
      va_end(ap);
   }
   ps->failed = true;
   return false;
}

static void skipWs(Parser* ps) {
   while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
      ps->p++;
}

static bool expect(Parser* ps, char c) {
   skipWs(ps);
   if (ps->p >= ps->end || *ps->p != (unsigned char)c)
      return failf(ps, "expected '%c' at byte %zu", c, (size_t)(ps->p - ps->start));
   ps->p++;
   return true;
}

/* ---- strings ---- */

typedef struct Str_ {
   char* out;  /* NULL: only checked */
   size_t cap; /* bytes out holds, its NUL included */
   size_t len;
   bool cut;   /* longer than cap - 1: cut at a character boundary */
} Str;

static void strPut(Str* s, const unsigned char* b, size_t n) {
   if (!s->out || s->cut)
      return;
   if (s->len + n >= s->cap) {
      s->cut = true; /* a character is whole or absent */
      return;
   }
   memcpy(s->out + s->len, b, n);
   s->len += n;
   s->out[s->len] = '\0';
}

static int hex4(const unsigned char* p) {
   int v = 0;
   for (int i = 0; i < 4; i++) {
      int c = p[i], d;
      if (c >= '0' && c <= '9')
         d = c - '0';
      else if (c >= 'a' && c <= 'f')
         d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
         d = c - 'A' + 10;
      else
         return -1;
      v = v << 4 | d;
   }
   return v;
}

static size_t utf8Encode(uint32_t cp, unsigned char out[4]) {
   if (cp < 0x80) {
      out[0] = (unsigned char)cp;
      return 1;
   }
   if (cp < 0x800) {
      out[0] = (unsigned char)(0xc0 | cp >> 6);
      out[1] = (unsigned char)(0x80 | (cp & 0x3f));
      return 2;
   }
   if (cp < 0x10000) {
      out[0] = (unsigned char)(0xe0 | cp >> 12);
      out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
      out[2] = (unsigned char)(0x80 | (cp & 0x3f));
      return 3;
   }
   out[0] = (unsigned char)(0xf0 | cp >> 18);
   out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
   out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
   out[3] = (unsigned char)(0x80 | (cp & 0x3f));
   return 4;
}

/* \uXXXX, with a surrogate pair as one character; ps->p is past "\u". */
static bool unicodeEscape(Parser* ps, uint32_t* cp) {
   if (ps->end - ps->p < 4)
      return failf(ps, "a \\u escape cut short");
   int hi = hex4(ps->p);
   if (hi < 0)
      return failf(ps, "a \\u escape without four hex digits");
   ps->p += 4;
   if (hi >= 0xdc00 && hi <= 0xdfff)
      return failf(ps, "a lone low surrogate in a string");
   if (hi < 0xd800 || hi > 0xdbff) {
      *cp = (uint32_t)hi;
      return true;
   }
   int lo = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' ? hex4(ps->p + 2) : -1;
   if (lo < 0xdc00 || lo > 0xdfff)
      return failf(ps, "a lone high surrogate in a string");
   ps->p += 6;
   *cp = 0x10000 + ((uint32_t)(hi - 0xd800) << 10) + (uint32_t)(lo - 0xdc00);
   return true;
}

static bool escape(Parser* ps, Str* s) {
   if (ps->p >= ps->end)
      return failf(ps, "a string cut short");
   unsigned char c = *ps->p++, b[4];
   uint32_t cp = 0;
   switch (c) {
   case '"': case '\\': case '/': b[0] = c; break;
   case 'b': b[0] = '\b'; break;
   case 'f': b[0] = '\f'; break;
   case 'n': b[0] = '\n'; break;
   case 'r': b[0] = '\r'; break;
   case 't': b[0] = '\t'; break;
   case 'u':
      if (!unicodeEscape(ps, &cp))
         return false;
      if (cp == 0)
         return failf(ps, "a NUL character in a string");
      strPut(s, b, utf8Encode(cp, b));
      return true;
   default: return failf(ps, "an unknown escape \\%c", c >= 0x20 && c < 0x7f ? c : '?');
   }
   strPut(s, b, 1);
   return true;
}

/* A string; ps->p is at its opening quote. */
static bool string(Parser* ps, Str* s) {
   if (!expect(ps, '"'))
      return false;
   while (ps->p < ps->end) {
      unsigned char c = *ps->p;
      if (c == '"') {
         ps->p++;
         return true;
      }
      if (c < 0x20)
         return failf(ps, "a control byte 0x%02x inside a string", c);
      if (c == '\\') {
         ps->p++;
         if (!escape(ps, s))
            return false;
         continue;
      }
      if (c < 0x80) {
         strPut(s, ps->p++, 1);
         continue;
      }
      uint32_t cp;
      int n = Fmt_utf8(ps->p, (size_t)(ps->end - ps->p), &cp);
      if (n < 0)
         return failf(ps, "invalid UTF-8 in a string");
      strPut(s, ps->p, (size_t)n);
      ps->p += n;
   }
   return failf(ps, "a string without its closing quote");
}

/* ---- numbers and other values ---- */

/* An integer as JSON writes it: -?(0|[1-9][0-9]*), no fraction. */
static bool integer(Parser* ps, bool* neg, uint64_t* mag) {
   skipWs(ps);
   *neg = ps->p < ps->end && *ps->p == '-';
   if (*neg)
      ps->p++;
   const unsigned char* start = ps->p;
   uint64_t v = 0;
   while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      unsigned d = *ps->p - '0';
      if (v > (UINT64_MAX - d) / 10)
         return failf(ps, "a number beyond 64 bits");
      v = v * 10 + d;
      ps->p++;
   }
   if (ps->p == start)
      return failf(ps, "expected a number");
   if (ps->p - start > 1 && *start == '0')
      return failf(ps, "a number with a leading zero");
   if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'))
      return failf(ps, "expected a whole number");
   *mag = v;
   return true;
}

static bool digits(Parser* ps) {
   const unsigned char* d = ps->p;
   while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
      ps->p++;
   return ps->p > d;
}

/* Any JSON number, for the fields this reader skips:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool anyNumber(Parser* ps) {
   if (ps->p < ps->end && *ps->p == '-')
      ps->p++;
   const unsigned char* i = ps->p;
   if (!digits(ps))
      return failf(ps, "expected a JSON value at byte %zu", (size_t)(i - ps->start));
   if (ps->p - i > 1 && *i == '0')
      return failf(ps, "a number with a leading zero");
   if (ps->p < ps->end && *ps->p == '.') {
      ps->p++;
      if (!digits(ps))
         return failf(ps, "a number without digits after its point");
   }
   if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
         ps->p++;
      if (!digits(ps))
         return failf(ps, "a number without digits in its exponent");
   }
   return true;
}

static bool literal(Parser* ps, const char* word) {
   size_t n = strlen(word);
   if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
      return failf(ps, "expected a JSON value");
   ps->p += n;
   return true;
}

static bool skipValue(Parser* ps, int depth);

static bool skipContainer(Parser* ps, int depth, char close, bool keyed) {
   if (depth >= JSONREAD_MAX_DEPTH)
      return failf(ps, "nested deeper than %d", JSONREAD_MAX_DEPTH);
   ps->p++;
   skipWs(ps);
   if (ps->p < ps->end && *ps->p == (unsigned char)close) {
      ps->p++;
      return true;
   }
   for (;;) {
      if (keyed) {
         Str k = {0};
         if (!string(ps, &k) || !expect(ps, ':'))
            return false;
      }
      if (!skipValue(ps, depth + 1))
         return false;
      skipWs(ps);
      if (ps->p < ps->end && *ps->p == ',') {
         ps->p++;
         continue;
      }
      return expect(ps, close);
   }
}

static bool skipValue(Parser* ps, int depth) {
   skipWs(ps);
   if (ps->p >= ps->end)
      return failf(ps, "a line cut short");
   Str s = {0};
   switch (*ps->p) {
   case '"': return string(ps, &s);
   case '{': return skipContainer(ps, depth, '}', true);
   case '[': return skipContainer(ps, depth, ']', false);
   case 't': return literal(ps, "true");
   case 'f': return literal(ps, "false");
   case 'n': return literal(ps, "null");
   default: return anyNumber(ps);
   }
}

/* ---- the fields of an event line ---- */

enum {
   F_TYPE, F_TS, F_PID, F_TID, F_PSTART, F_THREAD, F_HEALED, F_PROTO, F_FAMILY, F_LADDR,
   F_LPORT, F_RADDR, F_RPORT, F_DIR, F_STATE, F_OLDSTATE, F_NETNS, F_CGROUP, F_SK, F_INO,
   F_TX, F_RX, F_LIFETIME, F_ERR, F_COUNT, F_OLDPID, F_NOOWNER, F_PPID, F_UID, F_COMM,
   F_FILENAME, F_ARGS, F_ARGSCUT, F_CHILDPID, F_CHILDSTART, F_EXITCODE, F_V, F_HOST, F_VISNET, F_MODE, F__COUNT
};

typedef enum {
   K_UINT, /* whole number in [0, max] */
   K_INT,  /* whole number in [INT32_MIN, INT32_MAX] */
   K_BOOL,
   K_WORD, /* a short string, mapped by the assembler */
   K_TEXT, /* a string kept as is (comm, filename) */
   K_ARGS, /* an array of strings */
} Kind;

typedef struct Field_ {
   const char* name;
   Kind kind;
   uint64_t max;
} Field;

static const Field FIELDS[F__COUNT] = {
   [F_TYPE] = {"type", K_WORD, 0},          [F_TS] = {"ts", K_UINT, UINT64_MAX},
   [F_PID] = {"pid", K_UINT, UINT32_MAX},   [F_TID] = {"tid", K_UINT, UINT32_MAX},
   [F_PSTART] = {"pstart", K_UINT, UINT64_MAX}, [F_THREAD] = {"thread", K_BOOL, 0},
   [F_HEALED] = {"healed", K_BOOL, 0},      [F_PROTO] = {"proto", K_WORD, 0},
   [F_FAMILY] = {"family", K_WORD, 0},      [F_LADDR] = {"laddr", K_WORD, 0},
   [F_LPORT] = {"lport", K_UINT, UINT16_MAX}, [F_RADDR] = {"raddr", K_WORD, 0},
   [F_RPORT] = {"rport", K_UINT, UINT16_MAX}, [F_DIR] = {"dir", K_WORD, 0},
   [F_STATE] = {"state", K_WORD, 0},        [F_OLDSTATE] = {"oldstate", K_WORD, 0},
   [F_NETNS] = {"netns", K_UINT, UINT32_MAX}, [F_CGROUP] = {"cgroup", K_UINT, UINT64_MAX},
   [F_SK] = {"sk", K_WORD, 0},              [F_INO] = {"ino", K_UINT, UINT64_MAX},
   [F_TX] = {"tx", K_UINT, UINT64_MAX},     [F_RX] = {"rx", K_UINT, UINT64_MAX},
   [F_LIFETIME] = {"lifetime_ns", K_UINT, UINT64_MAX}, [F_ERR] = {"err", K_INT, 0},
   [F_COUNT] = {"count", K_UINT, UINT32_MAX}, [F_OLDPID] = {"old_pid", K_UINT, UINT32_MAX},
   [F_NOOWNER] = {"noowner", K_WORD, 0},    [F_PPID] = {"ppid", K_UINT, UINT32_MAX},
   [F_UID] = {"uid", K_UINT, UINT32_MAX},   [F_COMM] = {"comm", K_TEXT, 0},
   [F_FILENAME] = {"filename", K_TEXT, 0},  [F_ARGS] = {"args", K_ARGS, 0},
   [F_ARGSCUT] = {"args_truncated", K_BOOL, 0}, [F_CHILDPID] = {"child_pid", K_UINT, UINT32_MAX},
   [F_CHILDSTART] = {"child_start", K_UINT, UINT64_MAX}, [F_EXITCODE] = {"exit_code", K_INT, 0},
   [F_V] = {"v", K_UINT, UINT64_MAX},
   [F_HOST] = {"host", K_TEXT, 0},          [F_VISNET] = {"visnet", K_WORD, 0},
   [F_MODE] = {"mode", K_WORD, 0},
};

#define WORD_LEN 48

/* What a line said, before it becomes an Event. */
typedef struct Raw_ {
   uint64_t seen; /* bit per field */
   uint64_t num[F__COUNT];
   char word[F__COUNT][WORD_LEN];
   char comm[VN_COMM_LEN];
   char filename[VN_PATH_LEN];
   char args[VN_ARGS_LEN];
   char host[JSONREAD_HOST_LEN];
   size_t args_len;
   bool args_cut;
} Raw;

static int fieldOf(const char* name) {
   for (int f = 0; f < F__COUNT; f++)
      if (strcmp(FIELDS[f].name, name) == 0)
         return f;
   return -1;
}

static bool readUint(Parser* ps, const Field* f, uint64_t* out) {
   bool neg;
   if (!integer(ps, &neg, out))
      return false;
   if ((neg && *out) || *out > f->max)
      return failf(ps, "\"%s\" out of range", f->name);
   return true;
}

static bool readInt(Parser* ps, const Field* f, uint64_t* out) {
   bool neg;
   uint64_t mag;
   if (!integer(ps, &neg, &mag))
      return false;
   if (mag > (neg ? (uint64_t)INT32_MAX + 1 : (uint64_t)INT32_MAX))
      return failf(ps, "\"%s\" out of range", f->name);
   *out = neg ? (uint64_t)(-(int64_t)mag) : mag;
   return true;
}

static bool readBool(Parser* ps, const Field* f, uint64_t* out) {
   skipWs(ps);
   if (f == &FIELDS[F_HEALED] && ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      /* the bye line's count of healed closes; refused in an event */
      const Field count = {f->name, K_UINT, UINT64_MAX};
      *out = 2;
      uint64_t n;
      return readUint(ps, &count, &n);
   }
   if (ps->p < ps->end && *ps->p == 't')
      return (*out = 1), literal(ps, "true");
   if (ps->p < ps->end && *ps->p == 'f')
      return (*out = 0), literal(ps, "false");
   return failf(ps, "\"%s\" is not true or false", f->name);
}

static bool readText(Parser* ps, const Field* f, char* out, size_t cap, bool* cut) {
   skipWs(ps);
   if (ps->p >= ps->end || *ps->p != '"')
      return failf(ps, "\"%s\" is not a string", f->name);
   Str s = {.out = out, .cap = cap};
   out[0] = '\0';
   if (!string(ps, &s))
      return false;
   if (cut)
      *cut = s.cut;
   return true;
}

/* argv as the probe keeps it: each argument followed by a NUL. */
static bool readArgs(Parser* ps, Raw* r) {
   skipWs(ps);
   if (ps->p >= ps->end || *ps->p != '[')
      return failf(ps, "\"args\" is not an array");
   ps->p++;
   skipWs(ps);
   if (ps->p < ps->end && *ps->p == ']') {
      ps->p++;
      return true;
   }
   for (;;) {
      char one[VN_ARGS_LEN];
      bool cut = false;
      if (!readText(ps, &FIELDS[F_ARGS], one, sizeof one, &cut))
         return false;
      size_t n = strlen(one) + 1, room = VN_ARGS_LEN - r->args_len;
      if (cut || n > room)
         r->args_cut = true;
      if (n > room) /* whole characters only: one is valid UTF-8 */
         for (n = room; n > 0 && ((unsigned char)one[n] & 0xc0) == 0x80; n--)
            ;
      memcpy(r->args + r->args_len, one, n);
      r->args_len += n;
      skipWs(ps);
      if (ps->p < ps->end && *ps->p == ',') {
         ps->p++;
         continue;
      }
      return expect(ps, ']');
   }
}

static bool readField(Parser* ps, Raw* r, int f) {
   const Field* d = &FIELDS[f];
   switch (d->kind) {
   case K_UINT: return readUint(ps, d, &r->num[f]);
   case K_INT: return readInt(ps, d, &r->num[f]);
   case K_BOOL: return readBool(ps, d, &r->num[f]);
   case K_WORD: {
      skipWs(ps);
      /* proto and family are numbers when visnet has no name for them */
      if (ps->p < ps->end && *ps->p != '"' && (f == F_PROTO || f == F_FAMILY)) {
         const Field byte = {d->name, K_UINT, UINT8_MAX};
         return readUint(ps, &byte, &r->num[f]);
      }
      bool cut = false;
      if (!readText(ps, d, r->word[f], WORD_LEN, &cut))
         return false;
      return cut ? failf(ps, "\"%s\" too long", d->name) : true;
   }
   case K_TEXT:
      if (f == F_COMM)
         return readText(ps, d, r->comm, sizeof r->comm, NULL);
      if (f == F_HOST)
         return readText(ps, d, r->host, sizeof r->host, NULL);
      return readText(ps, d, r->filename, sizeof r->filename, NULL);
   case K_ARGS: return readArgs(ps, r);
   }
   return failf(ps, "internal: field kind");
}

static bool object(Parser* ps, Raw* r) {
   if (!expect(ps, '{'))
      return false;
   skipWs(ps);
   if (ps->p < ps->end && *ps->p == '}') {
      ps->p++;
      return true;
   }
   for (;;) {
      char name[32];
      Str k = {.out = name, .cap = sizeof name};
      name[0] = '\0';
      if (!string(ps, &k) || !expect(ps, ':'))
         return false;
      int f = k.cut ? -1 : fieldOf(name);
      if (f >= 0 && (r->seen >> f & 1))
         return failf(ps, "\"%s\" given twice", name);
      if (f >= 0) {
         r->seen |= 1ull << f;
         if (!readField(ps, r, f))
            return false;
      } else if (!skipValue(ps, 1)) {
         return false;
      }
      skipWs(ps);
      if (ps->p < ps->end && *ps->p == ',') {
         ps->p++;
         continue;
      }
      return expect(ps, '}');
   }
}

/* ---- from the scratch record to an Event ---- */

static bool has(const Raw* r, int f) { return r->seen >> f & 1; }

static int wordIndex(const char* w, const char* const* names, int n) {
   for (int i = 0; i < n; i++)
      if (names[i] && strcmp(names[i], w) == 0)
         return i;
   return -1;
}

static bool tcpState(Parser* ps, const Raw* r, int f, uint8_t* out) {
   if (!has(r, f))
      return true;
   for (int st = 0; st < TCPS__COUNT; st++)
      if (strcmp(Event_tcpStateName(st), r->word[f]) == 0)
         return (*out = (uint8_t)st), true;
   return failf(ps, "\"%s\" is not a TCP state", FIELDS[f].name);
}

static bool address(Parser* ps, const Raw* r, int f, uint8_t out[16]) {
   if (has(r, f) && Addr_parse(r->word[f], out) < 0)
      return failf(ps, "\"%s\" is not an address", FIELDS[f].name);
   return true;
}

static bool named(Parser* ps, const Raw* r, int f, const char* const* names, int n, int numbered,
                  uint8_t* out) {
   if (!has(r, f))
      return true;
   if (r->word[f][0] == '\0' && numbered) {
      *out = (uint8_t)r->num[f];
      return true;
   }
   int i = wordIndex(r->word[f], names, n);
   if (i < 0)
      return failf(ps, "\"%s\" has an unknown value", FIELDS[f].name);
   *out = (uint8_t)i;
   return true;
}

static bool hexId(Parser* ps, const Raw* r, uint64_t* out) {
   const char* s = r->word[F_SK];
   if (!has(r, F_SK))
      return true;
   if (s[0] != '0' || s[1] != 'x' || !s[2] || strlen(s) > 18)
      return failf(ps, "\"sk\" is not a 0x hex number");
   uint64_t v = 0;
   for (const char* c = s + 2; *c; c++) {
      int d = *c >= '0' && *c <= '9' ? *c - '0' : *c >= 'a' && *c <= 'f' ? *c - 'a' + 10 : -1;
      if (d < 0)
         return failf(ps, "\"sk\" is not a 0x hex number");
      v = v << 4 | (unsigned)d;
   }
   *out = v;
   return true;
}

static bool sockEvent(Parser* ps, const Raw* r, Event* e) {
   static const char* const protos[] = {[IPPROTO_TCP] = "tcp", [IPPROTO_UDP] = "udp"};
   static const char* const families[] = {[AF_INET] = "ipv4", [AF_INET6] = "ipv6"};
   static const char* const dirs[] = {"unknown", "out", "in", "listen"};
   static const char* const owners[] = {"", "perm", "netns", "orphan", "unknown"};
   SockEvent* s = &e->sock;
   uint8_t why = 0;
   if (!named(ps, r, F_PROTO, protos, sizeof protos / sizeof *protos, 1, &s->proto) ||
       !named(ps, r, F_FAMILY, families, sizeof families / sizeof *families, 1, &s->family) ||
       !named(ps, r, F_DIR, dirs, 4, 0, &s->dir) ||
       !named(ps, r, F_NOOWNER, owners, 5, 0, &why) || !tcpState(ps, r, F_STATE, &s->state) ||
       !tcpState(ps, r, F_OLDSTATE, &s->oldstate) || !address(ps, r, F_LADDR, s->laddr) ||
       !address(ps, r, F_RADDR, s->raddr) || !hexId(ps, r, &s->sk))
      return false;
   s->noowner = why == 4 ? 0 : why; /* "unknown" is the absence of a reason */
   s->lport = (uint16_t)r->num[F_LPORT];
   s->rport = (uint16_t)r->num[F_RPORT];
   s->netns = (uint32_t)r->num[F_NETNS];
   s->cgroup = r->num[F_CGROUP];
   s->ino = r->num[F_INO];
   s->tx = r->num[F_TX];
   s->rx = r->num[F_RX];
   s->lifetime_ns = r->num[F_LIFETIME];
   s->err = (int32_t)r->num[F_ERR];
   s->count = (uint32_t)(e->type == EV_OWNER ? r->num[F_OLDPID] : r->num[F_COUNT]);
   return true;
}

static void procEvent(const Raw* r, Event* e) {
   ProcEvent* p = &e->proc;
   p->ppid = (uint32_t)r->num[F_PPID];
   p->uid = (uint32_t)r->num[F_UID];
   p->child_pid = (uint32_t)r->num[F_CHILDPID];
   p->child_start = r->num[F_CHILDSTART];
   p->exit_code = (int32_t)r->num[F_EXITCODE];
   p->cgroup = r->num[F_CGROUP];
   memcpy(p->comm, r->comm, sizeof p->comm);
   memcpy(p->filename, r->filename, sizeof p->filename);
   memcpy(p->args, r->args, r->args_len);
   p->args_len = (uint16_t)r->args_len;
   if (r->args_cut || (has(r, F_ARGSCUT) && r->num[F_ARGSCUT]))
      e->flags |= EVF_TRUNC_ARGS;
}

static int assemble(Parser* ps, const Raw* r, Event* e) {
   EventType t = Event_typeFromName(r->word[F_TYPE]);
   if (t == EV_NONE)
      return JSONREAD_OTHER;
   if (!has(r, F_TS) || !has(r, F_PID))
      return failf(ps, "a \"%s\" line without %s", r->word[F_TYPE], has(r, F_TS) ? "pid" : "ts"),
             -1;
   memset(e, 0, sizeof *e);
   e->type = (uint16_t)t;
   e->ts = r->num[F_TS];
   e->pid = (uint32_t)r->num[F_PID];
   e->tid = (uint32_t)r->num[F_TID];
   e->pstart = r->num[F_PSTART];
   if (r->num[F_THREAD])
      e->flags |= EVF_THREAD;
   if (r->num[F_HEALED] == 2)
      return failf(ps, "\"healed\" is not true or false"), -1;
   if (r->num[F_HEALED])
      e->flags |= EVF_HEALED;
   if (Event_isSock(e))
      return sockEvent(ps, r, e) ? JSONREAD_EVENT : -1;
   procEvent(r, e);
   return JSONREAD_EVENT;
}

/* What a hello says of the stream that follows. */
static void helloOf(const Raw* r, JsonReadHello* h) {
   if (!h)
      return;
   memset(h, 0, sizeof *h);
   h->ts = r->num[F_TS];
   memcpy(h->host, r->host, sizeof h->host);
   snprintf(h->visnet, sizeof h->visnet, "%s", r->word[F_VISNET]);
   snprintf(h->mode, sizeof h->mode, "%s", r->word[F_MODE]);
}

static int kindOf(Parser* ps, const Raw* r, Event* e, JsonReadHello* h) {
   if (!has(r, F_TYPE))
      return failf(ps, "a line without \"type\""), -1;
   if (!has(r, F_V))
      return failf(ps, "a line without \"v\""), -1;
   if (r->num[F_V] != 1)
      return failf(ps, "schema version %llu, this visnet reads 1",
                   (unsigned long long)r->num[F_V]),
             -1;
   const char* w = r->word[F_TYPE];
   if (strcmp(w, "hello") == 0) {
      if (!has(r, F_TS))
         return failf(ps, "a \"hello\" line without ts"), -1;
      helloOf(r, h);
      return JSONREAD_HELLO;
   }
   if (strcmp(w, "ready") == 0)
      return JSONREAD_READY;
   if (strcmp(w, "bye") == 0)
      return JSONREAD_BYE;
   if (strcmp(w, "lost") == 0)
      return JSONREAD_LOST;
   return assemble(ps, r, e);
}

int JsonRead_stream(const char* line, size_t len, Event* e, JsonReadHello* h, char* err,
                    size_t errlen) {
   if (errlen)
      err[0] = '\0';
   if (len > JSONREAD_MAX_LINE)
      return snprintf(err, errlen, "a line longer than %d bytes", JSONREAD_MAX_LINE), -1;
   Raw r;
   memset(&r, 0, sizeof r);
   const unsigned char* u = (const unsigned char*)line;
   Parser ps = {u, u, u + len, err, errlen, false};
   if (!object(&ps, &r))
      return -1;
   skipWs(&ps);
   if (ps.p != ps.end)
      return failf(&ps, "text after the object"), -1;
   return kindOf(&ps, &r, e, h);
}

int JsonRead_line(const char* line, size_t len, Event* e, char* err, size_t errlen) {
   return JsonRead_stream(line, len, e, NULL, err, errlen);
}
