/* fw_vfmt: numbers and dates as the viewer prints them, no SDL.
 *
 * Money "$12.3B" / "-$450.0M" / "$950" (fw_money's report style); counts "1.2M" / "12,345"; shares "23.4%";
 * months "Mar 2026". Every function writes a NUL-terminated string into buf (cut to
 * len) and returns buf, so calls nest in a printf.
 */
#ifndef FW_VFMT_H
#define FW_VFMT_H

#include <stddef.h>

/* Dollars rounded to whole dollars, then with one decimal and a unit (k, M, B, T)
 * from 1,000 up, as fw_money_format's FW_MONEY_REPORT writes them; "-" if not finite. */
char *fw_vfmt_money(double dollars, char *buf, size_t len);

/* A count with one decimal and a unit (k, M, B) from 10,000 up, else with thousands
 * separators: "9,500", "12.3k", "4.1M". */
char *fw_vfmt_count(double n, char *buf, size_t len);

/* A whole number with thousands separators: "1,234,567". */
char *fw_vfmt_thousands(long long n, char *buf, size_t len);

/* A fraction as a percentage with one decimal: 0.2345 -> "23.5%". */
char *fw_vfmt_percent(double fraction, char *buf, size_t len);

/* "2026-03" -> "Mar 2026"; anything else is copied as is. */
char *fw_vfmt_month(const char *yyyy_mm, char *buf, size_t len);

/* Parses "YYYY-MM" into a month number (year * 12 + month - 1). Returns 0, or -1 if
 * the text is not a month. */
int fw_vfmt_parse_month(const char *yyyy_mm, int *months);

#endif
