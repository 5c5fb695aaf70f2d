/* Crash and resume, with real processes: a coordinator SIGKILLed at several points of
 * a run (early, in the middle, late) and restarted with --resume replays its log,
 * takes its agents back and finishes with metrics.csv and the final state hash of an
 * uninterrupted run of the same seed (the baseline: 84 ticks, 13 agents); a torn last record (cut short, or half of one
 * appended) is cut and the run still ends the same; a log of another run is refused;
 * `flywheel run` and `flywheel serve` restart a killed coordinator on their own,
 * once, and say so; house bots resumed play on as if nothing happened. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_testproc.h"
#include "fw_testpty.h"

/* The baseline: 84 ticks of 13 agents, long enough to kill its coordinator late. */
#define S_SCENARIO "scenarios/baseline.yaml"

FW_TEST_PROCS_SUITE(resume, 240);

/* Rows of metrics.csv written so far (the header not counted). */
static long s_rows(const char *out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/metrics.csv", out);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long lines = 0;
    for (int ch; (ch = fgetc(f)) != EOF;)
        lines += ch == '\n';
    fclose(f);
    return lines - 1;
}

/* Waits until `out` has `rows` ticks in metrics.csv. */
static void s_wait_rows(const char *out, long rows)
{
    for (long long until = fw_clock_ms() + 120000; fw_clock_ms() < until; fw_clock_sleep_ms(2))
        if (s_rows(out) >= rows)
            return;
    cr_assert_fail("%s never reached %ld ticks", out, rows);
}

/* The state hash of the last Snapshot in out/events.log, and how many there are. */
static uint64_t s_final_hash(const char *out, uint32_t *ticks)
{
    char path[512];
    snprintf(path, sizeof path, "%s/events.log", out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no %s", path);
    fw_envelope_t *env = NULL;
    uint64_t hash = 0;
    *ticks = 0;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            hash = env->snapshot->state_hash;
            *ticks = env->tick;
        }
        fw_proto_free(&env);
    }
    fclose(f);
    return hash;
}

static void s_expect_same_run(const char *ref, const char *out)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/metrics.csv", ref);
    snprintf(b, sizeof b, "%s/metrics.csv", out);
    char *ta = fw_test_read_file(a, NULL), *tb = fw_test_read_file(b, NULL);
    cr_assert(ta && tb);
    cr_assert(strcmp(ta, tb) == 0, "%s differs from the uninterrupted run's", b);
    free(ta);
    free(tb);
    uint32_t ra, rb;
    uint64_t ha = s_final_hash(ref, &ra), hb = s_final_hash(out, &rb);
    cr_assert_eq(ra, rb);
    cr_assert_eq(ha, hb, "final state hash %016llx, uninterrupted %016llx",
                 (unsigned long long)hb, (unsigned long long)ha);
    /* And the log replays, tick by tick. */
    char bin[1024], log[600];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    snprintf(log, sizeof log, "%s.verify.log", out);
    char *argv[] = {bin, "replay", "--verify", (char *)out, "--quiet", NULL};
    cr_assert_eq(fw_procs_wait(&s_procs, fw_procs_start(&s_procs, argv, log), 120000), 0,
                 "replay --verify of the resumed run");
}

/* The coordinator of `scenario` on out (resumed or not), lockstep, every seat an
 * agent's. Returns its process index. */
static int s_coordinator(const char *scenario, const char *name, int resume, const char *seed)
{
    char bin[1024], sc[1024], listen[300], publish[300], out[300], log[300];
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, scenario);
    snprintf(listen, sizeof listen, "ipc://%s/%s.agents", s_dir, name);
    snprintf(publish, sizeof publish, "ipc://%s/%s.observers", s_dir, name);
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s.coordinator%d.log", s_dir, name, resume);
    char *argv[] = {bin, "--scenario", sc, "--listen", listen, "--publish", publish, "--out", out,
                    "--log-level", "info", "--join-timeout", "120000",
                    seed ? "--seed" : "--log-level", seed ? (char *)seed : "info",
                    resume ? "--resume" : NULL, NULL};
    return fw_procs_start(&s_procs, argv, log);
}

/* One agent per seat of the scenario. */
static void s_agents(const char *name)
{
    char bin[1024], listen[300], path[1024], err[512];
    fw_test_source_path(path, sizeof path, S_SCENARIO);
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(listen, sizeof listen, "ipc://%s/%s.agents", s_dir, name);
    for (size_t i = 0; i < sc->n_seats; i++) {
        char log[300];
        snprintf(log, sizeof log, "%s/%s.%s.log", s_dir, name, sc->seats[i].id);
        char *argv[] = {bin, "--connect", listen, "--seat", (char *)sc->seats[i].id,
                        "--log-level", "info", NULL};
        fw_procs_start(&s_procs, argv, log);
    }
    fw_scenario_destroy(&sc);
}

/* A run of the scenario, whole. */
static void s_reference(const char *name)
{
    int c = s_coordinator(S_SCENARIO, name, 0, NULL);
    s_agents(name);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 120000), 0, "the uninterrupted run");
}

/* The same run, its coordinator SIGKILLed once `kill_at` ticks are in metrics.csv,
 * `tear` applied to the log, then restarted with --resume. */
typedef enum { TEAR_NONE, TEAR_LENGTH_ONLY, TEAR_HALF_RECORD } s_tear_t;

static void s_killed_and_resumed(const char *name, long kill_at, s_tear_t tear)
{
    char out[300];
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    int c = s_coordinator(S_SCENARIO, name, 0, NULL);
    s_agents(name);
    s_wait_rows(out, kill_at);
    /* Stopped first, then killed: wherever it was when the tick appeared. */
    kill(s_procs.pid[c], SIGSTOP);
    cr_assert(fw_procs_alive(&s_procs, c), "the run ended before tick %ld: no kill", kill_at);
    kill(s_procs.pid[c], SIGKILL);
    int killed = fw_procs_wait(&s_procs, c, 30000);
    cr_assert_eq(killed, 128 + SIGKILL, "the killed coordinator ended with %d", killed);

    char path[400];
    snprintf(path, sizeof path, "%s/events.log", out);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    if (tear == TEAR_LENGTH_ONLY) {
        /* A record's length and its first bytes, as a kill in the middle of a write
         * leaves it: 300 bytes announced, 10 written. */
        FILE *f = fopen(path, "ab");
        cr_assert_not_null(f);
        static const unsigned char torn[] = {0xac, 0x02, 8, 1, 18, 4, 't', 'o', 'r', 'n', 0, 0};
        fwrite(torn, 1, sizeof torn, f);
        fclose(f);
    } else if (tear == TEAR_HALF_RECORD) {
        /* The first half of a record after the last whole one (the last record's
         * bytes again, cut in the middle: what a write stopped halfway leaves). */
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f);
        long start = 0, end = 0;
        fw_envelope_t *env = NULL;
        while (end = ftell(f), fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
            start = end;
            fw_proto_free(&env);
        }
        end = ftell(f);
        fclose(f);
        size_t len = 0;
        char *bytes = fw_test_read_file(path, &len);
        cr_assert(bytes && end > start);
        f = fopen(path, "ab");
        cr_assert_not_null(f);
        fwrite(bytes + start, 1, (size_t)(end - start) / 2, f);
        fclose(f);
        free(bytes);
    }
    int r = s_coordinator(S_SCENARIO, name, 1, NULL);
    int code = fw_procs_wait(&s_procs, r, 120000);
    char log[400];
    snprintf(log, sizeof log, "%s/%s.coordinator1.log", s_dir, name);
    if (code != 0) {
        char *text = fw_test_read_file(log, NULL);
        size_t len = text ? strlen(text) : 0;
        cr_assert_fail("the resumed run ended with %d; its log ends:\n%s", code,
                       text ? text + (len > 1500 ? len - 1500 : 0) : "(none)");
    }
    cr_assert_geq(fw_test_wait_text(log, "every state hash matches", 0, 1000), 0);
    if (tear != TEAR_NONE)
        cr_assert_geq(fw_test_wait_text(log, "the torn end of the log was cut", 0, 1000), 0);
}

Test(resume, a_coordinator_killed_at_several_points_resumes_to_the_same_final_hash)
{
    char ref[300], out[300];
    s_reference("ref");
    snprintf(ref, sizeof ref, "%s/ref", s_dir);
    static const struct {
        const char *name;
        long kill_at;
    } points[] = {{"early", 1}, {"middle", 40}, {"late", 75}};
    for (size_t i = 0; i < sizeof points / sizeof *points; i++) {
        s_killed_and_resumed(points[i].name, points[i].kill_at, TEAR_NONE);
        snprintf(out, sizeof out, "%s/%s", s_dir, points[i].name);
        s_expect_same_run(ref, out);
    }
}

Test(resume, a_torn_last_record_is_cut_and_the_run_ends_the_same)
{
    char ref[300], out[300];
    s_reference("ref");
    snprintf(ref, sizeof ref, "%s/ref", s_dir);
    s_killed_and_resumed("cut", 20, TEAR_LENGTH_ONLY);
    snprintf(out, sizeof out, "%s/cut", s_dir);
    s_expect_same_run(ref, out);
    s_killed_and_resumed("half", 50, TEAR_HALF_RECORD);
    snprintf(out, sizeof out, "%s/half", s_dir);
    s_expect_same_run(ref, out);
}

Test(resume, a_log_of_another_run_is_refused)
{
    char out[300];
    s_reference("other");
    snprintf(out, sizeof out, "%s/other", s_dir);
    int r = s_coordinator(S_SCENARIO, "other", 1, "99");
    cr_assert_eq(fw_procs_wait(&s_procs, r, 30000), 1);
    char log[400];
    snprintf(log, sizeof log, "%s/other.coordinator1.log", s_dir);
    cr_assert_geq(fw_test_wait_text(log, "cannot resume from", 0, 1000), 0);
    cr_assert_geq(fw_test_wait_text(log, "another seed", 0, 1000), 0);
}

/* The pid of the coordinator writing to `out` (a child of run or serve). */
static pid_t s_coordinator_pid(const char *out)
{
    for (long long until = fw_clock_ms() + 30000; fw_clock_ms() < until; fw_clock_sleep_ms(5)) {
        DIR *d = opendir("/proc");
        cr_assert_not_null(d);
        for (struct dirent *e; (e = readdir(d));) {
            char path[300], cmd[4096];
            if (e->d_name[0] < '0' || e->d_name[0] > '9')
                continue;
            snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            size_t n = fread(cmd, 1, sizeof cmd - 1, f);
            fclose(f);
            cmd[n] = '\0';
            int is_coord = strstr(cmd, "flywheel-coordinator") != NULL;
            for (size_t i = 0; i + 1 < n; i++)
                if (cmd[i] == '\0')
                    cmd[i] = ' ';
            if (is_coord && strstr(cmd, out)) {
                pid_t pid = (pid_t)atol(e->d_name); /* before closedir frees the entry */
                closedir(d);
                return pid;
            }
        }
        closedir(d);
    }
    cr_assert_fail("no coordinator writing to %s", out);
    return -1;
}

Test(resume, flywheel_run_restarts_a_killed_coordinator_once_and_says_so)
{
    char ref[300], out[300], bin[1024], sc[1024], log[300];
    s_reference("ref");
    snprintf(ref, sizeof ref, "%s/ref", s_dir);
    snprintf(out, sizeof out, "%s/launched", s_dir);
    snprintf(log, sizeof log, "%s/launched.log", s_dir);
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, S_SCENARIO);
    char *argv[] = {bin, "run", sc, "--out", out, NULL};
    int run = fw_procs_start(&s_procs, argv, log);
    pid_t coord = s_coordinator_pid(out);
    s_wait_rows(out, 30);
    cr_assert_eq(kill(coord, SIGKILL), 0);
    cr_assert_eq(fw_procs_wait(&s_procs, run, 120000), 0, "the run completes after a restart");
    cr_assert_geq(fw_test_wait_text(log, "restarting it from its log (once)", 0, 1000), 0);
    s_expect_same_run(ref, out);
}

/* serve, house bots only (nobody joins): killed, restarted from its log, and the bots
 * play on from where their streams were, so the game ends as an uninterrupted one. */
static int s_serve(const char *name)
{
    char bin[1024], sc[1024], listen[300], publish[300], out[300], log[300];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml"); /* 24 short turns */
    snprintf(listen, sizeof listen, "ipc://%s/%s.agents", s_dir, name);
    snprintf(publish, sizeof publish, "ipc://%s/%s.observers", s_dir, name);
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s.log", s_dir, name);
    char *argv[] = {bin, "serve", sc, "--listen", listen, "--publish", publish, "--out", out,
                    "--start-after", "0", "--pace", "deadline:0.1", "--quiet", NULL};
    return fw_procs_start(&s_procs, argv, log);
}

Test(resume, flywheel_serve_restarts_a_killed_coordinator_and_its_house_bots_play_on)
{
    char ref[300], out[300], log[300];
    snprintf(ref, sizeof ref, "%s/serve-ref", s_dir);
    snprintf(out, sizeof out, "%s/serve-killed", s_dir);
    cr_assert_eq(fw_procs_wait(&s_procs, s_serve("serve-ref"), 120000), 0);
    int srv = s_serve("serve-killed");
    pid_t coord = s_coordinator_pid(out);
    s_wait_rows(out, 8);
    cr_assert_eq(kill(coord, SIGKILL), 0);
    cr_assert_eq(fw_procs_wait(&s_procs, srv, 120000), 0, "the game completes after a restart");
    snprintf(log, sizeof log, "%s/serve-killed.log", s_dir);
    cr_assert_geq(fw_test_wait_text(log, "restarting it from its log (once)", 0, 1000), 0);
    s_expect_same_run(ref, out);
}

/* A disk that fills up (here: a file-size limit, which fails writes as a full disk
 * does) stops the run with the reason, not a run going on without its log; the agents
 * wait, and once there is room --resume finishes the run as if nothing happened. */
Test(resume, a_full_disk_stops_the_run_with_a_clear_error_and_it_resumes_once_there_is_room)
{
    char ref[300], out[300], bin[1024], sc[1024], listen[300], publish[300], log[300];
    s_reference("ref");
    snprintf(ref, sizeof ref, "%s/ref", s_dir);
    snprintf(out, sizeof out, "%s/full", s_dir);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, S_SCENARIO);
    snprintf(listen, sizeof listen, "ipc://%s/full.agents", s_dir);
    snprintf(publish, sizeof publish, "ipc://%s/full.observers", s_dir);
    snprintf(log, sizeof log, "%s/full.coordinator0.log", s_dir);
    /* 600 blocks of 512 bytes: a few ticks of the baseline's log fit, not all 84. */
    char *argv[] = {"/bin/sh", "-c", "ulimit -f 600 && exec \"$0\" \"$@\"", bin, "--scenario",
                    sc, "--listen", listen, "--publish", publish, "--out", out, "--log-level",
                    "info", NULL};
    int c = fw_procs_start(&s_procs, argv, log);
    s_agents("full");
    int code = fw_procs_wait(&s_procs, c, 120000);
    cr_assert_eq(code, 1, "the coordinator stops with a failure, not %d", code);
    cr_assert_geq(fw_test_wait_text(log, "File too large", 0, 1000), 0,
                  "the log says why it stopped");
    long rows = s_rows(out);
    cr_assert(rows > 0 && rows < 84, "it stopped advancing (%ld ticks)", rows);

    cr_assert_geq(fw_test_wait_text(log, "restart with --resume to finish it", 0, 1000), 0);
    int r = s_coordinator(S_SCENARIO, "full", 1, NULL);
    code = fw_procs_wait(&s_procs, r, 120000);
    cr_assert_eq(code, 0, "resumed with room, the run completes (%d)", code);
    s_expect_same_run(ref, out);
}
