/* sanitize.c: strings from the system made safe to draw.
 *
 * Process names, command lines, host and user names come from whoever runs
 * on the machine. Before they reach the terminal, control characters and
 * escape sequences are made visible (ESC as ^[, DEL as ^?, C1 controls as
 * \x9b) and invalid UTF-8 or bidirectional controls become '?', so that
 * no string can move the cursor, retitle the window, reorder the line or
 * feed the terminal a command. */
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

/* Decodes one strict UTF-8 sequence (no overlong forms, no surrogates).
 * Returns its length, or 0 if invalid. */
static size_t decodeUtf8(const unsigned char* s, size_t n, uint32_t* cp) {
   unsigned char c = s[0];
   size_t len;
   uint32_t v, min;
   if (c >= 0xc2 && c <= 0xdf) {
      len = 2, v = c & 0x1f, min = 0x80;
   } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, v = c & 0x0f, min = 0x800;
   } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, v = c & 0x07, min = 0x10000;
   } else {
      return 0;
   }
   if (n < len)
      return 0;
   for (size_t i = 1; i < len; i++) {
      if ((s[i] & 0xc0) != 0x80)
         return 0;
      v = (v << 6) | (s[i] & 0x3f);
   }
   if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
      return 0;
   *cp = v;
   return len;
}

/* Bidirectional controls reorder what follows them on screen, and line
 * separators may break a row: never drawn. */
static bool isTricky(uint32_t cp) {
   return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
          (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

static size_t put(char* out, size_t cap, size_t o, const char* s, size_t n) {
   if (o + n >= cap)
      return o;
   memcpy(out + o, s, n);
   return o + n;
}

size_t San_append(char* out, size_t cap, const char* s, size_t slen, bool utf8) {
   size_t o = 0;
   if (cap == 0)
      return 0;
   const unsigned char* u = (const unsigned char*)s;
   for (size_t i = 0; i < slen && u[i] != '\0';) {
      unsigned char c = u[i];
      char tmp[16];
      if (c < 0x20 || c == 0x7f) {
         tmp[0] = '^';
         tmp[1] = c == 0x7f ? '?' : (char)(c + 0x40);
         o = put(out, cap, o, tmp, 2);
         i++;
         continue;
      }
      if (c < 0x80) {
         o = put(out, cap, o, (const char*)&u[i], 1);
         i++;
         continue;
      }
      uint32_t cp;
      size_t len = decodeUtf8(u + i, slen - i, &cp);
      if (len == 0) {
         o = put(out, cap, o, "?", 1);
         i++;
         continue;
      }
      if (cp < 0xa0) {
         /* C1 controls: 0x9b is CSI on some terminals */
         int n = snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)cp);
         o = put(out, cap, o, tmp, (size_t)n);
      } else if (!utf8 || isTricky(cp) || !iswprint((wint_t)cp) || wcwidth((wchar_t)cp) < 0) {
         o = put(out, cap, o, "?", 1);
      } else {
         o = put(out, cap, o, (const char*)&u[i], len);
      }
      i += len;
   }
   out[o] = '\0';
   return o;
}

int San_width(const char* s) {
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
