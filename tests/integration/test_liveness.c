/* Liveness with real processes: an agent that stops answering at the socket level
 * (SIGSTOP: its process frozen, its connection open) is found gone by the
 * coordinator's heartbeats within seconds, not by ticks it missed; in a game with
 * house bots the house bot takes its seat at once; woken (SIGCONT), the agent's
 * connection comes back, it asks for its seat with its resume token and plays again;
 * the game finishes with every tick recorded. Waits are for log lines and exits,
 * never fixed times. */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"
#include "fw_testpty.h"

static fw_procs_t s_procs;
static char s_dir[64];

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
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

Test(liveness, a_stopped_agent_is_found_by_heartbeats_replaced_and_takes_its_seat_back)
{
    char coord[1024], agent[1024], sc[1024], listen[1024], pub[1024], out[1024];
    char coord_log[1024], agent_log[1024], endpoints[1024];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_build_path(agent, sizeof agent, "flywheel-agent");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(coord_log, sizeof coord_log, "%s/coordinator.log", s_dir);
    snprintf(agent_log, sizeof agent_log, "%s/agent.log", s_dir);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    /* One player (openai); house bots for the rest; a turn of 1 s while the player is
     * frozen (a tick ends as soon as it has answered otherwise); no takeover for
     * silence: only the dropped connection can replace it; more ticks than the test
     * needs, so the game is on whenever it looks. */
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out",
                     out, "--players", "1", "--pace", "deadline:1", "--ticks", "100000",
                     "--log-level", "info", NULL};
    int c = fw_procs_start(&s_procs, cargv, coord_log);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "the coordinator did not bind");
    char *aargv[] = {agent, "--connect", listen, "--seat", "openai", "--log-level", "info",
                     NULL};
    int a = fw_procs_start(&s_procs, aargv, agent_log);
    /* Frozen once it holds the seat: the game goes on a turn a second without it. */
    s_wait_text(agent_log, "resume token", 0, 30000);
    long at = s_wait_text(coord_log, "seat openai claimed", 0, 30000);
    kill(s_procs.pid[a], SIGSTOP);
    /* The heartbeats end its connection after 4 s; the next message to it fails and
     * the house bot takes the seat. 20 s leaves room for a loaded machine; without
     * heartbeats nothing would ever end the connection of a frozen process. */
    at = s_wait_text(coord_log, "seat openai: the house bot takes over", at, 20000);

    kill(s_procs.pid[a], SIGCONT);
    s_wait_text(agent_log, "asking for the seat again with its resume token", 0, 30000);
    s_wait_text(coord_log, "handed back to", at, 30000);
    s_wait_text(agent_log, "the coordinator gave the seat back", 0, 30000);
    /* The game goes on with its player; the host ends it. */
    kill(s_procs.pid[c], SIGTERM);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 60000), 130, "the game ends when the host says");
    cr_assert_eq(fw_procs_wait(&s_procs, a, 30000), 0, "the agent leaves with the game");
    char summary[1024];
    snprintf(summary, sizeof summary, "%s/summary.json", out);
    cr_assert_eq(fw_test_wait_file(summary, 1000), 0, "no summary");
}

/* Without house bots (what `flywheel run` starts), lockstep with a long tick timeout:
 * the coordinator does not wait a minute for a frozen agent; its connection is found
 * dropped within seconds, the seat does nothing, and woken it takes the seat back. */
Test(liveness, a_stopped_agent_in_lockstep_is_not_waited_for_and_comes_back)
{
    char coord[1024], agent[1024], sc[1024], listen[1024], pub[1024], out[1024];
    char coord_log[1024], endpoints[1024], logs[6][1024];
    static const char *seats[] = {"nvidia", "tpu_maker", "aws", "google", "anthropic", "openai"};
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_build_path(agent, sizeof agent, "flywheel-agent");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(coord_log, sizeof coord_log, "%s/coordinator.log", s_dir);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out",
                     out, "--ticks", "100000", "--tick-timeout", "60000", "--log-level",
                     "info", NULL};
    int c = fw_procs_start(&s_procs, cargv, coord_log);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "the coordinator did not bind");
    int frozen = -1;
    for (int i = 0; i < 6; i++) {
        snprintf(logs[i], sizeof logs[i], "%s/%s.log", s_dir, seats[i]);
        char *aargv[] = {agent, "--connect", listen, "--seat", (char *)seats[i],
                         "--log-level", "info", NULL};
        int p = fw_procs_start(&s_procs, aargv, logs[i]);
        if (i == 5)
            frozen = p;
    }
    s_wait_text(logs[5], "resume token", 0, 30000);
    long at = s_wait_text(coord_log, "seat openai claimed", 0, 30000);
    kill(s_procs.pid[frozen], SIGSTOP);
    s_wait_text(coord_log, "seat openai: its player's connection dropped", at, 20000);
    at = s_wait_text(coord_log, "it does nothing until it reconnects", at, 10000);
    kill(s_procs.pid[frozen], SIGCONT);
    s_wait_text(coord_log, "seat openai reconnected", at, 30000);
    kill(s_procs.pid[c], SIGTERM);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 60000), 130);
}

/* The Python agent (agents/python) frozen in a served game: replaced by the house bot,
 * and woken, refused as a stranger on its new connection, it asks for its seat again
 * with its resume token and gets it back. */
Test(liveness, a_stopped_python_agent_takes_its_seat_back)
{
    if (system("/usr/bin/python3 -c 'import zmq, google.protobuf' 2>/dev/null && "
               "command -v protoc >/dev/null") != 0)
        cr_skip_test("needs /usr/bin/python3 with python3-zmq, python3-protobuf and protoc");
    char coord[1024], script[1024], sc[1024], listen[1024], pub[1024], out[1024];
    char coord_log[1024], agent_log[1024], endpoints[1024];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_source_path(script, sizeof script, "agents/python/flywheel_agent.py");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(coord_log, sizeof coord_log, "%s/coordinator.log", s_dir);
    snprintf(agent_log, sizeof agent_log, "%s/agent.log", s_dir);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    char *cargv[] = {coord, "--scenario", sc, "--listen", listen, "--publish", pub, "--out",
                     out, "--players", "1", "--pace", "deadline:1", "--ticks", "100000",
                     "--log-level", "info", NULL};
    int c = fw_procs_start(&s_procs, cargv, coord_log);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "the coordinator did not bind");
    char *aargv[] = {"/usr/bin/python3", script, "--connect", listen, "--seat", "openai",
                     "--idle-timeout", "120", NULL};
    int a = fw_procs_start(&s_procs, aargv, agent_log);
    s_wait_text(agent_log, "resume token", 0, 60000);
    long at = s_wait_text(coord_log, "seat openai claimed", 0, 30000);
    kill(s_procs.pid[a], SIGSTOP);
    at = s_wait_text(coord_log, "seat openai: the house bot takes over", at, 20000);
    kill(s_procs.pid[a], SIGCONT);
    s_wait_text(agent_log, "asking for the seat again with its resume token", 0, 30000);
    s_wait_text(coord_log, "handed back to", at, 30000);
    kill(s_procs.pid[c], SIGTERM);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 60000), 130);
}
