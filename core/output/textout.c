/* textout.c: the tree as text lines that fit the terminal width. */
#include "textout.h"

#include "fleet.h"

#include "services.h"

#include "fmt.h"
#include "procfs.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* ---- a line that knows its width ---- */

typedef struct Line_ {
   char buf[TEXTOUT_MAX_WIDTH * 8 + 16];
   size_t at[TEXTOUT_MAX_WIDTH + 1]; /* at[c]: bytes used when c columns were, or SIZE_MAX */
   size_t len;
   int cols, width;
   bool cut, utf8;
   ServiceName** services; /* port names; NULL: numbers (-n) */
} Line;

static void Line_reset(Line* l, int width, bool utf8) {
   l->len = 0;
   l->cols = 0;
   l->width = width;
   l->cut = false;
   l->utf8 = utf8;
   l->at[0] = 0;
}

static void Line_add(Line* l, const char* piece, size_t bytes, int cols) {
   if (l->cut)
      return;
   if (l->cols + cols > l->width || l->len + bytes + 8 > sizeof l->buf) {
      l->cut = true;
      return;
   }
   memcpy(l->buf + l->len, piece, bytes);
   l->len += bytes;
   for (int c = 1; c < cols; c++) /* no cut inside a wide character */
      l->at[l->cols + c] = SIZE_MAX;
   l->cols += cols;
   l->at[l->cols] = l->len;
}

/* Text from the system: escaped. Printable ASCII takes the short path. */
static void Line_text(Line* l, const char* s, size_t len) {
   char piece[16];
   for (size_t i = 0; i < len && !l->cut;) {
      unsigned char c = (unsigned char)s[i];
      if (c >= 0x20 && c < 0x7f && c != '\\') {
         if (l->cols + 1 > l->width || l->len + 9 > sizeof l->buf) {
            l->cut = true;
            return;
         }
         l->buf[l->len++] = (char)c;
         l->at[++l->cols] = l->len;
         i++;
         continue;
      }
      int w = Fmt_escChar(s, len, &i, l->utf8, piece);
      Line_add(l, piece, strlen(piece), w);
   }
}

static void Line_str(Line* l, const char* s) {
   if (s)
      Line_text(l, s, strlen(s));
}

/* Our own printable ASCII text: one column per byte, no escaping. */
static void Line_raw(Line* l, const char* s, size_t n) {
   if (l->cut)
      return;
   if (l->cols + (int)n > l->width || l->len + n + 8 > sizeof l->buf) {
      for (size_t i = 0; i < n && !l->cut; i++)
         Line_add(l, s + i, 1, 1);
      return;
   }
   memcpy(l->buf + l->len, s, n);
   for (size_t i = 0; i < n; i++)
      l->at[++l->cols] = ++l->len;
}

static void Line_lit(Line* l, const char* s) {
   Line_raw(l, s, strlen(s));
}

/* Our own ASCII text. */
__attribute__((format(printf, 2, 3))) static void Line_printf(Line* l, const char* fmt, ...) {
   char tmp[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(tmp, sizeof tmp, fmt, ap);
   va_end(ap);
   Line_str(l, tmp);
}

/* Drawing characters: one column each, multi-byte in UTF-8. */
static void Line_draw(Line* l, const char* utf8, const char* ascii) {
   const char* s = l->utf8 ? utf8 : ascii;
   Line_add(l, s, strlen(s), (int)strlen(ascii));
}

static int Line_write(Line* l, FILE* f) {
   if (l->cut) {
      int c = l->cols < l->width - 1 ? l->cols : l->width - 1;
      while (c > 0 && l->at[c] == SIZE_MAX)
         c--;
      l->len = l->at[c];
      const char* mark = l->utf8 ? "\xe2\x80\xa6" : "+";
      memcpy(l->buf + l->len, mark, strlen(mark));
      l->len += strlen(mark);
   }
   /* no trailing blanks */
   while (l->len > 0 && l->buf[l->len - 1] == ' ')
      l->len--;
   l->buf[l->len++] = '\n';
   return fwrite_unlocked(l->buf, 1, l->len, f) == l->len ? 0 : -1;
}

/* ---- nodes ---- */

#define TEXT_MAX_DEPTH 4096

typedef struct TextCtx_ {
   FILE* f;
   const TextOutOpts* o;
   Line line;
   U64Map net;                /* nodes with a socket at or below */
   bool more[TEXT_MAX_DEPTH]; /* more[d]: the ancestor at depth d has later siblings */
   int maxdepth;              /* levels of tree lines drawn before cutting the left */
   int err;
   const Fleet* fleet;        /* a fleet's tree: its hosts, the joined ends */
} TextCtx;

static void Text_prefix(TextCtx* c, int d, bool more) {
   Line* l = &c->line;
   if (d == 0)
      return;
   int first = 1;
   if (d > c->maxdepth) {
      first = d - c->maxdepth + 1;
      Line_add(l, "..", 2, 2);
   }
   for (int lev = first; lev < d; lev++) {
      if (lev < TEXT_MAX_DEPTH && c->more[lev])
         Line_draw(l, "\xe2\x94\x82", "|");
      else
         Line_add(l, " ", 1, 1);
      Line_add(l, " ", 1, 1);
   }
   if (more)
      Line_draw(l, "\xe2\x94\x9c", "|");
   else
      Line_draw(l, "\xe2\x94\x94", "`");
   Line_draw(l, "\xe2\x94\x80", "-");
}

/* A port: its service name, unless -n */
static void Text_port(Line* l, uint16_t port, uint8_t proto) {
   char buf[40];
   Line_str(l, Services_port(l->services, port, proto, buf, sizeof buf));
}

static void Text_addr(Line* l, const uint8_t a[16], uint16_t port, uint8_t proto) {
   char buf[64];
   Addr_format(a, buf, sizeof buf);
   bool v4 = Addr_isV4(a);
   if (!v4)
      Line_raw(l, "[", 1);
   Line_lit(l, buf);
   Line_raw(l, v4 ? ":" : "]:", v4 ? 1 : 2);
   Text_port(l, port, proto);
}

static const char* Text_proto(const Sock* k) {
   return k->key.proto == IPPROTO_UDP ? "udp" : "tcp";
}

static const char* Text_state(const Sock* k) {
   if (k->key.proto == IPPROTO_UDP)
      return k->key.rport == 0 ? "UNCONN" : "CONNECTED";
   return Event_tcpStateName(k->state);
}

static void Text_traffic(Line* l, uint64_t tx, uint64_t rx) {
   char a[16], b[16];
   Line_raw(l, "  tx ", 5);
   Line_lit(l, Fmt_bytes(tx, a, sizeof a));
   Line_raw(l, " rx ", 4);
   Line_lit(l, Fmt_bytes(rx, b, sizeof b));
}

static void Text_proc(Line* l, const Proc* p, const TreeNode* n, bool counts) {
   Line_str(l, p->comm);
   Line_printf(l, "(%u)", p->pid);
   if (!Proc_isAlive(p))
      Line_printf(l, " [exited]");
   if (counts) {
      Line_printf(l, "  %u conn%s", n->nconns, n->nconns == 1 ? "" : "s");
      Text_traffic(l, n->tx, n->rx);
   }
   if (p->cmdline && p->cmdline[0]) {
      Line_add(l, " ", 1, 1);
      Line_add(l, " ", 1, 1);
      Line_str(l, p->cmdline);
   }
}

static void Text_endpoint(Line* l, const Endpoint* ep, const TreeNode* n) {
   char buf[64];
   Line_printf(l, "%s", Addr_format(ep->addr, buf, sizeof buf));
   if (ep->name && ep->name[0]) {
      Line_add(l, " ", 1, 1);
      Line_add(l, "(", 1, 1);
      Line_str(l, ep->name);
      Line_add(l, ")", 1, 1);
   }
   Line_printf(l, "  %u conn%s", n->nconns, n->nconns == 1 ? "" : "s");
   Text_traffic(l, n->tx, n->rx);
   if (!n->active)
      Line_printf(l, "  [inactive]");
}

static const char* Text_noOwner(int why) {
   switch (why) {
   case NOOWN_PERM:
      return "permission";
   case NOOWN_NETNS:
      return "netns";
   case NOOWN_ORPHAN:
      return "no process";
   default:
      return "unknown";
   }
}

/* " -> " (out) or " <- " (in), as arrows in UTF-8 */
static void Text_arrow(Line* l, bool out) {
   if (l->utf8)
      Line_add(l, out ? " \xe2\x86\x92 " : " \xe2\x86\x90 ", 5, 3);
   else
      Line_add(l, out ? " -> " : " <- ", 4, 4);
}

static void Text_sock(Line* l, const Sock* k, bool listen) {
   Line_lit(l, Text_proto(k));
   Line_raw(l, " ", 1);
   bool owned = k->proc != NULL;
   if (!owned) {
      Line_raw(l, "[", 1);
      Line_lit(l, Text_noOwner(k->noowner));
      Line_raw(l, "] ", 2);
   }
   if (listen) {
      Line_lit(l, Text_state(k));
      Line_raw(l, " ", 1);
      Text_addr(l, k->key.laddr, k->key.lport, k->key.proto);
   } else {
      if (owned)
         Text_port(l, k->key.lport, k->key.proto);
      else
         Text_addr(l, k->key.laddr, k->key.lport, k->key.proto);
      Text_arrow(l, true);
      Text_addr(l, k->key.raddr, k->key.rport, k->key.proto);
      Line_raw(l, " ", 1);
      Line_lit(l, Text_state(k));
      Line_raw(l, " ", 1);
      Line_lit(l, Event_dirName(k->dir));
      if (k->err)
         Line_printf(l, " err %d", k->err);
      Text_traffic(l, k->tx, k->rx);
      if (k->key.proto == IPPROTO_TCP && (k->rtt_us || k->retrans)) {
         char rtt[24];
         Line_printf(l, "  rtt %s retrans %u", k->rtt_us ? Fmt_rtt(k->rtt_us, rtt, sizeof rtt) : "?",
                     k->retrans);
      }
   }
   if (k->merged)
      Line_printf(l, "  [closed: %u connections merged]", k->merged);
   else if (!Sock_isActive(k))
      Line_printf(l, "  [closed]");
}

/* "tcp 1500 closed -> 10.0.0.1:80 out", "tcp 1500 closed :8000 <- 10.0.0.7 in" */
static void Text_fold(Line* l, const TreeNode* n) {
   const Sock* k = n->sock;
   Line_lit(l, Text_proto(k));
   if (!n->proc) { /* the orphans' TIME_WAIT, by remote address */
      char buf[64];
      Line_printf(l, " %u TIME_WAIT", n->nfolded);
      Text_arrow(l, true);
      Line_lit(l, Addr_format(k->key.raddr, buf, sizeof buf));
      return;
   }
   Line_printf(l, k->key.proto == IPPROTO_UDP ? " %u quiet" : " %u closed", n->nfolded);
   if (k->dir == DIR_IN) {
      Line_raw(l, " :", 2);
      Text_port(l, k->key.lport, k->key.proto);
      Text_arrow(l, false);
      char buf[64];
      Line_lit(l, Addr_format(k->key.raddr, buf, sizeof buf));
   } else {
      Text_arrow(l, true);
      Text_addr(l, k->key.raddr, k->key.rport, k->key.proto);
   }
   Line_raw(l, " ", 1);
   Line_lit(l, Event_dirName(k->dir));
   Text_traffic(l, n->tx, n->rx);
}

/* "db1 [up] (db1.example, visnet 0.1.0)", "web2 [down: ssh: ... refused]" */
static void Text_host(Line* l, const Host* h) {
   Line_lit(l, h->name);
   Line_printf(l, " [%s", Host_stateName(h->state));
   if (h->state == HOST_DOWN && h->reason[0]) {
      Line_raw(l, ": ", 2);
      Line_lit(l, h->reason);
   }
   Line_raw(l, "]", 1);
   if (h->remote[0]) {
      Line_raw(l, " (", 2);
      Line_lit(l, h->remote);
      Line_printf(l, ", visnet %s)", h->version);
   }
}

/* The other end of a connection, on another host: " => postgres[812] on db1" */
static void Text_peer(TextCtx* c, const TreeNode* n) {
   FleetPeer p;
   if (!c->fleet || !Fleet_peer(c->fleet, Tree_hostOf(n), n->sock, &p))
      return;
   const Proc* q = p.sock->proc;
   Line_raw(&c->line, " => ", 4);
   if (q) {
      Line_lit(&c->line, q->comm);
      Line_printf(&c->line, "[%u]", q->pid);
   } else {
      Line_lit(&c->line, "?");
   }
   Line_raw(&c->line, " on ", 4);
   Line_lit(&c->line, Fleet_hostC(c->fleet, p.host)->name);
}

static void Text_node(TextCtx* c, const TreeNode* n) {
   Line* l = &c->line;
   switch (n->kind) {
   case NODE_PROC:
      if (n->proc)
         Text_proc(l, n->proc, n, false);
      break;
   case NODE_EP_PROC:
      if (n->edge && n->edge->proc)
         Text_proc(l, n->edge->proc, n, true);
      break;
   case NODE_EDGE:
      if (n->edge && n->edge->ep)
         Text_endpoint(l, n->edge->ep, n);
      break;
   case NODE_ENDPOINT:
      if (n->ep)
         Text_endpoint(l, n->ep, n);
      break;
   case NODE_SOCK:
   case NODE_LISTEN:
      if (n->sock)
         Text_sock(l, n->sock, n->kind == NODE_LISTEN);
      if (n->sock && n->kind == NODE_SOCK)
         Text_peer(c, n);
      break;
   case NODE_HOST:
      if (c->fleet)
         Text_host(l, Fleet_hostC(c->fleet, n->nfolded));
      break;
   case NODE_FOLD:
      if (n->sock)
         Text_fold(l, n);
      break;
   case NODE_ORPHANS:
      Line_printf(l, "unowned sockets (%u)", n->nchildren);
      break;
   case NODE_ROOT:
      break;
   }
}

/* Marks the nodes that have network sockets at or below them. */
static bool Text_markNet(TextCtx* c, const TreeNode* n) {
   bool net = n->kind != NODE_PROC && n->kind != NODE_ROOT;
   for (const TreeNode* ch = n->first_child; ch; ch = ch->next)
      net |= Text_markNet(c, ch);
   if (net && n->kind == NODE_PROC && U64Map_put(&c->net, (uint64_t)(uintptr_t)n, 1) < 0)
      c->err = -1;
   return net;
}

static bool Text_visible(const TextCtx* c, const TreeNode* n) {
   return c->o->all_procs || n->kind != NODE_PROC || U64Map_get(&c->net, (uint64_t)(uintptr_t)n);
}

static const TreeNode* Text_nextVisible(const TextCtx* c, const TreeNode* n) {
   for (n = n ? n->next : NULL; n && !Text_visible(c, n); n = n->next)
      ;
   return n;
}

static void Text_children(TextCtx* c, const TreeNode* parent, int d) {
   const TreeNode* n = parent->first_child;
   if (n && !Text_visible(c, n))
      n = Text_nextVisible(c, n);
   while (n && c->err == 0) {
      const TreeNode* next = Text_nextVisible(c, n);
      Line_reset(&c->line, c->line.width, c->line.utf8);
      Text_prefix(c, d, next != NULL);
      Text_node(c, n);
      if (Line_write(&c->line, c->f) < 0) {
         c->err = -1;
         return;
      }
      if (d < TEXT_MAX_DEPTH)
         c->more[d] = next != NULL;
      Text_children(c, n, d + 1);
      n = next;
   }
}

int TextOut_write(FILE* f, const Tree* t, const TextOutOpts* o) {
   int width = o->width ? o->width : TEXTOUT_MAX_WIDTH;
   if (width < TEXTOUT_MIN_WIDTH)
      width = TEXTOUT_MIN_WIDTH;
   if (width > TEXTOUT_MAX_WIDTH)
      width = TEXTOUT_MAX_WIDTH;
   TextCtx* c = calloc(1, sizeof *c);
   if (!c)
      return -1;
   c->f = f;
   c->o = o;
   c->line.width = width;
   c->line.utf8 = o->utf8;
   c->fleet = Tree_fleet(t);
   ServiceName* names = NULL;
   c->line.services = o->numeric ? NULL : &names;
   U64Map_init(&c->net);
   /* tree lines take at most ~2/5 of the width; deeper levels are cut on
    * the left and shown as ".." */
   c->maxdepth = width / 5;
   const TreeNode* root = Tree_root(t);
   if (root) {
      Text_markNet(c, root);
      Text_children(c, root, 0);
   }
   int rc = c->err;
   U64Map_free(&c->net);
   Services_free(&names);
   free(c);
   return rc;
}

typedef struct CountCtx_ {
   TextCtx* c;
   TextCount n;
} CountCtx;

static int Text_countProc(void* ctx, const TreeNode* n) {
   CountCtx* h = ctx;
   if (n->kind != NODE_PROC)
      return 0;
   if (!Text_visible(h->c, n))
      h->n.hidden++;
   else if (n->context)
      h->n.context++;
   else
      h->n.shown++;
   return 0;
}

void TextOut_countProcs(const Tree* t, bool all_procs, TextCount* out) {
   TextOutOpts o = {.all_procs = all_procs};
   CountCtx h = {NULL, {0, 0, 0}};
   h.c = calloc(1, sizeof *h.c);
   if (h.c) {
      h.c->o = &o;
      U64Map_init(&h.c->net);
      const TreeNode* root = Tree_root(t);
      if (root)
         Text_markNet(h.c, root);
      Tree_walk(t, NULL, NULL, Text_countProc, &h);
      U64Map_free(&h.c->net);
      free(h.c);
   }
   *out = h.n;
}
