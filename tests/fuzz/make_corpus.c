/* make_corpus.c: writes the seed corpus of fuzz_evlog: a few valid event
 * logs and one broken log per corruption the reader must survive.
 *
 * Build and run from the source tree (the output is committed):
 *   cc -std=gnu11 -D_GNU_SOURCE -Icore/model -Icore/evlog tests/fuzz/make_corpus.c core/evlog/evlog.c \
 *      core/model/event.c -lz -o /tmp/make_corpus && /tmp/make_corpus tests/fuzz/corpus
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#include "evlog.h"

#define SEC 1000000000ull

static uint8_t out[1 << 16];
static size_t outlen;
static const char* dir;
static int failed;

static void putLe32(uint8_t* p, uint32_t v) {
   for (int i = 0; i < 4; i++)
      p[i] = (uint8_t)(v >> (8 * i));
}

static void header(void) {
   EvlogHeader h;
   memset(&h, 0, sizeof h);
   h.boot_time_ns = 1764000000ull * SEC;
   h.created_ns = h.boot_time_ns + 1000 * SEC;
   snprintf(h.host, sizeof h.host, "fuzz-host");
   /* The writer's own header, captured through a memory stream. */
   char* buf = NULL;
   size_t len = 0;
   FILE* f = open_memstream(&buf, &len);
   char err[128];
   EvlogWriter* w = EvlogWriter_fromFile(f, &h, err, sizeof err);
   if (!w || EvlogWriter_close(w) != 0 || fclose(f) != 0 || len != EVLOG_HEADER_LEN) {
      fprintf(stderr, "make_corpus: cannot build a header\n");
      exit(1);
   }
   memcpy(out, buf, len);
   outlen = len;
   free(buf);
}

/* Appends a record; returns the offset of its payload. */
static size_t record(const Event* e) {
   size_t n = Evlog_encode(e, out + outlen + 8, sizeof out - outlen - 8);
   putLe32(out + outlen, (uint32_t)n);
   putLe32(out + outlen + 4, (uint32_t)crc32(0, out + outlen + 8, (uInt)n));
   size_t at = outlen + 8;
   outlen += 8 + n;
   return at;
}

/* Recomputes the checksum of the record whose payload starts at at. */
static void reseal(size_t at, size_t n) {
   putLe32(out + at - 4, (uint32_t)crc32(0, out + at, (uInt)n));
}

static void save(const char* name, size_t len) {
   char path[1024];
   snprintf(path, sizeof path, "%s/%s", dir, name);
   FILE* f = fopen(path, "wb");
   if (!f || (len && fwrite(out, 1, len, f) != len) || fclose(f) != 0) {
      fprintf(stderr, "make_corpus: %s: write failed\n", path);
      failed = 1;
   }
}

static Event ev(EventType t, uint32_t pid, uint64_t ts) {
   Event e;
   memset(&e, 0, sizeof e);
   e.type = (uint16_t)t;
   e.pid = e.tid = pid;
   e.pstart = 5 * SEC;
   e.ts = ts;
   return e;
}

static Event sock(EventType t, uint32_t pid, uint64_t ts, const char* raddr, uint16_t rport) {
   Event e = ev(t, pid, ts);
   e.sock.proto = IPPROTO_TCP;
   e.sock.family = strchr(raddr, ':') ? AF_INET6 : AF_INET;
   e.sock.dir = t == EV_ACCEPT ? DIR_IN : t == EV_LISTEN ? DIR_LISTEN : DIR_OUT;
   e.sock.state = t == EV_LISTEN ? TCPS_LISTEN : TCPS_ESTABLISHED;
   e.sock.sk = 0xffff888000001000ull + pid;
   e.sock.netns = 4026531840u;
   Addr_parse(e.sock.family == AF_INET6 ? "fd00:200::1" : "10.200.0.1", e.sock.laddr);
   Addr_parse(raddr, e.sock.raddr);
   e.sock.lport = 40000;
   e.sock.rport = rport;
   return e;
}

static Event exec_(uint32_t pid, uint32_t ppid, const char* comm, const char* args,
                   size_t args_len) {
   Event e = ev(EV_EXEC, pid, 6 * SEC);
   e.proc.ppid = ppid;
   snprintf(e.proc.comm, VN_COMM_LEN, "%s", comm);
   snprintf(e.proc.filename, VN_PATH_LEN, "/usr/bin/%s", comm);
   memcpy(e.proc.args, args, args_len);
   e.proc.args_len = (uint16_t)args_len;
   return e;
}

int main(int argc, char** argv) {
   dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";

   /* valid: a short curl session */
   header();
   save("header_only.evlog", outlen);
   Event x = exec_(321, 1, "curl", "curl\0-s\0http://10.200.0.2/", 27);
   size_t exec_at = record(&x);
   size_t exec_len = outlen - exec_at;
   Event c = sock(EV_CONNECT, 321, 7 * SEC, "10.200.0.2", 80);
   record(&c);
   c.type = EV_CONNECTED;
   record(&c);
   c.type = EV_CLOSE;
   c.sock.tx = 78;
   c.sock.rx = 612;
   c.sock.lifetime_ns = SEC;
   size_t last_at = record(&c);
   save("valid_curl.evlog", outlen);

   /* broken copies of it */
   size_t good = outlen;
   save("truncated_record.evlog", good - 7);
   save("truncated_record_header.evlog", last_at - 3);
   save("truncated_header.evlog", 50);
   save("empty.evlog", 0);
   out[0] = 'X';
   save("bad_magic.evlog", good);
   out[0] = 'V';
   out[8] = 2;
   save("bad_version.evlog", good);
   out[8] = 1;
   out[20] ^= 1;
   save("bad_header_crc.evlog", good);
   out[20] ^= 1;
   out[last_at + 10] ^= 0x10;
   save("bad_checksum.evlog", good);
   out[last_at + 10] ^= 0x10;
   putLe32(out + last_at - 8, 0xffffffffu);
   save("absurd_length.evlog", good);
   putLe32(out + last_at - 8, EVLOG_SOCK_LEN);
   out[exec_at] = 0x7f; /* unknown type, correct checksum */
   reseal(exec_at, exec_len);
   save("unknown_type.evlog", good);
   out[exec_at] = EV_EXEC;
   out[exec_at + EVLOG_COMMON_LEN + 32] = 200; /* comm longer than its field */
   reseal(exec_at, exec_len);
   save("comm_overflow.evlog", good);

   /* valid: every type, hostile strings, an orphan, IPv6, UDP, a pid reuse */
   header();
   Event p = exec_(1, 0, "systemd", "/sbin/init", 11);
   p.type = EV_PROC;
   record(&p);
   Event f = ev(EV_FORK, 1, 6 * SEC);
   f.pstart = 1 * SEC;
   f.proc.child_pid = 321;
   f.proc.child_start = 5 * SEC;
   record(&f);
   Event evil = exec_(321, 1, "\x1b[31mevil\x1b]0;p", "\x1b]0;pwn\x07\0\xff\xfe\xc0\xaf", 12);
   record(&evil);
   EventType types[] = {EV_LISTEN, EV_ACCEPT, EV_CONNECT, EV_CONNECTED, EV_STATE,
                        EV_BYTES, EV_CONNECT_FAIL, EV_UDP_PEER, EV_CLOSE, EV_SOCK};
   for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
      Event s = sock(types[i], 321, (8 + i) * SEC, i % 2 ? "2606:2800:220:1::1" : "93.184.216.34",
                     443);
      if (types[i] == EV_CONNECT_FAIL)
         s.sock.err = 111;
      if (types[i] == EV_UDP_PEER) {
         s.sock.proto = IPPROTO_UDP;
         s.sock.count = 3;
      }
      if (types[i] == EV_SOCK) {
         s.pid = 0;
         s.sock.noowner = NOOWN_ORPHAN;
      }
      record(&s);
   }
   Event ex = ev(EV_EXIT, 321, 20 * SEC);
   ex.proc.exit_code = 1 << 8;
   record(&ex);
   Event again = exec_(321, 1, "sleep", "sleep\0" "10", 9); /* same pid, new process */
   again.pstart = 21 * SEC;
   again.ts = 21 * SEC;
   record(&again);
   save("valid_all_types.evlog", outlen);

   return failed;
}
