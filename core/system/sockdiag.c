/* sockdiag.c: sock_diag netlink dumps of TCP and UDP sockets.
 *
 * One netlink socket, four dumps (TCP/UDP x IPv4/IPv6), no per-socket
 * syscalls. TCP byte counts come from the tcp_info attribute. */
#include "sockdiag.h"

#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct DiagReq_ {
   struct nlmsghdr nlh;
   struct inet_diag_req_v2 r;
} DiagReq;

/* A request about every state of (family, proto) sockets. */
static void SockDiag_fill(DiagReq* req, uint16_t type, uint16_t flags, uint8_t family,
                          uint8_t proto, uint32_t seq) {
   memset(req, 0, sizeof *req);
   req->nlh.nlmsg_len = sizeof *req;
   req->nlh.nlmsg_type = type;
   req->nlh.nlmsg_flags = flags;
   req->nlh.nlmsg_seq = seq;
   req->r.sdiag_family = family;
   req->r.sdiag_protocol = proto;
   req->r.idiag_states = ~0u;
}

static int SockDiag_request(int fd, uint8_t family, uint8_t proto, uint32_t seq) {
   DiagReq req;
   SockDiag_fill(&req, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, family, proto, seq);
   if (proto == IPPROTO_TCP)
      req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1);
   struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
   ssize_t n;
   do
      n = sendto(fd, &req, sizeof req, 0, (struct sockaddr*)&sa, sizeof sa);
   while (n < 0 && errno == EINTR);
   return n == (ssize_t)sizeof req ? 0 : -1;
}

static void SockDiag_addr(uint8_t out[16], uint8_t family, const __be32 a[4]) {
   if (family == AF_INET)
      Addr_fromV4(out, a[0]);
   else
      memcpy(out, a, 16);
}

/* Payload bytes, as the probe counts them (tcp_bytes in visnet.bpf.c):
 * the kernel's bytes_received also counts a FIN, taken off in the states
 * that say one came (the peer closed first). */
static void SockDiag_bytes(SockEvent* s, const struct tcp_info* ti, size_t plen) {
#define HAS(f) (plen >= offsetof(struct tcp_info, f) + sizeof ti->f)
   if (HAS(tcpi_bytes_acked))
      s->tx = ti->tcpi_bytes_acked;
   if (HAS(tcpi_bytes_received)) {
      s->rx = ti->tcpi_bytes_received;
      bool fin_in = s->state == TCPS_CLOSE_WAIT || s->state == TCPS_LAST_ACK ||
                    s->state == TCPS_CLOSING || s->state == TCPS_TIME_WAIT;
      if (s->rx && fin_in)
         s->rx--;
   }
   /* the connection's health, as ss -ti shows it */
   if (HAS(tcpi_rtt) && s->state != TCPS_LISTEN)
      s->rtt_us = ti->tcpi_rtt;
   if (HAS(tcpi_total_retrans))
      s->retrans = ti->tcpi_total_retrans;
#undef HAS
}

/* Fills s from one inet_diag message; returns -1 if it is malformed. */
static int SockDiag_parse(const struct nlmsghdr* h, uint8_t proto, uint32_t netns, SockEvent* s) {
   if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
      return -1;
   const struct inet_diag_msg* m = NLMSG_DATA(h);
   if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
      return -1;
   memset(s, 0, sizeof *s);
   s->proto = proto;
   s->family = m->idiag_family;
   s->state = m->idiag_state;
   s->netns = netns;
   s->ino = m->idiag_inode;
   s->lport = ntohs(m->id.idiag_sport);
   s->rport = ntohs(m->id.idiag_dport);
   SockDiag_addr(s->laddr, m->idiag_family, m->id.idiag_src);
   SockDiag_addr(s->raddr, m->idiag_family, m->id.idiag_dst);
   if (proto == IPPROTO_TCP && s->state == TCPS_LISTEN)
      s->dir = DIR_LISTEN;
   else if (proto == IPPROTO_UDP && s->rport == 0)
      s->dir = DIR_LISTEN; /* unconnected: receives from anyone */

   int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
   for (const struct rtattr* a = (const struct rtattr*)(m + 1); RTA_OK(a, alen);
        a = RTA_NEXT((struct rtattr*)a, alen)) {
      if (a->rta_type != INET_DIAG_INFO)
         continue;
      /* tcp_info grows with kernels: read only what this one sent */
      size_t plen = RTA_PAYLOAD(a);
      const struct tcp_info* ti = RTA_DATA(a);
      struct tcp_info copy;
      memset(&copy, 0, sizeof copy);
      memcpy(&copy, ti, plen < sizeof copy ? plen : sizeof copy);
      SockDiag_bytes(s, &copy, plen);
   }
   return 0;
}

int SockDiag_decode(const void* buf, size_t len, uint8_t proto, uint32_t seq, uint32_t netns,
                    SockDiagFn fn, void* ctx, char* errbuf, size_t errlen) {
   /* by hand, not NLMSG_OK/NEXT: with a last message whose length is not
    * aligned they step past the end */
   size_t off = 0;
   while (len - off >= sizeof(struct nlmsghdr)) {
      const struct nlmsghdr* h = (const void*)((const char*)buf + off);
      size_t mlen = h->nlmsg_len;
      if (mlen < sizeof *h || mlen > len - off)
         break;
      size_t step = NLMSG_ALIGN(mlen);
      off = step < len - off ? off + step : len;
      if (h->nlmsg_seq != seq)
         continue;
      if (h->nlmsg_type == NLMSG_DONE)
         return 1;
      if (h->nlmsg_type == NLMSG_ERROR) {
         const struct nlmsgerr* e = NLMSG_DATA(h);
         int code = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) ? e->error : 0;
         int err = code < 0 && code > INT_MIN ? -code : EPROTO;
         /* a protocol the kernel was built without: nothing to list */
         if (err == ENOENT || err == EOPNOTSUPP)
            return 1;
         snprintf(errbuf, errlen, "sock_diag: %s", strerror(err));
         return -1;
      }
      SockEvent s;
      if (SockDiag_parse(h, proto, netns, &s) < 0)
         continue;
      int rc = fn(ctx, &s);
      if (rc != 0)
         return rc < 0 ? rc : rc + 1; /* never 1: that says the dump ended */
   }
   return 0;
}

/* Reads one dump's replies to the end. */
static int SockDiag_receive(int fd, uint8_t proto, uint32_t seq, uint32_t netns, SockDiagFn fn,
                            void* ctx, char* buf, size_t buflen, char* errbuf, size_t errlen) {
   for (;;) {
      ssize_t n = recv(fd, buf, buflen, 0);
      if (n < 0) {
         if (errno == EINTR)
            continue;
         snprintf(errbuf, errlen, "sock_diag: %s", strerror(errno));
         return -1;
      }
      if (n == 0) {
         snprintf(errbuf, errlen, "sock_diag: unexpected end of dump");
         return -1;
      }
      int rc = SockDiag_decode(buf, (size_t)n, proto, seq, netns, fn, ctx, errbuf, errlen);
      if (rc == 1)
         return 0;
      if (rc != 0)
         return rc > 1 ? rc - 1 : rc;
   }
}

static void SockDiag_putAddr(__be32 out[4], uint8_t family, const uint8_t a[16]) {
   if (family == AF_INET)
      memcpy(&out[0], a + 12, 4); /* v4-mapped: the last four bytes */
   else
      memcpy(out, a, 16);
}

static const char* SockDiag_destroyError(int e) {
   switch (e) {
   case ENOENT: return "no such connection any more";
   case EPERM:
   case EACCES: return "not permitted (closing a connection needs CAP_NET_ADMIN)";
   case EOPNOTSUPP: return "this kernel cannot close sockets (CONFIG_INET_DIAG_DESTROY)";
   default: return strerror(e);
   }
}

int SockDiag_destroy(uint8_t family, const uint8_t laddr[16], uint16_t lport,
                     const uint8_t raddr[16], uint16_t rport, char* errbuf, size_t errlen) {
   DiagReq req;
   SockDiag_fill(&req, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, family, IPPROTO_TCP, 1);
   req.r.id.idiag_sport = htons(lport);
   req.r.id.idiag_dport = htons(rport);
   SockDiag_putAddr(req.r.id.idiag_src, family, laddr);
   SockDiag_putAddr(req.r.id.idiag_dst, family, raddr);
   req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
   int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
   if (fd < 0) {
      snprintf(errbuf, errlen, "sock_diag: socket: %s", strerror(errno));
      return -1;
   }
   struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
   union {
      struct nlmsghdr h;
      char b[512];
   } ack;
   ssize_t n = sendto(fd, &req, sizeof req, 0, (struct sockaddr*)&sa, sizeof sa);
   if (n == (ssize_t)sizeof req)
      n = recv(fd, &ack, sizeof ack, 0);
   int e = n < 0 ? errno : 0;
   close(fd);
   if (n < 0) {
      snprintf(errbuf, errlen, "sock_diag: %s", strerror(e));
      return -1;
   }
   if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) || ack.h.nlmsg_type != NLMSG_ERROR) {
      snprintf(errbuf, errlen, "sock_diag: no answer to the close");
      return -1;
   }
   const struct nlmsgerr* err = NLMSG_DATA(&ack.h);
   if (err->error == 0)
      return 0;
   e = err->error == INT_MIN ? EINVAL : -err->error;
   snprintf(errbuf, errlen, "closing the connection: %s", SockDiag_destroyError(e));
   return -1;
}

int SockDiag_dump(uint32_t netns, SockDiagFn fn, void* ctx, char* buf, size_t buflen, char* errbuf,
                  size_t errlen) {
   static const struct {
      uint8_t family, proto;
   } DUMPS[] = {
       {AF_INET, IPPROTO_TCP},
       {AF_INET6, IPPROTO_TCP},
       {AF_INET, IPPROTO_UDP},
       {AF_INET6, IPPROTO_UDP},
   };
   int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
   if (fd < 0) {
      snprintf(errbuf, errlen, "sock_diag: socket: %s", strerror(errno));
      return -1;
   }
   int rcvbuf = 1 << 20;
   (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
   int rc = 0;
   for (size_t i = 0; i < sizeof DUMPS / sizeof DUMPS[0] && rc == 0; i++) {
      uint32_t seq = (uint32_t)i + 1;
      if (SockDiag_request(fd, DUMPS[i].family, DUMPS[i].proto, seq) < 0) {
         snprintf(errbuf, errlen, "sock_diag: send: %s", strerror(errno));
         rc = -1;
         break;
      }
      rc = SockDiag_receive(fd, DUMPS[i].proto, seq, netns, fn, ctx, buf, buflen, errbuf, errlen);
   }
   close(fd);
   return rc;
}
