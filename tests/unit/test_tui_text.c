/* test_tui_text.c: the UI's text layer (tui/sanitize.c, tui/fmt.c): hostile
 * strings made harmless, and the number formats. The two sources need no
 * curses: tests/CMakeLists.txt links them in. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "testutil.h"

#include "fmt.h"

static char out[256];

static const char* san(const char* s, bool utf8) {
   San_append(out, sizeof out, s, strlen(s), utf8);
   return out;
}

static void test_controls_visible(void** state) {
   (void)state;
   assert_string_equal(san("\x1b[31mevil\x1b]0;pwn\x07", true), "^[[31mevil^[]0;pwn^G");
   assert_string_equal(san("a\tb\nc\rd", true), "a^Ib^Jc^Md");
   assert_string_equal(san("del\x7f", true), "del^?");
   /* C1 controls in UTF-8: U+009B is CSI on some terminals */
   assert_string_equal(san("x\xc2\x9b"
                           "2J",
                           true),
                       "x\\x9b2J");
   assert_string_equal(san("\xc2\x85", true), "\\x85");
}

static void test_invalid_utf8(void** state) {
   (void)state;
   assert_string_equal(san("a\xff"
                           "b",
                           true),
                       "a?b");
   assert_string_equal(san("\xc0\xaf", true), "??");               /* overlong '/' */
   assert_string_equal(san("\xed\xa0\x80", true), "???");          /* surrogate */
   assert_string_equal(san("\xf4\x90\x80\x80", true), "????");     /* > U+10FFFF */
   assert_string_equal(san("end\xe2\x82", true), "end??");         /* cut short */
   assert_string_equal(san("\xe2\x82\xac", true), "\xe2\x82\xac"); /* the euro sign */
}

static void test_ascii_locale(void** state) {
   (void)state;
   assert_string_equal(san("h\xc3\xa9llo", false), "h?llo");
   assert_string_equal(san("\xe2\x94\x9c", false), "?");
   assert_string_equal(san("\x1b", false), "^[");
}

static void test_unprintable_unicode(void** state) {
   (void)state;
   /* right-to-left override would reorder what follows */
   assert_string_equal(san("a\xe2\x80\xae"
                           "b",
                           true),
                       "a?b");
}

static void test_capacity(void** state) {
   (void)state;
   char small[5];
   memset(small, 'X', sizeof small);
   size_t n = San_append(small, sizeof small, "\x1b\x1b\x1b\x1b", 4, true);
   assert_true(n < sizeof small);
   assert_int_equal(small[n], '\0');
   assert_string_equal(small, "^[^[");
   assert_int_equal(San_append(small, 0, "abc", 3, true), 0);
   /* slen bounds the input even without a NUL */
   assert_string_equal((San_append(out, sizeof out, "abcdef", 3, true), out), "abc");
}

/* Whatever the input, the output has no control byte, no C1 control, and
 * is valid UTF-8. */
static void test_random_inputs(void** state) {
   (void)state;
   srand(42);
   for (int iter = 0; iter < 20000; iter++) {
      char in[48];
      size_t len = (size_t)(rand() % (int)sizeof in);
      for (size_t i = 0; i < len; i++)
         in[i] = (char)(rand() % 3 == 0 ? 0x80 + rand() % 0x80 : rand() % 0x100);
      San_append(out, sizeof out, in, len, true);
      for (const unsigned char* p = (const unsigned char*)out; *p; p++)
         assert_false(*p < 0x20 || *p == 0x7f);
      mbstate_t st;
      memset(&st, 0, sizeof st);
      const char* src = out;
      wchar_t w[256];
      size_t nw = mbsrtowcs(w, &src, 256, &st);
      assert_true(nw != (size_t)-1);
      for (size_t i = 0; i < nw; i++)
         assert_false(w[i] >= 0x80 && w[i] < 0xa0);
   }
}

static void test_width(void** state) {
   (void)state;
   assert_int_equal(San_width("abc"), 3);
   assert_int_equal(San_width("\xe6\x97\xa5\xe6\x9c\xac"), 4); /* two wide CJK */
   Buf b;
   Buf_reset(&b);
   Buf_field(&b, "abcdef", 3, false, true);
   Buf_printf(&b, "|");
   Buf_field(&b, "ab", 4, true, true);
   Buf_printf(&b, "|");
   Buf_field(&b, "\x1b", 4, false, true);
   assert_string_equal(b.s, "abc|  ab|^[  ");
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

static void test_numbers(void** state) {
   (void)state;
   char t[32];
   assert_string_equal(Fmt_bytes(0, t, sizeof t), "0B");
   assert_string_equal(Fmt_bytes(1023, t, sizeof t), "1023B");
   assert_string_equal(Fmt_bytes(1536, t, sizeof t), "1.5K");
   assert_string_equal(Fmt_bytes(10ull << 20, t, sizeof t), "10M");
   assert_string_equal(Fmt_bytes(3ull << 40, t, sizeof t), "3.0T");
   assert_string_equal(Fmt_rate(0.2, t, sizeof t), "");
   assert_string_equal(Fmt_rate(100, t, sizeof t), "100B");
   assert_string_equal(Fmt_rate(2048, t, sizeof t), "2.0K");
   assert_string_equal(Fmt_age(5 * SEC, t, sizeof t), "5s");
   assert_string_equal(Fmt_age(17 * SEC, t, sizeof t), "10s");
   assert_string_equal(Fmt_age(125 * SEC, t, sizeof t), "2m");
   assert_string_equal(Fmt_age(3700 * SEC, t, sizeof t), "1h01m");
   assert_string_equal(Fmt_age(90000 * SEC, t, sizeof t), "1d01h");
   uint8_t a[16];
   assert_int_equal(Addr_parse("93.184.216.34", a), 0);
   assert_string_equal(Fmt_endpoint(a, 443, t, sizeof t), "93.184.216.34:443");
   assert_int_equal(Addr_parse("fd00:200::1", a), 0);
   assert_string_equal(Fmt_endpoint(a, 80, t, sizeof t), "[fd00:200::1]:80");
}

int main(void) {
   if (!setlocale(LC_ALL, "C.UTF-8")) {
      fprintf(stderr, "test_tui_text: the C.UTF-8 locale is missing\n");
      return 1;
   }
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_controls_visible),
       cmocka_unit_test(test_invalid_utf8),
       cmocka_unit_test(test_ascii_locale),
       cmocka_unit_test(test_unprintable_unicode),
       cmocka_unit_test(test_capacity),
       cmocka_unit_test(test_random_inputs),
       cmocka_unit_test(test_width),
       cmocka_unit_test(test_buf_bounded),
       cmocka_unit_test(test_numbers),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
