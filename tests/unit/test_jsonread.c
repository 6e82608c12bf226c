/* test_jsonread.c: visnet's JSON lines read back. Every event type written
 * by json.c reads back to the same line; the sample log's events do too;
 * each way a line can be wrong gets its own reason. */
#include "testutil.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "evlog.h"
#include "json.h"
#include "jsonread.h"

static void readBack(const JsonBuf* line, Event* out) {
   char err[160];
   int kind = JsonRead_line(line->data, line->len, out, err, sizeof err);
   if (kind != JSONREAD_EVENT)
      fail_msg("%.*s read as %d: %s", (int)line->len, line->data, kind, err);
}

static void sameLines(const JsonBuf* a, const JsonBuf* b) {
   if (a->len != b->len || memcmp(a->data, b->data, a->len) != 0)
      fail_msg("wrote %.*s read back as %.*s", (int)a->len, a->data, (int)b->len, b->data);
}

/* Writes e, reads it back, writes that again: the two lines are equal.
 * Bytes that are not UTF-8 are written as U+FFFD, which reads back as the
 * character itself: unless exact, the second and third lines are equal. */
static void roundTrip(const Event* e, bool exact) {
   JsonBuf a, b, c;
   JsonBuf_init(&a);
   JsonBuf_init(&b);
   JsonBuf_init(&c);
   Event back, again;
   Json_event(&a, e);
   readBack(&a, &back);
   Json_event(&b, &back);
   readBack(&b, &again);
   Json_event(&c, &again);
   sameLines(exact ? &a : &b, exact ? &b : &c);
   assert_int_equal(back.type, e->type);
   assert_int_equal(back.pid, e->pid);
   assert_int_equal(back.ts, e->ts);
   JsonBuf_free(&a);
   JsonBuf_free(&b);
   JsonBuf_free(&c);
}

static void test_every_type(void** state) {
   (void)state;
   Event x = TU_exec(4242, 1, 77 * SEC, "cur\"l\n\x1b[2J", 5 * SEC);
   static const char args[] = "curl\0-s\0\0http://[::1]:8080/\0";
   memcpy(x.proc.args, args, sizeof args - 1);
   x.proc.args_len = sizeof args - 1;
   snprintf(x.proc.filename, sizeof x.proc.filename, "/usr/bin/curl\xc3\xa9");
   x.proc.cgroup = 9876;
   x.proc.uid = 1000;
   x.flags = EVF_TRUNC_ARGS;
   roundTrip(&x, true);
   x.type = EV_PROC;
   roundTrip(&x, true);
   Event f = TU_fork(4242, 77 * SEC, 4243, 78 * SEC, 6 * SEC);
   roundTrip(&f, true);
   Event q = TU_exit(4243, 78 * SEC, 256 | 9, 7 * SEC);
   roundTrip(&q, true);
   q.proc.exit_code = -1;
   roundTrip(&q, true);
   for (int t = EV_CONNECT; t <= EV_OWNER; t++) {
      Event s = TU_sock((EventType)t, 4242, 77 * SEC, "10.0.0.1", 40000, "2001:db8::7", 443,
                        8 * SEC);
      s.tid = 4250;
      s.flags = EVF_THREAD | EVF_HEALED;
      s.sock.family = AF_INET6;
      s.sock.state = TCPS_FIN_WAIT2;
      s.sock.oldstate = TCPS_ESTABLISHED;
      s.sock.sk = 0xffff8881deadbeefull;
      s.sock.ino = 123456789;
      s.sock.cgroup = 5555;
      s.sock.netns = 4026531840u;
      s.sock.tx = 1ull << 40;
      s.sock.rx = 17;
      s.sock.lifetime_ns = 3 * SEC;
      s.sock.err = t == EV_CONNECT_FAIL ? 111 : 0;
      s.sock.count = 31337;
      roundTrip(&s, true);
      s.pid = 0;
      s.sock.noowner = NOOWN_ORPHAN;
      s.sock.proto = IPPROTO_UDP;
      s.sock.state = 0;
      roundTrip(&s, true);
   }
}

/* The sample log, every event of it, through the line and back. */
static void test_sample_log(void** state) {
   (void)state;
   char path[512];
   snprintf(path, sizeof path, "%s/sample.evlog", getenv("VISNET_TEST_DATA"));
   EvlogStatus st;
   char err[256];
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   if (!r)
      fail_msg("%s", err);
   Event e;
   int n = 0;
   while ((st = EvlogReader_next(r, &e)) == EVLOG_OK) {
      roundTrip(&e, false);
      n++;
   }
   assert_int_equal(st, EVLOG_EOF);
   EvlogReader_close(r);
   assert_int_equal(n, 53); /* visnet --replay sample.evlog --json: 53 event lines */
}

static void test_details(void** state) {
   (void)state;
   const char* line = "{\"type\":\"connect\",\"ts\":5,\"pid\":7,\"extra\":{\"a\":[1,2.5e3,null,true]},"
                      "\"laddr\":\"127.0.0.1\",\"lport\":80,\"proto\":\"tcp\",\"family\":\"ipv4\","
                      "\"sk\":\"0x1f\",\"dir\":\"out\",\"state\":\"SYN_SENT\",\"v\":1}\n";
   Event e;
   char err[160];
   assert_int_equal(JsonRead_line(line, strlen(line), &e, err, sizeof err), JSONREAD_EVENT);
   assert_int_equal(e.type, EV_CONNECT);
   assert_int_equal(e.ts, 5);
   assert_int_equal(e.pid, 7);
   assert_int_equal(e.sock.lport, 80);
   assert_int_equal(e.sock.proto, IPPROTO_TCP);
   assert_int_equal(e.sock.sk, 0x1f);
   assert_int_equal(e.sock.dir, DIR_OUT);
   assert_int_equal(e.sock.state, TCPS_SYN_SENT);
   assert_true(Addr_isV4(e.sock.laddr));
   assert_int_equal(e.sock.laddr[15], 1);
   /* escapes: a surrogate pair is one character, \/ a slash */
   const char* esc = "{\"type\":\"exec\",\"ts\":1,\"pid\":2,\"comm\":\"\\ud83d\\ude00\\/x\",\"v\":1}";
   assert_int_equal(JsonRead_line(esc, strlen(esc), &e, err, sizeof err), JSONREAD_EVENT);
   assert_string_equal(e.proc.comm, "\xf0\x9f\x98\x80/x");
   /* a comm too long is cut between characters, never inside one */
   const char* longc = "{\"type\":\"exec\",\"ts\":1,\"pid\":2,\"comm\":\"abcdefghijklmn\\u00e9\",\"v\":1}";
   assert_int_equal(JsonRead_line(longc, strlen(longc), &e, err, sizeof err), JSONREAD_EVENT);
   assert_string_equal(e.proc.comm, "abcdefghijklmn");
   /* the other line types */
   const char* hello = "{\"type\":\"hello\",\"ts\":1,\"host\":\"db1\",\"schema\":1,\"v\":1}";
   assert_int_equal(JsonRead_line(hello, strlen(hello), &e, err, sizeof err), JSONREAD_HELLO);
   const char* bye = "{\"type\":\"bye\",\"ts\":1,\"lost\":0,\"map_full\":{\"owners\":0},\"healed\":21,\"v\":1}";
   assert_int_equal(JsonRead_line(bye, strlen(bye), &e, err, sizeof err), JSONREAD_BYE);
   const char* lost = "{\"type\":\"lost\",\"ts\":1,\"lines\":3,\"v\":1}";
   assert_int_equal(JsonRead_line(lost, strlen(lost), &e, err, sizeof err), JSONREAD_LOST);
   const char* other = "{\"type\":\"host_status\",\"v\":1}";
   assert_int_equal(JsonRead_line(other, strlen(other), &e, err, sizeof err), JSONREAD_OTHER);
}

typedef struct Bad_ {
   const char* line;
   const char* why; /* a part of the reason */
} Bad;

static void test_refused(void** state) {
   (void)state;
   static const Bad bad[] = {
      {"", "expected '{'"},
      {"[1]", "expected '{'"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":2,\"v\":1", "expected '}'"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":2,\"v\":1}x", "text after"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":2}", "without \"v\""},
      {"{\"ts\":1,\"pid\":2,\"v\":1}", "without \"type\""},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":2,\"v\":2}", "schema version 2"},
      {"{\"type\":\"exec\",\"pid\":2,\"v\":1}", "without ts"},
      {"{\"type\":\"exec\",\"ts\":1,\"v\":1}", "without pid"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":4294967296,\"v\":1}", "\"pid\" out of range"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":-1,\"v\":1}", "\"pid\" out of range"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1.5,\"v\":1}", "whole number"},
      {"{\"type\":\"exec\",\"ts\":01,\"pid\":1,\"v\":1}", "leading zero"},
      {"{\"type\":\"exec\",\"ts\":99999999999999999999,\"pid\":1,\"v\":1}", "beyond 64 bits"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"pid\":2,\"v\":1}", "\"pid\" given twice"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":7,\"v\":1}", "\"comm\" is not a string"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":\"a\\u0000b\",\"v\":1}", "NUL"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":\"a\x01\",\"v\":1}", "control byte"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":\"\xc3\",\"v\":1}", "invalid UTF-8"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":\"\\ud800\",\"v\":1}", "lone high surrogate"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"comm\":\"\\q\",\"v\":1}", "unknown escape"},
      {"{\"type\":\"exec\",\"ts\":1,\"pid\":1,\"args\":\"x\",\"v\":1}", "\"args\" is not an array"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"lport\":65536,\"v\":1}", "\"lport\" out of range"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"laddr\":\"10.0.0.256\",\"v\":1}", "not an address"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"state\":\"SLEEPY\",\"v\":1}", "not a TCP state"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"dir\":\"up\",\"v\":1}", "\"dir\" has an unknown"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"proto\":\"sctp\",\"v\":1}", "\"proto\" has an"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"sk\":\"12\",\"v\":1}", "0x hex"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"healed\":3,\"v\":1}", "not true or false"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"x\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],\"v\":1}",
       "nested deeper"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"x\":tru,\"v\":1}", "expected a JSON value"},
      {"{\"type\":\"connect\",\"ts\":1,\"pid\":1,\"x\":1.,\"v\":1}", "after its point"},
   };
   for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
      Event e;
      char err[160];
      int rc = JsonRead_line(bad[i].line, strlen(bad[i].line), &e, err, sizeof err);
      if (rc != -1 || !strstr(err, bad[i].why))
         fail_msg("%s: rc %d, err \"%s\", want \"%s\"", bad[i].line, rc, err, bad[i].why);
   }
   /* too long, before anything is read */
   size_t n = JSONREAD_MAX_LINE + 1;
   char* big = malloc(n);
   assert_non_null(big);
   memset(big, ' ', n);
   Event e;
   char err[160];
   assert_int_equal(JsonRead_line(big, n, &e, err, sizeof err), -1);
   assert_non_null(strstr(err, "longer than 65536"));
   free(big);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_type),
      cmocka_unit_test(test_sample_log),
      cmocka_unit_test(test_details),
      cmocka_unit_test(test_refused),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
