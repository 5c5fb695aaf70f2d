/* fw_signal: see fw_signal.h. */
#include "fw_signal.h"

#include <signal.h>
#include <string.h>

/* Sets one disposition for n signals; no SA_RESTART (see fw_signal.h). */
static int s_set(void (*handler)(int), const int *signals, size_t n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    for (size_t i = 0; i < n; i++)
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    return 0;
}

int fw_signal_catch(void (*handler)(int), const int *signals, size_t n)
{
    return s_set(handler, signals, n);
}

int fw_signal_ignore(const int *signals, size_t n)
{
    return s_set(SIG_IGN, signals, n);
}

int fw_signal_restore(const int *signals, size_t n)
{
    sigset_t none;
    if (s_set(SIG_DFL, signals, n) != 0)
        return -1;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}
