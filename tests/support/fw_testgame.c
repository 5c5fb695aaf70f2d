/* fw_testgame: see fw_testgame.h. */
#include "fw_testgame.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fw_game_init(fw_game_t *g)
{
    memset(g, 0, sizeof *g);
    g->coord = -1;
    cr_assert_not_null(fw_test_tmpdir(g->dir, sizeof g->dir));
    snprintf(g->listen, sizeof g->listen, "ipc://%s/agents", g->dir);
    snprintf(g->publish, sizeof g->publish, "ipc://%s/observers", g->dir);
    snprintf(g->out, sizeof g->out, "%s/out", g->dir);
    snprintf(g->coord_log, sizeof g->coord_log, "%s/coordinator.log", g->dir);
}

void fw_game_fini(fw_game_t *g)
{
    if (getenv("FW_TEST_KEEP")) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "cp -r %s /tmp/kept-$(basename %s)", g->dir, g->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not keep %s\n", g->dir);
    }
    fw_procs_cleanup(&g->procs);
    for (size_t i = 0; i < g->n_ptys; i++)
        fw_pty_destroy(&g->ptys[i]);
    g->n_ptys = 0;
    fw_test_rmtree(g->dir);
}

int fw_game_start(fw_game_t *g, const char *program, char *const args[], const char *log_path)
{
    char bin[1024];
    char *argv[48];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, program);
    argv[n++] = bin;
    for (size_t i = 0; args[i] && n < 47; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    /* No operator keys: stdin is empty for the whole game. */
    int saved = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    int i = fw_procs_start(&g->procs, argv, log_path);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(null);
    cr_assert_geq(i, 0, "cannot start %s", program);
    return i;
}

void fw_game_start_coordinator(fw_game_t *g, char *const extra[])
{
    char sc[1024], endpoints[400];
    char *args[48];
    int n = 0;
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    args[n++] = "--scenario"; args[n++] = sc;
    args[n++] = "--listen"; args[n++] = g->listen;
    args[n++] = "--publish"; args[n++] = g->publish;
    args[n++] = "--out"; args[n++] = g->out;
    args[n++] = "--house-bots";
    args[n++] = "--log-level"; args[n++] = "info";
    for (size_t i = 0; extra[i] && n < 47; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    g->coord = fw_game_start(g, "flywheel-coordinator", args, g->coord_log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", g->out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "the coordinator did not bind");
}

long fw_game_wait_text(fw_game_t *g, const char *path, const char *needle, long from,
                       int timeout_ms)
{
    long at = fw_test_wait_text(path, needle, from, timeout_ms);
    if (at < 0) {
        char *log = fw_test_read_file(path, NULL);
        cr_assert_fail("%s: '%s' never appeared in %s:\n%s", g->what, needle, path,
                       log ? log : "(nothing)");
    }
    return at;
}

void fw_player_start(fw_game_t *g, fw_player_t *p, const char *seat, const char *resume, int n)
{
    fw_player_start_named(g, p, seat, "alice", 24, resume, n);
}

void fw_player_start_named(fw_game_t *g, fw_player_t *p, const char *seat, const char *name,
                           int rows, const char *resume, int n)
{
    char bin[1024];
    char *argv[20];
    int k = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(p->log, sizeof p->log, "%s/player-%d.log", g->dir, n);
    argv[k++] = bin;
    argv[k++] = "--strategy"; argv[k++] = "human";
    argv[k++] = "--connect"; argv[k++] = g->listen;
    argv[k++] = "--seat"; argv[k++] = (char *)seat;
    argv[k++] = "--name"; argv[k++] = (char *)name;
    argv[k++] = "--log-level"; argv[k++] = "info";
    argv[k++] = "--idle-timeout"; argv[k++] = "60";
    if (resume && resume[0]) {
        argv[k++] = "--resume";
        argv[k++] = (char *)resume;
    }
    argv[k] = NULL;
    p->seen = 0;
    cr_assert_lt(g->n_ptys, FW_GAME_MAX_PTYS);
    p->pty = fw_pty_start(&g->procs, argv, p->log, 80, rows, &p->proc);
    cr_assert_not_null(p->pty, "cannot start the human client");
    g->ptys[g->n_ptys++] = p->pty;
}

void fw_player_wait(fw_game_t *g, fw_player_t *p, int timeout_ms, const char *fmt, ...)
{
    char needle[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(needle, sizeof needle, fmt, ap);
    va_end(ap);
    p->seen = fw_game_wait_text(g, p->log, needle, p->seen, timeout_ms);
}

void fw_player_send(fw_game_t *g, fw_player_t *p, uint32_t t)
{
    char line[64];
    snprintf(line, sizeof line, "moves for tick %u", t);
    for (int i = 0; i < 100; i++) {
        fw_pty_keys(p->pty, "\r");
        long at = fw_test_wait_text(p->log, line, p->seen, 200);
        if (at >= 0) {
            p->seen = at;
            return;
        }
    }
    char *log = fw_test_read_file(p->log, NULL), *coord = fw_test_read_file(g->coord_log, NULL);
    cr_assert_fail("%s: the client never sent its moves for tick %u; its log:\n%s\n"
                   "the coordinator's:\n%s", g->what, t, log ? log : "", coord ? coord : "");
}

void fw_player_play(fw_game_t *g, fw_player_t *p, uint32_t t)
{
    fw_player_wait(g, p, 20000, "tick %u on screen", t);
    fw_player_send(g, p, t);
}

void fw_player_stop(fw_game_t *g, fw_player_t *p)
{
    for (size_t i = 0; i < g->n_ptys; i++)
        if (g->ptys[i] == p->pty)
            g->ptys[i] = NULL;
    fw_pty_destroy(&p->pty);
}

void fw_player_token(const fw_player_t *p, char *token, size_t len)
{
    char *log = fw_test_read_file(p->log, NULL);
    const char *at = log ? strstr(log, "resume token: ") : NULL;
    if (at && strlen(at + 14) >= 32)
        snprintf(token, len, "%.32s", at + 14);
    else if (len)
        token[0] = '\0';
    free(log);
}

void fw_game_record(fw_game_t *g, fw_record_t *r, const char *seat, int seat_index)
{
    char path[400];
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/events.log", g->out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: no events.log", g->what);
    fw_envelope_t *env = NULL;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        uint32_t t = env->tick <= FW_GAME_MAX_TICKS ? env->tick : FW_GAME_MAX_TICKS + 1;
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS &&
            strcmp(env->seat, seat) == 0)
            r->actions[t]++;
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            const Flywheel__V1__Snapshot *s = env->snapshot;
            r->ticks++;
            if ((size_t)seat_index < s->n_seats)
                r->holder[t] = s->seats[seat_index]->holder;
            if ((size_t)seat_index < s->n_companies)
                r->present[t] = s->companies[seat_index]->present;
            r->final = s->final;
        }
        fw_proto_free(&env);
    }
    fclose(f);
}

size_t fw_game_metrics_rows(fw_game_t *g)
{
    char path[400];
    snprintf(path, sizeof path, "%s/metrics.csv", g->out);
    char *text = fw_test_read_file(path, NULL);
    size_t lines = 0;
    for (const char *p = text; p && *p; p++)
        lines += *p == '\n';
    free(text);
    return lines ? lines - 1 : 0;
}
