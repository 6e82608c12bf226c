/* netns.c: see netns.h. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int Netns_ofPath(const char* path, uint32_t* inode, char* err, size_t errlen) {
   int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
   if (fd < 0) {
      snprintf(err, errlen, "--netns: %s: %s", path, strerror(errno));
      return -1;
   }
   struct stat st;
   int type = ioctl(fd, NS_GET_NSTYPE);
   int ok = fstat(fd, &st) == 0 && type == CLONE_NEWNET;
   close(fd);
   if (!ok || st.st_ino > UINT32_MAX) {
      snprintf(err, errlen, "--netns: %s is not a network namespace", path);
      return -1;
   }
   *inode = (uint32_t)st.st_ino;
   return 0;
}

int Netns_resolve(const char* name, uint32_t* inode, char* err, size_t errlen) {
   if (!name || !*name) {
      snprintf(err, errlen, "--netns: an empty name (self, an inode number or a path)");
      return -1;
   }
   if (strcmp(name, "self") == 0)
      return Netns_ofPath("/proc/self/ns/net", inode, err, errlen);
   if (strspn(name, "0123456789") == strlen(name)) {
      errno = 0;
      unsigned long long v = strtoull(name, NULL, 10);
      if (errno || v == 0 || v > UINT32_MAX) {
         snprintf(err, errlen, "--netns: '%.40s' is not an inode number", name);
         return -1;
      }
      *inode = (uint32_t)v;
      return 0;
   }
   return Netns_ofPath(name, inode, err, errlen);
}
