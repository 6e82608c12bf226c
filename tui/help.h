/* help.h: the key reference shown by ? or F1, made from the key table
 * (keys.h), so that the two cannot drift apart. */
#ifndef VISNET_TUI_HELP_H
#define VISNET_TUI_HELP_H

#include "term.h"

void Help_draw(const Term* t);

#endif
