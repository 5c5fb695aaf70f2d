/* A real viewer window on a real run, under Xvfb: a coordinator, agent processes for
 * five seats and this test playing the sixth slowly (so that the run is still going
 * when the viewer joins); the viewer joins late, draws the live state, saves its own
 * window to PNG and exits; the PNG's pixels are checked. Then a dead server: a
 * coordinator killed mid-run, which the viewer must report as gone, and a new run on
 * the same endpoints, which it must start over with. Every process is cleaned up.
 * Xvfb is required: scripts/deps installs it; without it the test fails and says so. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_vmodel.h"
#include "fw_vpng.h"

#define SLOW_SEAT "anthropic"
#define TICK_MS 40 /* how long this test's seat takes per tick: about 25 ticks a second */

static fw_procs_t s_procs;
static char s_dir[64];
static void *s_ctx, *s_dealer;
static int s_xvfb = -1, s_display = -1; /* Xvfb's index in s_procs, its display number */

static void s_setup(void) { cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir)); }

static void s_teardown(void)
{
    /* Xvfb removes its lock file and socket on SIGTERM, not on the SIGKILL of the
     * clean-up; whatever it leaves anyway is removed here. */
    if (s_xvfb >= 0 && fw_procs_alive(&s_procs, s_xvfb)) {
        kill(s_procs.pid[s_xvfb], SIGTERM);
        fw_procs_wait(&s_procs, s_xvfb, 3000);
    }
    fw_procs_cleanup(&s_procs);
    if (s_display >= 0) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/.X%d-lock", s_display);
        unlink(path);
        snprintf(path, sizeof path, "/tmp/.X11-unix/X%d", s_display);
        unlink(path);
    }
    if (s_dealer)
        zmq_close(s_dealer); /* before the context: zmq_ctx_term waits for open sockets */
    if (s_ctx)
        zmq_ctx_term(s_ctx);
    fw_test_rmtree(s_dir);
}

TestSuite(viewer_live, .init = s_setup, .fini = s_teardown, .timeout = 120);

static long long s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *s_find_xvfb(void)
{
    static const char *paths[] = {"/usr/bin/Xvfb", "/usr/local/bin/Xvfb", "/bin/Xvfb"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

/* Starts Xvfb on a free display number; returns the number. */
static int s_start_xvfb(const char *xvfb)
{
    char lock[64], sock[64], disp[16], log[256];
    snprintf(log, sizeof log, "%s/xvfb.log", s_dir);
    for (int k = 0; k < 50; k++) {
        int n = 99 + (int)((getpid() + k * 7) % 400);
        snprintf(lock, sizeof lock, "/tmp/.X%d-lock", n);
        snprintf(sock, sizeof sock, "/tmp/.X11-unix/X%d", n);
        if (access(lock, F_OK) == 0 || access(sock, F_OK) == 0)
            continue;
        snprintf(disp, sizeof disp, ":%d", n);
        char *argv[] = {(char *)xvfb, disp, "-screen", "0", "1280x800x24", "-nolisten", "tcp", NULL};
        int p = fw_procs_start(&s_procs, argv, log);
        cr_assert_geq(p, 0);
        if (fw_test_wait_file(sock, 10000) == 0 && fw_procs_alive(&s_procs, p)) {
            s_xvfb = p;
            s_display = n;
            return n;
        }
        fw_procs_cleanup(&s_procs); /* lost a race for that number: try another */
    }
    cr_assert_fail("could not start Xvfb on a free display (see %s)", log);
    return -1;
}

/* This test's own seat: claims SLOW_SEAT and answers each TickStart with nothing,
 * TICK_MS after it arrived. */
typedef struct {
    void *dealer;
    char run_id[64];
    uint64_t seq;
    uint32_t last_tick;
    long long due_ms;   /* when to answer the pending tick; 0 = none pending */
    uint32_t pending;
} slow_seat_t;

static void s_seat_join(slow_seat_t *s, const char *listen)
{
    int linger = 0;
    memset(s, 0, sizeof *s);
    s->dealer = s_dealer = zmq_socket(s_ctx, ZMQ_DEALER);
    zmq_setsockopt(s->dealer, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(s->dealer, listen), 0);
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *reply = NULL;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = SLOW_SEAT;
    h.schema_hash = (char *)fw_proto_schema_hash();
    h.agent = "test_viewer_live";
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.seq = s->seq = 1;
    env.seat = SLOW_SEAT;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    cr_assert_eq(fw_proto_send(s->dealer, &env), 0);
    cr_assert_eq(fw_proto_recv(s->dealer, 10000, &reply), 0, "no Welcome");
    cr_assert_eq(reply->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s",
                 fw_proto_body_name(reply));
    snprintf(s->run_id, sizeof s->run_id, "%s", reply->run_id ? reply->run_id : "");
    fw_proto_free(&reply);
}

/* Receives for up to wait_ms and answers a tick when it is due. Returns 1 once the
 * coordinator said Bye. */
static int s_seat_pump(slow_seat_t *s, int wait_ms)
{
    fw_envelope_t *in = NULL;
    if (fw_proto_recv(s->dealer, wait_ms, &in) == FW_PROTO_OK) {
        if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_TICK_START) {
            s->pending = in->tick_start->tick;
            s->due_ms = s_now_ms() + TICK_MS;
        } else if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_BYE) {
            fw_proto_free(&in);
            return 1;
        }
        fw_proto_free(&in);
    }
    if (s->due_ms && s_now_ms() >= s->due_ms) {
        fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
        Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.run_id = s->run_id;
        env.tick = s->pending;
        env.seq = ++s->seq;
        env.seat = SLOW_SEAT;
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
        env.actions = &a;
        cr_assert_eq(fw_proto_send(s->dealer, &env), 0);
        s->last_tick = s->pending;
        s->due_ms = 0;
    }
    return 0;
}

/* Starts the viewer with vargv on the Xvfb display, its log in log_path, in directory
 * `cwd` (where it saves the screenshots asked for with SIGUSR1). */
static int s_start_viewer(char *const vargv[], const char *log_path, int display, const char *cwd)
{
    char disp[16], here[4096];
    snprintf(disp, sizeof disp, ":%d", display);
    setenv("DISPLAY", disp, 1);
    setenv("SDL_VIDEODRIVER", "x11", 1);
    /* Under a sanitizer build: X11, D-Bus and GL driver libraries keep memory to the
     * end, outside our code; leak checking stays on for the offscreen tests. */
    char asan[512], *old_asan = getenv("ASAN_OPTIONS") ? strdup(getenv("ASAN_OPTIONS")) : NULL;
    snprintf(asan, sizeof asan, "%s%sdetect_leaks=0", old_asan ? old_asan : "", old_asan ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    /* The program's path may be relative to here (by hand, ./flywheel-viewer). */
    char *argv[32], exe[PATH_MAX];
    size_t n = 0;
    cr_assert_not_null(realpath(vargv[0], exe), "%s: %s", vargv[0], strerror(errno));
    argv[n++] = exe;
    while (vargv[n] && n + 1 < sizeof argv / sizeof argv[0]) {
        argv[n] = vargv[n];
        n++;
    }
    argv[n] = NULL;
    cr_assert_not_null(getcwd(here, sizeof here));
    cr_assert_eq(chdir(cwd), 0);
    int v = fw_procs_start(&s_procs, argv, log_path);
    cr_assert_eq(chdir(here), 0);
    unsetenv("SDL_VIDEODRIVER");
    if (old_asan) {
        setenv("ASAN_OPTIONS", old_asan, 1);
        free(old_asan);
    } else {
        unsetenv("ASAN_OPTIONS");
    }
    cr_assert_geq(v, 0);
    return v;
}

/* Waits until the file at `path` holds `needle` after byte `from`, at most timeout_ms,
 * while process `proc` (-1: none) lives. Returns the offset just past the needle, or
 * -1; *text (when not NULL) gets the file's last contents, to show in a failure. */
static long s_wait_log(const char *path, const char *needle, long from, int proc, int timeout_ms,
                       char *text, size_t text_len)
{
    long long deadline = s_now_ms() + timeout_ms;
    for (;;) {
        size_t len = 0;
        char *all = fw_test_read_file(path, &len);
        const char *hit = all && (size_t)from <= len ? strstr(all + from, needle) : NULL;
        long at = hit ? (long)(hit - all) + (long)strlen(needle) : -1;
        if (text && text_len)
            snprintf(text, text_len, "%s", all ? all : "");
        free(all);
        if (at >= 0)
            return at;
        if (s_now_ms() >= deadline || (proc >= 0 && !fw_procs_alive(&s_procs, proc)))
            return -1;
        fw_clock_sleep_ms(20);
    }
}

static size_t s_count(const uint8_t *px, int w, int h, fw_rgb_t c, int y0, int y1)
{
    size_t n = 0;
    for (int y = y0; y < y1 && y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 4;
            n += p[0] == c.r && p[1] == c.g && p[2] == c.b;
        }
    return n;
}

Test(viewer_live, a_viewer_window_joins_a_running_simulation_and_shows_it)
{
    const char *xvfb = s_find_xvfb();
    cr_assert_not_null(xvfb, "Xvfb not found: this test needs a virtual X server; install it with "
                             "scripts/deps (Debian package xvfb)");
    int display = s_start_xvfb(xvfb);

    char coord[1024], agent[1024], viewer[1024], sc[1024], out[256], listen[256], pub[256];
    char endpoints[512], log[512], png[512];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_build_path(agent, sizeof agent, "flywheel-agent");
    fw_test_build_path(viewer, sizeof viewer, "flywheel-viewer");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(log, sizeof log, "%s/coordinator.log", s_dir);
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out", out,
                     "--ticks", "400", "--join-timeout", "30000", NULL};
    int c = fw_procs_start(&s_procs, cargv, log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator did not start (see %s)", log);

    static const char *seats[] = {"nvidia", "tpu_maker", "aws", "google", "openai"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(log, sizeof log, "%s/agent-%s.log", s_dir, seats[i]);
        char *aargv[] = {agent, "--connect", listen, "--seat", (char *)seats[i], "--log-level",
                         "warn", NULL};
        cr_assert_geq(fw_procs_start(&s_procs, aargv, log), 0);
    }
    s_ctx = zmq_ctx_new();
    slow_seat_t seat;
    s_seat_join(&seat, listen);

    /* Let the run get going: the viewer joins a simulation already at tick ~20. */
    while (seat.last_tick < 20)
        cr_assert_eq(s_seat_pump(&seat, 20), 0, "the run ended early");

    snprintf(png, sizeof png, "%s/window.png", s_dir);
    snprintf(log, sizeof log, "%s/viewer.log", s_dir);
    char *vargv[] = {viewer, "--subscribe", pub, "--size", "1024x640", "--screenshot", png,
                     "--screenshot-after", "1500", "--log-level", "info", NULL};
    int v = s_start_viewer(vargv, log, display, s_dir);
    uint32_t joined_at = seat.last_tick;

    /* Keep the run going until the viewer has saved its window and left. */
    long long deadline = s_now_ms() + 30000;
    int rc = -1, over = 0;
    while (s_now_ms() < deadline && !over) {
        over = s_seat_pump(&seat, 10);
        rc = fw_procs_wait(&s_procs, v, 0);
        if (rc != -1)
            break;
    }
    static char vlog[4096];
    char *text = fw_test_read_file(log, NULL);
    snprintf(vlog, sizeof vlog, "%s", text ? text : "");
    free(text);
    cr_assert_not(over, "the run ended before the viewer was done: %s", vlog);
    cr_assert_eq(rc, 0, "viewer exit code %d: %s", rc, vlog);
    cr_assert(fw_procs_alive(&s_procs, c), "the coordinator lives on after the viewer left");
    cr_assert_gt(seat.last_tick, joined_at + 10, "the run went on while the viewer watched");

    uint8_t *px;
    int w, h;
    char err[512];
    cr_assert_eq(fw_vpng_read(png, &px, &w, &h, err, sizeof err), 0, "%s", err);
    cr_assert_eq(w, 1024);
    cr_assert_eq(h, 640);
    /* The header is there, with the green "live" pill; the legend's role colours and
     * the nodes are drawn. */
    fw_rgb_t header = {0x1f, 0x2a, 0x3a}, live = {0x1f, 0x9d, 0x55};
    cr_assert_gt(s_count(px, w, h, header, 0, 10), (size_t)w * 5, "no header bar");
    cr_assert_gt(s_count(px, w, h, live, 0, 60), 100, "the header does not say live");
    int roles[] = {FW_VROLE_CLOUD, FW_VROLE_LAB, FW_VROLE_VENDOR};
    for (int r = 0; r < 3; r++)
        cr_assert_geq(s_count(px, w, h, fw_vpalette_role(roles[r]), 0, h), 10,
                      "role %d colour missing", roles[r]);
    size_t colourful = 0;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const uint8_t *p = px + i * 4;
        int mx = p[0] > p[1] ? (p[0] > p[2] ? p[0] : p[2]) : (p[1] > p[2] ? p[1] : p[2]);
        int mn = p[0] < p[1] ? (p[0] < p[2] ? p[0] : p[2]) : (p[1] < p[2] ? p[1] : p[2]);
        colourful += mx - mn > 60;
    }
    cr_assert_gt(colourful, (size_t)w * (size_t)h / 20, "too little colour: no charts drawn?");
    free(px);
}

/* Starts a coordinator of the classroom scenario on the test's endpoints, played by
 * house bots at ten ticks a second (no agents to start or stop), writing to DIR/name.
 * Returns its index in s_procs; *run_id gets the id of its run (from its log). */
static int s_start_house_run(const char *name, char *run_id, size_t run_id_len)
{
    char coord[1024], sc[1024], out[256], listen[256], pub[256], endpoints[512], log[512];
    char text[8192];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(log, sizeof log, "%s/%s.log", s_dir, name);
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out", out,
                     "--ticks", "600", "--house-bots", "--start-after", "0", "--pace",
                     "deadline:0.1", "--log-level", "info", NULL};
    int c = fw_procs_start(&s_procs, cargv, log);
    cr_assert_geq(c, 0);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator %s did not start (see %s)",
                 name, log);
    long at = s_wait_log(log, "coordinator: run ", 0, c, 10000, text, sizeof text);
    cr_assert_geq(at, 0, "coordinator %s did not say its run id: %s", name, text);
    size_t n = 0;
    while (text[at + (long)n] && text[at + (long)n] != ':' && n + 1 < run_id_len) {
        run_id[n] = text[at + (long)n];
        n++;
    }
    run_id[n] = '\0';
    cr_assert_gt(n, 0);
    return c;
}

Test(viewer_live, the_viewer_says_the_coordinator_is_gone_and_starts_over_with_a_new_run)
{
    const char *xvfb = s_find_xvfb();
    cr_assert_not_null(xvfb, "Xvfb not found: this test needs a virtual X server; install it with "
                             "scripts/deps (Debian package xvfb)");
    int display = s_start_xvfb(xvfb);
    char viewer[1024], pub[256], vlog[512], text[8192], run_a[64], run_b[64], want[160];
    fw_test_build_path(viewer, sizeof viewer, "flywheel-viewer");
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(vlog, sizeof vlog, "%s/viewer.log", s_dir);

    int a = s_start_house_run("run-a", run_a, sizeof run_a);
    char *vargv[] = {viewer, "--subscribe", pub, "--size", "1024x640", "--log-level", "info", NULL};
    int v = s_start_viewer(vargv, vlog, display, s_dir);
    long at = s_wait_log(vlog, "first snapshot", 0, v, 15000, text, sizeof text);
    cr_assert_geq(at, 0, "the viewer got no snapshot: %s", text);
    cr_assert_geq(s_wait_log(vlog, "connected to the coordinator at", 0, v, 15000, text,
                             sizeof text), 0, "the viewer never saw the connection: %s", text);
    cr_assert_null(strstr(text, "coordinator gone"), "gone while the coordinator runs: %s", text);

    /* The server dies mid-run, as a crash or a pulled plug would leave it. */
    cr_assert(fw_procs_alive(&s_procs, a), "run a ended before the test killed it");
    kill(s_procs.pid[a], SIGKILL);
    cr_assert_eq(fw_procs_wait(&s_procs, a, 5000), 128 + SIGKILL);
    long long killed = s_now_ms();
    at = s_wait_log(vlog, "coordinator gone (", at, v, 15000, text, sizeof text);
    cr_assert_geq(at, 0, "the viewer did not report the coordinator gone: %s", text);
    /* Seen at once on ipc://; the bound leaves room for a loaded machine. */
    cr_assert_lt(s_now_ms() - killed, 10000, "a dead coordinator is reported within seconds");
    cr_assert_not_null(strstr(text, "showing the last tick received"), "%s", text);

    /* The window says so too: a red pill in the header, no green "live" one. */
    kill(s_procs.pid[v], SIGUSR1);
    long shot = s_wait_log(vlog, "screenshot saved to ", at, v, 15000, text, sizeof text);
    cr_assert_geq(shot, 0, "no screenshot: %s", text);
    char png[512], name[256];
    size_t n = 0;
    while (text[shot + (long)n] && text[shot + (long)n] != '\n' && n + 1 < sizeof name) {
        name[n] = text[shot + (long)n];
        n++;
    }
    name[n] = '\0';
    snprintf(png, sizeof png, "%s/%s", s_dir, name);
    uint8_t *px;
    int w, h;
    char err[512];
    cr_assert_eq(fw_vpng_read(png, &px, &w, &h, err, sizeof err), 0, "%s", err);
    fw_rgb_t red = {0xd0, 0x2b, 0x2b}, live = {0x1f, 0x9d, 0x55};
    cr_assert_gt(s_count(px, w, h, red, 0, 60), 100, "the header has no red 'coordinator gone'");
    cr_assert_eq(s_count(px, w, h, live, 0, 60), 0, "the header still says live");
    free(px);

    /* The host starts a new game on the same endpoints: the viewer starts over. */
    int b = s_start_house_run("run-b", run_b, sizeof run_b);
    cr_assert_str_neq(run_a, run_b);
    snprintf(want, sizeof want, "a new run (%s) started: starting over", run_b);
    cr_assert_geq(s_wait_log(vlog, want, at, v, 15000, text, sizeof text), 0,
                  "the viewer did not start over with run %s: %s", run_b, text);
    cr_assert_geq(s_wait_log(vlog, "is back", at, v, 15000, text, sizeof text), 0, "%s", text);
    cr_assert(fw_procs_alive(&s_procs, b));

    kill(s_procs.pid[v], SIGTERM);
    cr_assert_eq(fw_procs_wait(&s_procs, v, 10000), 130, "the viewer exits cleanly: %s", text);
}
