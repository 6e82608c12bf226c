/* mouse.c: the mouse (see mouse.h). */
#include "mouse.h"

#include <wchar.h>

#include "keys.h"
#include "ui_priv.h"

#define WHEEL_ROWS 3

void Mouse_enable(bool on) {
   mmask_t want = on ? BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0;
   mousemask(want, NULL);
   mouseinterval(0); /* a press is a click at once: no wait for a double */
}

/* Is the cell at (y, x) a fold marker, as rowtext draws them? */
static bool Mouse_onMarker(int y, int x) {
   cchar_t cc;
   wchar_t wc[CCHARW_MAX + 1];
   attr_t a;
   short pair;
   if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
      return false;
   return wc[0] == L'\u25b8' || wc[0] == L'\u25be' || wc[0] == L'+';
}

static void Mouse_sortBy(Ui* ui, int x) {
   int key = RowText_columnAt(&ui->text, x);
   if (key < 0)
      return;
   TreeOpts* o = &ui->rows.topts;
   if (o->sort == (SortKey)key) {
      o->descending = !o->descending;
   } else {
      o->sort = (SortKey)key;
      o->descending = Tree_sortDescending(o->sort);
   }
   ui->rows.dirty = true;
   Ui_message(ui, "sort by %s, %s", Tree_sortName(o->sort),
              o->descending ? "descending" : "ascending");
}

static void Mouse_click(Ui* ui, Store* s, int y, int x) {
   Rows* r = &ui->rows;
   if (y == ui->term.body_y - 1) { /* the column titles */
      Mouse_sortBy(ui, x);
      return;
   }
   if (y < ui->term.body_y || y >= ui->term.body_y + ui->term.body_h)
      return;
   size_t i = r->top + (size_t)(y - ui->term.body_y);
   if (i >= r->n)
      return;
   Rows_choose(r, i);
   if (Mouse_onMarker(y, x))
      Keys_handle(ui, s, ' '); /* what Space does to the selected row */
}

void Mouse_event(Ui* ui, Store* s) {
   MEVENT ev;
   if (getmouse(&ev) != OK)
      return;
   if (ui->help || ui->setup.open || ui->prompt.kind != PROMPT_NONE)
      return;
   if (ui->details.open) {
      if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
         Details_scroll(&ui->details, ev.bstate & BUTTON4_PRESSED ? -WHEEL_ROWS : WHEEL_ROWS);
      return;
   }
   if (ev.bstate & BUTTON4_PRESSED)
      Rows_move(&ui->rows, -WHEEL_ROWS);
   else if (ev.bstate & BUTTON5_PRESSED)
      Rows_move(&ui->rows, WHEEL_ROWS);
   else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
      Mouse_click(ui, s, ev.y, ev.x);
}
