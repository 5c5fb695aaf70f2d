/* Across hosts, on one machine: three network namespaces of the test's own (ip netns,
 * veth pairs, private addresses), the coordinator in one and the agents of the
 * baseline's 13 seats split between the two others, over tcp:// with CURVE. The run
 * ends with the metrics.csv of the same seed over ipc://. Then a partition: one agent
 * namespace's link goes down for longer than the heartbeats allow; its seats get the
 * default action, their agents reconnect when the link comes back, and the run
 * finishes with them playing again. Traffic stays inside the namespaces the test made.
 * Skipped, loudly, where namespaces cannot be made (not root, no iproute2). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_testproc.h"
#include "fw_testpty.h"

/* iproute2, as Debian installs it (the processes are started with execv: a path). */
#define S_IP "/usr/sbin/ip"

static fw_procs_t s_procs;
static char s_dir[64];
static char s_ns[3][32]; /* coordinator, agents A, agents B */
static int s_made;       /* namespaces made so far */

/* Runs a shell command line; returns its exit status. */
static int s_sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static void s_teardown(void)
{
    fw_procs_cleanup(&s_procs);
    for (int i = 0; i < s_made; i++)
        s_sh("ip netns del %s 2>/dev/null", s_ns[i]);
    fw_test_rmtree(s_dir);
}

/* The three namespaces: C holds 10.231.1.1 (to A, at 10.231.1.2) and 10.231.2.1 (to B,
 * at 10.231.2.2). The names carry the test's pid: tests run side by side. */
static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    static const char *const role[3] = {"c", "a", "b"};
    for (int i = 0; i < 3; i++)
        snprintf(s_ns[i], sizeof s_ns[i], "fw%d%s", (int)getpid(), role[i]);
    if (s_sh("ip netns add %s 2>/dev/null", s_ns[0]) != 0) {
        fprintf(stderr, "\n*** test_hosts SKIPPED: cannot create a network namespace (needs "
                        "root and iproute2): the run across hosts is NOT tested here ***\n\n");
        cr_skip_test("cannot create network namespaces (needs root and iproute2)");
    }
    s_made = 1;
    for (int i = 1; i < 3; i++) {
        cr_assert_eq(s_sh("ip netns add %s", s_ns[i]), 0);
        s_made = i + 1;
    }
    for (int i = 0; i < 3; i++)
        cr_assert_eq(s_sh("ip -n %s link set lo up", s_ns[i]), 0);
    for (int i = 1; i < 3; i++) {
        /* veth pair: one end in C, one in A (or B). */
        cr_assert_eq(s_sh("ip link add fwc%d%d type veth peer name fwp%d%d", (int)getpid() % 10000,
                          i, (int)getpid() % 10000, i), 0);
        cr_assert_eq(s_sh("ip link set fwc%d%d netns %s && ip link set fwp%d%d netns %s",
                          (int)getpid() % 10000, i, s_ns[0], (int)getpid() % 10000, i, s_ns[i]),
                     0);
        cr_assert_eq(s_sh("ip -n %s addr add 10.231.%d.1/24 dev fwc%d%d && "
                          "ip -n %s link set fwc%d%d up",
                          s_ns[0], i, (int)getpid() % 10000, i, s_ns[0], (int)getpid() % 10000,
                          i), 0);
        cr_assert_eq(s_sh("ip -n %s addr add 10.231.%d.2/24 dev fwp%d%d && "
                          "ip -n %s link set fwp%d%d up",
                          s_ns[i], i, (int)getpid() % 10000, i, s_ns[i], (int)getpid() % 10000,
                          i), 0);
    }
}

TestSuite(hosts, .init = s_setup, .fini = s_teardown, .timeout = 240);

/* `flywheel keys new DIR coordinator`. */
static void s_keys(void)
{
    char bin[1024], dir[300];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    snprintf(dir, sizeof dir, "%s/keys", s_dir);
    char *argv[] = {bin, "keys", "new", dir, "coordinator", NULL};
    cr_assert_eq(fw_procs_wait(&s_procs, fw_procs_start(&s_procs, argv, NULL), 30000), 0);
}

/* The coordinator in namespace C on port 5555 of every address, with CURVE (any key), and the
 * scenario's agents: seats 0-6 in A, the rest in B, each with the game's public key.
 * `pace`: the coordinator's --pace. Returns the coordinator's process index. */
static int s_game(const char *name, const char *pace)
{
    char coord[1024], agent[1024], sc[1024], out[300], log[300], secret[300], pub[300];
    char err[512];
    fw_test_build_path(coord, sizeof coord, "flywheel-coordinator");
    fw_test_build_path(agent, sizeof agent, "flywheel-agent");
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s.coordinator.log", s_dir, name);
    snprintf(secret, sizeof secret, "%s/keys/coordinator.key_secret", s_dir);
    snprintf(pub, sizeof pub, "%s/keys/coordinator.key", s_dir);
    char *cargv[] = {S_IP, "netns", "exec", s_ns[0], coord, "--scenario", sc, "--listen",
                     "tcp://*:5555", "--publish", "tcp://*:5556", "--out", out,
                     "--curve-secret", secret, "--allow-any", "--pace", (char *)pace,
                     "--log-level", "info", NULL};
    int c = fw_procs_start(&s_procs, cargv, log);
    fw_scenario_t *s = fw_scenario_load(sc, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    for (size_t i = 0; i < s->n_seats; i++) {
        int side = i < 7 ? 1 : 2;
        char url[64], alog[400];
        snprintf(url, sizeof url, "tcp://10.231.%d.1:5555", side);
        snprintf(alog, sizeof alog, "%s/%s.%s.log", s_dir, name, s->seats[i].id);
        char *aargv[] = {S_IP, "netns", "exec", s_ns[side], agent, "--connect", url, "--seat",
                         (char *)s->seats[i].id, "--server-key", pub, "--log-level", "info",
                         NULL};
        fw_procs_start(&s_procs, aargv, alog);
    }
    fw_scenario_destroy(&s);
    return c;
}

/* The same seed over ipc:// in the root namespace, as `flywheel run` does it. */
static void s_ipc_run(const char *name)
{
    char bin[1024], sc[1024], out[300], log[300];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/baseline.yaml");
    snprintf(out, sizeof out, "%s/%s", s_dir, name);
    snprintf(log, sizeof log, "%s/%s.log", s_dir, name);
    char *argv[] = {bin, "run", sc, "--out", out, "--quiet", NULL};
    cr_assert_eq(fw_procs_wait(&s_procs, fw_procs_start(&s_procs, argv, log), 120000), 0);
}

static char *s_file(const char *name, const char *file)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s/%s", s_dir, name, file);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text, "cannot read %s", path);
    return text;
}

Test(hosts, a_run_across_three_namespaces_over_tcp_and_curve_is_the_ipc_run)
{
    s_keys();
    int c = s_game("tcp", "lockstep");
    cr_assert_eq(fw_procs_wait(&s_procs, c, 180000), 0, "the run across namespaces completes");
    s_ipc_run("ipc");
    char *a = s_file("tcp", "metrics.csv"), *b = s_file("ipc", "metrics.csv");
    cr_assert(strcmp(a, b) == 0, "metrics.csv over tcp between namespaces differs from ipc's");
    cr_log_info("namespaces %s (coordinator, 10.231.1.1 and 10.231.2.1), %s (10.231.1.2) "
                "and %s (10.231.2.2): the run over tcp:// with CURVE wrote a metrics.csv of "
                "%zu bytes, byte-identical to the same seed's over ipc://",
                s_ns[0], s_ns[1], s_ns[2], strlen(a));
    free(a);
    free(b);
    char log[400];
    snprintf(log, sizeof log, "%s/tcp.coordinator.log", s_dir);
    cr_assert_geq(fw_test_wait_text(log, "connected from 10.231.2.2", 0, 1000), 0,
                  "an agent of namespace B came in over its link");
}

/* Rows of name/metrics.csv so far. */
static long s_rows(const char *name)
{
    char *text = NULL, path[400];
    snprintf(path, sizeof path, "%s/%s/metrics.csv", s_dir, name);
    text = fw_test_read_file(path, NULL);
    long n = -1;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* Which ticks of the run had actions from `seat`, in events.log. */
static void s_acted(const char *name, const char *seat, int *acted, int max)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s/events.log", s_dir, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fw_envelope_t *env = NULL;
    memset(acted, 0, (size_t)max * sizeof *acted);
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS && !strcmp(env->seat, seat) &&
            env->tick < (uint32_t)max)
            acted[env->tick] = 1;
        fw_proto_free(&env);
    }
    fclose(f);
}

Test(hosts, a_partitioned_namespace_gets_defaults_and_its_agents_come_back_on_heal)
{
    s_keys();
    /* A turn timer keeps the game moving while namespace A is cut off. */
    int c = s_game("cut", "deadline:0.4");
    pid_t coord = s_procs.pid[c]; /* ip netns exec runs the coordinator in its place */
    char link[64], log[400], alog[400];
    snprintf(link, sizeof link, "fwp%d1", (int)getpid() % 10000);
    snprintf(log, sizeof log, "%s/cut.coordinator.log", s_dir);
    snprintf(alog, sizeof alog, "%s/cut.nvidia.log", s_dir);

    /* Everybody answers at once, so the turns fly: the game is held (SIGUSR1, as an
     * operator would) around each change of the link, so that the partition spans
     * ticks whatever the machine's speed. */
    for (long long until = fw_clock_ms() + 120000; s_rows("cut") < 3 && fw_clock_ms() < until;)
        fw_clock_sleep_ms(2);
    kill(coord, SIGUSR1);
    long at = fw_test_wait_text(log, "paused after tick", 0, 60000);
    cr_assert_geq(at, 0);
    long cut_at = s_rows("cut");
    cr_assert_lt(cut_at, 80, "the game was held before its end");
    cr_assert_eq(s_sh("ip -n %s link set %s down", s_ns[1], link), 0);
    kill(coord, SIGUSR2);

    /* Cut off: A's seats get the default action each turn until the heartbeats say
     * their agents are gone (6 s at the coordinator). */
    at = fw_test_wait_text(log, "seat nvidia: its player disconnected", at, 60000);
    cr_assert_geq(at, 0, "the coordinator finds namespace A's agents gone");
    kill(coord, SIGUSR1);
    at = fw_test_wait_text(log, "paused after tick", at, 60000);
    cr_assert_geq(at, 0);
    long healed_at = s_rows("cut");
    cr_assert_lt(healed_at, 84, "the game was held before its end");

    /* Healed: the agents connect again by themselves and ask for their seats. */
    cr_assert_eq(s_sh("ip -n %s link set %s up", s_ns[1], link), 0);
    if (fw_test_wait_text(alog, "the connection came back", 0, 60000) < 0) {
        char *text = fw_test_read_file(alog, NULL);
        size_t len = text ? strlen(text) : 0;
        cr_assert_fail("nvidia's agent never reconnected after the heal (cut at tick %ld, "
                       "healed at %ld); its log ends:\n%s", cut_at, healed_at,
                       text ? text + (len > 3000 ? len - 3000 : 0) : "");
    }
    cr_assert_geq(fw_test_wait_text(log, "seat nvidia reconnected", at, 60000), 0);
    kill(coord, SIGUSR2);
    int code = fw_procs_wait(&s_procs, c, 180000);
    cr_assert_eq(code, 0, "the run finishes after the partition (%d)", code);
    cr_assert_eq(s_rows("cut"), 84);

    /* nvidia (seat 0) is in A: it missed ticks while cut off and played after. */
    int acted[90];
    s_acted("cut", "nvidia", acted, 90);
    int missed = 0, after = 0;
    for (long t = cut_at + 1; t <= healed_at && t < 90; t++)
        missed += !acted[t];
    for (long t = healed_at + 1; t <= 84; t++)
        after += acted[t];
    cr_assert_gt(missed, 0, "nvidia got the default action while cut off (ticks %ld-%ld)",
                 cut_at + 1, healed_at);
    cr_assert_gt(after, 0, "nvidia plays again after the link came back");
    /* A seat of B played through. */
    int b_acted[90];
    s_acted("cut", "openai", b_acted, 90);
    int b_missed = 0;
    for (long t = 1; t <= 84; t++)
        b_missed += !b_acted[t];
    cr_assert_leq(b_missed, 2, "namespace B's seats were not cut off (%d ticks missed)", b_missed);
    cr_log_info("namespace A's link down after tick %ld, up after tick %ld: nvidia (in A) "
                "got the default action in %d of those %ld ticks and acted in %d of the %ld "
                "after; openai (in B) missed %d of 84; the run finished its 84 ticks",
                cut_at, healed_at, missed, healed_at - cut_at, after, 84 - healed_at,
                b_missed);
}
