/* A real run: the coordinator and one agent process per seat over ipc://, with the
 * outputs checked, an agent killed mid-run, and the same seed run twice. Every
 * process started here is killed and reaped by the fixture, pass or fail. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_testproc.h"

typedef struct {
    fw_procs_t procs;
    char dir[64];       /* private temp dir: sockets, logs, outputs */
    char out[1024];      /* run directory */
    char listen[1024], publish[1024];
    int coordinator;    /* index in procs */
    int agents[32];     /* index in procs, per seat */
    size_t n_agents;
    fw_scenario_t *sc;
} run_t;

static run_t s_run;

static void s_teardown(void)
{
    fw_procs_cleanup(&s_run.procs);
    fw_scenario_destroy(&s_run.sc);
    if (!getenv("FW_KEEP_TMP"))
        fw_test_rmtree(s_run.dir);
}

/* Starts a coordinator for `scenario` and one agent per seat. */
static void s_start(const char *scenario, const char *seed, const char *tick_timeout, const char *tag)
{
    char bin[1024], agent_bin[1024], sc_path[1024], log[1024], err[1024];
    run_t *r = &s_run;

    if (!r->dir[0])
        cr_assert_not_null(fw_test_tmpdir(r->dir, sizeof r->dir));
    fw_test_source_path(sc_path, sizeof sc_path, scenario);
    fw_scenario_destroy(&r->sc);
    r->sc = fw_scenario_load(sc_path, err, sizeof err);
    cr_assert_not_null(r->sc, "%s", err);
    snprintf(r->out, sizeof r->out, "%s/out-%s", r->dir, tag);
    snprintf(r->listen, sizeof r->listen, "ipc://%s/agents-%s", r->dir, tag);
    snprintf(r->publish, sizeof r->publish, "ipc://%s/observers-%s", r->dir, tag);
    snprintf(log, sizeof log, "%s/coordinator-%s.log", r->dir, tag);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    char *cargv[] = {bin, "--scenario", sc_path, "--listen", r->listen, "--publish", r->publish,
                     "--out", r->out, "--seed", (char *)seed, "--tick-timeout", (char *)tick_timeout,
                     "--join-timeout", "20000", "--log-level", "info", NULL};
    r->coordinator = fw_procs_start(&r->procs, cargv, log);
    cr_assert_geq(r->coordinator, 0);

    char endpoints[1024];
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", r->out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator never bound (see %s)", log);

    fw_test_build_path(agent_bin, sizeof agent_bin, "flywheel-agent");
    r->n_agents = r->sc->n_seats;
    for (size_t s = 0; s < r->sc->n_seats; s++) {
        char alog[1024];
        snprintf(alog, sizeof alog, "%s/agent-%s-%s.log", r->dir, tag, r->sc->seats[s].id);
        char *aargv[] = {agent_bin, "--connect", r->listen, "--seat", r->sc->seats[s].id,
                         "--log-level", "info", NULL};
        r->agents[s] = fw_procs_start(&r->procs, aargv, alog);
        cr_assert_geq(r->agents[s], 0);
    }
}

static int s_file_exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static json_t *s_summary(const char *out)
{
    char path[1024];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/summary.json", out);
    json_t *j = json_load_file(path, 0, &jerr);
    cr_assert_not_null(j, "summary.json: %s", jerr.text);
    return j;
}

/* Counts the records of events.log by body kind, reading it back with fw_proto. */
static void s_count_log(const char *out, int *headers, int *actions, int *snapshots)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/events.log", out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fw_envelope_t *env;
    int rc;
    *headers = *actions = *snapshots = 0;
    while ((rc = fw_proto_read_delimited(f, &env)) == FW_PROTO_OK) {
        *headers += env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER;
        *actions += env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
        *snapshots += env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
        fw_proto_free(&env);
    }
    cr_assert_eq(rc, FW_PROTO_EOF, "events.log ends cleanly: %s", fw_proto_strerror(rc));
    fclose(f);
}

TestSuite(run, .fini = s_teardown, .timeout = 120);

Test(run, finishes_writes_outputs_and_every_process_exits)
{
    s_start("scenarios/classroom.yaml", "11", "5000", "a");
    cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.coordinator, 60000), 0, "coordinator exit code");
    for (size_t s = 0; s < s_run.n_agents; s++)
        cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.agents[s], 10000), 0,
                     "agent %s exit code", s_run.sc->seats[s].id);
    cr_assert(s_file_exists(s_run.out, "events.log"));
    cr_assert(s_file_exists(s_run.out, "metrics.csv"));
    cr_assert(s_file_exists(s_run.out, "summary.json"));

    json_t *j = s_summary(s_run.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "ticks_run")), s_run.sc->ticks);
    cr_assert(json_is_true(json_object_get(j, "books_balanced")));
    json_t *companies = json_object_get(j, "companies");
    cr_assert_eq(json_array_size(companies), s_run.sc->n_seats);
    for (size_t i = 0; i < json_array_size(companies); i++)
        cr_assert_eq(json_integer_value(json_object_get(json_array_get(companies, i), "present_ticks")),
                     s_run.sc->ticks, "every seat acted every tick");
    json_decref(j);

    int headers, actions, snapshots;
    s_count_log(s_run.out, &headers, &actions, &snapshots);
    cr_assert_eq(headers, 1);
    cr_assert_eq(snapshots, (int)s_run.sc->ticks);
    cr_assert_eq(actions, (int)(s_run.sc->ticks * s_run.sc->n_seats));

    /* metrics.csv: a header and one row per tick */
    char path[1024];
    snprintf(path, sizeof path, "%s/metrics.csv", s_run.out);
    char *csv = fw_test_read_file(path, NULL);
    int lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, (int)s_run.sc->ticks + 1);
    cr_assert(strncmp(csv, "tick,month,", 11) == 0);
    cr_assert_not_null(strstr(csv, "compute_share.aws"));
    cr_assert_not_null(strstr(csv, "installed_share.tpu"));
    free(csv);
}

Test(run, agent_killed_mid_run_does_not_stop_it)
{
    s_start("scenarios/classroom.yaml", "11", "300", "k");
    /* Watch the snapshots, and kill one agent once the run is under way. */
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, s_run.publish), 0);
    size_t victim = s_run.n_agents - 1; /* a lab */
    int killed = 0;
    for (int waited = 0; waited < 300 && !killed; waited++) {
        fw_envelope_t *env = NULL;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK && env->snapshot && env->snapshot->tick >= 3) {
            kill(s_run.procs.pid[s_run.agents[victim]], SIGKILL);
            killed = 1;
        }
        fw_proto_free(&env);
    }
    zmq_close(sub);
    zmq_ctx_term(ctx);
    cr_assert(killed, "the run never reached tick 3");
    cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.coordinator, 60000), 0, "coordinator exit code");
    cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.agents[victim], 1000), 128 + SIGKILL);
    for (size_t s = 0; s < victim; s++)
        cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.agents[s], 10000), 0);

    json_t *j = s_summary(s_run.out);
    cr_assert_eq(json_integer_value(json_object_get(j, "ticks_run")), s_run.sc->ticks);
    json_t *dead = json_array_get(json_object_get(j, "companies"), victim);
    json_int_t present = json_integer_value(json_object_get(dead, "present_ticks"));
    cr_assert_lt(present, s_run.sc->ticks, "the killed seat got default actions");
    cr_assert_geq(present, 3);
    json_decref(j);
}

Test(run, same_seed_gives_identical_metrics)
{
    char a[1024], b[1024];
    size_t la, lb;
    s_start("scenarios/classroom.yaml", "5", "5000", "s1");
    cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.coordinator, 60000), 0);
    snprintf(a, sizeof a, "%s/metrics.csv", s_run.out);
    s_start("scenarios/classroom.yaml", "5", "5000", "s2");
    cr_assert_eq(fw_procs_wait(&s_run.procs, s_run.coordinator, 60000), 0);
    snprintf(b, sizeof b, "%s/metrics.csv", s_run.out);
    char *ca = fw_test_read_file(a, &la), *cb = fw_test_read_file(b, &lb);
    cr_assert_not_null(ca);
    cr_assert_not_null(cb);
    cr_assert_eq(la, lb, "metrics.csv lengths differ");
    cr_assert_arr_eq(ca, cb, la, "metrics.csv differs between two runs with seed 5");
    free(ca);
    free(cb);
}

/* Starts a coordinator for the baseline that would run for hours, with `extra`
 * options, and waits for its first metrics; returns its index in procs. */
static int s_start_long(const char *tag, char *const extra[])
{
    char bin[1024], sc_path[1024], log[1024], metrics[1100];
    run_t *r = &s_run;
    if (!r->dir[0])
        cr_assert_not_null(fw_test_tmpdir(r->dir, sizeof r->dir));
    fw_test_source_path(sc_path, sizeof sc_path, "scenarios/baseline.yaml");
    snprintf(r->out, sizeof r->out, "%s/out-%s", r->dir, tag);
    snprintf(r->listen, sizeof r->listen, "ipc://%s/agents-%s", r->dir, tag);
    snprintf(r->publish, sizeof r->publish, "ipc://%s/observers-%s", r->dir, tag);
    snprintf(log, sizeof log, "%s/coordinator-%s.log", r->dir, tag);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    char *argv[32] = {bin, "--scenario", sc_path, "--listen", r->listen, "--publish",
                      r->publish, "--out", r->out, "--ticks", "1000000", "--log-level",
                      "warn"};
    size_t n = 13;
    for (size_t i = 0; extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int c = fw_procs_start(&r->procs, argv, log);
    cr_assert_geq(c, 0);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", r->out);
    cr_assert_eq(fw_test_wait_file(metrics, 20000), 0, "the run never started (see %s)", log);
    /* The header is written in the lobby: wait for two ticks' rows (bounded). */
    for (int tries = 0; tries < 2000; tries++) {
        char *text = fw_test_read_file(metrics, NULL);
        size_t rows = 0;
        for (const char *t = text; t && *t; t++)
            rows += *t == '\n';
        free(text);
        if (rows >= 3)
            return c;
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    cr_assert_fail("no tick cleared in 20 s (see %s)", log);
    return c;
}

/* SIGTERM stops the coordinator at the next tick, with its summary written, even when
 * nobody is waited for and ticks follow each other with no pause: every seat a house
 * bot, or every agent gone. */
static void s_stops_on_sigterm(int c)
{
    run_t *r = &s_run;
    kill(r->procs.pid[c], SIGTERM);
    cr_assert_eq(fw_procs_wait(&r->procs, c, 20000), 130, "interrupted: exit 130, at once");
    json_t *j = s_summary(r->out);
    cr_assert_str_eq(json_string_value(json_object_get(j, "stopped")), "interrupted");
    json_decref(j);
}

Test(run, sigterm_stops_a_run_of_house_bots_only)
{
    char *extra[] = {"--house-bots", "--start-after", "0", NULL};
    s_stops_on_sigterm(s_start_long("bots", extra));
}

Test(run, sigterm_stops_a_run_whose_agents_are_all_gone)
{
    char agent_bin[1024], *none[] = {"--join-timeout", "20000", NULL};
    run_t *r = &s_run;
    char sc_path[1024], err[256];
    fw_test_source_path(sc_path, sizeof sc_path, "scenarios/baseline.yaml");
    fw_scenario_destroy(&r->sc);
    r->sc = fw_scenario_load(sc_path, err, sizeof err);
    cr_assert_not_null(r->sc, "%s", err);
    /* The agents first: the coordinator's first metrics come once every seat is in. */
    if (!r->dir[0])
        cr_assert_not_null(fw_test_tmpdir(r->dir, sizeof r->dir));
    snprintf(r->listen, sizeof r->listen, "ipc://%s/agents-gone", r->dir);
    fw_test_build_path(agent_bin, sizeof agent_bin, "flywheel-agent");
    for (size_t s = 0; s < r->sc->n_seats; s++) {
        char *aargv[] = {agent_bin, "--connect", r->listen, "--seat", r->sc->seats[s].id,
                         "--log-level", "error", NULL};
        r->agents[s] = fw_procs_start(&r->procs, aargv, NULL);
        cr_assert_geq(r->agents[s], 0);
    }
    int c = s_start_long("gone", none);
    /* They leave as Ctrl-C makes them leave (a Bye each): the coordinator knows at once
     * that nobody is left to wait for. */
    for (size_t s = 0; s < r->sc->n_seats; s++)
        kill(r->procs.pid[r->agents[s]], SIGTERM);
    for (size_t s = 0; s < r->sc->n_seats; s++)
        fw_procs_wait(&r->procs, r->agents[s], 10000);
    s_stops_on_sigterm(c);
}
