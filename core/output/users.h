/* users.h: user names by uid, for every output (JSON, the TUI): the one
 * cache of them, a uthash table that its owner frees. */
#ifndef VISNET_USERS_H
#define VISNET_USERS_H

#include <stdint.h>

typedef struct UserName_ UserName;

/* The name of uid from the password database, or the number as text when
 * it has none; cached in *cache (NULL: empty). "?" when out of memory. The
 * string lives until Users_free. */
const char* Users_name(UserName** cache, uint32_t uid);
void Users_free(UserName** cache);

#endif
