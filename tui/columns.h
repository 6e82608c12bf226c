/* columns.h: the columns of the tree screen before the tree itself, by
 * the names the settings file and the setup screen give them, in the
 * order the user chose. No curses: the settings reader uses it too. */
#ifndef VISNET_TUI_COLUMNS_H
#define VISNET_TUI_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

typedef enum Column_ {
   COL_PID = 0,
   COL_USER,
   COL_CONNS,
   COL_UP,
   COL_DOWN,
   COL_RTT,
   COL_RETR,
   COL__COUNT
} Column;

#define COLUMNS_DEFAULT "pid,user,conns,up,down,rtt,retr"

/* The columns a comma-separated list names, each once, in its order:
 * their count (0 for ""), or -1 with the reason in err. */
int Columns_parse(const char* text, uint8_t cols[COL__COUNT], char* err, size_t errlen);
/* The list back as text. */
void Columns_format(const uint8_t* cols, int n, char* buf, size_t len);
const char* Columns_name(Column c);

#endif
