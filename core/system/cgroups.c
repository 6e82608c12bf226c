/* cgroups.c: cgroup id to systemd unit (see cgroups.h). */
#include "cgroups.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "u64map.h"

#define CGROUPS_MAX_DEPTH 16
#define CGROUPS_MAX_DIRS 100000

struct Cgroups_ {
   char root[264];
   U64Map units; /* id -> index in names + 1, 0: no unit */
   char** names;
   size_t nnames, cap;
   uint64_t last_scan_ms;
   size_t dirs; /* in this walk */
};

static uint64_t nowMs(void) {
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void findRoot(char* out, size_t len) {
   snprintf(out, len, "/sys/fs/cgroup");
   FILE* f = fopen("/proc/self/mountinfo", "re");
   if (!f)
      return;
   char line[1024];
   while (fgets(line, sizeof line, f)) {
      const char* dash = strstr(line, " - cgroup2 ");
      char mnt[256];
      if (dash && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
         snprintf(out, len, "%s", mnt);
         break;
      }
   }
   fclose(f);
}

Cgroups* Cgroups_new(const char* root) {
   Cgroups* c = calloc(1, sizeof *c);
   if (!c)
      return NULL;
   if (root)
      snprintf(c->root, sizeof c->root, "%s", root);
   else
      findRoot(c->root, sizeof c->root);
   return c;
}

static bool isUnit(const char* name) {
   static const char* const SUFFIX[] = {".service", ".scope", ".socket",
                                        ".mount",   ".swap",  ".slice"};
   size_t n = strlen(name);
   for (size_t i = 0; i < sizeof SUFFIX / sizeof SUFFIX[0]; i++) {
      size_t k = strlen(SUFFIX[i]);
      if (n > k && strcmp(name + n - k, SUFFIX[i]) == 0)
         return true;
   }
   return false;
}

/* The index + 1 of name in the table, added if new; 0 when out of memory. */
static uint32_t internName(Cgroups* c, const char* name) {
   for (size_t i = 0; i < c->nnames; i++)
      if (strcmp(c->names[i], name) == 0)
         return (uint32_t)i + 1;
   if (c->nnames == c->cap) {
      size_t cap = c->cap ? c->cap * 2 : 64;
      char** v = realloc(c->names, cap * sizeof *v);
      if (!v)
         return 0;
      c->names = v;
      c->cap = cap;
   }
   char* s = strdup(name);
   if (!s)
      return 0;
   c->names[c->nnames++] = s;
   return (uint32_t)c->nnames;
}

/* dfd: an open directory whose unit (index + 1, 0: none) is unit. */
static void walk(Cgroups* c, int dfd, uint32_t unit, int depth) {
   DIR* d = fdopendir(dfd);
   if (!d) {
      close(dfd);
      return;
   }
   struct dirent* de;
   while ((de = readdir(d)) && c->dirs < CGROUPS_MAX_DIRS) {
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
         continue;
      c->dirs++;
      uint32_t u = isUnit(de->d_name) ? internName(c, de->d_name) : unit;
      (void)U64Map_put(&c->units, de->d_ino, u);
      if (depth + 1 < CGROUPS_MAX_DEPTH) {
         int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
         if (sub >= 0)
            walk(c, sub, u, depth + 1);
      }
   }
   closedir(d);
}

static void scan(Cgroups* c) {
   c->last_scan_ms = nowMs();
   c->dirs = 0;
   int fd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (fd >= 0)
      walk(c, fd, 0, 0);
}

const char* Cgroups_unit(Cgroups* c, uint64_t id) {
   if (!c || id <= 1) /* none, or the root cgroup */
      return NULL;
   uint32_t* u = U64Map_get(&c->units, id);
   if (!u && (c->last_scan_ms == 0 || nowMs() - c->last_scan_ms >= 1000)) {
      scan(c);
      u = U64Map_get(&c->units, id);
   }
   return u && *u ? c->names[*u - 1] : NULL;
}

void Cgroups_free(Cgroups* c) {
   if (!c)
      return;
   for (size_t i = 0; i < c->nnames; i++)
      free(c->names[i]);
   free(c->names);
   U64Map_free(&c->units);
   free(c);
}

const char* Cgroups_unitOf(void* c, uint64_t id) { return Cgroups_unit(c, id); }
