/* memlimit.c: the memory cgroup limit, and fitting a run to it. */
#include "memlimit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cgroup v1 says "no limit" with a page-rounded LONG_MAX */
#define UNLIMITED (1ull << 62)

/* 0 with the number in v; 1 for "max"; -1 when absent or not a number */
static int readNumber(const char* dir, const char* name, uint64_t* v) {
   char path[PATH_MAX + 64], buf[64];
   snprintf(path, sizeof path, "%s/%s", dir, name);
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return -1;
   ssize_t n = read(fd, buf, sizeof buf - 1);
   close(fd);
   if (n <= 0)
      return -1;
   buf[n] = '\0';
   if (strncmp(buf, "max", 3) == 0)
      return 1;
   char* end;
   errno = 0;
   unsigned long long x = strtoull(buf, &end, 10);
   if (errno || end == buf || (*end && *end != '\n'))
      return -1;
   *v = x;
   return 0;
}

typedef struct Hierarchy_ {
   const char* limit_file;
   const char* usage_file;
} Hierarchy;

static const Hierarchy V2 = {"memory.max", "memory.current"};
static const Hierarchy V1 = {"memory.limit_in_bytes", "memory.usage_in_bytes"};

/* Keeps in m the cgroup with the least room from dir up to the mount's
 * root (the first root characters of dir). Returns true if one had a limit. */
static bool walkUp(char* dir, size_t root, const Hierarchy* h, MemLimit* m, uint64_t* best) {
   bool found = false;
   for (;;) {
      uint64_t lim, use;
      if (readNumber(dir, h->limit_file, &lim) == 0 && lim < UNLIMITED &&
          readNumber(dir, h->usage_file, &use) == 0) {
         uint64_t room = lim > use ? lim - use : 0;
         if (room < *best) {
            *best = room;
            m->limit = lim;
            m->usage = use;
            snprintf(m->cgroup, sizeof m->cgroup, "%s", dir[root] ? dir + root : "/");
            found = true;
         }
      }
      char* slash = strrchr(dir, '/');
      if (strlen(dir) <= root || !slash || (size_t)(slash - dir) < root)
         return found;
      *slash = '\0';
   }
}

/* The mount point of a hierarchy: fstype "cgroup2", or "cgroup" with the
 * memory controller among its options. */
static bool findMount(const char* mounts, bool v2, char* out, size_t outlen) {
   const char* line = mounts;
   while (line && *line) {
      char dev[64], dir[PATH_MAX], type[32], opts[512];
      if (sscanf(line, "%63s %4095s %31s %511s", dev, dir, type, opts) == 4) {
         bool memory = false;
         char* save = NULL;
         for (char* s = strtok_r(opts, ",", &save); s; s = strtok_r(NULL, ",", &save))
            memory |= strcmp(s, "memory") == 0;
         if (v2 ? strcmp(type, "cgroup2") == 0 : strcmp(type, "cgroup") == 0 && memory) {
            snprintf(out, outlen, "%s", dir);
            return true;
         }
      }
      line = strchr(line, '\n');
      if (line)
         line++;
   }
   return false;
}

/* The path of this process in a hierarchy: the "0::" line (v2) or the line
 * whose controllers include memory (v1). */
static bool findPath(const char* cgroups, bool v2, char* out, size_t outlen) {
   for (const char* line = cgroups; line && *line;) {
      const char* c1 = strchr(line, ':');
      const char* nl = strchr(line, '\n');
      const char* c2 = c1 ? strchr(c1 + 1, ':') : NULL;
      if (c2 && (!nl || c2 < nl)) {
         size_t clen = (size_t)(c2 - c1 - 1);
         bool match = v2 ? clen == 0 && c1 - line == 1 && line[0] == '0' : false;
         for (const char* s = c1 + 1; !v2 && s < c2;) {
            const char* e = memchr(s, ',', (size_t)(c2 - s));
            e = e ? e : c2;
            match |= e - s == 6 && memcmp(s, "memory", 6) == 0;
            s = e + 1;
         }
         size_t plen = nl ? (size_t)(nl - c2 - 1) : strlen(c2 + 1);
         if (match && plen < outlen) {
            memcpy(out, c2 + 1, plen);
            out[plen] = '\0';
            return true;
         }
      }
      line = nl ? nl + 1 : NULL;
   }
   return false;
}

int MemLimit_find(const char* cgroup_text, const char* mounts_text, const char* prefix,
                  MemLimit* m) {
   memset(m, 0, sizeof *m);
   uint64_t best = UINT64_MAX;
   bool mounted = false, found = false;
   for (int v2 = 1; v2 >= 0; v2--) {
      char mount[PATH_MAX], path[PATH_MAX], dir[PATH_MAX * 2 + 16];
      if (!findMount(mounts_text, v2, mount, sizeof mount))
         continue;
      mounted = true;
      if (!findPath(cgroup_text, v2, path, sizeof path))
         continue;
      size_t root = (size_t)snprintf(dir, sizeof dir, "%s%s", prefix, mount);
      if (strcmp(path, "/") != 0 && root < sizeof dir)
         snprintf(dir + root, sizeof dir - root, "%s", path);
      /* inside a container the mount is its own cgroup, not the root */
      if (access(dir, F_OK) != 0)
         dir[root] = '\0';
      found |= walkUp(dir, root, v2 ? &V2 : &V1, m, &best);
   }
   return found ? 0 : mounted ? 1 : -1;
}

/* The whole of a small /proc file, NUL-terminated, or NULL */
static char* slurp(const char* path) {
   FILE* f = fopen(path, "re");
   if (!f)
      return NULL;
   size_t cap = 8192, len = 0;
   char* buf = malloc(cap);
   while (buf) {
      len += fread(buf + len, 1, cap - len - 1, f);
      if (len < cap - 1 || cap >= (1u << 22))
         break;
      char* bigger = realloc(buf, cap * 2);
      if (!bigger) {
         free(buf);
         buf = NULL;
         break;
      }
      buf = bigger;
      cap *= 2;
   }
   fclose(f);
   if (buf)
      buf[len] = '\0';
   return buf;
}

int MemLimit_read(MemLimit* m) {
   char* cg = slurp("/proc/self/cgroup");
   char* mounts = slurp("/proc/self/mounts");
   int rc = cg && mounts ? MemLimit_find(cg, mounts, "", m) : -1;
   free(cg);
   free(mounts);
   return rc;
}

int MemLimit_fit(const MemLimit* m, const MemNeed* n, size_t* cap, uint64_t* need) {
   uint64_t room = m->limit > m->usage ? m->limit - m->usage : 0;
   uint64_t least = n->fixed + (uint64_t)MEMLIMIT_MIN_ENTRIES * n->entry;
   *need = least > n->load_peak ? least : n->load_peak;
   *cap = n->cap;
   if (room < *need)
      return -1;
   uint64_t fits = n->entry ? (room - n->fixed) / n->entry : n->cap;
   if (fits < n->cap)
      *cap = (size_t)fits;
   return 0;
}
