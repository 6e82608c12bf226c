/* help.c: the key reference (see help.h). */
#include "help.h"

#include "buf.h"
#include "keys.h"

#include <stdio.h>
#include <string.h>

#define HELP_COL 38 /* two bindings a line when both fit in this width */
#define HELP_MAX 60

static const char* const HELP_FOOT[] = {
    "  Dim rows are exited processes and closed connections, kept as history.",
    "  -> outbound connection, <- inbound (accepted), LISTEN listening socket.",
    "  Mouse: a click selects; on a column title sorts by it (again: inverts);",
    "    the wheel scrolls; a click on a fold marker opens or closes it.",
    "  Filter: words and field terms, all must hold; a,b = a or b; !term = not.",
    "    port: lport: rport: (number or service)  pid: proc:GLOB user:  proto:tcp|udp",
    "    state:listen|syn|estab|closing|closed|time-wait...  ip:ADDR[/LEN]  netns: unit:",
    "    e.g.  nginx port:443   ip:10.0.0.0/8 !port:22   proc:curl,wget state:closed",
};

/* One binding as "  label  what", NULL if it has no line of its own. */
static const char* Help_item(const KeyAction* k, char* buf, size_t len) {
   if (!k->label)
      return NULL;
   snprintf(buf, len, "  %-9s %s", k->label, k->what);
   return buf;
}

/* The lines of the help, made once. */
static int Help_lines(char lines[HELP_MAX][160]) {
   int n = 0;
   snprintf(lines[n++], 160, "\x0c Keys  (any key closes this help)");
   char a[120], b[120];
   for (const KeyAction* k = Keys_table; k->run && n < HELP_MAX - 10; k++) {
      const char* first = Help_item(k, a, sizeof a);
      if (!first)
         continue;
      const KeyAction* next = k + 1;
      while (next->run && !next->label)
         next++;
      const char* second = next->run ? Help_item(next, b, sizeof b) : NULL;
      if (second && strlen(first) < HELP_COL && strlen(second) < HELP_COL) {
         snprintf(lines[n++], 160, "%-*s%s", HELP_COL, first, second);
         k = next;
      } else {
         snprintf(lines[n++], 160, "%s", first);
      }
   }
   for (size_t i = 0; i < sizeof HELP_FOOT / sizeof HELP_FOOT[0] && n < HELP_MAX; i++)
      snprintf(lines[n++], 160, "%s", HELP_FOOT[i]);
   return n;
}

void Help_draw(const Term* t, const char* note) {
   static char lines[HELP_MAX][160];
   static int n;
   if (!n)
      n = Help_lines(lines);
   int y = 0;
   for (; y < t->body_h && y < n; y++)
      Term_line(t, t->body_y + y, lines[y], y == 0 ? A_BOLD : A_NORMAL, false);
   /* the header's note in full, wrapped to the width */
   size_t len = note ? strlen(note) : 0, w = COLS > 12 ? (size_t)COLS - 10 : 2;
   for (size_t at = 0; at < len && y < t->body_h; at += w, y++) {
      char part[600];
      snprintf(part, sizeof part, "%.*s", (int)w, note + at);
      Buf b;
      Buf_reset(&b);
      Buf_printf(&b, "%s", at ? "        " : "  Note: ");
      Buf_san(&b, part, t->utf8); /* a library's message: escaped */
      Term_line(t, t->body_y + y, b.s, A_NORMAL, false);
   }
   for (; y < t->body_h; y++)
      Term_line(t, t->body_y + y, "", A_NORMAL, false);
}
