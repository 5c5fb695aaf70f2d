/* fw_money: see fw_money.h. */
#include "fw_money.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

/* The units, smallest first. */
static const struct {
    uint64_t size;
    char suffix;
} s_units[] = {{1000ull, 'k'}, {1000000ull, 'M'}, {1000000000ull, 'B'}, {1000000000000ull, 'T'}};

enum { S_K, S_M, S_B, S_T };

/* The styles, by fw_money_style_t. */
static const struct {
    const char *symbol;   /* before the digits, after the sign */
    uint64_t whole_below; /* magnitudes below this are written in whole units */
    int grouped;          /* whole units with thousands separators: "1,750" */
    size_t largest;       /* index of the largest unit in s_units */
    int as_printf;        /* FW_MONEY_EVENT's old rounding: see fw_money.h */
} s_styles[] = {
    [FW_MONEY_REPORT] = {"$", 1000, 0, S_T, 0},
    [FW_MONEY_SCREEN] = {"$", 100000, 1, S_T, 0},
    [FW_MONEY_SCREEN_QUANTITY] = {"", 100000, 1, S_T, 0},
    [FW_MONEY_EVENT] = {"$", 1000000, 0, S_B, 1},
};

/* The digits of `mag`, with a comma every three when `grouped`. */
static void s_whole(char *out, size_t len, uint64_t mag, int grouped)
{
    char digits[24], with[32];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, mag);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        if (grouped && i > 0 && (n - i) % 3 == 0)
            with[k++] = ',';
        with[k++] = digits[i];
    }
    with[k] = '\0';
    snprintf(out, len, "%s", with);
}

char *fw_money_format(char *buf, size_t len, int64_t v, fw_money_style_t style)
{
    assert(buf && len > 0);
    assert((size_t)style < sizeof s_styles / sizeof s_styles[0]);
    const char *sign = v < 0 ? "-" : "";
    const char *symbol = s_styles[style].symbol;
    size_t largest = s_styles[style].largest;
    /* Magnitude in unsigned arithmetic: -INT64_MIN does not fit in int64. */
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char num[40];

    if (mag < s_styles[style].whole_below) {
        s_whole(num, sizeof num, mag, s_styles[style].grouped);
        snprintf(buf, len, "%s%s%s", sign, symbol, num);
        return buf;
    }
    if (s_styles[style].as_printf) {
        /* The unit by magnitude alone; the decimal from the double's quotient. */
        size_t u = S_K;
        while (u < largest && mag >= s_units[u + 1].size)
            u++;
        snprintf(buf, len, "%s%s%.1f%c", sign, symbol, (double)mag / (double)s_units[u].size,
                 s_units[u].suffix);
        return buf;
    }
    for (size_t u = S_K;; u++) {
        /* Tenths of the unit, rounded half up; size/10 and size/20 are exact and the
         * sum cannot overflow, so this is exact for every int64. */
        uint64_t tenths = (mag + s_units[u].size / 20) / (s_units[u].size / 10);
        if (tenths < 10000 || u == largest) {
            snprintf(buf, len, "%s%s%" PRIu64 ".%" PRIu64 "%c", sign, symbol, tenths / 10,
                     tenths % 10, s_units[u].suffix);
            return buf;
        }
    }
}
