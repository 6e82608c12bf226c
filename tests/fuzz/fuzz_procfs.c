/* fuzz_procfs.c: libFuzzer target for the /proc parsers.
 *
 * The input is given as it is to each parser (stat, status, cgroup, fd
 * link). Then it is used as what a process controls: its command name,
 * which may hold ") R 1 2", spaces and newlines (the kernel keeps any byte
 * but NUL, 15 of them). Put in a stat line, the name must come back whole
 * and the fields after it must be read right. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void asIs(const uint8_t* data, size_t size) {
   char* s = malloc(size + 1);
   if (!s)
      return;
   memcpy(s, data, size);
   s[size] = '\0';
   char comm[VN_COMM_LEN], path[512];
   uint32_t ppid, uid;
   uint64_t start;
   (void)Procfs_parseStat(s, size, comm, &ppid, &start);
   (void)Procfs_parseUid(s, &uid);
   if (Procfs_parseCgroup(s, path, sizeof path) == 0 && strlen(path) >= sizeof path)
      abort();
   (void)Procfs_socketInode(s, size);
   free(s);
}

static void hostileName(const uint8_t* data, size_t size) {
   char name[VN_COMM_LEN];
   size_t n = 0;
   for (size_t i = 0; i < size && n < VN_COMM_LEN - 1; i++)
      if (data[i])
         name[n++] = (char)data[i];
   name[n] = '\0';
   char line[512];
   int len = snprintf(line, sizeof line,
                      "4242 (%s) S 77 4242 4242 34816 4242 4194304 101 0 0 0 2 1 0 0 20 0 1 0 "
                      "123456 8192000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n",
                      name);
   char comm[VN_COMM_LEN];
   uint32_t ppid = 0;
   uint64_t start = 0;
   if (Procfs_parseStat(line, (size_t)len, comm, &ppid, &start) != 0)
      abort();
   if (ppid != 77 || start != 123456 || strcmp(comm, name) != 0)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
   asIs(data, size);
   hostileName(data, size);
   return 0;
}
