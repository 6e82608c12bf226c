/* jsonread.h: reading visnet's own JSON Lines back (docs/JSON.md), for a
 * view fed by other visnets' streams. Strict JSON, bounded: a line is
 * either understood or refused with a reason, never half applied. */
#ifndef VISNET_JSONREAD_H
#define VISNET_JSONREAD_H

#include <stddef.h>

#include "event.h"

typedef enum {
   JSONREAD_EVENT = 1, /* an event line: e holds it */
   JSONREAD_HELLO,
   JSONREAD_BYE,
   JSONREAD_LOST,
   JSONREAD_OTHER,     /* a line type this reader does not know: skip it */
} JsonReadKind;

#define JSONREAD_MAX_LINE (64 * 1024)
#define JSONREAD_MAX_DEPTH 16

/* Parses one line (without or with its newline). Returns its kind, with e
 * filled for JSONREAD_EVENT (fields it does not know are skipped: lines
 * may gain fields), or -1 with a one-line reason in err: not JSON, too
 * long or too deep, "v" other than 1, a known field of the wrong type or
 * out of range, an event without type, ts or pid. */
int JsonRead_line(const char* line, size_t len, Event* e, char* err, size_t errlen);

#endif
