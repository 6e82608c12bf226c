/* convert.c: ring records to Events (see convert.h). */
#include "convert.h"

#include <stddef.h>
#include <string.h>

#include <linux/types.h> /* the ABI's __u32 and friends */
#include <stdbool.h>

#include "visnet_abi.h"

/* The records follow core/model/event.h numbering and sizes. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(VN_EV_EXEC, EV_EXEC) && SAME(VN_EV_FORK, EV_FORK) &&
                   SAME(VN_EV_EXIT, EV_EXIT) && SAME(VN_EV_CONNECT, EV_CONNECT) &&
                   SAME(VN_EV_CONNECTED, EV_CONNECTED) &&
                   SAME(VN_EV_CONNECT_FAIL, EV_CONNECT_FAIL) && SAME(VN_EV_ACCEPT, EV_ACCEPT) &&
                   SAME(VN_EV_LISTEN, EV_LISTEN) && SAME(VN_EV_STATE, EV_STATE) &&
                   SAME(VN_EV_CLOSE, EV_CLOSE) && SAME(VN_EV_BYTES, EV_BYTES) &&
                   SAME(VN_EV_UDP_PEER, EV_UDP_PEER) && SAME(VN_EV_OWNER, EV_OWNER),
               "record types follow EventType");
_Static_assert(VN_ABI_COMM == VN_COMM_LEN && VN_ABI_PATH == VN_PATH_LEN &&
                   VN_ABI_ARGS == VN_ARGS_LEN,
               "string sizes match event.h");
_Static_assert(VN_F_TRUNC_ARGS == EVF_TRUNC_ARGS && VN_F_THREAD == EVF_THREAD, "flags");
_Static_assert(SAME(VN_DIR_OUT, DIR_OUT) && SAME(VN_DIR_IN, DIR_IN) &&
                   SAME(VN_DIR_LISTEN, DIR_LISTEN),
               "directions");

/* The bytes of an Event a socket event uses. */
#define SOCK_EVENT_END (offsetof(Event, sock) + sizeof(SockEvent))

void Convert_init(Convert* c, EventSink sink, void* ctx) {
   memset(c, 0, sizeof *c);
   c->sink = sink;
   c->ctx = ctx;
   (void)SockId_newKey(&c->key); /* without randomness, a weaker key: still no address */
}

static void Convert_copyStr(char* dst, const char* src, size_t n) {
   memcpy(dst, src, n);
   dst[n - 1] = '\0';
}

static void Convert_proc(const struct vn_proc_rec* r, Event* e) {
   ProcEvent* pe = &e->proc;
   pe->ppid = r->ppid;
   pe->uid = r->uid;
   pe->child_pid = r->child_pid;
   pe->exit_code = r->exit_code;
   pe->child_start = r->child_start;
   pe->cgroup = r->cgroup;
   pe->args_len = r->args_len > VN_ARGS_LEN ? VN_ARGS_LEN : r->args_len;
   Convert_copyStr(pe->comm, r->comm, VN_COMM_LEN);
   Convert_copyStr(pe->filename, r->filename, VN_PATH_LEN);
   memcpy(pe->args, r->args, pe->args_len);
}

/* Sets every field of e->sock (no memset first: see Convert_record). */
static void Convert_sock(const SockIdKey* key, const struct vn_sock_rec* r, Event* e) {
   SockEvent* se = &e->sock;
   _Static_assert(offsetof(SockEvent, raddr) + 16 + 2 == sizeof(SockEvent),
                  "SockEvent: only 2 bytes of padding, at the end");
   se->sk = SockId_of(key, r->sk);
   se->ino = 0;
   se->cgroup = r->cgroup;
   se->tx = r->tx;
   se->rx = r->rx;
   se->lifetime_ns = r->lifetime_ns;
   se->netns = r->netns;
   se->count = r->count;
   se->err = r->err;
   se->rtt_us = r->rtt_us;
   se->retrans = r->retrans;
   se->lport = r->lport;
   se->rport = r->rport;
   se->proto = r->proto;
   se->family = r->family;
   se->dir = r->dir;
   se->state = r->state;
   se->oldstate = r->oldstate;
   se->noowner = NOOWN_NONE;
   memcpy(se->laddr, r->laddr, 16);
   memcpy(se->raddr, r->raddr, 16);
   /* the padding, as a cleared Event has it */
   memset((char*)se + offsetof(SockEvent, raddr) + 16, 0, 2);
}

/* The events a combined record stands for, before the record's own, each
 * at its own time: the connect lifetime_ns before the record, the
 * connected or the accept at open_ts. */
static void Convert_expand(Convert* p, Event* e, uint16_t flags, uint64_t open_ts) {
   Event* pre = &p->pre;
   memcpy(pre, e, SOCK_EVENT_END);
   pre->sock.tx = pre->sock.rx = pre->sock.lifetime_ns = 0;
   pre->sock.rtt_us = pre->sock.retrans = 0;
   pre->sock.err = 0;
   if (flags & VN_F_WITH_CONNECT) {
      pre->type = EV_CONNECT;
      pre->ts = e->sock.lifetime_ns < e->ts ? e->ts - e->sock.lifetime_ns : e->ts;
      pre->sock.state = TCPS_SYN_SENT;
      pre->sock.oldstate = TCPS_CLOSE;
      p->sink(p->ctx, pre);
   }
   if (flags & (VN_F_WITH_CONNECTED | VN_F_WITH_ACCEPT)) {
      pre->type = flags & VN_F_WITH_ACCEPT ? EV_ACCEPT : EV_CONNECTED;
      pre->ts = open_ts ? open_ts : e->ts;
      pre->sock.state = TCPS_ESTABLISHED;
      pre->sock.oldstate = flags & VN_F_WITH_ACCEPT ? TCPS_SYN_RECV : TCPS_SYN_SENT;
      p->sink(p->ctx, pre);
   }
   if (flags & VN_F_WITH_FAIL) {
      pre->type = EV_CONNECT_FAIL;
      pre->ts = e->ts;
      pre->sock.err = e->sock.err;
      pre->sock.state = TCPS_CLOSE;
      pre->sock.oldstate = TCPS_SYN_SENT;
      p->sink(p->ctx, pre);
      e->sock.err = 0; /* reported by the connect_fail */
   }
   if (e->type != EV_CLOSE)
      e->sock.lifetime_ns = 0; /* it only dated the connect */
}

/* How far ahead of the record being converted the next ones are requested:
 * the kernel wrote them on another CPU, so each line is a cache miss that
 * would otherwise stall the conversion, one after the other. Records are
 * contiguous in the ring (a socket record and its 8-byte ring header take
 * 136 bytes); a prefetch past the last record is harmless. */
#define CONVERT_PREFETCH_AHEAD 512

int Convert_record(void* ctx, void* data, size_t size) {
   Convert* p = ctx;
   const struct vn_hdr* h = data;
   __builtin_prefetch((const char*)data + CONVERT_PREFETCH_AHEAD);
   __builtin_prefetch((const char*)data + CONVERT_PREFETCH_AHEAD + sizeof(struct vn_sock_rec) + 7);
   if (size < sizeof(*h))
      return 0;
   Event* e = &p->ev;
   bool proc = h->type == VN_EV_EXEC || h->type == VN_EV_FORK || h->type == VN_EV_EXIT;
   /* A socket record sets every field of the head and the SockEvent: no
    * memset (a 136-byte clear compiles to rep stos, slower than the
    * conversion itself). */
   if (proc)
      memset(e, 0, sizeof(*e));
   e->reserved = 0;
   e->type = h->type;
   e->flags = h->flags & ~VN_F_RECORD_ONLY;
   e->pid = h->pid;
   e->tid = h->tid;
   e->ts = h->ts;
   e->pstart = h->pstart;
   if (proc) {
      if (size < sizeof(struct vn_proc_rec))
         return 0;
      Convert_proc(data, e);
   } else {
      if (size < sizeof(struct vn_sock_rec) || h->type >= EV__COUNT)
         return 0;
      Convert_sock(&p->key, data, e);
      /* pid 0 only on the close of a connection older than the probe: its
       * owner is unknown here, not absent; the store matches its 5-tuple */
      if (h->flags & VN_F_RECORD_ONLY)
         Convert_expand(p, e, h->flags, ((const struct vn_sock_rec*)data)->open_ts);
   }
   p->sink(p->ctx, e);
   return 0;
}
