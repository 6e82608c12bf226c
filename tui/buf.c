/* buf.c: the line buffer the drawing code fills. */
#include "buf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void Buf_reset(Buf* b) {
   b->len = 0;
   b->s[0] = '\0';
}

void Buf_cls(Buf* b, int cls) {
   if (b->len + 1 < sizeof b->s) {
      b->s[b->len++] = (char)cls;
      b->s[b->len] = '\0';
   }
}

/* For text visnet makes itself (numbers, states, addresses): never from
 * outside, so it needs no sanitizing. */
void Buf_printf(Buf* b, const char* fmt, ...) {
   size_t room = sizeof b->s - b->len;
   if (room <= 1)
      return;
   va_list ap;
   va_start(ap, fmt);
   int n = vsnprintf(b->s + b->len, room, fmt, ap);
   va_end(ap);
   if (n < 0)
      return;
   b->len += (size_t)n < room ? (size_t)n : room - 1;
}

void Buf_san(Buf* b, const char* s, bool utf8) {
   if (!s)
      return;
   Fmt_escape(b->s + b->len, sizeof b->s - b->len, s, strlen(s), utf8, INT_MAX, NULL);
   b->len += strlen(b->s + b->len);
}

void Buf_field(Buf* b, const char* text, int width, bool right, bool utf8) {
   char tmp[256];
   int pad = width - Fmt_escape(tmp, sizeof tmp, text ? text : "", text ? strlen(text) : 0, utf8,
                                width, NULL);
   if (right)
      Buf_printf(b, "%*s", pad, "");
   Buf_printf(b, "%s", tmp);
   if (!right)
      Buf_printf(b, "%*s", pad, "");
}
