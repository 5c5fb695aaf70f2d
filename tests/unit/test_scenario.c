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
#include <math.h>
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
    cr_assert_geq(loaded, 8, "expected baseline, classroom and the six counterfactuals");
}

Test(fw_scenario, baseline_has_the_calibrated_seats_in_order)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "scenarios/baseline.yaml");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    static const char *order[] = {"nvidia", "amd", "broadcom", "marvell", "aws",
                                  "microsoft", "google", "oracle", "coreweave", "meta",
                                  "openai", "anthropic", "xai"};
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
    cr_expect_eq(fw_seat_param(aws, "capex_per_tick", 0), 4.10e9);

    /* OpenAI's revenue at full demand is its ARR / 12: 2B / 12 within 1%. */
    const fw_seat_t *oai = &sc->seats[fw_scenario_seat(sc, "openai")];
    double monthly = (double)oai->demand * (double)oai->revenue_per_compute;
    cr_expect(monthly > 0.99 * 2e9 / 12 && monthly < 1.01 * 2e9 / 12, "%g", monthly);
    cr_expect_str_eq(oai->strategy, "lab");
    cr_expect_eq(fw_seat_param(oai, "max_price", 0), 2600);
    fw_scenario_destroy(&sc);
    cr_expect_null(sc);
}

/* Of lab `lab` at `tick`: the largest min_cloud_share per cloud (or min_chip_share per
 * family, when `chips`) among the deals in force, added up. */
static double s_stipulated(const fw_scenario_t *sc, int lab, uint32_t tick, bool chips)
{
    double most[FW_MAX_SEATS + FW_MAX_FAMILIES] = {0};
    for (size_t i = 0; i < sc->n_deals + sc->n_events; i++) {
        const fw_terms_t *t;
        uint32_t from = 1;
        if (i < sc->n_deals) {
            t = &sc->deals[i].terms;
        } else {
            const fw_event_t *e = &sc->events[i - sc->n_deals];
            if (e->kind != FW_EVENT_DEAL)
                continue;
            t = &e->deal;
            from = e->tick;
        }
        if (t->lab != lab || tick < from || tick >= from + t->duration)
            continue;
        int key = chips ? t->chip_family : t->investor;
        double share = chips ? t->min_chip_share : t->min_cloud_share;
        if (key >= 0 && share > most[key])
            most[key] = share;
    }
    double sum = 0;
    for (size_t i = 0; i < sizeof most / sizeof most[0]; i++)
        sum += most[i];
    return sum;
}

Test(fw_scenario, baseline_has_the_calibration_deals_events_and_checks)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "scenarios/baseline.yaml");
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    int oai = fw_scenario_seat(sc, "openai"), ant = fw_scenario_seat(sc, "anthropic");
    int msft = fw_scenario_seat(sc, "microsoft");

    /* Microsoft-OpenAI (deals.csv #1-#3) is in force at the start, exclusive to 2025-01. */
    cr_assert_geq(sc->n_deals, 4);
    const fw_initial_deal_t *d = &sc->deals[0];
    cr_expect_eq(d->terms.investor, msft);
    cr_expect_eq(d->terms.lab, oai);
    cr_expect(d->terms.exclusive);
    cr_expect_eq(d->terms.duration, 13);
    cr_expect(d->equity >= 0.27 && d->equity <= 0.49);

    /* Events: in order, within the run, deals.csv #7 (2024-10) to #26 (2026-04). */
    cr_assert_geq(sc->n_events, 20);
    for (size_t i = 1; i < sc->n_events; i++)
        cr_expect_leq(sc->events[i - 1].tick, sc->events[i].tick);
    cr_expect_leq(sc->events[sc->n_events - 1].tick, sc->ticks);
    int oct_2024 = 0;
    int64_t oct_amount = 0;
    for (size_t i = 0; i < sc->n_events; i++)
        if (sc->events[i].tick == 10 && sc->events[i].deal.lab == oai) {
            oct_2024++;
            oct_amount += sc->events[i].deal.amount;
            cr_expect_eq(sc->events[i].deal.valuation, INT64_C(157000000000));
        }
    cr_expect_eq(oct_2024, 3); /* #7 split: Microsoft, NVIDIA, outside */
    cr_expect_eq(oct_amount, INT64_C(6600000000));

    /* Every lab can meet all its stipulations at once, every tick. */
    for (uint32_t tick = 1; tick <= sc->ticks; tick++)
        for (size_t s = 0; s < sc->n_seats; s++)
            if (sc->seats[s].role == FW_ROLE_LAB) {
                cr_expect_leq(s_stipulated(sc, (int)s, tick, false), 1.0, "%s tick %u cloud",
                              sc->seats[s].id, tick);
                cr_expect_leq(s_stipulated(sc, (int)s, tick, true), 1.0, "%s tick %u chips",
                              sc->seats[s].id, tick);
            }
    cr_expect_gt(s_stipulated(sc, ant, 28, false), 0.5);

    /* The market section and the 2024 targets as checks. */
    cr_expect_eq(sc->market.ai_spending, 239000000);
    cr_expect(sc->market.credits_allowed);
    cr_assert_geq(sc->n_checks, 10);
    bool arr = false;
    for (size_t i = 0; i < sc->n_checks; i++) {
        const fw_check_t *c = &sc->checks[i];
        cr_expect_leq(c->to, 13, "%s: the targets are of 2024 (and NVIDIA's FY2025)", c->name);
        if (strcmp(c->metric, "revenue.openai") == 0) {
            arr = true;
            cr_expect_eq(c->from, 12);
            cr_expect_eq(c->scale, 12.0);
            cr_expect_eq(c->low, 5e9);
            cr_expect_eq(c->high, 7e9);
        }
    }
    cr_expect(arr);
    fw_scenario_destroy(&sc);
}

/* Loads scenarios/NAME, which must extend the baseline and keep its seats. */
static fw_scenario_t *s_counterfactual(const char *name)
{
    char path[PATH_MAX + 64], rel[128], err[512] = "";
    snprintf(rel, sizeof rel, "scenarios/%s", name);
    s_path(path, sizeof path, rel);
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    cr_assert_not_null(sc->base_path, "%s does not extend anything", name);
    size_t n = strlen(sc->base_path);
    cr_expect(n >= 13 && strcmp(sc->base_path + n - 13, "baseline.yaml") == 0, "%s",
              sc->base_path);
    cr_expect_eq(sc->n_seats, 13);
    cr_expect_eq(sc->n_deals, 4);
    cr_expect_str_neq(sc->name, "baseline");
    return sc;
}

Test(fw_scenario, counterfactuals_change_one_thing)
{
    char path[PATH_MAX + 64], err[512] = "";
    s_path(path, sizeof path, "scenarios/baseline.yaml");
    fw_scenario_t *base = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(base, "%s", err);

    /* Four shocks and seven take-or-pay terms (deals of amount 0 with a min_spend, from
     * clouds); the base's five deal events from 2026-01 on (#22-#26) are dropped. */
    fw_scenario_t *sc = s_counterfactual("both-labs-falter.yaml");
    cr_expect_eq(sc->n_events, base->n_events + 4 + 7 - 5);
    cr_expect_eq(sc->ticks, base->ticks);
    int take_or_pay = 0;
    for (size_t e = 0; e < sc->n_events; e++)
        if (sc->events[e].kind == FW_EVENT_DEAL && sc->events[e].deal.min_spend > 0) {
            take_or_pay++;
            cr_expect_eq(sc->events[e].deal.amount, 0);
            cr_expect_eq(sc->seats[sc->events[e].deal.investor].role, FW_ROLE_HYPERSCALER);
            cr_expect_geq(sc->events[e].tick, 24, "binding from 2026-01 on, not before");
        }
    cr_expect_eq(take_or_pay, 7);
    fw_scenario_destroy(&sc);

    static const char *dominates[] = {"openai-dominates.yaml", "anthropic-dominates.yaml"};
    for (size_t i = 0; i < 2; i++) {
        sc = s_counterfactual(dominates[i]);
        cr_expect_eq(sc->n_events, base->n_events + 2);
        int shocks = 0;
        /* The counterfactual's own shocks: those in 2025-01 (the baseline's model
         * releases are capability shocks of 2024). */
        for (size_t e = 0; e < sc->n_events; e++)
            if (sc->events[e].kind != FW_EVENT_DEAL && sc->events[e].tick == 13) {
                shocks++;
                cr_expect_eq(sc->events[e].factor, 2.0);
            }
        cr_expect_eq(shocks, 2);
        fw_scenario_destroy(&sc);
    }

    sc = s_counterfactual("cash-not-credits.yaml");
    cr_expect(!sc->market.credits_allowed);
    cr_expect_eq(sc->market.ai_spending, base->market.ai_spending);
    cr_expect_eq(sc->n_events, base->n_events);
    fw_scenario_destroy(&sc);

    sc = s_counterfactual("no-chip-mandates.yaml");
    for (size_t e = 0; e < sc->n_events; e++) {
        cr_expect_eq(sc->events[e].deal.chip_family, -1);
        cr_expect_eq(sc->events[e].deal.min_chip_share, 0.0);
        cr_expect_eq(sc->events[e].deal.min_cloud_share, base->events[e].deal.min_cloud_share);
    }
    for (size_t i = 0; i < sc->n_deals; i++)
        cr_expect_eq(sc->deals[i].terms.chip_family, -1);
    fw_scenario_destroy(&sc);

    sc = s_counterfactual("exclusive-alliances.yaml");
    for (size_t e = 0; e < sc->n_events; e++) {
        const fw_terms_t *t = &sc->events[e].deal;
        bool cloud = t->investor >= 0 && sc->seats[t->investor].role == FW_ROLE_HYPERSCALER;
        cr_expect_eq(t->exclusive, cloud, "%s", sc->events[e].name);
        cr_expect_eq(t->chip_family, base->events[e].deal.chip_family);
    }
    fw_scenario_destroy(&sc);
    fw_scenario_destroy(&base);
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
    cr_expect_eq(sc->n_events, 1);
    cr_expect_eq(sc->n_checks, 1);
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
                                    " strategy: {params: {jitter: fast}}}\n"),
                     "t.yaml:5:64: expected a number for 'jitter', got 'fast'");
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

/* ---- the economy: market, seat keys, events, deals, checks --------------------------- */

Test(fw_scenario, market_defaults_when_absent)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS);
    const fw_market_params_t *m = &sc->market;
    cr_expect_eq(m->ai_spending, 0);
    cr_expect_eq(m->ai_spending_growth, 0.05);
    cr_expect_eq(m->capability_weight, 2.0);
    cr_expect_eq(m->price_weight, 1.0);
    cr_expect_eq(m->lab_multiple, 25.0);
    cr_expect_eq(m->cloud_multiple, 8.0);
    cr_expect_eq(m->vendor_multiple, 15.0);
    cr_expect_eq(m->other_cloud_revenue, 0);
    cr_expect_eq(m->other_cloud_growth, 0.0);
    cr_expect_eq(m->base_pull, 0.02);
    cr_expect_eq(m->training_exponent, 0.3);
    cr_expect_eq(m->training_scale, 1000000);
    cr_expect_eq(m->learning_scale, 2e6);
    cr_expect_eq(m->maturity_scale, 2e7);
    cr_expect_eq(m->falter_churn, 0.05);
    cr_expect_eq(m->facility_capex, 0.6);
    cr_expect_eq(m->capacity_response, 0.05);
    cr_expect_eq(m->capacity_surge_max, 0.03);
    cr_expect_eq(m->capacity_ease_max, 0.02);
    cr_expect(m->credits_allowed);
    cr_expect_eq(sc->n_events, 0);
    cr_expect_null(sc->events);
    cr_expect_eq(sc->n_deals, 0);
    cr_expect_eq(sc->n_checks, 0);
    cr_expect_null(sc->base_path);
    cr_expect_null(sc->base_text);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, market_keys_parse)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS
                             "market:\n"
                             "  ai_spending: 479M\n"
                             "  ai_spending_growth: 0.084\n"
                             "  other_cloud_revenue: $7.84B\n"
                             "  training_scale: 2M\n"
                             "  learning_scale: 1.5M\n"
                             "  maturity_scale: 3e7\n"
                             "  lab_multiple: 40\n"
                             "  capability_weight: 0\n"
                             "  credits_allowed: false\n"
                             "  market_ceiling: 1T\n");
    const fw_market_params_t *m = &sc->market;
    cr_expect_eq(m->ai_spending, 479000000);
    cr_expect_eq(m->ai_spending_growth, 0.084);
    cr_expect_eq(m->other_cloud_revenue, INT64_C(7840000000));
    cr_expect_eq(m->training_scale, 2000000);
    cr_expect_eq(m->learning_scale, 1.5e6);
    cr_expect_eq(m->maturity_scale, 3e7);
    cr_expect_eq(m->lab_multiple, 40.0);
    cr_expect_eq(m->capability_weight, 0.0);
    cr_expect_eq(m->cloud_multiple, 8.0); /* untouched keys keep their defaults */
    cr_expect_eq(m->valuation_elasticity, 0.7);
    cr_expect_eq(m->valuation_band, 4.0);
    cr_expect(!m->credits_allowed);
    cr_expect_eq(m->market_ceiling, INT64_C(1000000000000));
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, market_errors)
{
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {lab_multiple: 40, ai_spend: 1B}\n"),
                     "t.yaml:8:28: unknown key 'ai_spend' in market");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {credits_allowed: yes}\n"),
                     "t.yaml:8:27: expected true or false for 'credits_allowed', got 'yes'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {lab_multiple: 0}\n"),
                     "t.yaml:8:24: lab_multiple must be in (0, 10000], got '0'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {price_weight: -1}\n"),
                     "t.yaml:8:24: price_weight must be in [0, 100], got '-1'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {training_scale: 0}\n"),
                     "t.yaml:8:26: training_scale must be >= 1, got '0'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {learning_scale: lots}\n"),
                     "t.yaml:8:26: expected an amount for 'learning_scale' (e.g. 0.3, 1200, "
                     "7.6B, 2M), got 'lots'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {valuation_band: 0.5}\n"),
                     "t.yaml:8:26: valuation_band must be in [1, 100], got '0.5'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: {falter_churn: 1.5}\n"),
                     "t.yaml:8:24: falter_churn must be in [0, 1], got '1.5'");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "market: [1]\n"),
                     "t.yaml:8:9: expected a mapping for market, got a list");
}

/* Two families and a lab with some skills, a cloud with AI in its own operations. */
#define FAMS2                                                                               \
    "families:\n"                                                                           \
    "  - {id: g, vendor: v, perf: 1, unit_cost: 1k, price: 2k, capacity: 10}\n"             \
    "  - {id: t, vendor: v, captive_of: c, perf: 1, unit_cost: 1k, price: 2k, capacity: 10}\n"

Test(fw_scenario, new_seat_keys_and_their_defaults)
{
    fw_scenario_t *sc = s_ok(RUN FAMS2
                             "seats:\n"
                             "  - {id: v, role: vendor, cash: 1B, valuation: 1T}\n"
                             "  - {id: c, role: hyperscaler, cash: 1B, base_revenue: 1M,"
                             " compute_price: 1800, own_business: 2.5B, ai_uplift: 0.1,"
                             " ai_saturation: 500k, valuation: 90B}\n"
                             "  - {id: o, role: hyperscaler, cash: 1B, base_revenue: 1M,"
                             " base_growth: 0.01, compute_price: 1800, sells_compute: false}\n"
                             "  - {id: l, role: lab, cash: 1B, demand: 10, revenue_per_compute: 1,"
                             " capability: 1.5, price_index: 0.8, reach: 2, skill: {t: 0.9}}\n"
                             "  - {id: m, role: lab, cash: 1B, demand: 10,"
                             " revenue_per_compute: 1}\n");
    const fw_seat_t *v = &sc->seats[0], *c = &sc->seats[1], *l = &sc->seats[3], *m = &sc->seats[4];
    cr_expect_eq(v->valuation, INT64_C(1000000000000));
    cr_expect_eq(c->valuation, INT64_C(90000000000));
    cr_expect(c->sells_compute);
    cr_expect_eq(c->own_business, INT64_C(2500000000));
    cr_expect_eq(c->own_business_growth, 0.0, "the base business's growth (0 here)");
    cr_expect_eq(c->ai_uplift, 0.1);
    cr_expect_eq(c->ai_saturation, 5e5);
    const fw_seat_t *o = &sc->seats[2];
    cr_expect(!o->sells_compute);
    cr_expect_eq(o->own_business, 0, "0: its base business is the one AI improves");
    cr_expect_eq(o->own_business_growth, 0.01, "defaults to base_growth");
    cr_expect_eq(o->ai_uplift, 0.0, "no own-operations value unless asked");
    cr_expect_eq(o->ai_saturation, 2e6);
    cr_expect_null(v->skill);
    cr_expect_null(c->skill);
    cr_expect_eq(l->capability, 1.5);
    cr_expect_eq(l->price_index, 0.8);
    cr_expect_eq(l->reach, 2.0);
    cr_assert_not_null(l->skill);
    cr_expect_eq(l->skill[0], 0.6);
    cr_expect_eq(l->skill[1], 0.9);
    cr_expect_eq(m->capability, 1.0);
    cr_expect_eq(m->price_index, 1.0);
    cr_expect_eq(m->reach, 1.0);
    cr_assert_not_null(m->skill); /* every lab has one entry per family */
    cr_expect_eq(m->skill[0], 0.6);
    cr_expect_eq(m->skill[1], 0.6);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, new_seat_key_errors)
{
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                                    "  - {id: l, role: lab, cash: 1B, demand: 10,"
                                    " revenue_per_compute: 1, capability: 0}\n"),
                     "t.yaml:6:82: capability must be in (0, 1e+06], got '0'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                                    "  - {id: l, role: lab, cash: 1B, demand: 10,"
                                    " revenue_per_compute: 1, skill: {g: 0.5, x: 1}}\n"),
                     "t.yaml:6:86: skill family 'x' is not a family");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                                    "  - {id: l, role: lab, cash: 1B, demand: 10,"
                                    " revenue_per_compute: 1, skill: {g: 0}}\n"),
                     "t.yaml:6:81: g must be in (0, 1], got '0'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B}\n"
                                    "  - {id: l, role: lab, cash: 1B, demand: 10,"
                                    " revenue_per_compute: 1, skill: 0.5}\n"),
                     "t.yaml:6:77: expected a mapping for 'skill', got a scalar");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B, reach: 2}\n"),
                     "t.yaml:5:37: unknown key 'reach' in vendor seat 'v'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,"
                                    " ai_uplift: 0.1}\n"),
                     "t.yaml:5:37: unknown key 'ai_uplift' in vendor seat 'v'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,"
                                    " ai_ops_value: 2}\n"),
                     "t.yaml:5:37: unknown key 'ai_ops_value' in vendor seat 'v'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: c, role: hyperscaler, cash: 1B,"
                                    " base_revenue: 1M, compute_price: 1, ai_uplift: 1.5}\n"),
                     "t.yaml:5:89: ai_uplift must be in [0, 1], got '1.5'");
    cr_expect_str_eq(s_err(RUN FAMS "seats:\n  - {id: c, role: hyperscaler, cash: 1B,"
                                    " base_revenue: 1M, compute_price: 1, ai_saturation: 0}\n"),
                     "t.yaml:5:93: ai_saturation must be in (0, 1e+18], got '0'");
}

/* Events after RUN FAMS SEATS: line 8 is "events:", line 9 the first item. */
#define EV(item) RUN FAMS SEATS "events:\n  - " item "\n"

/* docs/scenarios.md, `min_spend`: a take-or-pay term, money per tick, from a cloud that
 * sells compute; absent it is 0. */
Test(fw_scenario, min_spend_is_take_or_pay_from_a_cloud_that_sells_compute)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS
                             "deals:\n  - {investor: c, lab: l, amount: 0, min_spend: 1.25B}\n"
                             "events:\n  - {at: 2024-03, deal: {investor: c, lab: l, amount: 1B}}\n");
    cr_expect_eq(sc->deals[0].terms.min_spend, 1250000000);
    cr_expect_eq(sc->events[0].deal.min_spend, 0);
    fw_scenario_destroy(&sc);
    cr_expect_str_eq(s_err(RUN FAMS SEATS
                           "  - {id: m, role: hyperscaler, cash: 1B, base_revenue: 1M,"
                           " compute_price: 1800, sells_compute: false}\n"
                           "deals:\n  - {investor: m, lab: l, amount: 0, min_spend: 1B}\n"),
                     "t.yaml:10:49: min_spend > 0 needs a cloud that sells compute; 'm' sells none");
}

Test(fw_scenario, events_of_each_kind)
{
    fw_scenario_t *sc = s_ok(
        RUN FAMS SEATS "events:\n"
        "  - {at: 2024-03, deal: {investor: c, lab: l, amount: 4B, credit_fraction: 0.5,"
        " valuation: 20B, min_cloud_share: 0.4, chip_family: g, min_chip_share: 0.2,"
        " exclusive: true, duration: 12, penalty: 1B}}\n"
        "  - {at: 2024-02, name: Shock!, capability_shock: {lab: l, factor: 1.5}}\n"
        "  - {at: 2024-02, demand_shock: {lab: l, factor: 0.3}}\n"
        "  - {at: 2024-04, supply_shock: {family: g, factor: 0.5, duration: 6}}\n"
        "  - {at: 2024-04, supply_shock: {family: g, factor: 2}}\n"
        "  - {at: 2024-05, policy: {credits_allowed: false}}\n"
        "  - {at: 2024-06, deal: {investor: outside, lab: l, amount: 6.6B}}\n"
        "  - {at: 2024-06, deal: {investor: v, lab: l, amount: 0, chip_family: g,"
        " min_chip_share: 0.5}}\n"
        "  - {at: 2031-01, deal: {investor: c, lab: l, amount: 1M}}\n");
    cr_assert_eq(sc->n_events, 9);
    const fw_event_t *e = sc->events;
    /* Sorted by tick; within a tick, file order. */
    cr_expect_str_eq(e[0].name, "Shock!");
    cr_expect_eq(e[0].kind, FW_EVENT_CAPABILITY_SHOCK);
    cr_expect_eq(e[0].tick, 2);
    cr_expect_eq(e[0].seat, 2);
    cr_expect_eq(e[0].family, -1);
    cr_expect_eq(e[0].factor, 1.5);
    cr_expect_str_eq(e[1].name, "demand shock: l x0.3");
    cr_expect_eq(e[1].kind, FW_EVENT_DEMAND_SHOCK);

    cr_expect_eq(e[2].kind, FW_EVENT_DEAL);
    cr_expect_eq(e[2].tick, 3);
    cr_expect_str_eq(e[2].name, "c invests $4.0B in l");
    const fw_terms_t *t = &e[2].deal;
    cr_expect_eq(t->investor, 1);
    cr_expect_eq(t->lab, 2);
    cr_expect_eq(t->amount, INT64_C(4000000000));
    cr_expect_eq(t->credit_fraction, 0.5);
    cr_expect_eq(t->valuation, INT64_C(20000000000));
    cr_expect_eq(t->min_cloud_share, 0.4);
    cr_expect_eq(t->chip_family, 0);
    cr_expect_eq(t->min_chip_share, 0.2);
    cr_expect(t->exclusive);
    cr_expect_eq(t->duration, 12);
    cr_expect_eq(t->penalty, 1000000000);

    cr_expect_eq(e[3].kind, FW_EVENT_SUPPLY_SHOCK);
    cr_expect_eq(e[3].family, 0);
    cr_expect_eq(e[3].seat, -1);
    cr_expect_eq(e[3].duration, 6);
    cr_expect_str_eq(e[3].name, "supply shock: g x0.5 for 6 ticks");
    cr_expect_eq(e[4].duration, 0);
    cr_expect_str_eq(e[4].name, "supply shock: g x2");
    cr_expect_eq(e[5].kind, FW_EVENT_POLICY);
    cr_expect(!e[5].credits_allowed);
    cr_expect_str_eq(e[5].name, "policy: credits not allowed");

    /* Defaults of a deal's terms. */
    t = &e[6].deal;
    cr_expect_str_eq(e[6].name, "outside investors invest $6.6B in l");
    cr_expect_eq(t->investor, -1);
    cr_expect_eq(t->credit_fraction, 0.0);
    cr_expect_eq(t->valuation, 0);
    cr_expect_eq(t->min_cloud_share, 0.0);
    cr_expect_eq(t->chip_family, -1);
    cr_expect_eq(t->min_chip_share, 0.0);
    cr_expect(!t->exclusive);
    cr_expect_eq(t->duration, 24);
    cr_expect_eq(t->penalty, 0);
    cr_expect_str_eq(e[7].name, "v: compute deal with l");
    /* After the last tick is allowed: it never fires. */
    cr_expect_eq(e[8].tick, 85);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, event_errors)
{
    cr_expect_str_eq(s_err(EV("{at: 2024-03, demand_shock: {lab: l, factor: 2},"
                              " policy: {credits_allowed: true}}")),
                     "t.yaml:9:54: an event is exactly one of deal, capability_shock, "
                     "demand_shock, supply_shock or policy; this one is already a demand_shock");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, name: nothing}")),
                     "t.yaml:9:5: an event needs one of deal, capability_shock, demand_shock, "
                     "supply_shock or policy");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, depand_shock: {lab: l, factor: 2}}")),
                     "t.yaml:9:19: unknown key 'depand_shock' in event");
    cr_expect_str_eq(s_err(EV("{demand_shock: {lab: l, factor: 2}}")),
                     "t.yaml:9:5: missing required key 'at' in event");
    cr_expect_str_eq(s_err(EV("{at: 2023-12, demand_shock: {lab: l, factor: 2}}")),
                     "t.yaml:9:10: at 2023-12 is before the run's start 2024-01");
    cr_expect_str_eq(s_err(EV("{at: March, demand_shock: {lab: l, factor: 2}}")),
                     "t.yaml:9:10: expected a month YYYY-MM for 'at', got 'March'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, demand_shock: {lab: l, factor: 0}}")),
                     "t.yaml:9:50: factor must be in (0, 1e+06], got '0'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, demand_shock: {lab: c, factor: 2}}")),
                     "t.yaml:9:39: lab 'c' is a hyperscaler, not a lab");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, demand_shock: {lab: l, factor: 2, duration: 3}}")),
                     "t.yaml:9:53: unknown key 'duration' in demand_shock");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, supply_shock: {family: x, factor: 2}}")),
                     "t.yaml:9:42: family 'x' is not a family");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, policy: {}}")),
                     "t.yaml:9:27: missing required key 'credits_allowed' in policy");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "events: {a: 1}\n"),
                     "t.yaml:8:9: expected a list for 'events', got a mapping");
}

Test(fw_scenario, deal_errors)
{
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: x, amount: 1B}}")),
                     "t.yaml:9:44: lab 'x' is not a seat");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: c, amount: 1B}}")),
                     "t.yaml:9:44: lab 'c' is a hyperscaler, not a lab");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: l, lab: l, amount: 1B}}")),
                     "t.yaml:9:36: investor 'l' is a lab; an investor is a hyperscaler, a "
                     "vendor or 'outside'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: sb, lab: l, amount: 1B}}")),
                     "t.yaml:9:36: investor 'sb' is not a seat (nor 'outside')");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: v, lab: l, amount: 1B,"
                              " credit_fraction: 0.5}}")),
                     "t.yaml:9:76: credit_fraction > 0 (credits) needs a hyperscaler "
                     "investor; 'v' is a vendor");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: outside, lab: l, amount: 1B,"
                              " min_cloud_share: 0.5}}")),
                     "t.yaml:9:82: min_cloud_share > 0 needs a hyperscaler investor; "
                     "'outside' investors pay cash only");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: v, lab: l, amount: 1B,"
                              " exclusive: true}}")),
                     "t.yaml:9:70: exclusive needs a hyperscaler investor; 'v' is a vendor");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 1B,"
                              " min_chip_share: 0.5}}")),
                     "t.yaml:9:75: min_chip_share > 0 needs a chip_family");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 1B,"
                              " chip_family: tpu}}")),
                     "t.yaml:9:72: chip_family 'tpu' is not a family");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l}}")),
                     "t.yaml:9:25: missing required key 'amount' in deal");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: v, lab: l, amount: 0,"
                              " min_spend: 1B}}")),
                     "t.yaml:9:69: min_spend > 0 needs a hyperscaler investor; 'v' is a vendor");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 0,"
                              " min_spend: -1B}}")),
                     "t.yaml:9:69: min_spend must be >= 0, got '-1B'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 1B,"
                              " equity: 0.1}}")),
                     "t.yaml:9:59: unknown key 'equity' in deal");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 1B,"
                              " credit_fraction: 1.5}}")),
                     "t.yaml:9:76: credit_fraction must be in [0, 1], got '1.5'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: -1}}")),
                     "t.yaml:9:55: amount must be >= 0, got '-1'");
    cr_expect_str_eq(s_err(EV("{at: 2024-03, deal: {investor: c, lab: l, amount: 1,"
                              " exclusive: maybe}}")),
                     "t.yaml:9:69: expected true or false for 'exclusive', got 'maybe'");
}

#define DEALS(item) RUN FAMS SEATS "deals:\n  - " item "\n"

Test(fw_scenario, initial_deals)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS "deals:\n"
                             "  - {investor: c, lab: l, amount: 13B, equity: 0.35,"
                             " credit_fraction: 0.5, credits_left: 3.4B, exclusive: true,"
                             " until: 2025-01, penalty: 13B, signed: 2023-01}\n"
                             "  - {investor: outside, lab: l, amount: 1B, equity: 0.1}\n");
    cr_assert_eq(sc->n_deals, 2);
    const fw_initial_deal_t *d = &sc->deals[0];
    cr_expect_eq(d->terms.investor, 1);
    cr_expect_eq(d->terms.lab, 2);
    cr_expect_eq(d->terms.amount, INT64_C(13000000000));
    cr_expect_eq(d->equity, 0.35);
    cr_expect_eq(d->credits_left, INT64_C(3400000000));
    cr_expect_eq(d->terms.credit_fraction, 0.5);
    cr_expect(d->terms.exclusive);
    cr_expect_eq(d->terms.duration, 13); /* ticks 1 (2024-01) through 13 (2025-01) */
    cr_expect_eq(d->terms.penalty, INT64_C(13000000000));
    cr_expect_eq(sc->deals[1].terms.investor, -1);
    cr_expect_eq(sc->deals[1].terms.duration, 24);
    cr_expect_eq(sc->deals[1].credits_left, 0);
    fw_scenario_destroy(&sc);

    cr_expect_str_eq(s_err(DEALS("{investor: c, lab: l, amount: 1B, until: 2023-12}")),
                     "t.yaml:9:46: until 2023-12 is before the run's start 2024-01");
    cr_expect_str_eq(s_err(DEALS("{investor: v, lab: l, amount: 1B, credits_left: 1B}")),
                     "t.yaml:9:53: credits_left > 0 needs a hyperscaler investor; 'v' is a "
                     "vendor");
    cr_expect_str_eq(s_err(DEALS("{investor: c, lab: l, amount: 1B, duration: 5}")),
                     "t.yaml:9:39: unknown key 'duration' in initial deal");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "deals:\n"
                                          "  - {investor: c, lab: l, amount: 1B, equity: 0.6}\n"
                                          "  - {investor: v, lab: l, amount: 1B, equity: 0.5}\n"),
                     "t.yaml:10:5: initial deals give investors 1.1 of lab 'l'; at most 1");
}

#define CHECK(item) RUN FAMS SEATS "checks:\n  - " item "\n"

Test(fw_scenario, checks)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS "checks:\n"
                             "  - {name: ARR, metric: revenue.l, at: 2024-12, scale: 12,"
                             " low: 5B, high: 7B}\n"
                             "  - name: share\n"
                             "    metric: cloud_share.c\n"
                             "    from: 2024-10\n"
                             "    to: 2024-12\n"
                             "    agg: mean\n"
                             "    low: 0.30\n"
                             "  - {name: sum, metric: capex.c, from: 2024-01, to: 2024-12,"
                             " agg: sum, high: 85B}\n");
    cr_assert_eq(sc->n_checks, 3);
    const fw_check_t *c = sc->checks;
    cr_expect_str_eq(c[0].name, "ARR");
    cr_expect_str_eq(c[0].metric, "revenue.l");
    cr_expect_eq(c[0].from, 12);
    cr_expect_eq(c[0].to, 12);
    cr_expect_eq(c[0].agg, FW_AGG_LAST);
    cr_expect_eq(c[0].scale, 12.0);
    cr_expect_eq(c[0].low, 5e9);
    cr_expect_eq(c[0].high, 7e9);
    cr_expect_eq(c[0].line, 9);
    cr_expect_eq(c[0].col, 5);
    cr_expect_eq(c[1].from, 10);
    cr_expect_eq(c[1].to, 12);
    cr_expect_eq(c[1].agg, FW_AGG_MEAN);
    cr_expect_eq(c[1].scale, 1.0);
    cr_expect_eq(c[1].low, 0.30);
    cr_expect(isinf(c[1].high) && c[1].high > 0);
    cr_expect_eq(c[1].line, 10);
    cr_expect_eq(c[1].col, 5);
    cr_expect_eq(c[2].agg, FW_AGG_SUM);
    cr_expect(isinf(c[2].low) && c[2].low < 0);
    fw_scenario_destroy(&sc);

    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2024-03, low: 7B, high: 5B}")),
                     "t.yaml:9:54: high 5B is below low 7B");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2024-03, from: 2024-01, low: 1}")),
                     "t.yaml:9:39: a check has either 'at' or 'from' and 'to', not both");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, from: 2024-01, low: 1}")),
                     "t.yaml:9:5: check 'x' needs 'at', or 'from' and 'to'");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, from: 2024-05, to: 2024-04, low: 1}")),
                     "t.yaml:9:45: to 2024-04 is before from 2024-05");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2023-03, low: 1}")),
                     "t.yaml:9:30: at 2023-03 is before the run's start 2024-01");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2024-03}")),
                     "t.yaml:9:5: check 'x' needs 'low', 'high' or both");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: Revenue.L, at: 2024-03, low: 1}")),
                     "t.yaml:9:23: metric 'Revenue.L' must be 1-95 characters of a-z, 0-9, "
                     "'_', '.' and '-'");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2024-03, agg: max, low: 1}")),
                     "t.yaml:9:44: expected agg last, sum or mean, got 'max'");
    cr_expect_str_eq(s_err(CHECK("{metric: m, at: 2024-03, low: 1}")),
                     "t.yaml:9:5: missing required key 'name' in check");
    cr_expect_str_eq(s_err(CHECK("{name: x, metric: m, at: 2024-03, low: 1, hi: 2}")),
                     "t.yaml:9:47: unknown key 'hi' in check");
}

Test(fw_scenario, tick_of_a_month)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS);
    cr_expect_eq(fw_scenario_tick_of(sc, 2024, 1), 1);
    cr_expect_eq(fw_scenario_tick_of(sc, 2024, 12), 12);
    cr_expect_eq(fw_scenario_tick_of(sc, 2025, 1), 13);
    cr_expect_eq(fw_scenario_tick_of(sc, 2023, 12), 0);
    fw_scenario_destroy(&sc);
    sc = s_ok("run: {name: t, start: 2024-01, ticks: 12, tick_months: 3}\n" FAMS SEATS
              "events:\n  - {at: 2024-06, policy: {credits_allowed: false}}\n");
    cr_expect_eq(fw_scenario_tick_of(sc, 2024, 3), 1);  /* a quarter's months share a tick */
    cr_expect_eq(fw_scenario_tick_of(sc, 2024, 4), 2);
    cr_expect_eq(fw_scenario_tick_of(sc, 2025, 1), 5);
    cr_expect_eq(fw_scenario_tick_of(sc, 2023, 12), 0);
    cr_expect_eq(fw_scenario_tick_of(sc, 2023, 10), 0);
    cr_expect_eq(fw_scenario_tick_of(sc, 2023, 9), -1);
    cr_expect_eq(sc->events[0].tick, 2);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, events_sort_stably_by_tick)
{
    /* Many events in reverse month order, several per month: file order within a month. */
    char yaml[16384];
    size_t n = (size_t)snprintf(yaml, sizeof yaml, "%s", RUN FAMS SEATS "events:\n");
    for (int m = 12; m >= 1; m--)
        for (int k = 0; k < 3; k++)
            n += (size_t)snprintf(yaml + n, sizeof yaml - n,
                                  "  - {at: 2024-%02d, name: e%02d-%d, demand_shock:"
                                  " {lab: l, factor: 2}}\n",
                                  m, m, k);
    fw_scenario_t *sc = s_ok(yaml);
    cr_assert_eq(sc->n_events, 36);
    for (size_t i = 0; i < 36; i++) {
        char want[16];
        snprintf(want, sizeof want, "e%02zu-%zu", i / 3 + 1, i % 3);
        cr_expect_str_eq(sc->events[i].name, want);
        cr_expect_eq(sc->events[i].tick, i / 3 + 1);
    }
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, deal_overrides_in_one_file)
{
    fw_scenario_t *sc = s_ok(RUN FAMS SEATS
                             "deals:\n  - {investor: c, lab: l, amount: 1B, chip_family: g,"
                             " min_chip_share: 0.5}\n"
                             "events:\n"
                             "  - {at: 2024-02, deal: {investor: v, lab: l, amount: 1B}}\n"
                             "  - {at: 2024-03, deal: {investor: c, lab: l, amount: 1B}}\n"
                             "deal_overrides: {exclusive: true, chip_family: g,"
                             " min_chip_share: 0.3,"
                             " min_cloud_share: 0.2, credit_fraction: 0.4, penalty: 5M}\n");
    const fw_terms_t *vendor = &sc->events[0].deal, *cloud = &sc->events[1].deal;
    const fw_terms_t *init = &sc->deals[0].terms;
    /* Cloud-only terms reach only the deals from a cloud. */
    cr_expect(!vendor->exclusive);
    cr_expect_eq(vendor->min_cloud_share, 0.0);
    cr_expect_eq(vendor->credit_fraction, 0.0);
    cr_expect(cloud->exclusive);
    cr_expect_eq(cloud->min_cloud_share, 0.2);
    cr_expect_eq(cloud->credit_fraction, 0.4);
    cr_expect(init->exclusive);
    /* The rest reach every deal. */
    cr_expect_eq(vendor->chip_family, 0);
    cr_expect_eq(vendor->min_chip_share, 0.3);
    cr_expect_eq(init->min_chip_share, 0.3);
    cr_expect_eq(vendor->penalty, 5000000);
    cr_expect_eq(init->penalty, 5000000);
    cr_expect_eq(init->duration, 24);
    fw_scenario_destroy(&sc);

    cr_expect_str_eq(s_err(RUN FAMS SEATS "deal_overrides: {chip_family: tpu}\n"),
                     "t.yaml:8:31: chip_family 'tpu' is not a family");
    cr_expect_str_eq(s_err(RUN FAMS SEATS "deal_overrides: {amount: 1}\n"),
                     "t.yaml:8:18: unknown key 'amount' in deal_overrides");
}

/* ---- extends ------------------------------------------------------------------------ */

static fw_scenario_t *s_load_fixture(const char *name, char *err, size_t len)
{
    char path[PATH_MAX + 64], rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/scenarios/extends/%s", name);
    s_path(path, sizeof path, rel);
    return fw_scenario_load(path, err, len);
}

/* Loads extends/NAME and expects "DIR/FILE:WHAT", where every "%s" in WHAT is DIR (the
 * fixtures' directory, as the loader builds paths). */
static void s_expect_extends_error(const char *name, const char *file, const char *what)
{
    char err[1024] = "", dir[PATH_MAX], want[4 * PATH_MAX], msg[2 * PATH_MAX];
    fw_scenario_t *sc = s_load_fixture(name, err, sizeof err);
    cr_assert_null(sc, "%s loaded", name);
    s_path(dir, sizeof dir, "tests/fixtures/scenarios/extends");
    snprintf(msg, sizeof msg, what, dir, dir);
    snprintf(want, sizeof want, "%s/%s:%s", dir, file, msg);
    cr_expect_str_eq(err, want);
}

static const fw_event_t *s_event(const fw_scenario_t *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_events; i++)
        if (strcmp(sc->events[i].name, name) == 0)
            return &sc->events[i];
    cr_assert_fail("no event '%s'", name);
    return NULL;
}

Test(fw_scenario, extends_merges_run_market_events_checks_and_overrides)
{
    char err[1024] = "";
    fw_scenario_t *sc = s_load_fixture("child.yaml", err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    /* run: the child's keys replace the base's, one by one. */
    cr_expect_str_eq(sc->name, "child");
    cr_expect_eq(sc->ticks, 36);
    cr_expect_eq(sc->seed, 5);
    cr_expect_eq(sc->start_year, 2024);
    cr_expect_eq(sc->start_month, 1);
    /* market: likewise. */
    cr_expect_eq(sc->market.ai_spending, 100000000);
    cr_expect_eq(sc->market.lab_multiple, 50.0);
    cr_expect_eq(sc->market.cloud_multiple, 9.0);
    cr_expect_eq(sc->market.vendor_multiple, 15.0);
    /* seats, families and initial deals are the base's. */
    cr_expect_eq(sc->n_seats, 3);
    cr_expect_eq(sc->n_families, 2);
    cr_assert_eq(sc->n_deals, 1);
    /* events: appended, sorted by tick, the base's first within a tick. */
    static const char *order[] = {"child-feb", "base-mar", "base-may", "child-may"};
    cr_assert_eq(sc->n_events, 4);
    for (size_t i = 0; i < 4; i++)
        cr_expect_str_eq(sc->events[i].name, order[i]);
    /* checks: replaced. */
    cr_assert_eq(sc->n_checks, 1);
    cr_expect_str_eq(sc->checks[0].name, "child check");
    cr_expect_eq(sc->checks[0].line, 11);
    /* deal_overrides: every deal, the base's and the child's, initial and later. */
    const fw_terms_t *feb = &s_event(sc, "child-feb")->deal;
    const fw_terms_t *mar = &s_event(sc, "base-mar")->deal;
    const fw_terms_t *init = &sc->deals[0].terms;
    cr_expect_eq(feb->chip_family, -1);
    cr_expect_eq(feb->min_chip_share, 0.0);
    cr_expect_eq(mar->chip_family, -1);
    cr_expect_eq(mar->min_chip_share, 0.0);
    cr_expect_eq(init->chip_family, -1);
    cr_expect_eq(init->min_chip_share, 0.0);
    cr_expect(mar->exclusive && init->exclusive && feb->exclusive);
    cr_expect_eq(mar->duration, 7);
    cr_expect_eq(init->duration, 7);
    cr_expect_eq(mar->credit_fraction, 0.5); /* not overridden */
    /* text is the child's own; base_text the base's. */
    cr_expect(strstr(sc->text, "extends: base.yaml") != NULL);
    cr_assert_not_null(sc->base_path);
    cr_expect(strstr(sc->base_path, "extends/base.yaml") != NULL, "%s", sc->base_path);
    cr_assert_not_null(sc->base_text);
    cr_expect(strncmp(sc->base_text, "# A small base", 14) == 0);
    cr_expect_null(strstr(sc->base_text, "# ---- extends"));
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, extends_two_levels)
{
    char err[1024] = "";
    fw_scenario_t *sc = s_load_fixture("grandchild.yaml", err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    cr_expect_str_eq(sc->name, "child");
    cr_expect_eq(sc->ticks, 36);
    cr_expect_eq(sc->start_year, 2023);
    cr_expect_eq(sc->start_month, 12);
    /* Every file's months count from the final start (2023-12 is tick 1). */
    static const char *order[] = {"child-feb", "base-mar", "grandchild-mar", "base-may",
                                  "child-may"};
    static const uint32_t ticks[] = {3, 4, 4, 6, 6};
    cr_assert_eq(sc->n_events, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_expect_str_eq(sc->events[i].name, order[i]);
        cr_expect_eq(sc->events[i].tick, ticks[i]);
    }
    /* The child's overrides applied to what came before them, not to the grandchild's. */
    cr_expect_eq(s_event(sc, "base-mar")->deal.duration, 7);
    cr_expect_eq(s_event(sc, "grandchild-mar")->deal.duration, 24);
    /* The nearest checks: the child's. */
    cr_assert_eq(sc->n_checks, 1);
    cr_expect_eq(sc->checks[0].from, 3);
    /* base_text: the child's, then the base's after a marker line. */
    cr_expect(strstr(sc->base_path, "child.yaml") != NULL);
    cr_expect(strncmp(sc->base_text, "# Extends base.yaml", 19) == 0);
    const char *mark = strstr(sc->base_text, "\n# ---- extends: ");
    cr_assert_not_null(mark);
    cr_expect(strstr(mark, "base.yaml ----\n# A small base") != NULL);
    fw_scenario_destroy(&sc);

    /* Four hops are allowed (deep2 > deep1 > grandchild > child > base). */
    sc = s_load_fixture("deep2.yaml", err, sizeof err);
    cr_expect_not_null(sc, "%s", err);
    fw_scenario_destroy(&sc);
}

Test(fw_scenario, extends_errors)
{
    s_expect_extends_error("cycle_a.yaml", "cycle_b.yaml",
                           "1:10: 'extends' makes a cycle: '%s/cycle_a.yaml' is already "
                           "being loaded");
    s_expect_extends_error("redefine.yaml", "redefine.yaml",
                           "2:1: a scenario that extends another cannot redefine 'seats'");
    /* A mistake in the base is reported in the base. */
    s_expect_extends_error("child_of_bad.yaml", "bad_base.yaml",
                           "8:76: credit_fraction > 0 (credits) needs a hyperscaler investor; "
                           "'v' is a vendor");
    s_expect_extends_error("missing_base.yaml", "missing_base.yaml",
                           "1:10: cannot read base scenario '%s/no-such-base.yaml': No such "
                           "file or directory");
}

/* Text in memory that names a path in the fixtures directory, so `extends:` finds its
 * base there. */
static const char *s_err_at(const char *name, const char *yaml)
{
    static char err[1024];
    char path[PATH_MAX + 64], rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/scenarios/extends/%s", name);
    s_path(path, sizeof path, rel);
    fw_scenario_t *sc = fw_scenario_parse(path, yaml, strlen(yaml), err, sizeof err);
    cr_assert_null(sc, "expected an error for:\n%s", yaml);
    /* From the file's name on: "DIR/name.yaml:1:2: ..." -> "name.yaml:1:2: ...". */
    const char *sep = strstr(err, ": ");
    const char *start = err;
    for (const char *p = err; sep && p < sep; p++)
        if (*p == '/')
            start = p + 1;
    return start;
}

Test(fw_scenario, extends_errors_in_the_extending_file)
{
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nevents:\n"
                                        "  - {at: 2024-02, demand_shock: {lab: z, factor: 2}}\n"),
                     "x.yaml:3:39: lab 'z' is not a seat");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nfamilies: []\n"),
                     "x.yaml:2:1: a scenario that extends another cannot redefine 'families'");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\ndeals: []\n"),
                     "x.yaml:2:1: a scenario that extends another cannot redefine 'deals'");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nrun: {tick: 3}\n"),
                     "x.yaml:2:7: unknown key 'tick' in run");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nmarket: {lab_multiple: -1}\n"),
                     "x.yaml:2:24: lab_multiple must be in (0, 10000], got '-1'");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\ndeal_overrides: {chip_family: q}\n"),
                     "x.yaml:2:31: chip_family 'q' is not a family");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: [base.yaml]\n"),
                     "x.yaml:1:10: expected a scalar for 'extends', got a list");
    /* A month before a start the extending file moved later: reported where it is. */
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nrun: {start: 2024-04}\n"),
                     "base.yaml:15:10: at 2024-03 is before the run's start 2024-04");
    /* deep2 is four hops from its root; one more is too many (reported where it happens). */
    char x[PATH_MAX], want[PATH_MAX + 128];
    s_path(x, sizeof x, "tests/fixtures/scenarios/extends/x.yaml");
    snprintf(want, sizeof want,
             "child.yaml:3:10: too many levels of 'extends' from '%s' (at most 4)", x);
    cr_expect_str_eq(s_err_at("x.yaml", "extends: deep2.yaml\n"), want);
}

/* Parses text in memory as a file of the extends fixtures directory. */
static fw_scenario_t *s_parse_at(const char *name, const char *yaml, char *err, size_t len)
{
    char path[PATH_MAX + 64], rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/scenarios/extends/%s", name);
    s_path(path, sizeof path, rel);
    return fw_scenario_parse(path, yaml, strlen(yaml), err, len);
}

Test(fw_scenario, a_variant_sets_strategy_params_and_drops_the_bases_deal_events)
{
    char err[1024] = "";
    fw_scenario_t *sc = s_parse_at("x.yaml",
                                   "extends: base.yaml\n"
                                   "drop_deal_events: true\n"
                                   "strategy_params:\n"
                                   "  c: {invest_every: 3, invest_amount: 2B}\n"
                                   "events:\n"
                                   "  - {at: 2024-04, deal: {investor: c, lab: l, amount: 5M}}\n",
                                   err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    /* The base's March deal is gone, its May shock stays; this file's deal is kept. */
    size_t deals = 0, shocks = 0;
    for (size_t i = 0; i < sc->n_events; i++) {
        if (sc->events[i].kind == FW_EVENT_DEAL) {
            deals++;
            cr_expect_eq(sc->events[i].deal.amount, 5000000);
        } else {
            shocks++;
        }
    }
    cr_expect_eq(deals, 1);
    cr_expect_eq(shocks, 1);
    cr_expect_eq(sc->n_deals, 1, "the deal in force at the start stays");
    int c = fw_scenario_seat(sc, "c");
    cr_assert_geq(c, 0);
    cr_expect_eq(fw_seat_param(&sc->seats[c], "invest_every", 0), 3.0);
    cr_expect_eq(fw_seat_param(&sc->seats[c], "invest_amount", 0), 2e9);
    fw_scenario_destroy(&sc);
}

/* A month drops only the base's deal events from that month on: the base's March deal
 * stays when the variant turns at April, and goes when it turns at March. */
static size_t s_deals_after_drop(const char *month)
{
    char err[1024] = "", yaml[256];
    snprintf(yaml, sizeof yaml, "extends: base.yaml\ndrop_deal_events: %s\n", month);
    fw_scenario_t *sc = s_parse_at("x.yaml", yaml, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    size_t deals = 0, others = 0;
    for (size_t i = 0; i < sc->n_events; i++) {
        deals += sc->events[i].kind == FW_EVENT_DEAL;
        others += sc->events[i].kind != FW_EVENT_DEAL;
    }
    cr_expect_eq(others, 1, "the May shock stays whatever the month");
    fw_scenario_destroy(&sc);
    return deals;
}

Test(fw_scenario, drop_deal_events_from_a_month_keeps_the_deals_before_it)
{
    cr_expect_eq(s_deals_after_drop("2024-04"), 1);
    cr_expect_eq(s_deals_after_drop("2024-03"), 0);
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\ndrop_deal_events: 2024-13\n"),
                     "x.yaml:2:19: drop_deal_events month must be 01..12, got '2024-13'");
}

Test(fw_scenario, strategy_params_replace_a_bases_value_and_refuse_what_is_not_a_seat)
{
    char err[1024] = "";
    fw_scenario_t *sc = s_parse_at("x.yaml",
                                   "extends: child.yaml\n"
                                   "strategy_params: {c: {price_step: 0.5}}\n"
                                   "drop_deal_events: false\n",
                                   err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    int c = fw_scenario_seat(sc, "c");
    cr_expect_eq(fw_seat_param(&sc->seats[c], "price_step", 0), 0.5);
    size_t deals = 0;
    for (size_t i = 0; i < sc->n_events; i++)
        deals += sc->events[i].kind == FW_EVENT_DEAL;
    cr_expect_gt(deals, 0, "false keeps the deal events");
    fw_scenario_destroy(&sc);

    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nstrategy_params: {q: {a: 1}}\n"),
                     "x.yaml:2:19: strategy_params: 'q' is not a seat");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nstrategy_params: {c: {jitter: x}}\n"),
                     "x.yaml:2:31: expected a number for 'jitter', got 'x'");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\nstrategy_params: [c]\n"),
                     "x.yaml:2:18: expected a mapping for 'strategy_params', got a list");
    cr_expect_str_eq(s_err_at("x.yaml", "extends: base.yaml\ndrop_deal_events: maybe\n"),
                     "x.yaml:2:19: expected true or false for 'drop_deal_events', got 'maybe'");
}

/* A strategy parameter its strategy does not read is refused where it is written, with
 * the likely key and the list (a misspelt one used to leave the default, silently). */
Test(fw_scenario, unknown_strategy_params_are_refused)
{
    const char *err = s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,\n"
                                     "     strategy: {params: {price_stp: 0.05}}}\n");
    cr_expect(strncmp(err, "t.yaml:6:26: unknown parameter 'price_stp' for strategy 'vendor' "
                           "of seat 'v' (did you mean 'price_step'?); it reads: ",
                      strlen("t.yaml:6:26: unknown parameter 'price_stp' for strategy "
                             "'vendor' of seat 'v' (did you mean 'price_step'?); it reads: "))
                  == 0, "%s", err);
    cr_expect_not_null(strstr(err, "opening_markup"), "the known keys are listed: %s", err);
    /* A key of another role's strategy is no key of this one; nothing close: no guess. */
    err = s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,"
                         " strategy: {params: {max_price: 5}}}\n");
    cr_expect_not_null(strstr(err, "unknown parameter 'max_price' for strategy 'vendor'"),
                       "%s", err);
    cr_expect_null(strstr(err, "did you mean"), "%s", err);
    /* A variant's strategy_params are checked the same way. */
    err = s_err(RUN FAMS SEATS "strategy_params:\n  c: {target_utilization: 0.9}\n");
    cr_expect_not_null(strstr(err, "t.yaml:9:7: unknown parameter 'target_utilization' for "
                                   "strategy 'hyperscaler' of seat 'c' (did you mean "
                                   "'target_utilisation'?)"), "%s", err);
    /* idle reads nothing; a strategy that is not built in reads its own keys. */
    err = s_err(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,"
                         " strategy: {name: idle, params: {x: 1}}}\n");
    cr_expect_not_null(strstr(err, "strategy 'idle' of seat 'v' reads none"), "%s", err);
    fw_scenario_t *sc = s_ok(RUN FAMS "seats:\n  - {id: v, role: vendor, cash: 1B,"
                                      " strategy: {name: mine, params: {anything: 1}}}\n");
    fw_scenario_destroy(&sc);
}
