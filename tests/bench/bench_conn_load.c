/* bench_conn_load.c: loopback load for measuring the probe's overhead.
 *
 *   bench_conn_load conn [SECONDS] [CLIENT_THREADS]
 *      client threads connect, wait for the server's close, close; a
 *      2-thread server accepts and closes at once (with a reset, so that no
 *      TIME_WAIT accumulates). Prints connections/s.
 *   bench_conn_load bulk [SECONDS] [WRITE_SIZE]
 *      one connection, WRITE_SIZE-byte writes (default 64) for SECONDS,
 *      writer pinned to CPU 0 and reader to CPU 1.
 *      Prints MB/s and writes/s.
 *   bench_conn_load udp [SECONDS] [SIZE]
 *      a flood of SIZE-byte datagrams (default 64) sent with sendto to a
 *      loopback receiver (recvfrom), sender on CPU 0, receiver on CPU 1.
 *
 * With BENCH_SRC_SPREAD=N set (conn), the clients bind to N source addresses
 * in turn, 127.1.0.0 upwards: the server then sees N remote addresses, each
 * with few connections (a history that does not fold into a few rows).
 *
 * With BENCH_TICK_MS=N set, every mode also prints "tick REALTIME_S CONNECTIONS
 * CPU_S" (connections, or writes / datagrams sent; CPU_S: the process's CPU time so far) every N ms
 * while it runs (probe_toggle.sh starts and stops visnet during one long run and compares the rates
 * of adjacent windows).
 *
 * The output is one line of key=value pairs, for probe_bench.sh; cpu_ns
 * is the process's CPU time (user + system, all threads) per connection or
 * per write.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_bool Bench_stop;    /* clients: stop connecting */
static atomic_bool Bench_srvStop; /* acceptors: every client is done */
static atomic_ulong Bench_conns, Bench_accepts, Bench_errors;
static struct sockaddr_in Bench_addr;

static double Bench_now(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (all threads, user + system), seconds:
 * the probe's programs run in our context, so their cost shows here even
 * when other load on the machine disturbs the wall-clock rate. */
static double Bench_cpu(void) {
   struct rusage ru;
   getrusage(RUSAGE_SELF, &ru);
   return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
          (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int Bench_listen(void) {
   int fd = socket(AF_INET, SOCK_STREAM, 0);
   int one = 1;
   setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
   socklen_t len = sizeof(a);
   if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof(a)) != 0 || listen(fd, 4096) != 0 ||
       getsockname(fd, (struct sockaddr*)&Bench_addr, &len) != 0) {
      perror("bench_conn_load: listen");
      exit(1);
   }
   return fd;
}

static void* Bench_acceptor(void* arg) {
   int lfd = *(int*)arg;
   while (!atomic_load(&Bench_srvStop)) {
      int c = accept(lfd, NULL, NULL);
      if (c < 0)
         continue;
      atomic_fetch_add(&Bench_accepts, 1);
      /* reset instead of FIN: no TIME_WAIT piles up (hundreds of thousands
       * per run), so runs do not slow each other and a snapshot taken by
       * visnet at start does not grow from run to run */
      struct linger lg = {.l_onoff = 1, .l_linger = 0};
      setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
      close(c);
   }
   return NULL;
}

static unsigned Bench_spread; /* BENCH_SRC_SPREAD */
static atomic_uint Bench_nextSrc;

/* Binds fd to the next of the Bench_spread source addresses (no port yet:
 * connect picks one). */
static void Bench_bindSource(int fd) {
   if (!Bench_spread)
      return;
   unsigned i = atomic_fetch_add(&Bench_nextSrc, 1) % Bench_spread;
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f010000u + i)};
   int one = 1;
   setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
   bind(fd, (struct sockaddr*)&a, sizeof(a));
}

static void* Bench_connector(void* arg) {
   (void)arg;
   char b[16];
   struct timeval tmo = {.tv_sec = 5};
   while (!atomic_load(&Bench_stop)) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd >= 0) {
         setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
         Bench_bindSource(fd);
      }
      if (fd < 0 || connect(fd, (struct sockaddr*)&Bench_addr, sizeof(Bench_addr)) != 0) {
         atomic_fetch_add(&Bench_errors, 1);
         if (fd >= 0)
            close(fd);
         continue;
      }
      atomic_fetch_add(&Bench_conns, 1);
      while (read(fd, b, sizeof(b)) > 0)
         ; /* the server closes first */
      close(fd);
   }
   return NULL;
}

static double Bench_realtime(void) {
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void Bench_sleep(double secs) {
   struct timespec d = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
   while (nanosleep(&d, &d) != 0 && errno == EINTR)
      ;
}

/* Waits secs, printing the connection count every BENCH_TICK_MS if set. */
static void Bench_wait(double secs) {
   const char* tick = getenv("BENCH_TICK_MS");
   double step = tick ? atof(tick) / 1e3 : 0;
   if (step <= 0) {
      Bench_sleep(secs);
      return;
   }
   double end = Bench_now() + secs;
   for (double left = secs; left > 0; left = end - Bench_now()) {
      Bench_sleep(left < step ? left : step);
      printf("tick %.3f %lu %.4f\n", Bench_realtime(), atomic_load(&Bench_conns), Bench_cpu());
      fflush(stdout);
   }
}

static int Bench_conn(double secs, int nclients) {
   int lfd = Bench_listen();
   pthread_t srv[2], cli[64];
   for (int i = 0; i < 2; i++)
      pthread_create(&srv[i], NULL, Bench_acceptor, &lfd);
   double t0 = Bench_now(), c0 = Bench_cpu();
   for (int i = 0; i < nclients; i++)
      pthread_create(&cli[i], NULL, Bench_connector, NULL);
   Bench_wait(secs);
   atomic_store(&Bench_stop, true);
   for (int i = 0; i < nclients; i++)
      pthread_join(cli[i], NULL);
   double t = Bench_now() - t0, cpu = Bench_cpu() - c0;
   /* every connection made has been accepted: wake the acceptors */
   atomic_store(&Bench_srvStop, true);
   for (int i = 0; i < 2; i++) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      connect(fd, (struct sockaddr*)&Bench_addr, sizeof(Bench_addr));
      close(fd);
   }
   shutdown(lfd, SHUT_RDWR);
   for (int i = 0; i < 2; i++)
      pthread_join(srv[i], NULL);
   close(lfd);
   unsigned long n = atomic_load(&Bench_conns);
   printf("mode=conn seconds=%.2f clients=%d connections=%lu accepts=%lu errors=%lu rate=%.0f "
          "cpu_ns=%.0f\n",
          t, nclients, n, atomic_load(&Bench_accepts) > n ? n : atomic_load(&Bench_accepts),
          atomic_load(&Bench_errors), n / t, n ? cpu * 1e9 / n : 0);
   return 0;
}

/* Writer and reader on fixed, distinct CPUs: otherwise the rate depends
 * mostly on where the scheduler happens to put them. */
static void Bench_pin(int cpu) {
   cpu_set_t set;
   CPU_ZERO(&set);
   CPU_SET(cpu % CPU_SETSIZE, &set);
   pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void* Bench_reader(void* arg) {
   int fd = *(int*)arg;
   Bench_pin(1);
   static char buf[1 << 16];
   while (read(fd, buf, sizeof(buf)) > 0)
      ;
   return NULL;
}

typedef struct Writer_ {
   int fd;
   int wsize;
   bool udp; /* sendto with the address on every datagram */
   int err;
} Writer;

/* Writes until Bench_stop, counting in Bench_conns (by 256: one atomic add
 * per write would be part of what is measured). */
static void* Bench_writer(void* arg) {
   Writer* w = arg;
   Bench_pin(0);
   char* buf = calloc(1, (size_t)w->wsize);
   while (!atomic_load(&Bench_stop)) {
      for (int i = 0; i < 256; i++) {
         ssize_t n = w->udp ? sendto(w->fd, buf, (size_t)w->wsize, 0, (struct sockaddr*)&Bench_addr,
                                     sizeof(Bench_addr))
                            : write(w->fd, buf, (size_t)w->wsize);
         if (n <= 0 && !(w->udp && (errno == ENOBUFS || errno == EAGAIN))) {
            w->err = errno;
            free(buf);
            return NULL;
         }
      }
      atomic_fetch_add(&Bench_conns, 256);
   }
   free(buf);
   return NULL;
}

/* Runs the writer for secs (ticks as in conn mode) and prints its rate. */
static int Bench_stream(const char* mode, Writer* w, double secs) {
   pthread_t t;
   double t0 = Bench_now(), c0 = Bench_cpu();
   pthread_create(&t, NULL, Bench_writer, w);
   Bench_wait(secs);
   atomic_store(&Bench_stop, true);
   pthread_join(t, NULL);
   double el = Bench_now() - t0, cpu = Bench_cpu() - c0;
   unsigned long writes = atomic_load(&Bench_conns);
   if (w->err) {
      fprintf(stderr, "bench_conn_load: %s: %s\n", mode, strerror(w->err));
      return 1;
   }
   printf("mode=%s seconds=%.2f write_size=%d writes=%lu MBps=%.1f rate=%.0f cpu_ns=%.0f\n", mode,
          el, w->wsize, writes, (double)writes * w->wsize / el / 1e6, writes / el,
          writes ? cpu * 1e9 / writes : 0);
   return 0;
}

static int Bench_bulk(double secs, int wsize) {
   int lfd = Bench_listen();
   int c = socket(AF_INET, SOCK_STREAM, 0);
   if (connect(c, (struct sockaddr*)&Bench_addr, sizeof(Bench_addr)) != 0) {
      perror("bench_conn_load: connect");
      return 1;
   }
   int s = accept(lfd, NULL, NULL);
   pthread_t r;
   pthread_create(&r, NULL, Bench_reader, &s);
   Writer w = {.fd = c, .wsize = wsize};
   int rc = Bench_stream("bulk", &w, secs);
   close(c);
   pthread_join(r, NULL);
   close(s);
   close(lfd);
   return rc;
}

/* A flood of small datagrams over loopback: sendto (the address in every
 * call, as a server answers) on CPU 0, recvfrom on CPU 1. */
static void* Bench_udpReader(void* arg) {
   int fd = *(int*)arg;
   Bench_pin(1);
   char buf[2048];
   struct sockaddr_in from;
   socklen_t len = sizeof(from);
   while (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr*)&from, &len) >= 0)
      len = sizeof(from);
   return NULL;
}

static int Bench_udp(double secs, int wsize) {
   int rfd = socket(AF_INET, SOCK_DGRAM, 0), sfd = socket(AF_INET, SOCK_DGRAM, 0);
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
   socklen_t len = sizeof(a);
   struct timeval tmo = {.tv_sec = 1};
   setsockopt(rfd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
   if (rfd < 0 || sfd < 0 || bind(rfd, (struct sockaddr*)&a, sizeof(a)) != 0 ||
       getsockname(rfd, (struct sockaddr*)&Bench_addr, &len) != 0) {
      perror("bench_conn_load: udp");
      return 1;
   }
   pthread_t r;
   pthread_create(&r, NULL, Bench_udpReader, &rfd);
   Writer w = {.fd = sfd, .wsize = wsize, .udp = true};
   int rc = Bench_stream("udp", &w, secs);
   pthread_join(r, NULL); /* its receive times out once the flood stops */
   close(sfd);
   close(rfd);
   return rc;
}

int main(int argc, char** argv) {
   if (argc < 2 || (strcmp(argv[1], "conn") != 0 && strcmp(argv[1], "bulk") != 0 &&
                    strcmp(argv[1], "udp") != 0)) {
      fprintf(stderr, "usage: bench_conn_load conn [SECONDS] [CLIENT_THREADS]\n"
                      "       bench_conn_load bulk|udp [SECONDS] [WRITE_SIZE]\n");
      return 2;
   }
   const char* spread = getenv("BENCH_SRC_SPREAD");
   Bench_spread = spread ? (unsigned)atoi(spread) % (1u << 16) : 0;
   double secs = argc > 2 ? atof(argv[2]) : 5;
   int n = argc > 3 ? atoi(argv[3]) : 0;
   if (secs <= 0 || secs > 3600 || n < 0) {
      fprintf(stderr, "bench_conn_load: bad SECONDS or count\n");
      return 2;
   }
   if (strcmp(argv[1], "conn") == 0)
      return Bench_conn(secs, n > 0 && n <= 64 ? n : 4);
   if (strcmp(argv[1], "udp") == 0)
      return Bench_udp(secs, n > 0 && n <= 1472 ? n : 64);
   return Bench_bulk(secs, n > 0 ? n : 64);
}
