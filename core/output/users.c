/* users.c: the cache of user names (users.h). */
#include "users.h"

#include <pwd.h>
#include <stdio.h>

#include "cache.h"

struct UserName_ {
   uint32_t uid;
   char name[64];
   UT_hash_handle hh;
};

const char* Users_name(UserName** cache, uint32_t uid) {
   UserName* u;
   HASH_FIND(hh, *cache, &uid, sizeof uid, u);
   if (u)
      return u->name;
   u = calloc(1, sizeof *u);
   if (!u)
      return "?";
   u->uid = uid;
   struct passwd pw, *res = NULL;
   char buf[1024];
   if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
      snprintf(u->name, sizeof u->name, "%s", res->pw_name);
   else
      snprintf(u->name, sizeof u->name, "%u", uid);
   HASH_ADD(hh, *cache, uid, sizeof u->uid, u);
   return u->name;
}

void Users_free(UserName** cache) {
   CACHE_FREE_ALL(*cache);
}
