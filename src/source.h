/* source.h: where events come from in a live run.
 *
 *  live    the eBPF probe, attached first, then a snapshot of what already
 *          runs; the ring buffer holds probe events during the snapshot and
 *          they are applied after it, so nothing is lost or doubled.
 *  poll    periodic snapshots (no eBPF: --no-bpf, or the probe failed).
 *  replay  a recorded event log, paced by --speed.
 */
#ifndef VISNET_SOURCE_H
#define VISNET_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "loop.h"
#include "options.h"
#include "snapshot.h"
#include "store.h"

typedef enum SourceKind_ { SOURCE_LIVE = 0, SOURCE_POLL, SOURCE_REPLAY } SourceKind;

typedef struct Source_ Source;

/* Opens the source chosen by the options; events go to sink. Falls back
 * from live to poll when the probe cannot load; why is in Source_note. The
 * store is read by the poll mode to close what disappeared. */
Source* Source_open(const Options* o, Loop* loop, Store* store, EventSink sink, void* ctx,
                    char* err, size_t errlen);
SourceKind Source_kind(const Source* s);
const char* Source_label(const Source* s);  /* "eBPF live", "snapshot polling", "replay" */
const char* Source_note(const Source* s);   /* why we fell back, warnings; "" if none */
uint64_t Source_lost(const Source* s);      /* events lost in the kernel */
uint64_t Source_untracked(const Source* s); /* sockets the probe could not give an owner */
void Source_mapFull(const Source* s, MapFull* out); /* per table; all 0 without a probe */
uint64_t Source_events(const Source* s);    /* events delivered */
bool Source_done(const Source* s);          /* replay finished */
/* A replay that stopped at a bad record: the one-line error, else NULL. */
const char* Source_error(const Source* s);
/* The clock of the events: now in a live run, the replay position in a
 * replay (ns since boot of the recorded host). */
uint64_t Source_now(const Source* s);
/* The wall clock of the events' boot (ns since the epoch): this machine's,
 * or the recorded one's in a replay; s may be NULL (this machine's). */
uint64_t Source_bootTimeNs(const Source* s);
/* The host the events come from: the recorded one in a replay, else NULL
 * (this machine). */
const char* Source_host(const Source* s);
/* A replay's pause (P): true if that changed anything (not a replay, done). */
bool Source_pause(Source* s, bool on);
bool Source_paused(const Source* s);
/* While paused: let ns more of the log's time through at the next tick. */
void Source_step(Source* s, uint64_t ns);
/* A replay's position: ns of log time since its first event, and the
 * fraction of the file read (0 to 1). */
uint64_t Source_replayAt(const Source* s);
double Source_replayDone(const Source* s);
/* Called on every refresh tick: reads kernel aggregates, polls, paces replay. */
int Source_tick(Source* s);
void Source_close(Source* s);

#endif
