/* testutil.c: event constructors for the unit tests. */
#include "testutil.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static Event base(EventType t, uint32_t pid, uint64_t start, uint64_t ts) {
   Event e;
   memset(&e, 0, sizeof e);
   e.type = (uint16_t)t;
   e.pid = pid;
   e.tid = pid;
   e.pstart = start;
   e.ts = ts;
   return e;
}

Event TU_exec(uint32_t pid, uint32_t ppid, uint64_t start, const char* comm, uint64_t ts) {
   Event e = base(EV_EXEC, pid, start, ts);
   e.proc.ppid = ppid;
   strncpy(e.proc.comm, comm, VN_COMM_LEN - 1);
   snprintf(e.proc.filename, VN_PATH_LEN, "/usr/bin/%s", comm);
   int n = snprintf(e.proc.args, VN_ARGS_LEN, "%s", comm);
   e.proc.args_len = (uint16_t)(n + 1);
   return e;
}

Event TU_exit(uint32_t pid, uint64_t start, int code, uint64_t ts) {
   Event e = base(EV_EXIT, pid, start, ts);
   e.proc.exit_code = code;
   return e;
}

Event TU_fork(uint32_t ppid, uint64_t pstart, uint32_t child, uint64_t cstart, uint64_t ts) {
   Event e = base(EV_FORK, ppid, pstart, ts);
   e.proc.child_pid = child;
   e.proc.child_start = cstart;
   return e;
}

Event TU_sock(EventType t, uint32_t pid, uint64_t start, const char* laddr, uint16_t lport,
              const char* raddr, uint16_t rport, uint64_t ts) {
   Event e = base(t, pid, start, ts);
   e.sock.proto = IPPROTO_TCP;
   e.sock.family = strchr(laddr, ':') ? AF_INET6 : AF_INET;
   Addr_parse(laddr, e.sock.laddr);
   Addr_parse(raddr, e.sock.raddr);
   e.sock.lport = lport;
   e.sock.rport = rport;
   e.sock.state = t == EV_LISTEN ? TCPS_LISTEN : TCPS_ESTABLISHED;
   e.sock.dir = t == EV_LISTEN ? DIR_LISTEN : (t == EV_ACCEPT ? DIR_IN : DIR_OUT);
   return e;
}
