/* bench_hold.c: holds N TCP connections open on loopback, for the snapshot
 * benchmark (tests/bench/once_bench.sh).
 *
 *   bench_hold server PORT N   listen on 127.0.0.1:PORT, accept N, hold
 *   bench_hold client PORT N   connect N times to 127.0.0.1:PORT, hold
 *
 * Prints "ready N" on stdout once all N are open, then holds them until
 * stdin is closed (then resets them: no TIME_WAIT left behind) or a signal
 * ends it. Exits 1 with a message on error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char* what, int i) {
   fprintf(stderr, "bench_hold: %s (after %d): %s\n", what, i, strerror(errno));
   return 1;
}

/* Holds the n sockets until stdin closes, then resets them (SO_LINGER 0)
 * so that no TIME_WAIT sockets outlive the run and skew the next one. */
static void hold(const int* fds, int n) {
   printf("ready %d\n", n);
   fflush(stdout);
   char c;
   while (read(STDIN_FILENO, &c, 1) > 0)
      ;
   struct linger lg = {.l_onoff = 1, .l_linger = 0};
   for (int i = 0; i < n; i++) {
      setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      close(fds[i]);
   }
}

int main(int argc, char** argv) {
   if (argc != 4 || (strcmp(argv[1], "server") && strcmp(argv[1], "client"))) {
      fprintf(stderr, "usage: bench_hold server|client PORT N\n");
      return 2;
   }
   int port = atoi(argv[2]), n = atoi(argv[3]);
   if (port <= 0 || port > 65535 || n <= 0) {
      fprintf(stderr, "bench_hold: bad port or count\n");
      return 2;
   }
   struct rlimit rl;
   if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 16) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
   }
   int* fds = calloc((size_t)n, sizeof *fds);
   if (!fds)
      return die("calloc", 0);
   struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
   a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
   if (strcmp(argv[1], "server") == 0) {
      int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (l < 0 || bind(l, (struct sockaddr*)&a, sizeof a) < 0 || listen(l, 4096) < 0)
         return die("listen", 0);
      printf("listening\n");
      fflush(stdout);
      for (int i = 0; i < n; i++)
         if ((fds[i] = accept4(l, NULL, NULL, SOCK_CLOEXEC)) < 0)
            return die("accept", i);
      close(l);
      hold(fds, n);
   } else {
      for (int i = 0; i < n; i++) {
         int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
         if (s < 0 || connect(s, (struct sockaddr*)&a, sizeof a) < 0)
            return die("connect", i);
         if (i % 100 == 0 && write(s, "x", 1) != 1) /* some bytes to count */
            return die("write", i);
         fds[i] = s;
      }
      hold(fds, n);
   }
   return 0;
}
