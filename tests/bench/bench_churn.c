/* bench_churn.c: mixed, paced churn for the soak benchmark (soak.sh).
 *
 *   bench_churn server PORT
 *      accepts TCP on [::]:PORT (IPv4 and IPv6), reads a request, answers
 *      200 bytes; closes first on one connection in 20 (its side then
 *      holds the TIME_WAIT). Echoes UDP datagrams on ports PORT..PORT+7.
 *      Runs until killed.
 *   bench_churn client ADDR4 ADDR6 PORT RATE SECONDS [EXECS_PER_S]
 *      RATE TCP connections per second, alternately to ADDR4 and ADDR6,
 *      each sending 100 bytes and reading the answer; one in 20 is closed
 *      by the client first (a TIME_WAIT here), most end with a reset: a
 *      TIME_WAIT for every connection would fill the kernel's tables. Every 100 ms, 8 new UDP sockets each send a datagram to one
 *      of the 8 UDP ports over IPv4 or IPv6. EXECS_PER_S (default 50)
 *      fork-and-exec /bin/true. Stops after SECONDS and prints one line:
 *      connections, failures, datagrams, execs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UDP_PORTS 8
#define CLIENT_THREADS 4
#define SERVER_THREADS 4

static struct sockaddr_in6 Churn_v6; /* ADDR6, or ADDR4 mapped */
static struct sockaddr_in Churn_v4;
static int Churn_port;
static atomic_ulong Churn_conns, Churn_fails, Churn_dgrams, Churn_execs;
static atomic_bool Churn_stop;

static double nowS(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleepUntil(double t) {
   struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};
   while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
   }
}

static void serveConn(int fd) {
   static atomic_ulong n;
   char buf[512];
   memset(buf, 'r', sizeof buf);
   if (read(fd, buf, sizeof buf) > 0 && write(fd, buf, 200) == 200 && atomic_fetch_add(&n, 1) % 20 == 0) {
      close(fd); /* this side first: its TIME_WAIT */
      return;
   }
   while (read(fd, buf, sizeof buf) > 0) {
   }
   close(fd);
}

/* Requests are small and come with the connection: a few threads that
 * accept and serve in turn keep up where a thread per connection did not. */
static void* acceptLoop(void* arg) {
   int l = (int)(intptr_t)arg;
   for (;;) {
      int fd = accept(l, NULL, NULL);
      if (fd >= 0)
         serveConn(fd);
   }
   return NULL;
}

static void* serveUdp(void* arg) {
   int fd = (int)(intptr_t)arg;
   char buf[512];
   for (;;) {
      struct sockaddr_in6 from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);
      if (n > 0)
         sendto(fd, buf, (size_t)n, 0, (struct sockaddr*)&from, len);
   }
   return NULL;
}

static int listen6(int type, int port) {
   int fd = socket(AF_INET6, type, 0), one = 1, zero = 0;
   struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
   setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
   setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
   if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof a) < 0 ||
       (type == SOCK_STREAM && listen(fd, 4096) < 0)) {
      perror("bench_churn: server");
      exit(1);
   }
   return fd;
}

static _Noreturn void server(int port) {
   pthread_attr_t at;
   pthread_attr_init(&at);
   pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
   pthread_attr_setstacksize(&at, 64 * 1024);
   for (int i = 0; i < UDP_PORTS; i++) {
      pthread_t t;
      pthread_create(&t, &at, serveUdp, (void*)(intptr_t)listen6(SOCK_DGRAM, port + i));
   }
   int l = listen6(SOCK_STREAM, port);
   for (int i = 0; i < SERVER_THREADS; i++) {
      pthread_t t;
      pthread_create(&t, &at, acceptLoop, (void*)(intptr_t)l);
   }
   for (;;)
      pause();
}

static void oneConn(int v6) {
   const struct sockaddr* to = v6 ? (const struct sockaddr*)&Churn_v6 : (const struct sockaddr*)&Churn_v4;
   socklen_t len = v6 ? sizeof Churn_v6 : sizeof Churn_v4;
   int fd = socket(to->sa_family, SOCK_STREAM, 0);
   char buf[512];
   memset(buf, 'q', 100);
   if (fd < 0 || connect(fd, to, len) < 0 || write(fd, buf, 100) != 100 || read(fd, buf, sizeof buf) != 200) {
      atomic_fetch_add(&Churn_fails, 1);
   } else {
      unsigned long n = atomic_fetch_add(&Churn_conns, 1);
      if (n % 20 != 1) { /* a reset: TIME_WAIT for only a few, as on a busy host */
         struct linger lg = {.l_onoff = 1, .l_linger = 0};
         setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
   }
   if (fd >= 0)
      close(fd);
}

typedef struct {
   double rate, end;
} Pace;

static void* clientThread(void* arg) {
   const Pace* p = arg;
   double t = nowS(), step = 1.0 / p->rate;
   unsigned long i = 0;
   while (!atomic_load(&Churn_stop) && t < p->end) {
      oneConn((int)(i++ % 2));
      t += step;
      if (nowS() < t)
         sleepUntil(t);
   }
   return NULL;
}

static void udpBurst(unsigned long round) {
   char buf[64];
   memset(buf, 'u', sizeof buf);
   for (int i = 0; i < UDP_PORTS; i++) {
      int v6 = (int)((round + (unsigned long)i) % 2);
      int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
      if (fd < 0)
         continue;
      struct sockaddr_in6 a6 = Churn_v6;
      struct sockaddr_in a4 = Churn_v4;
      a6.sin6_port = a4.sin_port = htons((uint16_t)(Churn_port + i));
      const struct sockaddr* to = v6 ? (struct sockaddr*)&a6 : (struct sockaddr*)&a4;
      if (sendto(fd, buf, sizeof buf, 0, to, v6 ? sizeof a6 : sizeof a4) == (ssize_t)sizeof buf)
         atomic_fetch_add(&Churn_dgrams, 1);
      struct pollfd pf = {.fd = fd, .events = POLLIN};
      if (poll(&pf, 1, 50) == 1)
         (void)recv(fd, buf, sizeof buf, 0);
      close(fd);
   }
}

static void oneExec(void) {
   pid_t pid = fork();
   if (pid == 0) {
      execl("/bin/true", "true", (char*)NULL);
      _exit(127);
   }
   if (pid > 0 && waitpid(pid, NULL, 0) == pid)
      atomic_fetch_add(&Churn_execs, 1);
}

static int client(char** av, int ac) {
   if (ac < 6) {
      fprintf(stderr, "usage: bench_churn client ADDR4 ADDR6 PORT RATE SECONDS [EXECS_PER_S]\n");
      return 2;
   }
   Churn_port = atoi(av[3]);
   Churn_v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)Churn_port)};
   Churn_v6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)Churn_port)};
   if (inet_pton(AF_INET, av[1], &Churn_v4.sin_addr) != 1 || inet_pton(AF_INET6, av[2], &Churn_v6.sin6_addr) != 1) {
      fprintf(stderr, "bench_churn: bad address\n");
      return 2;
   }
   double rate = atof(av[4]), secs = atof(av[5]), execs = ac > 6 ? atof(av[6]) : 50;
   double start = nowS();
   Pace pace = {.rate = rate / CLIENT_THREADS, .end = start + secs};
   pthread_t th[CLIENT_THREADS];
   for (int i = 0; i < CLIENT_THREADS; i++)
      pthread_create(&th[i], NULL, clientThread, &pace);
   /* this thread: UDP every 100 ms and the execs between */
   unsigned long round = 0;
   double next_udp = start, next_exec = start;
   while (nowS() < pace.end) {
      double t = nowS();
      if (t >= next_udp) {
         udpBurst(round++);
         next_udp += 0.1;
      }
      if (execs > 0 && t >= next_exec) {
         oneExec();
         next_exec += 1.0 / execs;
      }
      double wake = next_udp;
      if (execs > 0 && next_exec < wake)
         wake = next_exec;
      sleepUntil(wake);
   }
   atomic_store(&Churn_stop, 1);
   for (int i = 0; i < CLIENT_THREADS; i++)
      pthread_join(th[i], NULL);
   printf("conns=%lu fails=%lu dgrams=%lu execs=%lu seconds=%.1f\n", atomic_load(&Churn_conns),
          atomic_load(&Churn_fails), atomic_load(&Churn_dgrams), atomic_load(&Churn_execs), nowS() - start);
   return 0;
}

int main(int ac, char** av) {
   signal(SIGPIPE, SIG_IGN);
   if (ac >= 3 && strcmp(av[1], "server") == 0)
      server(atoi(av[2]));
   if (ac >= 2 && strcmp(av[1], "client") == 0)
      return client(av + 1, ac - 1);
   fprintf(stderr, "usage: bench_churn server PORT | client ADDR4 ADDR6 PORT RATE SECONDS [EXECS_PER_S]\n");
   return 2;
}
