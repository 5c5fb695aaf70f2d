/* fw_run: the `flywheel run` command. See the header. */
#include "fw_run.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_check.h"
#include "fw_coord.h"
#include "fw_embedded.h"
#include "fw_clock.h"
#include "fw_log.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_socket.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2
#define EXIT_CHECKS 4
#define EXIT_INTERRUPTED 130

#define ENDPOINTS_TIMEOUT_MS 10000 /* coordinator start-up: bind and write endpoints */
#define AGENT_EXIT_GRACE_MS 3000   /* agents leave on the coordinator's Bye */
#define TERMINATE_GRACE_MS 3000    /* SIGTERM to SIGKILL */
/* An interrupted coordinator writes the run's outputs (metrics, events, summary)
 * before it exits; on a busy machine that can take seconds, and a SIGKILL then would
 * lose the summary. */
#define COORDINATOR_GRACE_MS 20000

/* What the progress display knows; drawn on stderr. */
typedef struct {
    int mode;              /* 0 quiet, 1 line every 10% (not a terminal), 2 redraw in place */
    unsigned tick, ticks;  /* last snapshot seen */
    char month[16];
    int last_decile;       /* mode 1: last tenth printed */
    size_t drawn;          /* mode 2: length of the line on screen, 0 if none */
    long long t0_ms;
} s_progress_t;

/* Reports the scenario's checks against the run in `dir`. Returns 0, EXIT_CHECKS if
 * any failed, or EXIT_RUN_FAILED if metrics.csv cannot be read. */
static int s_check(const fw_scenario_t *sc, const char *dir, int quiet)
{
    char path[4200], err[512];
    if (snprintf(path, sizeof path, "%s/metrics.csv", dir) >= (int)sizeof path) {
        fprintf(stderr, "flywheel: run directory name too long\n");
        return EXIT_RUN_FAILED;
    }
    fw_metrics_t *t = fw_metrics_load(path, err, sizeof err);
    if (!t) {
        fprintf(stderr, "flywheel: %s\n", err);
        return EXIT_RUN_FAILED;
    }
    fw_check_result_t *results = calloc(sc->n_checks ? sc->n_checks : 1, sizeof *results);
    if (!results) {
        fw_metrics_destroy(&t);
        return EXIT_RUN_FAILED;
    }
    size_t bad = fw_check_evaluate(sc, t, results);
    if (!quiet || bad)
        fw_check_print(stdout, sc, results);
    free(results);
    fw_metrics_destroy(&t);
    return bad ? EXIT_CHECKS : 0;
}

/* --- progress --------------------------------------------------------------- */

static void s_progress_draw(s_progress_t *p)
{
    char line[160];
    double elapsed = (double)(fw_clock_ms() - p->t0_ms) / 1000.0;

    if (p->mode == 0 || p->tick == 0)
        return;
    fw_launch_progress_line(line, sizeof line, p->tick, p->ticks, p->month, elapsed);
    if (p->mode == 2) {
        size_t len = strlen(line);
        /* Pad over a longer previous line instead of relying on terminal escapes. */
        fprintf(stderr, "\r%s%*s", line, p->drawn > len ? (int)(p->drawn - len) : 0, "");
        p->drawn = len > p->drawn ? len : p->drawn;
        fflush(stderr);
        return;
    }
    int decile = p->ticks ? (int)((10ull * p->tick) / p->ticks) : 0;
    if (decile > p->last_decile || (p->ticks && p->tick == p->ticks && p->last_decile < 10)) {
        fprintf(stderr, "%s\n", line);
        p->last_decile = decile;
    }
}

/* Ends the in-place line so that the next message starts on a fresh line. */
static void s_progress_break(s_progress_t *p)
{
    if (p->mode == 2 && p->drawn) {
        fputc('\n', stderr);
        p->drawn = 0;
    }
}

/* Receives what the PUB socket has (waiting up to timeout_ms) and updates *p. */
static void s_progress_pump(void *sub, int timeout_ms, s_progress_t *p)
{
    fw_envelope_t *env = NULL;
    int rc;

    if (!sub) {
        fw_clock_sleep_ms(timeout_ms);
        return;
    }
    rc = fw_proto_recv(sub, timeout_ms, &env);
    if (rc == FW_PROTO_OK && env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
        const Flywheel__V1__Snapshot *s = env->snapshot;
        p->tick = s->tick;
        if (s->ticks)
            p->ticks = s->ticks;
        snprintf(p->month, sizeof p->month, "%s", s->month ? s->month : "");
    } else if (rc != FW_PROTO_OK && rc != FW_PROTO_ETIMEDOUT && rc != FW_PROTO_EINTR) {
        fw_log_debug("launch", "observer socket: %s", fw_proto_strerror(rc));
    }
    fw_proto_free(&env);
    /* Mode 2 also redraws on a timeout so the elapsed time keeps moving. */
    if (rc == FW_PROTO_OK || p->mode == 2)
        s_progress_draw(p);
}

/* --- the run ---------------------------------------------------------------- */

/* Removes a file left by an earlier run in the same --out directory, so that what we
 * wait for and read is this run's. */
static int s_remove_stale(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "flywheel: cannot remove stale %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Finds a sibling program; prints why not and returns -1 if it is missing. */
static int s_find(const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    if (fw_launch_find_binary(name, buf, len) == 0)
        return 0;
    fprintf(stderr, "flywheel: cannot run %s: %s (FW_BIN_DIR overrides the directory)\n",
            buf[0] ? buf : name, strerror(errno));
    return -1;
}

/* Waits for the coordinator's endpoints file. Returns 0 with the resolved URLs,
 * EXIT_INTERRUPTED, or EXIT_RUN_FAILED after printing why. */
static int s_wait_endpoints(fw_supervisor_t *sv, pid_t coord, const char *dir, char *listen,
                            char *publish, size_t cap, volatile sig_atomic_t *stop)
{
    char path[PATH_MAX + 64];
    long long deadline = fw_clock_ms() + ENDPOINTS_TIMEOUT_MS;
    fw_child_exit_t ex;

    snprintf(path, sizeof path, "%s/endpoints", dir);
    for (;;) {
        if (*stop)
            return EXIT_INTERRUPTED;
        while (fw_supervisor_reap(sv, &ex) == 1) {
            if (ex.pid == coord) {
                char how[96];
                fw_launch_describe_status(ex.status, how, sizeof how);
                fprintf(stderr, "flywheel: coordinator %s before it was ready\n", how);
                return EXIT_RUN_FAILED;
            }
        }
        int rc = fw_launch_read_endpoints(path, listen, publish, cap);
        if (rc == FW_LAUNCH_OK)
            return 0;
        if (rc == FW_LAUNCH_EMALFORMED || rc == FW_LAUNCH_EIO) {
            fprintf(stderr, "flywheel: %s: %s\n", path,
                    rc == FW_LAUNCH_EIO ? strerror(errno) : "no listen= and publish= lines");
            return EXIT_RUN_FAILED;
        }
        if (fw_clock_ms() >= deadline) {
            fprintf(stderr, "flywheel: coordinator did not write %s within %d s\n", path,
                    ENDPOINTS_TIMEOUT_MS / 1000);
            return EXIT_RUN_FAILED;
        }
        fw_clock_sleep_ms(10);
    }
}

/* Builds and runs one coordinator argv (`resume`: restarted from the run's log).
 * Returns its pid or -1 (reported). */
static pid_t s_start_coordinator(fw_supervisor_t *sv, const char *bin, const fw_run_opts_t *o,
                                 const char *child_level, const fw_endpoints_t *ep,
                                 const char *dir, int resume)
{
    char *argv[24];
    int n = 0;
    pid_t pid;

    argv[n++] = (char *)bin;
    argv[n++] = "--scenario";
    argv[n++] = (char *)o->scenario;
    argv[n++] = "--listen";
    argv[n++] = (char *)ep->listen;
    argv[n++] = "--publish";
    argv[n++] = (char *)ep->publish;
    argv[n++] = "--out";
    argv[n++] = (char *)dir;
    if (o->seed) {
        argv[n++] = "--seed";
        argv[n++] = (char *)o->seed;
    }
    if (o->ticks) {
        argv[n++] = "--ticks";
        argv[n++] = (char *)o->ticks;
    }
    if (o->tick_timeout) {
        argv[n++] = "--tick-timeout";
        argv[n++] = (char *)o->tick_timeout;
    }
    if (child_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)child_level;
    }
    if (resume)
        argv[n++] = "--resume";
    argv[n] = NULL;
    pid = fw_supervisor_spawn(sv, "coordinator", argv);
    if (pid < 0)
        fprintf(stderr, "flywheel: cannot start %s: %s\n", bin, strerror(errno));
    return pid;
}

/* Starts one agent process for `seat`, or for the k seats from `first` (in scenario
 * order) with --seats. Returns 0, or -1 after printing why. */
static int s_start_agent(fw_supervisor_t *sv, const char *bin, const fw_scenario_t *sc,
                         size_t first, size_t k, const char *listen, const char *child_level)
{
    char name[2 * FW_ID_MAX + 32];
    char *argv[10], *list = NULL;
    int n = 0, rc = 0;

    argv[n++] = (char *)bin;
    argv[n++] = "--connect";
    argv[n++] = (char *)listen;
    if (k == 1) {
        argv[n++] = "--seat";
        argv[n++] = (char *)sc->seats[first].id;
        snprintf(name, sizeof name, "agent %s", sc->seats[first].id);
    } else {
        size_t len = 1;
        for (size_t i = first; i < first + k; i++)
            len += strlen(sc->seats[i].id) + 1;
        list = malloc(len);
        if (!list) {
            fprintf(stderr, "flywheel: out of memory\n");
            return -1;
        }
        list[0] = '\0';
        for (size_t i = first, at = 0; i < first + k; i++)
            at += (size_t)sprintf(list + at, "%s%s", i > first ? "," : "", sc->seats[i].id);
        argv[n++] = "--seats";
        argv[n++] = list;
        snprintf(name, sizeof name, "agent %s..%s (%zu seats)", sc->seats[first].id,
                 sc->seats[first + k - 1].id, k);
    }
    if (child_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)child_level;
    }
    argv[n] = NULL;
    if (fw_supervisor_spawn(sv, name, argv) < 0) {
        fprintf(stderr, "flywheel: cannot start %s (%s): %s\n", name, bin, strerror(errno));
        rc = -1;
    }
    free(list);
    return rc;
}

/* Starts the agent processes: the seats in scenario order, `per` to a process. */
static int s_start_agents(fw_supervisor_t *sv, const char *bin, const fw_scenario_t *sc,
                          unsigned per, const char *listen, const char *child_level,
                          volatile sig_atomic_t *stop)
{
    if (per < 1)
        per = 1;
    for (size_t i = 0; i < sc->n_seats; i += per) {
        size_t k = sc->n_seats - i < per ? sc->n_seats - i : per;
        if (*stop)
            return 0;
        if (s_start_agent(sv, bin, sc, i, k, listen, child_level) != 0)
            return -1;
    }
    return 0;
}

/* Opens the observer socket. NULL (with a warning) if that fails: the run itself does
 * not need it, only the progress display does. */
static void *s_open_sub(void *ctx, const char *publish)
{
    void *sub;
    char why[256];
    if (fw_socket_subscriber(ctx, publish, NULL, 0, 0, NULL, NULL, &sub, why, sizeof why) != 0)
        fw_log_warn("launch", "cannot subscribe to %s (%s): no progress display", publish,
                    zmq_strerror(errno));
    return sub;
}

/* After the coordinator's exit: lets agents leave on their own, then stops the rest. */
static void s_let_agents_leave(fw_supervisor_t *sv, volatile sig_atomic_t *stop)
{
    long long deadline = fw_clock_ms() + AGENT_EXIT_GRACE_MS;

    while (fw_supervisor_running(sv) > 0 && fw_clock_ms() < deadline && !*stop) {
        while (fw_supervisor_reap(sv, NULL) == 1)
            ;
        if (fw_supervisor_running(sv) > 0)
            fw_clock_sleep_ms(10);
    }
    fw_supervisor_terminate_all(sv, TERMINATE_GRACE_MS);
}

/* Reports every agent that did not end cleanly; warnings only, the run still counts. */
static void s_report_agents(const fw_supervisor_t *sv, pid_t coord)
{
    for (size_t i = 0; i < fw_supervisor_count(sv); i++) {
        fw_child_exit_t ex;
        char how[96];

        /* The coordinators (a crashed one was restarted, and said so) are not agents. */
        if (fw_supervisor_child(sv, i, &ex) != 1 || ex.pid == coord ||
            strcmp(ex.name, "coordinator") == 0)
            continue;
        if (WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 0)
            continue;
        fw_launch_describe_status(ex.status, how, sizeof how);
        if (ex.signalled)
            fprintf(stderr,
                    "flywheel: warning: %s was still running %d s after the coordinator "
                    "ended; stopped (%s)\n",
                    ex.name, AGENT_EXIT_GRACE_MS / 1000, how);
        else
            fprintf(stderr, "flywheel: warning: %s %s\n", ex.name, how);
    }
}

/* Starts flywheel-viewer on the run: live from the PUB endpoint, with the ticks it
 * missed read from the run directory's log. Under its own supervisor, so that the
 * agents' clean-up never touches it. A viewer that cannot start is a warning only. */
static pid_t s_start_viewer(fw_supervisor_t *vsv, const char *publish, const char *dir,
                            const char *child_level)
{
    char bin[PATH_MAX];
    char *argv[10];
    int n = 0;
    pid_t pid;

    bin[0] = '\0';
    if (fw_launch_find_binary("flywheel-viewer", bin, sizeof bin) != 0) {
        fprintf(stderr, "flywheel: warning: no viewer (%s: %s); the run goes on without it\n",
                bin[0] ? bin : "flywheel-viewer", strerror(errno));
        return -1;
    }
    argv[n++] = bin;
    argv[n++] = "--subscribe";
    argv[n++] = (char *)publish;
    argv[n++] = "--history";
    argv[n++] = (char *)dir;
    if (child_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)child_level;
    }
    argv[n] = NULL;
    pid = fw_supervisor_spawn(vsv, "viewer", argv);
    if (pid < 0)
        fprintf(stderr, "flywheel: warning: cannot start the viewer (%s): %s; the run goes on\n",
                bin, strerror(errno));
    return pid;
}

/* Reports a viewer that has ended (the user closed it, or it failed). */
static void s_reap_viewer(fw_supervisor_t *vsv, const s_progress_t *prog, int quiet)
{
    fw_child_exit_t ex;
    while (vsv && fw_supervisor_reap(vsv, &ex) == 1) {
        char how[96];
        if (WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 0) {
            if (!quiet && prog->tick < prog->ticks)
                fprintf(stderr, "%sflywheel: viewer closed; the run goes on\n",
                        prog->mode == 2 && prog->drawn ? "\n" : "");
            continue;
        }
        fw_launch_describe_status(ex.status, how, sizeof how);
        fprintf(stderr, "%sflywheel: warning: viewer %s; the run goes on\n",
                prog->mode == 2 && prog->drawn ? "\n" : "", how);
    }
}

/* --embedded: the run in this process (fw_embedded), then the same table and checks
 * as a run of processes. Returns the exit code. */
static int s_run_embedded(const fw_run_opts_t *o, const fw_scenario_t *sc, const char *dir)
{
    char path[PATH_MAX + 32], err[1024];
    fw_embedded_opts_t eo = {
        .scenario = sc, .out_dir = dir,
        .seed = o->seed ? strtoull(o->seed, NULL, 10) : sc->seed,
        .ticks = o->ticks ? (uint32_t)strtoul(o->ticks, NULL, 10) : 0,
        .tick_timeout_ms = o->tick_timeout ? atoi(o->tick_timeout) : 5000,
        .stop = o->stop};
    if (!o->quiet)
        fprintf(stderr, "flywheel: %s in one process (%zu seats as threads over inproc)\n",
                sc->name, sc->n_seats);
    int coord = fw_embedded_run(&eo);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (coord == FW_COORD_EFAIL) {
        fprintf(stderr, "flywheel: the run failed (see the lines above and %s)\n", dir);
        return EXIT_RUN_FAILED;
    }
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "flywheel: the run wrote no %s\n", path);
        return EXIT_RUN_FAILED;
    }
    if (!o->quiet) {
        fflush(stderr);
        if (fw_launch_print_summary_file(stdout, path, dir, err, sizeof err) != 0)
            fprintf(stderr, "flywheel: %s\n", err);
        fflush(stdout);
    }
    if (coord == FW_COORD_EINTERRUPTED)
        return EXIT_INTERRUPTED;
    return o->check ? s_check(sc, dir, o->quiet) : 0;
}

int fw_run(const fw_run_opts_t *o)
{
    char err[1024], dir[PATH_MAX], coord_bin[PATH_MAX], agent_bin[PATH_MAX];
    char listen[512], publish[512], path[PATH_MAX + 32];
    /* Children's info lines would bury the progress display: unless told otherwise
     * they log warnings and errors only (errors only with --quiet). */
    const char *child_level = o->log_level ? o->log_level : (o->quiet ? "error" : "warn");
    fw_scenario_t *sc = NULL;
    fw_supervisor_t *sv = NULL, *vsv = NULL;
    fw_endpoints_t ep;
    s_progress_t prog;
    void *ctx = NULL, *sub = NULL;
    pid_t coord = -1;
    int coord_status = -1, coord_done = 0, restarted = 0;
    int rc = EXIT_RUN_FAILED;

    memset(&ep, 0, sizeof ep);
    memset(&prog, 0, sizeof prog);

    /* 1. The scenario first: a bad file starts nothing. */
    sc = fw_scenario_load(o->scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (sc->n_seats == 0) {
        fprintf(stderr, "%s: the scenario has no seats\n", o->scenario);
        rc = EXIT_USAGE;
        goto out;
    }
    /* 2. The sibling programs. */
    if (s_find("flywheel-coordinator", coord_bin, sizeof coord_bin) != 0 ||
        s_find("flywheel-agent", agent_bin, sizeof agent_bin) != 0)
        goto out;

    /* Then the run directory: nothing is created for a run that cannot start. */
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else if (fw_launch_run_dir_name(sc->name, time(NULL), dir, sizeof dir) != 0) {
        fprintf(stderr, "flywheel: scenario name too long for a directory name\n");
        goto out;
    }
    if (fw_launch_mkdirs(dir) != 0) {
        fprintf(stderr, "flywheel: cannot create %s: %s\n", dir, strerror(errno));
        goto out;
    }
    if (s_remove_stale(dir, "endpoints") != 0 || s_remove_stale(dir, "summary.json") != 0)
        goto out;

    /* 3. Endpoints, then 4. the coordinator. Signals count from here on. */
    o->catch_signals();
    if (o->embedded) {
        rc = s_run_embedded(o, sc, dir);
        goto out;
    }
    if (fw_launch_endpoints_make(o->transport, &ep) != 0) {
        fprintf(stderr, "flywheel: cannot make a directory for the sockets: %s\n",
                strerror(errno));
        goto out;
    }
    sv = fw_supervisor_new();
    if (!sv) {
        fprintf(stderr, "flywheel: out of memory\n");
        goto out;
    }
    prog.mode = o->quiet ? 0 : (isatty(STDERR_FILENO) ? 2 : 1);
    prog.ticks = o->ticks ? (unsigned)strtoul(o->ticks, NULL, 10) : sc->ticks;
    prog.t0_ms = fw_clock_ms();
    coord = s_start_coordinator(sv, coord_bin, o, child_level, &ep, dir, 0);
    if (coord < 0)
        goto out;
    fw_log_info("launch", "coordinator pid %d, run directory %s", (int)coord, dir);
    rc = s_wait_endpoints(sv, coord, dir, listen, publish, sizeof listen, o->stop);
    if (rc != 0)
        goto stop;
    rc = EXIT_RUN_FAILED;

    /* 5. Subscribe before any agent exists, so that the first ticks are not missed. */
    ctx = zmq_ctx_new();
    if (ctx)
        sub = s_open_sub(ctx, publish);
    if (o->view) {
        vsv = fw_supervisor_new();
        if (vsv)
            s_start_viewer(vsv, publish, dir, child_level);
    }
    if (s_start_agents(sv, agent_bin, sc, o->seats_per_process, listen, child_level,
                       o->stop) != 0)
        goto stop;
    fw_log_info("launch", "%zu seats, %u per agent process, started on %s", sc->n_seats,
                o->seats_per_process ? o->seats_per_process : 1, listen);

    /* 6. Watch until the coordinator exits. */
    while (!coord_done && !*o->stop) {
        fw_child_exit_t ex;
        int r;

        s_progress_pump(sub, 100, &prog);
        s_reap_viewer(vsv, &prog, o->quiet);
        while ((r = fw_supervisor_reap(sv, &ex)) == 1)
            if (ex.pid == coord) {
                coord_done = 1;
                coord_status = ex.status;
                /* A coordinator that crashed (killed by a signal we did not send) is
                 * started again from its log, once: the agents are still there and
                 * come back to it with their resume tokens. */
                if (!restarted && !*o->stop && WIFSIGNALED(ex.status)) {
                    char how[96];
                    fw_launch_describe_status(ex.status, how, sizeof how);
                    s_progress_break(&prog);
                    fprintf(stderr, "flywheel: the coordinator %s after tick %u; restarting "
                            "it from its log (once)\n", how, prog.tick);
                    restarted = 1;
                    coord = s_start_coordinator(sv, coord_bin, o, child_level, &ep, dir, 1);
                    coord_done = coord < 0;
                }
            }
        if (r < 0) {
            s_progress_break(&prog);
            fprintf(stderr, "flywheel: waitpid: %s\n", strerror(errno));
            goto stop;
        }
    }
    if (coord_done) {
        /* The last snapshots may still be queued behind the coordinator's exit. */
        for (int i = 0; sub && i < 64; i++) {
            unsigned before = prog.tick;
            s_progress_pump(sub, 0, &prog);
            if (prog.tick == before)
                break;
        }
        s_let_agents_leave(sv, o->stop);
    }

stop:
    if (*o->stop)
        rc = EXIT_INTERRUPTED;
    s_progress_break(&prog);
    if (sv && fw_supervisor_running(sv) > 0) {
        size_t n = fw_supervisor_running(sv);
        /* The coordinator first, alone, with time to write the summary: stopping the
         * agents with it raced its last writes against the SIGKILL of a slow exit. */
        size_t killed = 0;
        if (!coord_done)
            killed += fw_supervisor_terminate(sv, coord, COORDINATOR_GRACE_MS);
        killed += fw_supervisor_terminate_all(sv, TERMINATE_GRACE_MS);
        if (rc == EXIT_INTERRUPTED && !o->quiet)
            fprintf(stderr, "flywheel: interrupted; stopped %zu process%s%s\n", n,
                    n == 1 ? "" : "es", killed ? " (some needed SIGKILL)" : "");
    } else if (rc == EXIT_INTERRUPTED && !o->quiet) {
        fprintf(stderr, "flywheel: interrupted\n");
    }
    if (rc == EXIT_INTERRUPTED) {
        /* What the run got to, and where its files are: the coordinator wrote its
         * summary as it stopped. */
        snprintf(path, sizeof path, "%s/summary.json", dir);
        if (!o->quiet && access(path, R_OK) == 0) {
            fflush(stderr);
            if (fw_launch_print_summary_file(stdout, path, dir, err, sizeof err) != 0)
                fprintf(stderr, "flywheel: %s\n", err);
            fflush(stdout);
        } else if (!o->quiet) {
            fprintf(stderr, "flywheel: the run's files so far are in %s\n", dir);
        }
        goto out;
    }
    if (!coord_done)
        goto out;

    /* 7. The result. */
    s_report_agents(sv, coord);
    if (!(WIFEXITED(coord_status) && WEXITSTATUS(coord_status) == 0)) {
        char how[96];
        fw_launch_describe_status(coord_status, how, sizeof how);
        fprintf(stderr, "flywheel: coordinator %s; the run failed (see %s)\n", how, dir);
        rc = EXIT_RUN_FAILED;
        goto out;
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "flywheel: coordinator exited with status 0 but wrote no %s\n", path);
        rc = EXIT_RUN_FAILED;
        goto out;
    }
    rc = 0;
    if (!o->quiet) {
        fflush(stderr);
        if (fw_launch_print_summary_file(stdout, path, dir, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel: %s\n", err);
            rc = EXIT_RUN_FAILED;
        }
        fflush(stdout);
    }
    if (rc == 0 && o->check)
        rc = s_check(sc, dir, o->quiet);
    /* 8. The viewer stays open after the run, for scrubbing through it; Ctrl-C closes
     * it and the exit status stays the run's. */
    s_reap_viewer(vsv, &prog, 1);
    if (vsv && fw_supervisor_running(vsv) > 0) {
        if (!o->quiet)
            fprintf(stderr, "flywheel: the run is over; close the viewer window (or press "
                            "Ctrl-C) to exit\n");
        while (fw_supervisor_running(vsv) > 0 && !*o->stop) {
            s_reap_viewer(vsv, &prog, 1);
            fw_clock_sleep_ms(50);
        }
    }

out:
    if (sub)
        zmq_close(sub);
    if (ctx)
        zmq_ctx_term(ctx);
    /* Nothing may outlive the launcher: destroy stops whatever is still running. */
    fw_supervisor_destroy(&sv);
    fw_supervisor_destroy(&vsv);
    fw_launch_endpoints_cleanup(&ep);
    fw_scenario_destroy(&sc);
    if (fflush(stdout) != 0 && rc == 0)
        rc = EXIT_RUN_FAILED;
    return rc;
}