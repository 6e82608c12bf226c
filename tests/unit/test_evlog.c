/* test_evlog.c: the event log round trip and every corruption case.
 * Over 800 lines because it is one list of cases against one format: each
 * corruption (truncation, bad checksum, bad version, torn tail) is a short
 * test of its own, and splitting the list would split the format's proof. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "evlog.h"

#define NTYPES (EV__COUNT - 1)

/* ---- helpers ---- */

static void fillProc(Event* e, int i) {
   ProcEvent* p = &e->proc;
   p->ppid = 100 + (uint32_t)i;
   p->uid = 1000 + (uint32_t)i;
   p->child_pid = 200 + (uint32_t)i;
   p->exit_code = -(i + 1) * 256;
   p->child_start = UINT64_MAX - (uint64_t)i;
   p->cgroup = 0x1122334455667788ull + (uint64_t)i;
   snprintf(p->comm, VN_COMM_LEN, "comm%u-\x1b[1m", (unsigned)i % 100u); /* < 15 chars */
   memset(p->filename, 'f', VN_PATH_LEN - 1);             /* longest path */
   /* argv with an empty argument and non-ASCII bytes */
   static const char args[] = "curl\0-s\0\0http://x/\xff\xfe";
   memcpy(p->args, args, sizeof args);
   p->args_len = (uint16_t)sizeof args;
}

static void fillSock(Event* e, int i) {
   SockEvent* s = &e->sock;
   s->sk = 0xffff888012345678ull + (uint64_t)i;
   s->ino = 4000000000ull + (uint64_t)i;
   s->cgroup = 77 + (uint64_t)i;
   s->tx = UINT64_MAX - 1;
   s->rx = 1ull << 40;
   s->lifetime_ns = 123456789012ull;
   s->netns = 4026531840u + (uint32_t)i;
   s->count = 0xdeadbeef;
   s->err = -ECONNREFUSED - i;
   s->lport = 65535;
   s->rport = (uint16_t)(443 + i);
   s->proto = i % 2 ? IPPROTO_UDP : IPPROTO_TCP;
   s->family = i % 2 ? AF_INET6 : AF_INET;
   s->dir = (uint8_t)(i % 4);
   s->state = (uint8_t)(i % TCPS__COUNT);
   s->oldstate = 250;
   s->noowner = 3;
   for (int k = 0; k < 16; k++) {
      s->laddr[k] = (uint8_t)(k + i);
      s->raddr[k] = (uint8_t)(255 - k - i);
   }
}

/* One event of type t with every field set to a distinctive value. */
static Event fullEvent(int t) {
   Event e;
   memset(&e, 0, sizeof e);
   e.type = (uint16_t)t;
   e.flags = (uint16_t)(EVF_THREAD | EVF_TRUNC_ARGS | (t << 8));
   e.pid = 0x80000000u + (uint32_t)t;
   e.tid = 0x7fffffffu - (uint32_t)t;
   e.ts = 0x0102030405060708ull * (uint64_t)t;
   e.pstart = 999999999999ull + (uint64_t)t;
   if (Event_isSock(&e))
      fillSock(&e, t);
   else
      fillProc(&e, t);
   return e;
}

static void assertEventEqual(const Event* a, const Event* b) {
   assert_int_equal(a->type, b->type);
   assert_int_equal(a->flags, b->flags);
   assert_int_equal(a->pid, b->pid);
   assert_int_equal(a->tid, b->tid);
   assert_int_equal(a->ts, b->ts);
   assert_int_equal(a->pstart, b->pstart);
   if (Event_isSock(a)) {
      const SockEvent *x = &a->sock, *y = &b->sock;
      assert_int_equal(x->sk, y->sk);
      assert_int_equal(x->ino, y->ino);
      assert_int_equal(x->cgroup, y->cgroup);
      assert_int_equal(x->tx, y->tx);
      assert_int_equal(x->rx, y->rx);
      assert_int_equal(x->lifetime_ns, y->lifetime_ns);
      assert_int_equal(x->netns, y->netns);
      assert_int_equal(x->count, y->count);
      assert_int_equal(x->err, y->err);
      assert_int_equal(x->lport, y->lport);
      assert_int_equal(x->rport, y->rport);
      assert_int_equal(x->proto, y->proto);
      assert_int_equal(x->family, y->family);
      assert_int_equal(x->dir, y->dir);
      assert_int_equal(x->state, y->state);
      assert_int_equal(x->oldstate, y->oldstate);
      assert_int_equal(x->noowner, y->noowner);
      assert_memory_equal(x->laddr, y->laddr, 16);
      assert_memory_equal(x->raddr, y->raddr, 16);
   } else {
      const ProcEvent *x = &a->proc, *y = &b->proc;
      assert_int_equal(x->ppid, y->ppid);
      assert_int_equal(x->uid, y->uid);
      assert_int_equal(x->child_pid, y->child_pid);
      assert_int_equal(x->exit_code, y->exit_code);
      assert_int_equal(x->child_start, y->child_start);
      assert_int_equal(x->cgroup, y->cgroup);
      assert_int_equal(x->args_len, y->args_len);
      assert_memory_equal(x->comm, y->comm, VN_COMM_LEN);
      assert_memory_equal(x->filename, y->filename, VN_PATH_LEN);
      assert_memory_equal(x->args, y->args, VN_ARGS_LEN);
   }
   /* nothing else differs either (padding, reserved, unused union bytes) */
   assert_memory_equal(a, b, sizeof *a);
}

static EvlogHeader testHeader(void) {
   EvlogHeader h;
   memset(&h, 0, sizeof h);
   h.boot_time_ns = 1700000000123456789ull;
   h.created_ns = 1700000100987654321ull;
   snprintf(h.host, sizeof h.host, "test-host.example");
   return h;
}

static char* tmpPath(void) {
   char* p = strdup("/tmp/test_evlog.XXXXXX");
   int fd = mkstemp(p);
   assert_true(fd >= 0);
   close(fd);
   return p;
}

/* Writes every event type to a file; returns the path. */
static char* writeAll(void) {
   char* path = tmpPath();
   EvlogHeader h = testHeader();
   char err[256] = "";
   EvlogWriter* w = EvlogWriter_open(path, &h, err, sizeof err);
   assert_non_null(w);
   for (int t = 1; t < EV__COUNT; t++) {
      Event e = fullEvent(t);
      assert_int_equal(EvlogWriter_write(w, &e), 0);
   }
   assert_int_equal(EvlogWriter_count(w), NTYPES);
   assert_int_equal(EvlogWriter_close(w), 0);
   return path;
}

static uint8_t* slurp(const char* path, size_t* len) {
   FILE* f = fopen(path, "rb");
   assert_non_null(f);
   fseek(f, 0, SEEK_END);
   long n = ftell(f);
   fseek(f, 0, SEEK_SET);
   uint8_t* buf = malloc((size_t)n + 1);
   assert_non_null(buf);
   assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
   fclose(f);
   *len = (size_t)n;
   return buf;
}

static void spit(const char* path, const void* data, size_t len) {
   FILE* f = fopen(path, "wb");
   assert_non_null(f);
   if (len)
      assert_int_equal(fwrite(data, 1, len, f), len);
   assert_int_equal(fclose(f), 0);
}

/* Offsets of each record in an encoded log. */
static size_t recordOffsets(const uint8_t* d, size_t len, size_t* offs, size_t max) {
   size_t n = 0, off = EVLOG_HEADER_LEN;
   while (off + 8 <= len && n < max) {
      offs[n++] = off;
      uint32_t l = (uint32_t)d[off] | (uint32_t)d[off + 1] << 8 | (uint32_t)d[off + 2] << 16 |
                   (uint32_t)d[off + 3] << 24;
      off += 8 + l;
   }
   return n;
}

static void putLe32(uint8_t* p, uint32_t v) {
   for (int i = 0; i < 4; i++)
      p[i] = (uint8_t)(v >> (8 * i));
}

/* Reads from memory and from a file; both must agree. Returns the final
 * status, the number of good events and the reported offset. */
typedef struct ReadResult_ {
   EvlogStatus open_st, end_st;
   int nevents;
   uint64_t offset;
} ReadResult;

static ReadResult readMem(const uint8_t* d, size_t len) {
   ReadResult r = {0};
   EvlogReader* rd = EvlogReader_fromMemory(d, len, &r.open_st);
   if (!rd) {
      assert_int_not_equal(r.open_st, EVLOG_OK);
      return r;
   }
   assert_int_equal(r.open_st, EVLOG_OK);
   Event e;
   while ((r.end_st = EvlogReader_next(rd, &e)) == EVLOG_OK) {
      Event want = fullEvent(r.nevents + 1);
      assertEventEqual(&want, &e);
      r.nevents++;
   }
   r.offset = EvlogReader_offset(rd);
   /* the reader stays at the bad record */
   assert_int_equal(EvlogReader_next(rd, &e), r.end_st);
   assert_int_equal(EvlogReader_offset(rd), r.offset);
   EvlogReader_close(rd);
   return r;
}

static ReadResult readBoth(const uint8_t* d, size_t len) {
   ReadResult m = readMem(d, len);
   char* path = tmpPath();
   spit(path, d, len);
   ReadResult f = {0};
   char err[256] = "";
   EvlogReader* rd = EvlogReader_open(path, &f.open_st, err, sizeof err);
   if (rd) {
      Event e;
      while ((f.end_st = EvlogReader_next(rd, &e)) == EVLOG_OK) {
         Event want = fullEvent(f.nevents + 1);
         assertEventEqual(&want, &e);
         f.nevents++;
      }
      f.offset = EvlogReader_offset(rd);
      EvlogReader_close(rd);
   } else {
      assert_non_null(strstr(err, path)); /* the message names the file */
      assert_non_null(strstr(err, Evlog_strerror(f.open_st)));
   }
   unlink(path);
   free(path);
   assert_int_equal(m.open_st, f.open_st);
   assert_int_equal(m.end_st, f.end_st);
   assert_int_equal(m.nevents, f.nevents);
   assert_int_equal(m.offset, f.offset);
   return m;
}

/* ---- round trip ---- */

static void test_round_trip_every_type(void** state) {
   (void)state;
   char* path = writeAll();
   EvlogStatus st = EVLOG_ERR_IO;
   char err[256] = "";
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   assert_non_null(r);
   assert_int_equal(st, EVLOG_OK);
   const EvlogHeader* h = EvlogReader_header(r);
   EvlogHeader want = testHeader();
   assert_int_equal(h->version, EVLOG_VERSION);
   assert_int_equal(h->boot_time_ns, want.boot_time_ns);
   assert_int_equal(h->created_ns, want.created_ns);
   assert_string_equal(h->host, want.host);
   Event e;
   for (int t = 1; t < EV__COUNT; t++) {
      assert_int_equal(EvlogReader_next(r, &e), EVLOG_OK);
      Event w = fullEvent(t);
      assertEventEqual(&w, &e);
   }
   assert_int_equal(EvlogReader_next(r, &e), EVLOG_EOF);
   assert_int_equal(EvlogReader_next(r, &e), EVLOG_EOF);
   struct stat sb;
   assert_int_equal(stat(path, &sb), 0);
   assert_int_equal(EvlogReader_offset(r), (uint64_t)sb.st_size);
   EvlogReader_close(r);

   size_t len;
   uint8_t* d = slurp(path, &len);
   ReadResult rr = readBoth(d, len);
   assert_int_equal(rr.end_st, EVLOG_EOF);
   assert_int_equal(rr.nevents, NTYPES);
   free(d);
   unlink(path);
   free(path);
}

/* Enough events of varying sizes to cross many stdio buffer boundaries. */
static Event variedEvent(int i) {
   Event e = fullEvent(1 + i % NTYPES);
   e.ts = (uint64_t)i;
   if (!Event_isSock(&e)) {
      memset(e.proc.filename, 0, VN_PATH_LEN);
      memset(e.proc.filename, 'a' + i % 26, (size_t)(i * 7) % VN_PATH_LEN);
      e.proc.args_len = (uint16_t)((i * 13) % (VN_ARGS_LEN + 1));
      memset(e.proc.args, 0, VN_ARGS_LEN);
      memset(e.proc.args, 'x', e.proc.args_len);
   }
   return e;
}

static void test_many_events(void** state) {
   (void)state;
   char* path = tmpPath();
   char err[256];
   EvlogWriter* w = EvlogWriter_open(path, NULL, err, sizeof err);
   assert_non_null(w);
   const int n = 30000;
   for (int i = 0; i < n; i++) {
      Event e = variedEvent(i);
      assert_int_equal(EvlogWriter_write(w, &e), 0);
   }
   assert_int_equal(EvlogWriter_close(w), 0);
   EvlogStatus st;
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   assert_non_null(r);
   Event got;
   for (int i = 0; i < n; i++) {
      assert_int_equal(EvlogReader_next(r, &got), EVLOG_OK);
      Event want = variedEvent(i);
      assertEventEqual(&want, &got);
   }
   assert_int_equal(EvlogReader_next(r, &got), EVLOG_EOF);
   struct stat sb;
   assert_int_equal(stat(path, &sb), 0);
   assert_true(sb.st_size > 4 << 20); /* several 1 MiB buffers */
   EvlogReader_close(r);
   unlink(path);
   free(path);
}

static void test_payload_sizes(void** state) {
   (void)state;
   uint8_t buf[EVLOG_MAX_PAYLOAD];
   Event e = fullEvent(EV_CONNECT);
   assert_int_equal(Evlog_encode(&e, buf, sizeof buf), EVLOG_SOCK_LEN);
   assert_int_equal(Evlog_encode(&e, buf, EVLOG_SOCK_LEN - 1), 0);
   /* only the proc payload's used bytes are stored */
   Event x = TU_exit(5, 1, 0, 2);
   assert_int_equal(Evlog_encode(&x, buf, sizeof buf), EVLOG_PROC_MIN);
   Event big = fullEvent(EV_EXEC);
   memset(big.proc.comm, 'c', VN_COMM_LEN);
   memset(big.proc.filename, 'f', VN_PATH_LEN);
   memset(big.proc.args, 'a', VN_ARGS_LEN);
   big.proc.args_len = VN_ARGS_LEN;
   assert_int_equal(Evlog_encode(&big, buf, sizeof buf), EVLOG_MAX_PAYLOAD);
}

static void test_unterminated_strings_are_cut(void** state) {
   (void)state;
   Event e = fullEvent(EV_EXEC);
   memset(e.proc.comm, 'c', VN_COMM_LEN);         /* no NUL */
   memset(e.proc.filename, 'f', VN_PATH_LEN);     /* no NUL */
   e.proc.args_len = 60000;                       /* beyond the field */
   uint8_t buf[EVLOG_MAX_PAYLOAD];
   size_t n = Evlog_encode(&e, buf, sizeof buf);
   assert_int_not_equal(n, 0);
   Event d;
   assert_int_equal(Evlog_decode(buf, n, &d), EVLOG_OK);
   assert_int_equal(strlen(d.proc.comm), VN_COMM_LEN - 1);
   assert_int_equal(strlen(d.proc.filename), VN_PATH_LEN - 1);
   assert_int_equal(d.proc.args_len, VN_ARGS_LEN);
   assert_memory_equal(d.proc.args, e.proc.args, VN_ARGS_LEN);
}

static void test_invalid_type_not_written(void** state) {
   (void)state;
   uint8_t buf[EVLOG_MAX_PAYLOAD];
   Event e = fullEvent(EV_CONNECT);
   e.type = EV_NONE;
   assert_int_equal(Evlog_encode(&e, buf, sizeof buf), 0);
   e.type = EV__COUNT;
   assert_int_equal(Evlog_encode(&e, buf, sizeof buf), 0);
   char* path = tmpPath();
   char err[256];
   EvlogWriter* w = EvlogWriter_open(path, NULL, err, sizeof err);
   assert_non_null(w);
   errno = 0;
   assert_int_equal(EvlogWriter_write(w, &e), -1);
   assert_int_equal(errno, EINVAL);
   Event ok = fullEvent(EV_EXIT);
   assert_int_equal(EvlogWriter_write(w, &ok), 0); /* still usable */
   assert_int_equal(EvlogWriter_count(w), 1);
   assert_int_equal(EvlogWriter_close(w), 0);
   size_t len;
   uint8_t* d = slurp(path, &len);
   assert_int_equal(len, EVLOG_HEADER_LEN + EVLOG_RECORD_HDR + EVLOG_PROC_MIN + strlen(ok.proc.comm) +
                            strlen(ok.proc.filename) + ok.proc.args_len);
   free(d);
   unlink(path);
   free(path);
}

static void test_system_header(void** state) {
   (void)state;
   char* path = tmpPath();
   char err[256];
   EvlogWriter* w = EvlogWriter_open(path, NULL, err, sizeof err);
   assert_non_null(w);
   assert_int_equal(EvlogWriter_close(w), 0);
   EvlogStatus st;
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   assert_non_null(r);
   const EvlogHeader* h = EvlogReader_header(r);
   char host[EVLOG_HOST_LEN] = "";
   gethostname(host, sizeof host);
   host[EVLOG_HOST_LEN - 1] = '\0';
   assert_string_equal(h->host, host);
   struct timespec real, boot;
   clock_gettime(CLOCK_REALTIME, &real);
   clock_gettime(CLOCK_BOOTTIME, &boot);
   int64_t now = (int64_t)real.tv_sec * 1000000000ll + real.tv_nsec;
   int64_t bt = now - ((int64_t)boot.tv_sec * 1000000000ll + boot.tv_nsec);
   assert_true(llabs(now - (int64_t)h->created_ns) < 5000000000ll);
   assert_true(llabs(bt - (int64_t)h->boot_time_ns) < 1000000000ll);
   Event e;
   assert_int_equal(EvlogReader_next(r, &e), EVLOG_EOF);
   EvlogReader_close(r);
   unlink(path);
   free(path);
}

/* Reads tests/data/sample.evlog (the scenario replayed by TUI tests). */
static void test_sample_log_reads(void** state) {
   (void)state;
   char path[1024];
   const char* dir = getenv("VISNET_TEST_DATA");
   if (dir) {
      snprintf(path, sizeof path, "%s/sample.evlog", dir);
   } else { /* run by hand: next to this source file */
      const char* slash = strrchr(__FILE__, '/');
      int n = slash ? (int)(slash - __FILE__) : 1;
      snprintf(path, sizeof path, "%.*s/../data/sample.evlog", n, slash ? __FILE__ : ".");
   }
   EvlogStatus st;
   char err[512] = "";
   EvlogReader* r = EvlogReader_open(path, &st, err, sizeof err);
   if (!r)
      fail_msg("%s", err);
   Event e;
   int n = 0, sawFork = 0, sawUdp = 0, sawOrphan = 0;
   while ((st = EvlogReader_next(r, &e)) == EVLOG_OK) {
      n++;
      sawFork |= e.type == EV_FORK;
      sawUdp |= e.type == EV_UDP_PEER;
      sawOrphan |= Event_isSock(&e) && e.pid == 0 && e.sock.noowner != 0;
   }
   assert_int_equal(st, EVLOG_EOF);
   assert_true(n > 20);
   assert_true(sawFork && sawUdp && sawOrphan);
   EvlogReader_close(r);
}

/* ---- corruption ---- */

static uint8_t* validLog(size_t* len) {
   char* path = writeAll();
   uint8_t* d = slurp(path, len);
   unlink(path);
   free(path);
   return d;
}

static void test_empty_file(void** state) {
   (void)state;
   ReadResult r = readBoth((const uint8_t*)"", 0);
   assert_int_equal(r.open_st, EVLOG_ERR_HEADER);
   EvlogStatus st = EVLOG_OK;
   assert_null(EvlogReader_fromMemory(NULL, 0, &st));
   assert_int_equal(st, EVLOG_ERR_HEADER);
}

static void test_wrong_magic(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   d[0] = 'X';
   assert_int_equal(readBoth(d, len).open_st, EVLOG_ERR_MAGIC);
   /* a text file, and a short file that is not a log */
   const char* txt = "hello world, this is not an event log at all\n";
   assert_int_equal(readBoth((const uint8_t*)txt, strlen(txt)).open_st, EVLOG_ERR_MAGIC);
   assert_int_equal(readBoth((const uint8_t*)"VIS", 3).open_st, EVLOG_ERR_HEADER);
   assert_int_equal(readBoth((const uint8_t*)"VIX", 3).open_st, EVLOG_ERR_MAGIC);
   free(d);
}

static void test_wrong_version(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   d[8] = 2;
   assert_int_equal(readBoth(d, len).open_st, EVLOG_ERR_VERSION);
   d[8] = 0;
   assert_int_equal(readBoth(d, len).open_st, EVLOG_ERR_VERSION);
   free(d);
}

static void test_truncated_header(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   for (size_t cut = 1; cut < EVLOG_HEADER_LEN; cut++) {
      ReadResult r = readMem(d, cut);
      assert_int_equal(r.open_st, EVLOG_ERR_HEADER);
   }
   assert_int_equal(readBoth(d, 50).open_st, EVLOG_ERR_HEADER);
   /* exactly the header: a valid, empty log */
   ReadResult r = readBoth(d, EVLOG_HEADER_LEN);
   assert_int_equal(r.open_st, EVLOG_OK);
   assert_int_equal(r.end_st, EVLOG_EOF);
   assert_int_equal(r.nevents, 0);
   free(d);
}

static void test_corrupt_header(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   d[40] ^= 1; /* inside the host name: header checksum fails */
   assert_int_equal(readBoth(d, len).open_st, EVLOG_ERR_HEADER);
   d[40] ^= 1;
   d[10] = 99; /* header_len */
   assert_int_equal(readBoth(d, len).open_st, EVLOG_ERR_HEADER);
   d[10] = EVLOG_HEADER_LEN;
   assert_int_equal(readBoth(d, len).open_st, EVLOG_OK);
   free(d);
}

/* What a kill -9 or a full disk leaves: a log cut at any byte of its last
 * four records reads every record before the cut, then says where it
 * stopped (EOF when the cut falls between records). */
static void test_truncated_last_record(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   size_t offs[EV__COUNT];
   size_t n = recordOffsets(d, len, offs, EV__COUNT);
   assert_int_equal(n, NTYPES);
   for (size_t k = n - 4; k < n; k++) {
      size_t start = offs[k], end = k + 1 < n ? offs[k + 1] : len;
      for (size_t cut = start; cut < end; cut++) {
         ReadResult r = cut % 7 == 0 || cut < start + 12 || cut > end - 3 ? readBoth(d, cut)
                                                                         : readMem(d, cut);
         assert_int_equal(r.open_st, EVLOG_OK);
         assert_int_equal(r.nevents, k); /* every whole record before the cut */
         assert_int_equal(r.end_st, cut == start ? EVLOG_EOF : EVLOG_ERR_TRUNCATED);
         assert_int_equal(r.offset, start);
      }
   }
   ReadResult r = readBoth(d, len);
   assert_int_equal(r.nevents, NTYPES);
   assert_int_equal(r.offset, len);
   free(d);
}

static void test_bad_checksum(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   size_t offs[EV__COUNT];
   recordOffsets(d, len, offs, EV__COUNT);
   d[offs[2] + 8 + 5] ^= 0x40; /* a payload byte of the third record */
   ReadResult r = readBoth(d, len);
   assert_int_equal(r.end_st, EVLOG_ERR_CHECKSUM);
   assert_int_equal(r.nevents, 2);
   assert_int_equal(r.offset, offs[2]);
   d[offs[2] + 8 + 5] ^= 0x40;
   d[offs[4] + 4] ^= 0x01; /* the stored checksum itself */
   r = readBoth(d, len);
   assert_int_equal(r.end_st, EVLOG_ERR_CHECKSUM);
   assert_int_equal(r.nevents, 4);
   assert_int_equal(r.offset, offs[4]);
   free(d);
}

static void test_absurd_length(void** state) {
   (void)state;
   size_t len;
   uint8_t* d = validLog(&len);
   size_t offs[EV__COUNT];
   recordOffsets(d, len, offs, EV__COUNT);
   static const uint32_t bad[] = {0xffffffffu, 0x80000000u, EVLOG_MAX_PAYLOAD + 1, 0,
                                  EVLOG_MIN_PAYLOAD - 1};
   for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      uint8_t* c = malloc(len);
      memcpy(c, d, len);
      putLe32(c + offs[3], bad[i]);
      ReadResult r = readBoth(c, len);
      assert_int_equal(r.end_st, EVLOG_ERR_RECORD);
      assert_int_equal(r.nevents, 3);
      assert_int_equal(r.offset, offs[3]);
      /* also as the very last bytes of the file, with nothing behind */
      r = readBoth(c, offs[3] + 8);
      assert_int_equal(r.end_st, EVLOG_ERR_RECORD);
      free(c);
   }
   free(d);
}

/* A record with a correct checksum but contents that cannot be an Event. */
static ReadResult readForged(const uint8_t* payload, size_t plen) {
   uint8_t* buf = malloc(EVLOG_HEADER_LEN + 8 + plen);
   size_t len;
   uint8_t* d = validLog(&len);
   memcpy(buf, d, EVLOG_HEADER_LEN);
   putLe32(buf + EVLOG_HEADER_LEN, (uint32_t)plen);
   putLe32(buf + EVLOG_HEADER_LEN + 4, (uint32_t)crc32(0, payload, (uInt)plen));
   memcpy(buf + EVLOG_HEADER_LEN + 8, payload, plen);
   ReadResult r = readMem(buf, EVLOG_HEADER_LEN + 8 + plen);
   free(d);
   free(buf);
   return r;
}

static void test_invalid_contents(void** state) {
   (void)state;
   uint8_t p[EVLOG_MAX_PAYLOAD + 8];
   Event e = fullEvent(EV_EXEC);
   size_t n = Evlog_encode(&e, p, sizeof p);
   ReadResult r = readForged(p, n);
   assert_int_equal(r.end_st, EVLOG_EOF);
   assert_int_equal(r.nevents, 1);

   p[0] = 0; /* type EV_NONE */
   r = readForged(p, n);
   assert_int_equal(r.end_st, EVLOG_ERR_RECORD);
   assert_int_equal(r.offset, EVLOG_HEADER_LEN);
   p[0] = EV__COUNT; /* unknown type */
   assert_int_equal(readForged(p, n).end_st, EVLOG_ERR_RECORD);
   p[0] = EV_EXEC;

   size_t commAt = EVLOG_COMMON_LEN + 32;
   p[commAt] = VN_COMM_LEN; /* comm would overflow its field */
   assert_int_equal(readForged(p, n).end_st, EVLOG_ERR_RECORD);
   p[commAt] = (uint8_t)strlen(e.proc.comm);
   size_t fileAt = commAt + 1 + strlen(e.proc.comm);
   p[fileAt] = 0;
   p[fileAt + 1] = 1; /* filename length 256 */
   assert_int_equal(readForged(p, n).end_st, EVLOG_ERR_RECORD);
   p[fileAt + 1] = 0;
   assert_int_equal(readForged(p, n).end_st, EVLOG_ERR_RECORD); /* length 0: bytes left */

   /* trailing garbage after a valid sock payload */
   Event s = fullEvent(EV_CLOSE);
   n = Evlog_encode(&s, p, sizeof p);
   p[n] = 0xaa;
   assert_int_equal(readForged(p, n + 1).end_st, EVLOG_ERR_RECORD);
   /* a sock type with a proc-sized payload */
   assert_int_equal(readForged(p, EVLOG_MIN_PAYLOAD).end_st, EVLOG_ERR_RECORD);
}

static void test_decode_every_prefix(void** state) {
   (void)state;
   uint8_t p[EVLOG_MAX_PAYLOAD];
   for (int t = 1; t < EV__COUNT; t++) {
      Event e = fullEvent(t), d;
      size_t n = Evlog_encode(&e, p, sizeof p);
      assert_int_equal(Evlog_decode(p, n, &d), EVLOG_OK);
      assertEventEqual(&e, &d);
      for (size_t cut = 0; cut < n; cut++)
         assert_int_equal(Evlog_decode(p, cut, &d), EVLOG_ERR_RECORD);
   }
}

static void test_decode_random_bytes(void** state) {
   (void)state;
   uint8_t p[EVLOG_MAX_PAYLOAD];
   unsigned seed = 12345;
   int ok = 0;
   for (int i = 0; i < 200000; i++) {
      size_t n = (size_t)rand_r(&seed) % sizeof p;
      for (size_t k = 0; k < n; k++)
         p[k] = (uint8_t)rand_r(&seed);
      p[0] = (uint8_t)(1 + i % (EV__COUNT - 1));
      p[1] = 0;
      Event d;
      if (Evlog_decode(p, n, &d) == EVLOG_OK) {
         ok++;
         assert_true(strnlen(d.proc.comm, VN_COMM_LEN) < VN_COMM_LEN || Event_isSock(&d));
      }
   }
   assert_true(ok > 0); /* sock payloads of the right size decode */
}

/* ---- errors on the writing and opening side ---- */

static void test_write_error_reported(void** state) {
   (void)state;
   char err[256] = "";
   EvlogWriter* w = EvlogWriter_open("/dev/full", NULL, err, sizeof err);
   assert_non_null(w); /* the header is still in the buffer */
   Event e = fullEvent(EV_EXEC);
   int failed = 0;
   for (int i = 0; i < 20000 && !failed; i++)
      failed = EvlogWriter_write(w, &e) != 0;
   assert_true(failed); /* the buffer filled and a write hit the full disk */
   assert_int_equal(errno, ENOSPC);
   assert_int_equal(EvlogWriter_write(w, &e), -1); /* stays failed */
   errno = 0;
   assert_int_equal(EvlogWriter_closeErr(w, err, sizeof err), -1);
   assert_int_equal(errno, ENOSPC);
   assert_non_null(strstr(err, strerror(ENOSPC)));

   /* a few events only: the error shows at close */
   w = EvlogWriter_open("/dev/full", NULL, err, sizeof err);
   assert_non_null(w);
   assert_int_equal(EvlogWriter_write(w, &e), 0);
   assert_int_equal(EvlogWriter_close(w), -1);
   assert_int_equal(errno, ENOSPC);

   /* or at an explicit flush, and then it sticks */
   w = EvlogWriter_open("/dev/full", NULL, err, sizeof err);
   assert_non_null(w);
   assert_int_equal(EvlogWriter_write(w, &e), 0);
   assert_int_equal(EvlogWriter_flush(w), -1);
   assert_int_equal(errno, ENOSPC);
   assert_int_equal(EvlogWriter_write(w, &e), -1);
   assert_int_equal(EvlogWriter_close(w), -1);

   FILE* f = fopen("/dev/full", "wb");
   assert_non_null(f);
   w = EvlogWriter_fromFile(f, NULL, err, sizeof err);
   assert_non_null(w);
   assert_int_equal(EvlogWriter_write(w, &e), 0);
   assert_int_equal(EvlogWriter_close(w), -1);
   fclose(f);
}

static void test_from_file_keeps_file_open(void** state) {
   (void)state;
   FILE* f = tmpfile();
   assert_non_null(f);
   char err[256];
   EvlogHeader h = testHeader();
   EvlogWriter* w = EvlogWriter_fromFile(f, &h, err, sizeof err);
   assert_non_null(w);
   Event e = fullEvent(1);
   assert_int_equal(EvlogWriter_write(w, &e), 0);
   assert_int_equal(EvlogWriter_flush(w), 0);
   long flushed = ftell(f);
   assert_int_equal(EvlogWriter_close(w), 0);
   long n = ftell(f);
   assert_int_equal(n, flushed);
   assert_true(n > EVLOG_HEADER_LEN);
   uint8_t* d = malloc((size_t)n);
   rewind(f);
   assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
   fclose(f);
   ReadResult r = readMem(d, (size_t)n);
   assert_int_equal(r.nevents, 1);
   assert_int_equal(r.end_st, EVLOG_EOF);
   free(d);
}

static void test_open_errors(void** state) {
   (void)state;
   char err[256] = "";
   EvlogStatus st = EVLOG_OK;
   assert_null(EvlogReader_open("/nonexistent/x.evlog", &st, err, sizeof err));
   assert_int_equal(st, EVLOG_ERR_IO);
   assert_non_null(strstr(err, "/nonexistent/x.evlog"));
   assert_non_null(strstr(err, strerror(ENOENT)));
   st = EVLOG_OK;
   assert_null(EvlogReader_open("/tmp", &st, err, sizeof err)); /* a directory */
   assert_int_equal(st, EVLOG_ERR_IO);
   assert_null(EvlogWriter_open("/nonexistent/x.evlog", NULL, err, sizeof err));
   assert_non_null(strstr(err, strerror(ENOENT)));
}

static void test_strerror(void** state) {
   (void)state;
   static const EvlogStatus all[] = {EVLOG_OK,         EVLOG_EOF,           EVLOG_ERR_IO,
                                     EVLOG_ERR_MAGIC,  EVLOG_ERR_VERSION,   EVLOG_ERR_HEADER,
                                     EVLOG_ERR_TRUNCATED, EVLOG_ERR_CHECKSUM, EVLOG_ERR_RECORD};
   size_t n = sizeof all / sizeof all[0];
   for (size_t i = 0; i < n; i++) {
      assert_true(strlen(Evlog_strerror(all[i])) > 0);
      for (size_t j = 0; j < i; j++)
         assert_string_not_equal(Evlog_strerror(all[i]), Evlog_strerror(all[j]));
   }
   assert_non_null(Evlog_strerror((EvlogStatus)-99));
}

int main(void) {
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_every_type),
      cmocka_unit_test(test_many_events),
      cmocka_unit_test(test_payload_sizes),
      cmocka_unit_test(test_unterminated_strings_are_cut),
      cmocka_unit_test(test_invalid_type_not_written),
      cmocka_unit_test(test_system_header),
      cmocka_unit_test(test_sample_log_reads),
      cmocka_unit_test(test_empty_file),
      cmocka_unit_test(test_wrong_magic),
      cmocka_unit_test(test_wrong_version),
      cmocka_unit_test(test_truncated_header),
      cmocka_unit_test(test_corrupt_header),
      cmocka_unit_test(test_truncated_last_record),
      cmocka_unit_test(test_bad_checksum),
      cmocka_unit_test(test_absurd_length),
      cmocka_unit_test(test_invalid_contents),
      cmocka_unit_test(test_decode_every_prefix),
      cmocka_unit_test(test_decode_random_bytes),
      cmocka_unit_test(test_write_error_reported),
      cmocka_unit_test(test_from_file_keeps_file_open),
      cmocka_unit_test(test_open_errors),
      cmocka_unit_test(test_strerror),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
