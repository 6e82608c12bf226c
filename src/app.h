/* app.h: a live, replayed or headless run: the store fed by a source,
 * shown by the UI, streamed as JSON or summarised. */
#ifndef VISNET_APP_H
#define VISNET_APP_H

#include "options.h"

/* Runs until the user quits, a signal, --duration or the end of a replay
 * (in non-interactive modes). Returns the process exit code. */
int App_run(const Options* o);

#endif
