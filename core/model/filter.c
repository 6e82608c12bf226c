/* filter.c: the filter language (see filter.h). */
#include "filter.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tree.h"

typedef enum TermKind_ {
   T_WORD = 0,
   T_PORT,
   T_LPORT,
   T_RPORT,
   T_PID,
   T_PROC,
   T_USER,
   T_STATE,
   T_PROTO,
   T_IP,
   T_NETNS,
   T_UNIT,
   T_HOST,
} TermKind;

static const char* const FIELDS[] = {
    [T_PORT] = "port", [T_LPORT] = "lport", [T_RPORT] = "rport", [T_PID] = "pid",
    [T_PROC] = "proc", [T_USER] = "user",   [T_STATE] = "state", [T_PROTO] = "proto",
    [T_IP] = "ip",     [T_NETNS] = "netns", [T_UNIT] = "unit",
    [T_HOST] = "host",
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

/* state: classes as masks of TCPS_* bits, and two of the socket's life */
#define ST_BIT(s) (1u << (s))
#define ST_CLOSED (1u << 30) /* inactive: closed, taken as closed */
#define ST_ACTIVE (1u << 31)

typedef struct Alt_ {
   char* text;       /* T_WORD, T_PROC, T_UNIT */
   uint64_t num;     /* ports, pid, uid, proto, netns, state mask */
   uint8_t addr[16]; /* T_IP */
   int prefix;       /* T_IP: bits of addr that count (of 128) */
} Alt;

typedef struct Term_ {
   TermKind kind;
   bool neg;
   Alt* alts;
   size_t nalts;
} Term;

struct Filter_ {
   Term* terms;
   size_t n;
   FilterUnitFn unit;
   void* unit_ctx;
   const char* host; /* the host whose items are asked about (a fleet's), or NULL */
};

/* ---- parsing ---- */

static int bad(char* err, size_t errlen, const char* term, const char* why) {
   snprintf(err, errlen, "'%.60s': %s", term, why);
   return -1;
}

static bool number(const char* s, uint64_t max, uint64_t* out) {
   if (!*s || !isdigit((unsigned char)*s))
      return false;
   char* end;
   errno = 0;
   unsigned long long v = strtoull(s, &end, 10);
   if (errno || *end || v > max)
      return false;
   *out = v;
   return true;
}

static bool port(const char* s, uint64_t* out) {
   if (number(s, 65535, out))
      return true;
   struct servent se, *r = NULL;
   char buf[1024];
   if ((getservbyname_r(s, "tcp", &se, buf, sizeof buf, &r) != 0 || !r) &&
       (getservbyname_r(s, "udp", &se, buf, sizeof buf, &r) != 0 || !r))
      return false;
   *out = ntohs((uint16_t)r->s_port);
   return true;
}

static bool user(const char* s, uint64_t* out) {
   if (number(s, UINT32_MAX, out))
      return true;
   struct passwd pw, *r = NULL;
   char buf[2048];
   if (getpwnam_r(s, &pw, buf, sizeof buf, &r) != 0 || !r)
      return false;
   *out = r->pw_uid;
   return true;
}

static bool sameName(const char* a, const char* b) {
   for (; *a && *b; a++, b++) {
      char x = *a == '-' ? '_' : (char)toupper((unsigned char)*a);
      char y = *b == '-' ? '_' : (char)toupper((unsigned char)*b);
      if (x != y)
         return false;
   }
   return *a == *b;
}

static bool state(const char* s, uint64_t* out) {
   static const struct {
      const char* name;
      uint32_t mask;
   } CLASSES[] = {
       {"listen", ST_BIT(TCPS_LISTEN)},
       {"syn", ST_BIT(TCPS_SYN_SENT) | ST_BIT(TCPS_SYN_RECV) | ST_BIT(TCPS_NEW_SYN_RECV)},
       {"estab", ST_BIT(TCPS_ESTABLISHED)},
       {"closing", ST_BIT(TCPS_FIN_WAIT1) | ST_BIT(TCPS_FIN_WAIT2) | ST_BIT(TCPS_TIME_WAIT) |
                       ST_BIT(TCPS_CLOSE_WAIT) | ST_BIT(TCPS_LAST_ACK) | ST_BIT(TCPS_CLOSING)},
       {"fin-wait", ST_BIT(TCPS_FIN_WAIT1) | ST_BIT(TCPS_FIN_WAIT2)},
       {"closed", ST_CLOSED},
       {"active", ST_ACTIVE},
   };
   for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; i++)
      if (sameName(s, CLASSES[i].name)) {
         *out = CLASSES[i].mask;
         return true;
      }
   for (int st = 1; st < TCPS__COUNT; st++)
      if (sameName(s, Event_tcpStateName(st))) {
         *out = ST_BIT(st);
         return true;
      }
   return false;
}

static bool cidr(const char* s, uint8_t addr[16], int* prefix) {
   char a[INET6_ADDRSTRLEN + 8];
   snprintf(a, sizeof a, "%s", s);
   char* slash = strchr(a, '/');
   if (slash)
      *slash = '\0';
   if (Addr_parse(a, addr) < 0)
      return false;
   int max = Addr_isV4(addr) ? 32 : 128;
   uint64_t len = (uint64_t)max;
   if (slash && !number(slash + 1, (uint64_t)max, &len))
      return false;
   *prefix = (int)len + (max == 32 ? 96 : 0); /* v4-mapped: the first 96 bits are fixed */
   return true;
}

static int parseAlt(Term* t, const char* v, const char* term, char* err, size_t errlen) {
   Alt* a = &t->alts[t->nalts];
   memset(a, 0, sizeof *a);
   bool ok = true;
   switch (t->kind) {
   case T_WORD:
   case T_PROC:
   case T_UNIT:
   case T_HOST:
      ok = (a->text = strdup(v)) != NULL;
      break;
   case T_PORT:
   case T_LPORT:
   case T_RPORT:
      if (!port(v, &a->num))
         return bad(err, errlen, term, "not a port number or service name");
      break;
   case T_PID:
      if (!number(v, UINT32_MAX, &a->num))
         return bad(err, errlen, term, "not a process id");
      break;
   case T_USER:
      if (!user(v, &a->num))
         return bad(err, errlen, term, "no such user");
      break;
   case T_STATE:
      if (!state(v, &a->num))
         return bad(err, errlen, term,
                    "not a state (listen, syn, estab, closing, closed, active, or a TCP state: "
                    "time-wait, close-wait, ...)");
      break;
   case T_PROTO:
      if (strcasecmp(v, "tcp") && strcasecmp(v, "udp"))
         return bad(err, errlen, term, "not a protocol (tcp, udp)");
      a->num = strcasecmp(v, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_UDP;
      break;
   case T_IP:
      if (!cidr(v, a->addr, &a->prefix))
         return bad(err, errlen, term, "not an address or a CIDR (10.0.0.0/8, fd00::/8)");
      break;
   case T_NETNS:
      if (!number(v, UINT32_MAX, &a->num))
         return bad(err, errlen, term, "not a network namespace inode number");
      break;
   }
   if (!ok)
      return bad(err, errlen, term, "out of memory");
   t->nalts++;
   return 0;
}

/* "field:" names a field when what comes before the colon is a word of
 * letters: an IPv6 address or a plain word with a colon stays a word. */
static int fieldOf(const char* s, const char** value, const char* term, char* err, size_t errlen) {
   const char* colon = strchr(s, ':');
   if (!colon || colon == s)
      return T_WORD;
   for (const char* c = s; c < colon; c++)
      if (!isalpha((unsigned char)*c))
         return T_WORD;
   size_t len = (size_t)(colon - s);
   for (size_t i = 0; i < NFIELDS; i++)
      if (FIELDS[i] && strlen(FIELDS[i]) == len && strncasecmp(s, FIELDS[i], len) == 0) {
         *value = colon + 1;
         return (int)i;
      }
   bad(err, errlen, term,
       "no such field (port, lport, rport, pid, proc, user, state, proto, ip, netns, unit, host)");
   return -1;
}

static int parseTerm(Filter* f, char* s, char* err, size_t errlen) {
   const char* term = s;
   Term* t = &f->terms[f->n];
   memset(t, 0, sizeof *t);
   if (*s == '!') {
      t->neg = true;
      s++;
   }
   const char* value = s;
   int k = fieldOf(s, &value, term, err, errlen);
   if (k < 0)
      return -1;
   t->kind = (TermKind)k;
   if (!*value)
      return bad(err, errlen, term, t->kind == T_WORD ? "nothing to match" : "no value");
   size_t nalts = 1;
   for (const char* c = value; *c; c++)
      nalts += *c == ',';
   t->alts = calloc(nalts, sizeof *t->alts);
   if (!t->alts)
      return bad(err, errlen, term, "out of memory");
   f->n++; /* freed with the filter from now on */
   char* copy = strdup(value);
   if (!copy)
      return bad(err, errlen, term, "out of memory");
   int rc = 0;
   char* save = NULL;
   for (char* v = strtok_r(copy, ",", &save); v && rc == 0; v = strtok_r(NULL, ",", &save))
      rc = parseAlt(t, v, term, err, errlen);
   free(copy);
   if (rc == 0 && t->nalts == 0)
      rc = bad(err, errlen, term, "no value");
   return rc;
}

Filter* Filter_parse(const char* text, char* err, size_t errlen) {
   err[0] = '\0';
   if (!text)
      return NULL;
   char* copy = strdup(text);
   Filter* f = calloc(1, sizeof *f);
   size_t words = 1;
   for (const char* c = text; *c; c++)
      words += *c == ' ' || *c == '\t';
   if (f)
      f->terms = calloc(words, sizeof *f->terms);
   if (!copy || !f || !f->terms) {
      snprintf(err, errlen, "out of memory");
      free(copy);
      Filter_free(f);
      return NULL;
   }
   char* save = NULL;
   for (char* w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
      if (parseTerm(f, w, err, errlen) < 0) {
         free(copy);
         Filter_free(f);
         return NULL;
      }
   free(copy);
   if (f->n == 0) {
      Filter_free(f);
      return NULL;
   }
   return f;
}

void Filter_free(Filter* f) {
   if (!f)
      return;
   for (size_t i = 0; i < f->n; i++) {
      for (size_t j = 0; j < f->terms[i].nalts; j++)
         free(f->terms[i].alts[j].text);
      free(f->terms[i].alts);
   }
   free(f->terms);
   free(f);
}

bool Filter_namesState(const Filter* f) {
   for (size_t i = 0; f && i < f->n; i++)
      if (f->terms[i].kind == T_STATE)
         return true;
   return false;
}

void Filter_setHost(Filter* f, const char* host) {
   if (f)
      f->host = host;
}

void Filter_setUnits(Filter* f, FilterUnitFn fn, void* ctx) {
   if (f) {
      f->unit = fn;
      f->unit_ctx = ctx;
   }
}

/* ---- matching ---- */

static FilterAnswer yes(bool b) {
   return b ? FILTER_YES : FILTER_NO;
}

static bool inPrefix(const uint8_t a[16], const Alt* alt) {
   int bits = alt->prefix, i = 0;
   for (; bits >= 8; bits -= 8, i++)
      if (a[i] != alt->addr[i])
         return false;
   if (bits == 0)
      return true;
   uint8_t mask = (uint8_t)(0xff << (8 - bits));
   return (a[i] & mask) == (alt->addr[i] & mask);
}

/* host:GLOB: the host being asked about, by the name the user gave it
 * (fnmatch, or a part of it); outside a fleet, no host matches. */
static FilterAnswer altHost(const Filter* f, const Alt* a) {
   const char* h = f->host;
   return yes(h && (fnmatch(a->text, h, FNM_CASEFOLD) == 0 || strcasestr(h, a->text)));
}

/* One alternative about process p (NULL: none known). */
static FilterAnswer altProc(const Filter* f, const Term* t, const Alt* a, const Proc* p) {
   if (t->kind == T_HOST)
      return altHost(f, a);
   if (!p)
      return FILTER_NO;
   switch (t->kind) {
   case T_WORD:
      return Tree_procMatches(p, a->text) ? FILTER_YES : FILTER_MAYBE;
   case T_PID:
      return yes(p->pid == a->num);
   case T_PROC:
      return yes(fnmatch(a->text, p->comm, FNM_CASEFOLD) == 0);
   case T_USER:
      return yes(p->uid == a->num);
   case T_UNIT: {
      const char* u = f->unit ? f->unit(f->unit_ctx, p->cgroup) : NULL;
      return yes(u && (fnmatch(a->text, u, FNM_CASEFOLD) == 0 || strcasestr(u, a->text)));
   }
   default:
      return FILTER_MAYBE; /* about sockets */
   }
}

static FilterAnswer altRemote(const Filter* f, const Term* t, const Alt* a, const Proc* p,
                              const Endpoint* ep) {
   if (t->kind == T_HOST)
      return altHost(f, a);
   if (t->kind == T_IP)
      return yes(inPrefix(ep->addr, a));
   if (t->kind == T_WORD && Tree_epMatches(ep, a->text))
      return FILTER_YES;
   return p ? altProc(f, t, a, p) : FILTER_MAYBE; /* the process, or its sockets, decide */
}

static bool statesMatch(const Sock* k, uint64_t mask) {
   if ((mask & ST_CLOSED) && !Sock_isActive(k))
      return true;
   if ((mask & ST_ACTIVE) && Sock_isActive(k))
      return true;
   /* TCP states are TCP's: a UDP socket has only its life. The store takes
    * a socket in TIME_WAIT as closed (only its tuple is left), but that is
    * the state to ask for it by. */
   bool live = Sock_isActive(k) || k->state == TCPS_TIME_WAIT;
   return live && k->key.proto == IPPROTO_TCP && k->state < 30 && (mask & ST_BIT(k->state));
}

static bool altSock(const Filter* f, const Term* t, const Alt* a, const Sock* k) {
   switch (t->kind) {
   case T_WORD:
      return Tree_sockMatches(k, a->text) || (k->proc && Tree_procMatches(k->proc, a->text)) ||
             (k->ep && Tree_epMatches(k->ep, a->text));
   case T_PORT:
      return k->key.lport == a->num || (k->key.rport && k->key.rport == a->num);
   case T_LPORT:
      return k->key.lport == a->num;
   case T_RPORT:
      return k->key.rport && k->key.rport == a->num;
   case T_STATE:
      return statesMatch(k, a->num);
   case T_PROTO:
      return k->key.proto == a->num;
   case T_IP:
      return inPrefix(Sock_isListen(k) ? k->key.laddr : k->key.raddr, a);
   case T_NETNS:
      return k->key.netns == a->num;
   default:
      return altProc(f, t, a, k->proc) == FILTER_YES;
   }
}

/* OR over a term's alternatives, then its NOT. */
static FilterAnswer termOr(FilterAnswer acc, FilterAnswer x) {
   if (acc == FILTER_YES || x == FILTER_YES)
      return FILTER_YES;
   return acc == FILTER_MAYBE || x == FILTER_MAYBE ? FILTER_MAYBE : FILTER_NO;
}

static FilterAnswer negate(const Term* t, FilterAnswer r) {
   if (!t->neg || r == FILTER_MAYBE)
      return r;
   return r == FILTER_YES ? FILTER_NO : FILTER_YES;
}

/* AND over the terms: a NO decides, a MAYBE leaves it open. */
static FilterAnswer andAll(const Filter* f,
                           FilterAnswer (*one)(const Filter*, const Term*, const Alt*, const void*,
                                               const void*),
                           const void* x, const void* y) {
   FilterAnswer all = FILTER_YES;
   for (size_t i = 0; i < f->n; i++) {
      const Term* t = &f->terms[i];
      FilterAnswer r = FILTER_NO;
      for (size_t j = 0; j < t->nalts && r != FILTER_YES; j++)
         r = termOr(r, one(f, t, &t->alts[j], x, y));
      r = negate(t, r);
      if (r == FILTER_NO)
         return FILTER_NO;
      if (r == FILTER_MAYBE)
         all = FILTER_MAYBE;
   }
   return all;
}

static FilterAnswer oneProc(const Filter* f, const Term* t, const Alt* a, const void* p,
                            const void* unused) {
   (void)unused;
   return altProc(f, t, a, p);
}

static FilterAnswer oneRemote(const Filter* f, const Term* t, const Alt* a, const void* p,
                              const void* ep) {
   return altRemote(f, t, a, p, ep);
}

static FilterAnswer oneSock(const Filter* f, const Term* t, const Alt* a, const void* k,
                            const void* unused) {
   (void)unused;
   return yes(altSock(f, t, a, k));
}

FilterAnswer Filter_proc(const Filter* f, const Proc* p) {
   return f ? andAll(f, oneProc, p, NULL) : FILTER_YES;
}

FilterAnswer Filter_remote(const Filter* f, const Proc* p, const Endpoint* ep) {
   return f ? andAll(f, oneRemote, p, ep) : FILTER_YES;
}

bool Filter_sock(const Filter* f, const Sock* k) {
   return !f || andAll(f, oneSock, k, NULL) == FILTER_YES;
}
