/* columns.c: see columns.h. */
#include "columns.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char* const NAMES[COL__COUNT] = {"pid", "user", "conns", "up", "down", "rtt", "retr"};

const char* Columns_name(Column c) {
   return c < COL__COUNT ? NAMES[c] : "?";
}

int Columns_parse(const char* text, uint8_t cols[COL__COUNT], char* err, size_t errlen) {
   int n = 0;
   bool seen[COL__COUNT] = {false};
   for (const char* p = text; *p;) {
      size_t len = strcspn(p, ",");
      int c = 0;
      while (c < COL__COUNT && !(strlen(NAMES[c]) == len && strncmp(NAMES[c], p, len) == 0))
         c++;
      if (c == COL__COUNT) {
         snprintf(err, errlen, "'%.*s' is not a column (%s)", (int)(len < 20 ? len : 20), p,
                  COLUMNS_DEFAULT);
         return -1;
      }
      if (seen[c]) {
         snprintf(err, errlen, "'%s' twice", NAMES[c]);
         return -1;
      }
      seen[c] = true;
      cols[n++] = (uint8_t)c;
      p += len;
      if (*p == ',' && *++p == '\0') {
         snprintf(err, errlen, "a comma at the end");
         return -1;
      }
   }
   return n;
}

void Columns_format(const uint8_t* cols, int n, char* buf, size_t len) {
   size_t at = 0;
   buf[0] = '\0';
   for (int i = 0; i < n && at < len; i++)
      at +=
          (size_t)snprintf(buf + at, len - at, "%s%s", i ? "," : "", Columns_name((Column)cols[i]));
}
