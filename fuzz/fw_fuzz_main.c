/* fw_fuzz_main: runs a fuzz harness over files, without libFuzzer.
 *
 * Usage: fuzz_NAME PATH...   where each PATH is a file (one input) or a directory
 * (each of its files, in name order, skipping names that start with '.', such as
 * the .gitkeep that keeps an empty regressions directory in git).
 *
 * Each input is copied into a buffer of exactly its size, as libFuzzer does, so a
 * sanitizer sees a read past its end. Exits 0 after printing how many inputs ran, 1
 * if a path cannot be read or nothing ran at all (a corpus that went missing must
 * not pass as a test); a failed property aborts inside the harness.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fw_fuzz.h"

/* Runs the harness on one file; returns 0 or -1 if it cannot be read. */
static int s_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    uint8_t *data = NULL;
    if (fseek(f, 0, SEEK_END) != 0)
        goto out;
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size)
        goto out;
    /* An empty input is passed as (non-NULL, 0), as libFuzzer does. */
    LLVMFuzzerTestOneInput(data, (size_t)size);
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "%s: cannot read\n", path);
    free(data);
    fclose(f);
    return rc;
}

static int s_visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Runs every file of `path` (a file or a directory); adds to *ran. */
static int s_run_path(const char *path, size_t *ran)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (s_run_file(path) < 0)
            return -1;
        (*ran)++;
        return 0;
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, s_visible, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        if (rc == 0 && stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
            if (s_run_file(file) < 0)
                rc = -1;
            else
                (*ran)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t ran = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
        return 1;
    }
    for (int i = 1; i < argc; i++)
        if (s_run_path(argv[i], &ran) < 0)
            return 1;
    printf("%s: %zu inputs ran\n", argv[0], ran);
    return ran ? 0 : 1;
}
