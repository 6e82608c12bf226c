/* details.c: the details pane (see details.h). */
#include "details.h"

#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DETAILS_MAX_LINES 4000

/* What the lines are written with. */
typedef struct Look_ {
   bool utf8;
   UserName** users;
   uint64_t now;
   const Details* d; /* its unit lookup */
} Look;

typedef struct Lines_ {
   char** v;
   int n, cap;
} Lines;

static void addLine(Lines* l, const Buf* b) {
   if (l->n >= DETAILS_MAX_LINES)
      return;
   if (l->n == l->cap) {
      int cap = l->cap ? l->cap * 2 : 64;
      char** v = realloc(l->v, (size_t)cap * sizeof *v);
      if (!v)
         return;
      l->v = v;
      l->cap = cap;
   }
   char* s = strdup(b->s);
   if (s)
      l->v[l->n++] = s;
}

/* A label and a system string, wrapped to the screen width between
 * escaped characters, so that no escape is split over two lines. */
static void addWrapped(const Look* lk, Lines* l, const char* label, const char* text) {
   if (!text)
      text = "-";
   int width = COLS - 16 > 20 ? COLS - 16 : 20;
   size_t len = strlen(text), i = 0;
   bool first = true;
   do {
      Buf b;
      Buf_reset(&b);
      Buf_cls(&b, CL_SECOND);
      Buf_printf(&b, "  %-13s", first ? label : "");
      Buf_cls(&b, CL_NORMAL);
      int w = 0;
      while (i < len) {
         char piece[16];
         size_t next = i;
         int cw = Fmt_escChar(text, len, &next, lk->utf8, piece);
         if (w > 0 && (w + cw > width || b.len + strlen(piece) + 1 >= sizeof b.s))
            break;
         Buf_printf(&b, "%s", piece);
         w += cw;
         i = next;
      }
      addLine(l, &b);
      first = false;
   } while (i < len);
}

static void addf(Lines* l, int cls, const char* fmt, const char* a) {
   Buf b;
   Buf_reset(&b);
   Buf_cls(&b, cls);
   Buf_printf(&b, fmt, a);
   addLine(l, &b);
}

static const char* wallTime(const Look* lk, uint64_t ns, char* buf, size_t len) {
   uint64_t now = lk->now;
   if (!ns || ns > now) {
      snprintf(buf, len, "unknown");
      return buf;
   }
   time_t t = time(NULL) - (time_t)((now - ns) / 1000000000ull);
   struct tm tm;
   localtime_r(&t, &tm);
   strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
   return buf;
}

static void sockLine(const Look* lk, Lines* l, const Sock* k) {
   char la[80], ra[80], t1[32], t2[32], t3[32];
   Buf b;
   Buf_reset(&b);
   Buf_cls(&b, Sock_isActive(k) ? CL_NORMAL : CL_SECOND);
   Buf_printf(&b, "  %s %s", k->key.proto == 17 ? "udp" : "tcp",
              Fmt_endpoint(k->key.laddr, k->key.lport, la, sizeof la));
   if (k->dir != DIR_LISTEN && !Addr_isZero(k->key.raddr))
      Buf_printf(&b, " %s %s", k->dir == DIR_IN ? "<-" : "->",
                 Fmt_endpoint(k->key.raddr, k->key.rport, ra, sizeof ra));
   if (k->key.proto != 17)
      Buf_printf(&b, "  %s", Event_tcpStateName(k->state));
   Buf_printf(&b, "  %s  tx %s rx %s", Event_dirName(k->dir), Fmt_bytes(k->tx, t1, sizeof t1),
              Fmt_bytes(k->rx, t2, sizeof t2));
   uint64_t now = lk->now;
   if (k->merged)
      Buf_printf(&b, "  %u connections merged, the first opened %s ago,", k->merged,
                 k->opened && k->opened <= now ? Fmt_age(now - k->opened, t3, sizeof t3) : "?");
   if (!Sock_isActive(k))
      Buf_printf(&b, "  closed %s ago",
                 k->closed <= now ? Fmt_age(now - k->closed, t3, sizeof t3) : "?");
   else if (k->opened && k->opened <= now)
      Buf_printf(&b, "  open %s", Fmt_age(now - k->opened, t3, sizeof t3));
   if (k->err)
      Buf_printf(&b, "  failed: %s", strerror(k->err));
   if (k->key.proto == 6 && (k->rtt_us || k->retrans))
      Buf_printf(&b, "  rtt %s  retrans %u", k->rtt_us ? Fmt_rtt(k->rtt_us, t3, sizeof t3) : "?",
                 k->retrans);
   if (k->from_pid)
      Buf_printf(&b, "  from pid %u", k->from_pid);
   if (k->ino)
      Buf_printf(&b, "  inode %llu", (unsigned long long)k->ino);
   addLine(l, &b);
}

static void edgeSocks(const Look* lk, Lines* l, const Edge* e) {
   LIST_FOREACH(it, &e->socks) sockLine(lk, l, LIST_ENTRY(it, Sock, node));
}

static void procLines(const Look* lk, Lines* l, const Proc* p, bool socks) {
   char t[64], t2[32];
   Buf b;
   Buf_reset(&b);
   Buf_cls(&b, CL_PROC);
   Buf_printf(&b, "Process %u ", p->pid);
   Buf_san(&b, p->comm, lk->utf8);
   Buf_cls(&b, CL_SECOND);
   Buf_printf(&b, "%s", Proc_isAlive(p) ? "  (running)" : "  (exited)");
   addLine(l, &b);
   snprintf(t, sizeof t, "%u", p->ppid);
   addWrapped(lk, l, "parent pid", t);
   Buf_reset(&b);
   addWrapped(lk, l, "user", Users_name(lk->users, p->uid));
   addWrapped(lk, l, "command", p->cmdline);
   addWrapped(lk, l, "exe", p->exe);
   const char* unit = lk->d->unit && p->cgroup ? lk->d->unit(lk->d->unit_ctx, p->cgroup) : NULL;
   addWrapped(lk, l, "unit", unit ? unit : "-");
   snprintf(t, sizeof t, "%llu", (unsigned long long)p->cgroup);
   addWrapped(lk, l, "cgroup id", p->cgroup ? t : "-");
   addWrapped(lk, l, "started", wallTime(lk, p->start, t, sizeof t));
   if (!Proc_isAlive(p)) {
      addWrapped(lk, l, "exited", wallTime(lk, p->exited, t, sizeof t));
      snprintf(t, sizeof t, "code %d, signal %d", (p->exit_code >> 8) & 0xff, p->exit_code & 0x7f);
      addWrapped(lk, l, "exit status", t);
   }
   snprintf(t, sizeof t, "%u (%u active)  tx %s rx %s", p->nsocks, p->nactive,
            Fmt_bytes(p->tx, t2, 16), Fmt_bytes(p->rx, t2 + 16, 16));
   addWrapped(lk, l, "sockets", t);
   if (!socks)
      return;
   addf(l, CL_HEAD, "%s", "Sockets:");
   LIST_FOREACH(it, &p->edges) edgeSocks(lk, l, LIST_ENTRY(it, Edge, proc_node));
   LIST_FOREACH(it, &p->listens) sockLine(lk, l, LIST_ENTRY(it, Sock, node));
}

static void endpointLines(const Look* lk, Lines* l, const Endpoint* ep) {
   char a[64], t[64], t2[32];
   addf(l, CL_ADDR, "Remote %s", Addr_format(ep->addr, a, sizeof a));
   addWrapped(lk, l, "name", ep->name);
   snprintf(t, sizeof t, "%u active  tx %s rx %s", ep->nactive, Fmt_bytes(ep->tx, t2, 16),
            Fmt_bytes(ep->rx, t2 + 16, 16));
   addWrapped(lk, l, "sockets", t);
   addWrapped(lk, l, "first seen", wallTime(lk, ep->first, t, sizeof t));
   addWrapped(lk, l, "last seen", wallTime(lk, ep->last, t, sizeof t));
   LIST_FOREACH(it, &ep->edges) {
      const Edge* e = LIST_ENTRY(it, Edge, ep_node);
      Buf b;
      Buf_reset(&b);
      Buf_cls(&b, CL_PROC);
      if (e->proc) {
         Buf_printf(&b, "Process %u ", e->proc->pid);
         Buf_san(&b, e->proc->comm, lk->utf8);
      }
      addLine(l, &b);
      edgeSocks(lk, l, e);
   }
}

/* A fleet's host: its state, why it is down, what its stream said. */
static void hostLines(const Look* lk, Lines* l, const Host* h) {
   char line[400], t[32];
   uint64_t now = lk->now;
   addf(l, CL_HEAD, "Host %s", h->name);
   snprintf(line, sizeof line, "  %s for %s", Host_stateName(h->state),
            now >= h->since ? Fmt_age(now - h->since, t, sizeof t) : "?");
   addf(l, h->state == HOST_UP ? CL_NORMAL : CL_WARN, "%s", line);
   if (h->state == HOST_DOWN)
      addWrapped(lk, l, "why:", h->reason);
   if (h->retry_at > now) {
      snprintf(line, sizeof line, "  tried again in %s", Fmt_age(h->retry_at - now, t, sizeof t));
      addf(l, CL_SECOND, "%s", line);
   }
   if (h->remote[0]) {
      snprintf(line, sizeof line, "  calls itself %s; visnet %s, %s mode", h->remote, h->version,
               h->mode);
      addf(l, CL_NORMAL, "%s", line);
   }
   StoreStats st;
   Store_stats(h->store, &st);
   snprintf(line, sizeof line, "  %llu events (%llu refused); %zu processes, %zu sockets (%zu active)",
            (unsigned long long)h->events, (unsigned long long)h->bad, st.procs, st.socks,
            st.socks_active);
   addf(l, CL_NORMAL, "%s", line);
}

/* The other end of a connection on another host of the fleet. */
static void peerLines(const Look* lk, Lines* l, const TreeNode* n, const Sock* k) {
   FleetPeer p;
   const Fleet* f = lk->d->fleet;
   if (!f || !Fleet_peer(f, Tree_hostOf(n), k, &p))
      return;
   char head[200];
   const Proc* q = p.sock->proc;
   snprintf(head, sizeof head, "The other end, on %s: %s[%u]", Fleet_hostC(f, p.host)->name,
            q ? q->comm : "?", q ? q->pid : 0);
   addf(l, CL_HEAD, "%s", head);
   sockLine(lk, l, p.sock);
}

static void build(const Look* lk, Lines* l, const TreeNode* n) {
   switch (n->kind) {
   case NODE_HOST:
      if (lk->d->fleet)
         hostLines(lk, l, Fleet_hostC(lk->d->fleet, n->nfolded));
      break;
   case NODE_PROC:
      procLines(lk, l, n->proc, true);
      break;
   case NODE_EP_PROC:
   case NODE_EDGE:
      if (n->edge) {
         char a[64];
         if (n->edge->proc)
            procLines(lk, l, n->edge->proc, false);
         addf(l, CL_HEAD, "Sockets to %s:", Addr_format(n->edge->ep->addr, a, sizeof a));
         edgeSocks(lk, l, n->edge);
      }
      break;
   case NODE_SOCK:
   case NODE_LISTEN:
      if (n->sock) {
         if (n->sock->proc)
            procLines(lk, l, n->sock->proc, false);
         else
            addf(l, CL_WARN, "No owner: %s", Event_noOwnerName(n->sock->noowner));
         addf(l, CL_HEAD, "%s", "Socket:");
         sockLine(lk, l, n->sock);
         peerLines(lk, l, n, n->sock);
      }
      break;
   case NODE_FOLD:
      if (n->sock) {
         char t1[32], t2[32];
         if (n->proc)
            procLines(lk, l, n->proc, false);
         char head[160];
         snprintf(head, sizeof head,
                  "%u closed connections (Space or Right lists them), %s sent, %s received; the "
                  "latest:",
                  n->nfolded, Fmt_bytes(n->tx, t1, sizeof t1), Fmt_bytes(n->rx, t2, sizeof t2));
         addf(l, CL_HEAD, "%s", head);
         sockLine(lk, l, n->sock);
      }
      break;
   case NODE_ENDPOINT:
      if (n->ep)
         endpointLines(lk, l, n->ep);
      break;
   default:
      addf(l, CL_NORMAL, "%s", "(no details for this row)");
      break;
   }
}

void Details_open(Details* d, uint64_t key) {
   d->open = true;
   d->key = key;
   d->scroll = 0;
}

void Details_scroll(Details* d, int delta) {
   d->scroll += delta;
   if (d->scroll < 0)
      d->scroll = 0;
}

void Details_draw(Details* d, const Term* t, const TreeNode* sel, UserName** users,
                  uint64_t now_ns) {
   Look look = {.utf8 = t->utf8, .users = users, .now = now_ns, .d = d};
   Lines l = {0};
   if (sel && sel->key == d->key)
      build(&look, &l, sel);
   else
      addf(&l, CL_WARN, "%s", "(the selected item is gone)");
   int h = t->body_h - 1;
   if (d->scroll > l.n - h)
      d->scroll = l.n - h > 0 ? l.n - h : 0;
   Term_line(t, t->body_y, "\x0c Details  (Esc/Enter/q close, arrows scroll)", A_BOLD, false);
   for (int y = 0; y < h; y++) {
      int i = d->scroll + y;
      Term_line(t, t->body_y + 1 + y, i < l.n ? l.v[i] : "", A_NORMAL, false);
   }
   for (int i = 0; i < l.n; i++)
      free(l.v[i]);
   free(l.v);
}
