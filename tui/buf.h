/* buf.h: a screen line without curses: the text, with colour classes, that
 * the drawing code fills and draw.c puts on the terminal. Strings and
 * figures take the one presentation of core/output/fmt.h. Kept apart from
 * curses so that the unit tests can use it as is. */
#ifndef VISNET_TUI_BUF_H
#define VISNET_TUI_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "fmt.h"

/* Colour classes, written into a formatted line as the bytes 0x01..0x0f
 * (sanitized text never contains control bytes, so they cannot clash). */
enum {
   CL_NORMAL = 1,
   CL_SECOND,
   CL_PROC,
   CL_ADDR,
   CL_PORT,
   CL_STATE,
   CL_LISTEN,
   CL_TREE,
   CL_HERE,
   CL_USER,
   CL_WARN,
   CL_HEAD,
   CL__COUNT
};

#define LINE_CAP 1536 /* bytes of one formatted line */

typedef struct Buf_ {
   char s[LINE_CAP];
   size_t len;
} Buf;

/* buf.c */
void Buf_reset(Buf* b);
void Buf_cls(Buf* b, int cls);
void Buf_printf(Buf* b, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Buf_san(Buf* b, const char* s, bool utf8);
void Buf_field(Buf* b, const char* text, int width, bool right, bool utf8);

#endif
