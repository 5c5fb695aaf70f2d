/* The installed Flywheel (docs/install.md): `cmake --install` of this build into a
 * fresh prefix puts the four programs, the .proto, the scenarios, the docs, the man
 * pages and the Python package where the docs say; the installed `flywheel run`
 * plays a shipped scenario that extends another, starting the installed coordinator
 * and agents; and the installed Python package, with the message code made at
 * install time (nothing generated at run time), plays a seat of the installed
 * coordinator and reads the run's events.log. Nothing here reads the source tree. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(install, 180);

/* The prefix of this test's installation, filled by s_install. */
static char s_prefix[128];

/* A path under the installed prefix. */
static const char *s_installed(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", s_prefix, rel);
    return buf;
}

/* Runs argv to its end (at most timeout_ms) with its output in DIR/name.log; asserts
 * it exits 0, showing the log if not. */
static void s_run_ok(char *const argv[], const char *name, int timeout_ms)
{
    char log[256];
    snprintf(log, sizeof log, "%s/%s.log", s_dir, name);
    int rc = fw_procs_wait(&s_procs, fw_procs_start(&s_procs, argv, log), timeout_ms);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "%s exited %d:\n%s", name, rc, text ? text : "(no output)");
    free(text);
}

static void s_install(void)
{
    char build[1024];
    const char *cmake = getenv("FW_CMAKE");
    fw_test_build_path(build, sizeof build, "");
    snprintf(s_prefix, sizeof s_prefix, "%s/prefix", s_dir);
    char *argv[] = {(char *)(cmake && *cmake ? cmake : "/usr/bin/cmake"), "--install", build,
                    "--prefix", s_prefix, NULL};
    s_run_ok(argv, "install", 60000);
    /* The installed programs find each other next to themselves, never through this. */
    unsetenv("FW_BIN_DIR");
    setenv("PYTHONPATH", s_installed(build, sizeof build, "lib/python3/dist-packages"), 1);
    /* An empty cache: the installed package must not need to generate anything. */
    char cache[128];
    snprintf(cache, sizeof cache, "%s/cache", s_dir);
    setenv("XDG_CACHE_HOME", cache, 1);
    cr_assert_eq(chdir(s_dir), 0, "run from outside the source tree");
}

static int s_python_ready(void)
{
    return system("/usr/bin/python3 -c 'import zmq, google.protobuf' 2>/dev/null") == 0;
}

Test(install, puts_every_part_where_the_docs_say)
{
    s_install();
    static const char *files[] = {
        "bin/flywheel", "bin/flywheel-coordinator", "bin/flywheel-agent", "bin/flywheel-viewer",
        "share/flywheel/flywheel.proto", "share/flywheel/scenarios/baseline.yaml",
        "share/flywheel/scenarios/openai-dominates.yaml", "share/flywheel/scenarios/classroom.yaml",
        "share/doc/flywheel/README.md", "share/doc/flywheel/install.md",
        "share/doc/flywheel/outputs.md",
        "lib/python3/dist-packages/flywheel_agent/__main__.py",
        "lib/python3/dist-packages/flywheel_agent/events.py",
        "lib/python3/dist-packages/flywheel_agent/flywheel_pb2.py",
        "lib/python3/dist-packages/flywheel_agent/_schema.py"};
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        cr_expect_eq(access(s_installed(path, sizeof path, files[i]), R_OK), 0, "%s is missing",
                     files[i]);
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(access(s_installed(path, sizeof path, files[i]), X_OK), 0,
                     "%s is not executable", files[i]);

    /* Man pages, when this build could make them (help2man found at configure time). */
    char built[1024];
    fw_test_build_path(built, sizeof built, "man/flywheel.1");
    if (access(built, R_OK) == 0) {
        static const char *pages[] = {"flywheel", "flywheel-coordinator", "flywheel-agent",
                                      "flywheel-viewer"};
        for (size_t i = 0; i < 4; i++) {
            char rel[128];
            snprintf(rel, sizeof rel, "share/man/man1/%s.1", pages[i]);
            char *page = fw_test_read_file(s_installed(path, sizeof path, rel), NULL);
            cr_expect(page && strstr(page, ".TH") && strstr(page, "usage"),
                      "%s: a man page made from --help", rel);
            free(page);
        }
    } else {
        cr_log_warn("no man pages in this build (help2man was not found): not checked");
    }

    /* The installed .proto is the one the programs were built from: same hash as the
     * Python package's and as flywheel-agent --version says. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "h=$(sha256sum %s/share/flywheel/flywheel.proto | cut -c1-64) && "
             "%s/bin/flywheel-agent --version | grep -q \"$h\" && "
             "grep -q \"$h\" %s/lib/python3/dist-packages/flywheel_agent/_schema.py",
             s_prefix, s_prefix, s_prefix);
    cr_expect_eq(system(cmd), 0, "the installed .proto's hash is the programs' schema hash");
}

Test(install, the_installed_flywheel_runs_a_shipped_scenario)
{
    s_install();
    char flywheel[256], scenario[256], out[256];
    s_installed(flywheel, sizeof flywheel, "bin/flywheel");
    /* It extends baseline.yaml: resolved in the installed scenarios directory. */
    s_installed(scenario, sizeof scenario, "share/flywheel/scenarios/openai-dominates.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    char *argv[] = {flywheel, "run", scenario, "--ticks", "6", "--out", out, "--quiet", NULL};
    s_run_ok(argv, "run", 60000);
    char csv[300];
    snprintf(csv, sizeof csv, "%s/metrics.csv", out);
    char *text = fw_test_read_file(csv, NULL);
    cr_assert_not_null(text, "the run wrote metrics.csv");
    int rows = 0;
    for (const char *c = text; *c; c++)
        rows += *c == '\n';
    free(text);
    cr_assert_eq(rows, 1 + 6, "a header and one row per tick");

    char *help[] = {flywheel, "--help", NULL};
    s_run_ok(help, "help", 10000);
}

Test(install, the_installed_python_agent_plays_a_seat_and_reads_the_log)
{
    if (!s_python_ready())
        cr_skip_test("needs /usr/bin/python3 with python3-zmq and python3-protobuf "
                     "(scripts/deps installs them)");
    s_install();
    char *help[] = {"/usr/bin/python3", "-m", "flywheel_agent", "--help", NULL};
    s_run_ok(help, "python-help", 10000);

    /* The installed coordinator, house bots on every seat but the Python one. */
    char coord[256], scenario[256], listen[256], publish[256], out[256], ep[300], log[256];
    s_installed(coord, sizeof coord, "bin/flywheel-coordinator");
    s_installed(scenario, sizeof scenario, "share/flywheel/scenarios/classroom.yaml");
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(publish, sizeof publish, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/game", s_dir);
    snprintf(log, sizeof log, "%s/coordinator.log", s_dir);
    char *cargv[] = {coord, "--scenario", scenario, "--listen", listen, "--publish", publish,
                     "--out", out, "--ticks", "4", "--players", "1", "--join-timeout", "60000",
                     NULL};
    int c = fw_procs_start(&s_procs, cargv, log);
    snprintf(ep, sizeof ep, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(ep, 10000), 0, "the installed coordinator did not start");
    char *pargv[] = {"/usr/bin/python3", "-m", "flywheel_agent", "--connect", listen, "--seat",
                     "anthropic", NULL};
    s_run_ok(pargv, "python-agent", 60000);
    cr_assert_eq(fw_procs_wait(&s_procs, c, 30000), 0, "the game completes");

    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import sys; from flywheel_agent import events\n"
             "kinds = [(e.WhichOneof(\"body\"), e.seat) for e in events.read(sys.argv[1])]\n"
             "assert kinds[0][0] == \"run_header\", kinds[0]\n"
             "assert kinds.count((\"actions\", \"anthropic\")) == 4, kinds\n' %s/events.log",
             out);
    cr_assert_eq(system(cmd), 0, "the installed reader: the Python seat acted every tick");
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s/cache 2>/dev/null)\"", s_dir);
    cr_assert_eq(system(cmd), 0, "nothing generated at run time: the installed code was used");
}
