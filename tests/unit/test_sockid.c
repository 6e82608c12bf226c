/* test_sockid.c: socket ids (core/model/sockid.c): SipHash-2-4 as its
 * reference vectors say, ids below 2^63, stable for one key, different
 * under another, 0 kept as 0. Also the evlog flag that says a log's sk are
 * ids, and the conversion of records using them. */
#include <linux/types.h>
#include <stdbool.h>
#include <string.h>

#include "testutil.h"

#include "convert.h"
#include "sockid.h"
#include "visnet_abi.h"

static void test_reference_vector(void** state) {
   (void)state;
   /* key 00..0f, message 00..07: the reference vectors' output for an
    * 8-byte input, 62 24 93 9a 79 f5 f5 93, as a little-endian u64 */
   SockIdKey k = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
   assert_int_equal(SockId_of(&k, 0x0706050403020100ull), 0x93f5f5799a932462ull >> 1);
}

static void test_ids(void** state) {
   (void)state;
   SockIdKey a, b;
   SockId_newKey(&a);
   SockId_newKey(&b);
   assert_int_equal(SockId_of(&a, 0), 0);
   uint64_t addr = 0xffff888004000800ull;
   uint64_t id = SockId_of(&a, addr);
   assert_int_equal(SockId_of(&a, addr), id);
   assert_true(id != 0 && id < (1ull << 63));
   assert_true(SockId_of(&b, addr) != id);
   assert_true(SockId_of(&a, addr + 0x800) != id);
}

static uint64_t seen_sk;

static void sink(void* ctx, const Event* e) {
   (void)ctx;
   seen_sk = e->sock.sk;
}

static void test_convert_hides_address(void** state) {
   (void)state;
   Convert c;
   Convert_init(&c, sink, NULL);
   struct vn_sock_rec r;
   memset(&r, 0, sizeof r);
   r.h.type = VN_EV_BYTES;
   r.sk = 0xffff888004000800ull;
   Convert_record(&c, &r, sizeof r);
   assert_int_equal(seen_sk, SockId_of(&c.key, r.sk));
   assert_true(seen_sk < (1ull << 63));
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test(test_reference_vector),
       cmocka_unit_test(test_ids),
       cmocka_unit_test(test_convert_hides_address),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
