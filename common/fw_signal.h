/* fw_signal: how every Flywheel program catches, ignores and hands back its signals.
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

/* Ignores each of the n signals (SIGPIPE: a peer gone mid-write is an error return,
 * not the end of the process). Returns 0, or -1 with errno set, as fw_signal_catch. */
int fw_signal_ignore(const int *signals, size_t n);

/* For a forked child before exec: puts each of the n signals back to its default
 * action and unblocks every signal, so the program it runs sees them the ordinary way
 * (a caught signal's handler would be reset by exec anyway, an ignored one and the
 * mask would not). Only async-signal-safe calls. Returns 0, or -1 with errno set. */
int fw_signal_restore(const int *signals, size_t n);

#endif
