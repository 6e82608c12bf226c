/* test_json.c: JSON escaping of hostile strings, event lines, tree documents.
 *
 * Output is checked three ways: exact text for escapes, a strict JSON
 * validator written here (RFC 8259, and no raw terminal control bytes),
 * and Python's json module for the structure of events and trees. */
#include "testutil.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evlog.h"
#include "json.h"
#include "store.h"
#include "tree.h"

/* ---- a strict JSON validator ---- */

typedef struct P_ {
   const unsigned char* s;
   const unsigned char* end;
} P;

static void ws(P* p) {
   while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
      p->s++;
}

static int lit(P* p, const char* w) {
   size_t n = strlen(w);
   if ((size_t)(p->end - p->s) < n || memcmp(p->s, w, n) != 0)
      return 0;
   p->s += n;
   return 1;
}

/* One UTF-8 scalar value, decoded independently of json.c. */
static int utf8(P* p) {
   unsigned c = *p->s, n, cp;
   if (c < 0x80)
      n = 1, cp = c;
   else if ((c & 0xe0) == 0xc0)
      n = 2, cp = c & 0x1f;
   else if ((c & 0xf0) == 0xe0)
      n = 3, cp = c & 0x0f;
   else if ((c & 0xf8) == 0xf0)
      n = 4, cp = c & 0x07;
   else
      return 0;
   if ((size_t)(p->end - p->s) < n)
      return 0;
   for (unsigned i = 1; i < n; i++) {
      if ((p->s[i] & 0xc0) != 0x80)
         return 0;
      cp = cp << 6 | (p->s[i] & 0x3f);
   }
   static const unsigned minv[5] = {0, 0, 0x80, 0x800, 0x10000};
   if (cp < minv[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
   if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) /* terminal controls: must be escaped */
      return 0;
   p->s += n;
   return 1;
}

static int hex4(P* p) {
   if (p->end - p->s < 4)
      return 0;
   for (int i = 0; i < 4; i++)
      if (!strchr("0123456789abcdefABCDEF", p->s[i]) || !p->s[i])
         return 0;
   p->s += 4;
   return 1;
}

static int jstring(P* p) {
   if (p->s >= p->end || *p->s != '"')
      return 0;
   p->s++;
   while (p->s < p->end) {
      unsigned c = *p->s;
      if (c == '"') {
         p->s++;
         return 1;
      }
      if (c < 0x20)
         return 0;
      if (c == '\\') {
         p->s++;
         if (p->s >= p->end)
            return 0;
         c = *p->s++;
         if (c == 'u') {
            if (!hex4(p))
               return 0;
         } else if (!strchr("\"\\/bfnrt", (int)c) || !c) {
            return 0;
         }
         continue;
      }
      if (!utf8(p))
         return 0;
   }
   return 0;
}

static int digits(P* p) {
   const unsigned char* s = p->s;
   while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
      p->s++;
   return p->s > s;
}

static int jnumber(P* p) {
   if (p->s < p->end && *p->s == '-')
      p->s++;
   if (p->s < p->end && *p->s == '0')
      p->s++;
   else if (!digits(p))
      return 0;
   if (p->s < p->end && *p->s == '.') {
      p->s++;
      if (!digits(p))
         return 0;
   }
   if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
      p->s++;
      if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
         p->s++;
      if (!digits(p))
         return 0;
   }
   return 1;
}

static int jvalue(P* p, int depth);

static int jcontainer(P* p, int depth, char close, int object) {
   p->s++;
   ws(p);
   if (p->s < p->end && *p->s == close) {
      p->s++;
      return 1;
   }
   for (;;) {
      ws(p);
      if (object) {
         if (!jstring(p))
            return 0;
         ws(p);
         if (p->s >= p->end || *p->s++ != ':')
            return 0;
      }
      if (!jvalue(p, depth + 1))
         return 0;
      ws(p);
      if (p->s >= p->end)
         return 0;
      if (*p->s == ',') {
         p->s++;
         continue;
      }
      if (*p->s++ == (unsigned char)close)
         return 1;
      return 0;
   }
}

static int jvalue(P* p, int depth) {
   if (depth > 200)
      return 0;
   ws(p);
   if (p->s >= p->end)
      return 0;
   switch (*p->s) {
   case '{': return jcontainer(p, depth, '}', 1);
   case '[': return jcontainer(p, depth, ']', 0);
   case '"': return jstring(p);
   case 't': return lit(p, "true");
   case 'f': return lit(p, "false");
   case 'n': return lit(p, "null");
   default: return jnumber(p);
   }
}

/* Is s[0..len) exactly one JSON value (surrounding white space allowed)? */
static int isJson(const char* s, size_t len) {
   P p = {(const unsigned char*)s, (const unsigned char*)s + len};
   if (!jvalue(&p, 0))
      return 0;
   ws(&p);
   return p.s == p.end;
}

/* Every line of a JSON Lines buffer is one JSON value. */
static int isJsonLines(const char* s, size_t len) {
   size_t i = 0;
   int lines = 0;
   while (i < len) {
      const char* nl = memchr(s + i, '\n', len - i);
      if (!nl)
         return 0; /* each line ends with \n */
      if (!isJson(s + i, (size_t)(nl - (s + i))))
         return 0;
      i = (size_t)(nl - s) + 1;
      lines++;
   }
   return lines;
}

/* The validator itself must reject what it should. */
static void test_validator_rejects(void** state) {
   (void)state;
   static const char* bad[] = {"",        "\"abc",      "\"a\x01\"", "\"\\x\"", "[1,]",
                               "{\"a\"1}", "01",         "1.",        "\"\\u12\"", "tru",
                               "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\x7f\"", "\"\xc2\x9b\"",
                               "[1] [2]", "{\"a\":1,}", "\"\xe2\x82\""};
   for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
      assert_false(isJson(bad[i], strlen(bad[i])));
   static const char* good[] = {"\"\"", "0", "-1.5e+3", "[]", "{}", "{\"a\":[1,{\"b\":null}]}",
                                "\"\\u001b\\n\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"",
                                " true "};
   for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
      assert_true(isJson(good[i], strlen(good[i])));
}

/* ---- Json_string ---- */

static char* quoted(const char* s, size_t len) {
   JsonBuf b;
   JsonBuf_init(&b);
   Json_string(&b, s, len);
   assert_false(b.oom);
   char* out = strndup(b.data, b.len);
   JsonBuf_free(&b);
   assert_true(isJson(out, strlen(out)));
   return out;
}

#define assert_quotes(in, want)                         \
   do {                                                 \
      char* got_ = quoted(in, sizeof(in) - 1);          \
      assert_string_equal(got_, want);                  \
      free(got_);                                       \
   } while (0)

static void test_string_plain_quote_backslash(void** state) {
   (void)state;
   assert_quotes("", "\"\"");
   assert_quotes("curl -s http://x/", "\"curl -s http://x/\"");
   assert_quotes("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
   assert_quotes("\"\"\\\\", "\"\\\"\\\"\\\\\\\\\"");
}

static void test_string_every_control_char(void** state) {
   (void)state;
   for (int c = 0; c < 0x20; c++) {
      char in[3] = {'x', (char)c, 'y'};
      char want[16];
      switch (c) {
      case '\b': snprintf(want, sizeof want, "\"x\\by\""); break;
      case '\t': snprintf(want, sizeof want, "\"x\\ty\""); break;
      case '\n': snprintf(want, sizeof want, "\"x\\ny\""); break;
      case '\f': snprintf(want, sizeof want, "\"x\\fy\""); break;
      case '\r': snprintf(want, sizeof want, "\"x\\ry\""); break;
      default: snprintf(want, sizeof want, "\"x\\u%04xy\"", c); break;
      }
      char* got = quoted(in, 3);
      assert_string_equal(got, want);
      free(got);
   }
   assert_quotes("\x7f", "\"\\u007f\"");
   assert_quotes("a\0b", "\"a\\u0000b\"");
}

static void test_string_escape_sequences(void** state) {
   (void)state;
   assert_quotes("\x1b[31mevil\x1b]0;pwn\x07",
                 "\"\\u001b[31mevil\\u001b]0;pwn\\u0007\"");
   assert_quotes("\x1b[2J\x1b[H\r\n", "\"\\u001b[2J\\u001b[H\\r\\n\"");
   /* C1 controls (CSI 0x9b, OSC 0x9d) are escaped too */
   assert_quotes("\xc2\x9b" "31m\xc2\x9d", "\"\\u009b31m\\u009d\"");
   assert_quotes("\xc2\xa0", "\"\xc2\xa0\""); /* NBSP is not a control */
}

static void test_string_valid_utf8_kept(void** state) {
   (void)state;
   assert_quotes("caf\xc3\xa9", "\"caf\xc3\xa9\"");                 /* U+00E9 */
   assert_quotes("\xe2\x82\xac", "\"\xe2\x82\xac\"");               /* U+20AC */
   assert_quotes("\xf0\x9d\x84\x9e", "\"\xf0\x9d\x84\x9e\"");       /* U+1D11E */
   assert_quotes("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");               /* U+0800 */
   assert_quotes("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");               /* U+D7FF */
   assert_quotes("\xee\x80\x80", "\"\xee\x80\x80\"");               /* U+E000 */
   assert_quotes("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");               /* U+FFFD */
   assert_quotes("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");       /* U+10FFFF */
   assert_quotes("\xe6\x97\xa5\xe6\x9c\xac", "\"\xe6\x97\xa5\xe6\x9c\xac\"");
}

#define R "\\ufffd"
static void test_string_invalid_utf8_replaced(void** state) {
   (void)state;
   /* overlong forms */
   assert_quotes("\xc0\xaf", "\"" R R "\"");
   assert_quotes("\xc1\xbf", "\"" R R "\"");
   assert_quotes("\xe0\x80\xaf", "\"" R R R "\"");
   assert_quotes("\xe0\x9f\xbf", "\"" R R R "\"");
   assert_quotes("\xf0\x80\x80\xaf", "\"" R R R R "\"");
   assert_quotes("\xf0\x8f\xbf\xbf", "\"" R R R R "\"");
   /* UTF-16 surrogates */
   assert_quotes("\xed\xa0\x80", "\"" R R R "\"");
   assert_quotes("\xed\xbf\xbf", "\"" R R R "\"");
   /* above U+10FFFF, and bytes that never occur */
   assert_quotes("\xf4\x90\x80\x80", "\"" R R R R "\"");
   assert_quotes("\xf5\x80\x80\x80", "\"" R R R R "\"");
   assert_quotes("\xfe\xff", "\"" R R "\"");
   /* lone continuation bytes */
   assert_quotes("a\x80z", "\"a" R "z\"");
   assert_quotes("\xbf\xbf", "\"" R R "\"");
   /* truncated sequences: one replacement for the cut prefix */
   assert_quotes("\xe2\x82", "\"" R "\"");
   assert_quotes("\xf0\x9f\x98", "\"" R "\"");
   assert_quotes("\xe2\x82" "A", "\"" R "A\"");
   assert_quotes("\xc3", "\"" R "\"");
   assert_quotes("\xc3" "\xc3\xa9", "\"" R "\xc3\xa9\"");
   /* a cut sequence must not swallow a following quote */
   assert_quotes("\xe2\"", "\"" R "\\\"\"");
}

static void test_string_random_bytes_always_valid(void** state) {
   (void)state;
   unsigned seed = 4242;
   char in[64];
   JsonBuf b;
   JsonBuf_init(&b);
   for (int i = 0; i < 50000; i++) {
      size_t n = (size_t)rand_r(&seed) % sizeof in;
      for (size_t k = 0; k < n; k++) {
         int r = rand_r(&seed);
         /* bias towards interesting bytes */
         in[k] = (char)(r % 3 == 0 ? 0x80 + (r >> 8) % 0x80 : r % 3 == 1 ? (r >> 8) % 0x20 : r >> 8);
      }
      JsonBuf_reset(&b);
      Json_string(&b, in, n);
      assert_true(isJson(b.data, b.len));
   }
   JsonBuf_free(&b);
}

/* ---- JsonBuf ---- */

static void test_buf_write_errors(void** state) {
   (void)state;
   JsonBuf b;
   JsonBuf_init(&b);
   JsonBuf_append(&b, "{}\n", 3);
   FILE* f = fopen("/dev/full", "w");
   assert_non_null(f);
   setvbuf(f, NULL, _IONBF, 0);
   assert_int_equal(JsonBuf_write(&b, f), -1);
   fclose(f);
   f = tmpfile();
   assert_int_equal(JsonBuf_write(&b, f), 0);
   assert_int_equal(ftell(f), 3);
   b.oom = 1; /* an allocation failed while building: output is incomplete */
   errno = 0;
   assert_int_equal(JsonBuf_write(&b, f), -1);
   assert_int_equal(errno, ENOMEM);
   fclose(f);
   JsonBuf_reset(&b);
   assert_int_equal(b.len, 0);
   assert_false(b.oom);
   /* growth keeps earlier content */
   for (int i = 0; i < 10000; i++)
      JsonBuf_append(&b, "0123456789", 10);
   assert_int_equal(b.len, 100000);
   assert_memory_equal(b.data + 99990, "0123456789", 10);
   JsonBuf_free(&b);
   assert_null(b.data);
}

/* ---- Python cross-check ---- */

/* Runs python3 on the JSON in buf with script (which reads sys.argv[1]);
 * returns its output (first line), which the script makes "OK". */
static void runPython(const char* script, const char* buf, size_t len) {
   char jpath[] = "/tmp/test_json.XXXXXX";
   char spath[] = "/tmp/test_json_py.XXXXXX";
   int jfd = mkstemp(jpath), sfd = mkstemp(spath);
   assert_true(jfd >= 0 && sfd >= 0);
   assert_int_equal(write(jfd, buf, len), (ssize_t)len);
   assert_int_equal(write(sfd, script, strlen(script)), (ssize_t)strlen(script));
   close(jfd);
   close(sfd);
   char cmd[256];
   snprintf(cmd, sizeof cmd, "python3 %s %s 2>&1", spath, jpath);
   FILE* p = popen(cmd, "r");
   assert_non_null(p);
   char out[4096] = "";
   size_t n = fread(out, 1, sizeof out - 1, p);
   out[n] = '\0';
   int rc = pclose(p);
   unlink(jpath);
   unlink(spath);
   if (rc != 0 || strcmp(out, "OK\n") != 0)
      fail_msg("python check failed (rc %d): %s", rc, out);
}

/* ---- Json_event ---- */

static Event sockEvent(EventType t) {
   Event e = TU_sock(t, 321, 5 * SEC, "10.200.0.1", 40000, "93.184.216.34", 443, 7 * SEC);
   e.sock.sk = 0xffff888012345678ull;
   e.sock.netns = 4026531840u;
   e.sock.tx = 100;
   e.sock.rx = 200;
   return e;
}

static void allEvents(Event* ev) {
   int n = 0;
   ev[n] = TU_exec(321, 1, 5 * SEC, "curl", 6 * SEC);
   memcpy(ev[n].proc.args, "curl\0-s\0\"x\"\0", 12);
   ev[n].proc.args_len = 12;
   ev[n].proc.uid = 1000;
   n++;
   ev[n++] = TU_fork(1, SEC, 321, 5 * SEC, 5 * SEC);
   ev[n++] = TU_exit(321, 5 * SEC, 1 << 8, 9 * SEC);
   ev[n] = TU_exec(1, 0, SEC, "\x1b[31mevil\x1b]0;p", 1);
   ev[n].type = EV_PROC;
   ev[n].flags = EVF_TRUNC_ARGS;
   n++;
   for (int t = EV_CONNECT; t <= EV_OWNER; t++)
      ev[n++] = sockEvent((EventType)t);
   for (int i = 0; i < n; i++) {
      Event* e = &ev[i];
      if (e->type == EV_CONNECT_FAIL)
         e->sock.err = ECONNREFUSED;
      if (e->type == EV_STATE) {
         e->sock.oldstate = TCPS_SYN_SENT;
         e->sock.state = TCPS_ESTABLISHED;
      }
      if (e->type == EV_CLOSE)
         e->sock.lifetime_ns = 2 * SEC;
      if (e->type == EV_UDP_PEER) {
         e->sock.proto = IPPROTO_UDP;
         e->sock.count = 7;
         e->sock.state = 0;
      }
      if (e->type == EV_OWNER) /* moved from pid 320 to 321 */
         e->sock.count = 320;
      if (e->type == EV_SOCK) { /* an orphan over IPv6 */
         e->pid = 0;
         e->sock.noowner = NOOWN_ORPHAN;
         e->sock.family = AF_INET6;
         Addr_parse("2606:2800:220:1:248:1893:25c8:1946", e->sock.raddr);
      }
   }
}

static void test_event_each_type(void** state) {
   (void)state;
   Event ev[EV__COUNT];
   allEvents(ev);
   JsonBuf b;
   JsonBuf_init(&b);
   for (int i = 0; i < EV__COUNT - 1; i++) {
      JsonBuf_reset(&b);
      Json_event(&b, &ev[i]);
      assert_true(isJsonLines(b.data, b.len) == 1);
      char* line = strndup(b.data, b.len);
      char want[64];
      snprintf(want, sizeof want, "{\"type\":\"%s\",\"ts\":", Event_typeName((EventType)ev[i].type));
      assert_true(strncmp(line, want, strlen(want)) == 0);
      int sock = Event_isSock(&ev[i]);
      assert_true((strstr(line, "\"laddr\":") != NULL) == sock);
      assert_true((strstr(line, "\"ppid\":") != NULL) == (ev[i].type == EV_EXEC || ev[i].type == EV_PROC));
      assert_true((strstr(line, "\"exit_code\":") != NULL) == (ev[i].type == EV_EXIT));
      assert_true((strstr(line, "\"child_pid\":") != NULL) == (ev[i].type == EV_FORK));
      assert_true((strstr(line, "\"lifetime_ns\":") != NULL) == (ev[i].type == EV_CLOSE));
      assert_true((strstr(line, "\"count\":") != NULL) == (ev[i].type == EV_UDP_PEER));
      assert_true((strstr(line, "\"oldstate\":") != NULL) == (ev[i].type == EV_STATE));
      assert_true((strstr(line, "\"noowner\":") != NULL) == (ev[i].type == EV_SOCK));
      free(line);
   }
   JsonBuf_free(&b);
}

static const char* EVENT_SCRIPT =
   "import json, sys\n"
   "ev = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]\n"
   "by = {e['type']: e for e in ev}\n"
   "x = by['exec']\n"
   "assert x['args'] == ['curl', '-s', '\"x\"'], x['args']\n"
   "assert x['comm'] == 'curl' and x['ppid'] == 1 and x['uid'] == 1000 and x['pid'] == 321\n"
   "assert x['filename'] == '/usr/bin/curl'\n"
   "p = by['proc']\n"
   "assert p['comm'] == '\\x1b[31mevil\\x1b]0;p', repr(p['comm'])\n"
   "assert p['args_truncated'] is True\n"
   "assert by['fork']['child_pid'] == 321 and by['fork']['child_start'] == 5000000000\n"
   "assert by['exit']['exit_code'] == 256\n"
   "c = by['connect']\n"
   "assert c['proto'] == 'tcp' and c['family'] == 'ipv4' and c['laddr'] == '10.200.0.1'\n"
   "assert c['lport'] == 40000 and c['raddr'] == '93.184.216.34' and c['rport'] == 443\n"
   "assert c['dir'] == 'out' and c['state'] == 'ESTABLISHED' and c['sk'] == '0xffff888012345678'\n"
   "assert c['netns'] == 4026531840 and c['ts'] == 7000000000 and c['pstart'] == 5000000000\n"
   "f = by['connect_fail']\n"
   "assert f['err'] == 111 and f['errno_name'] == 'ECONNREFUSED', f\n"
   "s = by['state']\n"
   "assert s['oldstate'] == 'SYN_SENT' and s['state'] == 'ESTABLISHED'\n"
   "assert by['close']['lifetime_ns'] == 2000000000 and by['close']['tx'] == 100\n"
   "assert by['bytes']['rx'] == 200\n"
   "u = by['udp_peer']\n"
   "assert u['proto'] == 'udp' and u['count'] == 7 and 'state' not in u\n"
   "assert by['listen']['dir'] == 'listen' and by['accept']['dir'] == 'in'\n"
   "o = by['sock']\n"
   "assert o['pid'] == 0 and o['noowner'] == 'orphan' and o['family'] == 'ipv6'\n"
   "assert o['raddr'] == '2606:2800:220:1:248:1893:25c8:1946'\n"
   "w = by['owner']\n"
   "assert w['pid'] == 321 and w['old_pid'] == 320 and w['tx'] == 100 and 'count' not in w, w\n"
   "assert len(by) == 15, sorted(by)\n"
   "print('OK')\n";

static void test_event_lines_parse_in_python(void** state) {
   (void)state;
   Event ev[EV__COUNT];
   allEvents(ev);
   JsonBuf b;
   JsonBuf_init(&b);
   for (int i = 0; i < EV__COUNT - 1; i++)
      Json_event(&b, &ev[i]);
   assert_int_equal(isJsonLines(b.data, b.len), EV__COUNT - 1);
   runPython(EVENT_SCRIPT, b.data, b.len);
   JsonBuf_free(&b);
}

/* The hand-written dotted quad agrees with inet_ntop. */
static void test_event_v4_addresses(void** state) {
   (void)state;
   unsigned seed = 7;
   JsonBuf b;
   JsonBuf_init(&b);
   for (int i = 0; i < 5000; i++) {
      Event e = sockEvent(EV_CONNECT);
      uint32_t v = i < 4 ? (uint32_t[]){0, 0xffffffffu, 0x0a000001u, 0x01640a00u}[i]
                         : (uint32_t)rand_r(&seed) * 2654435761u;
      Addr_fromV4(e.sock.raddr, v);
      char want[80], text[64];
      snprintf(want, sizeof want, "\"raddr\":\"%s\",",
               Addr_format(e.sock.raddr, text, sizeof text));
      JsonBuf_reset(&b);
      Json_event(&b, &e);
      assert_non_null(memmem(b.data, b.len, want, strlen(want)));
   }
   JsonBuf_free(&b);
}

/* Any bytes at all in an event still give one valid line. */
static void test_event_random_contents(void** state) {
   (void)state;
   unsigned seed = 99;
   JsonBuf b;
   JsonBuf_init(&b);
   for (int i = 0; i < 20000; i++) {
      Event e;
      unsigned char* raw = (unsigned char*)&e;
      for (size_t k = 0; k < sizeof e; k++)
         raw[k] = (unsigned char)rand_r(&seed);
      e.type = (uint16_t)(i % (EV__COUNT + 2));
      JsonBuf_reset(&b);
      Json_event(&b, &e);
      assert_int_equal(isJsonLines(b.data, b.len), 1);
   }
   JsonBuf_free(&b);
}

/* ---- Json_tree ---- */

static const char* samplePath(char* buf, size_t len) {
   const char* dir = getenv("VISNET_TEST_DATA");
   if (dir) {
      snprintf(buf, len, "%s/sample.evlog", dir);
   } else {
      const char* slash = strrchr(__FILE__, '/');
      int n = slash ? (int)(slash - __FILE__) : 1;
      snprintf(buf, len, "%.*s/../data/sample.evlog", n, slash ? __FILE__ : ".");
   }
   return buf;
}

static Store* sampleStore(void) {
   char path[1024], err[512] = "";
   EvlogStatus st;
   EvlogReader* r = EvlogReader_open(samplePath(path, sizeof path), &st, err, sizeof err);
   if (!r)
      fail_msg("%s", err);
   Store* s = Store_new(STORE_DEFAULT_INACTIVE_CAP);
   assert_non_null(s);
   Event e;
   while ((st = EvlogReader_next(r, &e)) == EVLOG_OK)
      Store_apply(s, &e);
   assert_int_equal(st, EVLOG_EOF);
   EvlogReader_close(r);
   return s;
}

static char* treeJson(Store* s, TreeView view, const char* filter, bool inactive, size_t* len) {
   TreeOpts o = {.view = view, .sort = SORT_PID, .show_inactive = inactive, .filter = filter,
                 .all_procs = true};
   Tree* t = Tree_build(s, &o);
   assert_non_null(t);
   JsonBuf b;
   JsonBuf_init(&b);
   Json_treeFor(&b, t, s, "test-host", view);
   Tree_free(t);
   assert_false(b.oom);
   assert_true(isJson(b.data, b.len));
   assert_null(memchr(b.data, '\n', b.len));
   char* out = strndup(b.data, b.len);
   *len = b.len;
   JsonBuf_free(&b);
   return out;
}

static const char* TREE_PY_HELPERS =
   "import json, sys\n"
   "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
   "def walk(ps, depth=0, parent=None):\n"
   "    for p in ps:\n"
   "        yield p, depth, parent\n"
   "        yield from walk(p.get('children', []), depth + 1, p)\n"
   "procs = {p['pid']: (p, dep, par) for p, dep, par in walk(d.get('processes', []))}\n"
   "def socks(p):\n"
   "    return [k for r in p['remotes'] for k in r['sockets']]\n";

static const char* TREE_SCRIPT =
   "assert d['host'] == 'test-host' and d['view'] == 'tree', (d['host'], d['view'])\n"
   "for pid in (1, 812, 4301, 4310, 5000, 5100, 6000, 640):\n"
   "    assert pid in procs, (pid, sorted(procs))\n"
   "assert [p['pid'] for p in d['processes']][0] == 1\n"
   "assert procs[5100][2]['pid'] == 4310 and procs[4310][2]['pid'] == 4301\n"
   "assert procs[4301][2]['pid'] == 812 and procs[812][2]['pid'] == 1\n"
   "curl = procs[5100][0]\n"
   "assert curl['comm'] == 'curl' and curl['state'] == 'alive' and curl['uid'] == 1000\n"
   "assert curl['exe'] == '/usr/bin/curl' and curl['cmdline'].startswith('curl -s')\n"
   "r = {x['addr']: x for x in curl['remotes']}\n"
   "assert '93.184.216.34' in r and '10.200.0.2' in r, sorted(r)\n"
   "assert '2606:2800:220:1:248:1893:25c8:1946' in r, sorted(r)\n"
   "ks = r['93.184.216.34']['sockets']\n"
   "assert sorted(k['family'] for k in ks) == ['ipv4', 'ipv6'], ks\n"
   "k = [k for k in ks if k['family'] == 'ipv4'][0]\n"
   "assert k['proto'] == 'tcp' and k['rport'] == 443 and k['state'] == 'ESTABLISHED'\n"
   "assert k['active'] is True and k['dir'] == 'out' and k['rx'] == 1048576, k\n"
   "h = r['10.200.0.2']['sockets'][0]\n"
   "assert h['active'] is False and h['closed'] > h['opened'], h\n"
   "assert r['127.0.0.53']['sockets'][0]['proto'] == 'udp'\n"
   "py = procs[5000][0]\n"
   "assert [l['lport'] for l in py['listening']] == [8000], py['listening']\n"
   "assert len(socks(py)) == 3, socks(py)\n"
   "assert {l['lport'] for l in procs[812][0]['listening']} == {22}\n"
   "ssh = socks(procs[4301][0])\n"
   "assert ssh[0]['raddr'] == '10.0.0.5' and ssh[0]['rport'] == 51234 and ssh[0]['lport'] == 22\n"
   "nc = procs[5300][0]\n"
   "assert nc['state'] == 'exited' and nc['exit_code'] == 256, nc\n"
   "assert socks(nc)[0]['errno_name'] == 'ECONNREFUSED', socks(nc)\n"
   "evil = procs[6000][0]\n"
   "assert evil['comm'] == '\\x1b[31mevil\\x1b]0;pw', repr(evil['comm'])\n"
   "assert '\\x1b]0;pwn\\x07' in evil['cmdline'], repr(evil['cmdline'])\n"
   "assert socks(evil)[0]['raddr'] == '198.51.100.66'\n"
   "assert r['93.184.216.34']['connections'] >= 1 and curl['connections'] >= 3\n"
   "assert curl['tx'] > 0 and curl['rx'] > 1048576\n"
   "u = {(k['raddr'], k['rport']): k for k in d['unowned']}\n"
   "assert ('93.184.216.34', 80) in u and u[('93.184.216.34', 80)]['noowner'] == 'orphan', u\n"
   "assert 'noowner_reason' in u[('93.184.216.34', 80)]\n"
   "print('OK')\n";

static void pyCheck(const char* body, const char* json, size_t len) {
   size_t n = strlen(TREE_PY_HELPERS) + strlen(body) + 1;
   char* script = malloc(n);
   snprintf(script, n, "%s%s", TREE_PY_HELPERS, body);
   runPython(script, json, len);
   free(script);
}

static void test_tree_document(void** state) {
   (void)state;
   Store* s = sampleStore();
   size_t len;
   char* j = treeJson(s, VIEW_TREE, NULL, true, &len);
   pyCheck(TREE_SCRIPT, j, len);
   /* no raw escape byte anywhere in the document */
   assert_null(memchr(j, 0x1b, len));
   assert_null(memchr(j, 0x07, len));
   free(j);
   Store_free(s);
}

static const char* ACTIVE_SCRIPT =
   "assert 5300 not in procs, sorted(procs)\n"
   "r = {x['addr'] for x in procs[5100][0]['remotes']}\n"
   "assert '10.200.0.2' not in r and '93.184.216.34' in r, r\n"
   "print('OK')\n";

static const char* FLAT_SCRIPT =
   "assert d['view'] == 'flat'\n"
   "assert all(not p['children'] for p in d['processes'])\n"
   "assert {1, 4310, 5100, 6000} <= {p['pid'] for p in d['processes']}\n"
   "print('OK')\n";

static const char* FILTER_SCRIPT =
   "assert 5100 in procs and 6000 not in procs and 5000 not in procs, sorted(procs)\n"
   "assert procs[5100][2]['pid'] == 4310\n"
   "print('OK')\n";

static const char* ENDPOINT_SCRIPT =
   "assert d['view'] == 'endpoint' and 'processes' not in d\n"
   "e = {x['addr']: x for x in d['endpoints']}\n"
   "assert '93.184.216.34' in e and '10.0.0.5' in e, sorted(e)\n"
   "ps = e['93.184.216.34']['processes']\n"
   "assert [p['pid'] for p in ps] == [5100], ps\n"
   "assert ps[0]['sockets'][0]['rport'] == 443 and ps[0]['comm'] == 'curl'\n"
   "assert e['10.0.0.5']['processes'][0]['pid'] == 4301\n"
   "print('OK')\n";

static void test_tree_views_and_filter(void** state) {
   (void)state;
   Store* s = sampleStore();
   size_t len;
   char* j = treeJson(s, VIEW_TREE, NULL, false, &len);
   pyCheck(ACTIVE_SCRIPT, j, len);
   free(j);
   j = treeJson(s, VIEW_FLAT, NULL, true, &len);
   pyCheck(FLAT_SCRIPT, j, len);
   free(j);
   j = treeJson(s, VIEW_TREE, "curl", true, &len);
   pyCheck(FILTER_SCRIPT, j, len);
   free(j);
   j = treeJson(s, VIEW_ENDPOINT, NULL, true, &len);
   pyCheck(ENDPOINT_SCRIPT, j, len);
   free(j);
   Store_free(s);
}

static void test_tree_empty_store(void** state) {
   (void)state;
   Store* s = Store_new(10);
   TreeOpts o = {.view = VIEW_TREE, .all_procs = true};
   Tree* t = Tree_build(s, &o);
   JsonBuf b;
   JsonBuf_init(&b);
   Json_tree(&b, t, s);
   assert_true(isJson(b.data, b.len));
   assert_null(memchr(b.data, '\n', b.len)); /* one line, the caller ends it */
   char* j = strndup(b.data, b.len);
   assert_non_null(strstr(j, "\"processes\":[]"));
   assert_non_null(strstr(j, "\"unowned\":[]"));
   assert_non_null(strstr(j, "\"view\":\"tree\""));
   char host[256] = "";
   gethostname(host, sizeof host);
   JsonBuf h;
   JsonBuf_init(&h);
   Json_string(&h, host, strlen(host));
   assert_non_null(strstr(j, "\"host\":"));
   assert_non_null(memmem(j, strlen(j), h.data, h.len)); /* this machine's name */
   JsonBuf_free(&h);
   free(j);
   JsonBuf_free(&b);
   Tree_free(t);
   Store_free(s);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validator_rejects),
      cmocka_unit_test(test_string_plain_quote_backslash),
      cmocka_unit_test(test_string_every_control_char),
      cmocka_unit_test(test_string_escape_sequences),
      cmocka_unit_test(test_string_valid_utf8_kept),
      cmocka_unit_test(test_string_invalid_utf8_replaced),
      cmocka_unit_test(test_string_random_bytes_always_valid),
      cmocka_unit_test(test_buf_write_errors),
      cmocka_unit_test(test_event_each_type),
      cmocka_unit_test(test_event_lines_parse_in_python),
      cmocka_unit_test(test_event_v4_addresses),
      cmocka_unit_test(test_event_random_contents),
      cmocka_unit_test(test_tree_document),
      cmocka_unit_test(test_tree_views_and_filter),
      cmocka_unit_test(test_tree_empty_store),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
