/* privs.h: giving up privileges once the probe is attached. */
#ifndef VISNET_PRIVS_H
#define VISNET_PRIVS_H

#include <stdint.h>

/* Keeps only the capabilities in keep (a mask of 1 << CAP_x) that the
 * process has, in its effective and permitted sets; drops every other one
 * from the bounding set too, and the inheritable set. Returns 0 or -1
 * with errno. */
int Privs_drop(uint64_t keep);

#endif
