/* `flywheel export`: a short baseline run exported as GraphML (at a tick), GEXF and
 * long CSV; NetworkX (Debian's /usr/bin/python3 with python3-networkx) loads both
 * graphs and export_check.py compares their ties with what it reads in events.log
 * itself. Every metrics.csv column has a unit in metrics.units.json, and the long CSV
 * has one row per value with that unit. Bad usage exits 2, an unreadable run 3. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(export, 120);

/* Runs `flywheel ARGS...` to its end, output in `log`. Returns its exit code. */
static int s_flywheel(char **args, const char *log)
{
    int p = fw_procs_start_program(&s_procs, "flywheel", args, log);
    cr_assert_geq(p, 0);
    return fw_procs_wait(&s_procs, p, 60000);
}

/* A 12-tick baseline run in s_dir/run. */
static void s_run(char *out, size_t len)
{
    char sc[1024], log[1024];
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(out, len, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/run.log", s_dir);
    char *args[] = {"run", sc, "--out", out, "--ticks", "12", "--quiet", NULL};
    cr_assert_eq(s_flywheel(args, log), 0, "the run failed (see %s)", log);
}

/* The first line of a file, split on commas, in place: the number of fields. */
static size_t s_header(char *text, char **fields, size_t max)
{
    size_t n = 0;
    text[strcspn(text, "\n")] = '\0';
    for (char *p = text; p && n < max; n++) {
        fields[n] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    return n;
}

Test(export, graphml_and_gexf_match_the_events_log_in_networkx)
{
    char run[1024], graphml[1024], gexf[1024], log[1024], cmd[8192], proto[1024], work[1024];
    char script[1024];
    s_run(run, sizeof run);
    snprintf(graphml, sizeof graphml, "%s/t6.graphml", s_dir);
    snprintf(gexf, sizeof gexf, "%s/run.gexf", s_dir);
    snprintf(log, sizeof log, "%s/export.log", s_dir);
    char *args[] = {"export", run, "--graphml", graphml, "--tick", "6", "--gexf", gexf, NULL};
    cr_assert_eq(s_flywheel(args, log), 0, "export failed: %s", fw_test_read_file(log, NULL));
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "tick 6 (2024-06)"), "%s", text);
    free(text);

    if (system("/usr/bin/python3 -c 'import networkx, google.protobuf' 2>/dev/null && "
               "command -v protoc >/dev/null") != 0)
        cr_skip_test("needs /usr/bin/python3 with python3-networkx, python3-protobuf and "
                     "protoc (scripts/deps installs them)");
    fw_test_source_path(script, sizeof script, "tests/integration/export_check.py");
    fw_test_source_path(proto, sizeof proto, "protocol");
    snprintf(work, sizeof work, "%s/py", s_dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && /usr/bin/python3 '%s' '%s' '%s' '%s' '%s' 6 "
             "'%s' > '%s/check.log' 2>&1", work, script, proto, work, run, graphml, gexf, s_dir);
    int rc = system(cmd);
    snprintf(log, sizeof log, "%s/check.log", s_dir);
    text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "the export differs from events.log:\n%s", text ? text : "");
    cr_assert_not_null(strstr(text, "export check: ok"), "%s", text);
    fprintf(stderr, "%s", text); /* the ties per kind, for the record */
    free(text);
}

Test(export, every_metric_has_a_unit_and_the_long_csv_carries_it)
{
    char run[1024], path[1024], out[1024], log[1024];
    s_run(run, sizeof run);
    snprintf(path, sizeof path, "%s/metrics.units.json", run);
    json_error_t jerr;
    json_t *units = json_load_file(path, 0, &jerr);
    cr_assert_not_null(units, "%s: %s", path, jerr.text);
    snprintf(path, sizeof path, "%s/metrics.csv", run);
    char *csv = fw_test_read_file(path, NULL);
    cr_assert_not_null(csv);
    size_t rows = 0;
    for (const char *p = strchr(csv, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
        rows++;
    char *cols[4096];
    size_t n = s_header(csv, cols, 4096);
    cr_assert_gt(n, 100, "a baseline row has every company's figures");
    for (size_t i = 0; i < n; i++) {
        const char *unit = json_string_value(json_object_get(json_object_get(units, cols[i]),
                                                             "unit"));
        cr_expect(unit && *unit, "metrics.csv column '%s' has no unit in metrics.units.json",
                  cols[i]);
    }
    cr_expect_eq(json_object_size(units), n, "one entry per column, no more");
    cr_assert_eq(rows, 12);

    snprintf(out, sizeof out, "%s/long.csv", s_dir);
    snprintf(log, sizeof log, "%s/export.log", s_dir);
    char *args[] = {"export", run, "--long-csv", out, "--quiet", NULL};
    cr_assert_eq(s_flywheel(args, log), 0, "%s", fw_test_read_file(log, NULL));
    char *lng = fw_test_read_file(out, NULL);
    cr_assert_not_null(lng);
    size_t lines = 0;
    for (const char *p = lng; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 1 + rows * (n - 2), "a header and a row per value");
    cr_expect(strncmp(lng, "tick,month,metric,entity,value,unit,seed,run_id\n", 48) == 0);
    cr_expect_not_null(strstr(lng, "\n1,2024-01,revenue,aws,"), "metric and entity apart");
    cr_expect_not_null(strstr(lng, ",USD/month,2024,"), "the unit and the seed");
    free(lng);
    json_decref(units);
    free(csv);
}

Test(export, bad_usage_exits_2_and_an_unreadable_run_3)
{
    char run[1024], log[1024], out[1024], missing[1024];
    s_run(run, sizeof run);
    snprintf(log, sizeof log, "%s/bad.log", s_dir);
    snprintf(out, sizeof out, "%s/x.graphml", s_dir);
    snprintf(missing, sizeof missing, "%s/nothing-here", s_dir);
    char *none[] = {"export", run, NULL};
    cr_expect_eq(s_flywheel(none, log), 2, "no output asked");
    char *late[] = {"export", run, "--graphml", out, "--tick", "13", NULL};
    cr_expect_eq(s_flywheel(late, log), 2, "a tick the run does not have");
    char *text = fw_test_read_file(log, NULL);
    cr_expect_not_null(strstr(text, "the run has ticks 1 to 12"), "%s", text);
    free(text);
    char *zero[] = {"export", run, "--graphml", out, "--tick", "0", NULL};
    cr_expect_eq(s_flywheel(zero, log), 2);
    char *tick_alone[] = {"export", run, "--gexf", out, "--tick", "3", NULL};
    cr_expect_eq(s_flywheel(tick_alone, log), 2, "--tick is --graphml's");
    char *gone[] = {"export", missing, "--gexf", out, NULL};
    cr_expect_eq(s_flywheel(gone, log), 3, "no run there");
    char *help[] = {"export", "--help", NULL};
    cr_expect_eq(s_flywheel(help, log), 0);
    text = fw_test_read_file(log, NULL);
    cr_expect_not_null(strstr(text, "--long-csv FILE"), "%s", text);
    free(text);
    char *unwritable[] = {"export", run, "--gexf", "/nonexistent-dir/x.gexf", NULL};
    cr_expect_eq(s_flywheel(unwritable, log), 1, "an output that cannot be written");
}
