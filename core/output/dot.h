/* dot.h: the tree as a Graphviz digraph (visnet --once --dot).
 *
 * Process nodes point to remote endpoint nodes, one edge per (process,
 * endpoint) labelled with the remote ports and the connection count;
 * inactive edges and exited processes are dashed; sockets without an owner
 * hang off one "unowned sockets" node. Every string is escaped for a DOT
 * quoted string: quote and backslash, control bytes and invalid UTF-8
 * become visible \xNN text. */
#ifndef VISNET_DOT_H
#define VISNET_DOT_H

#include <stddef.h>
#include <stdio.h>

#include "tree.h"

/* Returns 0, or -1 on a write error or when out of memory. */
int Dot_write(FILE* f, const Tree* t);

/* Escapes len bytes of s into out (NUL-terminated, without the quotes,
 * cut at a character boundary if out is too small). Returns bytes written. */
size_t Dot_escape(char* out, size_t outlen, const char* s, size_t len);

#endif
