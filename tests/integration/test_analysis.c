/* docs/analysis.md is run as a reader would run it: every sh and python block, in
 * order, in a private directory with `flywheel` on PATH and the shipped scenarios
 * beside it (tests/integration/docs_snippets.py does the running). The page makes a
 * run, a compare and the exports, reads them with pandas, plots two figures with
 * matplotlib, reads events.log through the Python package and the graphs with
 * NetworkX. A snippet that no longer works fails this test, naming its line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_testproc.h"

FW_TEST_PROCS_SUITE(analysis, 240);

/* 1 if the file starts with PNG's signature. */
static int s_is_png(const char *path)
{
    size_t len = 0;
    char *data = fw_test_read_file(path, &len);
    int ok = data && len > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    free(data);
    return ok;
}

Test(analysis, every_snippet_of_the_page_runs)
{
    if (system("/usr/bin/python3 -c 'import pandas, matplotlib, networkx, google.protobuf, "
               "zmq' 2>/dev/null") != 0)
        cr_skip_test("needs /usr/bin/python3 with python3-pandas, python3-matplotlib, "
                     "python3-networkx, python3-protobuf and python3-zmq (scripts/deps "
                     "installs them)");
    char bin[1024], scenarios[1024], page[1024], runner[1024], python[1024];
    char cmd[8192], log[1024], path[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    *strrchr(bin, '/') = '\0';
    fw_test_source_path(scenarios, sizeof scenarios, "scenarios");
    fw_test_source_path(page, sizeof page, "docs/analysis.md");
    fw_test_source_path(runner, sizeof runner, "tests/integration/docs_snippets.py");
    fw_test_source_path(python, sizeof python, "agents/python");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ln -s '%s' scenarios && PATH='%s':\"$PATH\" PYTHONPATH='%s' "
             "XDG_CACHE_HOME='%s/cache' exec /usr/bin/python3 '%s' '%s'",
             s_dir, scenarios, bin, python, s_dir, runner, page);
    snprintf(log, sizeof log, "%s/snippets.log", s_dir);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_geq(p, 0);
    int rc = fw_procs_wait(&s_procs, p, 200000);
    char *text = fw_test_read_file(log, NULL);
    cr_assert_eq(rc, 0, "a snippet of docs/analysis.md failed:\n%s", text ? text : "");
    cr_assert_not_null(strstr(text, "analysis.md: 8 blocks ran"),
                       "every block ran (update the count when the page changes):\n%s", text);
    free(text);
    const char *pictures[] = {"shares.png", "profit.png"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", s_dir, pictures[i]);
        cr_expect(s_is_png(path), "the page's plot %s was not written as a PNG", pictures[i]);
    }
}
