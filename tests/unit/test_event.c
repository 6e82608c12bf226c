/* test_event.c: names and address helpers of the event model. */
#include "testutil.h"

#include <string.h>

static void test_type_names_round_trip(void** state) {
   (void)state;
   for (int t = 1; t < EV__COUNT; t++)
      assert_int_equal(Event_typeFromName(Event_typeName((EventType)t)), t);
   assert_int_equal(Event_typeFromName("bogus"), EV_NONE);
   assert_string_equal(Event_typeName((EventType)999), "invalid");
}

static void test_addr_v4_and_v6(void** state) {
   (void)state;
   uint8_t a[16];
   char buf[64];
   assert_int_equal(Addr_parse("10.1.2.3", a), 0);
   assert_true(Addr_isV4(a));
   assert_string_equal(Addr_format(a, buf, sizeof buf), "10.1.2.3");
   assert_int_equal(Addr_parse("::ffff:10.1.2.3", a), 0);
   assert_string_equal(Addr_format(a, buf, sizeof buf), "10.1.2.3");
   assert_int_equal(Addr_parse("fd00::1", a), 0);
   assert_false(Addr_isV4(a));
   assert_string_equal(Addr_format(a, buf, sizeof buf), "fd00::1");
   assert_int_equal(Addr_parse("not an ip", a), -1);
   assert_int_equal(Addr_parse("0.0.0.0", a), 0);
   assert_true(Addr_isZero(a));
   assert_int_equal(Addr_parse("::", a), 0);
   assert_true(Addr_isZero(a));
}

static void test_state_names(void** state) {
   (void)state;
   assert_string_equal(Event_tcpStateName(TCPS_LISTEN), "LISTEN");
   assert_string_equal(Event_tcpStateName(-1), "UNKNOWN");
   assert_string_equal(Event_tcpStateName(200), "UNKNOWN");
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_type_names_round_trip),
      cmocka_unit_test(test_addr_v4_and_v6),
      cmocka_unit_test(test_state_names),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
