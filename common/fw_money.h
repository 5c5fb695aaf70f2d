/* fw_money: whole dollars (and whole quantities) written for people, the one way
 * Flywheel writes them: "$950", "$1,750", "$12.3k", "$450.0M", "-$12.3B".
 *
 * Every figure is written the same way: a magnitude below the style's threshold in
 * whole units; from there on with one decimal and the largest unit it reaches (k, M, B,
 * T, up to the style's largest unit). The sign comes before the symbol ("-$1.5T").
 * A style only chooses the threshold, thousands separators, the symbol and the
 * largest unit; the rounding is exact integer arithmetic, half up, and a value that
 * rounds to 1000.0 of a unit is written in the next one ("$1.0M", not "$1000.0k").
 *
 * One style keeps the old rounding of the coordinator's event text (FW_MONEY_EVENT):
 * its words are in events.log, which must not change while that text is moved here.
 */
#ifndef FW_MONEY_H
#define FW_MONEY_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    /* Summaries, checks, comparisons, the viewer: "$950", "$1.0k", "$12.3B", "$2.5T".
     * Whole below 1,000; units up to T. */
    FW_MONEY_REPORT = 0,
    /* The player's screen: "$950", "$99,999", then "$100.0k", "$12.3B". Whole (with
     * thousands separators) below 100,000, where a player compares prices digit by
     * digit; units up to T. */
    FW_MONEY_SCREEN,
    /* FW_MONEY_SCREEN without the dollar sign, for quantities: "12,500", "4.1M". */
    FW_MONEY_SCREEN_QUANTITY,
    /* The coordinator's event text ("aws invests $2.5B in openai"): whole dollars
     * without separators below 1,000,000 ("$950000"), then M or B only ("$1000.0B").
     * Its decimal is what printf's "%.1f" writes for the nearest double of the
     * quotient, without moving to the next unit: "$1.2B" for 1,250,000,000 and
     * "$1000.0M" for 999,999,999. Kept as it always was so that events.log does not
     * change; nothing new should use it. */
    FW_MONEY_EVENT,
} fw_money_style_t;

/* Writes `v` in `style` into buf: at most len bytes, NUL-terminated (len > 0). Exact
 * for every int64, INT64_MIN included. Returns buf, so calls nest in a printf. */
char *fw_money_format(char *buf, size_t len, int64_t v, fw_money_style_t style);

#endif
