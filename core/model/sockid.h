/* sockid.h: the id visnet gives a kernel socket, in place of its address.
 *
 * The probe knows a socket by the address of its struct sock: a kernel
 * pointer, which must never reach an output (it would defeat KASLR for
 * whoever reads a log). Every such address is replaced, where records
 * become Events (bpf/convert.c) and where an old event log is read, by a
 * keyed hash of it (SipHash-2-4 with a key drawn at start): the same
 * socket has the same id for the whole run, ids say nothing about
 * addresses without the key, and an id is below 2^63, so it can never be
 * mistaken for a kernel address (those are at 0xffff8000... and above).
 * The key is never written anywhere. 0 stays 0 (no socket known). */
#ifndef VISNET_SOCKID_H
#define VISNET_SOCKID_H

#include <stdint.h>

typedef struct SockIdKey_ {
   uint64_t k0, k1;
} SockIdKey;

/* A fresh random key (getrandom); returns 0, or -1 if the system gave no
 * randomness (then the key is from the clock and the pid). */
int SockId_newKey(SockIdKey* key);
uint64_t SockId_of(const SockIdKey* key, uint64_t kernel_sk);

#endif
