/* evlog.h: the recorded event log, a versioned binary file.
 *
 * Layout (all integers little-endian, no padding anywhere):
 *   header (100 bytes):
 *            magic "VISNETEL" (8) | u16 version | u16 header_len (= 100) |
 *            u32 flags (EVLOG_F_*; a reader ignores bits it does not
 *            know) | u64 boot_time_ns (wall clock of boot, ns since
 *            the epoch: CLOCK_REALTIME - CLOCK_BOOTTIME) | u64 created_ns
 *            (wall clock) | host name, NUL-padded to 64 bytes |
 *            u32 crc32 of the preceding 96 header bytes
 *   records: u32 payload_len | u32 crc32(payload) | payload
 *            payload_len is between EVLOG_MIN_PAYLOAD and EVLOG_MAX_PAYLOAD
 *            and must equal the length the payload's type implies.
 *   payload: the Event encoded field by field, so the file does not depend
 *            on this build's struct layout:
 *            u16 type | u16 flags | u32 pid | u32 tid | u64 ts | u64 pstart
 *            then for a process event (exec, fork, exit, proc):
 *              u32 ppid | u32 uid | u32 child_pid | i32 exit_code |
 *              u64 child_start | u64 cgroup |
 *              u8 comm_len (< VN_COMM_LEN) | comm bytes |
 *              u16 filename_len (< VN_PATH_LEN) | filename bytes |
 *              u16 args_len (<= VN_ARGS_LEN) | args bytes (NUL-separated)
 *            for a socket event (every other type):
 *              u64 sk | u64 ino | u64 cgroup | u64 tx | u64 rx |
 *              u64 lifetime_ns | u32 netns | u32 count | i32 err |
 *              u16 lport | u16 rport | u8 proto | u8 family | u8 dir |
 *              u8 state | u8 oldstate | u8 noowner | laddr (16) | raddr (16)
 *            Event.reserved and the TCP health samples (rtt_us, retrans:
 *            measurements, not events) are not stored; a decoded Event is zero-filled
 *            beyond what the payload holds, and its strings are terminated.
 * A reader refuses a wrong magic or version, and at a truncated or corrupt
 * record stops and reports the offset of that record. Record lengths are
 * checked before anything is read, so a corrupt length never allocates.
 * A reader or writer is used by one thread at a time (unlocked stdio).
 */
#ifndef VISNET_EVLOG_H
#define VISNET_EVLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"

#define EVLOG_MAGIC "VISNETEL"
#define EVLOG_VERSION 1
#define EVLOG_HOST_LEN 64
/* Socket events' sk are visnet's socket ids (sockid.h), never kernel
 * addresses. Every writer since the ids sets it; a log without it holds
 * addresses, which its reader replaces (src/source.c). */
#define EVLOG_F_SK_IDS 0x1u
#define EVLOG_HEADER_LEN 100
#define EVLOG_RECORD_HDR 8 /* u32 length + u32 crc before each payload */
#define EVLOG_COMMON_LEN 28
#define EVLOG_SOCK_LEN (EVLOG_COMMON_LEN + 102)
#define EVLOG_PROC_MIN (EVLOG_COMMON_LEN + 37)
#define EVLOG_MIN_PAYLOAD EVLOG_PROC_MIN
#define EVLOG_MAX_PAYLOAD (EVLOG_PROC_MIN + (VN_COMM_LEN - 1) + (VN_PATH_LEN - 1) + VN_ARGS_LEN)

typedef struct EvlogHeader_ {
   uint16_t version;
   uint32_t flags; /* EVLOG_F_*; a writer always writes EVLOG_F_SK_IDS */
   uint64_t boot_time_ns;
   uint64_t created_ns;
   char host[EVLOG_HOST_LEN];
} EvlogHeader;

typedef enum EvlogStatus_ {
   EVLOG_OK = 0,
   EVLOG_EOF = 1, /* clean end of file */
   EVLOG_ERR_IO = -1,
   EVLOG_ERR_MAGIC = -2,
   EVLOG_ERR_VERSION = -3,
   EVLOG_ERR_HEADER = -4,    /* header truncated or its checksum is wrong */
   EVLOG_ERR_TRUNCATED = -5, /* a record stops before its end */
   EVLOG_ERR_CHECKSUM = -6,  /* a record's checksum is wrong */
   EVLOG_ERR_RECORD = -7,    /* a record's length or contents are invalid */
} EvlogStatus;

typedef struct EvlogWriter_ EvlogWriter;
typedef struct EvlogReader_ EvlogReader;

/* Writers. The host and boot time are taken from the running system when
 * hdr is NULL (hdr->version is ignored: the writer writes EVLOG_VERSION).
 * Errors are returned; errbuf gets a one-line message. Writes are buffered.
 * EvlogWriter_fromFile does not take f over: close flushes it but leaves it
 * open for the caller. */
/* create is for a path a user gave (--record): it makes the file with mode
 * 0600, never through a symbolic link, never over an existing file unless
 * replace, and never over anything but a regular file. open writes to any
 * path as fopen "w" does, devices included (tools and tests). */
EvlogWriter* EvlogWriter_create(const char* path, const EvlogHeader* hdr, bool replace,
                                char* errbuf, size_t errlen);
EvlogWriter* EvlogWriter_open(const char* path, const EvlogHeader* hdr, char* errbuf,
                              size_t errlen);
EvlogWriter* EvlogWriter_fromFile(FILE* f, const EvlogHeader* hdr, char* errbuf, size_t errlen);
/* Returns 0, or -1 with errno set: EINVAL for an event of unknown type
 * (nothing written, the writer stays usable), else the write error (the
 * writer stays failed and close reports it too). */
int EvlogWriter_write(EvlogWriter* w, const Event* e);
/* Pushes buffered records to the kernel (e.g. once per refresh tick, so a
 * crash loses little); 0, or -1 with errno as for write. */
int EvlogWriter_flush(EvlogWriter* w);
/* Events accepted so far, and the bytes of the file they make. */
uint64_t EvlogWriter_count(const EvlogWriter* w);
uint64_t EvlogWriter_bytes(const EvlogWriter* w);
/* Flushes and closes; returns 0 or -1 if anything failed to reach disk
 * (errno is then the first error seen, e.g. ENOSPC). */
int EvlogWriter_close(EvlogWriter* w);
/* Same, with a one-line message in errbuf on failure. */
int EvlogWriter_closeErr(EvlogWriter* w, char* errbuf, size_t errlen);

/* Readers. open validates the header; on failure NULL is returned with the
 * status in *st (and a one-line message naming the path in errbuf).
 * fromMemory does not copy: data must outlive the reader. */
EvlogReader* EvlogReader_open(const char* path, EvlogStatus* st, char* errbuf, size_t errlen);
EvlogReader* EvlogReader_fromMemory(const void* data, size_t len, EvlogStatus* st);
const EvlogHeader* EvlogReader_header(const EvlogReader* r);
/* Reads the next event: EVLOG_OK, EVLOG_EOF, or an error status. After an
 * error the reader stays at the bad record; EvlogReader_offset tells where. */
EvlogStatus EvlogReader_next(EvlogReader* r, Event* out);
uint64_t EvlogReader_offset(const EvlogReader* r);
void EvlogReader_close(EvlogReader* r);

const char* Evlog_strerror(EvlogStatus st);

/* The payload codec (used by tests/fuzz). encode returns the payload size,
 * or 0 if the type is unknown or len is too small (EVLOG_MAX_PAYLOAD always
 * suffices); strings longer than their field allows are cut. decode returns
 * EVLOG_OK or EVLOG_ERR_RECORD. */
size_t Evlog_encode(const Event* e, uint8_t* buf, size_t len);
int Evlog_decode(const uint8_t* buf, size_t len, Event* out);

#endif
