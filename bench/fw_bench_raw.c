/* flywheel-bench-raw: the ceiling a lockstep tick can reach over ZeroMQ, with no logic.
 *
 * A ROUTER (this process) sends a small tick message to each of N DEALERs and waits for
 * N small replies, T times. The DEALERs live in P child processes (N / P each: P = N
 * is one process per seat, as `flywheel run` starts them; P = 4 is four batched
 * processes), or, with --inproc, in P threads of this process over inproc:// (the
 * ceiling for an embedded run). It prints ticks per second after a warm-up, and the
 * start-up (until every DEALER has answered once) separately, so that Flywheel's
 * figures can be read against what the wire itself allows (scripts/bench-scale).
 *
 * The messages are the size of a small Flywheel envelope (64 bytes out, 48 back); the
 * DEALERs answer as soon as they read. Nothing here is Flywheel's code path: that is
 * the point.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#define S_TICK_BYTES 64
#define S_REPLY_BYTES 48

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    void *ctx;          /* inproc: the parent's context; else NULL (own context) */
    const char *url;
    int first, count;   /* DEALERs first..first+count-1 */
} s_worker_t;

/* Serves `count` DEALERs until each has been told to stop (an empty message). */
static void *s_worker(void *arg)
{
    const s_worker_t *w = arg;
    void *ctx = w->ctx ? w->ctx : zmq_ctx_new();
    void **socks = calloc((size_t)w->count, sizeof *socks);
    zmq_pollitem_t *items = calloc((size_t)w->count, sizeof *items);
    if (!ctx || !socks || !items) {
        fprintf(stderr, "flywheel-bench-raw: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < w->count; i++) {
        char id[16];
        int linger = 0, n = snprintf(id, sizeof id, "s%d", w->first + i);
        socks[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(socks[i], ZMQ_ROUTING_ID, id, (size_t)n);
        zmq_setsockopt(socks[i], ZMQ_LINGER, &linger, sizeof linger);
        if (zmq_connect(socks[i], w->url) != 0) {
            fprintf(stderr, "flywheel-bench-raw: connect %s: %s\n", w->url,
                    zmq_strerror(zmq_errno()));
            exit(1);
        }
        zmq_send(socks[i], "ready", 5, 0);
        items[i] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
    }
    char buf[S_TICK_BYTES], reply[S_REPLY_BYTES];
    memset(reply, 'r', sizeof reply);
    int live = w->count;
    while (live > 0) {
        if (zmq_poll(items, w->count, -1) < 0)
            break;
        for (int i = 0; i < w->count; i++) {
            if (!items[i].socket || !(items[i].revents & ZMQ_POLLIN))
                continue;
            int n = zmq_recv(socks[i], buf, sizeof buf, ZMQ_DONTWAIT);
            if (n == 0) { /* stop */
                items[i].socket = NULL;
                items[i].events = 0;
                live--;
            } else if (n > 0) {
                zmq_send(socks[i], reply, sizeof reply, 0);
            }
        }
    }
    for (int i = 0; i < w->count; i++)
        zmq_close(socks[i]);
    free(socks);
    free(items);
    if (!w->ctx)
        zmq_ctx_term(ctx);
    return NULL;
}

static void s_usage(FILE *f)
{
    fprintf(f, "usage: flywheel-bench-raw --seats N [--procs P] [--ticks T] [--inproc]\n"
               "Lockstep over ZeroMQ with no logic: the ceiling for a tick of N seats.\n"
               "  --seats N   DEALERs (seats)\n"
               "  --procs P   processes (or threads with --inproc) holding them (default N)\n"
               "  --ticks T   ticks measured after 50 of warm-up (default 2000)\n"
               "  --inproc    threads over inproc:// instead of processes over ipc://\n"
               "Prints: seats, procs, transport, start-up seconds, ticks/s.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seats", required_argument, NULL, 'n'}, {"procs", required_argument, NULL, 'p'},
        {"ticks", required_argument, NULL, 't'}, {"inproc", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int seats = 0, procs = 0, ticks = 2000, inproc = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': seats = atoi(optarg); break;
        case 'p': procs = atoi(optarg); break;
        case 't': ticks = atoi(optarg); break;
        case 'i': inproc = 1; break;
        case 'h': s_usage(stdout); return 0;
        default: s_usage(stderr); return 2;
        }
    }
    if (seats < 1 || ticks < 1) {
        s_usage(stderr);
        return 2;
    }
    if (procs < 1 || procs > seats)
        procs = seats;
    char url[128];
    if (inproc)
        snprintf(url, sizeof url, "inproc://fw-bench-raw");
    else
        snprintf(url, sizeof url, "ipc:///tmp/fw-bench-raw-%d", (int)getpid());

    void *ctx = zmq_ctx_new();
    /* inproc: every DEALER is a socket of this context (1023 by default). */
    if (seats + 8 > zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS))
        zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, seats + 8);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int hwm = 0, linger = 0;
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(router, url) != 0) {
        fprintf(stderr, "flywheel-bench-raw: bind %s: %s\n", url, zmq_strerror(zmq_errno()));
        return 1;
    }
    double t0 = s_now();
    s_worker_t *w = calloc((size_t)procs, sizeof *w);
    pthread_t *threads = calloc((size_t)procs, sizeof *threads);
    pid_t *pids = calloc((size_t)procs, sizeof *pids);
    for (int p = 0, first = 0; p < procs; p++) {
        int count = seats / procs + (p < seats % procs);
        w[p] = (s_worker_t){inproc ? ctx : NULL, url, first, count};
        first += count;
        if (inproc) {
            pthread_create(&threads[p], NULL, s_worker, &w[p]);
        } else if ((pids[p] = fork()) == 0) {
            s_worker(&w[p]);
            _exit(0);
        }
    }
    char (*ids)[16] = calloc((size_t)seats, sizeof *ids);
    size_t *id_len = calloc((size_t)seats, sizeof *id_len);
    char buf[256];
    /* Every DEALER says ready once: its routing id is known from then on. */
    for (int i = 0; i < seats; i++) {
        int n = zmq_recv(router, buf, sizeof buf, 0);
        if (n < 0 || n > 15)
            return 1;
        memcpy(ids[i], buf, (size_t)n);
        id_len[i] = (size_t)n;
        zmq_recv(router, buf, sizeof buf, 0);
    }
    double startup = s_now() - t0;
    char tick[S_TICK_BYTES];
    memset(tick, 't', sizeof tick);
    double start = 0;
    for (int t = 0; t < ticks + 50; t++) {
        if (t == 50)
            start = s_now();
        for (int i = 0; i < seats; i++) {
            zmq_send(router, ids[i], id_len[i], ZMQ_SNDMORE);
            zmq_send(router, tick, sizeof tick, 0);
        }
        for (int i = 0; i < seats; i++) {
            zmq_recv(router, buf, sizeof buf, 0);
            zmq_recv(router, buf, sizeof buf, 0);
        }
    }
    double elapsed = s_now() - start;
    for (int i = 0; i < seats; i++) {
        zmq_send(router, ids[i], id_len[i], ZMQ_SNDMORE);
        zmq_send(router, "", 0, 0);
    }
    for (int p = 0; p < procs; p++) {
        if (inproc)
            pthread_join(threads[p], NULL);
        else
            waitpid(pids[p], NULL, 0);
    }
    printf("seats %d procs %d %s startup %.3f s ticks/s %.1f\n", seats, procs,
           inproc ? "inproc" : "ipc", startup, ticks / elapsed);
    zmq_close(router);
    zmq_ctx_term(ctx);
    if (!inproc)
        unlink(url + 6);
    free(ids);
    free(id_len);
    free(w);
    free(threads);
    free(pids);
    return 0;
}
