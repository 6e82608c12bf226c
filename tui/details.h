/* details.h: the details pane of the selected row (Enter or i): the full
 * command line, exe, user, cgroup, times, and every socket of the item,
 * scrolled with the arrows. */
#ifndef VISNET_TUI_DETAILS_H
#define VISNET_TUI_DETAILS_H

#include <stdbool.h>
#include <stdint.h>

#include "term.h"
#include "tree.h"
#include "users.h"

typedef struct Details_ {
   bool open;
   int scroll;
   uint64_t key; /* the row it was opened on */
   const char* (*unit)(void* ctx, uint64_t cgroup); /* a cgroup's unit, or NULL */
   void* unit_ctx;
   const struct Fleet_* fleet; /* --remote: host rows, and the other ends */
} Details;

void Details_open(Details* d, uint64_t key);
void Details_scroll(Details* d, int delta);
/* Draws the pane over the body for sel, the selected node (NULL: none);
 * now_ns is the frame's clock. */
void Details_draw(Details* d, const Term* t, const TreeNode* sel, UserName** users,
                  uint64_t now_ns);

#endif
