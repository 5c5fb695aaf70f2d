/* fw_money: every figure a person reads, in its style; the event style writes exactly
 * what the coordinator's event text always wrote. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fw_money.h"
#include "fw_rng.h"

static char s_buf[64];

static const char *s_fmt(int64_t v, fw_money_style_t style)
{
    return fw_money_format(s_buf, sizeof s_buf, v, style);
}

/* The coordinator's event-text formatter as it stood in coordinator/fw_economy.c
 * (s_money), the reference FW_MONEY_EVENT must match. */
static void s_old_event_money(char *buf, size_t len, int64_t v)
{
    double a = fabs((double)v);
    const char *sign = v < 0 ? "-" : "";
    if (a >= 1e9)
        snprintf(buf, len, "%s$%.1fB", sign, a / 1e9);
    else if (a >= 1e6)
        snprintf(buf, len, "%s$%.1fM", sign, a / 1e6);
    else
        snprintf(buf, len, "%s$%.0f", sign, a);
}

Test(fw_money, report_picks_the_unit_and_one_decimal)
{
    cr_expect_str_eq(s_fmt(0, FW_MONEY_REPORT), "$0");
    cr_expect_str_eq(s_fmt(950, FW_MONEY_REPORT), "$950");
    cr_expect_str_eq(s_fmt(999, FW_MONEY_REPORT), "$999");
    cr_expect_str_eq(s_fmt(1000, FW_MONEY_REPORT), "$1.0k");
    cr_expect_str_eq(s_fmt(12000, FW_MONEY_REPORT), "$12.0k");
    cr_expect_str_eq(s_fmt(12345, FW_MONEY_REPORT), "$12.3k");
    cr_expect_str_eq(s_fmt(450000000, FW_MONEY_REPORT), "$450.0M");
    cr_expect_str_eq(s_fmt(12300000000LL, FW_MONEY_REPORT), "$12.3B");
    cr_expect_str_eq(s_fmt(2500000000000LL, FW_MONEY_REPORT), "$2.5T");
    cr_expect_str_eq(s_fmt(-1500000000000LL, FW_MONEY_REPORT), "-$1.5T");
    cr_expect_str_eq(s_fmt(-950, FW_MONEY_REPORT), "-$950");
    cr_expect_str_eq(s_fmt(-450000000, FW_MONEY_REPORT), "-$450.0M");
}

Test(fw_money, report_rounds_half_up_and_moves_to_the_next_unit_at_1000)
{
    cr_expect_str_eq(s_fmt(1250, FW_MONEY_REPORT), "$1.3k", "exact half: up");
    cr_expect_str_eq(s_fmt(1249, FW_MONEY_REPORT), "$1.2k");
    cr_expect_str_eq(s_fmt(1250000000LL, FW_MONEY_REPORT), "$1.3B");
    cr_expect_str_eq(s_fmt(-1250000, FW_MONEY_REPORT), "-$1.3M", "half away from zero");
    cr_expect_str_eq(s_fmt(999949, FW_MONEY_REPORT), "$999.9k");
    cr_expect_str_eq(s_fmt(999950, FW_MONEY_REPORT), "$1.0M", "not $1000.0k");
    cr_expect_str_eq(s_fmt(12350, FW_MONEY_REPORT), "$12.4k");
    cr_expect_str_eq(s_fmt(12349, FW_MONEY_REPORT), "$12.3k");
    cr_expect_str_eq(s_fmt(999950000000LL, FW_MONEY_REPORT), "$1.0T");
    cr_expect_str_eq(s_fmt(999950000000000LL, FW_MONEY_REPORT), "$1000.0T", "T is the last");
}

Test(fw_money, is_exact_at_the_ends_of_int64)
{
    cr_expect_str_eq(s_fmt(INT64_MAX, FW_MONEY_REPORT), "$9223372.0T");
    cr_expect_str_eq(s_fmt(INT64_MIN, FW_MONEY_REPORT), "-$9223372.0T");
    cr_expect_str_eq(s_fmt(INT64_MIN, FW_MONEY_SCREEN), "-$9223372.0T");
    cr_expect_str_eq(s_fmt(INT64_MIN, FW_MONEY_EVENT), "-$9223372036.9B");
}

Test(fw_money, screen_is_exact_with_separators_below_100000)
{
    cr_expect_str_eq(s_fmt(950, FW_MONEY_SCREEN), "$950");
    cr_expect_str_eq(s_fmt(1750, FW_MONEY_SCREEN), "$1,750");
    cr_expect_str_eq(s_fmt(-1750, FW_MONEY_SCREEN), "-$1,750");
    cr_expect_str_eq(s_fmt(99999, FW_MONEY_SCREEN), "$99,999");
    cr_expect_str_eq(s_fmt(100000, FW_MONEY_SCREEN), "$100.0k");
    cr_expect_str_eq(s_fmt(450000000, FW_MONEY_SCREEN), "$450.0M");
    cr_expect_str_eq(s_fmt(12300000000LL, FW_MONEY_SCREEN), "$12.3B");
    cr_expect_str_eq(s_fmt(999960, FW_MONEY_SCREEN), "$1.0M");
    cr_expect_str_eq(s_fmt(12500, FW_MONEY_SCREEN_QUANTITY), "12,500");
    cr_expect_str_eq(s_fmt(4100000, FW_MONEY_SCREEN_QUANTITY), "4.1M");
    cr_expect_str_eq(s_fmt(-7, FW_MONEY_SCREEN_QUANTITY), "-7");
}

Test(fw_money, event_style_keeps_the_coordinators_old_words)
{
    cr_expect_str_eq(s_fmt(950000, FW_MONEY_EVENT), "$950000");
    cr_expect_str_eq(s_fmt(2500000000LL, FW_MONEY_EVENT), "$2.5B");
    cr_expect_str_eq(s_fmt(1250000000LL, FW_MONEY_EVENT), "$1.2B", "printf's half-even");
    cr_expect_str_eq(s_fmt(999999999, FW_MONEY_EVENT), "$1000.0M");
    cr_expect_str_eq(s_fmt(5000000000000LL, FW_MONEY_EVENT), "$5000.0B", "no T");
}

Test(fw_money, event_style_matches_the_old_formatter_everywhere)
{
    static const int64_t edges[] = {0, 1, -1, 999, 1000, 999999, 1000000, 1050000, 1150000,
                                    1250000, 1350000, 1450000, 2750000, 999949999, 999950000,
                                    999999999, 1000000000, 1050000000, 1250000000LL,
                                    1750000000LL, 999999999999LL, 1000000000000LL,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1};
    char want[64];
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        s_old_event_money(want, sizeof want, edges[i]);
        cr_expect_str_eq(s_fmt(edges[i], FW_MONEY_EVENT), want, "%lld", (long long)edges[i]);
    }
    /* Every magnitude, and the round amounts scenarios and players pick (a multiple of
     * a power of ten, where halves are common). */
    fw_rng_t r;
    fw_rng_seed(&r, 10);
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = fw_rng_next(&r);
        int64_t v = (int64_t)(bits >> (bits % 63));
        if (i % 2)
            v = v / 10000 * 10000;
        if (i % 3 == 0)
            v = -v;
        s_old_event_money(want, sizeof want, v);
        cr_assert_str_eq(s_fmt(v, FW_MONEY_EVENT), want, "%lld", (long long)v);
    }
}

Test(fw_money, a_short_buffer_is_cut_and_terminated)
{
    char small[5];
    cr_expect_eq(fw_money_format(small, sizeof small, 12300000000LL, FW_MONEY_REPORT), small);
    cr_expect_str_eq(small, "$12.");
    cr_expect_str_eq(fw_money_format(small, sizeof small, 1234567, FW_MONEY_EVENT), "$1.2");
}
