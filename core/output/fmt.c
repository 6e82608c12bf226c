/* fmt.c: the one presentation of strings and figures (see fmt.h). */
#include "fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "event.h"

int Fmt_utf8(const unsigned char* s, size_t len, uint32_t* cp) {
   unsigned c = s[0];
   int n;
   uint32_t v;
   unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
   if (c >= 0xc2 && c <= 0xdf) {
      n = 2, v = c & 0x1f;
   } else if (c >= 0xe0 && c <= 0xef) {
      n = 3, v = c & 0x0f;
      if (c == 0xe0)
         lo = 0xa0; /* overlong */
      else if (c == 0xed)
         hi = 0x9f; /* surrogates */
   } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4, v = c & 0x07;
      if (c == 0xf0)
         lo = 0x90; /* overlong */
      else if (c == 0xf4)
         hi = 0x8f; /* above U+10FFFF */
   } else {
      return -1; /* ASCII, stray continuation, C0/C1 overlong lead, F5..FF */
   }
   for (int i = 1; i < n; i++) {
      if ((size_t)i >= len)
         return -i;
      unsigned d = s[i];
      if (i == 1 ? (d < lo || d > hi) : (d & 0xc0) != 0x80)
         return -i;
      v = (v << 6) | (d & 0x3f);
   }
   *cp = v;
   return n;
}

/* Bidirectional controls reorder what follows them on screen, and line
 * separators may break a row: never shown as themselves. */
static bool Fmt_tricky(uint32_t cp) {
   return cp < 0xa0 || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
          (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
          cp == 0x2029;
}

/* Columns of a printable code point, or -1. In a single-byte locale the C
 * library cannot tell (only DOT asks for UTF-8 there): taken as one. */
static int Fmt_cpWidth(uint32_t cp) {
   if (Fmt_tricky(cp))
      return -1;
   if (MB_CUR_MAX == 1)
      return 1;
   int w = wcwidth((wchar_t)cp);
   return w > 0 && iswprint((wint_t)cp) ? w : -1;
}

int Fmt_escChar(const char* s, size_t len, size_t* i, bool utf8, char piece[16]) {
   const unsigned char* u = (const unsigned char*)s + *i;
   unsigned char c = u[0];
   if (c >= 0x20 && c < 0x7f && c != '\\') {
      piece[0] = (char)c;
      piece[1] = '\0';
      (*i)++;
      return 1;
   }
   if (c == 0x1b || c == '\\') {
      snprintf(piece, 16, "\\%c", c == 0x1b ? 'e' : '\\');
      (*i)++;
      return 2;
   }
   uint32_t cp = 0;
   int n = c >= 0x80 && utf8 ? Fmt_utf8(u, len - *i, &cp) : -1;
   if (n < 0) {
      (*i)++;
      return snprintf(piece, 16, "\\x%02x", c);
   }
   *i += (size_t)n;
   int w = Fmt_cpWidth(cp);
   if (w < 0)
      return snprintf(piece, 16, "\\u%04x", (unsigned)cp);
   memcpy(piece, u, (size_t)n);
   piece[n] = '\0';
   return w;
}

int Fmt_escape(char* out, size_t outlen, const char* s, size_t len, bool utf8, int maxcols,
               bool* cut) {
   size_t o = 0, i = 0;
   int cols = 0;
   bool c = false;
   char piece[16];
   if (outlen == 0)
      return 0;
   while (i < len && s[i] != '\0') {
      size_t save = i;
      int w = Fmt_escChar(s, len, &i, utf8, piece);
      size_t pl = strlen(piece);
      if (cols + w > maxcols || o + pl + 1 > outlen) {
         i = save;
         c = true;
         break;
      }
      memcpy(out + o, piece, pl);
      o += pl;
      cols += w;
   }
   out[o] = '\0';
   if (cut)
      *cut = c;
   return cols;
}

int Fmt_width(const char* s) {
   mbstate_t st;
   memset(&st, 0, sizeof st);
   int w = 0;
   size_t n = strlen(s);
   while (n > 0) {
      wchar_t wc;
      size_t k = mbrtowc(&wc, s, n, &st);
      if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
         memset(&st, 0, sizeof st);
         k = 1;
         w++;
      } else {
         int cw = wcwidth(wc);
         w += cw > 0 ? cw : 0;
      }
      s += k;
      n -= k;
   }
   return w;
}

/* ---- figures ---- */

static const char* Fmt_scaled(double v, char* buf, size_t len) {
   static const char UNITS[] = "KMGTPE";
   int u = -1;
   while (v >= 1024.0 && u < 5) {
      v /= 1024.0;
      u++;
   }
   snprintf(buf, len, v < 10.0 ? "%.1f%c" : "%.0f%c", v, UNITS[u]);
   return buf;
}

const char* Fmt_bytes(uint64_t v, char* buf, size_t len) {
   if (v >= 1024)
      return Fmt_scaled((double)v, buf, len);
   /* the common case of small counts, without printf */
   char tmp[8] = {'B'}; /* written backwards */
   int k = 1;
   do
      tmp[k++] = (char)('0' + v % 10);
   while ((v /= 10) > 0);
   size_t o = 0;
   while (k > 0 && o + 1 < len)
      buf[o++] = tmp[--k];
   if (len)
      buf[o] = '\0';
   return buf;
}

const char* Fmt_rtt(uint32_t us, char* buf, size_t len) {
   if (us == 0)
      snprintf(buf, len, "%s", "");
   else if (us < 1000)
      snprintf(buf, len, "%uus", us);
   else if (us < 10000)
      snprintf(buf, len, "%.1fms", us / 1000.0);
   else if (us < 1000000)
      snprintf(buf, len, "%ums", (us + 500) / 1000);
   else
      snprintf(buf, len, "%.1fs", us / 1e6);
   return buf;
}

const char* Fmt_rate(double v, char* buf, size_t len) {
   if (v < 0.5)
      snprintf(buf, len, "%s", "");
   else if (v < 1024.0)
      snprintf(buf, len, "%.0fB", v);
   else
      Fmt_scaled(v, buf, len);
   return buf;
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
