/* keys.h: what each key does (htop and less habits), as a table that the
 * help screen is made from. */
#ifndef VISNET_TUI_KEYS_H
#define VISNET_TUI_KEYS_H

#include <stdbool.h>

#include "store.h"
#include "ui.h"

/* A binding of the tree screen: its keys (0-terminated), how the help
 * names them and what it says they do (NULL: shown with the line before),
 * and the action (1: quit). */
#define KEYS_PER_ACTION 4
typedef struct KeyAction_ {
   int keys[KEYS_PER_ACTION];
   const char* label;
   const char* what;
   int (*run)(Ui* ui, Store* s);
   bool global; /* also in prompts and overlays */
} KeyAction;
extern const KeyAction Keys_table[]; /* ends with run == NULL */

/* Handles one key. Returns 1 when the user asked to quit. */
int Keys_handle(Ui* ui, Store* s, int ch);

#endif
