/* testutil.h: helpers shared by the unit tests (event constructors). */
#ifndef VISNET_TESTUTIL_H
#define VISNET_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "event.h"

#define SEC 1000000000ull

Event TU_exec(uint32_t pid, uint32_t ppid, uint64_t start, const char* comm, uint64_t ts);
Event TU_exit(uint32_t pid, uint64_t start, int code, uint64_t ts);
Event TU_fork(uint32_t ppid, uint64_t pstart, uint32_t child, uint64_t cstart, uint64_t ts);
/* A TCP socket event from pid; addresses are text ("10.0.0.1", "::1"). */
Event TU_sock(EventType t, uint32_t pid, uint64_t start, const char* laddr, uint16_t lport,
              const char* raddr, uint16_t rport, uint64_t ts);

#endif
