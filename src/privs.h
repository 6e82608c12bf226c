/* privs.h: giving up privileges once the probe is attached. */
#ifndef VISNET_PRIVS_H
#define VISNET_PRIVS_H

/* Drops every capability (effective, permitted, inheritable, and the
 * bounding set) and sets no_new_privs. Returns 0 or -1 with errno. */
int Privs_dropAll(void);

#endif
