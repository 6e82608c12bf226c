/* lifeapp: test programs for what Python's socket module cannot do:
 * batched datagrams (sendmmsg/recvmmsg), a main thread that exits while
 * another holds a connection, and io_uring. Each writes what it did as
 * key=value lines to --out (atomically: F.tmp then rename), like tcpapp.py.
 *
 *   lifeapp mmsg-server A PORT N OUT     recvmmsg N datagrams, sendmmsg a reply to each
 *   lifeapp mmsg-client A PORT N OUT [connect]
 *                                        sendmmsg N queries (addressed, or on a
 *                                        connected socket without address), recvmmsg N
 *   lifeapp thread-exit A PORT BYTES GO OUT
 *                                        a thread connects, the main thread calls
 *                                        pthread_exit; once GO exists the thread sends
 *                                        BYTES and closes
 *   lifeapp uring-server A PORT REPLY OUT
 *                                        io_uring accept, read to EOF, send REPLY, close
 *   lifeapp uring-client A PORT SEND OUT io_uring connect, write SEND, shutdown, recv to EOF
 * Every wait is bounded (SO_RCVTIMEO 10 s, or 100 polls of GO).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAXMSG 64

static void die(const char* what) {
   fprintf(stderr, "lifeapp: %s: %s\n", what, strerror(errno));
   exit(1);
}

static void writeKv(const char* path, const char* fmt, ...) {
   char tmp[512];
   snprintf(tmp, sizeof tmp, "%s.tmp", path);
   FILE* f = fopen(tmp, "w");
   if (!f)
      die(tmp);
   va_list ap;
   va_start(ap, fmt);
   vfprintf(f, fmt, ap);
   va_end(ap);
   if (fclose(f) != 0 || rename(tmp, path) != 0)
      die(path);
}

/* A sockaddr for A (IPv4 or IPv6 text) and PORT. */
static socklen_t addrOf(const char* a, int port, struct sockaddr_storage* ss) {
   memset(ss, 0, sizeof *ss);
   struct sockaddr_in* s4 = (struct sockaddr_in*)ss;
   struct sockaddr_in6* s6 = (struct sockaddr_in6*)ss;
   if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
      s4->sin_family = AF_INET;
      s4->sin_port = htons((uint16_t)port);
      return sizeof *s4;
   }
   if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
      s6->sin6_family = AF_INET6;
      s6->sin6_port = htons((uint16_t)port);
      return sizeof *s6;
   }
   fprintf(stderr, "lifeapp: not an address: %s\n", a);
   exit(2);
}

static int sockFor(const struct sockaddr_storage* ss, int type) {
   int fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0);
   if (fd < 0)
      die("socket");
   struct timeval tv = {.tv_sec = 10};
   setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
   return fd;
}

static int localPort(int fd) {
   struct sockaddr_storage ss;
   socklen_t len = sizeof ss;
   if (getsockname(fd, (struct sockaddr*)&ss, &len) < 0)
      die("getsockname");
   return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in*)&ss)->sin_port
                                        : ((struct sockaddr_in6*)&ss)->sin6_port);
}

/* ---- sendmmsg / recvmmsg ---- */

typedef struct Batch_ {
   struct mmsghdr m[MAXMSG];
   struct iovec iov[MAXMSG];
   struct sockaddr_storage peer[MAXMSG];
   char buf[MAXMSG][256];
} Batch;

static void Batch_prepare(Batch* b, int n, const struct sockaddr_storage* to, socklen_t tolen,
                          bool names) {
   memset(b->m, 0, sizeof b->m);
   for (int i = 0; i < n; i++) {
      b->iov[i].iov_base = b->buf[i];
      b->iov[i].iov_len = sizeof b->buf[i];
      b->m[i].msg_hdr.msg_iov = &b->iov[i];
      b->m[i].msg_hdr.msg_iovlen = 1;
      if (names) {
         if (to)
            b->peer[i] = *to;
         b->m[i].msg_hdr.msg_name = &b->peer[i];
         b->m[i].msg_hdr.msg_namelen = to ? tolen : sizeof b->peer[i];
      }
   }
}

/* Receives exactly n datagrams with recvmmsg (several calls if need be);
 * returns their bytes. */
static long recvAll(int fd, Batch* b, int n, bool names) {
   long bytes = 0;
   for (int got = 0; got < n;) {
      Batch_prepare(b, n - got, NULL, 0, names);
      int r = recvmmsg(fd, b->m, (unsigned)(n - got), 0, NULL);
      if (r <= 0)
         die("recvmmsg");
      for (int i = 0; i < r; i++) {
         bytes += b->m[i].msg_len;
         if (names) /* keep the sender for the reply */
            b->peer[got + i] = b->peer[i];
      }
      got += r;
   }
   return bytes;
}

static int mmsgServer(const char* a, int port, int n, const char* out) {
   static Batch b;
   struct sockaddr_storage ss;
   socklen_t len = addrOf(a, port, &ss);
   int fd = sockFor(&ss, SOCK_DGRAM);
   if (bind(fd, (struct sockaddr*)&ss, len) < 0)
      die("bind");
   char ready[512];
   snprintf(ready, sizeof ready, "%s.ready", out);
   writeKv(ready, "pid=%d\n", getpid());
   long rx = recvAll(fd, &b, n, true);
   struct sockaddr_storage peers[MAXMSG];
   memcpy(peers, b.peer, sizeof peers);
   long tx = 0;
   Batch_prepare(&b, n, NULL, 0, true);
   for (int i = 0; i < n; i++) {
      b.peer[i] = peers[i];
      b.m[i].msg_hdr.msg_namelen = len;
      b.iov[i].iov_len = 20 + (size_t)i;
      memset(b.buf[i], 'r', b.iov[i].iov_len);
      tx += (long)b.iov[i].iov_len;
   }
   if (sendmmsg(fd, b.m, (unsigned)n, 0) != n)
      die("sendmmsg");
   writeKv(out, "pid=%d\nport=%d\nrx=%ld\ntx=%ld\npeer_port=%d\n", getpid(), port, rx, tx,
           ntohs(peers[0].ss_family == AF_INET ? ((struct sockaddr_in*)&peers[0])->sin_port
                                               : ((struct sockaddr_in6*)&peers[0])->sin6_port));
   return 0;
}

static int mmsgClient(const char* a, int port, int n, const char* out, bool conn) {
   static Batch b;
   struct sockaddr_storage ss;
   socklen_t len = addrOf(a, port, &ss);
   int fd = sockFor(&ss, SOCK_DGRAM);
   if (conn && connect(fd, (struct sockaddr*)&ss, len) < 0)
      die("connect");
   Batch_prepare(&b, n, conn ? NULL : &ss, len, !conn);
   long tx = 0;
   for (int i = 0; i < n; i++) {
      b.iov[i].iov_len = 10 + (size_t)i;
      memset(b.buf[i], 'q', b.iov[i].iov_len);
      tx += (long)b.iov[i].iov_len;
   }
   if (sendmmsg(fd, b.m, (unsigned)n, 0) != n)
      die("sendmmsg");
   long rx = recvAll(fd, &b, n, !conn);
   writeKv(out, "pid=%d\nlport=%d\ntx=%ld\nrx=%ld\n", getpid(), localPort(fd), tx, rx);
   return 0;
}

/* ---- a main thread that exits ---- */

typedef struct Holder_ {
   struct sockaddr_storage ss;
   socklen_t len;
   long bytes;
   const char* go;
   const char* out;
   int fd;
} Holder;

static void* holderMain(void* arg) {
   Holder* h = arg;
   struct stat st;
   for (int i = 0; i < 300 && stat(h->go, &st) != 0; i++)
      usleep(100000);
   char buf[4096];
   memset(buf, 'h', sizeof buf);
   for (long left = h->bytes; left > 0;) {
      ssize_t w = write(h->fd, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf);
      if (w <= 0)
         die("write");
      left -= w;
   }
   shutdown(h->fd, SHUT_WR);
   while (read(h->fd, buf, sizeof buf) > 0)
      ;
   close(h->fd);
   char done[512];
   snprintf(done, sizeof done, "%s.done", h->out);
   writeKv(done, "tx=%ld\n", h->bytes);
   return NULL;
}

static int threadExit(const char* a, int port, long bytes, const char* go, const char* out) {
   static Holder h;
   h.len = addrOf(a, port, &h.ss);
   h.bytes = bytes;
   h.go = go;
   h.out = out;
   h.fd = sockFor(&h.ss, SOCK_STREAM);
   if (connect(h.fd, (struct sockaddr*)&h.ss, h.len) < 0)
      die("connect");
   pthread_t t;
   if (pthread_create(&t, NULL, holderMain, &h) != 0)
      die("pthread_create");
   writeKv(out, "pid=%d\nlport=%d\n", getpid(), localPort(h.fd));
   pthread_exit(NULL); /* the thread keeps the process, and the socket */
}

/* ---- io_uring ---- */

/* Submits one prepared SQE and waits for its completion; returns res. */
static int uringRun(struct io_uring* r) {
   if (io_uring_submit(r) != 1)
      die("io_uring_submit");
   struct io_uring_cqe* cqe;
   int rc = io_uring_wait_cqe(r, &cqe);
   if (rc < 0) {
      errno = -rc;
      die("io_uring_wait_cqe");
   }
   int res = cqe->res;
   io_uring_cqe_seen(r, cqe);
   return res;
}

/* Reads to EOF with IORING_OP_RECV, or IORING_OP_READ when plain. */
static long uringRecvAll(struct io_uring* r, int fd, bool plain) {
   char buf[8192];
   long n = 0;
   for (;;) {
      if (plain)
         io_uring_prep_read(io_uring_get_sqe(r), fd, buf, sizeof buf, 0);
      else
         io_uring_prep_recv(io_uring_get_sqe(r), fd, buf, sizeof buf, 0);
      int got = uringRun(r);
      if (got < 0) {
         errno = -got;
         die("io_uring recv");
      }
      if (got == 0)
         return n;
      n += got;
   }
}

/* Writes with IORING_OP_SEND, or IORING_OP_WRITE when plain. */
static void uringSendAll(struct io_uring* r, int fd, long bytes, char fill, bool plain) {
   char buf[8192];
   memset(buf, fill, sizeof buf);
   while (bytes > 0) {
      unsigned len = bytes < (long)sizeof buf ? (unsigned)bytes : sizeof buf;
      if (plain)
         io_uring_prep_write(io_uring_get_sqe(r), fd, buf, len, 0);
      else
         io_uring_prep_send(io_uring_get_sqe(r), fd, buf, len, 0);
      int w = uringRun(r);
      if (w <= 0) {
         errno = -w;
         die("io_uring send");
      }
      bytes -= w;
   }
}

static int uringServer(const char* a, int port, long reply, const char* out) {
   struct sockaddr_storage ss;
   socklen_t len = addrOf(a, port, &ss);
   int l = sockFor(&ss, SOCK_STREAM);
   int one = 1;
   setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
   if (bind(l, (struct sockaddr*)&ss, len) < 0 || listen(l, 16) < 0)
      die("bind/listen");
   struct io_uring r;
   if (io_uring_queue_init(8, &r, 0) < 0)
      die("io_uring_queue_init");
   char ready[512];
   snprintf(ready, sizeof ready, "%s.ready", out);
   writeKv(ready, "pid=%d\n", getpid());
   io_uring_prep_accept(io_uring_get_sqe(&r), l, NULL, NULL, 0);
   int c = uringRun(&r);
   if (c < 0) {
      errno = -c;
      die("io_uring accept");
   }
   long rx = uringRecvAll(&r, c, true);
   uringSendAll(&r, c, reply, 'R', false);
   io_uring_prep_close(io_uring_get_sqe(&r), c);
   uringRun(&r);
   close(l);
   writeKv(out, "pid=%d\nport=%d\nrx=%ld\ntx=%ld\n", getpid(), port, rx, reply);
   return 0;
}

static int uringClient(const char* a, int port, long send, const char* out) {
   struct sockaddr_storage ss;
   socklen_t len = addrOf(a, port, &ss);
   int fd = sockFor(&ss, SOCK_STREAM);
   struct io_uring r;
   if (io_uring_queue_init(8, &r, 0) < 0)
      die("io_uring_queue_init");
   io_uring_prep_connect(io_uring_get_sqe(&r), fd, (struct sockaddr*)&ss, len);
   int rc = uringRun(&r);
   if (rc < 0) {
      errno = -rc;
      die("io_uring connect");
   }
   int lport = localPort(fd);
   uringSendAll(&r, fd, send, 'S', true);
   io_uring_prep_shutdown(io_uring_get_sqe(&r), fd, SHUT_WR);
   uringRun(&r);
   long rx = uringRecvAll(&r, fd, false);
   io_uring_prep_close(io_uring_get_sqe(&r), fd);
   uringRun(&r);
   writeKv(out, "pid=%d\nlport=%d\ntx=%ld\nrx=%ld\n", getpid(), lport, send, rx);
   return 0;
}

int main(int argc, char** argv) {
   if (argc >= 6 && strcmp(argv[1], "mmsg-server") == 0)
      return mmsgServer(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
   if (argc >= 6 && strcmp(argv[1], "mmsg-client") == 0)
      return mmsgClient(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5],
                        argc > 6 && strcmp(argv[6], "connect") == 0);
   if (argc >= 7 && strcmp(argv[1], "thread-exit") == 0)
      return threadExit(argv[2], atoi(argv[3]), atol(argv[4]), argv[5], argv[6]);
   if (argc >= 6 && strcmp(argv[1], "uring-server") == 0)
      return uringServer(argv[2], atoi(argv[3]), atol(argv[4]), argv[5]);
   if (argc >= 6 && strcmp(argv[1], "uring-client") == 0)
      return uringClient(argv[2], atoi(argv[3]), atol(argv[4]), argv[5]);
   fprintf(stderr, "usage: see the head of lifeapp.c\n");
   return 2;
}
