/* json.c: JSON Lines of events and one JSON document of a tree.
 *
 * Strings come from processes that can name themselves anything, so every
 * string goes through Json_string: the output is valid JSON and carries no
 * raw terminal control bytes whatever the input. */
#include "json.h"

#include "fleet.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "users.h"

/* ---- buffer ---- */

void JsonBuf_init(JsonBuf* b) { memset(b, 0, sizeof *b); }

void JsonBuf_free(JsonBuf* b) {
   free(b->data);
   JsonBuf_init(b);
}

void JsonBuf_reset(JsonBuf* b) {
   b->len = 0;
   b->oom = 0;
}

static int reserve(JsonBuf* b, size_t extra) {
   if (b->oom)
      return 0;
   if (b->len + extra <= b->cap)
      return 1;
   size_t cap = b->cap ? b->cap : 4096;
   while (cap < b->len + extra)
      cap *= 2;
   char* d = realloc(b->data, cap);
   if (!d) {
      b->oom = 1;
      return 0;
   }
   b->data = d;
   b->cap = cap;
   return 1;
}

void JsonBuf_append(JsonBuf* b, const char* s, size_t len) {
   if (!reserve(b, len))
      return;
   memcpy(b->data + b->len, s, len);
   b->len += len;
}

static void put(JsonBuf* b, const char* s) { JsonBuf_append(b, s, strlen(s)); }

static void putc_(JsonBuf* b, char c) {
   if (reserve(b, 1))
      b->data[b->len++] = c;
}

int JsonBuf_write(const JsonBuf* b, FILE* f) {
   if (b->oom) {
      errno = ENOMEM;
      return -1;
   }
   if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
      return -1;
   return 0;
}

/* ---- strings ---- */

static void putHex(JsonBuf* b, unsigned c) {
   static const char hex[] = "0123456789abcdef";
   char u[6] = {'\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf]};
   JsonBuf_append(b, u, 6);
}

void Json_string(JsonBuf* b, const char* str, size_t len) {
   const unsigned char* s = (const unsigned char*)str;
   if (!reserve(b, len + 2))
      return;
   putc_(b, '"');
   size_t i = 0;
   while (i < len) {
      /* Copy runs of plain ASCII in one go. */
      size_t j = i;
      while (j < len && s[j] >= 0x20 && s[j] < 0x7f && s[j] != '"' && s[j] != '\\')
         j++;
      JsonBuf_append(b, (const char*)s + i, j - i);
      i = j;
      if (i >= len)
         break;
      unsigned c = s[i];
      if (c < 0x80) {
         switch (c) {
         case '"': put(b, "\\\""); break;
         case '\\': put(b, "\\\\"); break;
         case '\n': put(b, "\\n"); break;
         case '\t': put(b, "\\t"); break;
         case '\r': put(b, "\\r"); break;
         case '\b': put(b, "\\b"); break;
         case '\f': put(b, "\\f"); break;
         default: putHex(b, c); break; /* other C0 controls and DEL */
         }
         i++;
         continue;
      }
      uint32_t cp;
      int n = Fmt_utf8(s + i, len - i, &cp);
      if (n < 0) {
         put(b, "\\ufffd");
         i += (size_t)-n;
      } else if (cp < 0xa0) {
         /* C1 controls are valid JSON but some terminals act on them
          * (0x9b is CSI): escape them too. */
         putHex(b, cp);
         i += 2;
      } else {
         JsonBuf_append(b, (const char*)s + i, (size_t)n);
         i += (size_t)n;
      }
   }
   putc_(b, '"');
}

static void putStr(JsonBuf* b, const char* s) { Json_string(b, s, s ? strlen(s) : 0); }

/* ---- numbers and keys ---- */

/* Two digits a step: a line holds a dozen numbers of up to 16 digits, and
 * this was the line's largest cost. */
static void putU64(JsonBuf* b, uint64_t v) {
   static const char PAIRS[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                               "34353637383940414243444546474849505152535455565758596061626364656667"
                               "6869707172737475767778798081828384858687888990919293949596979899";
   char tmp[24];
   int i = sizeof tmp;
   while (v >= 100) {
      unsigned r = (unsigned)(v % 100);
      v /= 100;
      i -= 2;
      memcpy(tmp + i, PAIRS + 2 * r, 2);
   }
   if (v >= 10) {
      i -= 2;
      memcpy(tmp + i, PAIRS + 2 * v, 2);
   } else {
      tmp[--i] = (char)('0' + v);
   }
   JsonBuf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

static void putI64(JsonBuf* b, int64_t v) {
   if (v < 0) {
      putc_(b, '-');
      putU64(b, (uint64_t)0 - (uint64_t)v);
   } else {
      putU64(b, (uint64_t)v);
   }
}

/* ,"key": (keys are literals from this file, never need escaping) */
static void key(JsonBuf* b, const char* k) {
   size_t n = strlen(k);
   if (!reserve(b, n + 4))
      return;
   char* d = b->data + b->len;
   d[0] = ',';
   d[1] = '"';
   memcpy(d + 2, k, n);
   d[n + 2] = '"';
   d[n + 3] = ':';
   b->len += n + 4;
}

static void kU64(JsonBuf* b, const char* k, uint64_t v) {
   key(b, k);
   putU64(b, v);
}

static void kI64(JsonBuf* b, const char* k, int64_t v) {
   key(b, k);
   putI64(b, v);
}

static void kStr(JsonBuf* b, const char* k, const char* v) {
   key(b, k);
   putStr(b, v);
}

static void kBool(JsonBuf* b, const char* k, int v) {
   key(b, k);
   put(b, v ? "true" : "false");
}

/* Dotted quad written by hand: inet_ntop goes through sprintf and was the
 * largest cost of a JSON line. */
static void putAddr(JsonBuf* b, const uint8_t a[16]) {
   char buf[64];
   if (!Addr_isV4(a)) {
      putStr(b, Addr_format(a, buf, sizeof buf));
      return;
   }
   char* p = buf;
   *p++ = '"';
   for (int i = 12; i < 16; i++) {
      unsigned v = a[i];
      if (v >= 100)
         *p++ = (char)('0' + v / 100);
      if (v >= 10)
         *p++ = (char)('0' + v / 10 % 10);
      *p++ = (char)('0' + v % 10);
      *p++ = i < 15 ? '.' : '"';
   }
   JsonBuf_append(b, buf, (size_t)(p - buf));
}

static void kAddr(JsonBuf* b, const char* k, const uint8_t a[16]) {
   key(b, k);
   putAddr(b, a);
}

static void kHex(JsonBuf* b, const char* k, uint64_t v) {
   static const char hex[] = "0123456789abcdef";
   char tmp[24];
   int i = sizeof tmp;
   tmp[--i] = '"';
   do {
      tmp[--i] = hex[v & 0xf];
      v >>= 4;
   } while (v);
   tmp[--i] = 'x';
   tmp[--i] = '0';
   tmp[--i] = '"';
   key(b, k);
   JsonBuf_append(b, tmp + i, sizeof tmp - (size_t)i);
}

static void kProto(JsonBuf* b, unsigned proto) {
   key(b, "proto");
   if (proto == IPPROTO_TCP)
      put(b, "\"tcp\"");
   else if (proto == IPPROTO_UDP)
      put(b, "\"udp\"");
   else
      putU64(b, proto);
}

static void kFamily(JsonBuf* b, unsigned family) {
   key(b, "family");
   if (family == AF_INET)
      put(b, "\"ipv4\"");
   else if (family == AF_INET6)
      put(b, "\"ipv6\"");
   else
      putU64(b, family);
}

static const char* errnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
   const char* n = strerrorname_np(err);
   if (n)
      return n;
#else
   switch (err) {
   case ECONNREFUSED: return "ECONNREFUSED";
   case ETIMEDOUT: return "ETIMEDOUT";
   case EHOSTUNREACH: return "EHOSTUNREACH";
   case ENETUNREACH: return "ENETUNREACH";
   case ECONNRESET: return "ECONNRESET";
   case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
   case EACCES: return "EACCES";
   case EPERM: return "EPERM";
   }
#endif
   return NULL;
}

static void kErr(JsonBuf* b, int err) {
   kI64(b, "err", err);
   const char* n = err > 0 ? errnoName(err) : NULL;
   if (n)
      kStr(b, "errno_name", n);
}

/* "noowner": a short code for scripts, "noowner_reason": the text. */
static void kNoOwner(JsonBuf* b, int why) {
   static const char* const codes[] = {"unknown", "perm", "netns", "orphan"};
   kStr(b, "noowner", why > 0 && why <= NOOWN_ORPHAN ? codes[why] : "unknown");
   kStr(b, "noowner_reason", Event_noOwnerName(why > 0 ? why : -1));
}

/* ---- events ---- */

static void eventArgs(JsonBuf* b, const ProcEvent* p) {
   size_t len = p->args_len > VN_ARGS_LEN ? VN_ARGS_LEN : p->args_len;
   key(b, "args");
   putc_(b, '[');
   size_t i = 0;
   int first = 1;
   while (i < len) {
      size_t n = strnlen(p->args + i, len - i);
      if (!first)
         putc_(b, ',');
      Json_string(b, p->args + i, n);
      first = 0;
      i += n + 1;
   }
   putc_(b, ']');
}

static void eventProc(JsonBuf* b, const Event* e) {
   const ProcEvent* p = &e->proc;
   size_t comm = strnlen(p->comm, VN_COMM_LEN);
   if (e->type == EV_EXEC || e->type == EV_PROC) {
      kU64(b, "ppid", p->ppid);
      kU64(b, "uid", p->uid);
   }
   if (comm || e->type == EV_EXEC || e->type == EV_PROC) {
      key(b, "comm");
      Json_string(b, p->comm, comm);
   }
   if (e->type == EV_EXEC || e->type == EV_PROC) {
      key(b, "filename");
      Json_string(b, p->filename, strnlen(p->filename, VN_PATH_LEN));
      eventArgs(b, p);
      if (e->flags & EVF_TRUNC_ARGS)
         kBool(b, "args_truncated", 1);
      if (p->cgroup)
         kU64(b, "cgroup", p->cgroup);
   } else if (e->type == EV_FORK) {
      kU64(b, "child_pid", p->child_pid);
      kU64(b, "child_start", p->child_start);
   } else if (e->type == EV_EXIT) {
      kI64(b, "exit_code", p->exit_code);
   }
}

static void eventSock(JsonBuf* b, const Event* e) {
   const SockEvent* s = &e->sock;
   int t = e->type;
   kProto(b, s->proto);
   kFamily(b, s->family);
   kAddr(b, "laddr", s->laddr);
   kU64(b, "lport", s->lport);
   kAddr(b, "raddr", s->raddr);
   kU64(b, "rport", s->rport);
   kStr(b, "dir", Event_dirName(s->dir));
   if (s->proto != IPPROTO_UDP || s->state)
      kStr(b, "state", Event_tcpStateName(s->state));
   if (t == EV_STATE)
      kStr(b, "oldstate", Event_tcpStateName(s->oldstate));
   kU64(b, "netns", s->netns);
   if (s->cgroup)
      kU64(b, "cgroup", s->cgroup);
   kHex(b, "sk", s->sk);
   if (s->ino)
      kU64(b, "ino", s->ino);
   if (t == EV_CLOSE || t == EV_BYTES || t == EV_SOCK || t == EV_UDP_PEER || t == EV_STATE ||
       t == EV_OWNER) {
      kU64(b, "tx", s->tx);
      kU64(b, "rx", s->rx);
   }
   if (t == EV_CLOSE)
      kU64(b, "lifetime_ns", s->lifetime_ns);
   if (s->proto == IPPROTO_TCP && (s->rtt_us || s->retrans)) { /* a health sample */
      kU64(b, "rtt_us", s->rtt_us);
      kU64(b, "retrans", s->retrans);
   }
   if (t == EV_CONNECT_FAIL || s->err)
      kErr(b, s->err);
   if (t == EV_UDP_PEER)
      kU64(b, "count", s->count);
   if (t == EV_OWNER)
      kU64(b, "old_pid", s->count);
   if (e->pid == 0 && s->noowner)
      kNoOwner(b, s->noowner);
}

/* RFC 3339, UTC, microseconds. The date part changes once a second: kept. */
static void kTime(JsonBuf* b, const char* k, uint64_t wall_ns) {
   static __thread int64_t last_sec = -1;
   static __thread char date[24];
   int64_t sec = (int64_t)(wall_ns / 1000000000u);
   if (sec != last_sec) {
      time_t t = (time_t)sec;
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
      last_sec = sec;
   }
   /* the microseconds by hand: snprintf here cost more than the line */
   char v[40];
   size_t n = strlen(date);
   v[0] = '"';
   memcpy(v + 1, date, n);
   char* p = v + 1 + n;
   *p++ = '.';
   unsigned us = (unsigned)(wall_ns % 1000000000u / 1000u);
   for (int i = 5; i >= 0; i--, us /= 10)
      p[i] = (char)('0' + us % 10);
   memcpy(p + 6, "Z\"", 2);
   key(b, k);
   JsonBuf_append(b, v, (size_t)(p + 8 - v));
}

void Json_time(JsonBuf* b, const char* k, uint64_t wall_ns) {
   kTime(b, k, wall_ns);
}

/* Who made a socket event, so that the line stands alone. */
static void eventOwner(JsonBuf* b, const Event* e, const JsonLine* l) {
   const Proc* p = l->proc;
   if (!Proc_is(p, e->pid, e->pstart))
      return;
   key(b, "comm");
   Json_string(b, p->comm, strnlen(p->comm, sizeof p->comm));
   kU64(b, "uid", p->uid);
   if (l->users)
      kStr(b, "user", Users_name(l->users, p->uid));
}

void Json_eventLine(JsonBuf* b, const Event* e, const JsonLine* l) {
   put(b, "{\"type\":");
   putStr(b, Event_typeName((EventType)e->type));
   kU64(b, "ts", e->ts);
   if (l && l->boot_time_ns)
      kTime(b, "time", l->boot_time_ns + e->ts);
   kU64(b, "pid", e->pid);
   kU64(b, "tid", e->tid);
   kU64(b, "pstart", e->pstart);
   if (e->flags & EVF_THREAD)
      kBool(b, "thread", 1);
   if (e->flags & EVF_HEALED)
      kBool(b, "healed", 1);
   if (Event_isSock(e)) {
      if (l)
         eventOwner(b, e, l);
      eventSock(b, e);
   } else if (e->type > EV_NONE && e->type < EV__COUNT) {
      eventProc(b, e);
      if (l && l->users && (e->type == EV_EXEC || e->type == EV_PROC))
         kStr(b, "user", Users_name(l->users, e->proc.uid));
   }
   if (l && l->unit)
      kStr(b, "unit", l->unit);
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

void Json_event(JsonBuf* b, const Event* e) {
   Json_eventLine(b, e, NULL);
}

void Json_hello(JsonBuf* b, const JsonHello* h) {
   put(b, "{\"type\":\"hello\"");
   kU64(b, "ts", h->ts);
   kStr(b, "visnet", h->version);
   kU64(b, "schema", JSON_SCHEMA);
   kStr(b, "host", h->host);
   kStr(b, "boot_id", h->boot_id);
   kStr(b, "kernel", h->kernel);
   kStr(b, "mode", h->mode);
   if (h->source)
      kStr(b, "source", h->source);
   kTime(b, "time", h->started_ns);
   if (h->boot_time_ns)
      kTime(b, "boot_time", h->boot_time_ns);
   if (h->netns)
      kU64(b, "netns", h->netns);
   if (h->nhosts) {
      put(b, ",\"hosts\":[");
      for (size_t i = 0; i < h->nhosts; i++) {
         if (i)
            put(b, ",");
         Json_string(b, h->hosts[i], strlen(h->hosts[i]));
      }
      put(b, "]");
   }
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

void Json_ready(JsonBuf* b, uint64_t ts, uint64_t wall_ns, uint64_t events) {
   put(b, "{\"type\":\"ready\"");
   kU64(b, "ts", ts);
   kTime(b, "time", wall_ns);
   kU64(b, "events", events);
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

void Json_host(JsonBuf* b, const JsonHost* h) {
   put(b, "{\"type\":\"host\"");
   kU64(b, "ts", h->ts);
   kTime(b, "time", h->wall_ns);
   kStr(b, "host", h->host);
   kStr(b, "status", h->status);
   if (h->reason && h->reason[0])
      kStr(b, "reason", h->reason);
   if (h->remote && h->remote[0])
      kStr(b, "remote_host", h->remote);
   if (h->version && h->version[0])
      kStr(b, "visnet", h->version);
   if (h->retry_s)
      kU64(b, "retry_s", h->retry_s);
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

/* The line without its closing brace: a checked line ends with '}' and
 * maybe blanks. */
static size_t openLine(const char* line, size_t len) {
   while (len && (line[len - 1] == '\n' || line[len - 1] == ' ' || line[len - 1] == '\t' ||
                  line[len - 1] == '\r'))
      len--;
   return len && line[len - 1] == '}' ? len - 1 : 0;
}

size_t Json_tagLine(JsonBuf* b, const char* line, size_t len, const char* host,
                    const JsonPeer* peer) {
   size_t open = openLine(line, len);
   if (!open)
      return 0;
   JsonBuf_append(b, line, open);
   kStr(b, "host", host);
   if (peer) {
      put(b, ",\"peer\":{");
      put(b, "\"host\":");
      Json_string(b, peer->host, strlen(peer->host));
      kU64(b, "pid", peer->pid);
      if (peer->comm)
         kStr(b, "comm", peer->comm);
      put(b, "}");
   }
   put(b, "}\n");
   return 1;
}

void Json_lost(JsonBuf* b, const JsonLost* l) {
   put(b, "{\"type\":\"lost\"");
   kU64(b, "ts", l->ts);
   kTime(b, "time", l->wall_ns);
   kU64(b, "lines", l->lines);
   kU64(b, "dropped", l->dropped);
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

void Json_bye(JsonBuf* b, const JsonBye* y) {
   put(b, "{\"type\":\"bye\"");
   kU64(b, "ts", y->ts);
   kTime(b, "time", y->ended_ns);
   kU64(b, "events", y->events);
   kU64(b, "lost", y->lost);
   kU64(b, "dropped", y->dropped);
   kU64(b, "filtered", y->filtered);
   kStr(b, "reason", y->reason);
   if (y->error)
      kStr(b, "error", y->error);
   put(b, ",\"map_full\":{\"owners\":");
   putU64(b, y->map_full.owners);
   kU64(b, "udp_peers", y->map_full.udp_peers);
   kU64(b, "calls", y->map_full.calls);
   kU64(b, "seeds", y->map_full.seeds);
   put(b, "}");
   kU64(b, "healed", y->healed);
   kU64(b, "v", JSON_SCHEMA);
   put(b, "}\n");
}

/* ---- tree ---- */

typedef struct TreeOut_ {
   JsonBuf* b;
   UserName* users;
   const Fleet* fleet; /* a fleet's document: hosts, peers */
   size_t host;        /* ... the host being written */
   uint64_t offset;    /* ... its clock to ours (times are written in its own) */
} TreeOut;

/* Opens an array under key and tracks commas between its items. */
typedef struct Arr_ {
   int n;
} Arr;

static void arrItem(JsonBuf* b, Arr* a) {
   if (a->n++)
      putc_(b, ',');
}

/* A socket's fields, its object left open. */
static void sockFields(const TreeOut* o, const Sock* k) {
   JsonBuf* b = o->b;
   put(b, "{\"proto\":");
   if (k->key.proto == IPPROTO_TCP)
      put(b, "\"tcp\"");
   else if (k->key.proto == IPPROTO_UDP)
      put(b, "\"udp\"");
   else
      putU64(b, k->key.proto);
   kFamily(b, k->family);
   kAddr(b, "laddr", k->key.laddr);
   kU64(b, "lport", k->key.lport);
   kAddr(b, "raddr", k->key.raddr);
   kU64(b, "rport", k->key.rport);
   kStr(b, "dir", Event_dirName(k->dir));
   if (k->key.proto != IPPROTO_UDP || k->state)
      kStr(b, "state", Event_tcpStateName(k->state));
   kU64(b, "tx", k->tx);
   kU64(b, "rx", k->rx);
   kBool(b, "active", Sock_isActive(k));
   kU64(b, "opened", k->opened - o->offset);
   if (k->closed)
      kU64(b, "closed", k->closed - o->offset);
   if (k->merged) /* a summary: opened is the first one's, closed the last one's */
      kU64(b, "merged", k->merged);
   if (k->err)
      kErr(b, k->err);
   if (k->key.proto == IPPROTO_UDP)
      kU64(b, "count", k->udp_count);
   if (k->key.proto == IPPROTO_TCP && (k->rtt_us || k->retrans)) {
      kU64(b, "rtt_us", k->rtt_us);
      kU64(b, "retrans", k->retrans);
   }
   if (!k->proc)
      kNoOwner(b, k->noowner);
}

/* A socket, with its process and its remote's name, so that it stands alone. */
/* The other end, on another host of the fleet: "peer":{"host","pid","comm"} */
static void jsonPeer(const TreeOut* o, const Sock* k) {
   FleetPeer p;
   if (!o->fleet || !Fleet_peer(o->fleet, o->host, k, &p))
      return;
   const Proc* q = p.sock->proc;
   key(o->b, "peer");
   put(o->b, "{\"host\":");
   putStr(o->b, Fleet_hostC(o->fleet, p.host)->name);
   if (q) {
      kU64(o->b, "pid", q->pid);
      key(o->b, "comm");
      Json_string(o->b, q->comm, strnlen(q->comm, VN_COMM_LEN));
   }
   putc_(o->b, '}');
}

static void jsonSock(TreeOut* o, const Sock* k) {
   JsonBuf* b = o->b;
   sockFields(o, k);
   jsonPeer(o, k);
   if (k->proc) {
      kU64(b, "pid", k->proc->pid);
      key(b, "comm");
      Json_string(b, k->proc->comm, strnlen(k->proc->comm, VN_COMM_LEN));
      kU64(b, "uid", k->proc->uid);
      kStr(b, "user", Users_name(&o->users, k->proc->uid));
   }
   if (k->edge && k->edge->ep && k->edge->ep->name)
      kStr(b, "remote_name", k->edge->ep->name);
   putc_(b, '}');
}


/* The sockets below n (any depth), as array items. */
static void sockItems(TreeOut* o, const TreeNode* n, Arr* a) {
   for (const TreeNode* c = n->first_child; c; c = c->next) {
      if (c->sock) {
         arrItem(o->b, a);
         jsonSock(o, c->sock);
      } else {
         sockItems(o, c, a);
      }
   }
}

/* The process of a NODE_PROC or NODE_EP_PROC node. */
static const Proc* nodeProc(const TreeNode* n) {
   return n->proc ? n->proc : n->edge ? n->edge->proc : NULL;
}

static void procFields(TreeOut* o, const TreeNode* n) {
   JsonBuf* b = o->b;
   const Proc* p = nodeProc(n);
   put(b, "{\"pid\":");
   putU64(b, p->pid);
   kU64(b, "ppid", p->ppid);
   kU64(b, "uid", p->uid);
   kStr(b, "user", Users_name(&o->users, p->uid));
   key(b, "comm");
   Json_string(b, p->comm, strnlen(p->comm, VN_COMM_LEN));
   kStr(b, "cmdline", p->cmdline ? p->cmdline : "");
   kStr(b, "exe", p->exe ? p->exe : "");
   kStr(b, "state", Proc_isAlive(p) ? "alive" : "exited");
   if (!Proc_isAlive(p)) {
      kI64(b, "exit_code", p->exit_code);
      kU64(b, "exited", p->exited - o->offset);
   }
   kU64(b, "start", p->start ? p->start - o->offset : 0);
   kU64(b, "connections", n->nconns);
   kU64(b, "tx", n->tx);
   kU64(b, "rx", n->rx);
}

/* Opens a remote's object: address, name and the node's aggregates. */
static void remoteHead(JsonBuf* b, const Endpoint* ep, const TreeNode* n) {
   char buf[64];
   put(b, "{\"addr\":");
   putStr(b, ep ? Addr_format(ep->addr, buf, sizeof buf) : "");
   key(b, "name");
   if (ep && ep->name)
      putStr(b, ep->name);
   else
      put(b, "null");
   kU64(b, "connections", n->nconns);
   kU64(b, "tx", n->tx);
   kU64(b, "rx", n->rx);
   kBool(b, "active", n->active);
}

static void jsonEdge(TreeOut* o, const TreeNode* n) {
   JsonBuf* b = o->b;
   remoteHead(b, n->edge ? n->edge->ep : n->ep, n);
   key(b, "sockets");
   putc_(b, '[');
   Arr a = {0};
   sockItems(o, n, &a);
   put(b, "]}");
}

static void jsonProc(TreeOut* o, const TreeNode* n) {
   JsonBuf* b = o->b;
   procFields(o, n);
   Arr remotes = {0}, listening = {0}, children = {0};
   key(b, "remotes");
   putc_(b, '[');
   for (const TreeNode* c = n->first_child; c; c = c->next)
      if (c->kind == NODE_EDGE) {
         arrItem(b, &remotes);
         jsonEdge(o, c);
      }
   putc_(b, ']');
   key(b, "listening");
   putc_(b, '[');
   for (const TreeNode* c = n->first_child; c; c = c->next)
      if (c->kind == NODE_LISTEN && c->sock) {
         arrItem(b, &listening);
         jsonSock(o, c->sock);
      }
   putc_(b, ']');
   key(b, "children");
   putc_(b, '[');
   for (const TreeNode* c = n->first_child; c; c = c->next)
      if (c->kind == NODE_PROC && c->proc) {
         arrItem(b, &children);
         jsonProc(o, c);
      }
   put(b, "]}");
}

/* A process under an endpoint in the inverted view. */
static void jsonEpProc(TreeOut* o, const TreeNode* n) {
   JsonBuf* b = o->b;
   procFields(o, n);
   key(b, "sockets");
   putc_(b, '[');
   Arr a = {0};
   sockItems(o, n, &a);
   put(b, "]}");
}

static void jsonEndpoint(TreeOut* o, const TreeNode* n) {
   JsonBuf* b = o->b;
   remoteHead(b, n->ep, n);
   key(b, "processes");
   putc_(b, '[');
   Arr a = {0};
   for (const TreeNode* c = n->first_child; c; c = c->next)
      if (nodeProc(c)) {
         arrItem(b, &a);
         jsonEpProc(o, c);
      }
   put(b, "]}");
}

static int isEndpointView(const TreeNode* root) {
   for (const TreeNode* c = root->first_child; c; c = c->next)
      if (c->kind == NODE_ENDPOINT)
         return 1;
   return 0;
}

/* Every process, connection and listener of the tree, each in a flat list
 * of its own, for scripts (jq) that want no nesting. */
static void flatLists(TreeOut* o, const TreeNode* root) {
   JsonBuf* b = o->b;
   static const char* const KEYS[] = {"process_list", "connections", "listeners"};
   for (int list = 0; list < 3; list++) {
      key(b, KEYS[list]);
      putc_(b, '[');
      Arr a = {0};
      /* below root alone: a fleet's host is not the tree's root */
      for (const TreeNode* n = root ? root->first_child : NULL;
           n && (root->kind == NODE_ROOT || n->depth > root->depth); n = Tree_next(n, false)) {
         if (list == 0 && n->kind == NODE_PROC && n->proc) {
            arrItem(b, &a);
            procFields(o, n);
            putc_(b, '}');
         } else if (list > 0 && n->sock && (n->kind == NODE_LISTEN) == (list == 2) &&
                    (n->kind == NODE_SOCK || n->kind == NODE_LISTEN)) {
            arrItem(b, &a);
            jsonSock(o, n->sock);
         }
      }
      putc_(b, ']');
   }
}

/* A document's body under top (the root, or a fleet's host): stats, the
 * tree, the unowned sockets and the flat lists. */
static void treeBody(TreeOut* o, const TreeNode* top, const Store* s, TreeView view) {
   JsonBuf* b = o->b;
   int inverted = view == VIEW_ENDPOINT;
   if (s) {
      StoreStats st;
      Store_stats(s, &st);
      key(b, "stats");
      put(b, "{\"processes\":");
      putU64(b, st.procs);
      kU64(b, "processes_alive", st.procs_alive);
      kU64(b, "sockets", st.socks);
      kU64(b, "sockets_active", st.socks_active);
      kU64(b, "endpoints", st.endpoints);
      kU64(b, "events", st.events);
      putc_(b, '}');
   }
   key(b, inverted ? "endpoints" : "processes");
   putc_(b, '[');
   Arr a = {0};
   for (const TreeNode* c = top ? top->first_child : NULL; c; c = c->next) {
      if (inverted && c->kind == NODE_ENDPOINT && c->ep) {
         arrItem(b, &a);
         jsonEndpoint(o, c);
      } else if (!inverted && c->kind == NODE_PROC && c->proc) {
         arrItem(b, &a);
         jsonProc(o, c);
      }
   }
   putc_(b, ']');
   key(b, "unowned");
   putc_(b, '[');
   Arr u = {0};
   for (const TreeNode* c = top ? top->first_child : NULL; c; c = c->next)
      if (c->kind == NODE_ORPHANS)
         sockItems(o, c, &u);
   putc_(b, ']');
   flatLists(o, top);
}

void Json_treeFor(JsonBuf* b, const Tree* t, const Store* s, const char* host, TreeView view) {
   TreeOut o = {.b = b};
   char hostbuf[256];
   if (!host) {
      if (gethostname(hostbuf, sizeof hostbuf) != 0)
         hostbuf[0] = '\0';
      hostbuf[sizeof hostbuf - 1] = '\0';
      host = hostbuf;
   }
   put(b, "{\"host\":");
   putStr(b, host);
   kStr(b, "view", Tree_viewName(view));
   treeBody(&o, Tree_root(t), s, view);
   kU64(b, "v", JSON_SCHEMA);
   putc_(b, '}');
   Users_free(&o.users);
}

/* One host of a fleet's document: its state, then its own document's body. */
static void fleetHost(TreeOut* o, const TreeNode* n, TreeView view) {
   JsonBuf* b = o->b;
   const Host* h = Fleet_hostC(o->fleet, n->nfolded);
   o->host = n->nfolded;
   o->offset = h->offset;
   put(b, "{\"host\":");
   putStr(b, h->name);
   kStr(b, "status", Host_stateName(h->state));
   if (h->state == HOST_DOWN)
      kStr(b, "reason", h->reason);
   if (h->remote[0])
      kStr(b, "remote_host", h->remote);
   if (h->version[0])
      kStr(b, "visnet", h->version);
   kBool(b, "ready", h->ready);
   treeBody(o, n, h->store, view);
   putc_(b, '}');
}

void Json_fleetTree(JsonBuf* b, const Tree* t, TreeView view) {
   TreeOut o = {.b = b, .fleet = Tree_fleet(t)};
   put(b, "{\"fleet\":true");
   kStr(b, "view", Tree_viewName(view));
   key(b, "hosts");
   putc_(b, '[');
   Arr a = {0};
   for (const TreeNode* c = Tree_root(t)->first_child; c && o.fleet; c = c->next)
      if (c->kind == NODE_HOST) {
         arrItem(b, &a);
         fleetHost(&o, c, view);
      }
   putc_(b, ']');
   kU64(b, "v", JSON_SCHEMA);
   putc_(b, '}');
   Users_free(&o.users);
}

void Json_tree(JsonBuf* b, const Tree* t, const Store* s) {
   const TreeNode* root = Tree_root(t);
   Json_treeFor(b, t, s, NULL, root && isEndpointView(root) ? VIEW_ENDPOINT : VIEW_TREE);
}
