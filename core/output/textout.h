/* textout.h: the tree as plain text, like pstree + ss (visnet --once).
 *
 * Every line fits the given width (long fields are cut, marked with "…" or
 * "+" in ASCII), or is written whole (width 0: for pipes and files). Strings from the system are escaped as fmt.h says, never
 * written raw; byte counts are in fmt.h's units.
 * Unless all_procs is set, processes with no socket at or below them are
 * left out (kernel threads, idle daemons): it is a map of the network.
 * Sockets without owner say why first: [permission], [netns], [no process]. */
#ifndef VISNET_TEXTOUT_H
#define VISNET_TEXTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "store.h"
#include "tree.h"

#define TEXTOUT_MIN_WIDTH 20
#define TEXTOUT_MAX_WIDTH 16384 /* and what width 0 means: whole lines */

typedef struct TextOutOpts_ {
   int width;      /* columns; clamped to [TEXTOUT_MIN_WIDTH, TEXTOUT_MAX_WIDTH];
                      0: whole lines (up to TEXTOUT_MAX_WIDTH) */
   bool utf8;      /* UTF-8 line drawing and pass-through of printable UTF-8 */
   bool all_procs; /* also processes with no socket at or below them */
   bool numeric;   /* ports as numbers, not service names */
} TextOutOpts;

/* Writes the tree, one node per line. Returns 0, or -1 on a write error. */
int TextOut_write(FILE* f, const Tree* t, const TextOutOpts* o);

/* Process rows TextOut_write shows, and leaves out (all_procs false); of
 * those shown, how many only as the ancestors of others (context). */
typedef struct TextCount_ {
   size_t shown, hidden, context;
} TextCount;
void TextOut_countProcs(const Tree* t, bool all_procs, TextCount* out);

#endif
