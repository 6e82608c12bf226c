/* json.h: JSON output of events (JSON Lines) and of tree snapshots.
 *
 * Every string from the system is escaped: quotes, backslash, control
 * characters as \uXXXX, and bytes that are not valid UTF-8 as \ufffd, so
 * the output is always valid JSON whatever a process named itself. */
#ifndef VISNET_JSON_H
#define VISNET_JSON_H

#include <stdio.h>

#include "event.h"
#include "store.h"
#include "tree.h"
#include "users.h"

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

/* The version of the line format (docs/JSON.md, docs/visnet.schema.json):
 * every line says it as "v". Within a version fields are only added. */
#define JSON_SCHEMA 1

/* What a line says beyond its event. */
typedef struct JsonLine_ {
   uint64_t boot_time_ns; /* wall clock of boot (ns since the epoch): "time"; 0: none */
   const Proc* proc;      /* a socket event's process (same pid and start), or NULL */
   const char* unit;      /* the systemd unit of the event's cgroup, or NULL */
   UserName** users;      /* for "user"; NULL: no user names */
} JsonLine;

/* One event as one JSON object followed by '\n'; l may be NULL (the event
 * alone: what the probe's driver prints). */
void Json_eventLine(JsonBuf* b, const Event* e, const JsonLine* l);
void Json_event(JsonBuf* b, const Event* e);
/* "key":"2026-12-01T10:14:34.123456Z" */
void Json_time(JsonBuf* b, const char* key, uint64_t wall_ns);

/* The first line of a stream. */
typedef struct JsonHello_ {
   const char* version; /* visnet's */
   const char* host;
   const char* boot_id; /* /proc/sys/kernel/random/boot_id; "" if unknown */
   const char* kernel;  /* release */
   const char* mode;    /* "live", "fallback" (polling) or "replay" */
   const char* source;  /* replay: the log; else NULL */
   uint64_t started_ns; /* wall clock */
   uint64_t ts;         /* the events' clock (ns since boot) at that moment */
   uint64_t boot_time_ns;
   uint32_t netns;      /* --netns: the one namespace whose sockets follow, 0: all */
   const char* const* hosts; /* a fleet's merged stream: its hosts' names */
   size_t nhosts;
} JsonHello;
void Json_hello(JsonBuf* b, const JsonHello* h);

/* The start-up snapshot has been written (every line about what existed
 * when the stream started): events lines so far. */
void Json_ready(JsonBuf* b, uint64_t ts, uint64_t wall_ns, uint64_t events);

/* A fleet's host changed state (docs/FLEET.md). */
typedef struct JsonHost_ {
   uint64_t ts, wall_ns; /* the merging visnet's clocks */
   const char* host;     /* the name it was given */
   const char* status;   /* connecting, up, down */
   const char* reason;   /* down: why; may be NULL */
   const char* remote;   /* up: the name it gives itself; may be NULL */
   const char* version;  /* up: its visnet; may be NULL */
   uint64_t retry_s;     /* down: the next attempt in this many seconds, 0: none */
} JsonHost;
void Json_host(JsonBuf* b, const JsonHost* h);

/* A line from a host's stream, already checked (jsonread.h), with the
 * host's name and the other end of its connection added (peer may be
 * NULL). Returns 0 (nothing written) when the line is no object. */
typedef struct JsonPeer_ {
   const char* host;
   uint32_t pid;
   const char* comm; /* may be NULL */
} JsonPeer;
size_t Json_tagLine(JsonBuf* b, const char* line, size_t len, const char* host,
                    const JsonPeer* peer);

/* Lines a slow reader missed, said when it catches up. */
typedef struct JsonLost_ {
   uint64_t ts, wall_ns;
   uint64_t lines;   /* missed since the last such line */
   uint64_t dropped; /* missed in all */
} JsonLost;
void Json_lost(JsonBuf* b, const JsonLost* l);

/* The last line of a stream. */
typedef struct JsonBye_ {
   uint64_t ended_ns;
   uint64_t ts; /* the events' clock at that moment */
   uint64_t events, lost, dropped; /* dropped: lines a slow reader missed */
   uint64_t filtered;              /* events --filter left out */
   const char* reason;             /* "signal", "duration", "end of replay", "error", "reader gone" */
   const char* error;              /* NULL unless reason is "error" */
   MapFull map_full;               /* the probe's tables that overflowed */
   uint64_t healed;                /* sockets closed after a loss (Heal_tcp) */
} JsonBye;
void Json_bye(JsonBuf* b, const JsonBye* y);
/* The tree as one JSON document on one line, without a trailing newline
 * (processes with their endpoints, sockets and listening sockets nested;
 * or endpoints in the inverted view). */
void Json_tree(JsonBuf* b, const Tree* t, const Store* s);
/* A fleet's tree (TreeOpts.fleet) as one document: {"fleet":true, "view",
 * "hosts":[{"host", "status", "reason", "remote_host", "visnet", "ready",
 * and the body of a host's own document: "stats", "processes", ...}], "v"};
 * sockets joined across hosts carry "peer":{"host","pid","comm"}, times
 * are each host's own (ns since its boot). */
void Json_fleetTree(JsonBuf* b, const Tree* t, TreeView view);
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
 *   ["noowner" (perm, netns, orphan or unknown), "noowner_reason"],
 *   ["pid", "comm", "uid", "user"] of its process when it has one,
 *   ["remote_name"] when the remote has a name}
 * then the same items flat, for scripts: "process_list" (every PROC of the
 * tree without its nested lists), "connections" and "listeners" (every
 * SOCK); and "v". docs/visnet.schema.json's "document" is the contract. */
void Json_treeFor(JsonBuf* b, const Tree* t, const Store* s, const char* host,
                  TreeView view);

/* Writes the buffer to f; returns 0 or -1 on a write error or if an
 * allocation failed while building it (errno ENOMEM). */
int JsonBuf_write(const JsonBuf* b, FILE* f);

#endif
