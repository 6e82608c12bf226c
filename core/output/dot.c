/* dot.c: Graphviz output of the tree. */
#include "dot.h"

#include "fleet.h"

#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "procfs.h"

/* fmt.h's display form, then quoted for a DOT string: its backslashes
 * doubled so that Graphviz shows them, quotes escaped. */
size_t Dot_escape(char* out, size_t outlen, const char* s, size_t len) {
   size_t o = 0;
   if (outlen == 0)
      return 0;
   for (size_t i = 0; i < len && s[i] != '\0';) {
      char piece[16], quoted[32];
      size_t pl = 0;
      if (s[i] == '"') {
         memcpy(quoted, "\\\"", 2);
         pl = 2;
         i++;
      } else {
         Fmt_escChar(s, len, &i, true, piece);
         for (const char* p = piece; *p; p++) {
            if (*p == '\\')
               quoted[pl++] = '\\';
            quoted[pl++] = *p;
         }
      }
      if (o + pl + 1 > outlen)
         break;
      memcpy(out + o, quoted, pl);
      o += pl;
   }
   out[o] = '\0';
   return o;
}

typedef struct DotCtx_ {
   FILE* f;
   U64Map seen; /* Proc* and Endpoint* already written */
   int err;
   const Fleet* fleet; /* a fleet's tree: a cluster per host, joined ends */
   size_t host;        /* ... the host being written */
   bool edges;         /* ... the pass that writes edges (the first: nodes) */
} DotCtx;

static void Dot_str(DotCtx* c, const char* s) {
   char buf[1024];
   Dot_escape(buf, sizeof buf, s, strlen(s));
   fputs(buf, c->f);
}

static bool Dot_first(DotCtx* c, const void* ptr) {
   uint64_t key = (uint64_t)(uintptr_t)ptr;
   if (U64Map_get(&c->seen, key))
      return false;
   if (U64Map_put(&c->seen, key, 1) < 0)
      c->err = -1;
   return true;
}

static void Dot_procIdOn(DotCtx* c, size_t host, const Proc* p) {
   if (c->fleet) /* the start on its host's own clock */
      fprintf(c->f, "\"h%zu_p%u_%" PRIu64 "\"", host, p->pid,
              p->start - Fleet_hostC(c->fleet, host)->offset);
   else
      fprintf(c->f, "\"p%u_%" PRIu64 "\"", p->pid, p->start);
}

static void Dot_procId(DotCtx* c, const Proc* p) { Dot_procIdOn(c, c->host, p); }

static void Dot_addrId(DotCtx* c, const uint8_t a[16]) {
   fputs("\"e_", c->f);
   for (int i = 0; i < 16; i++)
      fprintf(c->f, "%02x", a[i]);
   fputc('"', c->f);
}

static const char* Dot_proto(const Sock* k) {
   return k->key.proto == IPPROTO_UDP ? "udp" : "tcp";
}

static void Dot_procNode(DotCtx* c, const Proc* p, const TreeNode* n) {
   if (!Dot_first(c, p))
      return;
   fputs("  ", c->f);
   Dot_procId(c, p);
   fputs(" [shape=box, label=\"", c->f);
   Dot_str(c, p->comm);
   fprintf(c->f, " (%u)", p->pid);
   int nl = 0;
   for (const TreeNode* ch = n ? n->first_child : NULL; ch; ch = ch->next) {
      if (ch->kind != NODE_LISTEN || !ch->sock)
         continue;
      if (nl < 6)
         fprintf(c->f, "%s%s/%u", nl == 0 ? "\\nlisten " : " ", Dot_proto(ch->sock),
                 ch->sock->key.lport);
      nl++;
   }
   if (nl > 6)
      fprintf(c->f, " +%d", nl - 6);
   fprintf(c->f, "\"%s];\n", Proc_isAlive(p) ? "" : ", style=dashed");
}

static void Dot_epNode(DotCtx* c, const Endpoint* ep) {
   if (!Dot_first(c, ep))
      return;
   char buf[64];
   fputs("  ", c->f);
   Dot_addrId(c, ep->addr);
   fprintf(c->f, " [shape=ellipse, label=\"%s", Addr_format(ep->addr, buf, sizeof buf));
   if (ep->name && ep->name[0]) {
      fputs("\\n", c->f);
      Dot_str(c, ep->name);
   }
   fputs("\"];\n", c->f);
}

/* Port list of a group of sockets: "tcp/443,udp/53,in tcp/22,...": the
 * remote port of outgoing sockets, our port for accepted ones. */
typedef struct Ports_ {
   char text[96];
   size_t len;
   uint32_t seen[4];
   int n;
} Ports;

static void Ports_add(Ports* p, const Sock* k) {
   bool in = k->dir == DIR_IN;
   uint16_t port = in ? k->key.lport : k->key.rport;
   uint32_t id = (uint32_t)in << 24 | (uint32_t)k->key.proto << 16 | port;
   for (int i = 0; i < p->n && i < 4; i++)
      if (p->seen[i] == id)
         return;
   if (p->n < 4) {
      p->seen[p->n] = id;
      p->len += (size_t)snprintf(p->text + p->len, sizeof p->text - p->len, "%s%s%s/%u",
                                 p->n ? "," : "", in ? "in " : "", Dot_proto(k), port);
   } else if (p->n == 4) {
      p->len += (size_t)snprintf(p->text + p->len, sizeof p->text - p->len, ",...");
   }
   p->n++;
}

/* A fleet's edge whose connection has its other end on another host: one
 * edge process -> process, drawn from the side that connected. True when
 * it was (or will be, from the other side) drawn so. */
static bool Dot_joined(DotCtx* c, const Edge* e, const TreeNode* n) {
   if (!c->fleet)
      return false;
   LIST_FOREACH(node, &e->socks) {
      const Sock* k = LIST_ENTRY(node, Sock, node);
      FleetPeer p;
      if (!Fleet_peer(c->fleet, c->host, k, &p) || !p.sock->proc)
         continue;
      bool ours = k->dir == DIR_OUT || (k->dir != DIR_IN && c->host < p.host);
      if (ours) {
         Ports ports = {.len = 0};
         ports.text[0] = '\0';
         Ports_add(&ports, k);
         fputs("  ", c->f);
         Dot_procId(c, e->proc);
         fputs(" -> ", c->f);
         Dot_procIdOn(c, p.host, p.sock->proc);
         fprintf(c->f, " [label=\"%s x%u\", color=blue, penwidth=2%s];\n", ports.text, n->nconns,
                 Edge_isActive(e) ? "" : ", style=dashed");
      }
      return true;
   }
   return false;
}

static void Dot_edge(DotCtx* c, const Edge* e, const TreeNode* n) {
   Ports ports = {.len = 0};
   ports.text[0] = '\0';
   LIST_FOREACH(node, &e->socks)
   Ports_add(&ports, LIST_ENTRY(node, Sock, node));
   fputs("  ", c->f);
   Dot_procId(c, e->proc);
   fputs(" -> ", c->f);
   Dot_addrId(c, e->ep->addr);
   fprintf(c->f, " [label=\"%s x%u\"%s];\n", ports.text, n->nconns,
           Edge_isActive(e) ? "" : ", style=dashed");
}

typedef struct OrphanEp_ {
   uint8_t addr[16];
   uint32_t count;
   Ports ports;
} OrphanEp;

static uint64_t Dot_addrHash(const uint8_t a[16]) {
   uint64_t h = 1469598103934665603ull;
   for (int i = 0; i < 16; i++)
      h = (h ^ a[i]) * 1099511628211ull;
   return h ? h : 1;
}

/* Unowned sockets: one node, one dotted edge per remote address. */
static void Dot_orphans(DotCtx* c, const TreeNode* n) {
   fputs("  \"unowned\" [shape=box, style=dotted, label=\"unowned sockets\"];\n", c->f);
   OrphanEp* eps = calloc(n->nchildren ? n->nchildren : 1, sizeof *eps);
   U64Map idx;
   U64Map_init(&idx);
   uint32_t neps = 0;
   if (!eps) {
      c->err = -1;
      return;
   }
   for (const TreeNode* ch = n->first_child; ch; ch = ch->next) {
      const Sock* k = ch->sock;
      if (!k || Addr_isZero(k->key.raddr) || neps >= n->nchildren)
         continue;
      uint64_t h = Dot_addrHash(k->key.raddr);
      uint32_t* i = U64Map_get(&idx, h);
      OrphanEp* ep;
      if (i && memcmp(eps[*i].addr, k->key.raddr, 16) == 0) {
         ep = &eps[*i];
      } else {
         ep = &eps[neps];
         memcpy(ep->addr, k->key.raddr, 16);
         if (U64Map_put(&idx, h, neps++) < 0)
            c->err = -1;
      }
      ep->count++;
      Ports_add(&ep->ports, k);
   }
   for (uint32_t i = 0; i < neps; i++) {
      char buf[64];
      fputs("  ", c->f);
      Dot_addrId(c, eps[i].addr);
      fprintf(c->f, " [shape=ellipse, label=\"%s\"];\n  \"unowned\" -> ",
              Addr_format(eps[i].addr, buf, sizeof buf));
      Dot_addrId(c, eps[i].addr);
      fprintf(c->f, " [label=\"%s x%u\", style=dotted];\n", eps[i].ports.text, eps[i].count);
   }
   U64Map_free(&idx);
   free(eps);
}

/* Only processes with sockets of their own become nodes. */
static bool Dot_hasNet(const TreeNode* n) {
   for (const TreeNode* ch = n->first_child; ch; ch = ch->next)
      if (ch->kind == NODE_EDGE || ch->kind == NODE_LISTEN)
         return true;
   return false;
}

static int Dot_visit(void* ctx, const TreeNode* n) {
   DotCtx* c = ctx;
   switch (n->kind) {
   case NODE_PROC:
      if (n->proc && Dot_hasNet(n))
         Dot_procNode(c, n->proc, n);
      break;
   case NODE_ENDPOINT:
      if (n->ep)
         Dot_epNode(c, n->ep);
      break;
   case NODE_EDGE:
   case NODE_EP_PROC:
      if (n->edge && n->edge->proc && n->edge->ep) {
         Dot_procNode(c, n->edge->proc, NULL);
         if (c->fleet && !c->edges)
            break;
         if (Dot_joined(c, n->edge, n))
            break;
         Dot_epNode(c, n->edge->ep);
         Dot_edge(c, n->edge, n);
      }
      break;
   case NODE_ORPHANS:
      if (!c->fleet || c->edges)
         Dot_orphans(c, n);
      break;
   default:
      break;
   }
   return c->err;
}

/* The nodes of one subtree (a host's) in pre-order. */
static void Dot_walkBelow(DotCtx* c, const TreeNode* top) {
   for (const TreeNode* n = top->first_child; n && n->depth > top->depth && !c->err;
        n = Tree_next(n, false))
      Dot_visit(c, n);
}

/* A fleet: each host's processes in a cluster of its own, then the edges
 * (a process node's id carries its host). */
static void Dot_fleet(DotCtx* c, const Tree* t) {
   const TreeNode* root = Tree_root(t);
   for (int pass = 0; pass < 2; pass++) {
      c->edges = pass == 1;
      for (const TreeNode* h = root->first_child; h; h = h->next) {
         if (h->kind != NODE_HOST)
            continue;
         c->host = h->nfolded;
         const Host* host = Fleet_hostC(c->fleet, c->host);
         if (!c->edges) {
            fprintf(c->f, "  subgraph \"cluster_h%zu\" {\n    label=\"", c->host);
            Dot_str(c, host->name);
            if (host->state != HOST_UP)
               fprintf(c->f, " (%s)\";\n    style=dashed", Host_stateName(host->state));
            else
               fputc('"', c->f);
            fputs(";\n", c->f);
         }
         Dot_walkBelow(c, h);
         if (!c->edges)
            fputs("  }\n", c->f);
      }
   }
}

int Dot_write(FILE* f, const Tree* t) {
   DotCtx c = {.f = f, .fleet = Tree_fleet(t)};
   U64Map_init(&c.seen);
   fputs("digraph visnet {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n"
         "  edge [fontname=\"monospace\", fontsize=9];\n",
         f);
   if (c.fleet)
      Dot_fleet(&c, t);
   else
      Tree_walk(t, NULL, NULL, Dot_visit, &c);
   fputs("}\n", f);
   U64Map_free(&c.seen);
   if (c.err < 0 || ferror(f))
      return -1;
   return 0;
}
