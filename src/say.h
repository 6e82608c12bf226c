/* say.h: the lines visnet writes to stderr. Messages quote paths and
 * names others chose, so each goes out escaped: one line, and no escape
 * sequence reaches the terminal. */
#ifndef VISNET_SAY_H
#define VISNET_SAY_H

/* Prints "visnet: MESSAGE\n", MESSAGE formatted as printf does, escaped. */
void Say_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
