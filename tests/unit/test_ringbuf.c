/* test_ringbuf.c: the ring buffer reader (bpf/ringbuf.c) over rings laid
 * out in plain memory as the kernel lays them out: records delivered in
 * timestamp order across rings, later ones left for the next call, busy
 * and discarded records, a malformed length. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringbuf.h"

#define FAKE_SIZE 4096
#define BUSY (1u << 31)
#define DISCARD (1u << 30)

typedef struct Fake_ {
   unsigned long cons, prod;
   uint8_t data[FAKE_SIZE];
   Ring r;
} Fake;

typedef struct Rec_ {
   uint64_t ts;
   uint32_t id;
   uint32_t pad;
} Rec;

static void Fake_init(Fake* f) {
   memset(f, 0, sizeof *f);
   f->r.size = FAKE_SIZE;
   f->r.consumer_pos = &f->cons;
   f->r.producer_pos = &f->prod;
   f->r.data = f->data;
}

/* Appends a record; bits: BUSY or DISCARD. Returns its header. */
static uint32_t* Fake_put(Fake* f, uint64_t ts, uint32_t id, uint32_t bits) {
   uint32_t* hdr = (uint32_t*)(f->data + f->prod);
   Rec rec = {.ts = ts, .id = id};
   hdr[0] = (uint32_t)sizeof rec | bits;
   memcpy(hdr + 2, &rec, sizeof rec);
   f->prod += 8 + sizeof rec;
   return hdr;
}

/* Appends a record at a position that may wrap past the end of the data,
 * as the kernel writes one: header at prod (8-aligned), body after it,
 * wrapping to offset 0. */
static void Fake_putWrapped(Fake* f, uint64_t ts, uint32_t id) {
   Rec rec = {.ts = ts, .id = id};
   uint8_t bytes[8 + sizeof rec] = {0};
   uint32_t len = (uint32_t)sizeof rec;
   memcpy(bytes, &len, sizeof len);
   memcpy(bytes + 8, &rec, sizeof rec);
   for (size_t i = 0; i < sizeof bytes; i++)
      f->data[(f->prod + i) & (FAKE_SIZE - 1)] = bytes[i];
   f->prod += sizeof bytes;
}

typedef struct Seen_ {
   uint32_t ids[32];
   int n;
} Seen;

static int Seen_add(void* ctx, void* data, size_t size) {
   Seen* s = ctx;
   assert_int_equal(size, sizeof(Rec));
   Rec rec;
   memcpy(&rec, data, sizeof rec);
   s->ids[s->n++] = rec.id;
   return 0;
}

static Ring Rings[2];
static Fake A, B;

static int setup(void** state) {
   (void)state;
   Fake_init(&A);
   Fake_init(&B);
   return 0;
}

static int consume(uint64_t until, Seen* seen) {
   Rings[0] = A.r;
   Rings[1] = B.r;
   return Ring_consumeMerged(Rings, 2, offsetof(Rec, ts), until, Seen_add, seen);
}

static void test_merges_in_timestamp_order(void** state) {
   (void)state;
   Fake_put(&A, 10, 1, 0);
   Fake_put(&A, 40, 4, 0);
   Fake_put(&A, 60, 6, 0);
   Fake_put(&B, 20, 2, 0);
   Fake_put(&B, 30, 3, 0);
   Fake_put(&B, 70, 7, 0);
   Seen seen = {0};
   assert_int_equal(consume(1000, &seen), 6);
   uint32_t want[] = {1, 2, 3, 4, 6, 7};
   assert_memory_equal(seen.ids, want, sizeof want);
   assert_int_equal(A.cons, A.prod);
   assert_int_equal(B.cons, B.prod);
   seen.n = 0;
   assert_int_equal(consume(1000, &seen), 0);
}

static void test_keeps_records_from_until_on(void** state) {
   (void)state;
   Fake_put(&A, 10, 1, 0);
   Fake_put(&A, 60, 6, 0);
   Fake_put(&B, 50, 5, 0);
   Fake_put(&B, 20, 2, 0); /* behind a later one in its ring: waits for it */
   Seen seen = {0};
   assert_int_equal(consume(50, &seen), 1);
   assert_int_equal(seen.ids[0], 1);
   assert_int_equal(A.cons, 24); /* the record stamped 60 stays */
   assert_int_equal(B.cons, 0);
   assert_int_equal(consume(1000, &seen), 3);
   uint32_t want[] = {1, 5, 2, 6};
   assert_memory_equal(seen.ids, want, sizeof want);
}

static void test_busy_record_stops_only_its_ring(void** state) {
   (void)state;
   Fake_put(&A, 10, 1, 0);
   uint32_t* busy = Fake_put(&A, 20, 2, BUSY);
   Fake_put(&A, 30, 3, 0);
   Fake_put(&B, 40, 4, 0);
   Seen seen = {0};
   assert_int_equal(consume(1000, &seen), 2);
   assert_int_equal(seen.ids[0], 1);
   assert_int_equal(seen.ids[1], 4);
   *busy &= ~BUSY; /* committed */
   assert_int_equal(consume(1000, &seen), 2);
   assert_int_equal(seen.ids[2], 2);
   assert_int_equal(seen.ids[3], 3);
}

static void test_discarded_records_are_skipped(void** state) {
   (void)state;
   Fake_put(&A, 10, 1, DISCARD);
   Fake_put(&A, 20, 2, 0);
   Fake_put(&B, 5, 9, DISCARD);
   Seen seen = {0};
   assert_int_equal(consume(1000, &seen), 1);
   assert_int_equal(seen.ids[0], 2);
   assert_int_equal(A.cons, A.prod);
   assert_int_equal(B.cons, B.prod);
}

static void test_malformed_length_is_an_error(void** state) {
   (void)state;
   Fake_put(&A, 10, 1, 0);
   uint32_t* bad = Fake_put(&B, 20, 2, 0);
   bad[0] = FAKE_SIZE; /* longer than the ring can hold */
   Seen seen = {0};
   errno = 0;
   assert_int_equal(consume(1000, &seen), -1);
   assert_int_equal(errno, EBADMSG);
}

static void test_one_ring_publishes_its_position(void** state) {
   (void)state;
   for (uint32_t i = 0; i < 100; i++)
      Fake_put(&A, 100 + i, i, 0);
   Seen seen = {0};
   Rings[0] = A.r;
   assert_int_equal(Ring_consumeMerged(Rings, 1, offsetof(Rec, ts), 130, Seen_add, &seen), 30);
   assert_int_equal(seen.ids[29], 29);
   assert_int_equal(A.cons, 30 * 24);
}

/* The data pages are mapped once: a record whose body crosses the end
 * (its id after the wrap) and one whose body starts at offset 0 are
 * delivered whole, and each ring's position moves past them. */
static void test_record_wrapping_past_the_end(void** state) {
   (void)state;
   A.cons = A.prod = FAKE_SIZE - 16; /* header at 4080: body 4088..4103 wraps */
   Fake_putWrapped(&A, 7, 41);
   Fake_putWrapped(&A, 9, 43);
   B.cons = B.prod = FAKE_SIZE - 8; /* header at 4088: body at 0 */
   Fake_putWrapped(&B, 8, 42);
   Seen seen = {0};
   assert_int_equal(consume(1000, &seen), 3);
   assert_int_equal(seen.ids[0], 41);
   assert_int_equal(seen.ids[1], 42);
   assert_int_equal(seen.ids[2], 43);
   assert_int_equal(A.cons, FAKE_SIZE - 16 + 48);
   assert_int_equal(B.cons, FAKE_SIZE - 8 + 24);
   free(Rings[0].bounce);
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_merges_in_timestamp_order, setup),
      cmocka_unit_test_setup(test_keeps_records_from_until_on, setup),
      cmocka_unit_test_setup(test_busy_record_stops_only_its_ring, setup),
      cmocka_unit_test_setup(test_discarded_records_are_skipped, setup),
      cmocka_unit_test_setup(test_malformed_length_is_an_error, setup),
      cmocka_unit_test_setup(test_one_ring_publishes_its_position, setup),
      cmocka_unit_test_setup(test_record_wrapping_past_the_end, setup),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
