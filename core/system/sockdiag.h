/* sockdiag.h: TCP and UDP sockets of the current network namespace, read
 * with sock_diag netlink dumps (internal to the snapshot and the poller).
 *
 * SockDiag_dump does not allocate, so that a forked child that entered
 * another namespace with setns() can call it safely. */
#ifndef VISNET_SOCKDIAG_H
#define VISNET_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* Receive buffer size the caller should provide. */
#define SOCKDIAG_BUFLEN (64 * 1024)

/* Called once per socket. s->pid-related fields are left to the caller;
 * dir is set for LISTEN and unconnected UDP sockets only (see snapshot.c). */
typedef int (*SockDiagFn)(void* ctx, const SockEvent* s);

/* Decodes len bytes of one recv() of a dump's replies (those of sequence
 * seq) and calls fn per socket. Returns 0 when more replies follow, 1 at
 * the end of the dump, -1 with errbuf set on an error reply, or fn's
 * non-zero return (+1 when positive). Never reads past len: the fuzz
 * target feeds it hostile bytes. */
int SockDiag_decode(const void* buf, size_t len, uint8_t proto, uint32_t seq, uint32_t netns,
                    SockDiagFn fn, void* ctx, char* errbuf, size_t errlen);

/* Dumps TCP (every state) and UDP, IPv4 and IPv6, tagging each socket with
 * netns. buf (buflen >= SOCKDIAG_BUFLEN) is the receive buffer. Returns 0,
 * or -1 with a one-line reason in errbuf; a non-zero return of fn stops the
 * dump and is returned. */
int SockDiag_dump(uint32_t netns, SockDiagFn fn, void* ctx, char* buf, size_t buflen, char* errbuf,
                  size_t errlen);

/* Closes one TCP socket of the current network namespace as ss -K does
 * (SOCK_DESTROY: both ends see a reset). Addresses are 16 bytes, IPv4
 * v4-mapped; ports in host order. Needs CAP_NET_ADMIN and a kernel with
 * CONFIG_INET_DIAG_DESTROY. Returns 0, or -1 with a one-line reason. */
int SockDiag_destroy(uint8_t family, const uint8_t laddr[16], uint16_t lport,
                     const uint8_t raddr[16], uint16_t rport, char* errbuf, size_t errlen);

#endif
