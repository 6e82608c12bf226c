/* probe_env.c: the VISNET_PROBE_* aliases (probe_env.h). */
#include "probe_env.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool ProbeEnv_is(const char* name, const char* value) {
   const char* v = getenv(name);
   return v && strcmp(v, value) == 0;
}

/* A whole number up to UINT32_MAX, or -1. */
static long long ProbeEnv_number(const char* name) {
   const char* v = getenv(name);
   char* end;
   if (!v || *v < '0' || *v > '9')
      return -1;
   errno = 0;
   unsigned long long n = strtoull(v, &end, 10);
   return errno || *end || n > UINT32_MAX ? -1 : (long long)n;
}

void ProbeEnv_read(ProbeOpts* p) {
   p->bytes_trace = ProbeEnv_is("VISNET_PROBE_BYTES", "trace");
   p->states_all = ProbeEnv_is("VISNET_PROBE_STATES", "all");
   p->compat = ProbeEnv_is("VISNET_PROBE_COMPAT", "1");
   long long n = ProbeEnv_number("VISNET_PROBE_OWNER_BUCKETS");
   if (n >= 0)
      p->owner_buckets = (uint32_t)n;
   n = ProbeEnv_number("VISNET_PROBE_RING_KIB");
   if (n >= 0)
      p->ring_kib = (uint32_t)n;
   n = ProbeEnv_number("VISNET_PROBE_WAKEUP");
   if (n >= 0)
      p->wakeup_bytes = n ? (uint32_t)n : 1;
}
