/* fuzz_scenario: the scenario loader on any text (fw_scenario_parse).
 *
 * A scenario may name a base with `extends: PATH`, which the loader reads from disk,
 * relative to the scenario's own directory. The harness names its text
 * "/nonexistent/fuzz.yaml": Debian keeps /nonexistent absent (it is the home of the
 * nobody user), and the kernel resolves a path one directory at a time, so every
 * relative base ("base.yaml", "../../etc/passwd") fails to open the same way on
 * every machine. Only an absolute base names a real file; reading one gives the
 * same answer every time, and scripts/fuzz runs with stdin from /dev/null.
 *
 * Properties: a scenario returned has seats and ticks (the loader's own checks);
 * otherwise the message is NUL-terminated, not empty, and names the file first
 * ("file:line:col: what is wrong"; every file here has an absolute path).
 */
#include <string.h>

#include "fw_fuzz.h"
#include "fw_scenario.h"

static const char S_PATH[] = "/nonexistent/fuzz.yaml";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    memset(err, 'x', sizeof err);
    fw_scenario_t *sc = fw_scenario_parse(S_PATH, (const char *)data, size, err, sizeof err);
    if (sc) {
        FW_FUZZ_CHECK(sc->n_seats > 0 && sc->ticks > 0);
        fw_scenario_destroy(&sc);
        FW_FUZZ_CHECK(sc == NULL);
        return 0;
    }
    FW_FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
    FW_FUZZ_CHECK(err[0] == '/');
    return 0;
}
