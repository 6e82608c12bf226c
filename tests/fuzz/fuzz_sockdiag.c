/* fuzz_sockdiag.c: libFuzzer target for the sock_diag reply decoder.
 *
 * The input is one recv() of a dump: netlink messages as the kernel would
 * send them, or not. The first byte picks the protocol; each socket decoded
 * is written as a JSON line, so its fields are all read. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int onSock(void* ctx, const SockEvent* s) {
   JsonBuf* b = ctx;
   Event e;
   memset(&e, 0, sizeof e);
   e.type = EV_SOCK;
   e.sock = *s;
   if (s->family != 2 && s->family != 10)
      abort(); /* the decoder lets only IPv4 and IPv6 through */
   JsonBuf_reset(b);
   Json_event(b, &e);
   return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   if (size < 1 || size > SOCKDIAG_BUFLEN)
      return 0;
   uint8_t proto = data[0] & 1 ? IPPROTO_UDP : IPPROTO_TCP;
   /* recv() fills an aligned buffer: so does this */
   uint32_t* buf = malloc(size - 1 + 4);
   if (!buf)
      return 0;
   memcpy(buf, data + 1, size - 1);
   JsonBuf b;
   JsonBuf_init(&b);
   char err[160] = "";
   int rc = SockDiag_decode(buf, size - 1, proto, 1, 4026531840u, onSock, &b, err, sizeof err);
   if (rc < 0 && err[0] == '\0')
      abort(); /* an error always says why */
   JsonBuf_free(&b);
   free(buf);
   return 0;
}
