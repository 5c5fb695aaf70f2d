/* fw_outputs: metrics.csv columns and number format; summary.json content. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "fw_outputs.h"
#include "fw_testproc.h"

static Flywheel__V1__Snapshot *s_snap(uint32_t tick, const char *month, const char *n1, double v1,
                                      const char *n2, double v2)
{
    static Flywheel__V1__Metric m[2];
    static Flywheel__V1__Metric *mp[2] = {&m[0], &m[1]};
    static Flywheel__V1__Snapshot s;
    flywheel__v1__snapshot__init(&s);
    flywheel__v1__metric__init(&m[0]);
    flywheel__v1__metric__init(&m[1]);
    m[0].name = (char *)n1;
    m[0].value = v1;
    m[1].name = (char *)n2;
    m[1].value = v2;
    s.tick = tick;
    s.month = (char *)month;
    s.metrics = mp;
    s.n_metrics = 2;
    return &s;
}

Test(fw_outputs, metrics_csv_has_a_header_and_exact_numbers)
{
    char dir[64], path[128];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    fw_metrics_csv_t *csv = fw_metrics_csv_open(path);
    cr_assert_not_null(csv);
    cr_assert_eq(fw_metrics_csv_append(csv, s_snap(1, "2024-01", "cash.aws", 86000000000.0, "share.aws", 0.25)), 0);
    cr_assert_eq(fw_metrics_csv_append(csv, s_snap(2, "2024-02", "cash.aws", -5.0, "share.aws", 1.0 / 3.0)), 0);
    cr_assert_eq(fw_metrics_csv_append(csv, s_snap(3, "2024-03", "cash.aws", 1, "other", 0)), -2,
                 "a row whose columns differ from the header is refused");
    cr_assert_eq(fw_metrics_csv_close(&csv), 0);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_str_eq(text, "tick,month,cash.aws,share.aws\n"
                           "1,2024-01,86000000000,0.250000\n"
                           "2,2024-02,-5,0.333333\n");
    free(text);
    fw_test_rmtree(dir);
}

/* A vendor and a lab over three months: the smallest market with every output. */
static fw_scenario_t *s_tiny(void)
{
    static const char yaml[] =
        "run: {name: tiny, start: 2024-01, ticks: 3}\n"
        "families: [{id: gpu, vendor: v, perf: 1, unit_cost: 1, price: 2, capacity: 5}]\n"
        "seats:\n"
        "  - {id: v, role: vendor, cash: 10}\n"
        "  - {id: lab, role: lab, cash: 20, demand: 1, revenue_per_compute: 1}\n";
    char err[256];
    fw_scenario_t *sc = fw_scenario_parse("tiny.yaml", yaml, strlen(yaml), err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    return sc;
}

Test(fw_outputs, summary_json_reports_companies_and_final_metrics)
{
    char dir[64], path[128];
    fw_scenario_t *sc = s_tiny();
    fw_market_t *m = fw_market_new(sc, 0);
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/summary.json", dir);
    fw_tick_cost_t cost = {3000000, 6000, 9000, 12000, 15000, 18000, 21};
    fw_summary_info_t info = {"abc", 9, 3, 0.5, 1, NULL,
                              s_snap(3, "2024-03", "cash.v", 10, "share.x", 0.5), NULL,
                              &cost, 3};
    cr_assert_eq(fw_summary_write(path, sc, m, &info), 0);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    cr_assert_not_null(j, "%s", jerr.text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "scenario")), "tiny");
    cr_assert_eq(json_integer_value(json_object_get(j, "seed")), 9);
    json_t *cpu = json_object_get(j, "coordinator_cpu_us_per_tick");
    cr_assert_float_eq(json_real_value(json_object_get(cpu, "send")), 1000.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(cpu, "publish")), 5.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(cpu, "row")), 6.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(j, "actions_per_tick")), 7.0, 1e-9);
    cr_assert(json_is_true(json_object_get(j, "books_balanced")));
    json_t *lab = json_array_get(json_object_get(j, "companies"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(lab, "role")), "lab");
    cr_assert_eq(json_integer_value(json_object_get(lab, "cash")), 20);
    cr_assert_float_eq(json_real_value(json_object_get(json_object_get(j, "final_metrics"), "share.x")), 0.5, 1e-12);
    json_decref(j);
    fw_market_destroy(&m);
    fw_scenario_destroy(&sc);
    fw_test_rmtree(dir);
}

/* metrics.units.json: one entry per column of the header, with fw_metric_defs' unit. */
Test(fw_outputs, units_sidecar_names_every_column)
{
    char dir[64], path[128];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    fw_metrics_csv_t *csv = fw_metrics_csv_open(path);
    cr_assert_eq(fw_metrics_csv_append(csv, s_snap(1, "2024-01", "revenue.aws", 5,
                                                   "compute_share.aws", 0.25)), 0);
    cr_assert_eq(fw_metrics_csv_close(&csv), 0);
    snprintf(path, sizeof path, "%s/metrics.units.json", dir);
    json_error_t jerr;
    json_t *j = json_load_file(path, JSON_PRESERVE_ORDER, &jerr);
    cr_assert_not_null(j, "%s", jerr.text);
    cr_assert_eq(json_object_size(j), 4, "tick, month and the two metrics");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "revenue.aws"), "unit")),
                     "USD/month");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "compute_share.aws"),
                                                       "unit")), "share");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "month"), "unit")),
                     "YYYY-MM");
    json_decref(j);
    fw_test_rmtree(dir);
}

/* The summary says which figures are the last month's and adds the run's: flows
 * summed, shares averaged over the run and over its last 12 months. */
Test(fw_outputs, summary_json_has_the_runs_totals_and_means)
{
    char dir[64], path[128];
    fw_scenario_t *sc = s_tiny();
    fw_market_t *m = fw_market_new(sc, 0);
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    fw_metrics_csv_t *csv = fw_metrics_csv_open(path);
    Flywheel__V1__Snapshot *last = NULL;
    for (uint32_t t = 1; t <= 20; t++) /* share: 0 for 8 months, then 1 for 12 */
        cr_assert_eq(fw_metrics_csv_append(csv, last = s_snap(t, "2025-08", "revenue.v", 10,
                                                             "compute_share.v", t > 8)), 0);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    fw_summary_info_t info = {"abc", 9, 20, 0.5, 1, NULL, last, csv, NULL, 0};
    cr_assert_eq(fw_summary_write(path, sc, m, &info), 0);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    cr_assert_not_null(j, "%s", jerr.text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "final_month")), "2025-08");
    cr_assert_eq(json_integer_value(json_object_get(j, "run_months")), 20);
    cr_assert_eq(json_integer_value(json_object_get(j, "recent_months")), 12);
    cr_assert_float_eq(json_real_value(json_object_get(json_object_get(j, "run_totals"),
                                                       "revenue.v")), 200.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(json_object_get(j, "run_means"),
                                                       "compute_share.v")), 0.6, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(json_object_get(j, "recent_means"),
                                                       "compute_share.v")), 1.0, 1e-9);
    cr_assert_null(json_object_get(json_object_get(j, "run_means"), "revenue.v"),
                   "a flow has a total, not a mean");
    json_decref(j);
    cr_assert_eq(fw_metrics_csv_close(&csv), 0);
    fw_market_destroy(&m);
    fw_scenario_destroy(&sc);
    fw_test_rmtree(dir);
}
