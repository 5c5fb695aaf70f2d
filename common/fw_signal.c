/* fw_signal: see fw_signal.h. */
#include "fw_signal.h"

#include <signal.h>
#include <string.h>

int fw_signal_catch(void (*handler)(int), const int *signals, size_t n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: see fw_signal.h */
    for (size_t i = 0; i < n; i++)
        if (sigaction(signals[i], &sa, NULL) != 0)
            return -1;
    return 0;
}
