/* fw_vfmt: numbers and dates as the viewer prints them. */
#include "fw_vfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_money.h"

/* Writes |v| with one decimal and a unit from 1000 (or `from`) up; sign handled by
 * the caller. The unit moves up when rounding reaches 1000.0 ("1.0M", not "1000.0k"). */
static void s_scaled(double v, double from, char *buf, size_t len)
{
    static const char units[] = {'k', 'M', 'B', 'T', 'P'};
    if (v < from) {
        snprintf(buf, len, "%.0f", v);
        return;
    }
    size_t u = 0;
    double x = v / 1000.0;
    while (u + 1 < sizeof units && round(x * 10.0) / 10.0 >= 1000.0) {
        x /= 1000.0;
        u++;
    }
    snprintf(buf, len, "%.1f%c", x, units[u]);
}

char *fw_vfmt_money(double dollars, char *buf, size_t len)
{
    if (!isfinite(dollars)) {
        snprintf(buf, len, "-");
        return buf;
    }
    /* Whole dollars first (the model's money is whole dollars; a price per unit is
     * shown to the dollar), held inside int64 where llround would be undefined. */
    int64_t whole;
    if (dollars >= 9223372036854775807.0)
        whole = INT64_MAX;
    else if (dollars <= -9223372036854775808.0)
        whole = INT64_MIN;
    else
        whole = (int64_t)llround(dollars);
    return fw_money_format(buf, len, whole, FW_MONEY_REPORT);
}

char *fw_vfmt_thousands(long long n, char *buf, size_t len)
{
    char digits[32], out[48];
    unsigned long long u = n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n;
    int nd = snprintf(digits, sizeof digits, "%llu", u), k = 0;
    if (n < 0)
        out[k++] = '-';
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, len, "%s", out);
    return buf;
}

char *fw_vfmt_count(double n, char *buf, size_t len)
{
    char num[48];
    if (!isfinite(n)) {
        snprintf(buf, len, "-");
        return buf;
    }
    if (fabs(n) < 10000.0)
        return fw_vfmt_thousands(llround(n), buf, len);
    s_scaled(fabs(n), 1000.0, num, sizeof num);
    snprintf(buf, len, "%s%s", n < 0 ? "-" : "", num);
    return buf;
}

char *fw_vfmt_percent(double fraction, char *buf, size_t len)
{
    if (!isfinite(fraction))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.1f%%", fraction * 100.0);
    return buf;
}

int fw_vfmt_parse_month(const char *s, int *months)
{
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (m < 1 || m > 12)
        return -1;
    *months = y * 12 + m - 1;
    return 0;
}

char *fw_vfmt_month(const char *s, char *buf, size_t len)
{
    static const char *names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int m;
    if (fw_vfmt_parse_month(s, &m) != 0)
        snprintf(buf, len, "%s", s ? s : "");
    else
        snprintf(buf, len, "%s %d", names[m % 12], m / 12);
    return buf;
}
