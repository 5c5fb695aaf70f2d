/* Tests of fw_synth: the same seed gives the same bytes, the roles come in the
 * proportions asked for, every size loads through the scenario loader, the market is
 * sized with N, and bad arguments are refused with nothing written. */
#include "fw_synth.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_scenario.h"

/* The scenario text of (companies, seed, ticks), malloc'd; *rc gets the return code. */
static char *s_text(uint32_t companies, uint64_t seed, uint32_t ticks, int *rc, size_t *len)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    cr_assert_not_null(f);
    fw_synth_config_t cfg = {.companies = companies, .seed = seed, .ticks = ticks};
    *rc = fw_synth_write(f, &cfg);
    cr_assert_eq(fclose(f), 0);
    if (len)
        *len = n;
    return text;
}

/* The scenario of (companies, seed), loaded: the test fails with the loader's
 * message if it does not load. */
static fw_scenario_t *s_load(uint32_t companies, uint64_t seed)
{
    int rc;
    size_t len;
    char err[512] = "", name[64];
    char *text = s_text(companies, seed, 0, &rc, &len);
    cr_assert_eq(rc, FW_SYNTH_OK, "N=%u: %s", companies, fw_synth_strerror(rc));
    snprintf(name, sizeof name, "synth-%u.yaml", companies);
    fw_scenario_t *sc = fw_scenario_parse(name, text, len, err, sizeof err);
    cr_assert_not_null(sc, "N=%u does not load: %s", companies, err);
    free(text);
    return sc;
}

static size_t s_count(const fw_scenario_t *sc, fw_role_t role)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->n_seats; i++)
        n += sc->seats[i].role == role;
    return n;
}

Test(fw_synth, same_seed_gives_the_same_bytes)
{
    static const uint32_t sizes[] = {3, 13, 64, 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int rc1, rc2;
        size_t len1, len2;
        char *a = s_text(sizes[i], 42, 0, &rc1, &len1);
        char *b = s_text(sizes[i], 42, 0, &rc2, &len2);
        cr_assert_eq(rc1, FW_SYNTH_OK);
        cr_assert_eq(rc2, FW_SYNTH_OK);
        cr_assert_eq(len1, len2, "N=%u: %zu bytes, then %zu", sizes[i], len1, len2);
        cr_assert_eq(memcmp(a, b, len1), 0, "N=%u: two runs differ", sizes[i]);
        free(a);
        free(b);
    }
}

Test(fw_synth, another_seed_gives_another_market)
{
    int rc;
    size_t len1, len2;
    char *a = s_text(64, 1, 0, &rc, &len1);
    char *b = s_text(64, 2, 0, &rc, &len2);
    /* The headers differ by the seed; the figures must differ too. */
    const char *seats_a = strstr(a, "\nseats:"), *seats_b = strstr(b, "\nseats:");
    cr_assert(seats_a && seats_b);
    cr_assert_neq(strcmp(seats_a, seats_b), 0, "seeds 1 and 2 gave the same companies");
    free(a);
    free(b);
}

Test(fw_synth, roles_are_an_eighth_vendors_a_quarter_clouds_the_rest_labs)
{
    static const uint32_t sizes[] = {3, 8, 13, 64, 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t n = sizes[i], v, c, l;
        fw_scenario_t *sc = s_load(n, 7);
        size_t vendors = s_count(sc, FW_ROLE_VENDOR), clouds = s_count(sc, FW_ROLE_HYPERSCALER);
        size_t labs = s_count(sc, FW_ROLE_LAB);
        cr_assert_eq(sc->n_seats, n);
        cr_assert(vendors >= 1 && clouds >= 1 && labs >= 1, "N=%u: %zu/%zu/%zu", n, vendors,
                  clouds, labs);
        /* round(N/8) and round(N/4), except where that is 0 */
        cr_assert_leq(8.0 * (double)vendors, (double)n + 8.0, "N=%u: %zu vendors", n, vendors);
        cr_assert_geq(8.0 * (double)vendors, (double)n - 4.0, "N=%u: %zu vendors", n, vendors);
        cr_assert_leq(4.0 * (double)clouds, (double)n + 4.0, "N=%u: %zu clouds", n, clouds);
        cr_assert_geq(4.0 * (double)clouds, (double)n - 2.0, "N=%u: %zu clouds", n, clouds);
        cr_assert_eq(vendors + clouds + labs, n);
        cr_assert_eq(fw_synth_roles(n, &v, &c, &l), FW_SYNTH_OK);
        cr_assert(v == vendors && c == clouds && l == labs, "fw_synth_roles agrees at N=%u", n);
        fw_scenario_destroy(&sc);
    }
    uint32_t v, c, l;
    cr_assert_eq(fw_synth_roles(8, &v, &c, &l), FW_SYNTH_OK);
    cr_assert(v == 1 && c == 2 && l == 5);
    cr_assert_eq(fw_synth_roles(1024, &v, &c, &l), FW_SYNTH_OK);
    cr_assert(v == 128 && c == 256 && l == 640);
}

Test(fw_synth, every_size_loads)
{
    static const uint32_t big[] = {64, 100, 256, 511, 512, 1000, 1024};
    for (uint32_t n = FW_SYNTH_MIN_COMPANIES; n <= 40; n++) {
        fw_scenario_t *sc = s_load(n, n);
        cr_assert_eq(sc->n_seats, n);
        fw_scenario_destroy(&sc);
    }
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        fw_scenario_t *sc = s_load(big[i], 1);
        cr_assert_eq(sc->n_seats, big[i]);
        cr_assert_leq(sc->n_families, FW_MAX_FAMILIES);
        fw_scenario_destroy(&sc);
    }
}

Test(fw_synth, a_written_file_loads)
{
    char path[] = "/tmp/fw_synth_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fw_synth_config_t cfg = {.companies = 1024, .seed = 1, .ticks = 3};
    cr_assert_eq(fw_synth_write(f, &cfg), FW_SYNTH_OK);
    cr_assert_eq(fclose(f), 0);
    char err[512] = "";
    fw_scenario_t *sc = fw_scenario_load(path, err, sizeof err);
    unlink(path);
    cr_assert_not_null(sc, "%s", err);
    cr_assert_eq(sc->n_seats, 1024);
    cr_assert_eq(sc->ticks, 3);
    cr_assert_eq(sc->seed, 1);
    fw_scenario_destroy(&sc);
}

Test(fw_synth, the_header_says_how_it_was_made)
{
    int rc;
    char *text = s_text(64, 9, 12, &rc, NULL);
    cr_assert_eq(rc, FW_SYNTH_OK);
    cr_assert_eq(strncmp(text, "# ", 2), 0, "the file opens with a comment");
    const char *body = strstr(text, "\nrun:");
    cr_assert_not_null(body);
    const char *cmd = strstr(text, "flywheel scenario synth --companies 64 --seed 9 --ticks 12");
    const char *nc = strstr(text, "NOT calibrated");
    cr_assert(cmd && cmd < body, "the command line is in the opening comment:\n%.*s",
              (int)(body - text), text);
    cr_assert(nc && nc < body);
    free(text);
}

Test(fw_synth, ids_are_readable_and_names_follow_them)
{
    fw_scenario_t *sc = s_load(64, 3);
    cr_assert_str_eq(sc->seats[0].id, "vendor1");
    cr_assert_str_eq(sc->seats[0].name, "Vendor 1");
    int lab = fw_scenario_seat(sc, "lab17");
    cr_assert_geq(lab, 0);
    cr_assert_str_eq(sc->seats[lab].name, "Lab 17");
    cr_assert_eq(sc->seats[lab].role, FW_ROLE_LAB);
    int cloud = fw_scenario_seat(sc, "cloud3");
    cr_assert_geq(cloud, 0);
    cr_assert_str_eq(sc->seats[cloud].name, "Cloud 3");
    fw_scenario_destroy(&sc);
}

/* The market grows with N: customers' spending is the labs' opening revenue, clouds
 * have twice the labs' demand installed, every lab has a home cloud, and every cloud
 * has at least one lab under contract when there are at least as many labs. */
Test(fw_synth, the_market_is_sized_with_n)
{
    static const uint32_t sizes[] = {3, 13, 64, 256, 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        fw_scenario_t *sc = s_load(sizes[i], 5);
        double income = 0, demand = 0, installed = 0;
        size_t labs = 0, clouds = 0, contracted = 0;
        for (size_t s = 0; s < sc->n_seats; s++) {
            const fw_seat_t *seat = &sc->seats[s];
            if (seat->role == FW_ROLE_LAB) {
                labs++;
                cr_assert_gt(seat->demand, 0);
                cr_assert_gt(seat->cash, seat->demand * seat->revenue_per_compute,
                             "%s starts faltering", seat->id);
                income += (double)seat->demand * (double)seat->revenue_per_compute;
                demand += (double)seat->demand;
            } else if (seat->role == FW_ROLE_HYPERSCALER) {
                clouds++;
                cr_assert_gt(seat->n_installed, 0, "%s has no compute", seat->id);
                for (size_t k = 0; k < seat->n_installed; k++)
                    installed += (double)seat->installed[k].units *
                                 sc->families[seat->installed[k].family].perf_milli / 1000.0;
            }
        }
        cr_assert_float_eq((double)sc->market.ai_spending, income, 0.5,
                           "N=%u: ai_spending %lld, labs' revenue %.0f", sizes[i],
                           (long long)sc->market.ai_spending, income);
        cr_assert(installed > 1.7 * demand && installed < 2.3 * demand,
                  "N=%u: %.0f installed for %.0f demand", sizes[i], installed, demand);
        cr_assert_eq(sc->n_deals, labs, "one compute contract per lab");
        bool *has = calloc(sc->n_seats, sizeof *has);
        for (size_t d = 0; d < sc->n_deals; d++) {
            const fw_terms_t *t = &sc->deals[d].terms;
            cr_assert_eq(sc->seats[t->investor].role, FW_ROLE_HYPERSCALER);
            if (!has[t->investor])
                contracted++;
            has[t->investor] = true;
        }
        free(has);
        if (labs >= clouds)
            cr_assert_eq(contracted, clouds, "N=%u: %zu of %zu clouds have a lab", sizes[i],
                         contracted, clouds);
        fw_scenario_destroy(&sc);
    }
}

Test(fw_synth, refuses_bad_arguments_and_writes_nothing)
{
    static const struct { uint32_t companies, ticks; } bad[] = {
        {0, 0}, {2, 0}, {FW_SYNTH_MAX_COMPANIES + 1, 0}, {64, FW_SYNTH_MAX_TICKS + 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        size_t len;
        char *text = s_text(bad[i].companies, 1, bad[i].ticks, &rc, &len);
        cr_assert_eq(rc, FW_SYNTH_EINVAL, "N=%u, ticks=%u", bad[i].companies, bad[i].ticks);
        cr_assert_eq(len, 0, "nothing written for N=%u", bad[i].companies);
        free(text);
    }
    uint32_t v, c, l;
    cr_assert_eq(fw_synth_roles(2, &v, &c, &l), FW_SYNTH_EINVAL);
    cr_assert_str_eq(fw_synth_strerror(FW_SYNTH_EINVAL), "companies or ticks out of range");
}

Test(fw_synth, a_full_disk_is_a_write_error)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        cr_skip_test("no /dev/full here");
    fw_synth_config_t cfg = {.companies = 256, .seed = 1};
    cr_assert_eq(fw_synth_write(f, &cfg), FW_SYNTH_EIO);
    fclose(f);
}

Test(fw_synth, the_longest_run_ends_in_a_month_a_scenario_can_write)
{
    int rc;
    size_t len;
    char err[512] = "";
    char *text = s_text(13, 1, FW_SYNTH_MAX_TICKS, &rc, &len);
    cr_assert_eq(rc, FW_SYNTH_OK);
    fw_scenario_t *sc = fw_scenario_parse("long.yaml", text, len, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    cr_assert_eq(sc->ticks, FW_SYNTH_MAX_TICKS);
    fw_scenario_destroy(&sc);
    free(text);
}
