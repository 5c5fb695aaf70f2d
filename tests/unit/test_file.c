/* fw_file_read: a whole file, NUL-terminated; a file over the cap refused before it is
 * read whole; a missing file an error with errno. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_file.h"
#include "fw_testproc.h"

static char s_dir[64];

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
}

static void s_teardown(void)
{
    fw_test_rmtree(s_dir);
}

TestSuite(fw_file, .init = s_setup, .fini = s_teardown);

static void s_write(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    for (size_t i = 0; i < bytes; i++)
        fputc('a' + (int)(i % 26), f);
    cr_assert_eq(fclose(f), 0);
}

Test(fw_file, reads_a_whole_file_across_chunks)
{
    char path[128], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/f", s_dir);
    s_write(path, 200000);
    cr_assert_eq(fw_file_read(path, 1 << 20, &text, &len), 0);
    cr_assert_eq(len, 200000);
    cr_assert_eq(strlen(text), 200000, "NUL-terminated");
    cr_assert_eq(text[199999], 'a' + 199999 % 26);
    free(text);
    s_write(path, 0);
    cr_assert_eq(fw_file_read(path, 10, &text, NULL), 0);
    cr_assert_str_eq(text, "");
    free(text);
}

Test(fw_file, refuses_a_file_over_the_cap_and_a_missing_one)
{
    char path[128], *text = (char *)1;
    snprintf(path, sizeof path, "%s/big", s_dir);
    s_write(path, 70000);
    cr_assert_eq(fw_file_read(path, 69999, &text, NULL), -1);
    cr_assert_eq(errno, EFBIG);
    cr_assert_null(text);
    cr_assert_eq(fw_file_read(path, 70000, &text, NULL), 0, "exactly the cap is fine");
    free(text);
    snprintf(path, sizeof path, "%s/none", s_dir);
    cr_assert_eq(fw_file_read(path, 100, &text, NULL), -1);
    cr_assert_eq(errno, ENOENT);
}
