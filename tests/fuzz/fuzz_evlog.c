/* fuzz_evlog.c: libFuzzer target for the event log reader.
 *
 * The input is read as an event log from memory; every event decoded is
 * applied to a Store and written as a JSON line, so a hostile log file
 * exercises the reader, the store and the JSON escaping.
 * Random mutations almost never keep a CRC32 right, which would stop every
 * input at the checksum: so when the input's last byte is odd, the header
 * and record checksums are recomputed first, letting mutated contents
 * reach the decoder and the store. The seed corpus is tests/fuzz/corpus,
 * made by tests/fuzz/make_corpus.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "evlog.h"
#include "json.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static uint32_t le32(const uint8_t* p) {
   return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void putLe32(uint8_t* p, uint32_t v) {
   for (int i = 0; i < 4; i++)
      p[i] = (uint8_t)(v >> (8 * i));
}

static void reseal(uint8_t* d, size_t size) {
   if (size < EVLOG_HEADER_LEN)
      return;
   putLe32(d + EVLOG_HEADER_LEN - 4, (uint32_t)crc32(0, d, EVLOG_HEADER_LEN - 4));
   size_t off = EVLOG_HEADER_LEN;
   while (size - off >= EVLOG_RECORD_HDR) {
      uint32_t len = le32(d + off);
      if (len > size - off - EVLOG_RECORD_HDR)
         break;
      putLe32(d + off + 4, (uint32_t)crc32(0, d + off + EVLOG_RECORD_HDR, len));
      off += EVLOG_RECORD_HDR + len;
   }
}

static void run(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   if (size == 0 || !(data[size - 1] & 1)) {
      run(data, size);
      return 0;
   }
   uint8_t* copy = malloc(size);
   if (!copy)
      return 0;
   memcpy(copy, data, size);
   reseal(copy, size);
   run(copy, size);
   free(copy);
   return 0;
}

static void run(const uint8_t* data, size_t size) {
   EvlogStatus st;
   EvlogReader* r = EvlogReader_fromMemory(data, size, &st);
   if (!r)
      return;
   /* a small inactive cap so that eviction runs too */
   Store* s = Store_new(64);
   JsonBuf b;
   JsonBuf_init(&b);
   Event e;
   uint64_t last = EvlogReader_offset(r);
   while ((st = EvlogReader_next(r, &e)) == EVLOG_OK) {
      /* every record moves the reader forward and stays inside the input */
      uint64_t off = EvlogReader_offset(r);
      if (off <= last || off > size)
         abort();
      last = off;
      Store_apply(s, &e);
      JsonBuf_reset(&b);
      Json_event(&b, &e);
      if (b.len == 0 || b.data[b.len - 1] != '\n')
         abort();
   }
   if (st == EVLOG_EOF && EvlogReader_offset(r) != size)
      abort();
   if (st != EVLOG_EOF && EvlogReader_offset(r) >= size)
      abort();
   Store_prune(s);
   JsonBuf_free(&b);
   Store_free(s);
   EvlogReader_close(r);
}
