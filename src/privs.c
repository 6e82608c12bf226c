/* privs.c: after attach the probe's fds are all visnet needs; reading the
 * ring buffer and maps through them takes no capability. */
#include "privs.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int Privs_dropAll(void) {
   for (int cap = 0; cap <= 63; cap++) {
      /* EINVAL past the kernel's last capability ends the bounding set. */
      if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
         break;
   }
   struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
   struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
   if (syscall(SYS_capset, &hdr, data) < 0)
      return -1;
   return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
