/* Liveness with real processes: an agent that stops answering at the socket level
 * (SIGSTOP: its process frozen, its connection open) is found gone by the
 * coordinator's heartbeats within seconds, not by ticks it missed; in a game with
 * house bots the house bot takes its seat at once; woken (SIGCONT), the agent's
 * connection comes back, it asks for its seat with its resume token and plays again.
 * Waits are for log lines and exits, never fixed times. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"
#include "fw_testpty.h"

static fw_procs_t s_procs;
static char s_dir[64], s_listen[1024], s_out[1024], s_coord_log[1024];

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(s_out, sizeof s_out, "%s/out", s_dir);
    snprintf(s_coord_log, sizeof s_coord_log, "%s/coordinator.log", s_dir);
}

static void s_teardown(void)
{
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(liveness, .init = s_setup, .fini = s_teardown, .timeout = 180);

/* Waits for `needle` in the file at `path` after offset `from`; returns the offset
 * just past it. */
static long s_wait_text(const char *path, const char *needle, long from, int timeout_ms)
{
    long at = fw_test_wait_text(path, needle, from, timeout_ms);
    cr_assert_geq(at, 0, "'%s' never appeared in %s", needle, path);
    return at;
}

/* A coordinator for the classroom with more ticks than a test needs, so the game is
 * on whenever it looks. Served: one player (openai), house bots for the rest, a turn
 * of 1 s while the player is frozen (a tick ends as soon as it has answered
 * otherwise), no takeover for silence: only the dropped connection can replace it.
 * Not served: lockstep for six agents, as `flywheel run` plays, with a tick timeout of
 * a minute. Returns its process. */
static int s_coordinator(int served)
{
    char coord[1024], sc[1024], pub[1024], endpoints[1024];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    char *argv[24] = {coord, "--scenario", sc, "--listen", s_listen, "--publish", pub, "--out",
                      s_out, "--ticks", "100000", "--log-level", "info"};
    int n = 13;
    static char *const served_args[] = {"--players", "1", "--pace", "deadline:1", NULL};
    static char *const lockstep_args[] = {"--tick-timeout", "60000", NULL};
    for (char *const *a = served ? served_args : lockstep_args; *a; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    int c = fw_procs_start(&s_procs, argv, s_coord_log);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "the coordinator did not bind");
    return c;
}

/* flywheel-agent playing `seat` (python: the Python agent instead), logging to `log`.
 * Returns its process. */
static int s_agent(const char *seat, int python, const char *log)
{
    char bin[1024];
    if (python) {
        /* The package from the source tree (agents/python/flywheel_agent). */
        fw_test_source_path(bin, sizeof bin, "agents/python");
        setenv("PYTHONPATH", bin, 1);
        char *argv[] = {"/usr/bin/python3", "-m", "flywheel_agent", "--connect", s_listen,
                        "--seat", (char *)seat, "--idle-timeout", "120", NULL};
        return fw_procs_start(&s_procs, argv, log);
    }
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    char *argv[] = {bin, "--connect", s_listen, "--seat", (char *)seat, "--log-level", "info",
                    NULL};
    return fw_procs_start(&s_procs, argv, log);
}

/* Freezes agent `a` (openai) once it holds the seat, waits for `gone` in the
 * coordinator's log (within 20 s: the heartbeats end a frozen process's connection
 * after 6 s; without them nothing would), wakes it, and waits for it to ask for the
 * seat again (`asking` in its log) and for `back` in the coordinator's. */
static void s_freeze_and_wake(int a, const char *agent_log, const char *gone, const char *asking,
                              const char *back)
{
    s_wait_text(agent_log, "resume token", 0, 60000);
    long at = s_wait_text(s_coord_log, "seat openai claimed", 0, 30000);
    kill(s_procs.pid[a], SIGSTOP);
    at = s_wait_text(s_coord_log, gone, at, 20000);
    kill(s_procs.pid[a], SIGCONT);
    s_wait_text(agent_log, asking, 0, 30000);
    s_wait_text(s_coord_log, back, at, 30000);
}

/* The host ends the game: SIGTERM, exit 130, a summary written. */
static void s_end(int c)
{
    char summary[1024];
    kill(s_procs.pid[c], SIGTERM);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 60000), 130, "the game ends when the host says");
    snprintf(summary, sizeof summary, "%s/summary.json", s_out);
    cr_assert_eq(fw_test_wait_file(summary, 1000), 0, "no summary");
}

Test(liveness, a_stopped_agent_is_found_by_heartbeats_replaced_and_takes_its_seat_back)
{
    char log[1024];
    snprintf(log, sizeof log, "%s/agent.log", s_dir);
    int c = s_coordinator(1);
    int a = s_agent("openai", 0, log);
    s_freeze_and_wake(a, log, "seat openai: the house bot takes over",
                      "asking for the seat again with its resume token", "handed back to");
    s_wait_text(log, "the coordinator gave the seat back", 0, 30000);
    s_end(c);
    cr_assert_eq(fw_procs_wait(&s_procs, a, 30000), 0, "the agent leaves with the game");
}

/* Without house bots (what `flywheel run` starts), lockstep with a long tick timeout:
 * the coordinator does not wait a minute for a frozen agent; its connection is found
 * dropped within seconds, the seat does nothing, and woken it takes the seat back. */
Test(liveness, a_stopped_agent_in_lockstep_is_not_waited_for_and_comes_back)
{
    static const char *seats[] = {"nvidia", "tpu_maker", "aws", "google", "anthropic", "openai"};
    char logs[6][1024];
    int c = s_coordinator(0), frozen = -1;
    for (int i = 0; i < 6; i++) {
        snprintf(logs[i], sizeof logs[i], "%s/%s.log", s_dir, seats[i]);
        frozen = s_agent(seats[i], 0, logs[i]);
    }
    s_freeze_and_wake(frozen, logs[5], "it does nothing until it reconnects",
                      "asking for the seat again with its resume token",
                      "seat openai reconnected");
    s_wait_text(s_coord_log, "seat openai: its player's connection dropped", 0, 1000);
    s_end(c);
}

/* The Python agent (agents/python) frozen in a served game: replaced by the house bot,
 * and woken, refused as a stranger on its new connection, it asks for its seat again
 * with its resume token and gets it back. */
Test(liveness, a_stopped_python_agent_takes_its_seat_back)
{
    if (system("/usr/bin/python3 -c 'import zmq, google.protobuf' 2>/dev/null && "
               "command -v protoc >/dev/null") != 0)
        cr_skip_test("needs /usr/bin/python3 with python3-zmq, python3-protobuf and protoc");
    char log[1024];
    snprintf(log, sizeof log, "%s/agent.log", s_dir);
    int c = s_coordinator(1);
    int a = s_agent("openai", 1, log);
    s_freeze_and_wake(a, log, "seat openai: the house bot takes over",
                      "asking for the seat again with its resume token", "handed back to");
    s_end(c);
}
