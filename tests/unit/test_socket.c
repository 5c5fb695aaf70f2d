/* fw_socket: a socket comes back with the options asked for, bound or connected, or
 * not at all, with the step that failed and why. */
#include <criterion/criterion.h>

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_socket.h"
#include "fw_testproc.h"

static void *s_ctx;

static void s_setup(void)
{
    s_ctx = zmq_ctx_new();
    cr_assert_not_null(s_ctx);
}

static void s_teardown(void)
{
    zmq_ctx_term(s_ctx);
}

TestSuite(fw_socket, .init = s_setup, .fini = s_teardown);

static int s_int_option(void *sock, int option)
{
    int v = 0;
    size_t len = sizeof v;
    cr_assert_eq(zmq_getsockopt(sock, option, &v, &len), 0);
    return v;
}

Test(fw_socket, opens_with_the_options_asked_for_and_zeromqs_defaults_otherwise)
{
    char err[256] = "";
    void *router, *dealer;
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.bind = "inproc://fw-socket-options";
    o.linger_ms = 1000;
    o.send_hwm = 100000;
    o.router_mandatory = 1;
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_ROUTER, &o, &router, err, sizeof err), FW_SOCKET_OK,
                 "%s", err);
    cr_expect_eq(s_int_option(router, ZMQ_LINGER), 1000);
    cr_expect_eq(s_int_option(router, ZMQ_SNDHWM), 100000);
    cr_expect_eq(s_int_option(router, ZMQ_SNDTIMEO), -1, "ZeroMQ's default");

    fw_socket_opts_t d = FW_SOCKET_OPTS_INIT;
    d.connect = "inproc://fw-socket-options";
    d.send_timeout_ms = 250;
    d.reconnect_ms = 1000;
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_DEALER, &d, &dealer, err, sizeof err), FW_SOCKET_OK,
                 "%s", err);
    cr_expect_eq(s_int_option(dealer, ZMQ_LINGER), 0, "closing drops what is unsent");
    cr_expect_eq(s_int_option(dealer, ZMQ_SNDTIMEO), 250);
    cr_expect_eq(s_int_option(dealer, ZMQ_RECONNECT_IVL), 1000);
    cr_expect_eq(s_int_option(dealer, ZMQ_SNDHWM), 1000, "ZeroMQ's default");

    /* Connected: the router hears the dealer. */
    char buf[16];
    cr_assert_eq(zmq_send(dealer, "hi", 2, 0), 2);
    cr_assert_gt(zmq_recv(router, buf, sizeof buf, 0), 0, "routing id");
    cr_assert_eq(zmq_recv(router, buf, sizeof buf, 0), 2);

    cr_assert_eq(fw_socket_set_linger(dealer, 300), 0);
    cr_expect_eq(s_int_option(dealer, ZMQ_LINGER), 300);
    zmq_close(dealer);
    zmq_close(router);
}

Test(fw_socket, a_subscriber_hears_everything_published)
{
    char err[256] = "";
    void *pub, *sub;
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.bind = "inproc://fw-socket-pub";
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_PUB, &o, &pub, err, sizeof err), FW_SOCKET_OK);
    cr_assert_eq(fw_socket_subscriber(s_ctx, "inproc://fw-socket-pub", NULL, 0, 0, NULL, NULL, &sub, err,
                                      sizeof err),
                 FW_SOCKET_OK, "%s", err);
    cr_expect_eq(s_int_option(sub, ZMQ_LINGER), 0);

    /* A subscription reaches the publisher a moment after the connection: publish until
     * something arrives. */
    char buf[16];
    int got = -1;
    int64_t until = fw_clock_ms() + 5000;
    while (got < 0 && fw_clock_ms() < until) {
        zmq_send(pub, "any topic", 9, 0);
        got = zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT);
        if (got < 0)
            fw_clock_sleep_ms(5);
    }
    cr_assert_eq(got, 9, "every topic is subscribed to");
    zmq_close(sub);
    zmq_close(pub);
}

Test(fw_socket, a_refused_endpoint_leaves_nothing_open_and_says_why)
{
    char err[256] = "";
    void *sock = (void *)&err;
    fw_watch_t *watch = (fw_watch_t *)&err;
    cr_assert_eq(fw_socket_subscriber(s_ctx, "nonsense://x", &watch, 1000, 3000, NULL, NULL, &sock, err,
                                      sizeof err),
                 FW_SOCKET_EENDPOINT);
    cr_expect_null(sock);
    cr_expect_null(watch, "the watch made before the connection is gone too");
    cr_expect(strstr(err, "cannot subscribe to 'nonsense://x': ") == err, "%s", err);

    fw_socket_opts_t d = FW_SOCKET_OPTS_INIT;
    d.connect = "tcp://";
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_DEALER, &d, &sock, err, sizeof err),
                 FW_SOCKET_EENDPOINT);
    cr_expect(strstr(err, "cannot connect to 'tcp://': ") == err, "%s", err);
}

Test(fw_socket, an_endpoint_in_use_is_refused_with_errno_kept)
{
    char err[256] = "";
    void *first, *second;
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.bind = "inproc://fw-socket-taken";
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_PUB, &o, &first, err, sizeof err), FW_SOCKET_OK);
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_PUB, &o, &second, err, sizeof err),
                 FW_SOCKET_EENDPOINT);
    cr_expect_eq(errno, EADDRINUSE, "the caller can word the reason its own way");
    cr_expect_null(second);
    cr_expect(strstr(err, "cannot bind to 'inproc://fw-socket-taken': ") == err, "%s", err);
    zmq_close(first);
}

Test(fw_socket, an_option_the_socket_type_refuses_is_a_setup_error)
{
    char err[256] = "";
    void *sock;
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.connect = "inproc://fw-socket-none";
    o.router_mandatory = 1; /* a DEALER has no such option */
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_DEALER, &o, &sock, err, sizeof err),
                 FW_SOCKET_ESETUP);
    cr_expect_null(sock);
    cr_expect(strstr(err, "cannot set up a socket: ") == err, "%s", err);
    cr_expect_str_eq(fw_socket_strerror(FW_SOCKET_ESETUP), "cannot set up the socket");
}

/* A bound socket lets many connections wait to be accepted: all of a large run's
 * agents connect at once. Here 300 DEALERs that never retry a refused connection
 * (ZMQ_RECONNECT_IVL -1) each say hello over ipc://, and every hello arrives. With
 * libzmq's backlog of 100, the connections past it were refused and, in a run, came
 * in only a reconnect interval later. */
Test(fw_socket, a_bound_socket_takes_hundreds_of_connections_at_once)
{
    enum { N = 300 };
    char dir[64], url[128], err[256] = "";
    /* Two descriptors a connection here (and an eventfd a socket): past a soft limit
     * of 1024, taken up to the hard limit. */
    struct rlimit nofile;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &nofile), 0);
    nofile.rlim_cur = nofile.rlim_max;
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &nofile), 0);
    cr_assert_geq(nofile.rlim_cur, (rlim_t)(4 * N), "too few file descriptors for the test");
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(url, sizeof url, "ipc://%s/many", dir);
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.bind = url;
    void *router;
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_ROUTER, &o, &router, err, sizeof err), FW_SOCKET_OK,
                 "%s", err);
    cr_expect_geq(s_int_option(router, ZMQ_BACKLOG), 1024);
    static void *dealers[N];
    for (int i = 0; i < N; i++) {
        int never = -1, linger = 0;
        dealers[i] = zmq_socket(s_ctx, ZMQ_DEALER);
        cr_assert_not_null(dealers[i]);
        zmq_setsockopt(dealers[i], ZMQ_RECONNECT_IVL, &never, sizeof never);
        zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger);
        cr_assert_eq(zmq_connect(dealers[i], url), 0);
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(zmq_send(dealers[i], "hi", 2, ZMQ_DONTWAIT), 2);
    int timeout = 30000;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char buf[64];
    for (int got = 0; got < N; got++) {
        cr_assert_gt(zmq_recv(router, buf, sizeof buf, 0), 0,
                     "%d of %d connections came in; the rest were refused", got, N);
        cr_assert_eq(zmq_recv(router, buf, sizeof buf, 0), 2);
    }
    for (int i = 0; i < N; i++)
        zmq_close(dealers[i]);
    zmq_close(router);
    fw_test_rmtree(dir);
}
