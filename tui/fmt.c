/* fmt.c: the line buffer the drawing code fills, and short number formats
 * (bytes, rates, ages, endpoints) sized for narrow columns. */
#include "fmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

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
   b->len += San_append(b->s + b->len, sizeof b->s - b->len, s, strlen(s), utf8);
}

/* Cuts a sanitized string to at most width columns. */
static void clip(char* s, int width) {
   mbstate_t st;
   memset(&st, 0, sizeof st);
   int w = 0;
   char* p = s;
   size_t n = strlen(s);
   while (n > 0) {
      wchar_t wc;
      size_t k = mbrtowc(&wc, p, n, &st);
      int cw = 1;
      if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
         memset(&st, 0, sizeof st);
         k = 1;
      } else {
         cw = wcwidth(wc);
         if (cw < 0)
            cw = 0;
      }
      if (w + cw > width)
         break;
      w += cw;
      p += k;
      n -= k;
   }
   *p = '\0';
}

void Buf_field(Buf* b, const char* text, int width, bool right, bool utf8) {
   char tmp[256];
   San_append(tmp, sizeof tmp, text ? text : "", text ? strlen(text) : 0, utf8);
   clip(tmp, width);
   int pad = width - San_width(tmp);
   if (right)
      Buf_printf(b, "%*s", pad, "");
   Buf_printf(b, "%s", tmp);
   if (!right)
      Buf_printf(b, "%*s", pad, "");
}

static const char* scaled(double v, const char* unit, char* buf, size_t len) {
   static const char SUFFIX[] = "BKMGTP";
   int i = 0;
   while (v >= 1024.0 && i < 5) {
      v /= 1024.0;
      i++;
   }
   if (i == 0)
      snprintf(buf, len, "%.0f%s", v, unit);
   else if (v < 10.0)
      snprintf(buf, len, "%.1f%c%s", v, SUFFIX[i], unit);
   else
      snprintf(buf, len, "%.0f%c%s", v, SUFFIX[i], unit);
   return buf;
}

const char* Fmt_bytes(uint64_t v, char* buf, size_t len) {
   if (v < 1024) {
      snprintf(buf, len, "%uB", (unsigned)v);
      return buf;
   }
   return scaled((double)v, "", buf, len);
}

/* Blank when nothing moves, so an idle screen stays still. */
const char* Fmt_rate(double v, char* buf, size_t len) {
   if (v < 0.5) {
      snprintf(buf, len, "%s", "");
      return buf;
   }
   if (v < 1024.0) {
      snprintf(buf, len, "%.0fB", v);
      return buf;
   }
   return scaled(v, "", buf, len);
}

/* Coarse on purpose: past 10 s an age moves in 10 s steps, so that an idle
 * screen over ssh does not rewrite every age every second. */
const char* Fmt_age(uint64_t ns, char* buf, size_t len) {
   uint64_t s = ns / 1000000000ull;
   if (s < 10)
      snprintf(buf, len, "%us", (unsigned)s);
   else if (s < 60)
      snprintf(buf, len, "%us", (unsigned)(s / 10 * 10));
   else if (s < 3600)
      snprintf(buf, len, "%um", (unsigned)(s / 60));
   else if (s < 86400)
      snprintf(buf, len, "%uh%02um", (unsigned)(s / 3600), (unsigned)(s % 3600 / 60));
   else
      snprintf(buf, len, "%ud%02uh", (unsigned)(s / 86400), (unsigned)(s % 86400 / 3600));
   return buf;
}

const char* Fmt_endpoint(const uint8_t addr[16], uint16_t port, char* buf, size_t len) {
   char a[64];
   Addr_format(addr, a, sizeof a);
   /* A short buffer truncates the text; it stays NUL-terminated. */
   int n = Addr_isV4(addr) ? snprintf(buf, len, "%s:%u", a, port)
                           : snprintf(buf, len, "[%s]:%u", a, port);
   if (n < 0 && len)
      buf[0] = '\0';
   return buf;
}
