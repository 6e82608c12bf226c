/* test_filter.c: the filter language: each field, NOT, OR, CIDR, service
 * and user names, the three answers, and one clear error per bad term. */
#include <stdio.h>
#include <string.h>

#include "filter.h"
#include "testutil.h"
#include "tree.h"

static void apply(Store* s, Event e) {
   assert_int_equal(Store_apply(s, &e), 0);
}

/* nginx[20] (uid 33) listens on :443 and holds a connection from
 * 10.1.2.3:50000; curl[30] (uid 1000) talks to [2001:db8::5]:80 and
 * 10.9.9.9:53 over UDP; a connection of curl's to 10.9.9.9:8080 closed. */
static Store* sample(void) {
   Store* s = Store_new(0);
   Event e = TU_exec(20, 1, SEC, "nginx", SEC);
   e.proc.uid = 33;
   e.proc.cgroup = 7;
   apply(s, e);
   e = TU_exec(30, 1, SEC, "curl", SEC);
   e.proc.uid = 1000;
   apply(s, e);
   apply(s, TU_sock(EV_LISTEN, 20, 0, "0.0.0.0", 443, "0.0.0.0", 0, 2 * SEC));
   apply(s, TU_sock(EV_ACCEPT, 20, 0, "10.0.0.1", 443, "10.1.2.3", 50000, 2 * SEC));
   apply(s, TU_sock(EV_CONNECT, 30, 0, "2001:db8::1", 40000, "2001:db8::5", 80, 2 * SEC));
   apply(s, TU_sock(EV_CONNECTED, 30, 0, "2001:db8::1", 40000, "2001:db8::5", 80, 2 * SEC));
   e = TU_sock(EV_UDP_PEER, 30, 0, "10.0.0.1", 40001, "10.9.9.9", 53, 2 * SEC);
   e.sock.proto = 17;
   apply(s, e);
   apply(s, TU_sock(EV_CONNECT, 30, 0, "10.0.0.1", 40002, "10.9.9.9", 8080, 2 * SEC));
   apply(s, TU_sock(EV_CLOSE, 30, 0, "10.0.0.1", 40002, "10.9.9.9", 8080, 3 * SEC));
   return s;
}

/* The sockets f matches, as "lport>rport", by local then remote port. */
static const char* socks(Store* s, const char* text) {
   static char out[256];
   char err[200];
   Filter* f = Filter_parse(text, err, sizeof err);
   assert_string_equal(err, "");
   out[0] = '\0';
   unsigned ports[16];
   size_t n = 0;
   for (Sock* k = Store_firstSock(s); k; k = Store_nextSock(s, k))
      if (Filter_sock(f, k) && n < 16)
         ports[n++] = (unsigned)k->key.lport << 16 | k->key.rport;
   for (size_t i = 1; i < n; i++) /* insertion sort: a fixed order to compare */
      for (size_t j = i; j > 0 && ports[j - 1] > ports[j]; j--) {
         unsigned x = ports[j];
         ports[j] = ports[j - 1];
         ports[j - 1] = x;
      }
   for (size_t i = 0; i < n; i++)
      snprintf(out + strlen(out), sizeof out - strlen(out), "%s%u>%u", i ? " " : "", ports[i] >> 16,
               ports[i] & 0xffff);
   Filter_free(f);
   return out;
}

static const char* unitOf(void* ctx, uint64_t cgroup) {
   (void)ctx;
   return cgroup == 7 ? "system.slice/nginx.service" : NULL;
}

static void test_fields(void** state) {
   (void)state;
   Store* s = sample();
   assert_string_equal(socks(s, "port:443"), "443>0 443>50000");
   assert_string_equal(socks(s, "port:https"), "443>0 443>50000"); /* /etc/services */
   assert_string_equal(socks(s, "rport:50000"), "443>50000");
   assert_string_equal(socks(s, "lport:40000,40001"), "40000>80 40001>53");
   assert_string_equal(socks(s, "pid:30"), "40000>80 40001>53 40002>8080");
   assert_string_equal(socks(s, "proc:ng*"), "443>0 443>50000");
   assert_string_equal(socks(s, "proc:CURL"), "40000>80 40001>53 40002>8080");
   assert_string_equal(socks(s, "user:33"), "443>0 443>50000");
   assert_string_equal(socks(s, "user:root"), ""); /* uid 0: nobody here */
   assert_string_equal(socks(s, "state:listen"), "443>0");
   assert_string_equal(socks(s, "state:estab"), "443>50000 40000>80");
   assert_string_equal(socks(s, "state:closed"), "40002>8080");
   assert_string_equal(socks(s, "state:SYN_RECV,time-wait"), "");
   assert_string_equal(socks(s, "proto:udp"), "40001>53");
   assert_string_equal(socks(s, "ip:10.0.0.0/8"), "443>50000 40001>53 40002>8080");
   assert_string_equal(socks(s, "ip:10.9.9.9"), "40001>53 40002>8080");
   assert_string_equal(socks(s, "ip:2001:db8::/32"), "40000>80");
   assert_string_equal(socks(s, "ip:0.0.0.0/0"), "443>0 443>50000 40001>53 40002>8080");
   assert_string_equal(socks(s, "netns:1"), ""); /* the sample's sockets are in netns 0 */
   /* a socket in TIME_WAIT: closed for the store (only its tuple is left),
    * but asked for by its state */
   Event tw = TU_sock(EV_SOCK, 30, 0, "10.0.0.1", 40003, "10.9.9.9", 8080, 4 * SEC);
   tw.sock.state = TCPS_TIME_WAIT;
   apply(s, tw);
   assert_string_equal(socks(s, "state:SYN_RECV,time-wait"), "40003>8080");
   assert_string_equal(socks(s, "state:closed"), "40002>8080 40003>8080");
   assert_string_equal(socks(s, "state:estab"), "443>50000 40000>80");
   Store_free(s);
}

static void test_logic(void** state) {
   (void)state;
   Store* s = sample();
   /* AND, NOT, OR, free words (names, ports, addresses) */
   assert_string_equal(socks(s, "curl !proto:udp"), "40000>80 40002>8080");
   assert_string_equal(socks(s, "!state:listen nginx"), "443>50000");
   assert_string_equal(socks(s, "proc:nginx,curl state:estab"), "443>50000 40000>80");
   assert_string_equal(socks(s, "8080"), "40002>8080");
   assert_string_equal(socks(s, "10.1.2"), "443>50000");
   assert_string_equal(socks(s, "!curl !nginx"), "");
   assert_string_equal(socks(s, "2001:db8::5"), "40000>80"); /* a word with colons */
   /* a process: decided by process terms, open while sockets decide */
   char err[200];
   Proc* nginx = Store_proc(s, 20);
   Filter* f = Filter_parse("proc:nginx", err, sizeof err);
   assert_int_equal(Filter_proc(f, nginx), FILTER_YES);
   assert_int_equal(Filter_proc(f, Store_proc(s, 30)), FILTER_NO);
   Filter_free(f);
   f = Filter_parse("nginx port:443", err, sizeof err);
   assert_int_equal(Filter_proc(f, nginx), FILTER_MAYBE);
   Filter_free(f);
   f = Filter_parse("!nginx", err, sizeof err);
   assert_int_equal(Filter_proc(f, nginx), FILTER_NO);
   assert_int_equal(Filter_proc(f, Store_proc(s, 30)), FILTER_MAYBE); /* a socket may say nginx */
   Filter_free(f);
   f = Filter_parse("ip:10.9.0.0/16", err, sizeof err);
   Sock* k = NULL;
   for (k = Store_firstSock(s); k && k->key.rport != 53; k = Store_nextSock(s, k))
      ;
   assert_non_null(k);
   assert_int_equal(Filter_remote(f, k->proc, k->ep), FILTER_YES);
   assert_int_equal(Filter_remote(f, NULL, k->ep), FILTER_YES);
   Filter_free(f);
   /* unit: through the caller's lookup */
   f = Filter_parse("unit:nginx.service", err, sizeof err);
   assert_int_equal(Filter_proc(f, nginx), FILTER_NO); /* no lookup given */
   Filter_setUnits(f, unitOf, NULL);
   assert_int_equal(Filter_proc(f, nginx), FILTER_YES);
   Filter_free(f);
   f = Filter_parse("unit:system.slice/*", err, sizeof err);
   Filter_setUnits(f, unitOf, NULL);
   assert_int_equal(Filter_proc(f, nginx), FILTER_YES);
   Filter_free(f);
   /* empty: no filter, everything passes */
   assert_null(Filter_parse("   ", err, sizeof err));
   assert_string_equal(err, "");
   assert_true(Filter_sock(NULL, k));
   Store_free(s);
}

static void test_errors(void** state) {
   (void)state;
   static const char* const BAD[][2] = {
       {"port:abc", "'port:abc': not a port number or service name"},
       {"port:70000", "'port:70000': not a port number or service name"},
       {"pid:-1", "'pid:-1': not a process id"},
       {"user:no-such-user-here", "'user:no-such-user-here': no such user"},
       {"state:sleepy", "'state:sleepy': not a state (listen, syn, estab, closing, closed, "
                        "active, or a TCP state: time-wait, close-wait, ...)"},
       {"proto:sctp", "'proto:sctp': not a protocol (tcp, udp)"},
       {"ip:10.0.0.0/33", "'ip:10.0.0.0/33': not an address or a CIDR (10.0.0.0/8, fd00::/8)"},
       {"ip:fd00::/129", "'ip:fd00::/129': not an address or a CIDR (10.0.0.0/8, fd00::/8)"},
       {"netns:x", "'netns:x': not a network namespace inode number"},
       {"colour:red", "'colour:red': no such field (port, lport, rport, pid, proc, user, state, "
                      "proto, ip, netns, unit, host)"},
       {"port:", "'port:': no value"},
       {"port:,", "'port:,': no value"},
       {"!", "'!': nothing to match"},
       {"nginx port:22,x", "'port:22,x': not a port number or service name"},
   };
   for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
      char err[200];
      assert_null(Filter_parse(BAD[i][0], err, sizeof err));
      assert_string_equal(err, BAD[i][1]);
   }
}

/* In the tree: a process named by process terms shows all below it; with a
 * port term only the matching sockets; the counts are the matches. */
static void test_in_tree(void** state) {
   (void)state;
   Store* s = sample();
   TreeOpts o;
   memset(&o, 0, sizeof o);
   o.show_inactive = true;
   o.filter = "curl !proto:udp";
   Tree* t = Tree_build(s, &o);
   size_t active, inactive;
   assert_true(Tree_matches(t, &active, &inactive));
   assert_int_equal(active, 1);
   assert_int_equal(inactive, 1);
   assert_null(Tree_error(t));
   Tree_free(t);
   o.filter = "state:bogus";
   t = Tree_build(s, &o);
   assert_string_equal(Tree_error(t),
                       "'state:bogus': not a state (listen, syn, estab, closing, "
                       "closed, active, or a TCP state: time-wait, close-wait, ...)");
   assert_int_equal(Tree_size(t), 0);
   Tree_free(t);
   o.filter = NULL;
   t = Tree_build(s, &o);
   assert_false(Tree_matches(t, &active, &inactive));
   Tree_free(t);
   Store_free(s);
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_fields),
       cmocka_unit_test(test_logic),
       cmocka_unit_test(test_errors),
       cmocka_unit_test(test_in_tree),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
