/* actions.c: signal, close, copy (see actions.h). */
#include "actions.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "ui_priv.h"

#define KEY_ESC 27

static const struct {
   const char* name;
   int sig;
} SIGNALS[] = {
    {"TERM", 15}, {"INT", 2},   {"HUP", 1},   {"KILL", 9},  {"QUIT", 3},
    {"USR1", 10}, {"USR2", 12}, {"STOP", 19}, {"CONT", 18},
};
#define NSIGNALS (int)(sizeof SIGNALS / sizeof SIGNALS[0])

static const char* sigName(int sig) {
   for (int i = 0; i < NSIGNALS; i++)
      if (SIGNALS[i].sig == sig)
         return SIGNALS[i].name;
   return "?";
}

/* The process a row stands for: its own, or its connection's owner. */
static const Proc* rowProc(const TreeNode* n) {
   if (!n)
      return NULL;
   if (n->kind == NODE_EP_PROC && n->edge)
      return n->edge->proc;
   return n->proc;
}

static bool refused(Ui* ui) {
   if (!ui->opts.no_actions)
      return false;
   Ui_message(ui, "%s", ui->opts.no_actions);
   return true;
}

static void name(const Proc* p, char* buf, size_t len) {
   char comm[VN_COMM_LEN * 4 + 1];
   (void)Fmt_escape(comm, sizeof comm, p->comm, strnlen(p->comm, VN_COMM_LEN), true, 64, NULL);
   snprintf(buf, len, "%s[%u]", comm, p->pid);
}

static UiAction* begin(Ui* ui, UiActionKind kind) {
   UiAction* a = &ui->action.act;
   memset(a, 0, sizeof *a);
   a->kind = kind;
   return a;
}

void Actions_signal(Ui* ui) {
   const Proc* p = rowProc(Rows_selected(&ui->rows));
   if (refused(ui))
      return;
   if (!p || !Proc_isAlive(p)) {
      Ui_message(ui,
                 p ? "that process has exited" : "select a process (or one of its connections)");
      return;
   }
   UiAction* a = begin(ui, UI_ACT_SIGNAL);
   a->pid = p->pid;
   a->start = p->start;
   name(p, a->target, sizeof a->target);
   ui->action.mode = 1;
   ui->action.sel = 0;
}

void Actions_close(Ui* ui) {
   const TreeNode* n = Rows_selected(&ui->rows);
   if (refused(ui))
      return;
   const Sock* k = n && n->kind == NODE_SOCK ? n->sock : NULL;
   if (!k || k->key.proto != IPPROTO_TCP || !Sock_isActive(k) || Sock_isListen(k) || k->merged) {
      Ui_message(ui, "select an open TCP connection to close it");
      return;
   }
   UiAction* a = begin(ui, UI_ACT_CLOSE);
   a->family = k->family;
   a->key = k->key;
   char l[64], r[64], who[96] = "no process";
   if (k->proc)
      name(k->proc, who, sizeof who);
   snprintf(a->target, sizeof a->target, "tcp %s -> %s of %s",
            Fmt_endpoint(k->key.laddr, k->key.lport, l, sizeof l),
            Fmt_endpoint(k->key.raddr, k->key.rport, r, sizeof r), who);
   ui->action.mode = 2;
}

/* ---- copy ---- */

static void base64(const char* in, size_t n, char* out) {
   static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
   size_t o = 0;
   for (size_t i = 0; i < n; i += 3) {
      unsigned v = (unsigned char)in[i] << 16;
      if (i + 1 < n)
         v |= (unsigned char)in[i + 1] << 8;
      if (i + 2 < n)
         v |= (unsigned char)in[i + 2];
      out[o++] = A[v >> 18 & 63];
      out[o++] = A[v >> 12 & 63];
      out[o++] = i + 1 < n ? A[v >> 6 & 63] : '=';
      out[o++] = i + 2 < n ? A[v & 63] : '=';
   }
   out[o] = '\0';
}

/* The selected row as one line: a connection with its process, a remote
 * with its process, a process. */
static bool rowLine(const TreeNode* n, char* buf, size_t len) {
   const Proc* p = rowProc(n);
   char who[96] = "", a[64], b[64];
   if (p)
      name(p, who, sizeof who);
   if (n && n->sock && n->kind != NODE_FOLD) {
      const Sock* k = n->sock;
      if (Sock_isListen(k))
         snprintf(buf, len, "%s listen %s %s", k->key.proto == IPPROTO_UDP ? "udp" : "tcp",
                  Fmt_endpoint(k->key.laddr, k->key.lport, a, sizeof a), who);
      else
         snprintf(buf, len, "%s %s -> %s %s", k->key.proto == IPPROTO_UDP ? "udp" : "tcp",
                  Fmt_endpoint(k->key.laddr, k->key.lport, a, sizeof a),
                  Fmt_endpoint(k->key.raddr, k->key.rport, b, sizeof b), who);
   } else if (n && n->ep) {
      snprintf(buf, len, "%s %s", Addr_format(n->ep->addr, a, sizeof a), who);
   } else if (p) {
      snprintf(buf, len, "%s", who);
   } else {
      return false;
   }
   return true;
}

void Actions_copy(Ui* ui) {
   char text[300], b64[420], seq[440];
   if (!rowLine(Rows_selected(&ui->rows), text, sizeof text)) {
      Ui_message(ui, "nothing to copy on this row");
      return;
   }
   base64(text, strlen(text), b64);
   /* OSC 52: the terminal (or tmux with set-clipboard on) puts it in the
    * clipboard, through ssh too; one that does not ignores it, and the
    * footer shows the text to copy by hand */
   int n = snprintf(seq, sizeof seq, "\033]52;c;%s\a", b64);
   fflush(stdout);
   if (n > 0 && fwrite(seq, 1, (size_t)n, stdout) == (size_t)n)
      fflush(stdout);
   Ui_message(ui, "copied: %s", text);
}

/* ---- the menu and the confirmation ---- */

bool Actions_key(Ui* ui, int ch) {
   UiAction* a = &ui->action.act;
   if (ui->action.mode == 1) {
      if (ch == KEY_UP || ch == 'k')
         ui->action.sel = (ui->action.sel + NSIGNALS - 1) % NSIGNALS;
      else if (ch == KEY_DOWN || ch == 'j')
         ui->action.sel = (ui->action.sel + 1) % NSIGNALS;
      else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
         a->sig = SIGNALS[ui->action.sel].sig;
         ui->action.mode = 2;
      } else if (ch == KEY_ESC || ch == 'q' || ch == KEY_F(9)) {
         ui->action.mode = 0;
      }
      return true;
   }
   if (ui->action.mode == 2) {
      ui->action.mode = 0;
      if (ch == 'y' || ch == 'Y')
         ui->cmd = UI_CMD_ACTION;
      else
         Ui_message(ui, "cancelled: nothing was done");
      return true;
   }
   return false;
}

void Actions_drawMenu(Ui* ui) {
   const Term* t = &ui->term;
   Buf b;
   int y = 0;
   Buf_reset(&b);
   Buf_printf(&b, "Send a signal to ");
   Buf_san(&b, ui->action.act.target, t->utf8);
   Buf_printf(&b, "  (Up/Down choose, Enter sends after a y, Esc cancels)");
   Term_line(t, t->body_y + y++, b.s, A_BOLD, false);
   for (int i = 0; i < NSIGNALS && y < t->body_h; i++, y++) {
      Buf_reset(&b);
      Buf_printf(&b, "  %2d SIG%s", SIGNALS[i].sig, SIGNALS[i].name);
      bool sel = i == ui->action.sel;
      attr_t base = sel ? (t->color ? COLOR_PAIR(PAIR_SEL) : A_REVERSE) : A_NORMAL;
      Term_line(t, t->body_y + y, b.s, base, sel);
   }
   for (; y < t->body_h; y++)
      Term_line(t, t->body_y + y, "", A_NORMAL, false);
}

bool Actions_prompt(const Ui* ui, Buf* b) {
   if (ui->action.mode != 2)
      return false;
   const UiAction* a = &ui->action.act;
   if (a->kind == UI_ACT_SIGNAL)
      Buf_printf(b, "Send SIG%s (%d) to ", sigName(a->sig), a->sig);
   else
      Buf_printf(b, "Close (reset both ends) ");
   Buf_san(b, a->target, true);
   Buf_printf(b, "?  y: yes, any other key: no");
   return true;
}
