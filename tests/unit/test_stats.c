/* fw_stats against hand computations: mean, sample sd, Student-t 95% interval. */
#include <criterion/criterion.h>
#include <math.h>

#include "fw_stats.h"

/* 1..5: mean 3; sd = sqrt(10 / 4) = 1.5811388; t(0.975, 4) = 2.7764451 (tables);
 * half-width = 2.7764451 x 1.5811388 / sqrt(5) = 1.9632432. */
Test(stats, five_values_by_hand)
{
    double v[] = {1, 2, 3, 4, 5};
    fw_stats_t s = fw_stats_of(v, 5);
    cr_assert_eq(s.n, 5);
    cr_assert_float_eq(s.mean, 3.0, 1e-12);
    cr_assert_float_eq(s.sd, 1.5811388, 1e-7);
    cr_assert_float_eq(s.ci95, 1.9632432, 1e-6);
}

/* 2,4,4,4,5,5,7,9: mean 5; squares 32, sd = sqrt(32 / 7) = 2.1380899; t(0.975, 7) =
 * 2.3646243; half-width = 2.3646243 x 2.1380899 / sqrt(8) = 1.7874880. */
Test(stats, eight_values_by_hand)
{
    double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    fw_stats_t s = fw_stats_of(v, 8);
    cr_assert_float_eq(s.mean, 5.0, 1e-12);
    cr_assert_float_eq(s.sd, 2.1380899, 1e-7);
    cr_assert_float_eq(s.ci95, 1.7874880, 1e-6);
}

Test(stats, student_t_quantiles_match_the_tables)
{
    cr_assert_float_eq(fw_stats_t975(1), 12.7062047, 1e-6);
    cr_assert_float_eq(fw_stats_t975(2), 4.3026527, 1e-6);
    cr_assert_float_eq(fw_stats_t975(9), 2.2621572, 1e-6);
    cr_assert_float_eq(fw_stats_t975(30), 2.0422725, 1e-6);
    cr_assert(isnan(fw_stats_t975(0)));
}

/* One value: a mean but no spread; NaN (a run without the figure) is left out. */
Test(stats, one_value_and_missing_values)
{
    double one[] = {7};
    fw_stats_t s = fw_stats_of(one, 1);
    cr_assert_eq(s.n, 1);
    cr_assert_float_eq(s.mean, 7.0, 1e-12);
    cr_assert(isnan(s.sd) && isnan(s.ci95));
    double gaps[] = {NAN, 1, NAN, 3};
    s = fw_stats_of(gaps, 4);
    cr_assert_eq(s.n, 2);
    cr_assert_float_eq(s.mean, 2.0, 1e-12);
    cr_assert_float_eq(s.sd, sqrt(2.0), 1e-12);
    s = fw_stats_of(gaps, 0);
    cr_assert_eq(s.n, 0);
    cr_assert(isnan(s.mean));
}
