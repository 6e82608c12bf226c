/* json.h: JSON output of events (JSON Lines) and of tree snapshots.
 *
 * Every string from the system is escaped: quotes, backslash, control
 * characters as \uXXXX, and bytes that are not valid UTF-8 as \ufffd, so
 * the output is always valid JSON whatever a process named itself. */
#ifndef VISNET_JSON_H
#define VISNET_JSON_H

#include <stdio.h>

#include "event.h"
#include "tree.h"

/* A growable output buffer; JSON is built here then written in one go. */
typedef struct JsonBuf_ {
   char* data;
   size_t len, cap;
   int oom;            /* set if an allocation failed */
} JsonBuf;

void JsonBuf_init(JsonBuf* b);
void JsonBuf_free(JsonBuf* b);
void JsonBuf_reset(JsonBuf* b);
/* Appends s (len bytes) as a quoted, escaped JSON string. */
void Json_string(JsonBuf* b, const char* s, size_t len);

/* One event as one JSON object followed by '\n'. */
void Json_event(JsonBuf* b, const Event* e);
/* The tree as one JSON document (processes with their endpoints, sockets
 * and listening sockets nested; or endpoints in the inverted view). */
void Json_tree(JsonBuf* b, const Tree* t, const Store* s);

/* Writes the buffer to f; returns 0 or -1 on a write error. */
int JsonBuf_write(const JsonBuf* b, FILE* f);

#endif
