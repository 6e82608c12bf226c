/* test_convert.c: the probe's records as Events (bpf/convert.c), without
 * a kernel: a combined record is expanded into the events it stands for,
 * each at its own time and in order, then its own; a short or unknown
 * record is skipped; a process record is one event. */
#include <linux/types.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "testutil.h"

#include "convert.h"
#include "visnet_abi.h"

static Event got[8];
static size_t ngot;

static void sink(void* ctx, const Event* e) {
   (void)ctx;
   if (ngot < 8)
      got[ngot] = *e;
   ngot++;
}

static struct vn_sock_rec sockRec(uint16_t type, uint16_t flags) {
   struct vn_sock_rec r;
   memset(&r, 0, sizeof r);
   r.h.type = type;
   r.h.flags = flags;
   r.h.pid = 4321;
   r.h.tid = 4322;
   r.h.pstart = 7 * SEC;
   r.h.ts = 100 * SEC;
   r.proto = IPPROTO_TCP;
   r.family = 2;
   r.lport = 40000;
   r.rport = 443;
   return r;
}

static void test_connect_to_close_in_one_record(void** state) {
   (void)state;
   Convert c;
   Convert_init(&c, sink, NULL);
   ngot = 0;
   struct vn_sock_rec r = sockRec(VN_EV_CLOSE, VN_F_WITH_CONNECT | VN_F_WITH_CONNECTED);
   r.lifetime_ns = 3 * SEC;
   r.open_ts = 98 * SEC;
   r.tx = 1234;
   r.rx = 5678;
   r.state = TCPS_CLOSE;
   assert_int_equal(Convert_record(&c, &r, sizeof r), 0);
   assert_int_equal(ngot, 3);
   assert_int_equal(got[0].type, EV_CONNECT);
   assert_int_equal(got[0].ts, 97 * SEC); /* ts - lifetime */
   assert_int_equal(got[0].sock.state, TCPS_SYN_SENT);
   assert_int_equal(got[0].sock.tx, 0);
   assert_int_equal(got[1].type, EV_CONNECTED);
   assert_int_equal(got[1].ts, 98 * SEC);
   assert_int_equal(got[1].sock.oldstate, TCPS_SYN_SENT);
   assert_int_equal(got[2].type, EV_CLOSE);
   assert_int_equal(got[2].ts, 100 * SEC);
   assert_int_equal(got[2].sock.tx, 1234);
   assert_int_equal(got[2].sock.rx, 5678);
   assert_int_equal(got[2].sock.lifetime_ns, 3 * SEC);
   assert_int_equal(got[2].flags, 0); /* the record-only flags are not the Event's */
   for (size_t i = 0; i < 3; i++) {
      assert_int_equal(got[i].pid, 4321);
      assert_int_equal(got[i].tid, 4322);
      assert_int_equal(got[i].sock.lport, 40000);
   }
}

static void test_failed_connect(void** state) {
   (void)state;
   Convert c;
   Convert_init(&c, sink, NULL);
   ngot = 0;
   struct vn_sock_rec r = sockRec(VN_EV_CLOSE, VN_F_WITH_CONNECT | VN_F_WITH_FAIL);
   r.lifetime_ns = 2 * SEC;
   r.err = 111;
   Convert_record(&c, &r, sizeof r);
   assert_int_equal(ngot, 3);
   assert_int_equal(got[0].type, EV_CONNECT);
   assert_int_equal(got[1].type, EV_CONNECT_FAIL);
   assert_int_equal(got[1].sock.err, 111);
   assert_int_equal(got[2].type, EV_CLOSE);
   assert_int_equal(got[2].sock.err, 0); /* told once, by the failure */
}

static void test_bad_records_skipped(void** state) {
   (void)state;
   Convert c;
   Convert_init(&c, sink, NULL);
   ngot = 0;
   struct vn_sock_rec r = sockRec(VN_EV_BYTES, 0);
   Convert_record(&c, &r, sizeof r - 1); /* short */
   r.h.type = 200;                       /* unknown */
   Convert_record(&c, &r, sizeof r);
   Convert_record(&c, &r, 2); /* not even a header */
   assert_int_equal(ngot, 0);
   struct vn_proc_rec p;
   memset(&p, 0, sizeof p);
   p.h.type = VN_EV_EXEC;
   p.h.pid = 77;
   memcpy(p.comm, "0123456789abcdefXYZ", sizeof p.comm); /* unterminated */
   p.args_len = 60000;                                   /* more than fits */
   Convert_record(&c, &p, sizeof p);
   assert_int_equal(ngot, 1);
   assert_int_equal(got[0].type, EV_EXEC);
   assert_int_equal(got[0].pid, 77);
   assert_int_equal(strlen(got[0].proc.comm), VN_COMM_LEN - 1);
   assert_int_equal(got[0].proc.args_len, VN_ARGS_LEN);
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_connect_to_close_in_one_record),
       cmocka_unit_test(test_failed_connect),
       cmocka_unit_test(test_bad_records_skipped),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
