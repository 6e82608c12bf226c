/* actions.h: acting on what the user sees, each behind a one-key
 * confirmation that names its target: a signal to the selected process
 * (F9 or K, a menu of signals as in htop), closing the selected TCP
 * connection (x), and copying the selected row as one line of text (c,
 * OSC 52 to the terminal's clipboard, and shown in the footer). The UI
 * only names the target; the owner acts (UI_CMD_ACTION) and says how it
 * went. */
#ifndef VISNET_TUI_ACTIONS_H
#define VISNET_TUI_ACTIONS_H

#include "buf.h"
#include "store.h"
#include "ui.h"

void Actions_signal(Ui* ui);
void Actions_close(Ui* ui);
void Actions_copy(Ui* ui);
/* A key while the menu or a confirmation is up; false if none is. */
bool Actions_key(Ui* ui, int ch);
void Actions_drawMenu(Ui* ui);
/* The confirmation's question for the footer, or false. */
bool Actions_prompt(const Ui* ui, Buf* b);

#endif
