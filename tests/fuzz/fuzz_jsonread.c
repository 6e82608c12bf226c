/* fuzz_jsonread.c: libFuzzer target for the JSON line reader, the parser
 * that takes other hosts' streams.
 *
 * Besides never crashing, a line it accepts as an event must survive the
 * round trip: written again by json.c, it reads back, and writing that
 * gives the same line (the first read may turn bytes into U+FFFD; after
 * it nothing changes). A refusal always says why, on one line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonread.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void check(int ok, const char* what) {
   if (!ok)
      abort(); /* libFuzzer saves the input */
   (void)what;
}

static void oneLineReason(const char* err) {
   check(err[0] != '\0', "a refusal without a reason");
   for (const char* c = err; *c; c++)
      check((unsigned char)*c >= 0x20 && *c != 0x7f, "a control byte in the reason");
}

/* A fleet passes an accepted line on with its host and peer added
 * (Json_tagLine): still one line that reads back as the same kind. */
static void tagged(const uint8_t* data, size_t size, int kind) {
   JsonBuf t;
   Event e;
   char err[160];
   JsonBuf_init(&t);
   JsonPeer peer = {.host = "db\"1", .pid = 812, .comm = "post\ngres"};
   if (Json_tagLine(&t, (const char*)data, size, "web\x01", &peer)) {
      check(memchr(t.data, '\n', t.len) == t.data + t.len - 1, "a tagged line is not one line");
      check(JsonRead_line(t.data, t.len, &e, err, sizeof err) == kind, "a tagged line reads otherwise");
   }
   JsonBuf_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   Event e, back;
   char err[160];
   JsonReadHello h;
   int kind = JsonRead_stream((const char*)data, size, &e, &h, err, sizeof err);
   if (kind < 0) {
      oneLineReason(err);
      return 0;
   }
   check(kind >= JSONREAD_EVENT && kind <= JSONREAD_READY, "an unknown kind");
   if (kind == JSONREAD_HELLO)
      check(memchr(h.host, 0, sizeof h.host) && memchr(h.visnet, 0, sizeof h.visnet) &&
                memchr(h.mode, 0, sizeof h.mode),
            "a hello's text not ended");
   /* (a line of its own with "host" would have it twice: a fleet's own
    * stream is not read again by a fleet) */
   if (!memchr(data, '\n', size) && !memmem(data, size, "\"host\"", 6))
      tagged(data, size, kind);
   if (kind != JSONREAD_EVENT)
      return 0;
   JsonBuf a, b;
   JsonBuf_init(&a);
   JsonBuf_init(&b);
   Json_event(&a, &e);
   check(JsonRead_line(a.data, a.len, &back, err, sizeof err) == JSONREAD_EVENT, "own line refused");
   Json_event(&b, &back);
   check(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "the line changed");
   JsonBuf_free(&a);
   JsonBuf_free(&b);
   return 0;
}
