/* Tests of fw_scenario: the shipped scenarios load, every kind of mistake gets its exact
 * "file:line:col: message", amounts parse exactly, months count right.
 *
 * The source tree (scenarios/, tests/fixtures/) is found through FW_SOURCE_DIR, which
 * CTest sets; run by hand, the test looks next to its own binary (build-x/.. is the
 * source tree when the build directory sits inside it).
 */
#include "fw_scenario.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_src[PATH_MAX];

static bool s_has_scenarios(const char *dir)
{
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/scenarios/baseline.yaml", dir);
    return access(probe, R_OK) == 0;
}

/* The source tree: $FW_SOURCE_DIR, else the binary's parent or grandparent, else ".". */
static const char *s_source_dir(void)
{
    if (s_src[0])
        return s_src;
    const char *env = getenv("FW_SOURCE_DIR");
    if (env && *env) {
        snprintf(s_src, sizeof s_src, "%s", env);
        return s_src;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = '\0';
            if (s_has_scenarios(exe)) {
                snprintf(s_src, sizeof s_src, "%s", exe);
                return s_src;
            }
        }
    }
    snprintf(s_src, sizeof s_src, ".");
    return s_src;
}

static void s_path(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/%s", s_source_dir(), rel);
}

/* The error message for `yaml` parsed as "t.yaml" (asserts that parsing fails). */
static const char *s_err(const char *yaml)
{
    static char err[512];
    fw_scenario_t *sc = fw_scenario_parse("t.yaml", yaml, strlen(yaml), err, sizeof err);
    cr_assert_null(sc, "expected an error for:\n%s", yaml);
    return err;
}

static fw_scenario_t *s_ok(const char *yaml)
{
    char err[512] = "";
    fw_scenario_t *sc = fw_scenario_parse("t.yaml", yaml, strlen(yaml), err, sizeof err);
    cr_assert_not_null(sc, "unexpected error: %s", err);
    return sc;
}

/* A valid scenario in flow style, so columns in messages are easy to read off. Tests
 * append or replace lines of it. Lines: 1 run, 2 families, 3 family g, 4 seats, 5 v,
 * 6 c, 7 l. */
#define RUN "run: {name: t, start: 2024-01, ticks: 12}\n"
#define FAMS "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1k, price: 2k, capacity: 10}\n"
#define SEATS                                                                               \
    "seats:\n"                                                                              \
    "  - {id: v, role: vendor, cash: 1B}\n"                                                 \
    "  - {id: c, role: hyperscaler, cash: 1B, base_revenue: 1M, compute_price: 1800}\n"     \
    "  - {id: l, role: lab, cash: 1B, demand: 10, revenue_per_compute: 1000}\n"

/* ---- the shipped scenarios ---------------------------------------------------------- */

Test(fw_scenario, every_shipped_scenario_loads)
{
    char dir[PATH_MAX];
    s_path(dir, sizeof dir, "scenarios");
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s (set FW_SOURCE_DIR)", dir);
    int loaded = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[PATH_MAX + 256], err[512] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
        cr_expect_not_null(sc, "%s", err);
        if (sc) {
            cr_expect_gt(sc->n_seats, 0);
            cr_expect_gt(sc->n_families, 0);
            loaded++;
        }
        fw_scenario_destroy(&sc);
    }
    closedir(d);
    cr_assert_geq(loaded, 2, "expected at least baseline and classroom");
}

Test(fw_scenario, baseline_has_the_calibrated_seats_in_order)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "scenarios/baseline.yaml");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    static const char *order[] = {"nvidia", "amd", "broadcom", "marvell", "aws",
                                  "microsoft", "google", "oracle", "coreweave", "openai",
                                  "anthropic", "xai", "meta"};
    cr_assert_eq(sc->n_seats, 13);
    for (size_t i = 0; i < 13; i++)
        cr_expect_str_eq(sc->seats[i].id, order[i]);
    cr_expect_str_eq(sc->name, "baseline");
    cr_expect_eq(sc->start_year, 2024);
    cr_expect_eq(sc->start_month, 1);
    cr_expect_eq(sc->ticks, 84);
    cr_expect_eq(sc->tick_months, 1);
    cr_expect_eq(sc->seed, 2024);

    int tpu = fw_scenario_family(sc, "tpu"), trn = fw_scenario_family(sc, "trainium");
    int hopper = fw_scenario_family(sc, "hopper");
    cr_assert(tpu >= 0 && trn >= 0 && hopper >= 0);
    cr_expect_eq(sc->families[tpu].captive_of, fw_scenario_seat(sc, "google"));
    cr_expect_eq(sc->families[trn].captive_of, fw_scenario_seat(sc, "aws"));
    cr_expect_eq(sc->families[trn].vendor, fw_scenario_seat(sc, "marvell"));
    cr_expect_eq(sc->families[hopper].perf_milli, 1000);
    cr_expect_eq(sc->families[hopper].captive_of, -1);

    const fw_seat_t *aws = &sc->seats[fw_scenario_seat(sc, "aws")];
    cr_expect_eq(aws->role, FW_ROLE_HYPERSCALER);
    cr_expect_eq(aws->base_revenue, INT64_C(7650000000));
    cr_expect_eq(aws->n_installed, 2);
    cr_expect_eq(fw_seat_param(aws, "capex_per_tick", 0), 2.2e9);

    /* OpenAI's revenue at full demand is its ARR / 12: 2B / 12 within 1%. */
    const fw_seat_t *oai = &sc->seats[fw_scenario_seat(sc, "openai")];
    double monthly = (double)oai->demand * (double)oai->revenue_per_compute;
    cr_expect(monthly > 0.99 * 2e9 / 12 && monthly < 1.01 * 2e9 / 12, "%g", monthly);
    cr_expect_str_eq(oai->strategy, "lab");
    cr_expect_eq(fw_seat_param(oai, "max_price", 0), 2600);
    fw_scenario_destroy(&sc);
    cr_expect_null(sc);
}

Test(fw_scenario, classroom_is_small)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "scenarios/classroom.yaml");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    cr_expect_eq(sc->n_seats, 6);
    cr_expect_eq(sc->ticks, 24);
    int captive = 0;
    for (size_t i = 0; i < sc->n_families; i++)
        captive += sc->families[i].captive_of == fw_scenario_seat(sc, "google");
    cr_expect_eq(captive, 1);
    fw_scenario_destroy(&sc);
}

/* ---- a good fixture: key order, defaults, ownership ---------------------------------- */

Test(fw_scenario, key_order_does_not_matter_and_defaults_fill_in)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "tests/fixtures/scenarios/good_minimal.yaml");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    cr_expect_str_eq(sc->path, path);
    cr_expect_not_null(sc->text);
    cr_expect_eq(strlen(sc->text), sc->text_len);
    cr_expect(strstr(sc->text, "name: minimal") != NULL);
    cr_expect_eq(sc->seed, 7);
    cr_expect_eq(sc->tick_months, 3);

    cr_assert_eq(sc->n_seats, 3);
    const fw_seat_t *cloud = &sc->seats[0], *maker = &sc->seats[1], *lab = &sc->seats[2];
    cr_expect_str_eq(cloud->name, "cloud"); /* name defaults to id */
    cr_expect_eq(cloud->cash, 1000000);
    cr_expect_eq(cloud->base_revenue, 2500000);
    cr_expect_eq(cloud->base_growth, 0.0);
    cr_expect_eq(cloud->base_margin, 0.3);
    cr_expect_str_eq(cloud->strategy, "hyperscaler");
    cr_expect_eq(cloud->n_params, 0);
    cr_assert_eq(cloud->n_installed, 1);
    cr_expect_eq(cloud->installed[0].family, 0);
    cr_expect_eq(cloud->installed[0].units, 10000);
    cr_expect_eq(maker->role, FW_ROLE_VENDOR);
    cr_expect_eq(maker->cash, 0);
    cr_expect_str_eq(maker->strategy, "vendor");
    cr_expect_eq(lab->demand_growth, 0.0);
    cr_expect_eq(lab->valuation, 0);

    cr_assert_eq(sc->n_families, 1);
    const fw_family_t *f = &sc->families[0];
    cr_expect_str_eq(f->name, "chip");
    cr_expect_eq(f->vendor, 1);
    cr_expect_eq(f->captive_of, 0);
    cr_expect_eq(f->perf_milli, 750);
    cr_expect_eq(f->lead_time, 2);
    cr_expect_eq(f->life, 60);
    cr_expect_eq(f->maturity, 1.0);
    cr_expect_eq(f->capacity_growth, 0.0);
    fw_scenario_destroy(&sc);
    fw_scenario_destroy(&sc); /* NULL-safe */
}

Test(fw_scenario, lookups_by_id)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS);
    cr_expect_eq(fw_scenario_seat(sc, "v"), 0);
    cr_expect_eq(fw_scenario_seat(sc, "l"), 2);
    cr_expect_eq(fw_scenario_seat(sc, "nope"), -1);
    cr_expect_eq(fw_scenario_family(sc, "g"), 0);
    cr_expect_eq(fw_scenario_family(sc, "nope"), -1);
    fw_scenario_destroy(&sc);
}

/* ---- fixtures with mistakes: the message names the file given ---------------------- */

static void s_expect_fixture_error(const char *name, const char *where_what)
{
    char path[PATH_MAX + 64], err[512] = "", want[PATH_MAX + 512];
    char rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/scenarios/%s", name);
    s_path(path, sizeof path, rel);
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_null(sc);
    snprintf(want, sizeof want, "%s:%s", path, where_what);
    cr_expect_str_eq(err, want);
}

Test(fw_scenario, fixture_errors_name_file_line_and_column)
{
    s_expect_fixture_error("bad_syntax.yaml",
                           "3:2: YAML syntax error: did not find expected key "
                           "(while parsing a block mapping)");
    s_expect_fixture_error("bad_unknown_key.yaml", "7:5: unknown key 'cahs' in vendor seat 'v'");
    s_expect_fixture_error("bad_reference.yaml", "4:13: vendor 'nvidia' is not a seat");
    s_expect_fixture_error("bad_missing.yaml",
                           "6:5: missing required key 'revenue_per_compute' in lab seat 'oai'");
    s_expect_fixture_error("bad_empty.yaml",
                           "1:1: empty scenario: expected a mapping with run, families and seats");
}

Test(fw_scenario, unreadable_file_gives_strerror)
{
    char err[512];
    cr_assert_null(fw_scenario_load("/nonexistent/x.yaml", err, sizeof err));
    cr_expect_str_eq(err, "/nonexistent/x.yaml: No such file or directory");
}

/* ---- each kind of error, inline ---------------------------------------------------- */

Test(fw_scenario, syntax_errors)
{
    cr_expect_str_eq(s_err("run: {name: t\nseats: 1\n"),
                     "t.yaml:2:6: YAML syntax error: did not find expected ',' or '}' "
                     "(while parsing a flow mapping)");
    cr_expect_str_eq(s_err("run: a: b\n"),
                     "t.yaml:1:7: YAML syntax error: mapping values are not allowed in this "
                     "context");
    cr_expect_str_eq(s_err("a: \"\xff\"\n"), "t.yaml:1:5: invalid input: invalid leading UTF-8 octet");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "---\n" RUN),
                     "t.yaml:8:1: a scenario is one YAML document; found another here");
}

Test(fw_scenario, empty_documents)
{
    cr_expect_str_eq(s_err(""),
                     "t.yaml:1:1: empty scenario: expected a mapping with run, families and seats");
    cr_expect_str_eq(s_err("- 1\n- 2\n"),
                     "t.yaml:1:1: expected a mapping for the top level, got a list");
}

Test(fw_scenario, unknown_keys)
{
    cr_expect_str_eq(s_err(RUN FAMS SEATS "checkz: 1\n"),
                     "t.yaml:8:1: unknown key 'checkz' in the top level");
    cr_expect_str_eq(s_err("run: {name: t, start: 2024-01, ticks: 12, sead: 3}\n" FAMS SEATS),
                     "t.yaml:1:43: unknown key 'sead' in run");
    cr_expect_str_eq(
        s_err(RUN "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1k, price: 2k, "
                  "capacity: 10, lifetime: 3}\n" SEATS),
        "t.yaml:3:73: unknown key 'lifetime' in family 'g'");
    /* A hyperscaler-only key on a lab seat, wherever it sits in the mapping. */
    cr_expect_str_eq(
        s_err(RUN FAMS "seats:\n  - {installed: {g: 1}, id: v, role: vendor, cash: 1B}\n"),
        "t.yaml:5:6: unknown key 'installed' in vendor seat 'v'");
    cr_expect_str_eq(
        s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                       "  - {id: l, role: lab, cash: 1B, demand: 10, revenue_per_compute: 1,"
                       " compute_price: 5}\n"),
        "t.yaml:6:70: unknown key 'compute_price' in lab seat 'l'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B, strategy: "
                                    "{name: x, parms: {}}}\n"),
                     "t.yaml:5:57: unknown key 'parms' in strategy");
}

Test(fw_scenario, duplicate_keys)
{
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - id: v\n    role: vendor\n    cash: 1B\n"
                                    "    cash: 2B\n"),
                     "t.yaml:8:5: duplicate key 'cash' in seat (first at line 7)");
}

Test(fw_scenario, wrong_types)
{
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: abc}\n"),
                     "t.yaml:5:33: expected an amount for 'cash' (e.g. 1200, 7.6B, $25k, "
                     "1_000_000), got 'abc'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: {a: 1}}\n"),
                     "t.yaml:5:33: expected a scalar for 'cash', got a mapping");
    cr_expect_str_eq(s_err("run: [1]\n" FAMS SEATS),
                     "t.yaml:1:6: expected a mapping for run, got a list");
    cr_expect_str_eq(s_err(RUN FAMS "seats: none\n"),
                     "t.yaml:4:8: expected a list for 'seats', got a scalar");
    cr_expect_str_eq(s_err("run: {name: t, start: 2024-01, ticks: 1.5}\n" FAMS SEATS),
                     "t.yaml:1:39: expected a whole number for 'ticks', got '1.5'");
    cr_expect_str_eq(s_err("run: {name: t, start: Jan 2024, ticks: 1}\n" FAMS SEATS),
                     "t.yaml:1:23: expected a month YYYY-MM for 'start', got 'Jan 2024'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: robot, cash: 1}\n"),
                     "t.yaml:5:19: expected role hyperscaler, lab or vendor, got 'robot'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: V1, role: vendor, cash: 1}\n"),
                     "t.yaml:5:10: seat id 'V1' must be 1-31 characters of a-z, 0-9, '_' "
                     "and '-'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1,"
                                    " strategy: {params: {x: fast}}}\n"),
                     "t.yaml:5:59: expected a number for 'x', got 'fast'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 99999999999T}\n"),
                     "t.yaml:5:33: cash '99999999999T' is too large");
}

Test(fw_scenario, missing_required_fields)
{
    cr_expect_str_eq(s_err("run: {name: t, ticks: 12}\n" FAMS SEATS),
                     "t.yaml:1:6: missing required key 'start' in run");
    cr_expect_str_eq(s_err(RUN SEATS), "t.yaml:1:1: missing required key 'families' in the top level");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {role: vendor, cash: 1}\n"),
                     "t.yaml:5:5: missing required key 'id' in seat");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, cash: 1}\n"),
                     "t.yaml:5:5: missing required key 'role' in seat 'v'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1}\n"
                                    "  - {id: c, role: hyperscaler, cash: 1, base_revenue: 1}\n"),
                     "t.yaml:6:5: missing required key 'compute_price' in hyperscaler seat 'c'");
    cr_expect_str_eq(s_err(RUN "families:\n  - {id: g, vendor: v, unit_cost: 1, price: 2, "
                               "capacity: 1}\n" SEATS),
                     "t.yaml:3:5: missing required key 'perf' in family 'g'");
    cr_expect_str_eq(s_err(RUN "families: []\n" SEATS),
                     "t.yaml:2:11: 'families' must list at least one family");
}

Test(fw_scenario, bad_references)
{
    cr_expect_str_eq(
        s_err(RUN "families:\n  - {id: g, vendor: c, perf: 1, unit_cost: 1, price: 2, "
                  "capacity: 1}\n" SEATS),
        "t.yaml:3:21: vendor 'c' is a hyperscaler, not a vendor");
    cr_expect_str_eq(
        s_err(RUN "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1, price: 2, "
                  "capacity: 1, captive_of: gcp}\n" SEATS),
        "t.yaml:3:82: captive_of 'gcp' is not a seat");
    cr_expect_str_eq(
        s_err(RUN "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1, price: 2, "
                  "capacity: 1, captive_of: l}\n" SEATS),
        "t.yaml:3:82: captive_of 'l' is a lab, not a hyperscaler");
    cr_expect_str_eq(
        s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                       "  - {id: c, role: hyperscaler, cash: 1B, base_revenue: 1M, "
                       "compute_price: 1800, installed: {g: 5, tpu: 7}}\n"),
        "t.yaml:6:99: installed family 'tpu' is not a family");
}

Test(fw_scenario, duplicate_ids)
{
    cr_expect_str_eq(s_err(RUN FAMS SEATS "  - {id: c, role: vendor, cash: 1}\n"),
                     "t.yaml:8:10: duplicate seat id 'c'");
    cr_expect_str_eq(s_err(RUN FAMS "  - {id: g, vendor: v, perf: 2, unit_cost: 1, price: 2, "
                                    "capacity: 1}\n" SEATS),
                     "t.yaml:4:10: duplicate family id 'g'");
}

Test(fw_scenario, values_out_of_range)
{
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: -5}\n"),
                     "t.yaml:5:33: cash must be >= 0, got '-5'");
    cr_expect_str_eq(s_err(RUN "families:\n  - {id: g, vendor: v, perf: 0, unit_cost: 1, "
                               "price: 2, capacity: 1}\n" SEATS),
                     "t.yaml:3:30: perf must be in [0.001, 1000], got '0'");
    cr_expect_str_eq(s_err(RUN "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1, "
                               "price: 2, capacity: 1, life: 0}\n" SEATS),
                     "t.yaml:3:76: life must be between 1 and 10000, got '0'");
    cr_expect_str_eq(s_err("run: {name: t, start: 2024-01, ticks: 0}\n" FAMS SEATS),
                     "t.yaml:1:39: ticks must be between 1 and 100000, got '0'");
    cr_expect_str_eq(s_err("run: {name: t, start: 2024-01, ticks: 3, tick_months: 2}\n" FAMS SEATS),
                     "t.yaml:1:55: tick_months must be 1 (monthly) or 3 (quarterly), got '2'");
    cr_expect_str_eq(s_err("run: {name: t, start: 2024-13, ticks: 3}\n" FAMS SEATS),
                     "t.yaml:1:23: start month must be 01..12, got '2024-13'");
    cr_expect_str_eq(s_err(RUN "families:\n  - {id: g, vendor: v, perf: 1, unit_cost: 1, "
                               "price: 2, capacity: 1, maturity: 1.5}\n" SEATS),
                     "t.yaml:3:80: maturity must be in [0, 1], got '1.5'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                                    "  - {id: c, role: hyperscaler, cash: 1B, base_revenue: 1M,"
                                    " compute_price: 1, base_margin: -0.1}\n"),
                     "t.yaml:6:91: base_margin must be in [0, 1], got '-0.1'");
}

Test(fw_scenario, limits_are_enforced)
{
    /* FW_MAX_FAMILIES + 1 families: the error points at the first one too many. */
    size_t cap = 200 * (FW_MAX_FAMILIES + 2) + 1024;
    char *yaml = malloc(cap);
    cr_assert_not_null(yaml);
    size_t n = (size_t)snprintf(yaml, cap, "%s", RUN "families:\n");
    for (int i = 0; i <= FW_MAX_FAMILIES; i++)
        n += (size_t)snprintf(yaml + n, cap - n,
                              "  - {id: f%d, vendor: v, perf: 1, unit_cost: 1, price: 1, "
                              "capacity: 1}\n",
                              i);
    snprintf(yaml + n, cap - n, "%s", SEATS);
    char want[128];
    snprintf(want, sizeof want, "t.yaml:%d:5: too many families (at most %d)",
             2 + FW_MAX_FAMILIES + 1, FW_MAX_FAMILIES);
    cr_expect_str_eq(s_err(yaml), want);
    free(yaml);
}

/* ---- amounts, months, params -------------------------------------------------------- */

static int64_t s_cash(const char *amount)
{
    char yaml[512];
    snprintf(yaml, sizeof yaml, RUN FAMS "seats:\n  - {id: v, role: vendor, cash: %s}\n", amount);
    fw_scenario_t *sc = s_ok(yaml);
    int64_t cash = sc->seats[0].cash;
    fw_scenario_destroy(&sc);
    return cash;
}

Test(fw_scenario, money_syntax)
{
    cr_expect_eq(s_cash("0"), 0);
    cr_expect_eq(s_cash("1200"), 1200);
    cr_expect_eq(s_cash("7.6B"), INT64_C(7600000000));
    cr_expect_eq(s_cash("$25k"), 25000);
    cr_expect_eq(s_cash("1_000_000"), 1000000);
    cr_expect_eq(s_cash("'$1_234.5M'"), 1234500000);
    cr_expect_eq(s_cash("2.5T"), INT64_C(2500000000000));
    cr_expect_eq(s_cash("3M"), 3000000);
    cr_expect_eq(s_cash("1e9"), 1000000000);
    cr_expect_eq(s_cash("1.5"), 2);       /* rounds to nearest, halves away from 0 */
    cr_expect_eq(s_cash("0.49"), 0);
    cr_expect_eq(s_cash("\"86B\""), INT64_C(86000000000));
    cr_expect_eq(s_cash("9223372036854775807"), INT64_MAX);
    cr_expect_eq(s_cash("0.000001T"), 1000000);
    cr_expect_eq(s_cash("0.1234567B"), 123456700);
}

Test(fw_scenario, money_garbage_is_a_type_error)
{
    static const char *bad[] = {"12x", "$", "1..5", "k", "1 000", "--1", "1e", "0x10",
                                "1_", "_1", "1kk", "5m", ".inf", "1$"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char yaml[256], want[256];
        snprintf(yaml, sizeof yaml, RUN FAMS "seats:\n  - {id: v, role: vendor, cash: '%s'}\n",
                 bad[i]);
        snprintf(want, sizeof want,
                 "t.yaml:5:33: expected an amount for 'cash' (e.g. 1200, 7.6B, $25k, "
                 "1_000_000), got '%s'",
                 bad[i]);
        cr_expect_str_eq(s_err(yaml), want);
    }
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 9223372036854775808}\n"),
                     "t.yaml:5:33: cash '9223372036854775808' is too large");
}

Test(fw_scenario, params_accept_amounts_and_fall_back)
{
    fw_scenario_t *sc = s_ok(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1, strategy: "
                                      "{name: greedy, params: {budget: 2.2B, step: 0.03, "
                                      "floor: -1}}}\n");
    const fw_seat_t *v = &sc->seats[0];
    cr_expect_str_eq(v->strategy, "greedy");
    cr_expect_eq(v->n_params, 3);
    cr_expect_eq(fw_seat_param(v, "budget", 0), 2.2e9);
    cr_expect_eq(fw_seat_param(v, "step", 0), 0.03);
    cr_expect_eq(fw_seat_param(v, "floor", 0), -1.0);
    cr_expect_eq(fw_seat_param(v, "absent", 42.5), 42.5);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, month_of_each_tick)
{
    fw_scenario_t *sc = s_ok("run: {name: t, start: 2024-11, ticks: 12}\n" FAMS SEATS);
    char m[16];
    fw_scenario_month(sc, 1, m, sizeof m);
    cr_expect_str_eq(m, "2024-11");
    fw_scenario_month(sc, 2, m, sizeof m);
    cr_expect_str_eq(m, "2024-12");
    fw_scenario_month(sc, 3, m, sizeof m);
    cr_expect_str_eq(m, "2025-01");
    fw_scenario_month(sc, 84, m, sizeof m);
    cr_expect_str_eq(m, "2031-10");
    fw_scenario_month(sc, 0, m, sizeof m); /* before the first tick */
    cr_expect_str_eq(m, "2024-10");
    fw_scenario_destroy(&sc);

    sc = s_ok("run: {name: t, start: 2024-01, ticks: 12, tick_months: 3}\n" FAMS SEATS);
    fw_scenario_month(sc, 1, m, sizeof m);
    cr_expect_str_eq(m, "2024-01");
    fw_scenario_month(sc, 2, m, sizeof m);
    cr_expect_str_eq(m, "2024-04");
    fw_scenario_month(sc, 5, m, sizeof m);
    cr_expect_str_eq(m, "2025-01");
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, role_names_round_trip)
{
    for (fw_role_t r = FW_ROLE_HYPERSCALER; r <= FW_ROLE_VENDOR; r++)
        cr_expect_eq(fw_role_parse(fw_role_name(r)), r);
    cr_expect_str_eq(fw_role_name(FW_ROLE_NONE), "none");
    cr_expect_eq(fw_role_parse("cloud"), FW_ROLE_NONE);
    cr_expect_eq(fw_role_parse(NULL), FW_ROLE_NONE);
}

Test(fw_scenario, error_buffer_is_always_terminated)
{
    char err[12];
    memset(err, 'x', sizeof err);
    cr_assert_null(fw_scenario_parse("a-rather-long-path.yaml", "", 0, err, sizeof err));
    cr_expect_eq(strlen(err), sizeof err - 1);
}
