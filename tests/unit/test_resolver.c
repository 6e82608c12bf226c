/* test_resolver.c: reverse DNS on the worker thread (src/resolver.c, which
 * needs only the core, linked in by tests/CMakeLists.txt): deduplication,
 * the cache, names handed to the store, and freeing with lookups pending. */
#include <netdb.h>
#include <string.h>
#include <sys/poll.h>

#include "testutil.h"

#include "resolver.h"

/* Waits until the resolver's fd is readable, then drains; the total set. */
static int drainWithin(Resolver* r, Store* s, int want, int ms) {
   int got = 0;
   for (int waited = 0; waited < ms && got < want; waited += 50) {
      struct pollfd p = {.fd = Resolver_fd(r), .events = POLLIN};
      if (poll(&p, 1, 50) == 1)
         got += Resolver_drain(r, s);
   }
   return got;
}

static Store* storeWith(const char* raddr) {
   Store* s = Store_new(1000);
   Event e = TU_exec(100, 1, 5 * SEC, "curl", 5 * SEC);
   assert_int_equal(Store_apply(s, &e), 0);
   e = TU_sock(EV_CONNECTED, 100, 5 * SEC, "10.0.0.2", 40000, raddr, 443, 6 * SEC);
   assert_int_equal(Store_apply(s, &e), 0);
   return s;
}

static bool localhostHasName(void) {
   char host[256];
   struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
   return getnameinfo((struct sockaddr*)&sin, sizeof sin, host, sizeof host, NULL, 0,
                      NI_NAMEREQD) == 0;
}

static void test_lookup_dedup_cache(void** state) {
   (void)state;
   if (!localhostHasName())
      skip();
   char err[128], buf[256];
   Store* s = storeWith("127.0.0.1");
   Resolver* r = Resolver_new(err, sizeof err);
   assert_non_null(r);
   uint8_t a[16];
   Addr_parse("127.0.0.1", a);
   assert_int_equal(Resolver_request(r, a), 1);
   assert_int_equal(Resolver_request(r, a), 0); /* pending: not queued twice */
   assert_int_equal(drainWithin(r, s, 1, 10000), 1);
   const Endpoint* ep = Store_endpoint(s, a);
   assert_non_null(ep);
   assert_non_null(ep->name);
   assert_non_null(Resolver_cached(r, a, buf, sizeof buf));
   assert_string_equal(buf, ep->name);
   assert_int_equal(Resolver_request(r, a), 0); /* cached */
   assert_int_equal(Resolver_drain(r, s), 0);   /* nothing new, does not block */
   Resolver_free(r);
   Store_free(s);
}

static void test_unknown_endpoint(void** state) {
   (void)state;
   if (!localhostHasName())
      skip();
   char err[128];
   Store* s = storeWith("10.9.9.9"); /* 127.0.0.1 is not an endpoint of it */
   Resolver* r = Resolver_new(err, sizeof err);
   assert_non_null(r);
   uint8_t a[16];
   Addr_parse("127.0.0.1", a);
   assert_int_equal(Resolver_request(r, a), 1);
   /* the name arrives but the store has nowhere to put it */
   assert_int_equal(drainWithin(r, s, 1, 1500), 0);
   assert_null(Store_endpoint(s, a));
   Resolver_free(r);
   Store_free(s);
}

static void test_free_with_pending(void** state) {
   (void)state;
   char err[128];
   Resolver* r = Resolver_new(err, sizeof err);
   assert_non_null(r);
   uint8_t a[16];
   for (int i = 1; i <= 20; i++) {
      Addr_fromV4(a, htonl(0x7f000000u + (uint32_t)i));
      assert_int_equal(Resolver_request(r, a), 1);
   }
   Resolver_free(r); /* must neither wait for the lookups nor crash */
   Resolver_free(NULL);
}

static void test_queue_bounded(void** state) {
   (void)state;
   char err[128];
   Resolver* r = Resolver_new(err, sizeof err);
   assert_non_null(r);
   uint8_t a[16];
   int queued = 0, full = 0;
   /* far more than the queue holds, faster than any lookup finishes */
   for (int i = 0; i < 4 * RESOLVER_MAX_PENDING; i++) {
      Addr_fromV4(a, htonl(0x7f100000u + (uint32_t)i));
      int rc = Resolver_request(r, a);
      assert_true(rc == 1 || rc == -1);
      queued += rc == 1;
      full += rc == -1;
   }
   assert_true(queued >= RESOLVER_MAX_PENDING);
   assert_true(full > 0);
   Resolver_free(r);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lookup_dedup_cache),
      cmocka_unit_test(test_unknown_endpoint),
      cmocka_unit_test(test_free_with_pending),
      cmocka_unit_test(test_queue_bounded),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
