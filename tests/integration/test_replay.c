/* `flywheel replay --verify DIR` on real runs: a run's log recomputes to the same state
 * hash at every tick; a log whose actions were changed is refused at the first tick
 * that differs, named; a log cut inside a record is reported as such. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fw_proto.h"
#include "fw_testproc.h"

static fw_procs_t s_procs;
static char s_dir[64], s_run[1024];

/* Runs `flywheel ARGS...` to its end; returns its exit code (output in `log`). */
static int s_flywheel(char *const args[], const char *log)
{
    int p = fw_procs_start_program(&s_procs, "flywheel", args, log);
    cr_assert_geq(p, 0);
    return fw_procs_wait(&s_procs, p, 120000);
}

static void s_setup(void)
{
    char sc[1024], log[1024];
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_run, sizeof s_run, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/run.log", s_dir);
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *args[] = {"run", sc, "--out", s_run, "--quiet", NULL};
    cr_assert_eq(s_flywheel(args, log), 0, "the run failed");
}

static void s_teardown(void)
{
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(replay, .init = s_setup, .fini = s_teardown, .timeout = 180);

/* Replays `dir`; returns the exit code and the output in *text (caller frees). */
static int s_replay(const char *dir, char **text)
{
    char log[1024];
    snprintf(log, sizeof log, "%s/replay.log", s_dir);
    char *args[] = {"replay", "--verify", (char *)dir, NULL};
    int rc = s_flywheel(args, log);
    *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(*text);
    return rc;
}

Test(replay, a_run_recomputes_to_the_same_hash_at_every_tick)
{
    char *text = NULL;
    cr_assert_eq(s_replay(s_run, &text), 0, "%s", text);
    cr_assert_not_null(strstr(text, "24 ticks recomputed, every state hash matches"), "%s", text);
    free(text);
}

/* Copies the run's log into DIR/events.log, changing the first compute bid of tick
 * `tick` (a lab's): it asks for nothing instead. */
static void s_tamper(const char *dir, uint32_t tick)
{
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/events.log", s_run);
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(out, sizeof out, "%s/events.log", dir);
    FILE *f = fopen(in, "rb"), *g = fopen(out, "wb");
    cr_assert(f && g);
    fw_envelope_t *env = NULL;
    int changed = 0;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (!changed && env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS &&
            env->tick == tick && env->actions->n_compute_bids > 0) {
            env->actions->compute_bids[0]->quantity = 1;
            changed = 1;
        }
        cr_assert_eq(fw_proto_write_delimited(g, env), FW_PROTO_OK);
        fw_proto_free(&env);
    }
    cr_assert(changed, "no compute bid in tick %u to change", tick);
    fclose(f);
    fclose(g);
}

Test(replay, a_changed_action_is_found_at_its_tick)
{
    char dir[1024], *text = NULL;
    snprintf(dir, sizeof dir, "%s/tampered", s_dir);
    s_tamper(dir, 5);
    cr_assert_eq(s_replay(dir, &text), 1, "%s", text);
    cr_assert_not_null(strstr(text, "tick 5 differs: state hash"), "%s", text);
    free(text);
}

Test(replay, a_log_cut_inside_a_record_is_reported)
{
    char dir[1024], in[1024], out[1024], *text = NULL;
    snprintf(dir, sizeof dir, "%s/torn", s_dir);
    cr_assert_eq(mkdir(dir, 0700), 0);
    snprintf(in, sizeof in, "%s/events.log", s_run);
    snprintf(out, sizeof out, "%s/events.log", dir);
    size_t len = 0;
    char *bytes = fw_test_read_file(in, &len);
    cr_assert_not_null(bytes);
    FILE *g = fopen(out, "wb");
    cr_assert_not_null(g);
    cr_assert_eq(fwrite(bytes, 1, len - 7, g), len - 7); /* the last record, torn */
    fclose(g);
    free(bytes);
    cr_assert_eq(s_replay(dir, &text), 3, "%s", text);
    cr_assert_not_null(strstr(text, "record cut short after tick 23"), "%s", text);
    free(text);
}

Test(replay, usage_errors_exit_2)
{
    char *text = NULL;
    char log[1024];
    snprintf(log, sizeof log, "%s/usage.log", s_dir);
    char *args[] = {"replay", NULL};
    cr_assert_eq(s_flywheel(args, log), 2);
    text = fw_test_read_file(log, NULL);
    cr_assert_not_null(strstr(text, "give --verify DIR"), "%s", text);
    free(text);
}
