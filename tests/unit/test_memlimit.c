/* test_memlimit.c: the memory cgroup limit from fake cgroup trees (v1, v2,
 * a container's), and fitting a run to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memlimit.h"
#include "testutil.h"

#define MiB (1ull << 20)

static char root[64];

static void put(const char* dir, const char* name, const char* text) {
   char path[512];
   snprintf(path, sizeof path, "%s%s", root, dir);
   char cmd[600];
   snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
   assert_int_equal(system(cmd), 0);
   snprintf(path, sizeof path, "%s%s/%s", root, dir, name);
   FILE* f = fopen(path, "w");
   assert_non_null(f);
   fputs(text, f);
   fclose(f);
}

static void putNum(const char* dir, const char* name, unsigned long long v) {
   char text[32];
   snprintf(text, sizeof text, "%llu\n", v);
   put(dir, name, text);
}

static int setup(void** state) {
   (void)state;
   snprintf(root, sizeof root, "/tmp/vn-memlimit-XXXXXX");
   return mkdtemp(root) ? 0 : -1;
}

static int teardown(void** state) {
   (void)state;
   char cmd[128];
   snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
   return system(cmd) == 0 ? 0 : -1;
}

static const char* MOUNTS_HYBRID = "tmpfs /sys/fs/cgroup tmpfs rw 0 0\n"
                                   "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
                                   "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n"
                                   "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";
static const char* MOUNTS_V2 = "proc /proc proc rw 0 0\n"
                               "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n";

/* v1: the tightest on the way up wins, not the leaf's "unlimited" */
static void test_v1_parent_limit(void** state) {
   (void)state;
   const char* m = "/sys/fs/cgroup/memory";
   putNum(m, "memory.limit_in_bytes", 9223372036854771712ull);
   putNum(m, "memory.usage_in_bytes", 900 * MiB);
   putNum("/sys/fs/cgroup/memory/a", "memory.limit_in_bytes", 64 * MiB);
   putNum("/sys/fs/cgroup/memory/a", "memory.usage_in_bytes", 3 * MiB);
   putNum("/sys/fs/cgroup/memory/a/b", "memory.limit_in_bytes", 9223372036854771712ull);
   putNum("/sys/fs/cgroup/memory/a/b", "memory.usage_in_bytes", 1 * MiB);
   MemLimit l;
   assert_int_equal(
       MemLimit_find("9:name=systemd:/\n4:memory:/a/b\n0::/\n", MOUNTS_HYBRID, root, &l), 0);
   assert_int_equal(l.limit, 64 * MiB);
   assert_int_equal(l.usage, 3 * MiB);
   assert_string_equal(l.cgroup, "/a");
   /* controllers named together on one line */
   assert_int_equal(MemLimit_find("3:cpu,memory:/a/b\n", MOUNTS_HYBRID, root, &l), 0);
   assert_string_equal(l.cgroup, "/a");
   /* a "memoryx" controller is not memory: no path, no limit */
   assert_int_equal(MemLimit_find("3:memoryx:/a/b\n", MOUNTS_HYBRID, root, &l), 1);
}

/* v2: "max" is no limit; the leaf's limit is found */
static void test_v2_leaf_limit(void** state) {
   (void)state;
   put("/sys/fs/cgroup/x.slice", "memory.max", "max\n");
   putNum("/sys/fs/cgroup/x.slice", "memory.current", 50 * MiB);
   putNum("/sys/fs/cgroup/x.slice/y.service", "memory.max", 30 * MiB);
   putNum("/sys/fs/cgroup/x.slice/y.service", "memory.current", 2 * MiB);
   MemLimit l;
   assert_int_equal(MemLimit_find("0::/x.slice/y.service\n", MOUNTS_V2, root, &l), 0);
   assert_int_equal(l.limit, 30 * MiB);
   assert_int_equal(l.usage, 2 * MiB);
   assert_string_equal(l.cgroup, "/x.slice/y.service");
   /* no limit anywhere on the way */
   assert_int_equal(MemLimit_find("0::/x.slice\n", MOUNTS_V2, root, &l), 1);
   /* no memory hierarchy mounted at all */
   assert_int_equal(MemLimit_find("0::/x.slice\n", "proc /proc proc rw 0 0\n", root, &l), -1);
}

/* In a container the mount is the container's own cgroup: the path named
 * by /proc/self/cgroup is not under it, its root's limit is the one. */
static void test_container_root(void** state) {
   (void)state;
   putNum("/sys/fs/cgroup", "memory.max", 100 * MiB);
   putNum("/sys/fs/cgroup", "memory.current", 10 * MiB);
   MemLimit l;
   assert_int_equal(MemLimit_find("0::/docker/abc\n", MOUNTS_V2, root, &l), 0);
   assert_int_equal(l.limit, 100 * MiB);
   assert_string_equal(l.cgroup, "/");
   /* a garbled file is no limit, not a crash or a zero */
   put("/sys/fs/cgroup", "memory.max", "12abc\n");
   assert_int_equal(MemLimit_find("0::/docker/abc\n", MOUNTS_V2, root, &l), 1);
}

static void test_fit(void** state) {
   (void)state;
   MemNeed n = {.load_peak = 50 * MiB, .fixed = 44 * MiB, .entry = 384, .cap = 100000};
   MemLimit l = {.limit = 64 * MiB, .usage = 1 * MiB};
   size_t cap;
   uint64_t need;
   assert_int_equal(MemLimit_fit(&l, &n, &cap, &need), 0);
   assert_int_equal(cap, (63 - 44) * MiB / 384); /* 51882 */
   assert_int_equal(need, 50 * MiB);
   /* the load's peak does not fit, though the rest would */
   l.limit = 50 * MiB;
   assert_int_equal(MemLimit_fit(&l, &n, &cap, &need), -1);
   assert_int_equal(need, 50 * MiB);
   /* the peak fits, the history's least does not */
   n.load_peak = 40 * MiB;
   l.limit = 46 * MiB;
   assert_int_equal(MemLimit_fit(&l, &n, &cap, &need), -1);
   assert_int_equal(need, 44 * MiB + 4096 * 384);
   /* usage above the limit: no room, no wrap */
   l.limit = 64 * MiB;
   l.usage = 65 * MiB;
   assert_int_equal(MemLimit_fit(&l, &n, &cap, &need), -1);
   /* room to spare: the cap asked for stays */
   l.limit = 1024 * MiB;
   l.usage = 0;
   assert_int_equal(MemLimit_fit(&l, &n, &cap, &need), 0);
   assert_int_equal(cap, 100000);
   /* no probe (--no-bpf, a replay) */
   MemNeed np = {.fixed = 8 * MiB, .entry = 512, .cap = 100000};
   l.limit = 20 * MiB;
   assert_int_equal(MemLimit_fit(&l, &np, &cap, &need), 0);
   assert_int_equal(cap, 12 * MiB / 512);
}

int main(void) {
   const struct CMUnitTest tests[] = {
       cmocka_unit_test_setup_teardown(test_v1_parent_limit, setup, teardown),
       cmocka_unit_test_setup_teardown(test_v2_leaf_limit, setup, teardown),
       cmocka_unit_test_setup_teardown(test_container_root, setup, teardown),
       cmocka_unit_test(test_fit),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
