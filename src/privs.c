/* privs.c: after attach the probe's fds are all visnet needs; reading the
 * ring buffer and maps through them takes no capability. */
#include "privs.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int Privs_drop(uint64_t keep) {
   struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
   struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
   if (syscall(SYS_capget, &hdr, data) < 0)
      return -1;
   uint64_t have = (uint64_t)data[1].permitted << 32 | data[0].permitted;
   keep &= have;
   for (int cap = 0; cap <= 63; cap++) {
      if (keep & (1ull << cap))
         continue;
      /* EINVAL past the kernel's last capability ends the bounding set. */
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
         break;
   }
   for (int i = 0; i < 2; i++) {
      data[i].effective = data[i].permitted = (uint32_t)(keep >> (32 * i));
      data[i].inheritable = 0;
   }
   return (int)syscall(SYS_capset, &hdr, data);
}
