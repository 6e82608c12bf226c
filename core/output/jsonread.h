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
   JSONREAD_READY,     /* the start-up snapshot has been written */
} JsonReadKind;

#define JSONREAD_HOST_LEN 64

/* What a hello line says of its stream. */
typedef struct JsonReadHello_ {
   uint64_t ts;                   /* the stream's clock at its start */
   char host[JSONREAD_HOST_LEN];  /* the host's own name */
   char visnet[48];               /* its version */
   char mode[48];                 /* live, fallback, replay */
} JsonReadHello;

#define JSONREAD_MAX_LINE (64 * 1024)
#define JSONREAD_MAX_DEPTH 16

/* Parses one line (without or with its newline). Returns its kind, with e
 * filled for JSONREAD_EVENT (fields it does not know are skipped: lines
 * may gain fields), or -1 with a one-line reason in err: not JSON, too
 * long or too deep, "v" other than 1, a known field of the wrong type or
 * out of range, an event without type, ts or pid. */
int JsonRead_line(const char* line, size_t len, Event* e, char* err, size_t errlen);
/* The same, and for a hello line, what it says in h (may be NULL). */
int JsonRead_stream(const char* line, size_t len, Event* e, JsonReadHello* h, char* err,
                    size_t errlen);

#endif
