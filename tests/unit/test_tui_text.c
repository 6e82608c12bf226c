/* test_tui_text.c: the UI's line buffer (tui/buf.c): fields cut and padded
 * by columns, escapes never split, never overflowing. It needs no curses:
 * tests/CMakeLists.txt links it in. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "testutil.h"

#include "buf.h"

static void test_width(void** state) {
   (void)state;
   Buf b;
   Buf_reset(&b);
   Buf_field(&b, "abcdef", 3, false, true);
   Buf_printf(&b, "|");
   Buf_field(&b, "ab", 4, true, true);
   Buf_printf(&b, "|");
   Buf_field(&b, "\x1b", 4, false, true);
   assert_string_equal(b.s, "abc|  ab|\\e  ");
   Buf_reset(&b);
   Buf_field(&b, "a\x1b", 2, false, true); /* the escape does not fit: cut before it */
   Buf_printf(&b, "|");
   Buf_field(&b, "\xe6\x97\xa5\xe6\x9c\xac", 3, true, true);
   assert_string_equal(b.s, "a | \xe6\x97\xa5");
}

static void test_buf_bounded(void** state) {
   (void)state;
   Buf b;
   Buf_reset(&b);
   for (int i = 0; i < 1000; i++) {
      Buf_printf(&b, "%s", "0123456789");
      Buf_cls(&b, CL_ADDR);
      Buf_san(&b, "\x1b\x1b", true);
   }
   assert_true(b.len < LINE_CAP);
   assert_int_equal(strlen(b.s), b.len);
}

int main(void) {
   if (!setlocale(LC_ALL, "C.UTF-8")) {
      fprintf(stderr, "test_tui_text: the C.UTF-8 locale is missing\n");
      return 1;
   }
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_width),
       cmocka_unit_test(test_buf_bounded),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
