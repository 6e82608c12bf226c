/* fmt.h: text for the screen without curses: sanitizing strings from the
 * system, the line buffer with colour classes, and short number formats.
 * Kept apart from curses so that the unit tests can use it as is. */
#ifndef VISNET_TUI_FMT_H
#define VISNET_TUI_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

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

/* sanitize.c */
size_t San_append(char* out, size_t cap, const char* s, size_t slen, bool utf8);
int San_width(const char* s);

/* fmt.c: Buf and number formats */
void Buf_reset(Buf* b);
void Buf_cls(Buf* b, int cls);
void Buf_printf(Buf* b, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Buf_san(Buf* b, const char* s, bool utf8);
void Buf_field(Buf* b, const char* text, int width, bool right, bool utf8);
const char* Fmt_bytes(uint64_t v, char* buf, size_t len);
const char* Fmt_rate(double v, char* buf, size_t len);
const char* Fmt_age(uint64_t ns, char* buf, size_t len);
const char* Fmt_endpoint(const uint8_t addr[16], uint16_t port, char* buf, size_t len);

#endif
