/* evlog.h: the recorded event log, a versioned binary file.
 *
 * Layout (all integers little-endian):
 *   header:  magic "VISNETEL" (8) | u16 version | u16 header_len |
 *            u32 flags | u64 boot_time_ns (wall clock of boot, ns since the
 *            epoch) | u64 created_ns (wall clock) | host name, NUL-padded
 *            to 64 bytes | u32 crc32 of the preceding header bytes
 *   records: u32 payload_len | u32 crc32(payload) | payload
 *            payload = the Event encoded field by field (evlog.c), so the
 *            file does not depend on this build's struct layout.
 * A reader refuses a wrong magic or version, and at a truncated or corrupt
 * record stops and reports the offset.
 */
#ifndef VISNET_EVLOG_H
#define VISNET_EVLOG_H

#include <stdint.h>
#include <stdio.h>

#include "event.h"

#define EVLOG_MAGIC "VISNETEL"
#define EVLOG_VERSION 1
#define EVLOG_HOST_LEN 64

typedef struct EvlogHeader_ {
   uint16_t version;
   uint64_t boot_time_ns;
   uint64_t created_ns;
   char host[EVLOG_HOST_LEN];
} EvlogHeader;

typedef enum EvlogStatus_ {
   EVLOG_OK = 0,
   EVLOG_EOF = 1,        /* clean end of file */
   EVLOG_ERR_IO = -1,
   EVLOG_ERR_MAGIC = -2,
   EVLOG_ERR_VERSION = -3,
   EVLOG_ERR_HEADER = -4,   /* header truncated or its checksum is wrong */
   EVLOG_ERR_TRUNCATED = -5,/* a record stops before its end */
   EVLOG_ERR_CHECKSUM = -6, /* a record's checksum is wrong */
   EVLOG_ERR_RECORD = -7,   /* a record's length or contents are invalid */
} EvlogStatus;

typedef struct EvlogWriter_ EvlogWriter;
typedef struct EvlogReader_ EvlogReader;

/* Writers. The host and boot time are taken from the running system when
 * hdr is NULL. Errors are returned; errbuf gets a one-line message. */
EvlogWriter* EvlogWriter_open(const char* path, const EvlogHeader* hdr,
                              char* errbuf, size_t errlen);
EvlogWriter* EvlogWriter_fromFile(FILE* f, const EvlogHeader* hdr,
                                  char* errbuf, size_t errlen);
int EvlogWriter_write(EvlogWriter* w, const Event* e);
/* Flushes and closes; returns 0 or -1 if anything failed to reach disk. */
int EvlogWriter_close(EvlogWriter* w);

/* Readers. open validates the header. */
EvlogReader* EvlogReader_open(const char* path, EvlogStatus* st,
                              char* errbuf, size_t errlen);
EvlogReader* EvlogReader_fromMemory(const void* data, size_t len,
                                    EvlogStatus* st);
const EvlogHeader* EvlogReader_header(const EvlogReader* r);
/* Reads the next event: EVLOG_OK, EVLOG_EOF, or an error status. After an
 * error the reader stays at the bad record; EvlogReader_offset tells where. */
EvlogStatus EvlogReader_next(EvlogReader* r, Event* out);
uint64_t EvlogReader_offset(const EvlogReader* r);
void EvlogReader_close(EvlogReader* r);

const char* Evlog_strerror(EvlogStatus st);

/* Encoded size of one event payload, and the codec (used by tests/fuzz). */
size_t Evlog_encode(const Event* e, uint8_t* buf, size_t len);
int Evlog_decode(const uint8_t* buf, size_t len, Event* out);

#endif
