/* rowtext.c: the text of one row (see rowtext.h). */
#include "rowtext.h"

#include "fleet.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define W_PID 7
#define W_USER 8
#define W_CONN 5
#define W_RATE 6
#define W_RTT 6
#define W_RETR 5

static const char* glyph(const RowText* rt, const char* utf8, const char* ascii) {
   return rt->utf8 ? utf8 : ascii;
}

/* A port as the rows show it: its service name unless -n */
static const char* portText(RowText* rt, uint16_t port, uint8_t proto, char* buf, unsigned len) {
   return Services_port(rt->numeric ? NULL : &rt->services, port, proto, buf, len);
}

const char* RowText_user(RowText* rt, uint32_t uid) {
   return Users_name(&rt->users, uid);
}

/* Each column: its title, width (a space follows; the last, two), the sort
 * key of a click on its title (-1: none). */
static const struct {
   const char* title;
   int w, sort;
   bool left; /* aligned left */
} COLUMN[COL__COUNT] = {
    [COL_PID] = {"PID", W_PID, SORT_PID, false},
    [COL_USER] = {"USER", W_USER, -1, true},
    [COL_CONNS] = {"CONNS", W_CONN, SORT_CONNS, false},
    [COL_UP] = {"UP/s", W_RATE, SORT_RATE, false},
    [COL_DOWN] = {"DOWN/s", W_RATE, SORT_RATE, false},
    [COL_RTT] = {"RTT", W_RTT, SORT_RTT, false},
    [COL_RETR] = {"RETR", W_RETR, SORT_RETRANS, false},
};

/* The columns shown at this width, in the user's order: a narrow screen
 * drops USER and CONNS, one without room for health RTT and RETR. */
static int shownCols(const RowText* rt, uint8_t out[COL__COUNT]) {
   static const uint8_t ALL[COL__COUNT] = {COL_PID,  COL_USER, COL_CONNS, COL_UP,
                                           COL_DOWN, COL_RTT,  COL_RETR};
   const uint8_t* from = rt->ncols ? rt->cols : ALL;
   int n = 0;
   for (int i = 0; i < (rt->ncols ? rt->ncols : COL__COUNT); i++) {
      uint8_t c = from[i];
      if ((rt->narrow && (c == COL_USER || c == COL_CONNS)) ||
          (!rt->health && (c == COL_RTT || c == COL_RETR)))
         continue;
      out[n++] = c;
   }
   return n;
}

void RowText_titles(const RowText* rt, TreeView view, Buf* b) {
   uint8_t cols[COL__COUNT];
   int n = shownCols(rt, cols);
   for (int i = 0; i < n; i++)
      Buf_printf(b, COLUMN[cols[i]].left ? "%-*s " : "%*s ", COLUMN[cols[i]].w,
                 COLUMN[cols[i]].title);
   Buf_printf(b, "%s%s", n ? " " : "", view == VIEW_ENDPOINT ? "REMOTE / PROCESS" : "PROCESS / REMOTE");
}

int RowText_columnAt(const RowText* rt, int x) {
   uint8_t cols[COL__COUNT];
   int n = shownCols(rt, cols), at = 0;
   for (int i = 0; i < n; i++) {
      at += COLUMN[cols[i]].w + 1 + (i == n - 1);
      if (x < at)
         return COLUMN[cols[i]].sort;
   }
   return SORT_NAME; /* PROCESS / REMOTE */
}

static void treePrefix(RowText* rt, const TreeNode* n, Buf* b) {
   if (n->depth == 0)
      return;
   const TreeNode* chain[64];
   int k = 0;
   for (const TreeNode* a = n->parent; a && a->depth >= 1 && k < 64; a = a->parent)
      chain[k++] = a;
   Buf_cls(b, CL_TREE);
   /* two columns a level, as pstree does: deep trees still fit in 80 */
   while (k-- > 0)
      Buf_printf(b, "%s", chain[k]->next ? glyph(rt, "\u2502 ", "| ") : "  ");
   Buf_printf(b, "%s", n->next ? glyph(rt, "\u251c\u2500", "|-") : glyph(rt, "\u2514\u2500", "`-"));
   Buf_cls(b, CL_NORMAL);
}

void RowText_ago(const RowText* rt, Buf* b, const char* what, uint64_t since) {
   char t[32];
   uint64_t now = rt->now_ns;
   Buf_cls(b, CL_SECOND);
   if (since && now >= since)
      Buf_printf(b, "  %s %s ago", what, Fmt_age(now - since, t, sizeof t));
   else
      Buf_printf(b, "  %s", what);
}

static void column(RowText* rt, const TreeNode* n, Buf* b, const Proc* p, bool conns, Column c) {
   char t[32];
   int w = COLUMN[c].w;
   switch (c) {
   case COL_PID:
      if (p)
         Buf_printf(b, "%*u", w, p->pid);
      else
         Buf_printf(b, "%*s", w, "");
      break;
   case COL_USER:
      if (p) {
         Buf_cls(b, CL_USER);
         Buf_field(b, RowText_user(rt, p->uid), w, false, rt->utf8);
         Buf_cls(b, CL_NORMAL);
      } else {
         Buf_printf(b, "%*s", w, "");
      }
      break;
   case COL_CONNS:
      if (conns)
         Buf_printf(b, "%*u", w, n->nconns);
      else
         Buf_printf(b, "%*s", w, "");
      break;
   case COL_UP:
   case COL_DOWN: {
      float up, down;
      Tree_rate(n, &up, &down);
      Buf_printf(b, "%*s", w, Fmt_rate(c == COL_UP ? up : down, t, sizeof t));
      break;
   }
   case COL_RTT:
   case COL_RETR: {
      uint32_t rtt, retrans;
      Tree_health(n, &rtt, &retrans);
      if (c == COL_RTT)
         Buf_printf(b, "%*s", w, Fmt_rtt(rtt, t, sizeof t));
      else if (retrans)
         Buf_printf(b, "%*u", w, retrans);
      else
         Buf_printf(b, "%*s", w, "");
      break;
   }
   default: break;
   }
}

static void columns(RowText* rt, const TreeNode* n, Buf* b, const Proc* p, bool conns) {
   uint8_t cols[COL__COUNT];
   int k = shownCols(rt, cols);
   for (int i = 0; i < k; i++) {
      column(rt, n, b, p, conns, (Column)cols[i]);
      Buf_printf(b, i == k - 1 ? "  " : " ");
   }
}

static void procText(RowText* rt, const Proc* p, Buf* b) {
   Buf_cls(b, CL_PROC);
   Buf_san(b, p->comm, rt->utf8);
   const char* unit = rt->units && rt->unit && p->cgroup ? rt->unit(rt->unit_ctx, p->cgroup) : NULL;
   if (unit) {
      Buf_cls(b, CL_USER);
      Buf_printf(b, " [");
      Buf_san(b, unit, rt->utf8);
      Buf_printf(b, "]");
   }
   if (p->cmdline && p->cmdline[0]) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  ");
      Buf_san(b, p->cmdline, rt->utf8);
   }
   if (!Proc_isAlive(p))
      RowText_ago(rt, b, "exited", p->exited);
}

static void bytes(RowText* rt, Buf* b, uint64_t tx, uint64_t rx) {
   char t1[32], t2[32];
   Buf_cls(b, CL_SECOND);
   if (rt->utf8)
      Buf_printf(b, "  \u2191%s \u2193%s", Fmt_bytes(tx, t1, sizeof t1),
                 Fmt_bytes(rx, t2, sizeof t2));
   else
      Buf_printf(b, "  tx %s rx %s", Fmt_bytes(tx, t1, sizeof t1), Fmt_bytes(rx, t2, sizeof t2));
}

/* Kept for the UI's owner to look up (Ui_unnamed), once each. */
static void noteUnnamed(RowText* rt, const uint8_t addr[16]) {
   for (size_t i = 0; i < rt->nunnamed; i++)
      if (memcmp(rt->unnamed[i], addr, 16) == 0)
         return;
   if (rt->nunnamed < ROWTEXT_UNNAMED_MAX)
      memcpy(rt->unnamed[rt->nunnamed++], addr, 16);
}

static void addrText(RowText* rt, const Endpoint* ep, const uint8_t addr[16], Buf* b) {
   char a[64];
   if (rt->dns && ep && ep->name) {
      Buf_cls(b, CL_ADDR);
      Buf_san(b, ep->name, rt->utf8);
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, " %s", Addr_format(addr, a, sizeof a));
   } else {
      if (rt->dns && ep)
         noteUnnamed(rt, addr);
      Buf_cls(b, CL_ADDR);
      Buf_printf(b, "%s", Addr_format(addr, a, sizeof a));
   }
}

static bool isHere(RowText* rt, const Sock* k) {
   return rt->have_ssh && k->key.lport == rt->ssh_sport && k->key.rport == rt->ssh_cport &&
          memcmp(k->key.laddr, rt->ssh_server, 16) == 0 &&
          memcmp(k->key.raddr, rt->ssh_client, 16) == 0;
}

/* The other end on another host of the fleet: " ⇒ postgres[812] on db1" */
static void peerText(RowText* rt, const TreeNode* n, const Sock* k, Buf* b) {
   FleetPeer p;
   if (!rt->fleet || !Fleet_peer(rt->fleet, Tree_hostOf(n), k, &p))
      return;
   const Proc* q = p.sock->proc;
   Buf_cls(b, CL_TREE);
   Buf_printf(b, " %s ", glyph(rt, "\u21d2", "=>"));
   Buf_cls(b, CL_PROC);
   if (q) {
      Buf_san(b, q->comm, rt->utf8);
      Buf_printf(b, "[%u]", q->pid);
   } else {
      Buf_printf(b, "?");
   }
   Buf_cls(b, CL_SECOND);
   Buf_printf(b, " on ");
   Buf_san(b, Fleet_hostC(rt->fleet, p.host)->name, rt->utf8);
}

/* The first joined connection of an edge names the edge's other end. */
static void edgePeer(RowText* rt, const TreeNode* n, const Edge* e, Buf* b) {
   if (!rt->fleet)
      return;
   FleetPeer p;
   size_t host = Tree_hostOf(n);
   LIST_FOREACH(sn, &e->socks) {
      const Sock* k = LIST_ENTRY(sn, Sock, node);
      if (Fleet_peer(rt->fleet, host, k, &p)) {
         peerText(rt, n, k, b);
         return;
      }
   }
}

/* "● db1  up 2m  db1.example, visnet 0.1.0" or "db1  down: ... (retry in 4s)" */
static void hostText(RowText* rt, const TreeNode* n, Buf* b) {
   const Host* h = Fleet_hostC(rt->fleet, n->nfolded);
   char t[32];
   Buf_cls(b, h->state == HOST_UP ? CL_HEAD : CL_WARN);
   Buf_san(b, h->name, rt->utf8);
   Buf_cls(b, h->state == HOST_UP ? CL_STATE : CL_WARN);
   Buf_printf(b, "  %s", Host_stateName(h->state));
   if (h->state == HOST_DOWN && h->reason[0]) {
      Buf_printf(b, ": ");
      Buf_san(b, h->reason, rt->utf8);
   }
   Buf_cls(b, CL_SECOND);
   if (rt->now_ns >= h->since)
      Buf_printf(b, " %s", Fmt_age(rt->now_ns - h->since, t, sizeof t));
   if (h->state != HOST_UP && h->retry_at > rt->now_ns)
      Buf_printf(b, " (retry in %s)", Fmt_age(h->retry_at - rt->now_ns, t, sizeof t));
   if (h->remote[0]) {
      Buf_printf(b, "  ");
      Buf_san(b, h->remote, rt->utf8);
      Buf_printf(b, ", visnet ");
      Buf_san(b, h->version, rt->utf8);
   }
}

static void sockText(RowText* rt, const TreeNode* n, const Sock* k, Buf* b) {
   char t[64];
   const Endpoint* ep = k->edge ? k->edge->ep : NULL;
   Buf_cls(b, CL_TREE);
   Buf_printf(b, "%s ", k->dir == DIR_IN ? glyph(rt, "\u2190", "<-") : glyph(rt, "\u2192", "->"));
   if (!Addr_isV4(k->key.raddr))
      Buf_printf(b, "[");
   addrText(rt, ep, k->key.raddr, b);
   if (!Addr_isV4(k->key.raddr))
      Buf_printf(b, "]");
   char pt[40];
   Buf_cls(b, CL_PORT);
   Buf_printf(b, ":%s", portText(rt, k->key.rport, k->key.proto, pt, sizeof pt));
   Buf_cls(b, CL_SECOND);
   if (k->dir == DIR_IN)
      Buf_printf(b, " on :%s", portText(rt, k->key.lport, k->key.proto, pt, sizeof pt));
   if (k->merged) { /* the store's summary of a fold's older connections */
      Buf_printf(b, " %s%u earlier", glyph(rt, "\u00d7", "x"), k->merged);
      bytes(rt, b, k->tx, k->rx);
      RowText_ago(rt, b, "last closed", k->closed);
      return;
   }
   if (k->key.proto == 17) {
      Buf_printf(b, " udp");
      if (k->udp_count)
         Buf_printf(b, " %u pkts", k->udp_count);
   } else if (Sock_isActive(k)) {
      Buf_cls(b, CL_STATE);
      Buf_printf(b, " %s", Event_tcpStateName(k->state));
   }
   if (k->err) {
      Buf_cls(b, CL_WARN);
      Buf_printf(b, " failed: %s", strerror(k->err));
   }
   if (isHere(rt, k)) {
      Buf_cls(b, CL_HERE);
      Buf_printf(b, " %s you are here", glyph(rt, "\u25c0", "<=="));
   }
   peerText(rt, n, k, b);
   bytes(rt, b, k->tx, k->rx);
   if (Sock_isActive(k)) {
      uint64_t now = rt->now_ns;
      if (k->opened && now >= k->opened)
         Buf_printf(b, "  %s", Fmt_age(now - k->opened, t, sizeof t));
   } else {
      RowText_ago(rt, b, "closed", k->closed);
   }
   if (!k->proc && k->noowner) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  (%s)", Event_noOwnerName(k->noowner));
   }
}

/* Closed connections of one edge to one port: "→ 10.0.0.9:80 ×1500
 * closed ↑1.2M ↓30M last 3s ago", "← 10.0.0.3 on :8080 ×3 closed ..." */
static void foldText(RowText* rt, const TreeNode* n, Buf* b) {
   const Sock* k = n->sock;
   Buf_cls(b, CL_TREE);
   Buf_printf(b, "%s ", n->first_child ? glyph(rt, "\u25be", "-") : glyph(rt, "\u25b8", "+"));
   Buf_printf(b, "%s ", k->dir == DIR_IN ? glyph(rt, "\u2190", "<-") : glyph(rt, "\u2192", "->"));
   bool v6 = !Addr_isV4(k->key.raddr);
   if (v6)
      Buf_printf(b, "[");
   addrText(rt, n->ep, k->key.raddr, b);
   if (v6)
      Buf_printf(b, "]");
   Buf_cls(b, CL_SECOND);
   if (!n->proc) { /* the orphans' TIME_WAIT, by remote address */
      Buf_printf(b, " %s%u TIME_WAIT", glyph(rt, "\u00d7", "x"), n->nfolded);
      return;
   }
   char pt[40];
   Buf_cls(b, CL_PORT);
   if (k->dir == DIR_IN) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, " on :%s", portText(rt, k->key.lport, k->key.proto, pt, sizeof pt));
   } else {
      Buf_printf(b, ":%s", portText(rt, k->key.rport, k->key.proto, pt, sizeof pt));
   }
   Buf_cls(b, CL_SECOND);
   if (k->key.proto == IPPROTO_UDP) { /* many UDP sockets to one port, or quiet ones */
      bool quiet = n->last + TREE_UDP_QUIET_NS < rt->now_ns;
      Buf_printf(b, " %s%u udp%s", glyph(rt, "\u00d7", "x"), n->nfolded, quiet ? ", quiet" : "");
      bytes(rt, b, n->tx, n->rx);
      RowText_ago(rt, b, "last datagram", n->last);
      return;
   }
   Buf_printf(b, " %s%u closed", glyph(rt, "\u00d7", "x"), n->nfolded);
   bytes(rt, b, n->tx, n->rx);
   RowText_ago(rt, b, "last", k->closed);
}

static void listenText(RowText* rt, const Sock* k, Buf* b) {
   Buf_cls(b, CL_LISTEN);
   if (k->key.proto == 17)
      Buf_printf(b, "udp ");
   else
      Buf_printf(b, "%s ", k->state == TCPS_LISTEN ? "LISTEN" : Event_tcpStateName(k->state));
   char a[64], pt[40];
   Buf_cls(b, CL_PORT);
   Addr_format(k->key.laddr, a, sizeof a);
   Buf_printf(b, Addr_isV4(k->key.laddr) ? "%s:%s" : "[%s]:%s", a,
              portText(rt, k->key.lport, k->key.proto, pt, sizeof pt));
   if (k->key.proto != 17) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, " tcp");
   }
   if (!Sock_isActive(k))
      RowText_ago(rt, b, "closed", k->closed);
   if (!k->proc && k->noowner) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  (%s)", Event_noOwnerName(k->noowner));
   }
}

/* The whole text of a row, tree lines included, without the selection. */
void RowText_format(RowText* rt, const TreeNode* n, Buf* b) {
   Buf_reset(b);
   Buf_cls(b, CL_NORMAL);
   const Proc* p = NULL;
   if (n->kind == NODE_PROC)
      p = n->proc;
   else if (n->kind == NODE_EP_PROC)
      p = n->edge ? n->edge->proc : n->proc;
   columns(rt, n, b, p, n->kind != NODE_SOCK && n->kind != NODE_LISTEN && n->kind != NODE_FOLD);
   treePrefix(rt, n, b);
   switch (n->kind) {
   case NODE_PROC:
   case NODE_EP_PROC:
      if (p)
         procText(rt, p, b);
      if (n->kind == NODE_EP_PROC && n->edge)
         bytes(rt, b, n->edge->tx, n->edge->rx);
      break;
   case NODE_EDGE:
      if (n->edge) {
         addrText(rt, n->edge->ep, n->edge->ep->addr, b);
         edgePeer(rt, n, n->edge, b);
         bytes(rt, b, n->edge->tx, n->edge->rx);
         if (!Edge_isActive(n->edge))
            RowText_ago(rt, b, "inactive", n->edge->inactive_since);
      }
      break;
   case NODE_ENDPOINT:
      if (n->ep) {
         addrText(rt, n->ep, n->ep->addr, b);
         Buf_cls(b, CL_SECOND);
         Buf_printf(b, "  %u process%s", n->nchildren, n->nchildren == 1 ? "" : "es");
         bytes(rt, b, n->ep->tx, n->ep->rx);
      }
      break;
   case NODE_SOCK:
      if (n->sock)
         sockText(rt, n, n->sock, b);
      break;
   case NODE_LISTEN:
      if (n->sock)
         listenText(rt, n->sock, b);
      break;
   case NODE_FOLD:
      if (n->sock)
         foldText(rt, n, b);
      break;
   case NODE_ORPHANS:
      Buf_cls(b, CL_WARN);
      Buf_printf(b, "(sockets without a known owner)");
      break;
   case NODE_HOST:
      if (rt->fleet)
         hostText(rt, n, b);
      break;
   default:
      break;
   }
}

/* sudo drops SSH_CONNECTION from the environment; the shell that ran sudo
 * still has it: look for it in the environment of our ancestors. */
static bool ancestorSshEnv(char* out, size_t len) {
   pid_t pid = getppid();
   for (int depth = 0; depth < 16 && pid > 1; depth++) {
      char path[64], buf[8192];
      snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
      FILE* f = fopen(path, "re");
      if (f) {
         size_t n = fread(buf, 1, sizeof buf - 1, f);
         fclose(f);
         buf[n] = '\0';
         for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
            if (strncmp(buf + i, "SSH_CONNECTION=", 15) == 0) {
               snprintf(out, len, "%s", buf + i + 15);
               return true;
            }
      }
      snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
      f = fopen(path, "re");
      if (!f)
         return false;
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      fclose(f);
      buf[n] = '\0';
      const char* rp = strrchr(buf, ')'); /* the name may hold spaces and ')' */
      int ppid;
      if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
         return false;
      pid = (pid_t)ppid;
   }
   return false;
}

/* SSH_CONNECTION is "client_ip client_port server_ip server_port". */
void RowText_findSsh(RowText* rt) {
   const char* env = getenv("SSH_CONNECTION");
   char found[256];
   if (!env && ancestorSshEnv(found, sizeof found))
      env = found;
   char cip[64], sip[64];
   unsigned cport, sport;
   if (!env || sscanf(env, "%63s %u %63s %u", cip, &cport, sip, &sport) != 4)
      return;
   if (Addr_parse(cip, rt->ssh_client) < 0 || Addr_parse(sip, rt->ssh_server) < 0 ||
       cport > 65535 || sport > 65535)
      return;
   rt->ssh_cport = (uint16_t)cport;
   rt->ssh_sport = (uint16_t)sport;
   rt->have_ssh = true;
}
