/* fw_watch against real sockets on ipc:// in a temporary directory: nothing at the
 * address, a peer that answers, a peer that closes, and a peer that stops answering
 * (a process frozen with SIGSTOP: its kernel keeps the connection open, only the
 * heartbeats can tell). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_testproc.h"
#include "fw_watch.h"

static char s_dir[64], s_url[256];
static void *s_ctx;

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_url, sizeof s_url, "ipc://%s/peer", s_dir);
    s_ctx = zmq_ctx_new();
    cr_assert_not_null(s_ctx);
}

static void s_teardown(void)
{
    zmq_ctx_term(s_ctx);
    fw_test_rmtree(s_dir);
}

TestSuite(fw_watch, .init = s_setup, .fini = s_teardown, .timeout = 60);

static void *s_socket(int type)
{
    void *s = zmq_socket(s_ctx, type);
    int linger = 0;
    cr_assert_not_null(s);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    return s;
}

/* Polls until the watch reaches `want`, at most timeout_ms; returns the time taken or
 * -1. */
static int64_t s_wait_state(fw_watch_t *w, fw_watch_state_t want, int timeout_ms)
{
    int64_t t0 = fw_clock_ms();
    while (fw_clock_ms() - t0 < timeout_ms) {
        if (fw_watch_poll(w, fw_clock_ms()) == want)
            return fw_clock_ms() - t0;
        fw_clock_sleep_ms(10);
    }
    return -1;
}

Test(fw_watch, nothing_at_the_address_stays_never_and_counts_failed_attempts)
{
    void *dealer = s_socket(ZMQ_DEALER);
    char err[200];
    int ivl = 100;
    zmq_setsockopt(dealer, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    fw_watch_t *w = fw_watch_new(s_ctx, dealer, 200, 600, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    cr_assert_eq(zmq_connect(dealer, s_url), 0);
    int64_t t0 = fw_clock_ms();
    while (fw_watch_failures(w) == 0 && fw_clock_ms() - t0 < 10000) {
        fw_watch_poll(w, fw_clock_ms());
        fw_clock_sleep_ms(10);
    }
    cr_assert_gt(fw_watch_failures(w), 0, "failed attempts are counted");
    cr_assert_eq(fw_watch_state(w), FW_WATCH_NEVER);
    cr_assert_str_eq(fw_watch_state_name(FW_WATCH_NEVER), "not reached yet");
    fw_watch_destroy(&w);
    cr_assert_null(w);
    fw_watch_destroy(&w); /* NULL-safe */
    zmq_close(dealer);
}

Test(fw_watch, a_peer_that_closes_is_lost_at_once_and_found_again)
{
    char err[200];
    void *router = s_socket(ZMQ_ROUTER);
    cr_assert_eq(zmq_bind(router, s_url), 0);
    void *dealer = s_socket(ZMQ_DEALER);
    int ivl = 100;
    zmq_setsockopt(dealer, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    fw_watch_t *w = fw_watch_new(s_ctx, dealer, 500, 5000, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    cr_assert_eq(zmq_connect(dealer, s_url), 0);
    cr_assert_geq(s_wait_state(w, FW_WATCH_UP, 10000), 0, "the handshake is seen");

    zmq_close(router);
    /* Far below the heartbeat timeout: a closed end is seen without it. */
    cr_assert_geq(s_wait_state(w, FW_WATCH_DOWN, 4000), 0, "a closed peer is seen at once");
    cr_assert_eq(fw_watch_drops(w), 1);

    router = s_socket(ZMQ_ROUTER);
    cr_assert_eq(zmq_bind(router, s_url), 0);
    cr_assert_geq(s_wait_state(w, FW_WATCH_UP, 10000), 0, "ZeroMQ reconnects by itself");
    fw_watch_destroy(&w);
    zmq_close(dealer);
    zmq_close(router);
}

Test(fw_watch, a_frozen_peer_is_lost_by_its_missing_heartbeats)
{
    char ready[300], err[200];
    snprintf(ready, sizeof ready, "%s/ready", s_dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* The peer: its own context, bound, then idle until killed. */
        void *ctx = zmq_ctx_new();
        void *router = zmq_socket(ctx, ZMQ_ROUTER);
        if (!router || zmq_bind(router, s_url) != 0)
            _exit(1);
        FILE *f = fopen(ready, "w");
        if (f)
            fclose(f);
        for (;;)
            pause();
    }
    cr_assert_eq(fw_test_wait_file(ready, 10000), 0, "the peer did not bind");
    void *dealer = s_socket(ZMQ_DEALER);
    fw_watch_t *w = fw_watch_new(s_ctx, dealer, 200, 800, err, sizeof err);
    cr_assert_not_null(w, "%s", err);
    cr_assert_eq(zmq_connect(dealer, s_url), 0);
    int64_t up = s_wait_state(w, FW_WATCH_UP, 10000);
    kill(pid, SIGSTOP);
    int64_t lost = s_wait_state(w, FW_WATCH_DOWN, 15000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    cr_assert_geq(up, 0, "the handshake is seen");
    cr_assert_geq(lost, 0, "a peer that stops answering is lost after the heartbeat timeout");
    fw_watch_destroy(&w);
    zmq_close(dealer);
}
