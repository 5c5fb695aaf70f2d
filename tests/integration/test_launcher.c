/* `flywheel run` end to end: a whole run with a process per seat, the summary table
 * on stdout, the outputs on disk; Ctrl-C (SIGINT) stops every process it started;
 * Ctrl-C typed at a terminal (SIGINT to every process of the run) prints the table so
 * far and the run directory; a bad scenario starts nothing and exits 2 with
 * file:line:col. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fw_testproc.h"
#include "fw_testpty.h"

FW_TEST_PROCS_SUITE(launcher, 120);

/* The pids whose parent is `parent`, from /proc. */
static size_t s_children(pid_t parent, pid_t *out, size_t max)
{
    size_t n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < max) {
        char path[1024], buf[1024];
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces, so parse after ')'. */
        char *close = strrchr(buf, ')');
        char state;
        int ppid;
        if (close && sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent)
            out[n++] = pid;
    }
    if (d)
        closedir(d);
    return n;
}

Test(launcher, runs_a_scenario_and_prints_the_summary)
{
    char bin[1024], sc[1024], out[1024], log[1024], path[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/launcher.log", s_dir);
    char *argv[] = {bin, "run", sc, "--out", out, "--seed", "3", NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 90000), 0, "flywheel run exit code");
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(text);
    cr_assert_not_null(strstr(text, "classroom"), "summary names the scenario:\n%s", text);
    cr_assert_not_null(strstr(text, "openai"), "one row per company:\n%s", text);
    cr_assert_not_null(strstr(text, "nvidia"));
    free(text);
    static const char *files[] = {"events.log", "metrics.csv", "summary.json"};
    for (int i = 0; i < 3; i++) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", out, files[i]);
        cr_assert_eq(stat(path, &st), 0, "%s missing", files[i]);
        cr_assert_gt(st.st_size, 0);
    }
}

Test(launcher, ctrl_c_stops_every_process_it_started)
{
    char bin[1024], sc[1024], out[1024], log[1024], metrics[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/launcher.log", s_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    /* 100000 ticks take minutes: Ctrl-C is sure to land mid-run. */
    char *argv[] = {bin, "run", sc, "--out", out, "--ticks", "100000", NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    pid_t launcher = s_procs.pid[p];
    cr_assert_eq(fw_test_wait_file(metrics, 30000), 0, "the run never started");

    pid_t kids[64];
    size_t n = 0;
    for (int tries = 0; tries < 100 && n < 14; tries++) {
        struct timespec nap = {0, 20 * 1000 * 1000};
        n = s_children(launcher, kids, 64);
        nanosleep(&nap, NULL);
    }
    cr_assert_geq(n, 14, "a coordinator and 13 agents, found %zu", n);

    kill(launcher, SIGINT);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 15000), 130, "interrupted runs exit 130");
    for (size_t i = 0; i < n; i++)
        cr_assert(kill(kids[i], 0) == -1 && errno == ESRCH, "process %d outlived the launcher", kids[i]);
    char summary[1024];
    struct stat st;
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    cr_assert_eq(stat(summary, &st), 0, "an interrupted run still writes its summary");
    /* ...and prints the table so far, with where the files are. */
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(text);
    cr_assert_not_null(strstr(text, "/100000 ticks"), "no table after Ctrl-C:\n%s", text);
    cr_assert_not_null(strstr(text, out), "the run directory is not named:\n%s", text);
    free(text);
}

/* Waits (at most 30 s, looking every 10 ms) until the file at `path` has `want` lines;
 * returns the lines it has. */
static int s_wait_lines(const char *path, int want)
{
    int lines = 0;
    for (int tries = 0; tries < 3000; tries++) {
        size_t len = 0;
        char *text = fw_test_read_file(path, &len);
        lines = 0;
        for (size_t i = 0; text && i < len; i++)
            lines += text[i] == '\n';
        free(text);
        if (lines >= want)
            break;
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return lines;
}

/* Ctrl-C typed at the terminal: the kernel sends SIGINT to the whole foreground group
 * (the launcher, the coordinator and every agent), not only to the launcher. The run
 * still ends with the table of the months run, the last one's compute shares in it,
 * and the run directory, and exits 130. */
Test(launcher, ctrl_c_at_a_terminal_prints_the_table_so_far)
{
    char bin[1024], sc[1024], out[1024], log[1024], metrics[1024], screen[65536];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(out, sizeof out, "%s/run-tty", s_dir);
    snprintf(log, sizeof log, "%s/launcher-tty.log", s_dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    char *argv[] = {bin, "run", sc, "--out", out, "--ticks", "100000", NULL};
    int p;
    fw_pty_t *tty = fw_pty_start(&s_procs, argv, log, 200, 50, &p);
    cr_assert_not_null(tty);
    /* A header and two rows: the run is past its first ticks. */
    cr_assert_geq(s_wait_lines(metrics, 3), 3, "the run never cleared a tick");
    cr_assert_eq(fw_pty_keys(tty, "\x03"), 0);
    int rc = fw_procs_wait(&s_procs, p, 60000);
    fw_pty_screen(tty, screen, sizeof screen);
    cr_assert_eq(rc, 130, "interrupted runs exit 130 (got %d):\n%s", rc, screen);
    /* The reader may still be draining the last bytes: wait for the table's end. */
    for (int i = 0; i < 200 && !strstr(screen, "books balanced"); i++) {
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
        fw_pty_screen(tty, screen, sizeof screen);
    }
    cr_assert_not_null(strstr(screen, "/100000 ticks"), "no table after Ctrl-C:\n%s", screen);
    cr_assert_not_null(strstr(screen, out), "the run directory is not named:\n%s", screen);
    cr_assert_not_null(strstr(screen, "run average"), "%s", screen);
    cr_assert_not_null(strstr(screen, "%"), "the last month's compute shares:\n%s", screen);
    fw_pty_destroy(&tty);
}

/* Ctrl-C at any moment of a run writes its summary, every time: twenty runs, each
 * interrupted as soon as it has cleared a tick (the test waits for metrics.csv to
 * hold a row, never for a fixed time). */
Test(launcher, ctrl_c_writes_the_summary_every_time, .timeout = 300)
{
    char bin[1024], sc[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    for (int run = 0; run < 20; run++) {
        char out[1024], log[1024], metrics[1024], summary[1024];
        snprintf(out, sizeof out, "%s/run%d", s_dir, run);
        snprintf(log, sizeof log, "%s/launcher%d.log", s_dir, run);
        snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
        snprintf(summary, sizeof summary, "%s/summary.json", out);
        char *argv[] = {bin, "run", sc, "--out", out, "--ticks", "100000", "--quiet", NULL};
        int p = fw_procs_start(&s_procs, argv, log);
        /* A header and one row: the run is past its first tick. */
        cr_assert_geq(s_wait_lines(metrics, 2), 2, "run %d never cleared a tick", run);
        kill(s_procs.pid[p], SIGINT);
        cr_assert_eq(fw_procs_wait(&s_procs, p, 60000), 130, "run %d: interrupted runs exit 130",
                     run);
        struct stat st;
        cr_assert_eq(stat(summary, &st), 0, "run %d: no summary.json after Ctrl-C", run);
        cr_assert_gt(st.st_size, 0);
    }
}

Test(launcher, bad_scenario_starts_nothing_and_exits_2)
{
    char bin[1024], sc[1024], out[1024], log[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "tests/fixtures/scenarios/bad_unknown_key.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/launcher.log", s_dir);
    char *argv[] = {bin, "run", sc, "--out", out, NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 10000), 2);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "bad_unknown_key.yaml:"), "file:line:col message:\n%s", text);
    free(text);
    struct stat st;
    cr_assert_neq(stat(out, &st), 0, "nothing was started or created");
}

/* Runs `flywheel run` and waits; returns its exit code. */
static int s_flywheel(char *const extra[], const char *log)
{
    char bin[1024];
    char *argv[24];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel");
    argv[n++] = bin;
    for (int i = 0; extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int p = fw_procs_start(&s_procs, argv, log);
    return fw_procs_wait(&s_procs, p, 90000);
}

Test(launcher, same_seed_gives_identical_metrics_over_ipc_and_tcp)
{
    char sc[1024], a[1024], b[1024], log[1024], fa[1100], fb[1100];
    size_t la, lb;
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(a, sizeof a, "%s/ipc", s_dir);
    snprintf(b, sizeof b, "%s/tcp", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"run", sc, "--out", a, "--seed", "9", "--transport", "ipc",
                                       "--quiet", NULL}, log), 0);
    cr_assert_eq(s_flywheel((char *[]){"run", sc, "--out", b, "--seed", "9", "--transport", "tcp",
                                       "--quiet", NULL}, log), 0);
    snprintf(fa, sizeof fa, "%s/metrics.csv", a);
    snprintf(fb, sizeof fb, "%s/metrics.csv", b);
    char *ca = fw_test_read_file(fa, &la), *cb = fw_test_read_file(fb, &lb);
    cr_assert_not_null(ca);
    cr_assert_not_null(cb);
    cr_assert_eq(la, lb, "metrics.csv differs in length between ipc and tcp");
    cr_assert_arr_eq(ca, cb, la, "metrics.csv differs between ipc and tcp");
    free(ca);
    free(cb);
}
