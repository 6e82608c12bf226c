/* cgroups.h: the systemd unit of a cgroup v2 id, as events carry it (the
 * probe's bpf_get_current_cgroup_id, a snapshot's /proc/PID/cgroup).
 *
 * A cgroup v2 id is the inode of its directory under the cgroup2 mount
 * (found in /proc/self/mountinfo). The unit is the deepest directory on the
 * way whose name ends like a systemd unit (.service, .scope, .socket,
 * .mount, .swap, .slice): "ssh.service", "session-3.scope". The directory
 * tree is read again when an unknown id comes, at most once a second, so
 * that a unit made after the last reading is found and a storm of unknown
 * ids costs one walk a second. */
#ifndef VISNET_CGROUPS_H
#define VISNET_CGROUPS_H

#include <stdint.h>

typedef struct Cgroups_ Cgroups;

/* root: the cgroup2 mount, or NULL to find it. NULL if out of memory. */
Cgroups* Cgroups_new(const char* root);
/* The unit of cgroup id, or NULL (the root cgroup, a cgroup outside any
 * unit, an id not found). The string lives until Cgroups_free. */
const char* Cgroups_unit(Cgroups* c, uint64_t id);
/* Cgroups_unit for callbacks that pass the Cgroups as a void* (a filter's
 * unit: terms, the TUI). */
const char* Cgroups_unitOf(void* c, uint64_t id);
void Cgroups_free(Cgroups* c);

#endif
