/* term.c: colours, and classed lines drawn in place (see term.h). */
#include "term.h"

#include <string.h>
#include <time.h>
#include <wchar.h>

uint64_t Term_nowMs(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void Term_colors(Term* t, TermScheme scheme) {
   for (int i = 0; i < CL__COUNT; i++)
      t->attr[i] = A_NORMAL;
   t->attr[CL_PROC] = A_BOLD;
   t->attr[CL_HEAD] = A_BOLD;
   t->attr[CL_HERE] = A_BOLD;
   t->attr[CL_WARN] = A_BOLD;
   t->color = scheme != SCHEME_MONO && has_colors();
   if (!t->color)
      return;
   start_color();
   bool hc = scheme == SCHEME_CONTRAST;
   /* -1 is the terminal's own colour, when it lets us keep it; high
    * contrast paints its own black */
   short dflt = !hc && use_default_colors() == OK ? -1 : COLOR_WHITE;
   static const struct {
      int cls, fg, bg;
      attr_t extra;
   } MAP[] = {
       {CL_SECOND, COLOR_CYAN, -1, 0},
       {CL_PROC, -1, -1, A_BOLD},
       {CL_ADDR, COLOR_GREEN, -1, 0},
       {CL_PORT, COLOR_GREEN, -1, A_BOLD},
       {CL_STATE, COLOR_YELLOW, -1, 0},
       {CL_LISTEN, COLOR_MAGENTA, -1, A_BOLD},
       {CL_TREE, COLOR_BLUE, -1, A_BOLD},
       {CL_HERE, COLOR_RED, -1, A_BOLD},
       {CL_USER, -1, -1, 0},
       {CL_WARN, COLOR_RED, -1, A_BOLD},
       {CL_HEAD, COLOR_CYAN, -1, A_BOLD},
       {CL_NORMAL, -1, -1, 0},
   };
   for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++) {
      short fg = MAP[i].fg < 0 ? dflt : (short)MAP[i].fg;
      if (hc && fg == COLOR_BLUE) /* dark blue on black is hard to read */
         fg = COLOR_CYAN;
      short bg = MAP[i].bg < 0 ? (dflt < 0 ? -1 : COLOR_BLACK) : (short)MAP[i].bg;
      if (MAP[i].cls == CL_NORMAL && !hc)
         continue; /* the terminal's own */
      init_pair((short)MAP[i].cls, fg, bg);
      t->attr[MAP[i].cls] = COLOR_PAIR(MAP[i].cls) | MAP[i].extra | (hc ? A_BOLD : 0);
   }
   init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
   init_pair(PAIR_SEL, COLOR_BLACK, hc ? COLOR_YELLOW : COLOR_CYAN);
   init_pair(PAIR_COLHDR, COLOR_BLACK, hc ? COLOR_WHITE : COLOR_GREEN);
}

attr_t Term_bar(const Term* t, short pair) {
   return t->color ? COLOR_PAIR(pair) : A_REVERSE;
}

static attr_t segAttr(const Term* t, attr_t base, int cls) {
   attr_t a = t->attr[cls];
   if (base & A_COLOR)
      a &= ~A_COLOR;
   return base | a;
}

void Term_line(const Term* t, int y, const char* s, attr_t base, bool fill) {
   int width = COLS;
   int x = 0;
   wchar_t wbuf[LINE_CAP];
   size_t wn = 0;
   attr_t cur = segAttr(t, base, CL_NORMAL);
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
         cur = segAttr(t, base, (unsigned char)*p);
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
