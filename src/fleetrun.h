/* fleetrun.h: visnet --remote: many hosts' visnet --json streams, each
 * through ssh, merged into one view (the UI, --json or --once) with a row
 * per host, and connections joined across hosts (docs/FLEET.md). */
#ifndef VISNET_FLEETRUN_H
#define VISNET_FLEETRUN_H

#include "options.h"

/* Runs until the user quits, a signal or --duration (the UI, --json), or
 * until every host has sent its start-up picture or failed (--once).
 * Returns the process exit code. */
int FleetRun_run(const Options* o);

#endif
