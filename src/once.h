/* once.h: visnet --once: one snapshot printed as text, JSON or DOT. */
#ifndef VISNET_ONCE_H
#define VISNET_ONCE_H

#include "options.h"

/* Takes a snapshot, builds the tree and prints it to stdout. Returns the
 * process exit code: 0, or 1 with a one-line message on stderr. */
int Once_run(const Options* o);

#endif
