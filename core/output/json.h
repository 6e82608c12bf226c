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
/* Appends raw bytes (already valid JSON text). */
void JsonBuf_append(JsonBuf* b, const char* s, size_t len);
/* Appends s (len bytes) as a quoted, escaped JSON string. */
void Json_string(JsonBuf* b, const char* s, size_t len);

/* One event as one JSON object followed by '\n'. */
void Json_event(JsonBuf* b, const Event* e);
/* The tree as one JSON document on one line, without a trailing newline
 * (processes with their endpoints, sockets and listening sockets nested;
 * or endpoints in the inverted view). */
void Json_tree(JsonBuf* b, const Tree* t, const Store* s);
/* Same, naming the host (NULL: this machine's name) and the view the tree
 * was built with. Json_tree says "endpoint" or "tree", guessed from the
 * nodes. Shape:
 *   {"host":..,"view":..,"processes":[PROC..],"unowned":[SOCK..]}
 *   or, inverted: {"host":..,"view":"endpoint","endpoints":[{"addr","name",
 *   "connections","tx","rx","active","processes":[PROC..]}],"unowned":[..]}
 *   PROC = {"pid","ppid","uid","user","comm","cmdline","exe","state",
 *   ["exit_code"],"start","connections","tx","rx","remotes":[{"addr",
 *   "name","connections","tx","rx","active","sockets":[SOCK..]}],
 *   "listening":[SOCK..],"children":[PROC..]} (inverted: "sockets" instead
 *   of "remotes"/"listening"/"children").
 *   SOCK = {"proto","family","laddr","lport","raddr","rport","dir","state",
 *   "tx","rx","active","opened",["closed"],["err","errno_name"],["count"],
 *   ["noowner" (perm, netns, orphan or unknown), "noowner_reason"]} */
void Json_treeFor(JsonBuf* b, const Tree* t, const Store* s, const char* host,
                  TreeView view);

/* Writes the buffer to f; returns 0 or -1 on a write error or if an
 * allocation failed while building it (errno ENOMEM). */
int JsonBuf_write(const JsonBuf* b, FILE* f);

#endif
