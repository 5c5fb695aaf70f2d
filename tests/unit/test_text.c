/* fw_text: text from outside, made safe to show; text written as a CSV field. */
#include <criterion/criterion.h>

#include <string.h>

#include "fw_text.h"

static const char *clean(const char *src, size_t max)
{
    static char buf[256];
    return fw_text_clean(buf, sizeof buf, src, max);
}

Test(fw_text, plain_text_and_utf8_pass_unchanged)
{
    cr_assert_str_eq(clean("aws", 100), "aws");
    cr_assert_str_eq(clean("Zoë's café – 東京", 100), "Zoë's café – 東京");
    cr_assert_str_eq(clean(NULL, 100), "");
}

Test(fw_text, control_characters_and_bad_bytes_are_escaped)
{
    cr_assert_str_eq(clean("a\nb", 100), "a\\x0ab");
    cr_assert_str_eq(clean("\x1b[2Jboo", 100), "\\x1b[2Jboo");
    cr_assert_str_eq(clean("del\x7f", 100), "del\\x7f");
    /* a lone continuation byte, an overlong '/', a surrogate, a cut sequence */
    cr_assert_str_eq(clean("\x80", 100), "\\x80");
    cr_assert_str_eq(clean("\xc0\xaf", 100), "\\xc0\\xaf");
    cr_assert_str_eq(clean("\xed\xa0\x80", 100), "\\xed\\xa0\\x80");
    cr_assert_str_eq(clean("\xe6\x9d", 100), "\\xe6\\x9d");
}

Test(fw_text, long_text_is_cut_with_dots_never_inside_a_character_or_escape)
{
    cr_assert_str_eq(clean("abcdefghij", 8), "abcde...");
    cr_assert_str_eq(clean("abcdefgh", 8), "abcdefgh");
    /* 東 is 3 bytes: 5 bytes of room take one of them, not a half. */
    cr_assert_str_eq(clean("東京東京", 8), "東...");
    /* "\x1b" is 4 bytes once escaped: it goes whole or not at all. */
    cr_assert_str_eq(clean("ab\x1b\x1b\x1b", 9), "ab\\x1b...");
    char small[6];
    cr_assert_str_eq(fw_text_clean(small, sizeof small, "abcdefgh", 100), "ab...");
    cr_assert_eq(strlen(small), 5);
}

/* One CSV field, as RFC 4180 reads it back. */
static const char *csv(const char *s)
{
    static char buf[256];
    memset(buf, 0, sizeof buf); /* fmemopen writes no terminator for an empty field */
    FILE *f = fmemopen(buf, sizeof buf, "w");
    cr_assert_not_null(f);
    fw_text_csv_field(f, s);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

Test(fw_text, a_csv_field_is_quoted_only_when_it_must_be)
{
    cr_assert_str_eq(csv("scenarios/baseline.yaml"), "scenarios/baseline.yaml");
    cr_assert_str_eq(csv(""), "");
    cr_assert_str_eq(csv("a,b"), "\"a,b\"");
    cr_assert_str_eq(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
    cr_assert_str_eq(csv("two\nlines"), "\"two\nlines\"");
    cr_assert_str_eq(csv("cr\r"), "\"cr\r\"");
}
