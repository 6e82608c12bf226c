/* hash.h: the one hash function of core's indexes. */
#ifndef VISNET_HASH_H
#define VISNET_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A fast 64-bit multiply-xorshift over a key of 4 to 44 bytes. */
static inline uint32_t Hash_bytes(const void* key, size_t len) {
   const uint8_t* p = key;
   const uint64_t m = 0x9E3779B97F4A7C15ull;
   uint64_t h = len * m;
   for (; len >= 8; p += 8, len -= 8) {
      uint64_t v;
      memcpy(&v, p, 8);
      h = (h ^ v) * m;
      h ^= h >> 29;
   }
   if (len >= 4) {
      uint32_t v;
      memcpy(&v, p, 4);
      h = (h ^ v) * m;
      h ^= h >> 29;
      p += 4;
      len -= 4;
   }
   for (; len > 0; p++, len--)
      h = (h ^ *p) * m;
   h ^= h >> 32;
   h *= 0xD6E8FEB86659FD93ull;
   h ^= h >> 32;
   return (uint32_t)h;
}

#endif
