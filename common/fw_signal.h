/* fw_signal: how every Flywheel program catches its signals.
 *
 * The handler only sets a flag the program's loop reads (a handler cannot take
 * arguments, so that flag is the one piece of file-scope state a program's main.c
 * keeps). No SA_RESTART: a blocking call (zmq_poll, a read, a nap) returns EINTR, so
 * the loop sees the flag at once instead of after its timeout.
 */
#ifndef FW_SIGNAL_H
#define FW_SIGNAL_H

#include <stddef.h>

/* Installs `handler` for each of the n signals. Returns 0, or -1 with errno set (the
 * signals before the one that failed keep the handler). */
int fw_signal_catch(void (*handler)(int), const int *signals, size_t n);

#endif
