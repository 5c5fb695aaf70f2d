/* fw_known_params: see the header. */
#include "fw_known_params.h"

#include <string.h>

/* Keep in step with agents/strategy_hyperscaler.c, strategy_vendor.c, strategy_lab.c
 * and fw_strategy.c (fw_strategy_invest, read by the clouds and the vendors). */
#define S_INVEST_KEYS                                                                      \
    "invest_amount", "invest_belief_noise", "invest_capability_weight", "invest_cash_share", \
        "invest_credit_fraction", "invest_downside", "invest_duration", "invest_every",      \
        "invest_from", "invest_lockin", "invest_min_chip_share", "invest_min_cloud_share",   \
        "invest_min_ticket", "invest_penalty_share", "invest_return_share",                  \
        "invest_risk_aversion", "invest_share_weight", "invest_slack", "invest_upside"

static const char *const s_hyperscaler[] = {
    "capex_backlog", "capex_cash_share", "capex_growth", "capex_max_factor",
    "capex_min_factor", "capex_per_tick", "capex_return", "capex_util", "captive_bonus",
    "compute_price", "internal_use", "jitter", "min_installed", "min_price", "order_premium",
    "price_step", "reinvest_share", "return_hurdle", "sells_compute", "target_utilisation",
    S_INVEST_KEYS};
static const char *const s_vendor[] = {"jitter", "min_margin", "opening_markup", "price_step",
                                       "slack", "sold_out", S_INVEST_KEYS};
static const char *const s_lab[] = {"accept_floor", "bid_premium", "capital_premium",
                                    "dependence_cost", "margin", "max_price", "need_premium",
                                    "runway", "train_ratio"};

#define S_LIST(a) a, sizeof a / sizeof a[0]
static const struct {
    const char *strategy;
    const char *const *keys;
    size_t n;
} s_lists[] = {
    {"hyperscaler", S_LIST(s_hyperscaler)},
    {"vendor", S_LIST(s_vendor)},
    {"lab", S_LIST(s_lab)},
    {"idle", NULL, 0}, /* reads nothing */
};

const char *const *fw_known_params(const char *strategy, size_t *n)
{
    static const char *const none[] = {NULL};
    for (size_t i = 0; strategy && i < sizeof s_lists / sizeof s_lists[0]; i++)
        if (strcmp(s_lists[i].strategy, strategy) == 0) {
            *n = s_lists[i].n;
            return s_lists[i].keys ? s_lists[i].keys : none;
        }
    *n = 0;
    return NULL;
}

/* Levenshtein distance, stopping at 3 (only "close" matters); keys are short. */
static size_t s_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];
    if (la > 64 || lb > 64)
        return 3;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best >= 3)
            return 3;
    }
    return row[lb];
}

const char *fw_known_params_nearest(const char *const *keys, size_t n, const char *key)
{
    const char *nearest = NULL;
    size_t best = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = s_distance(keys[i], key);
        if (d < best && 2 * d < strlen(key)) {
            best = d;
            nearest = keys[i];
        }
    }
    return nearest;
}
