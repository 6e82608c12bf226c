/* outq.c: a non-blocking output queue (see outq.h). */
#include "outq.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void OutQ_init(OutQ* q, int fd, size_t max) {
   memset(q, 0, sizeof *q);
   q->fd = fd;
   q->max = max;
   q->old_flags = -1;
   if (isatty(fd))
      return;
   int fl = fcntl(fd, F_GETFL);
   if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
      q->old_flags = fl;
}

static bool OutQ_room(OutQ* q, size_t need) {
   if (q->off && q->off == q->len)
      q->off = q->len = 0;
   if (q->len - q->off + need > q->max)
      return false;
   if (q->len + need > q->cap) {
      if (q->off) { /* move the waiting bytes down before growing */
         memmove(q->buf, q->buf + q->off, q->len - q->off);
         q->len -= q->off;
         q->off = 0;
      }
      size_t cap = q->cap ? q->cap : 65536;
      while (cap < q->len + need)
         cap *= 2;
      if (cap != q->cap) {
         char* b = realloc(q->buf, cap);
         if (!b)
            return false;
         q->buf = b;
         q->cap = cap;
      }
   }
   return true;
}

bool OutQ_put(OutQ* q, const char* data, size_t len, uint64_t nlines) {
   if (q->err || len == 0)
      return false;
   if (!OutQ_room(q, len)) {
      q->dropped += nlines;
      q->unsaid += nlines;
      return false;
   }
   memcpy(q->buf + q->len, data, len);
   q->len += len;
   return true;
}

bool OutQ_write(OutQ* q, const char* data, size_t len, uint64_t nlines) {
   if (q->err || len == 0 || q->off < q->len)
      return OutQ_put(q, data, len, nlines); /* behind: keep the order */
   size_t done = 0;
   while (done < len) {
      ssize_t n = write(q->fd, data + done, len - done);
      if (n > 0) {
         done += (size_t)n;
         continue;
      }
      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
         break;
      q->err = n < 0 ? errno : EIO;
      return false;
   }
   if (done == len)
      return true;
   /* the rest of a line already begun must follow it: queued past max */
   size_t max = q->max;
   q->max = SIZE_MAX;
   bool ok = OutQ_put(q, data + done, len - done, 0);
   q->max = max;
   return ok;
}

int OutQ_flush(OutQ* q) {
   while (!q->err && q->off < q->len) {
      ssize_t n = write(q->fd, q->buf + q->off, q->len - q->off);
      if (n > 0) {
         q->off += (size_t)n;
         continue;
      }
      if (n < 0 && errno == EINTR)
         continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
         return 0; /* the reader is behind: later */
      q->err = n < 0 ? errno : EIO;
   }
   return q->err ? -1 : 0;
}

static uint64_t nowMs(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int OutQ_drain(OutQ* q, int timeout_ms) {
   uint64_t until = nowMs() + (uint64_t)timeout_ms;
   while (OutQ_flush(q) == 0 && q->off < q->len) {
      uint64_t now = nowMs();
      if (now >= until)
         return -1;
      struct pollfd p = {.fd = q->fd, .events = POLLOUT};
      if (poll(&p, 1, (int)(until - now)) < 0 && errno != EINTR)
         return -1;
   }
   return q->err ? -1 : 0;
}

void OutQ_done(OutQ* q) {
   if (q->old_flags >= 0)
      (void)fcntl(q->fd, F_SETFL, q->old_flags);
   free(q->buf);
   memset(q, 0, sizeof *q);
   q->fd = -1;
   q->old_flags = -1;
}
