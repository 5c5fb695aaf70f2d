/* fw_stats: see fw_stats.h. */
#include "fw_stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

double fw_stats_t975(size_t df)
{
    return df < 1 ? NAN : gsl_cdf_tdist_Pinv(0.975, (double)df);
}

fw_stats_t fw_stats_of(const double *values, size_t n)
{
    fw_stats_t s = {0, NAN, NAN, NAN};
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i])) {
            sum += values[i];
            s.n++;
        }
    if (s.n == 0)
        return s;
    s.mean = sum / (double)s.n;
    if (s.n < 2)
        return s;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i]))
            sq += (values[i] - s.mean) * (values[i] - s.mean);
    s.sd = sqrt(sq / (double)(s.n - 1));
    s.ci95 = fw_stats_t975(s.n - 1) * s.sd / sqrt((double)s.n);
    return s;
}
