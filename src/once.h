/* once.h: visnet --once: one snapshot printed as text, JSON or DOT. */
#ifndef VISNET_ONCE_H
#define VISNET_ONCE_H

#include "options.h"
#include "textout.h"

/* Takes a snapshot, builds the tree and prints it to stdout. Returns the
 * process exit code: 0, or 1 with a one-line message on stderr. */
int Once_run(const Options* o);
/* --once text's options: the width (--width, the terminal's, or whole
 * lines into a pipe), UTF-8 on a UTF-8 terminal. */
TextOutOpts Once_textOpts(const Options* o);

#endif
