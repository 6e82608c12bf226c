/* help.c: the key reference shown by ? or F1. */
#include "ui_priv.h"

static const char* const HELP[] = {
    "\x0c Keys  (any key closes this help)",
    "  Up/Down j/k  move             PgUp/PgDn   page     Home/End g/G  first/last",
    "  Left h       collapse/parent  Right l     expand   Space         toggle",
    "  Enter i      details pane     / n N       search, next, previous match",
    "  \\ f          filter (keeps ancestors); Esc clears it",
    "  s S          sort key (pid, name, conns, bytes, last) / reverse it",
    "  v            view: tree, flat, by remote endpoint",
    "  t            show / hide exited processes and closed connections",
    "  p            prune every inactive entry now",
    "  a            automatic pruning after --prune-after seconds on / off",
    "  r            reverse DNS names on / off (looked up in the background)",
    "  z            freeze the display (collection goes on)",
    "  Ctrl-L       redraw the screen",
    "  q F10        quit",
    "",
    "  Dim rows are exited processes and closed connections, kept as history.",
    "  -> outbound connection, <- inbound (accepted), LISTEN listening socket.",
};

void Help_draw(Ui* ui) {
   int n = (int)(sizeof HELP / sizeof HELP[0]);
   for (int y = 0; y < ui->body_h; y++)
      Draw_line(ui, ui->body_y + y, y < n ? HELP[y] : "", y == 0 ? A_BOLD : A_NORMAL, false);
}
