/* test_fmt.c: the one presentation of strings and figures
 * (core/output/fmt.c) that --once, DOT and the terminal UI share: hostile
 * strings made visible and harmless, and the units of bytes, rates, ages. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "testutil.h"

#include "fmt.h"

static char out[256];

static const char* esc(const char* s, bool utf8) {
   Fmt_escape(out, sizeof out, s, strlen(s), utf8, 1000, NULL);
   return out;
}

static void test_controls_visible(void** state) {
   (void)state;
   assert_string_equal(esc("\x1b[31mevil\x1b]0;pwn\x07", true), "\\e[31mevil\\e]0;pwn\\x07");
   assert_string_equal(esc("a\tb\nc\rd", true), "a\\x09b\\x0ac\\x0dd");
   assert_string_equal(esc("del\x7f back\\", true), "del\\x7f back\\\\");
   /* C1 controls in UTF-8: U+009B is CSI on some terminals */
   assert_string_equal(esc("x\xc2\x9b"
                           "2J",
                           true),
                       "x\\u009b2J");
   assert_string_equal(esc("\xc2\x85", true), "\\u0085");
}

static void test_invalid_utf8(void** state) {
   (void)state;
   assert_string_equal(esc("a\xff"
                           "b",
                           true),
                       "a\\xffb");
   assert_string_equal(esc("\xc0\xaf", true), "\\xc0\\xaf");                   /* overlong '/' */
   assert_string_equal(esc("\xed\xa0\x80", true), "\\xed\\xa0\\x80");          /* surrogate */
   assert_string_equal(esc("\xf4\x90\x80\x80", true), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
   assert_string_equal(esc("end\xe2\x82", true), "end\\xe2\\x82");             /* cut short */
   assert_string_equal(esc("\xe2\x82\xac", true), "\xe2\x82\xac");             /* the euro sign */
}

static void test_ascii_mode(void** state) {
   (void)state;
   assert_string_equal(esc("h\xc3\xa9llo", false), "h\\xc3\\xa9llo");
   assert_string_equal(esc("\x1b", false), "\\e");
}

static void test_unprintable_unicode(void** state) {
   (void)state;
   /* right-to-left override would reorder what follows */
   assert_string_equal(esc("a\xe2\x80\xae"
                           "b",
                           true),
                       "a\\u202eb");
}

static void test_width_and_cut(void** state) {
   (void)state;
   bool cut;
   int cols = Fmt_escape(out, sizeof out, "a\x1b[1mb", 6, false, 80, &cut);
   assert_string_equal(out, "a\\e[1mb");
   assert_int_equal(cols, 7);
   assert_false(cut);
   cols = Fmt_escape(out, sizeof out, "abcdefgh", 8, false, 5, &cut);
   assert_string_equal(out, "abcde");
   assert_int_equal(cols, 5);
   assert_true(cut);
   /* an escape is never split */
   Fmt_escape(out, sizeof out, "ab\x1b", 3, false, 3, &cut);
   assert_string_equal(out, "ab");
   assert_true(cut);
   cols = Fmt_escape(out, sizeof out, "\xe6\x97\xa5\xe6\x9c\xac", 6, true, 3, &cut);
   assert_int_equal(cols, 2); /* wide characters count two */
   assert_true(cut);
   assert_int_equal(Fmt_width("abc"), 3);
   assert_int_equal(Fmt_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
}

static void test_capacity(void** state) {
   (void)state;
   char small[5];
   memset(small, 'X', sizeof small);
   bool cut;
   Fmt_escape(small, sizeof small, "\x1b\x1b\x1b\x1b", 4, true, 100, &cut);
   assert_string_equal(small, "\\e\\e");
   assert_true(cut);
   assert_int_equal(Fmt_escape(small, 0, "abc", 3, true, 100, NULL), 0);
   /* len bounds the input even without a NUL */
   assert_string_equal((Fmt_escape(out, sizeof out, "abcdef", 3, true, 100, NULL), out), "abc");
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
      Fmt_escape(out, sizeof out, in, len, true, 1000, NULL);
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

/* JSON's replacement rule: an invalid prefix is one character. */
static void test_utf8_decoder(void** state) {
   (void)state;
   uint32_t cp = 0;
   assert_int_equal(Fmt_utf8((const unsigned char*)"\xe2\x82\xac", 3, &cp), 3);
   assert_int_equal(cp, 0x20ac);
   assert_int_equal(Fmt_utf8((const unsigned char*)"\xf0\x9d\x84\x9e", 4, &cp), 4);
   assert_int_equal(cp, 0x1d11e);
   assert_int_equal(Fmt_utf8((const unsigned char*)"\xe2\x82", 2, &cp), -2);
   assert_int_equal(Fmt_utf8((const unsigned char*)"\xe2(", 2, &cp), -1);
   assert_int_equal(Fmt_utf8((const unsigned char*)"\xc0\xaf", 2, &cp), -1);
   assert_int_equal(Fmt_utf8((const unsigned char*)"a", 1, &cp), -1);
}

static void test_numbers(void** state) {
   (void)state;
   char t[32];
   assert_string_equal(Fmt_bytes(0, t, sizeof t), "0B");
   assert_string_equal(Fmt_bytes(999, t, sizeof t), "999B");
   assert_string_equal(Fmt_bytes(1023, t, sizeof t), "1023B");
   assert_string_equal(Fmt_bytes(1536, t, sizeof t), "1.5K");
   assert_string_equal(Fmt_bytes(5ull << 20, t, sizeof t), "5.0M");
   assert_string_equal(Fmt_bytes(10ull << 20, t, sizeof t), "10M");
   assert_string_equal(Fmt_bytes(3ull << 40, t, sizeof t), "3.0T");
   assert_string_equal(Fmt_bytes(UINT64_MAX, t, sizeof t), "16E");
   assert_string_equal(Fmt_bytes(1023, t, 3), "10"); /* a short buffer cuts */
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
      fprintf(stderr, "test_fmt: the C.UTF-8 locale is missing\n");
      return 1;
   }
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_controls_visible), cmocka_unit_test(test_invalid_utf8),
       cmocka_unit_test(test_ascii_mode),       cmocka_unit_test(test_unprintable_unicode),
       cmocka_unit_test(test_width_and_cut),    cmocka_unit_test(test_capacity),
       cmocka_unit_test(test_random_inputs),    cmocka_unit_test(test_utf8_decoder),
       cmocka_unit_test(test_numbers),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
