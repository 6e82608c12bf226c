/* probe_conv_bench.c: what the probe's record conversion costs per record,
 * without a kernel: synthetic socket records laid out as in the ring buffer
 * (8-byte ring header, then the record) go through bpf/convert.c's
 * Convert_record, as the loader calls it, into a sink that copies each Event as
 * onEvent does. One record in four is a connected record carrying its
 * connect (expanded into two events). Prints ns per record; run it under
 * `valgrind --tool=callgrind --toggle-collect='feed*'` for instructions.
 * Built as BUILD/bpf/probe_conv_bench (bpf/CMakeLists.txt):
 *
 *   BUILD/bpf/probe_conv_bench [RECORDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "convert.h"
#include <linux/types.h> /* the ABI's __u32 and friends */
#include <stdbool.h>

#include "visnet_abi.h"

/* The bytes of an Event a socket event uses. */
#define SOCK_EVENT_END (offsetof(Event, sock) + sizeof(SockEvent))

static Event Conv_batch[128];
static size_t Conv_n;
static uint64_t Conv_sum; /* so that the copies are not optimized away */

static void Conv_sink(void* ctx, const Event* e) {
   (void)ctx;
   memcpy(&Conv_batch[Conv_n], e, SOCK_EVENT_END);
   Conv_sum += Conv_batch[Conv_n].sock.lport;
   Conv_n = (Conv_n + 1) % 128;
}

__attribute__((noinline)) static void feed(Convert* p, char* ring, size_t n, size_t stride) {
   for (size_t i = 0; i < n; i++)
      Convert_record(p, ring + i * stride + 8, sizeof(struct vn_sock_rec));
}

int main(int argc, char** argv) {
   size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
   size_t stride = (8 + sizeof(struct vn_sock_rec) + 7) & ~(size_t)7;
   char* ring = aligned_alloc(4096, (n * stride + 4095) & ~(size_t)4095);
   Convert* p = calloc(1, sizeof *p);
   if (!ring || !p || n == 0) {
      fprintf(stderr, "probe_conv_bench: out of memory or no records\n");
      return 1;
   }
   for (size_t i = 0; i < n; i++) {
      struct vn_sock_rec* r = (void*)(ring + i * stride + 8);
      memset(r, 0, sizeof *r);
      r->h.type = i % 4 == 0 ? VN_EV_CONNECTED : i % 4 == 1 ? VN_EV_ACCEPT : VN_EV_CLOSE;
      r->h.flags = i % 4 == 0 ? VN_F_WITH_CONNECT : 0;
      r->h.pid = 1234;
      r->h.ts = i + 1;
      r->proto = 6;
      r->family = 2;
      r->lport = (uint16_t)i;
      r->rport = 8080;
   }
   Convert_init(p, Conv_sink, NULL);
   struct timespec a, b;
   clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
   feed(p, ring, n, stride);
   clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
   double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
   printf("%zu records, %.1f ns/record (check %llu)\n", n, ns / (double)n,
          (unsigned long long)Conv_sum);
   free(p);
   free(ring);
   return 0;
}
