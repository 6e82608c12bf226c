/* test_textout.c: the --once text and DOT outputs: width, ASCII and UTF-8
 * line drawing, escaping of hostile process names, DOT escaping. */
#include "testutil.h"

#include <locale.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dot.h"
#include "store.h"
#include "textout.h"
#include "tree.h"

static Event procEv(uint32_t pid, uint32_t ppid, const char* comm, const char* args,
                    size_t args_len) {
   Event e;
   memset(&e, 0, sizeof e);
   e.type = EV_PROC;
   e.pid = e.tid = pid;
   e.pstart = pid * SEC;
   e.ts = 100 * SEC;
   e.proc.ppid = ppid;
   strncpy(e.proc.comm, comm, VN_COMM_LEN - 1);
   if (args_len > VN_ARGS_LEN)
      args_len = VN_ARGS_LEN;
   memcpy(e.proc.args, args, args_len);
   e.proc.args_len = (uint16_t)args_len;
   return e;
}

static Event sockEv(uint32_t pid, const char* laddr, uint16_t lport, const char* raddr,
                    uint16_t rport, int state, int dir) {
   Event e = TU_sock(EV_SOCK, pid, pid * SEC, laddr, lport, raddr, rport, 100 * SEC);
   e.sock.state = (uint8_t)state;
   e.sock.dir = (uint8_t)dir;
   e.sock.tx = 123456;
   e.sock.rx = 42;
   return e;
}

static void apply(Store* s, Event e) {
   assert_int_equal(Store_apply(s, &e), 0);
}

#define HOSTILE_COMM "\x1b[31mred\x07"
static const char HOSTILE_ARGS[] = "/bin/evil\0--title=\x1b]0;pwned\x07\0\xff\xfe bad utf8\0"
                                   "caf\xc3\xa9\0\xe2\x80\xae"
                                   "reversed\0\\back\0";
#define DEPTH 60

/* A store with a hostile process, a long command line, a deep chain of
 * processes, listening and connected sockets and an unowned one. */
static Store* buildStore(void) {
   Store* s = Store_new(1000);
   assert_non_null(s);
   apply(s, procEv(1, 0, "init", "/sbin/init", 11));
   apply(s, procEv(100, 1, HOSTILE_COMM, HOSTILE_ARGS, sizeof HOSTILE_ARGS));
   char longargs[VN_ARGS_LEN];
   memset(longargs, 'x', sizeof longargs);
   memcpy(longargs, "/usr/bin/long", 13);
   longargs[13] = '\0';
   apply(s, procEv(200, 1, "long", longargs, sizeof longargs));
   apply(s, sockEv(100, "10.0.0.1", 45000, "93.184.216.34", 443, TCPS_ESTABLISHED, DIR_OUT));
   apply(s, sockEv(100, "0.0.0.0", 8080, "0.0.0.0", 0, TCPS_LISTEN, DIR_LISTEN));
   apply(s, sockEv(200, "2001:db8::1", 50000, "2001:db8:ffff:ffff:ffff:ffff:ffff:fffe", 65535,
                   TCPS_ESTABLISHED, DIR_OUT));
   for (uint32_t i = 0; i < DEPTH; i++)
      apply(s, procEv(1000 + i, i ? 1000 + i - 1 : 1, "deep", "deep", 5));
   apply(s,
         sockEv(1000 + DEPTH - 1, "127.0.0.1", 40000, "127.0.0.1", 22, TCPS_ESTABLISHED, DIR_OUT));
   apply(s, procEv(300, 1, "idle", "idle", 5)); /* no socket: not shown */
   Event o = sockEv(0, "10.0.0.1", 22, "10.9.9.9", 51000, TCPS_ESTABLISHED, DIR_IN);
   o.pstart = 0;
   o.sock.noowner = NOOWN_PERM;
   apply(s, o);
   return s;
}

typedef struct Out_ {
   char* text;
   size_t len;
} Out;

static bool numeric; /* -n */

static Out render(bool utf8, int width, bool all) {
   Store* s = buildStore();
   TreeOpts to = {.view = VIEW_TREE, .all_procs = true};
   Tree* t = Tree_build(s, &to);
   assert_non_null(t);
   Out o = {NULL, 0};
   FILE* f = open_memstream(&o.text, &o.len);
   TextOutOpts opts = {.width = width, .utf8 = utf8, .all_procs = all, .numeric = numeric};
   assert_int_equal(TextOut_write(f, t, &opts), 0);
   fclose(f);
   Tree_free(t);
   Store_free(s);
   return o;
}

/* Display columns of one line (UTF-8 locale). */
static int columns(const char* line, size_t len) {
   char buf[4096];
   assert_true(len < sizeof buf);
   memcpy(buf, line, len);
   buf[len] = '\0';
   wchar_t w[4096];
   size_t n = mbstowcs(w, buf, 4096);
   assert_true(n != (size_t)-1);
   int c = wcswidth(w, n);
   assert_true(c >= 0);
   return c;
}

static void checkLines(const Out* o, bool utf8, int width) {
   const char* p = o->text;
   const char* end = o->text + o->len;
   int lines = 0;
   while (p < end) {
      const char* nl = memchr(p, '\n', (size_t)(end - p));
      assert_non_null(nl);
      size_t len = (size_t)(nl - p);
      for (size_t i = 0; i < len; i++) {
         unsigned char c = (unsigned char)p[i];
         assert_true(c >= 0x20 && c != 0x7f); /* no raw control bytes */
         if (!utf8)
            assert_true(c < 0x80);
      }
      int cols = utf8 ? columns(p, len) : (int)len;
      if (cols > width)
         fail_msg("line %d has %d columns: %.*s", lines, cols, (int)len, p);
      lines++;
      p = nl + 1;
   }
   assert_true(lines > DEPTH);
}

static void test_ascii_80(void** state) {
   (void)state;
   Out o = render(false, 80, false);
   checkLines(&o, false, 80);
   assert_non_null(strstr(o.text, "|-"));
   assert_non_null(strstr(o.text, "`-"));
   assert_non_null(strstr(o.text, "\\e[31mred\\x07(100)")); /* comm escaped */
   assert_non_null(strstr(o.text, "\\e]0;pwned"));
   /* ports by their service names (/etc/services), as ss shows them */
   assert_non_null(strstr(o.text, "tcp LISTEN 0.0.0.0:http-alt"));
   assert_non_null(strstr(o.text, "tcp 45000 -> 93.184.216.34:https ESTABLISHED out"));
   numeric = true; /* -n: numbers */
   Out n = render(false, 80, false);
   numeric = false;
   assert_non_null(strstr(n.text, "tcp LISTEN 0.0.0.0:8080"));
   assert_non_null(strstr(n.text, "tcp 45000 -> 93.184.216.34:443 ESTABLISHED out"));
   free(n.text);
   assert_non_null(strstr(o.text, "tx 121K rx 42B"));
   assert_non_null(strstr(o.text, "unowned sockets (1)"));
   assert_non_null(strstr(o.text, "[permission] 10.0.0.1:ssh -> 10.9.9.9:51000"));
   assert_non_null(strstr(o.text, "long(200)  /usr/bin/long xxxx"));
   assert_non_null(strstr(o.text, "xxx+\n")); /* cut, marked */
   assert_non_null(strstr(o.text, ".."));     /* deep chain: left cut */
   assert_null(strstr(o.text, "idle(300)"));
   free(o.text);

   /* wide enough for the whole hostile command line */
   o = render(false, 200, false);
   checkLines(&o, false, 200);
   assert_non_null(strstr(o.text, "\\xff\\xfe bad"));
   assert_non_null(strstr(o.text, "caf\\xc3\\xa9")); /* ASCII: bytes shown */
   assert_non_null(strstr(o.text, "\\xe2\\x80\\xaereversed"));
   assert_non_null(strstr(o.text, "\\\\back"));
   free(o.text);
}

static void test_count_procs(void** state) {
   (void)state;
   Store* s = buildStore();
   TreeOpts to = {.view = VIEW_TREE, .all_procs = true};
   Tree* t = Tree_build(s, &to);
   TextCount n;
   TextOut_countProcs(t, false, &n);
   assert_int_equal(n.shown, 3 + DEPTH); /* init, 100, 200 and the chain */
   assert_int_equal(n.hidden, 1);        /* idle */
   assert_int_equal(n.context, 0);       /* the tree has every process */
   Tree_free(t);
   /* network first: the three with sockets, and their ancestors apart
    * (init and the chain above the deepest); the tree left idle out */
   to.all_procs = false;
   t = Tree_build(s, &to);
   TextOut_countProcs(t, false, &n);
   assert_int_equal(n.shown, 3);
   assert_int_equal(n.context, DEPTH);
   assert_int_equal(n.hidden, 0);
   assert_int_equal(Tree_hiddenProcs(t), 1);
   Tree_free(t);
   Store_free(s);
}

static void test_all_procs_and_widths(void** state) {
   (void)state;
   Out o = render(false, 80, true);
   assert_non_null(strstr(o.text, "idle(300)"));
   free(o.text);
   int widths[] = {TEXTOUT_MIN_WIDTH, 40, 132};
   for (size_t i = 0; i < 3; i++) {
      o = render(false, widths[i], false);
      checkLines(&o, false, widths[i]);
      free(o.text);
   }
   o = render(false, 5, false); /* clamped up */
   checkLines(&o, false, TEXTOUT_MIN_WIDTH);
   free(o.text);
}

static void test_utf8_80(void** state) {
   (void)state;
   if (!setlocale(LC_ALL, "C.UTF-8"))
      skip();
   Out o = render(true, 80, false);
   checkLines(&o, true, 80);
   assert_non_null(strstr(o.text, "\xe2\x80\xa6\n")); /* … */
   free(o.text);
   o = render(true, 200, false);
   checkLines(&o, true, 200);
   assert_non_null(strstr(o.text, "\xe2\x94\x9c\xe2\x94\x80")); /* ├─ */
   assert_non_null(strstr(o.text, "\xe2\x94\x94\xe2\x94\x80")); /* └─ */
   assert_non_null(strstr(o.text, "\\e[31mred\\x07(100)"));
   assert_non_null(strstr(o.text, "caf\xc3\xa9"));     /* printable UTF-8 kept */
   assert_non_null(strstr(o.text, "\\u202ereversed")); /* bidi override shown */
   assert_non_null(strstr(o.text, "\\xff\\xfe bad"));
   free(o.text);
   setlocale(LC_ALL, "C");
}

static void test_dot_escape(void** state) {
   (void)state;
   char out[128];
   Dot_escape(out, sizeof out, "a\"b\\c", 5);
   assert_string_equal(out, "a\\\"b\\\\\\\\c");
   Dot_escape(out, sizeof out, "x\ny\x1b", 4);
   assert_string_equal(out, "x\\\\x0ay\\\\e");
   Dot_escape(out, sizeof out, "caf\xc3\xa9 \xff \xc2\x9b \xed\xa0\x80", 14);
   assert_string_equal(out, "caf\xc3\xa9 \\\\xff \\\\u009b \\\\xed\\\\xa0\\\\x80");
   size_t n = Dot_escape(out, 6, "\"\"\"\"", 4); /* never splits an escape */
   assert_int_equal(n, 4);
   assert_string_equal(out, "\\\"\\\"");
}

static void test_dot_write(void** state) {
   (void)state;
   Store* s = buildStore();
   TreeOpts to = {.view = VIEW_TREE, .all_procs = true};
   Tree* t = Tree_build(s, &to);
   char* text = NULL;
   size_t len = 0;
   FILE* f = open_memstream(&text, &len);
   assert_int_equal(Dot_write(f, t), 0);
   fclose(f);
   assert_true(strncmp(text, "digraph visnet {\n", 17) == 0);
   assert_non_null(strstr(text,
                          "\"p100_100000000000\" [shape=box, label=\"\\\\e[31mred\\\\x07 (100)"
                          "\\nlisten tcp/8080\"];"));
   assert_non_null(strstr(text, "\"p100_100000000000\" -> \"e_00000000000000000000ffff5db8d822\" "
                                "[label=\"tcp/443 x1\"];"));
   assert_non_null(strstr(text, "label=\"93.184.216.34\""));
   assert_non_null(strstr(text, "\"unowned\" -> \"e_00000000000000000000ffff0a090909\""));
   assert_null(strstr(text, "idle"));
   assert_null(strstr(text, "(1)\"")); /* init has no socket of its own */
   /* every line has balanced (unescaped) quotes and no raw control byte */
   for (char* line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
      int quotes = 0;
      for (char* p = line; *p; p++) {
         assert_true((unsigned char)*p >= 0x20);
         if (*p == '\\' && p[1])
            p++;
         else if (*p == '"')
            quotes++;
      }
      assert_int_equal(quotes % 2, 0);
   }
   free(text);
   Tree_free(t);
   Store_free(s);
}

int main(void) {
   setlocale(LC_ALL, "C");
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_ascii_80),    cmocka_unit_test(test_all_procs_and_widths),
       cmocka_unit_test(test_count_procs), cmocka_unit_test(test_utf8_80),
       cmocka_unit_test(test_dot_escape),  cmocka_unit_test(test_dot_write),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
