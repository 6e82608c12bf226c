/* netns.h: a network namespace named as a user names one: "self", its
 * inode number (as the netns: filter term and --json's netns field give
 * it), or a path to it (/run/netns/NAME, /proc/PID/ns/net). */
#ifndef VISNET_NETNS_H
#define VISNET_NETNS_H

#include <stddef.h>
#include <stdint.h>

/* The namespace's inode; -1 with a one-line reason in err. */
int Netns_resolve(const char* name, uint32_t* inode, char* err, size_t errlen);

#endif
