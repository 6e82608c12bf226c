/* say.c: escaped lines on stderr. */
#include "say.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

void Say_error(const char* fmt, ...) {
   char raw[1024], out[2048];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(raw, sizeof raw, fmt, ap);
   va_end(ap);
   (void)Fmt_escape(out, sizeof out, raw, strlen(raw), true, INT_MAX, NULL);
   fprintf(stderr, "visnet: %s\n", out);
}
