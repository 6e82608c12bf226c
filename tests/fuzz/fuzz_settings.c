/* fuzz_settings.c: libFuzzer target for the settings file reader.
 *
 * Any bytes: the reader never fails, its warning is one line without
 * control bytes, and what it would save keeps the file's meaning: read
 * again, the saved text gives the same values, and a changed value reads
 * back as set. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void check(bool ok) {
   if (!ok)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   if (size > 65536)
      return 0;
   Settings s;
   Settings_init(&s);
   s.text = malloc(size + 1);
   if (!s.text)
      return 0;
   memcpy(s.text, data, size);
   s.text[size] = '\0';
   s.len = size;
   Settings_parse(&s, s.text, s.len, "visnetrc");
   for (const char* p = s.warning; *p; p++)
      check((unsigned char)*p >= 0x20);
   check((s.bad == 0) == (s.warning[0] == '\0'));
   char err[256];
   check(Settings_set(&s, SET_SORT, "bytes", err, sizeof err) == 0);
   size_t len;
   char* out = Settings_format(&s, &len);
   if (out) {
      Settings t;
      Settings_init(&t);
      Settings_parse(&t, out, len, "visnetrc");
      check(memcmp(&t.v, &s.v, sizeof t.v) == 0);
      free(out);
   }
   Settings_free(&s);
   return 0;
}
