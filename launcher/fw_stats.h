/* fw_stats: the spread of a figure across seeds, for compare and sweep.
 *
 * For n values: the mean, the sample standard deviation (divisor n - 1) and the 95%
 * confidence interval of the mean, mean +/- t(0.975, n - 1) x sd / sqrt(n), with the
 * Student-t quantile from GSL (gsl_cdf_tdist_Pinv). With one value the mean is that
 * value and sd and the interval are NaN (one seed says nothing about the spread).
 */
#ifndef FW_STATS_H
#define FW_STATS_H

#include <stddef.h>

typedef struct {
    size_t n;
    double mean;  /* NaN when n == 0 */
    double sd;    /* sample standard deviation; NaN when n < 2 */
    double ci95;  /* half-width of the 95% interval of the mean; NaN when n < 2 */
} fw_stats_t;

/* The statistics of values[0..n-1]; NaN values are left out (and not counted). */
fw_stats_t fw_stats_of(const double *values, size_t n);

/* t(0.975, df): the two-sided 95% Student-t quantile; NaN for df < 1. */
double fw_stats_t975(size_t df);

#endif
