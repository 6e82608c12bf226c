/* draw.c: one frame: header, column titles, the rows, the footer.
 *
 * Every line is drawn in place and cleared to its end; the screen is never
 * erased, so curses' own diff sends only the cells that changed (an idle
 * screen sends nothing but the clock, once a second). */
#include "ui_priv.h"

#include <string.h>
#include <time.h>
#include <wchar.h>

#define W_PID 7
#define W_USER 8
#define W_CONN 5
#define W_RATE 6

static const char* glyph(Ui* ui, const char* utf8, const char* ascii) {
   return ui->utf8 ? utf8 : ascii;
}

/* The names of --view, which the user typed. */
const char* Draw_viewName(TreeView v) {
   static const char* const NAMES[VIEW__COUNT] = {"tree", "flat", "remote"};
   return (unsigned)v < VIEW__COUNT ? NAMES[v] : "?";
}

static attr_t segAttr(Ui* ui, attr_t base, int cls) {
   attr_t a = ui->attr[cls];
   if (base & A_COLOR)
      a &= ~A_COLOR;
   return base | a;
}

/* Draws s (sanitized text with colour class bytes) at row y, clipped to
 * the screen width; the rest of the line is cleared, or filled with base
 * when fill is set (selection bar). */
void Draw_line(Ui* ui, int y, const char* s, attr_t base, bool fill) {
   int width = COLS;
   int x = 0;
   wchar_t wbuf[LINE_CAP];
   size_t wn = 0;
   attr_t cur = segAttr(ui, base, CL_NORMAL);
   mbstate_t st;
   memset(&st, 0, sizeof st);
   move(y, 0);
   size_t n = strlen(s);
   const char* p = s;
   for (;;) {
      bool end = n == 0 || x >= width;
      bool cls = !end && (unsigned char)*p < CL__COUNT;
      if ((end || cls) && wn > 0) {
         attrset(cur);
         addnwstr(wbuf, (int)wn);
         wn = 0;
      }
      if (end)
         break;
      if (cls) {
         cur = segAttr(ui, base, (unsigned char)*p);
         p++, n--;
         continue;
      }
      wchar_t wc;
      size_t k = mbrtowc(&wc, p, n, &st);
      if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
         memset(&st, 0, sizeof st);
         wc = L'?';
         k = 1;
      }
      int cw = wcwidth(wc);
      if (cw < 0)
         wc = L'?', cw = 1;
      if (x + cw > width)
         break;
      if (wn < LINE_CAP - 1)
         wbuf[wn++] = wc;
      x += cw;
      p += k;
      n -= k;
   }
   attrset(base);
   if (fill) {
      for (; x < width; x++)
         addch(' ');
   } else if (x < width) {
      clrtoeol();
   }
   attrset(A_NORMAL);
}

static void treePrefix(Ui* ui, const TreeNode* n, Buf* b) {
   if (n->depth == 0)
      return;
   const TreeNode* chain[64];
   int k = 0;
   for (const TreeNode* a = n->parent; a && a->depth >= 1 && k < 64; a = a->parent)
      chain[k++] = a;
   Buf_cls(b, CL_TREE);
   /* two columns a level, as pstree does: deep trees still fit in 80 */
   while (k-- > 0)
      Buf_printf(b, "%s", chain[k]->next ? glyph(ui, "\u2502 ", "| ") : "  ");
   Buf_printf(b, "%s", n->next ? glyph(ui, "\u251c\u2500", "|-") : glyph(ui, "\u2514\u2500", "`-"));
   Buf_cls(b, CL_NORMAL);
}

static void ago(Ui* ui, Buf* b, const char* what, uint64_t since) {
   char t[32];
   uint64_t now = Ui_nowNs(ui);
   Buf_cls(b, CL_SECOND);
   if (since && now >= since)
      Buf_printf(b, "  %s %s ago", what, Fmt_age(now - since, t, sizeof t));
   else
      Buf_printf(b, "  %s", what);
}

static void columns(Ui* ui, const TreeNode* n, Buf* b, const Proc* p, bool conns) {
   char t[32];
   if (p) {
      Buf_printf(b, "%*u ", W_PID, p->pid);
      Buf_cls(b, CL_USER);
      Buf_field(b, Ui_userName(ui, p->uid), W_USER, false, ui->utf8);
      Buf_cls(b, CL_NORMAL);
      Buf_printf(b, " ");
   } else {
      Buf_printf(b, "%*s", W_PID + W_USER + 2, "");
   }
   if (conns)
      Buf_printf(b, "%*u ", W_CONN, n->nconns);
   else
      Buf_printf(b, "%*s ", W_CONN, "");
   const Rate* r = ui->frozen ? NULL : Rows_rate(ui, n->key);
   Buf_printf(b, "%*s ", W_RATE, Fmt_rate(r ? r->up : 0, t, sizeof t));
   Buf_printf(b, "%*s  ", W_RATE, Fmt_rate(r ? r->down : 0, t, sizeof t));
}

static void procText(Ui* ui, const Proc* p, Buf* b) {
   Buf_cls(b, CL_PROC);
   Buf_san(b, p->comm, ui->utf8);
   if (p->cmdline && p->cmdline[0]) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  ");
      Buf_san(b, p->cmdline, ui->utf8);
   }
   if (!Proc_isAlive(p))
      ago(ui, b, "exited", p->exited);
}

static void bytes(Ui* ui, Buf* b, uint64_t tx, uint64_t rx) {
   char t1[32], t2[32];
   Buf_cls(b, CL_SECOND);
   if (ui->utf8)
      Buf_printf(b, "  \u2191%s \u2193%s", Fmt_bytes(tx, t1, sizeof t1),
                 Fmt_bytes(rx, t2, sizeof t2));
   else
      Buf_printf(b, "  tx %s rx %s", Fmt_bytes(tx, t1, sizeof t1), Fmt_bytes(rx, t2, sizeof t2));
}

/* Kept for the UI's owner to look up (Ui_unnamed), once each. */
static void noteUnnamed(Ui* ui, const uint8_t addr[16]) {
   for (size_t i = 0; i < ui->nunnamed; i++)
      if (memcmp(ui->unnamed[i], addr, 16) == 0)
         return;
   if (ui->nunnamed < UI_UNNAMED_MAX)
      memcpy(ui->unnamed[ui->nunnamed++], addr, 16);
}

static void addrText(Ui* ui, const Endpoint* ep, const uint8_t addr[16], Buf* b) {
   char a[64];
   if (ui->dns && ep && ep->name) {
      Buf_cls(b, CL_ADDR);
      Buf_san(b, ep->name, ui->utf8);
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, " %s", Addr_format(addr, a, sizeof a));
   } else {
      if (ui->dns && ep)
         noteUnnamed(ui, addr);
      Buf_cls(b, CL_ADDR);
      Buf_printf(b, "%s", Addr_format(addr, a, sizeof a));
   }
}

static bool isHere(Ui* ui, const Sock* k) {
   return ui->have_ssh && k->key.lport == ui->ssh_sport && k->key.rport == ui->ssh_cport &&
          memcmp(k->key.laddr, ui->ssh_server, 16) == 0 &&
          memcmp(k->key.raddr, ui->ssh_client, 16) == 0;
}

static void sockText(Ui* ui, const Sock* k, Buf* b) {
   char t[64];
   const Endpoint* ep = k->edge ? k->edge->ep : NULL;
   Buf_cls(b, CL_TREE);
   Buf_printf(b, "%s ", k->dir == DIR_IN ? glyph(ui, "\u2190", "<-") : glyph(ui, "\u2192", "->"));
   if (!Addr_isV4(k->key.raddr))
      Buf_printf(b, "[");
   addrText(ui, ep, k->key.raddr, b);
   if (!Addr_isV4(k->key.raddr))
      Buf_printf(b, "]");
   Buf_cls(b, CL_PORT);
   Buf_printf(b, ":%u", k->key.rport);
   Buf_cls(b, CL_SECOND);
   if (k->dir == DIR_IN)
      Buf_printf(b, " on :%u", k->key.lport);
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
   if (isHere(ui, k)) {
      Buf_cls(b, CL_HERE);
      Buf_printf(b, " %s you are here", glyph(ui, "\u25c0", "<=="));
   }
   bytes(ui, b, k->tx, k->rx);
   if (Sock_isActive(k)) {
      uint64_t now = Ui_nowNs(ui);
      if (k->opened && now >= k->opened)
         Buf_printf(b, "  %s", Fmt_age(now - k->opened, t, sizeof t));
   } else {
      ago(ui, b, "closed", k->closed);
   }
   if (!k->proc && k->noowner) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  (%s)", Event_noOwnerName(k->noowner));
   }
}

static void listenText(Ui* ui, const Sock* k, Buf* b) {
   char t[80];
   Buf_cls(b, CL_LISTEN);
   if (k->key.proto == 17)
      Buf_printf(b, "udp ");
   else
      Buf_printf(b, "%s ", k->state == TCPS_LISTEN ? "LISTEN" : Event_tcpStateName(k->state));
   Buf_cls(b, CL_PORT);
   Buf_printf(b, "%s", Fmt_endpoint(k->key.laddr, k->key.lport, t, sizeof t));
   if (k->key.proto != 17) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, " tcp");
   }
   if (!Sock_isActive(k))
      ago(ui, b, "closed", k->closed);
   if (!k->proc && k->noowner) {
      Buf_cls(b, CL_SECOND);
      Buf_printf(b, "  (%s)", Event_noOwnerName(k->noowner));
   }
}

/* The whole text of a row, tree lines included, without the selection. */
void Draw_formatRow(Ui* ui, const TreeNode* n, Buf* b) {
   Buf_reset(b);
   Buf_cls(b, CL_NORMAL);
   const Proc* p = NULL;
   if (n->kind == NODE_PROC)
      p = n->proc;
   else if (n->kind == NODE_EP_PROC)
      p = n->edge ? n->edge->proc : n->proc;
   columns(ui, n, b, p, n->kind != NODE_SOCK && n->kind != NODE_LISTEN);
   treePrefix(ui, n, b);
   switch (n->kind) {
   case NODE_PROC:
   case NODE_EP_PROC:
      if (p)
         procText(ui, p, b);
      if (n->kind == NODE_EP_PROC && n->edge)
         bytes(ui, b, n->edge->tx, n->edge->rx);
      break;
   case NODE_EDGE:
      if (n->edge) {
         addrText(ui, n->edge->ep, n->edge->ep->addr, b);
         bytes(ui, b, n->edge->tx, n->edge->rx);
         if (!Edge_isActive(n->edge))
            ago(ui, b, "inactive", n->edge->inactive_since);
      }
      break;
   case NODE_ENDPOINT:
      if (n->ep) {
         addrText(ui, n->ep, n->ep->addr, b);
         Buf_cls(b, CL_SECOND);
         Buf_printf(b, "  %u process%s", n->nchildren, n->nchildren == 1 ? "" : "es");
         bytes(ui, b, n->ep->tx, n->ep->rx);
      }
      break;
   case NODE_SOCK:
      if (n->sock)
         sockText(ui, n->sock, b);
      break;
   case NODE_LISTEN:
      if (n->sock)
         listenText(ui, n->sock, b);
      break;
   case NODE_ORPHANS:
      Buf_cls(b, CL_WARN);
      Buf_printf(b, "(sockets without a known owner)");
      break;
   default:
      break;
   }
}

static void header(Ui* ui, Store* s) {
   Buf b;
   StoreStats ss;
   memset(&ss, 0, sizeof ss);
   if (s)
      Store_stats(s, &ss);
   const UiStatus* st = ui->have_st ? &ui->st : NULL;

   Buf_reset(&b);
   Buf_cls(&b, CL_HEAD);
   Buf_printf(&b, "visnet ");
   Buf_cls(&b, CL_NORMAL);
   Buf_san(&b, ui->host, ui->utf8);
   Buf_cls(&b, CL_SECOND);
   Buf_printf(&b, "  kernel ");
   Buf_san(&b, ui->kernel, ui->utf8);
   Buf_cls(&b, CL_HEAD);
   Buf_printf(&b, "  %s", st && st->mode ? st->mode : "");
   if (st && st->note && st->note[0]) {
      Buf_cls(&b, CL_WARN);
      Buf_printf(&b, "  (");
      Buf_san(&b, st->note, ui->utf8);
      Buf_printf(&b, ")");
   }
   Draw_line(ui, 0, b.s, A_NORMAL, false);
   time_t t = time(NULL);
   struct tm tm;
   localtime_r(&t, &tm);
   if (COLS > 70) {
      char clk[16];
      strftime(clk, sizeof clk, "%H:%M:%S", &tm);
      attrset(ui->attr[CL_HEAD]);
      mvaddstr(0, COLS - 9, " ");
      addstr(clk);
      attrset(A_NORMAL);
   }

   Buf_reset(&b);
   Buf_printf(&b, "procs %zu (%zu alive)  conns %zu active, %zu inactive  remotes %zu", ss.procs,
              ss.procs_alive, ss.socks_active, ss.socks - ss.socks_active, ss.endpoints);
   if (st)
      Buf_printf(&b, "  events/s %.0f  lost %llu", st->events_per_s, (unsigned long long)st->lost);
   if (st && st->untracked)
      Buf_printf(&b, "  untracked %llu", (unsigned long long)st->untracked);
   Draw_line(ui, 1, b.s, A_NORMAL, false);

   Buf_reset(&b);
   Buf_printf(&b, "view %s  sort %s %s", Draw_viewName(ui->topts.view),
              Tree_sortName(ui->topts.sort),
              ui->topts.descending ? glyph(ui, "\u25bc", "desc") : glyph(ui, "\u25b2", "asc"));
   if (ui->filter[0]) {
      Buf_printf(&b, "  filter \"");
      Buf_san(&b, ui->filter, ui->utf8);
      Buf_printf(&b, "\"");
   }
   if (ui->topts.root_pid)
      Buf_printf(&b, "  pid %u", ui->topts.root_pid);
   Buf_printf(&b, "  inactive %s", ui->topts.show_inactive ? "shown" : "hidden");
   if (ui->auto_prune)
      Buf_printf(&b, "  auto-prune %llus", (unsigned long long)ui->opts.prune_after_s);
   if (ui->dns)
      Buf_printf(&b, "  dns");
   if (ui->frozen) {
      Buf_cls(&b, CL_WARN);
      Buf_printf(&b, "  FROZEN (z resumes)");
   }
   Draw_line(ui, 2, b.s, A_NORMAL, false);

   Buf_reset(&b);
   Buf_printf(&b, "%*s %-*s %*s %*s %*s  %s", W_PID, "PID", W_USER, "USER", W_CONN, "CONNS", W_RATE,
              "UP/s", W_RATE, "DOWN/s",
              ui->topts.view == VIEW_ENDPOINT ? "REMOTE / PROCESS" : "PROCESS / REMOTE");
   Draw_line(ui, 3, b.s, ui->color ? COLOR_PAIR(PAIR_COLHDR) : A_REVERSE, true);
}

static void footer(Ui* ui) {
   Buf b;
   Buf_reset(&b);
   int y = LINES - 1;
   if (ui->prompt != PROMPT_NONE) {
      Buf_printf(&b, "%s: ", ui->prompt == PROMPT_SEARCH ? "Search" : "Filter");
      Buf_san(&b, ui->input, ui->utf8);
      Buf_printf(&b, "_   (Enter accept, Esc cancel)");
      Draw_line(ui, y, b.s, A_NORMAL, false);
      return;
   }
   if (ui->msg[0] && Ui_nowMs() < ui->msg_until_ms) {
      Buf_san(&b, ui->msg, ui->utf8);
      Draw_line(ui, y, b.s, A_BOLD, false);
      return;
   }
   ui->msg[0] = '\0';
   Buf_printf(&b, "F1 help  / search  \\ filter  s sort  v view  t inactive  p prune  q quit");
   Draw_line(ui, y, b.s, ui->color ? COLOR_PAIR(PAIR_BAR) : A_REVERSE, true);
}

static void body(Ui* ui) {
   Buf b;
   int y0 = ui->body_y;
   if (ui->nrows == 0) {
      Draw_line(ui, y0,
                ui->filter[0] ? "  (nothing matches the filter; Esc clears it)"
                              : "  (nothing to show yet)",
                A_NORMAL, false);
      for (int y = 1; y < ui->body_h; y++)
         Draw_line(ui, y0 + y, "", A_NORMAL, false);
      return;
   }
   Rows_sampleRates(ui);
   for (int y = 0; y < ui->body_h; y++) {
      size_t i = ui->top + (size_t)y;
      if (i >= ui->nrows) {
         Draw_line(ui, y0 + y, "", A_NORMAL, false);
         continue;
      }
      const Row* r = &ui->rows[i];
      const char* text = r->text;
      if (!text) {
         Draw_formatRow(ui, r->n, &b);
         text = b.s;
      }
      attr_t base = r->active ? A_NORMAL : A_DIM;
      bool sel = i == ui->sel;
      if (sel)
         base = ui->color ? (COLOR_PAIR(PAIR_SEL) | (base & A_DIM)) : (A_REVERSE | base);
      Draw_line(ui, y0 + y, text, base, sel);
   }
}

void Draw_frame(Ui* ui, Store* s) {
   if (COLS < 60 || LINES < 10) {
      char m[96];
      snprintf(m, sizeof m, "terminal too small (%dx%d), need at least 60x10", COLS, LINES);
      Draw_line(ui, 0, m, A_NORMAL, false);
      move(1, 0);
      clrtobot();
      wnoutrefresh(stdscr);
      doupdate();
      return;
   }
   ui->body_y = 4;
   ui->body_h = LINES - 5;
   Rows_ensure(ui, s);
   Rows_select(ui, ui->sel);
   header(ui, s);
   if (ui->help)
      Help_draw(ui);
   else if (ui->details)
      Details_draw(ui, s);
   else
      body(ui);
   footer(ui);
   wnoutrefresh(stdscr);
   doupdate();
}
