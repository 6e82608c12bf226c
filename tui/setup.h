/* setup.h: the setup screen (F2, as in htop): the settings a user keeps,
 * one line each, changed in place and in effect at once. When it closes,
 * the UI's owner is told (UI_CMD_PREFS) and saves what changed since it
 * opened (Ui_prefsChanged); the file itself is the owner's business. */
#ifndef VISNET_TUI_SETUP_H
#define VISNET_TUI_SETUP_H

#include "store.h"
#include "ui.h"

/* Opens the screen: the values as they are now are what a change is
 * measured against. */
void Setup_open(Ui* ui);
/* Handles a key while it is open. */
void Setup_key(Ui* ui, Store* s, int ch);
void Setup_draw(Ui* ui);

#endif
