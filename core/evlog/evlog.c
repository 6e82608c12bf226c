/* evlog.c: writing and reading the recorded event log (layout in evlog.h).
 *
 * Events are encoded field by field in little-endian so that a log recorded
 * on one build replays on another. Reading checks every length before using
 * it and never allocates per event: a record is read into a fixed buffer of
 * EVLOG_MAX_PAYLOAD bytes. */
#include "evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define IO_BUFSIZE (1 << 20)

struct EvlogWriter_ {
   FILE* f;
   int own; /* we opened f (close it) */
   int err; /* first errno seen, 0 if none */
   uint64_t count;
   uint64_t bytes; /* header and records accepted */
   char* iobuf;
};

struct EvlogReader_ {
   FILE* f; /* NULL when reading memory */
   const uint8_t* mem;
   size_t memlen;
   size_t pos;      /* memory cursor */
   uint64_t off;    /* offset of the next (or the bad) record */
   EvlogStatus err; /* sticky error, EVLOG_OK if none */
   EvlogHeader hdr;
   char* iobuf;
   uint8_t buf[EVLOG_MAX_PAYLOAD];
};

/* ---- little-endian cursor ---- */

typedef struct Put_ {
   uint8_t* p;
} Put;

static void put8(Put* c, uint8_t v) {
   *c->p++ = v;
}
static void put16(Put* c, uint16_t v) {
   put8(c, (uint8_t)v);
   put8(c, (uint8_t)(v >> 8));
}
static void put32(Put* c, uint32_t v) {
   put16(c, (uint16_t)v);
   put16(c, (uint16_t)(v >> 16));
}
static void put64(Put* c, uint64_t v) {
   put32(c, (uint32_t)v);
   put32(c, (uint32_t)(v >> 32));
}
static void putBytes(Put* c, const void* s, size_t n) {
   memcpy(c->p, s, n);
   c->p += n;
}

/* Reads never run past end: a short read sets bad and yields zeros. */
typedef struct Get_ {
   const uint8_t* p;
   const uint8_t* end;
   int bad;
} Get;

static int need(Get* c, size_t n) {
   if (c->bad || (size_t)(c->end - c->p) < n) {
      c->bad = 1;
      return 0;
   }
   return 1;
}
static uint8_t get8(Get* c) {
   return need(c, 1) ? *c->p++ : 0;
}
static uint16_t get16(Get* c) {
   uint16_t lo = get8(c);
   return (uint16_t)(lo | (uint16_t)get8(c) << 8);
}
static uint32_t get32(Get* c) {
   uint32_t lo = get16(c);
   return lo | (uint32_t)get16(c) << 16;
}
static uint64_t get64(Get* c) {
   uint64_t lo = get32(c);
   return lo | (uint64_t)get32(c) << 32;
}
static void getBytes(Get* c, void* out, size_t n) {
   if (!need(c, n))
      return;
   memcpy(out, c->p, n);
   c->p += n;
}

static uint32_t le32(const uint8_t* p) {
   return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc(const void* p, size_t n) {
   return (uint32_t)crc32(0L, (const Bytef*)p, (uInt)n);
}

/* ---- payload codec ---- */

static int validType(unsigned t) {
   return t > EV_NONE && t < EV__COUNT;
}

static size_t procLen(const Event* e, size_t* comm, size_t* file, size_t* args) {
   *comm = strnlen(e->proc.comm, VN_COMM_LEN - 1);
   *file = strnlen(e->proc.filename, VN_PATH_LEN - 1);
   *args = e->proc.args_len > VN_ARGS_LEN ? VN_ARGS_LEN : e->proc.args_len;
   return EVLOG_PROC_MIN + *comm + *file + *args;
}

size_t Evlog_encode(const Event* e, uint8_t* buf, size_t len) {
   if (!validType(e->type))
      return 0;
   size_t comm = 0, file = 0, args = 0;
   size_t total = Event_isSock(e) ? EVLOG_SOCK_LEN : procLen(e, &comm, &file, &args);
   if (len < total)
      return 0;
   Put c = {buf};
   put16(&c, e->type);
   put16(&c, e->flags);
   put32(&c, e->pid);
   put32(&c, e->tid);
   put64(&c, e->ts);
   put64(&c, e->pstart);
   if (Event_isSock(e)) {
      const SockEvent* s = &e->sock;
      put64(&c, s->sk);
      put64(&c, s->ino);
      put64(&c, s->cgroup);
      put64(&c, s->tx);
      put64(&c, s->rx);
      put64(&c, s->lifetime_ns);
      put32(&c, s->netns);
      put32(&c, s->count);
      put32(&c, (uint32_t)s->err);
      put16(&c, s->lport);
      put16(&c, s->rport);
      put8(&c, s->proto);
      put8(&c, s->family);
      put8(&c, s->dir);
      put8(&c, s->state);
      put8(&c, s->oldstate);
      put8(&c, s->noowner);
      putBytes(&c, s->laddr, 16);
      putBytes(&c, s->raddr, 16);
   } else {
      const ProcEvent* p = &e->proc;
      put32(&c, p->ppid);
      put32(&c, p->uid);
      put32(&c, p->child_pid);
      put32(&c, (uint32_t)p->exit_code);
      put64(&c, p->child_start);
      put64(&c, p->cgroup);
      put8(&c, (uint8_t)comm);
      putBytes(&c, p->comm, comm);
      put16(&c, (uint16_t)file);
      putBytes(&c, p->filename, file);
      put16(&c, (uint16_t)args);
      putBytes(&c, p->args, args);
   }
   return total;
}

static void decodeSock(Get* c, SockEvent* s) {
   s->sk = get64(c);
   s->ino = get64(c);
   s->cgroup = get64(c);
   s->tx = get64(c);
   s->rx = get64(c);
   s->lifetime_ns = get64(c);
   s->netns = get32(c);
   s->count = get32(c);
   s->err = (int32_t)get32(c);
   s->lport = get16(c);
   s->rport = get16(c);
   s->proto = get8(c);
   s->family = get8(c);
   s->dir = get8(c);
   s->state = get8(c);
   s->oldstate = get8(c);
   s->noowner = get8(c);
   getBytes(c, s->laddr, 16);
   getBytes(c, s->raddr, 16);
}

static void decodeProc(Get* c, ProcEvent* p) {
   p->ppid = get32(c);
   p->uid = get32(c);
   p->child_pid = get32(c);
   p->exit_code = (int32_t)get32(c);
   p->child_start = get64(c);
   p->cgroup = get64(c);
   size_t n = get8(c);
   if (n >= VN_COMM_LEN)
      c->bad = 1;
   getBytes(c, p->comm, n);
   n = get16(c);
   if (n >= VN_PATH_LEN)
      c->bad = 1;
   getBytes(c, p->filename, n);
   n = get16(c);
   if (n > VN_ARGS_LEN)
      c->bad = 1;
   getBytes(c, p->args, n);
   p->args_len = (uint16_t)n;
}

int Evlog_decode(const uint8_t* buf, size_t len, Event* out) {
   Get c = {buf, buf + len, 0};
   memset(out, 0, sizeof *out);
   out->type = get16(&c);
   out->flags = get16(&c);
   out->pid = get32(&c);
   out->tid = get32(&c);
   out->ts = get64(&c);
   out->pstart = get64(&c);
   if (c.bad || !validType(out->type))
      return EVLOG_ERR_RECORD;
   if (Event_isSock(out))
      decodeSock(&c, &out->sock);
   else
      decodeProc(&c, &out->proc);
   /* Trailing bytes mean the length and the contents disagree. */
   if (c.bad || c.p != c.end) {
      memset(out, 0, sizeof *out);
      return EVLOG_ERR_RECORD;
   }
   return EVLOG_OK;
}

/* ---- writer ---- */

static uint64_t clockNs(clockid_t id) {
   struct timespec ts;
   clock_gettime(id, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void systemHeader(EvlogHeader* h) {
   memset(h, 0, sizeof *h);
   uint64_t real = clockNs(CLOCK_REALTIME);
   uint64_t boot = clockNs(CLOCK_BOOTTIME);
   h->boot_time_ns = real - boot;
   h->created_ns = real;
   if (gethostname(h->host, EVLOG_HOST_LEN) != 0)
      h->host[0] = '\0';
   h->host[EVLOG_HOST_LEN - 1] = '\0';
}

static void encodeHeader(const EvlogHeader* h, uint8_t out[EVLOG_HEADER_LEN]) {
   Put c = {out};
   putBytes(&c, EVLOG_MAGIC, 8);
   put16(&c, EVLOG_VERSION);
   put16(&c, EVLOG_HEADER_LEN);
   put32(&c, EVLOG_F_SK_IDS);
   put64(&c, h->boot_time_ns);
   put64(&c, h->created_ns);
   char host[EVLOG_HOST_LEN] = {0};
   memcpy(host, h->host, strnlen(h->host, EVLOG_HOST_LEN - 1));
   putBytes(&c, host, EVLOG_HOST_LEN);
   put32(&c, crc(out, EVLOG_HEADER_LEN - 4));
}

static void noteError(EvlogWriter* w) {
   if (!w->err)
      w->err = errno ? errno : EIO;
}

static EvlogWriter* writerStart(FILE* f, int own, const EvlogHeader* hdr, char* errbuf,
                                size_t errlen) {
   EvlogWriter* w = calloc(1, sizeof *w);
   if (!w) {
      snprintf(errbuf, errlen, "out of memory");
      return NULL;
   }
   w->f = f;
   w->own = own;
   if (own) {
      w->iobuf = malloc(IO_BUFSIZE);
      if (w->iobuf)
         setvbuf(f, w->iobuf, _IOFBF, IO_BUFSIZE);
   }
   EvlogHeader sys;
   if (!hdr) {
      systemHeader(&sys);
      hdr = &sys;
   }
   uint8_t raw[EVLOG_HEADER_LEN];
   encodeHeader(hdr, raw);
   errno = 0;
   if (fwrite(raw, 1, sizeof raw, f) != sizeof raw) {
      noteError(w);
      snprintf(errbuf, errlen, "cannot write event log header: %s", strerror(w->err));
      if (own)
         fclose(f);
      free(w->iobuf);
      free(w);
      return NULL;
   }
   w->bytes = sizeof raw;
   return w;
}

/* A log is a regular file, for reading and for writing: a FIFO would block
 * the open or every read and write (and the signals with them), a device
 * or a socket never ends. Opened without blocking (a FIFO without a peer
 * fails with ENXIO), checked, then made blocking; a new file is 0600 and a
 * replaced one becomes so. */
static FILE* openRegular(const char* path, int flags, char* errbuf, size_t errlen) {
   int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK, 0600);
   if (fd < 0) {
      if (errno == EEXIST)
         snprintf(errbuf, errlen, "%s: exists (--force replaces it)", path);
      else if (errno == ELOOP)
         snprintf(errbuf, errlen, "%s: a symbolic link, not followed", path);
      else if (errno == ENXIO)
         snprintf(errbuf, errlen, "%s: not a regular file (a FIFO or a socket)", path);
      else
         snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
      return NULL;
   }
   bool writing = (flags & O_ACCMODE) != O_RDONLY;
   struct stat st;
   FILE* f = NULL;
   if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
      snprintf(errbuf, errlen, "%s: not a regular file (a directory, FIFO, socket or device)", path);
   else if ((writing && fchmod(fd, 0600) < 0) || fcntl(fd, F_SETFL, flags & O_ACCMODE) < 0 ||
            !(f = fdopen(fd, writing ? "wb" : "rb")))
      snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
   if (!f)
      close(fd);
   return f;
}

EvlogWriter* EvlogWriter_create(const char* path, const EvlogHeader* hdr, bool replace,
                                char* errbuf, size_t errlen) {
   int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | (replace ? O_TRUNC : O_EXCL);
   FILE* f = openRegular(path, flags, errbuf, errlen);
   return f ? writerStart(f, 1, hdr, errbuf, errlen) : NULL;
}

EvlogWriter* EvlogWriter_open(const char* path, const EvlogHeader* hdr, char* errbuf,
                              size_t errlen) {
   FILE* f = fopen(path, "wbe");
   if (!f) {
      snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
      return NULL;
   }
   return writerStart(f, 1, hdr, errbuf, errlen);
}

EvlogWriter* EvlogWriter_fromFile(FILE* f, const EvlogHeader* hdr, char* errbuf, size_t errlen) {
   return writerStart(f, 0, hdr, errbuf, errlen);
}

int EvlogWriter_write(EvlogWriter* w, const Event* e) {
   if (w->err) {
      errno = w->err;
      return -1;
   }
   uint8_t rec[EVLOG_RECORD_HDR + EVLOG_MAX_PAYLOAD];
   size_t n = Evlog_encode(e, rec + EVLOG_RECORD_HDR, EVLOG_MAX_PAYLOAD);
   if (n == 0) {
      errno = EINVAL;
      return -1;
   }
   Put c = {rec};
   put32(&c, (uint32_t)n);
   put32(&c, crc(rec + EVLOG_RECORD_HDR, n));
   errno = 0;
   if (fwrite_unlocked(rec, 1, EVLOG_RECORD_HDR + n, w->f) != EVLOG_RECORD_HDR + n) {
      noteError(w);
      errno = w->err;
      return -1;
   }
   w->count++;
   w->bytes += EVLOG_RECORD_HDR + n;
   return 0;
}

int EvlogWriter_flush(EvlogWriter* w) {
   errno = 0;
   if (!w->err && fflush(w->f) != 0)
      noteError(w);
   errno = w->err;
   return w->err ? -1 : 0;
}

uint64_t EvlogWriter_count(const EvlogWriter* w) {
   return w->count;
}

uint64_t EvlogWriter_bytes(const EvlogWriter* w) {
   return w->bytes;
}

/* Flushes to the kernel, then to disk for a regular file: a log that a full
 * disk cut short must be reported, not found out at replay time. */
static void writerFinish(EvlogWriter* w) {
   errno = 0;
   if (fflush(w->f) != 0 || ferror(w->f))
      noteError(w);
   struct stat st;
   int fd = fileno(w->f);
   if (!w->err && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(fd) != 0)
      noteError(w);
   if (w->own) {
      errno = 0;
      if (fclose(w->f) != 0)
         noteError(w);
   }
}

int EvlogWriter_closeErr(EvlogWriter* w, char* errbuf, size_t errlen) {
   if (!w)
      return 0;
   writerFinish(w);
   int err = w->err;
   free(w->iobuf);
   free(w);
   if (!err)
      return 0;
   if (errbuf && errlen)
      snprintf(errbuf, errlen, "writing the event log failed: %s", strerror(err));
   errno = err;
   return -1;
}

int EvlogWriter_close(EvlogWriter* w) {
   return EvlogWriter_closeErr(w, NULL, 0);
}

/* ---- reader ---- */

/* Copies up to n bytes at the current position; returns how many. */
static size_t readerRead(EvlogReader* r, void* out, size_t n, int* ioerr) {
   if (r->f) {
      size_t got = fread_unlocked(out, 1, n, r->f);
      if (got < n && ferror(r->f))
         *ioerr = 1;
      return got;
   }
   size_t left = r->memlen - r->pos;
   size_t got = n < left ? n : left;
   if (got)
      memcpy(out, r->mem + r->pos, got);
   r->pos += got;
   return got;
}

static EvlogStatus readHeader(EvlogReader* r) {
   uint8_t raw[EVLOG_HEADER_LEN];
   int ioerr = 0;
   size_t got = readerRead(r, raw, sizeof raw, &ioerr);
   if (ioerr)
      return EVLOG_ERR_IO;
   size_t m = got < 8 ? got : 8;
   if (got == 0)
      return EVLOG_ERR_HEADER;
   if (memcmp(raw, EVLOG_MAGIC, m) != 0)
      return EVLOG_ERR_MAGIC;
   if (got < 12)
      return EVLOG_ERR_HEADER;
   Get c = {raw + 8, raw + got, 0};
   uint16_t version = get16(&c);
   uint16_t hlen = get16(&c);
   if (version != EVLOG_VERSION)
      return EVLOG_ERR_VERSION;
   if (hlen != EVLOG_HEADER_LEN || got < EVLOG_HEADER_LEN)
      return EVLOG_ERR_HEADER;
   if (le32(raw + EVLOG_HEADER_LEN - 4) != crc(raw, EVLOG_HEADER_LEN - 4))
      return EVLOG_ERR_HEADER;
   r->hdr.version = version;
   r->hdr.flags = get32(&c);
   r->hdr.boot_time_ns = get64(&c);
   r->hdr.created_ns = get64(&c);
   getBytes(&c, r->hdr.host, EVLOG_HOST_LEN);
   r->hdr.host[EVLOG_HOST_LEN - 1] = '\0';
   r->off = EVLOG_HEADER_LEN;
   return EVLOG_OK;
}

static void readerFree(EvlogReader* r) {
   if (r->f)
      fclose(r->f);
   free(r->iobuf);
   free(r);
}

EvlogReader* EvlogReader_open(const char* path, EvlogStatus* st, char* errbuf, size_t errlen) {
   EvlogStatus dummy;
   if (!st)
      st = &dummy;
   EvlogReader* r = calloc(1, sizeof *r);
   if (!r) {
      *st = EVLOG_ERR_IO;
      snprintf(errbuf, errlen, "%s: out of memory", path);
      return NULL;
   }
   r->f = openRegular(path, O_RDONLY, errbuf, errlen);
   if (!r->f) {
      *st = EVLOG_ERR_IO;
      free(r);
      return NULL;
   }
   r->iobuf = malloc(IO_BUFSIZE);
   if (r->iobuf)
      setvbuf(r->f, r->iobuf, _IOFBF, IO_BUFSIZE);
   errno = 0;
   *st = readHeader(r);
   if (*st != EVLOG_OK) {
      if (*st == EVLOG_ERR_IO)
         snprintf(errbuf, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
      else if (ftell(r->f) == 0)
         snprintf(errbuf, errlen, "%s: empty file, %s", path, Evlog_strerror(*st));
      else
         snprintf(errbuf, errlen, "%s: %s", path, Evlog_strerror(*st));
      readerFree(r);
      return NULL;
   }
   return r;
}

EvlogReader* EvlogReader_fromMemory(const void* data, size_t len, EvlogStatus* st) {
   EvlogStatus dummy;
   if (!st)
      st = &dummy;
   EvlogReader* r = calloc(1, sizeof *r);
   if (!r) {
      *st = EVLOG_ERR_IO;
      return NULL;
   }
   r->mem = data;
   r->memlen = data ? len : 0;
   *st = readHeader(r);
   if (*st != EVLOG_OK) {
      free(r);
      return NULL;
   }
   return r;
}

const EvlogHeader* EvlogReader_header(const EvlogReader* r) {
   return &r->hdr;
}

static EvlogStatus readRecord(EvlogReader* r, Event* out) {
   uint8_t rh[EVLOG_RECORD_HDR];
   int ioerr = 0;
   size_t got = readerRead(r, rh, sizeof rh, &ioerr);
   if (ioerr)
      return EVLOG_ERR_IO;
   if (got == 0)
      return EVLOG_EOF;
   if (got < sizeof rh)
      return EVLOG_ERR_TRUNCATED;
   uint32_t len = le32(rh);
   if (len < EVLOG_MIN_PAYLOAD || len > EVLOG_MAX_PAYLOAD)
      return EVLOG_ERR_RECORD;
   got = readerRead(r, r->buf, len, &ioerr);
   if (ioerr)
      return EVLOG_ERR_IO;
   if (got < len)
      return EVLOG_ERR_TRUNCATED;
   if (le32(rh + 4) != crc(r->buf, len))
      return EVLOG_ERR_CHECKSUM;
   if (Evlog_decode(r->buf, len, out) != EVLOG_OK)
      return EVLOG_ERR_RECORD;
   r->off += sizeof rh + len;
   return EVLOG_OK;
}

EvlogStatus EvlogReader_next(EvlogReader* r, Event* out) {
   if (r->err != EVLOG_OK)
      return r->err;
   EvlogStatus st = readRecord(r, out);
   if (st != EVLOG_OK)
      r->err = st;
   return st;
}

uint64_t EvlogReader_offset(const EvlogReader* r) {
   return r->off;
}

void EvlogReader_close(EvlogReader* r) {
   if (r)
      readerFree(r);
}

const char* Evlog_strerror(EvlogStatus st) {
   switch (st) {
   case EVLOG_OK:
      return "ok";
   case EVLOG_EOF:
      return "end of file";
   case EVLOG_ERR_IO:
      return "read error";
   case EVLOG_ERR_MAGIC:
      return "not a visnet event log (bad magic)";
   case EVLOG_ERR_VERSION:
      return "unsupported event log version";
   case EVLOG_ERR_HEADER:
      return "event log header is truncated or corrupt";
   case EVLOG_ERR_TRUNCATED:
      return "event log record is truncated";
   case EVLOG_ERR_CHECKSUM:
      return "event log record checksum mismatch";
   case EVLOG_ERR_RECORD:
      return "event log record is invalid";
   }
   return "unknown event log error";
}
