/* Many seats per agent process: `flywheel run --seats-per-process K` and
 * `flywheel-agent --role ROLE --count K` play the same run as one process per seat,
 * metrics.csv byte for byte, because each seat keeps its own connection and its
 * strategy sees only its observation and its own seeded stream. And a generated
 * market of 256 companies runs to the end in four agent processes. `flywheel run
 * --embedded` (every seat a thread of one process) gives the same bytes, and stops on
 * Ctrl-C with its summary. Every process
 * started here is killed and reaped by the fixture, pass or fail. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(grouped, 240);

/* Runs `flywheel ARGS...` with stdout and stderr to `log`; returns its exit code. */
static int s_flywheel(char *const args[], const char *log, int timeout_ms)
{
    int p = fw_procs_start_program(&s_procs, "flywheel", args, log);
    cr_assert_geq(p, 0);
    return fw_procs_wait(&s_procs, p, timeout_ms);
}

/* `flywheel run` of `scenario` (a path) with seed 7 and `per` seats per agent process,
 * into s_dir/out-<per>; asserts it succeeded and returns its metrics.csv. */
static char *s_run(const char *scenario, const char *per, const char *ticks, size_t *len)
{
    char out[1024], log[1024], metrics[1100];
    snprintf(out, sizeof out, "%s/out-%s", s_dir, per);
    snprintf(log, sizeof log, "%s/run-%s.log", s_dir, per);
    /* per "embedded": the coordinator and every seat as threads of one process. */
    int embedded = strcmp(per, "embedded") == 0;
    char *args[16] = {"run", (char *)scenario, "--seed", "7",
                      embedded ? "--embedded" : "--seats-per-process",
                      embedded ? "--quiet" : (char *)per, "--quiet", "--out", out};
    int n = 9;
    if (ticks) {
        args[n++] = "--ticks";
        args[n++] = (char *)ticks;
    }
    args[n] = NULL;
    int rc = s_flywheel(args, log, 180000);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "flywheel run --seats-per-process %s: exit %d:\n%s", per, rc,
                 text ? text : "");
    /* An agent that ended badly is a warning in the launcher's output: none here. */
    cr_assert(!text || !strstr(text, "warning"), "flywheel run --seats-per-process %s:\n%s",
              per, text);
    free(text);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    char *csv = fw_test_read_file(metrics, len);
    cr_assert_not_null(csv, "no %s", metrics);
    return csv;
}

static void s_assert_same(const char *a, size_t la, const char *b, size_t lb, const char *what)
{
    cr_assert_eq(la, lb, "metrics.csv lengths differ: %s", what);
    cr_assert(memcmp(a, b, la) == 0, "metrics.csv differs: %s", what);
}

Test(grouped, seats_per_process_and_embedded_give_identical_metrics)
{
    char sc[1024];
    size_t l1, l4, l13;
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    char *one = s_run(sc, "1", NULL, &l1);
    char *four = s_run(sc, "4", NULL, &l4);
    char *all = s_run(sc, "13", NULL, &l13); /* the baseline's 13 seats in one process */
    s_assert_same(one, l1, four, l4, "1 vs 4 seats per process");
    s_assert_same(one, l1, all, l13, "1 vs all 13 in one process");
    size_t le;
    char *embedded = s_run(sc, "embedded", NULL, &le);
    s_assert_same(one, l1, embedded, le, "1 per process vs embedded (threads over inproc)");
    free(one);
    free(four);
    free(all);
    free(embedded);
}

/* The coordinator alone, with three agent processes asking for any free seats of
 * their role: whichever seat each connection gets, the run is the seed's. */
Test(grouped, role_count_agents_give_identical_metrics)
{
    char sc[1024], coord[1024], agent[1024], listen[1100], pub[1100], out[1024];
    char log[1100], metrics[1100];
    size_t l1, lr;
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    char *one = s_run(sc, "1", NULL, &l1);

    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_build_path(agent, sizeof agent, "flywheel-agent");
    snprintf(listen, sizeof listen, "ipc://%s/a", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/p", s_dir);
    snprintf(out, sizeof out, "%s/out-roles", s_dir);
    snprintf(log, sizeof log, "%s/coordinator-roles.log", s_dir);
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out",
                     out, "--seed", "7", "--join-timeout", "20000", "--log-level", "warn",
                     NULL};
    int c = fw_procs_start(&s_procs, cargv, log);
    cr_assert_geq(c, 0);
    char endpoints[1100];
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator never bound");

    /* The baseline: 6 clouds, 3 labs, 4 chip vendors. */
    static const char *roles[][2] = {{"hyperscaler", "6"}, {"lab", "3"}, {"vendor", "4"}};
    int agents[3];
    for (int i = 0; i < 3; i++) {
        char alog[1100];
        snprintf(alog, sizeof alog, "%s/agents-%s.log", s_dir, roles[i][0]);
        char *aargv[] = {agent, "--connect", listen, "--role", (char *)roles[i][0], "--count",
                         (char *)roles[i][1], "--log-level", "warn", NULL};
        agents[i] = fw_procs_start(&s_procs, aargv, alog);
        cr_assert_geq(agents[i], 0);
    }
    cr_assert_eq(fw_procs_wait(&s_procs, c, 120000), 0, "coordinator exit code (see %s)", log);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(fw_procs_wait(&s_procs, agents[i], 10000), 0, "the %s agents' exit code",
                     roles[i][0]);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    char *roles_csv = fw_test_read_file(metrics, &lr);
    cr_assert_not_null(roles_csv);
    s_assert_same(one, l1, roles_csv, lr, "one process per seat vs --role --count");
    free(one);
    free(roles_csv);
}

/* 256 companies, 64 seats to a process: four agent processes hold the whole market. */
Test(grouped, a_generated_256_company_market_runs_in_four_processes_and_embedded)
{
    char sc[1024], log[1024];
    size_t len;
    snprintf(sc, sizeof sc, "%s/synth-256.yaml", s_dir);
    snprintf(log, sizeof log, "%s/synth.log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "256", "--seed", "7",
                                       "--out", sc, NULL}, log, 30000), 0);
    char *csv = s_run(sc, "64", "3", &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += csv[i] == '\n';
    cr_assert_eq(lines, 4, "a header and 3 ticks");
    cr_assert_eq(strncmp(csv, "tick,", 5), 0);
    /* Embedded: the same market in one process gives the same three ticks. */
    size_t le;
    char *embedded = s_run(sc, "embedded", "3", &le);
    s_assert_same(csv, len, embedded, le, "4 processes vs embedded, 256 companies");
    free(embedded);
    free(csv);
}

/* Ctrl-C on an embedded run: the coordinator thread stops at the end of its tick, the
 * seats say goodbye, the table of the run so far is printed, and the exit is 130. */
Test(grouped, ctrl_c_stops_an_embedded_run_with_its_summary)
{
    char sc[1024], log[1024], out[1024], bin[1024], metrics[1100], summary[1100];
    snprintf(sc, sizeof sc, "%s/long.yaml", s_dir);
    snprintf(log, sizeof log, "%s/long-synth.log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "64", "--seed", "3",
                                       "--ticks", "100000", "--out", sc, NULL}, log, 30000), 0);
    snprintf(out, sizeof out, "%s/out-interrupted", s_dir);
    snprintf(log, sizeof log, "%s/interrupted.log", s_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    fw_test_build_path(bin, sizeof bin, "flywheel");
    char *argv[] = {bin, "run", sc, "--embedded", "--out", out, NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    /* Some ticks in: metrics.csv has a header and rows. */
    for (int i = 0; i < 6000; i++) {
        char *text = fw_test_read_file(metrics, NULL);
        size_t lines = 0;
        for (const char *c = text; c && *c; c++)
            lines += *c == '\n';
        free(text);
        if (lines >= 4)
            break;
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    cr_assert(fw_procs_alive(&s_procs, p), "the run ended by itself");
    kill(s_procs.pid[p], SIGINT);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 60000), 130, "an interrupted run exits 130");
    char *text = fw_test_read_file(log, NULL);
    cr_assert(text && strstr(text, "books balanced"), "the table of the run so far:\n%s",
              text ? text : "");
    free(text);
    cr_assert_eq(access(summary, R_OK), 0, "summary.json is written");
}
