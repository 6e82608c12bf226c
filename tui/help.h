/* help.h: the key reference shown by ? or F1, made from the key table
 * (keys.h), so that the two cannot drift apart. */
#ifndef VISNET_TUI_HELP_H
#define VISNET_TUI_HELP_H

#include "term.h"

/* note: the source's whole note (why the probe is not in use, ...), which
 * the header may have had to cut; NULL or "" for none. */
void Help_draw(const Term* t, const char* note);

#endif
