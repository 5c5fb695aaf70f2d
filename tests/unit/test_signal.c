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

Test(fw_signal, an_ignored_sigpipe_makes_a_write_to_a_closed_pipe_an_error)
{
    static const int ignored[] = {SIGPIPE};
    int fds[2];
    cr_assert_eq(fw_signal_ignore(ignored, 1), 0);
    cr_assert_eq(pipe(fds), 0);
    close(fds[0]);
    cr_assert_eq(write(fds[1], "x", 1), -1, "the process is still here to see it");
    cr_assert_eq(errno, EPIPE);
    close(fds[1]);
}

Test(fw_signal, restore_gives_back_the_default_action_and_unblocks_every_signal)
{
    static const int signals[] = {SIGUSR2, SIGPIPE};
    struct sigaction now;
    sigset_t blocked, mask;
    cr_assert_eq(fw_signal_catch(s_on_signal, signals, 1), 0);
    cr_assert_eq(fw_signal_ignore(signals + 1, 1), 0);
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    cr_assert_eq(sigprocmask(SIG_BLOCK, &blocked, NULL), 0);

    cr_assert_eq(fw_signal_restore(signals, 2), 0);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(sigaction(signals[i], NULL, &now), 0);
        cr_assert(now.sa_handler == SIG_DFL, "signal %d", signals[i]);
    }
    cr_assert_eq(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
    cr_assert_not(sigismember(&mask, SIGUSR2));
}
