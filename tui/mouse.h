/* mouse.h: the mouse, as htop takes it: a click selects a row, a click on
 * a column title sorts by it (again: the other way), the wheel scrolls, a
 * click on a fold marker (▸ ▾) opens or closes it. */
#ifndef VISNET_TUI_MOUSE_H
#define VISNET_TUI_MOUSE_H

#include <stdbool.h>

#include "store.h"
#include "ui.h"

/* Asks the terminal for mouse events, or stops. */
void Mouse_enable(bool on);
/* Handles the mouse event that getch reported as KEY_MOUSE. */
void Mouse_event(Ui* ui, Store* s);

#endif
