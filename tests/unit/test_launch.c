/* Unit tests of fw_launch: run-dir names, endpoints, the summary table, and the
 * supervisor (real child processes: spawn, reap, terminate, no orphans). */
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fw_check.h"
#include "fw_launch.h"
#include "fw_scenario.h"

/* Output of fw_launch_format_summary as a string (caller frees). */
static char *s_summary(const char *json, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    char err[256] = "";
    FILE *f = open_memstream(&text, &len);

    cr_assert_not_null(f);
    *rc = fw_launch_format_summary(f, json, "runs/x", err, sizeof err);
    if (*rc != 0)
        fprintf(f, "ERR %s", err);
    fclose(f);
    return text;
}

/* The line of `text` that starts (after indentation) with `id` followed by a space. */
static const char *s_row(const char *text, const char *id)
{
    static char line[512];
    const char *p = text;
    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        const char *q = line;
        while (*q == ' ')
            q++;
        if (strncmp(q, id, strlen(id)) == 0 && q[strlen(id)] == ' ')
            return line;
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

static long long s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- names and paths ------------------------------------------------------ */

Test(fw_launch, run_dir_name_is_scenario_and_utc_time)
{
    char buf[256];
    /* 1700000000 is 2023-11-14 22:13:20 UTC. */
    cr_assert_eq(fw_launch_run_dir_name("baseline", (time_t)1700000000, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, "runs/baseline-20231114T221320Z");
}

Test(fw_launch, run_dir_name_makes_the_name_one_path_component)
{
    char buf[256];
    cr_assert_eq(fw_launch_run_dir_name("Big run/2", (time_t)0, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, "runs/Big-run-2-19700101T000000Z");
    cr_assert_eq(fw_launch_run_dir_name("..", (time_t)0, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, "runs/run-19700101T000000Z");
}

Test(fw_launch, run_dir_name_refuses_a_small_buffer)
{
    char buf[8];
    cr_expect_eq(fw_launch_run_dir_name("baseline", (time_t)0, buf, sizeof buf), -1);
}

Test(fw_launch, mkdirs_creates_missing_parents_and_accepts_existing)
{
    char base[] = "/tmp/fw-test-launch-XXXXXX";
    char path[256], cmd[300];
    struct stat st;

    cr_assert_not_null(mkdtemp(base));
    snprintf(path, sizeof path, "%s/a/b/c", base);
    cr_assert_eq(fw_launch_mkdirs(path), 0);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect(S_ISDIR(st.st_mode));
    cr_expect_eq(fw_launch_mkdirs(path), 0, "an existing directory is fine");
    snprintf(path, sizeof path, "%s/file", base);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fclose(f);
    cr_expect_eq(fw_launch_mkdirs(path), -1, "a file is not a directory");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    cr_expect_eq(system(cmd), 0);
}

Test(fw_launch, find_binary_honours_fw_bin_dir)
{
    char buf[512];
    cr_assert_eq(setenv("FW_BIN_DIR", "/bin", 1), 0);
    cr_expect_eq(fw_launch_find_binary("sh", buf, sizeof buf), 0);
    cr_expect_str_eq(buf, "/bin/sh");
    cr_expect_eq(fw_launch_find_binary("no-such-flywheel-binary", buf, sizeof buf), -1);
    cr_expect_str_eq(buf, "/bin/no-such-flywheel-binary", "the path tried is kept");
    unsetenv("FW_BIN_DIR");
}

Test(fw_launch, find_binary_defaults_to_the_directory_of_this_program)
{
    char buf[512], self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    cr_assert_gt(n, 0);
    self[n] = '\0';
    unsetenv("FW_BIN_DIR");
    const char *base = strrchr(self, '/') + 1;
    cr_expect_eq(fw_launch_find_binary(base, buf, sizeof buf), 0);
    cr_expect_str_eq(buf, self);
}

/* --- endpoints ---------------------------------------------------------------- */

Test(fw_launch, ipc_endpoints_live_in_a_private_directory_removed_at_cleanup)
{
    fw_endpoints_t ep;
    struct stat st;
    char expect[600];

    cr_assert_eq(fw_launch_endpoints_make(FW_TRANSPORT_IPC, &ep), 0);
    cr_assert_eq(stat(ep.ipc_dir, &st), 0);
    cr_expect(S_ISDIR(st.st_mode));
    cr_expect_eq(st.st_mode & 0777, 0700);
    snprintf(expect, sizeof expect, "ipc://%s/agents", ep.ipc_dir);
    cr_expect_str_eq(ep.listen, expect);
    snprintf(expect, sizeof expect, "ipc://%s/observers", ep.ipc_dir);
    cr_expect_str_eq(ep.publish, expect);

    /* A killed coordinator leaves its socket files behind: cleanup removes them too. */
    char leftover[600], dir[256];
    snprintf(dir, sizeof dir, "%s", ep.ipc_dir);
    snprintf(leftover, sizeof leftover, "%s/agents", dir);
    FILE *f = fopen(leftover, "w");
    cr_assert_not_null(f);
    fclose(f);
    fw_launch_endpoints_cleanup(&ep);
    cr_expect_eq(stat(dir, &st), -1);
    cr_expect_eq(errno, ENOENT);
    fw_launch_endpoints_cleanup(&ep); /* twice is harmless */
}

Test(fw_launch, tcp_endpoints_let_the_coordinator_pick_ports)
{
    fw_endpoints_t ep;
    cr_assert_eq(fw_launch_endpoints_make(FW_TRANSPORT_TCP, &ep), 0);
    cr_expect_str_eq(ep.listen, "tcp://127.0.0.1:*");
    cr_expect_str_eq(ep.publish, "tcp://127.0.0.1:*");
    cr_expect_str_eq(ep.ipc_dir, "");
    cr_expect_eq(fw_launch_transport_parse("ipc"), FW_TRANSPORT_IPC);
    cr_expect_eq(fw_launch_transport_parse("tcp"), FW_TRANSPORT_TCP);
    cr_expect_eq(fw_launch_transport_parse("udp"), -1);
}

Test(fw_launch, read_endpoints_parses_the_coordinators_file)
{
    char path[] = "/tmp/fw-test-endpoints-XXXXXX";
    char listen[128], publish[128];
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);

    FILE *f = fopen(path, "w");
    fputs("listen=tcp://127.0.0.1:40001\npublish=tcp://127.0.0.1:40002\n", f);
    fclose(f);
    cr_assert_eq(fw_launch_read_endpoints(path, listen, publish, sizeof listen), FW_LAUNCH_OK);
    cr_expect_str_eq(listen, "tcp://127.0.0.1:40001");
    cr_expect_str_eq(publish, "tcp://127.0.0.1:40002");

    f = fopen(path, "w");
    fputs("listen=tcp://127.0.0.1:40001\n", f);
    fclose(f);
    cr_expect_eq(fw_launch_read_endpoints(path, listen, publish, sizeof listen),
                 FW_LAUNCH_EMALFORMED);

    /* Windows line ends and a line cut by the caller's buffer still read. */
    f = fopen(path, "w");
    fputs("publish=ipc:///tmp/x/observers\r\nlisten=ipc:///tmp/x/agents\r\n", f);
    fclose(f);
    cr_assert_eq(fw_launch_read_endpoints(path, listen, publish, 20), FW_LAUNCH_OK);
    cr_expect_str_eq(listen, "ipc:///tmp/x/agents");
    cr_expect_str_eq(publish, "ipc:///tmp/x/observ");

    /* Something far bigger than two URLs is not the coordinator's file. */
    f = fopen(path, "w");
    fputs("listen=tcp://127.0.0.1:40001\npublish=tcp://127.0.0.1:40002\n", f);
    for (int i = 0; i < 70000; i++)
        fputc('#', f);
    fclose(f);
    cr_expect_eq(fw_launch_read_endpoints(path, listen, publish, sizeof listen),
                 FW_LAUNCH_EMALFORMED);

    unlink(path);
    cr_expect_eq(fw_launch_read_endpoints(path, listen, publish, sizeof listen),
                 FW_LAUNCH_ENOTYET);
}

/* --- summary table -------------------------------------------------------------- */

static const char *FIXTURE =
    "{\"scenario\": \"baseline\", \"run_id\": \"r1\", \"seed\": 42, \"ticks\": 24,"
    " \"ticks_run\": 24, \"books_balanced\": true, \"wall_seconds\": 1.34,"
    " \"companies\": ["
    "  {\"id\": \"aws\", \"name\": \"Amazon Web Services\", \"role\": \"hyperscaler\","
    "   \"cash\": 80000000000, \"revenue_total\": 12300000000, \"cost_total\": 11000000000,"
    "   \"profit_total\": 1300000000, \"present_ticks\": 24},"
    "  {\"id\": \"openai\", \"name\": \"OpenAI\", \"role\": \"lab\","
    "   \"cash\": 450000000, \"revenue_total\": 3700000000, \"cost_total\": 8700000000,"
    "   \"profit_total\": -5000000000, \"present_ticks\": 24},"
    "  {\"id\": \"nvidia\", \"name\": \"NVIDIA\", \"role\": \"vendor\","
    "   \"cash\": 12000, \"revenue_total\": 950, \"cost_total\": 0,"
    "   \"profit_total\": 950, \"present_ticks\": 23}],"
    " \"final_metrics\": {\"compute_share.aws\": 0.345, \"installed_share.hopper\": 0.8}}";

Test(fw_launch, summary_prints_header_and_one_row_per_company)
{
    int rc;
    char *out = s_summary(FIXTURE, &rc);
    const char *row;

    cr_assert_eq(rc, 0, "%s", out);
    cr_expect(strncmp(out, "Flywheel run: baseline seed 42, 24 ticks, 1.3 s -> runs/x\n",
                      strlen("Flywheel run: baseline seed 42, 24 ticks, 1.3 s -> runs/x\n")) == 0,
              "header: %s", out);

    row = s_row(out, "aws");
    cr_assert_not_null(row, "%s", out);
    cr_expect_not_null(strstr(row, "hyperscaler"));
    cr_expect_not_null(strstr(row, "$80.0B"));
    cr_expect_not_null(strstr(row, "$12.3B"));
    cr_expect_not_null(strstr(row, "$1.3B"));
    cr_expect_not_null(strstr(row, "34.5%"), "%s", row);

    row = s_row(out, "openai");
    cr_assert_not_null(row, "%s", out);
    cr_expect_not_null(strstr(row, "lab"));
    cr_expect_not_null(strstr(row, "$450.0M"));
    cr_expect_not_null(strstr(row, "$3.7B"));
    cr_expect_not_null(strstr(row, "-$5.0B"));
    cr_expect_null(strstr(row, "%"), "labs have no compute share: %s", row);

    row = s_row(out, "nvidia");
    cr_assert_not_null(row, "%s", out);
    cr_expect_not_null(strstr(row, "$12.0k"));
    cr_expect_not_null(strstr(row, "$950"));

    cr_expect_not_null(strstr(out, "books balanced: yes"));
    free(out);
}

Test(fw_launch, summary_prints_dashes_for_missing_fields)
{
    int rc;
    char *out = s_summary("{\"companies\": [{\"id\": \"gcp\", \"role\": \"hyperscaler\"}]}", &rc);
    const char *row;

    cr_assert_eq(rc, 0, "%s", out);
    cr_expect(strncmp(out, "Flywheel run: - seed -, - ticks, - s -> runs/x\n", 47) == 0,
              "header: %s", out);
    row = s_row(out, "gcp");
    cr_assert_not_null(row, "%s", out);
    /* cash, revenue, profit and share are all "-". */
    int dashes = 0;
    for (const char *p = row; *p; p++)
        dashes += *p == '-';
    cr_expect_geq(dashes, 4, "%s", row);
    cr_expect_null(strstr(out, "books balanced"));
    free(out);
}

Test(fw_launch, summary_shows_a_run_stopped_early)
{
    int rc;
    char *out = s_summary("{\"scenario\": \"s\", \"seed\": 1, \"ticks\": 24, \"ticks_run\": 7,"
                          " \"books_balanced\": false, \"companies\": []}",
                          &rc);
    cr_assert_eq(rc, 0);
    cr_expect_not_null(strstr(out, "seed 1, 7/24 ticks"), "%s", out);
    cr_expect_not_null(strstr(out, "books balanced: NO"), "%s", out);
    free(out);
}

Test(fw_launch, summary_rejects_text_that_is_not_a_json_object)
{
    int rc;
    char *out = s_summary("{\"scenario\": ", &rc);
    cr_expect_eq(rc, -1);
    cr_expect_not_null(strstr(out, "ERR summary.json:"), "%s", out);
    free(out);
    out = s_summary("[1, 2]", &rc);
    cr_expect_eq(rc, -1);
    free(out);
}

Test(fw_launch, progress_line_shows_tick_month_and_elapsed)
{
    char buf[128];
    fw_launch_progress_line(buf, sizeof buf, 3, 24, "2024-03", 1.25);
    cr_expect_str_eq(buf, "[tick 3/24] 2024-03  elapsed 1.2s");
}

/* --- supervisor --------------------------------------------------------------------- */

Test(fw_supervisor, terminate_all_kills_and_reaps_every_child)
{
    fw_supervisor_t *sv = fw_supervisor_new();
    char *argv[] = {"sleep", "30", NULL};
    pid_t pids[3];
    long long t0;

    cr_assert_not_null(sv);
    for (int i = 0; i < 3; i++) {
        pids[i] = fw_supervisor_spawn(sv, "sleeper", argv);
        cr_assert_gt(pids[i], 0);
    }
    cr_expect_eq(fw_supervisor_running(sv), 3);
    cr_expect_eq(fw_supervisor_reap(sv, NULL), 0, "nobody has exited yet");

    t0 = s_now_ms();
    cr_expect_eq(fw_supervisor_terminate_all(sv, 3000), 0, "sleep obeys SIGTERM");
    cr_expect_lt(s_now_ms() - t0, 5000);
    cr_expect_eq(fw_supervisor_running(sv), 0);
    /* Reaped, not merely dead: a zombie would still answer kill(pid, 0). */
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(kill(pids[i], 0), -1, "pid %d still exists", (int)pids[i]);
        cr_expect_eq(errno, ESRCH);
        fw_child_exit_t ex;
        cr_assert_eq(fw_supervisor_child(sv, (size_t)i, &ex), 1);
        cr_expect(WIFSIGNALED(ex.status) && WTERMSIG(ex.status) == SIGTERM);
        cr_expect_eq(ex.signalled, 1);
    }
    fw_supervisor_destroy(&sv);
    cr_expect_null(sv);
}

Test(fw_supervisor, a_child_that_ignores_sigterm_gets_sigkill)
{
    fw_supervisor_t *sv = fw_supervisor_new();
    /* The ignored disposition survives exec, so `sleep` itself ignores SIGTERM. */
    char *argv[] = {"sh", "-c", "trap '' TERM; exec sleep 30", NULL};
    pid_t pid = fw_supervisor_spawn(sv, "stubborn", argv);
    fw_child_exit_t ex;

    cr_assert_gt(pid, 0);
    usleep(200 * 1000); /* let sh install the trap and exec */
    cr_expect_eq(fw_supervisor_terminate_all(sv, 200), 1);
    cr_expect_eq(kill(pid, 0), -1);
    cr_expect_eq(errno, ESRCH);
    cr_assert_eq(fw_supervisor_child(sv, 0, &ex), 1);
    cr_expect(WIFSIGNALED(ex.status) && WTERMSIG(ex.status) == SIGKILL);
    fw_supervisor_destroy(&sv);
}

Test(fw_supervisor, spawning_a_missing_binary_fails_with_enoent)
{
    fw_supervisor_t *sv = fw_supervisor_new();
    char *argv[] = {"/nonexistent/flywheel-nope", "--help", NULL};

    errno = 0;
    cr_expect_eq(fw_supervisor_spawn(sv, "nope", argv), -1);
    cr_expect_eq(errno, ENOENT);
    cr_expect_eq(fw_supervisor_running(sv), 0, "the failed child is reaped, not tracked");
    cr_expect_eq(fw_supervisor_count(sv), 0);
    fw_supervisor_destroy(&sv);
}

Test(fw_supervisor, reap_reports_name_and_exit_status)
{
    fw_supervisor_t *sv = fw_supervisor_new();
    char *argv[] = {"sh", "-c", "exit 3", NULL};
    pid_t pid = fw_supervisor_spawn(sv, "agent aws", argv);
    fw_child_exit_t ex;
    char how[96];
    int r = 0;

    cr_assert_gt(pid, 0);
    for (long long t0 = s_now_ms(); s_now_ms() - t0 < 5000; usleep(10 * 1000))
        if ((r = fw_supervisor_reap(sv, &ex)) != 0)
            break;
    cr_assert_eq(r, 1);
    cr_expect_eq(ex.pid, pid);
    cr_expect_str_eq(ex.name, "agent aws");
    cr_expect_eq(ex.signalled, 0);
    fw_launch_describe_status(ex.status, how, sizeof how);
    cr_expect_str_eq(how, "exited with status 3");
    cr_expect_eq(fw_supervisor_running(sv), 0);
    cr_expect_eq(fw_supervisor_reap(sv, &ex), 0, "each exit is reported once");
    fw_supervisor_destroy(&sv);
}

Test(fw_supervisor, describe_status_names_the_signal)
{
    char how[96];
    fw_supervisor_t *sv = fw_supervisor_new();
    char *argv[] = {"sleep", "30", NULL};
    pid_t pid = fw_supervisor_spawn(sv, "victim", argv);
    fw_child_exit_t ex;
    int r = 0;

    cr_assert_gt(pid, 0);
    kill(pid, SIGKILL);
    for (long long t0 = s_now_ms(); s_now_ms() - t0 < 5000; usleep(10 * 1000))
        if ((r = fw_supervisor_reap(sv, &ex)) != 0)
            break;
    cr_assert_eq(r, 1);
    cr_expect_eq(ex.signalled, 0, "the supervisor did not send this one");
    fw_launch_describe_status(ex.status, how, sizeof how);
    cr_expect(strncmp(how, "killed by signal 9", 18) == 0, "%s", how);
    fw_supervisor_destroy(&sv);
}

/* The launcher itself SIGKILLed: its children must not survive it. A middle process
 * spawns `sleep 30` through the supervisor and is then killed; this test process is
 * made a subreaper so the orphan comes back to it and its fate can be checked. */
Test(fw_supervisor, children_die_with_a_killed_launcher)
{
    int fds[2];
    pid_t middle, grandchild = 0;
    int st;

    cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cr_assert_eq(pipe(fds), 0);
    middle = fork();
    cr_assert_geq(middle, 0);
    if (middle == 0) {
        fw_supervisor_t *sv = fw_supervisor_new();
        char *argv[] = {"sleep", "30", NULL};
        pid_t pid = fw_supervisor_spawn(sv, "sleeper", argv);
        ssize_t w = write(fds[1], &pid, sizeof pid);
        (void)w;
        pause();
        _exit(0);
    }
    close(fds[1]);
    cr_assert_eq(read(fds[0], &grandchild, sizeof grandchild), (ssize_t)sizeof grandchild);
    close(fds[0]);
    cr_assert_gt(grandchild, 0);

    kill(middle, SIGKILL);
    cr_assert_eq(waitpid(middle, &st, 0), middle);

    /* PDEATHSIG sends SIGTERM at once; the orphan is now ours to reap. */
    pid_t r = 0;
    for (long long t0 = s_now_ms(); s_now_ms() - t0 < 5000; usleep(10 * 1000))
        if ((r = waitpid(grandchild, &st, WNOHANG)) != 0)
            break;
    cr_assert_eq(r, grandchild, "the grandchild outlived its launcher");
    cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

/* The check table prints each figure in its own unit: compute (H100-equivalent months)
 * as a quantity, dollars as money, shares as they are. */
Test(fw_check, figures_are_printed_in_their_units)
{
    const char *src = getenv("FW_SOURCE_DIR");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/scenarios/baseline.yaml", src && *src ? src : "..");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    fw_check_result_t *r = calloc(sc->n_checks, sizeof *r);
    cr_assert_not_null(r);
    int compute = -1, money = -1, share = -1;
    for (size_t i = 0; i < sc->n_checks; i++) {
        r[i] = (fw_check_result_t){&sc->checks[i], FW_CHECK_PASS, 0.0, ""};
        /* The first check of each kind. */
        if (compute < 0 && !strncmp(sc->checks[i].metric, "compute.", 8))
            compute = (int)i;
        else if (money < 0 && !strncmp(sc->checks[i].metric, "revenue.", 8))
            money = (int)i;
        else if (share < 0 && !strncmp(sc->checks[i].metric, "cloud_share.", 12))
            share = (int)i;
    }
    cr_assert(compute >= 0 && money >= 0 && share >= 0, "the baseline has all three kinds");
    r[compute].value = 335400;
    r[money].value = 5.3e9;
    r[share].value = 0.3063;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fw_check_print(f, sc, r);
    fclose(f);
    cr_assert(strstr(text, "335.4k  in [300.0k, 420.0k]") != NULL, "%s", text);
    cr_assert(strstr(text, "$5.3B") != NULL, "%s", text);
    cr_assert(strstr(text, "0.3063  in [0.3, 0.32]") != NULL, "%s", text);
    free(text);
    free(r);
    fw_scenario_destroy(&sc);
}

/* One month's compute share swings: the table names its month and puts the run's
 * average beside it. */
Test(fw_launch, summary_shows_the_last_month_and_the_run_average)
{
    int rc;
    char *out = s_summary("{\"final_month\": \"2030-12\", \"companies\": [{\"id\": \"oracle\","
                          " \"role\": \"hyperscaler\"}], \"final_metrics\":"
                          " {\"compute_share.oracle\": 0.0}, \"run_means\":"
                          " {\"compute_share.oracle\": 0.101}}", &rc);
    cr_assert_eq(rc, 0);
    cr_expect_not_null(strstr(out, "2030-12"), "the last month is named:\n%s", out);
    cr_expect_not_null(strstr(out, "run average"), "%s", out);
    const char *row = s_row(out, "oracle");
    cr_assert_not_null(row, "%s", out);
    cr_expect_not_null(strstr(row, "0.0%"), "%s", row);
    cr_expect_not_null(strstr(row, "10.1%"), "%s", row);
    free(out);
}
