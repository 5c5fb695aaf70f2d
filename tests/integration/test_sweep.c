/* `flywheel sweep` and `flywheel compare` end to end, on the classroom scenario cut to a
 * few ticks: a sweep of 2 parameters x 3 seeds gives the same sweep.csv here and
 * through GNU parallel (--emit parallel, --collect); a sweep stopped by Ctrl-C resumes
 * without redoing a finished run; a bad parameter names the spec's line and column;
 * compare gives one row per run and a directory per run, the same scenario given twice
 * too. (Through Slurm: test_slurm, which starts a Slurm of its own.) */
#include <criterion/criterion.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(sweep, 120);

#define S_RUNS 12 /* 2 x 2 values x 3 seeds */

/* Starts `flywheel ARGS...` with its output to `log`; returns the process index. */
static int s_start(char *const args[], const char *log)
{
    int p = fw_procs_start_program(&s_procs, "flywheel", args, log);
    cr_assert_geq(p, 0);
    return p;
}

static int s_flywheel(char *const args[], const char *log)
{
    return fw_procs_wait(&s_procs, s_start(args, log), 90000);
}

/* The sweep spec of these tests, in s_dir; ticks as given. */
static void s_spec(char *path, size_t len, const char *ticks)
{
    char sc[1024];
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(path, len, "%s/spec.yaml", s_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "# two parameters x three seeds\n"
               "scenario: %s\n"
               "seeds: 3\n"
               "ticks: %s\n"
               "parameters:\n"
               "  market.reach_convergence: [0.005, 0.02]\n"
               "  lab.max_price: [2500, 4000]\n", sc, ticks);
    fclose(f);
}

static char *s_read(const char *dir, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text, "cannot read %s", path);
    return text;
}

static size_t s_lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void s_assert_ran(int rc, const char *log)
{
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "flywheel exit %d:\n%s", rc, text ? text : "");
    free(text);
}

Test(sweep, here_and_through_gnu_parallel_give_the_same_sweep_csv)
{
    char spec[1024], here[1024], par[1024], log[1024], script[1200], jobs[1200];
    s_spec(spec, sizeof spec, "6");
    snprintf(here, sizeof here, "%s/here", s_dir);
    snprintf(par, sizeof par, "%s/parallel", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    s_assert_ran(s_flywheel((char *[]){"sweep", spec, "--out", here, "--jobs", "2", NULL}, log),
                 log);
    char *csv = s_read(here, "sweep.csv");
    cr_assert_eq(s_lines(csv), 1 + S_RUNS);
    cr_assert_eq(strncmp(csv, "run,market.reach_convergence,lab.max_price,seed,status,profit.", 62),
                 0, "%s", csv);
    cr_assert_not_null(strstr(csv, "\nreach_convergence=0.005_max_price=2500-seed1,0.005,2500,1,ok,"));
    char *summary = s_read(here, "sweep-summary.csv");
    cr_assert_eq(strncmp(summary, "combination,market.reach_convergence,lab.max_price,figure,"
                                  "entity,n,mean,sd,ci95_low,ci95_high\n", 89), 0, "%s", summary);

    s_assert_ran(s_flywheel((char *[]){"sweep", spec, "--out", par, "--emit", "parallel", NULL},
                            log), log);
    snprintf(script, sizeof script, "%s/run-parallel.sh", par);
    snprintf(jobs, sizeof jobs, "%s/jobs.txt", par);
    cr_assert_eq(access(script, X_OK), 0);
    char *lines = fw_test_read_file(jobs, NULL);
    cr_assert_eq(s_lines(lines), S_RUNS);
    free(lines);
    if (access("/usr/bin/parallel", X_OK) != 0) {
        fprintf(stderr, "test_sweep: SKIPPED the GNU parallel run: /usr/bin/parallel is not "
                        "installed (scripts/deps installs it)\n");
        cr_skip("GNU parallel is not installed");
    }
    int p = fw_procs_start(&s_procs, (char *[]){script, "--jobs", "2", NULL}, log);
    s_assert_ran(fw_procs_wait(&s_procs, p, 90000), log);
    s_assert_ran(s_flywheel((char *[]){"sweep", "--collect", par, "--quiet", NULL}, log), log);
    char *csv2 = s_read(par, "sweep.csv"), *summary2 = s_read(par, "sweep-summary.csv");
    cr_assert_str_eq(csv2, csv);
    cr_assert_str_eq(summary2, summary);
    free(csv);
    free(csv2);
    free(summary);
    free(summary2);
}

/* Ctrl-C after the first run is done; the same command again finishes the sweep
 * without touching a finished run, and gives the sweep.csv of an uninterrupted sweep. */
Test(sweep, an_interrupted_sweep_resumes_without_redoing_runs)
{
    char spec[1024], out[1024], ref[1024], log[1024], first[1200];
    s_spec(spec, sizeof spec, "48");
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(ref, sizeof ref, "%s/ref", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    snprintf(first, sizeof first,
             "%s/runs/reach_convergence=0.005_max_price=2500-seed1/sweep-done", out);
    int p = s_start((char *[]){"sweep", spec, "--out", out, "--jobs", "1", NULL}, log);
    cr_assert_eq(fw_test_wait_file(first, 60000), 0, "no run finished");
    kill(s_procs.pid[p], SIGINT);
    int rc = fw_procs_wait(&s_procs, p, 30000);
    cr_assert_eq(rc, 130, "the sweep should stop on Ctrl-C (exit %d); too fast a machine?", rc);

    /* What was finished, and when its files were written. */
    struct stat before[S_RUNS];
    char dirs[S_RUNS][1200];
    int done[S_RUNS] = {0}, n_done = 0;
    char *plan = s_read(out, "sweep-plan.tsv");
    int k = 0;
    for (char *line = strstr(plan, "\nrun\t"); line && k < S_RUNS; line = strstr(line + 1, "\nrun\t")) {
        char id[256], seed[32];
        cr_assert_eq(sscanf(line + 5, "%255[^\t]\t%31[^\t]", id, seed), 2);
        snprintf(dirs[k], sizeof dirs[k], "%s/runs/%s-seed%s", out, id, seed);
        char marker[1300], summary[1300];
        snprintf(marker, sizeof marker, "%s/sweep-done", dirs[k]);
        snprintf(summary, sizeof summary, "%s/summary.json", dirs[k]);
        if (access(marker, F_OK) == 0) {
            cr_assert_eq(stat(summary, &before[k]), 0);
            done[k] = 1;
            n_done++;
        }
        k++;
    }
    free(plan);
    cr_assert_eq(k, S_RUNS);
    cr_assert(n_done >= 1 && n_done < S_RUNS, "%d runs done", n_done);

    s_assert_ran(s_flywheel((char *[]){"sweep", spec, "--out", out, NULL}, log), log);
    char *text = fw_test_read_file(log, NULL), expect[64];
    snprintf(expect, sizeof expect, "resuming: %d of %d runs already done", n_done, S_RUNS);
    cr_assert_not_null(strstr(text, expect), "%s", text);
    free(text);
    for (int i = 0; i < S_RUNS; i++) {
        char summary[1300];
        struct stat now;
        snprintf(summary, sizeof summary, "%s/summary.json", dirs[i]);
        cr_assert_eq(stat(summary, &now), 0, "%s", summary);
        if (done[i])
            cr_assert(now.st_mtim.tv_sec == before[i].st_mtim.tv_sec &&
                          now.st_mtim.tv_nsec == before[i].st_mtim.tv_nsec &&
                          now.st_ino == before[i].st_ino,
                      "run %s was redone", dirs[i]);
    }
    s_assert_ran(s_flywheel((char *[]){"sweep", spec, "--out", ref, "--quiet", NULL}, log), log);
    char *a = s_read(out, "sweep.csv"), *b = s_read(ref, "sweep.csv");
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
}

static void s_assert_refused(const char *spec_text, const char *expect)
{
    char spec[1024], log[1024], out[1024];
    snprintf(spec, sizeof spec, "%s/bad.yaml", s_dir);
    snprintf(log, sizeof log, "%s/bad.log", s_dir);
    snprintf(out, sizeof out, "%s/bad", s_dir);
    FILE *f = fopen(spec, "w");
    cr_assert_not_null(f);
    char sc[1024];
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    fprintf(f, "scenario: %s\nparameters:\n%s", sc, spec_text);
    fclose(f);
    int rc = s_flywheel((char *[]){"sweep", spec, "--out", out, NULL}, log);
    char *text = fw_test_read_file(log, NULL), where[1200];
    cr_assert_eq(rc, 2, "exit %d: %s", rc, text);
    snprintf(where, sizeof where, "%s%s", spec, expect);
    cr_assert_not_null(strstr(text, where), "want '%s' in:\n%s", where, text);
    free(text);
    cr_assert_neq(access(out, F_OK), 0, "nothing is written for a bad spec");
}

Test(sweep, a_parameter_that_does_not_exist_is_refused_at_its_line_and_column)
{
    s_assert_refused("  market.reach_convergenc: [0.1]\n",
                     ":3:3: market.reach_convergenc = 0.1: unknown key 'reach_convergenc'");
    s_assert_refused("  strategy_params.aws.capex_retrun: [1]\n",
                     ":3:3: strategy_params.aws.capex_retrun: no built-in strategy reads");
    s_assert_refused("  strategy_params.azure.capex_return: [1]\n",
                     ":3:3: strategy_params.azure.capex_return: 'azure' is not a seat");
    s_assert_refused("  seats.aws.cash: [1B]\n", ":3:3: seats.aws.cash: unknown parameter section");
    s_assert_refused("  market.reach_convergence: [0.01, -5]\n",
                     ":3:36: market.reach_convergence = -5: reach_convergence must be in");
    s_assert_refused("  market.reach_convergence: [0.01, 0.01]\n", ":3:36: market."
                     "reach_convergence: value '0.01' is given twice");
}

Test(sweep, emit_slurm_writes_an_array_job)
{
    char spec[1024], out[1024], log[1024];
    s_spec(spec, sizeof spec, "6");
    snprintf(out, sizeof out, "%s/slurm", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    s_assert_ran(s_flywheel((char *[]){"sweep", spec, "--out", out, "--emit", "slurm", NULL}, log),
                 log);
    char *job = s_read(out, "sweep.sbatch");
    cr_assert_not_null(strstr(job, "\n#SBATCH --array=0-11\n"), "%s", job);
    cr_assert_not_null(strstr(job, "SLURM_ARRAY_TASK_ID"));
    free(job);
    /* Nothing ran: collecting names the missing runs and exits 1. */
    int rc = s_flywheel((char *[]){"sweep", "--collect", out, NULL}, log);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 1, "%s", text);
    cr_assert_not_null(strstr(text, "-seed1: missing"), "%s", text);
    free(text);
}

/* compare: one row per run, sd and intervals, and a directory per run even when the
 * same scenario is given twice. */
Test(sweep, compare_the_same_scenario_twice_gives_a_directory_and_a_row_per_run)
{
    char sc[1024], out[1024], log[1024];
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(out, sizeof out, "%s/compare", s_dir);
    snprintf(log, sizeof log, "%s/log", s_dir);
    s_assert_ran(s_flywheel((char *[]){"compare", sc, sc, "--seeds", "2", "--ticks", "6",
                                       "--out", out, "--quiet", NULL}, log), log);
    const char *dirs[] = {"classroom-seed1", "classroom-seed2", "classroom-2-seed1",
                          "classroom-2-seed2"};
    for (int i = 0; i < 4; i++) {
        char p[1300];
        snprintf(p, sizeof p, "%s/%s/summary.json", out, dirs[i]);
        cr_assert_eq(access(p, F_OK), 0, "no %s", p);
    }
    char *runs = s_read(out, "compare-runs.csv");
    cr_assert_eq(s_lines(runs), 5, "%s", runs);
    cr_assert_eq(strncmp(runs, "run,scenario,path,seed,profit.", 30), 0, "%s", runs);
    for (int i = 0; i < 4; i++) {
        char row[128];
        snprintf(row, sizeof row, "\n%s,%s,", dirs[i], i < 2 ? "classroom" : "classroom-2");
        cr_assert_not_null(strstr(runs, row), "no row %s in\n%s", row, runs);
    }
    free(runs);
    char *stats = s_read(out, "compare.csv");
    cr_assert_eq(strncmp(stats, "scenario,figure,entity,n,mean,sd,ci95_low,ci95_high\n", 52), 0);
    cr_assert_not_null(strstr(stats, "\nclassroom-2,profit,aws,2,"));
    cr_assert_not_null(strstr(stats, "\nall,cv_across_scenarios_profit,aws,2,"));
    free(stats);
}

/* On a terminal: one progress line, rewritten in place (runs done / total, rate, time
 * left). Elsewhere (the tests above) nothing but the table. */
Test(sweep, progress_on_a_terminal)
{
    char spec[1024], out[1024], bin[1024], text[65536];
    size_t n = 0;
    s_spec(spec, sizeof spec, "6");
    snprintf(out, sizeof out, "%s/tty", s_dir);
    fw_test_build_path(bin, sizeof bin, "flywheel");
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execl(bin, bin, "sweep", spec, "--out", out, (char *)NULL);
        _exit(127);
    }
    s_procs.pid[s_procs.n++] = pid; /* killed and reaped by the suite if we fail */
    for (;;) {
        struct pollfd pfd = {master, POLLIN, 0};
        if (poll(&pfd, 1, 60000) <= 0)
            break;
        ssize_t got = read(master, text + n, sizeof text - 1 - n);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    text[n] = '\0';
    close(master);
    int rc = fw_procs_wait(&s_procs, (int)s_procs.n - 1, 30000);
    cr_assert_eq(rc, 0, "exit %d:\n%s", rc, text);
    cr_assert_not_null(strstr(text, "\r[sweep] 0/12 runs"), "%s", text);
    cr_assert_not_null(strstr(text, "[sweep] 12/12 runs"), "%s", text);
    cr_assert_not_null(strstr(text, "runs/min  left"), "%s", text);
    cr_assert_not_null(strstr(text, "Flywheel sweep: 12 runs (4 combinations)"), "%s", text);
}
