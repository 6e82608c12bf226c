/* fmt.h: how visnet shows things to a person, the same in every output
 * (--once text, DOT labels, the terminal UI): strings from the system made
 * visible and harmless, byte counts, rates, ages and endpoints.
 *
 * Escapes: a string from the system is shown as it is when printable, and
 * otherwise by a backslash form that says what the byte was and cannot
 * move the cursor or reorder the line: ESC as \e, a backslash as \\, other
 * control bytes and invalid UTF-8 as \xNN, C1 controls, bidirectional
 * controls and other unprintable characters as \uNNNN. In ASCII mode every
 * byte >= 0x80 is \xNN. JSON has its own escaping (json.c), which uses the
 * same UTF-8 decoder. */
#ifndef VISNET_FMT_H
#define VISNET_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The strict UTF-8 sequence at s (no overlong forms, no surrogates, nothing
 * above U+10FFFF): its length, with the code point in *cp, or minus the
 * length of the invalid prefix that stands for one replaced character. */
int Fmt_utf8(const unsigned char* s, size_t len, uint32_t* cp);

/* The display form of the character at s[*i] into piece (NUL-terminated);
 * advances *i and returns the columns it takes. */
int Fmt_escChar(const char* s, size_t len, size_t* i, bool utf8, char piece[16]);

/* Escapes len bytes of s into out (NUL-terminated, cut at a character
 * boundary when outlen or maxcols is reached). Returns the columns used;
 * *cut is set when not everything fit (may be NULL). */
int Fmt_escape(char* out, size_t outlen, const char* s, size_t len, bool utf8, int maxcols,
               bool* cut);

/* Columns an escaped (or our own) string takes on the terminal. */
int Fmt_width(const char* s);

/* Units of 1024: 0B, 1023B, 1.5K, 10M, 3.0T, 16E. */
const char* Fmt_bytes(uint64_t v, char* buf, size_t len);
/* Bytes per second in the same units; blank below 0.5, so that an idle
 * screen stays still. */
const char* Fmt_rate(double v, char* buf, size_t len);
/* A round-trip time: "350us", "4.2ms", "85ms", "1.3s"; "" for 0 (unknown). */
const char* Fmt_rtt(uint32_t us, char* buf, size_t len);
/* An age in 5s, 10s, 2m, 1h05m, 3d04h: past 10 s in coarse steps. */
const char* Fmt_age(uint64_t ns, char* buf, size_t len);
/* 1.2.3.4:80 or [::1]:80 */
const char* Fmt_endpoint(const uint8_t addr[16], uint16_t port, char* buf, size_t len);

#endif
