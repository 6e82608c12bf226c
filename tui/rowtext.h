/* rowtext.h: the text of one row of the tree screen (its columns, tree
 * lines, and what the row is: process, remote, connection, listener), in
 * a Buf with colour classes. Knows what a row shows and nothing else: no
 * curses, no selection, no store. Also where the ssh session visnet runs
 * under comes from ("you are here"). */
#ifndef VISNET_TUI_ROWTEXT_H
#define VISNET_TUI_ROWTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "columns.h"
#include "rows.h"
#include "tree.h"
#include "services.h"
#include "users.h"

#define ROWTEXT_UNNAMED_MAX 64

typedef struct RowText_ {
   bool utf8;
   uint64_t now_ns; /* the frame's clock (CLOCK_BOOTTIME, or the replay's) */
   UserName* users;
   ServiceName* services; /* names of ports, unless numeric */
   bool numeric;          /* -n: ports as numbers */
   bool health;           /* the RTT and RETR columns (a wide enough terminal) */
   bool narrow;           /* no USER and CONNS columns (a narrow one) */
   bool dns; /* show names of remote addresses */
   uint8_t cols[COL__COUNT]; /* the columns in the user's order (Column) */
   int ncols;                /* 0: all, in their default order */
   bool units;               /* each process's systemd unit or container after it */
   const char* (*unit)(void* ctx, uint64_t cgroup);
   void* unit_ctx;
   /* remote addresses drawn without a name since the owner last asked */
   uint8_t unnamed[ROWTEXT_UNNAMED_MAX][16];
   size_t nunnamed;
   /* the ssh connection visnet runs under */
   bool have_ssh;
   uint8_t ssh_client[16], ssh_server[16];
   uint16_t ssh_cport, ssh_sport;
   const struct Fleet_* fleet; /* --remote: host rows, and the other ends */
} RowText;

/* The sort key of the column title at screen column x (the PROCESS column's:
 * name), or -1 for a column without one (USER). */
int RowText_columnAt(const RowText* rt, int x);
/* The columns' titles, in the same widths as the rows. */
void RowText_titles(const RowText* rt, TreeView view, Buf* b);
/* The whole text of a row, tree lines included. */
void RowText_format(RowText* rt, const TreeNode* n, Buf* b);
/* Finds the ssh session from SSH_CONNECTION, or under sudo, which drops
 * it, from the environment of the shell that ran sudo. */
void RowText_findSsh(RowText* rt);
/* "exited 2m ago" and the like, in the secondary colour. */
void RowText_ago(const RowText* rt, Buf* b, const char* what, uint64_t since);
/* A user's name, from the shared cache. */
const char* RowText_user(RowText* rt, uint32_t uid);

#endif
