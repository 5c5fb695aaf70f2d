/* fw_signal: a caught signal sets the program's flag and interrupts a blocking call
 * (no SA_RESTART), so a loop notices it at once; a signal that cannot be caught is an
 * error. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "fw_signal.h"

static volatile sig_atomic_t s_flag;

static void s_on_signal(int sig)
{
    s_flag = sig;
}

Test(fw_signal, a_caught_signal_sets_the_flag_and_interrupts_a_blocking_read)
{
    static const int signals[] = {SIGUSR1, SIGALRM};
    int fds[2];
    char byte;
    cr_assert_eq(fw_signal_catch(s_on_signal, signals, 2), 0);
    kill(getpid(), SIGUSR1);
    cr_assert_eq(s_flag, SIGUSR1);

    /* Nothing will ever come down this pipe: only the alarm ends the read. */
    cr_assert_eq(pipe(fds), 0);
    struct itimerval in = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &in, NULL);
    ssize_t got = read(fds[0], &byte, 1);
    cr_assert_eq(got, -1);
    cr_assert_eq(errno, EINTR, "not restarted: the caller's loop sees the flag");
    cr_assert_eq(s_flag, SIGALRM);
    close(fds[0]);
    close(fds[1]);
}

Test(fw_signal, a_signal_that_cannot_be_caught_is_an_error)
{
    static const int signals[] = {SIGKILL};
    cr_assert_eq(fw_signal_catch(s_on_signal, signals, 1), -1);
    cr_assert_eq(errno, EINVAL);
}
