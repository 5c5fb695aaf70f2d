/* fw_fuzz: what every fuzz harness shares.
 *
 * A harness defines LLVMFuzzerTestOneInput, libFuzzer's entry point. Built with
 * clang and -fsanitize=fuzzer (scripts/fuzz), libFuzzer calls it with inputs it
 * makes up; built with any compiler and fw_fuzz_main.c, CTest calls it once for
 * each file of the committed corpus and regressions (fuzz/CMakeLists.txt's
 * fuzz_*_corpus tests), so a crash found once stays fixed.
 */
#ifndef FW_FUZZ_H
#define FW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Runs the target on `size` bytes at `data` (not NUL-terminated; the caller keeps
 * them). Returns 0; a failed property aborts. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the harness checks. Not assert(): the normal build defines NDEBUG, and
 * the corpus tests must check the same things there. */
#define FW_FUZZ_CHECK(cond)                                                            \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                   \
        }                                                                              \
    } while (0)

#endif
