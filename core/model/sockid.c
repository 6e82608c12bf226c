/* sockid.c: keyed ids for kernel sockets (see sockid.h). */
#include "sockid.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sipRound(uint64_t v[4]) {
   v[0] += v[1];
   v[1] = ROTL(v[1], 13);
   v[1] ^= v[0];
   v[0] = ROTL(v[0], 32);
   v[2] += v[3];
   v[3] = ROTL(v[3], 16);
   v[3] ^= v[2];
   v[0] += v[3];
   v[3] = ROTL(v[3], 21);
   v[3] ^= v[0];
   v[2] += v[1];
   v[1] = ROTL(v[1], 17);
   v[1] ^= v[2];
   v[2] = ROTL(v[2], 32);
}

/* SipHash-2-4 of one 8-byte message. */
static uint64_t sip(const SockIdKey* key, uint64_t m) {
   uint64_t v[4] = {key->k0 ^ 0x736f6d6570736575ull, key->k1 ^ 0x646f72616e646f6dull,
                    key->k0 ^ 0x6c7967656e657261ull, key->k1 ^ 0x7465646279746573ull};
   const uint64_t last = 8ull << 56; /* the length in the last block */
   v[3] ^= m;
   sipRound(v);
   sipRound(v);
   v[0] ^= m;
   v[3] ^= last;
   sipRound(v);
   sipRound(v);
   v[0] ^= last;
   v[2] ^= 0xff;
   for (int i = 0; i < 4; i++)
      sipRound(v);
   return v[0] ^ v[1] ^ v[2] ^ v[3];
}

int SockId_newKey(SockIdKey* key) {
   if (getrandom(key, sizeof *key, GRND_NONBLOCK) == (ssize_t)sizeof *key)
      return 0;
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   key->k0 = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec;
   key->k1 = (uint64_t)getpid() * 0xD6E8FEB86659FD93ull ^ (uint64_t)ts.tv_nsec;
   return -1;
}

uint64_t SockId_of(const SockIdKey* key, uint64_t kernel_sk) {
   if (!kernel_sk)
      return 0;
   uint64_t id = sip(key, kernel_sk) >> 1; /* below 2^63: never an address */
   return id ? id : 1;
}
