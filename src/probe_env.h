/* probe_env.h: the probe's modes by environment, aliases of visnet's
 * --probe-* options for the tests and measurements (docs/PERFORMANCE.md,
 * ## Probe), read by the program and by the probe's test driver, never by
 * the loader. A value out of range keeps the default:
 *   VISNET_PROBE_BYTES=trace      as --probe-bytes trace
 *   VISNET_PROBE_STATES=all       as --probe-states all
 *   VISNET_PROBE_COMPAT=1         the probe built without kfuncs
 *   VISNET_PROBE_OWNER_BUCKETS=N  an owner table of N buckets of 8
 *   VISNET_PROBE_WAKEUP=N         wake the reader at N bytes waiting (0: at
 *                                 every record)
 */
#ifndef VISNET_PROBE_ENV_H
#define VISNET_PROBE_ENV_H

#include "probe.h"

void ProbeEnv_read(ProbeOpts* p);

#endif
