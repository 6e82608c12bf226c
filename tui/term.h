/* term.h: the terminal as every drawing file sees it: whether it has UTF-8
 * and colours, the attribute of each colour class, where the body lies
 * between header and footer, and the drawing of one classed line (buf.h)
 * that lets curses send only what changed. Nothing of the model. */
#ifndef VISNET_TUI_TERM_H
#define VISNET_TUI_TERM_H

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Pairs for whole lines. */
enum { PAIR_BAR = CL__COUNT, PAIR_SEL, PAIR_COLHDR, PAIR__COUNT };

typedef struct Term_ {
   bool utf8, color;
   attr_t attr[CL__COUNT];
   int body_y, body_h; /* the rows between header and footer */
} Term;

/* Colour schemes: the default, none (attributes only), high contrast
 * (bright, bold colours on black). */
typedef enum TermScheme_ { SCHEME_DEFAULT = 0, SCHEME_MONO, SCHEME_CONTRAST, SCHEME__COUNT } TermScheme;
/* The attribute of each colour class in a scheme; colours only if the
 * terminal has them. Needs curses started; may be called again. */
void Term_colors(Term* t, TermScheme scheme);
/* Draws s (escaped text with colour class bytes) at row y, clipped to the
 * screen width; the rest of the line is cleared, or filled with base when
 * fill is set (a bar, the selection). */
void Term_line(const Term* t, int y, const char* s, attr_t base, bool fill);
/* A bar's attribute: its colour pair, or reverse video without colours. */
attr_t Term_bar(const Term* t, short pair);

/* The wall clock of the UI's own timers (messages, rates), in ms. */
uint64_t Term_nowMs(void);

#endif
