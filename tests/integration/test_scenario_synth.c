/* `flywheel scenario synth` end to end: a generated market of hundreds of companies
 * runs under `flywheel run` (a real agent process per seat: 512 of them, which a
 * 2-core machine starts in seconds), and one of 1,024 companies runs in the
 * coordinator with every seat a house bot; the file is the same on stdout and with
 * --out; usage mistakes exit 2 and write nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw_testproc.h"

#define S_COMPANIES "512"

FW_TEST_PROCS_SUITE(synth_command, 60);

/* Runs `flywheel ARGS...` with stdout and stderr to `log`; returns its exit code. */
static int s_flywheel(char *const args[], const char *log)
{
    int p = fw_procs_start_program(&s_procs, "flywheel", args, log);
    cr_assert_geq(p, 0);
    return fw_procs_wait(&s_procs, p, 45000);
}

static size_t s_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

Test(synth_command, a_generated_market_runs)
{
    char sc[1024], out[1024], log[1024], metrics[1100];
    snprintf(sc, sizeof sc, "%s/synth.yaml", s_dir);
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", S_COMPANIES,
                                       "--seed", "1", "--out", sc, NULL}, log), 0);
    int rc = s_flywheel((char *[]){"run", sc, "--ticks", "3", "--quiet", "--out", out, NULL}, log);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "flywheel run exit code %d:\n%s", rc, text ? text : "");
    free(text);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    text = fw_test_read_file(metrics, NULL);
    cr_assert_not_null(text, "no metrics.csv");
    cr_assert_eq(s_lines(text), 4, "a header and 3 ticks");
    cr_assert_eq(strncmp(text, "tick,", 5), 0);
    free(text);
}

/* 1,024 companies: the market loads, clears a few ticks, and its metrics row stays
 * linear in the seats (one round_trip per investor past 4,096 investor-lab pairs, not
 * one per pair, which would not fit a Snapshot frame). */
Test(synth_command, a_market_of_1024_companies_runs_with_house_bots)
{
    char sc[1024], out[1024], log[1024], metrics[1100], coord[1024], listen[1100], pub[1100];
    snprintf(sc, sizeof sc, "%s/synth.yaml", s_dir);
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    snprintf(listen, sizeof listen, "ipc://%s/a", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/p", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "1024", "--seed", "3",
                                       "--out", sc, NULL}, log), 0);
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    char *argv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out", out,
                    "--house-bots", "--start-after", "0", "--ticks", "3", "--log-level", "warn",
                    NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_geq(p, 0);
    int rc = fw_procs_wait(&s_procs, p, 45000);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "coordinator exit code %d:\n%s", rc, text ? text : "");
    free(text);
    snprintf(metrics, sizeof metrics, "%s/metrics.csv", out);
    text = fw_test_read_file(metrics, NULL);
    cr_assert_not_null(text, "no metrics.csv");
    cr_assert_eq(s_lines(text), 4, "a header and 3 ticks");
    size_t columns = 1, round_trips = 0;
    for (const char *c = text; *c && *c != '\n'; c++) {
        columns += *c == ',';
        round_trips += strncmp(c, ",round_trip.", 12) == 0;
    }
    cr_assert_eq(round_trips, 384, "one round trip per investor (128 vendors, 256 clouds)");
    cr_assert_lt(columns, 20 * 1024, "%zu columns", columns);
    free(text);
}

Test(synth_command, stdout_and_out_give_the_same_bytes)
{
    char file[1024], log[1024];
    size_t a_len, b_len;
    snprintf(file, sizeof file, "%s/synth.yaml", s_dir);
    snprintf(log, sizeof log, "%s/stdout", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "64", "--seed", "3",
                                       "--ticks", "24", "--out", file, NULL}, NULL), 0);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "-n", "64", "-s", "3", "-t", "24",
                                       NULL}, log), 0);
    char *a = fw_test_read_file(file, &a_len), *b = fw_test_read_file(log, &b_len);
    cr_assert(a && b);
    cr_assert_eq(a_len, b_len);
    cr_assert_arr_eq(a, b, a_len, "--out and stdout differ");
    cr_assert_not_null(strstr(a, "flywheel scenario synth --companies 64 --seed 3 --ticks 24"));
    free(a);
    free(b);
}

Test(synth_command, usage_mistakes_exit_2_and_write_nothing)
{
    char file[1024], log[1024];
    snprintf(file, sizeof file, "%s/synth.yaml", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    struct {
        char *args[12];
        const char *says; /* part of the message */
    } cases[] = {
        {{"scenario", NULL}, "usage: flywheel scenario synth"},
        {{"scenario", "make", NULL}, "unknown command 'make'"},
        {{"scenario", "synth", "--companies", "64", "--out", file, NULL}, "are required"},
        {{"scenario", "synth", "--seed", "1", "--out", file, NULL}, "are required"},
        {{"scenario", "synth", "--companies", "2", "--seed", "1", "--out", file, NULL},
         "--companies wants a number from 3 to 1024, not '2'"},
        {{"scenario", "synth", "--companies", "1025", "--seed", "1", "--out", file, NULL},
         "not '1025'"},
        {{"scenario", "synth", "--companies", "64x", "--seed", "1", "--out", file, NULL},
         "not '64x'"},
        {{"scenario", "synth", "--companies", "64", "--seed", "-1", "--out", file, NULL},
         "--seed wants a whole number"},
        {{"scenario", "synth", "--companies", "64", "--seed", "1", "--ticks", "0", "--out",
          file, NULL}, "--ticks wants a number from 1 to 100000"},
        {{"scenario", "synth", "--companies", "64", "--seed", "1", "--size", "3", NULL},
         "unknown option '--size'"},
        {{"scenario", "synth", "--companies", "64", "--seed", "1", "extra", NULL},
         "unexpected argument 'extra'"},
        {{"scenario", "synth", "--companies", "64", "--seed", NULL}, "--seed needs a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stat st;
        int rc = s_flywheel(cases[i].args, log);
        char *text = fw_test_read_file(log, NULL);
        cr_assert_eq(rc, 2, "case %zu: exit %d:\n%s", i, rc, text ? text : "");
        cr_assert_not_null(strstr(text, cases[i].says), "case %zu says:\n%s", i, text);
        cr_assert_neq(stat(file, &st), 0, "case %zu wrote a file", i);
        free(text);
    }
}

Test(synth_command, an_unwritable_file_exits_1)
{
    char file[1024], log[1024];
    snprintf(file, sizeof file, "%s/no/such/dir/synth.yaml", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "13", "--seed", "1",
                                       "--out", file, NULL}, log), 1);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "cannot write"), "%s", text);
    free(text);
}

/* A write error on a device leaves the device alone. Through a symbolic link, so
 * that a regression removes the link, not /dev/full. */
Test(synth_command, a_full_device_exits_1_and_stays)
{
    char link[1024], log[1024];
    struct stat st;
    if (stat("/dev/full", &st) != 0)
        cr_skip_test("no /dev/full here");
    snprintf(link, sizeof link, "%s/full", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    cr_assert_eq(symlink("/dev/full", link), 0);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--companies", "64", "--seed", "1",
                                       "--out", link, NULL}, log), 1);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "No space left on device"), "%s", text);
    free(text);
    cr_assert_eq(lstat(link, &st), 0, "the path written to was removed");
}

Test(synth_command, help_lists_it)
{
    char log[1024];
    snprintf(log, sizeof log, "%s/log", s_dir);
    cr_assert_eq(s_flywheel((char *[]){"help", NULL}, log), 0);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "flywheel scenario synth"), "%s", text);
    free(text);
    cr_assert_eq(s_flywheel((char *[]){"help", "scenario", NULL}, log), 0);
    text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "--companies N"), "%s", text);
    free(text);
    cr_assert_eq(s_flywheel((char *[]){"scenario", "synth", "--help", NULL}, log), 0);
    text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "--companies N"), "%s", text);
    free(text);
}
