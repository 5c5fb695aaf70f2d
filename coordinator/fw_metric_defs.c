/* fw_metric_defs: see the header. The meanings follow docs/outputs.md's table. */
#include "fw_metric_defs.h"

#include <string.h>

static const fw_metric_def_t s_defs[] = {
    {"tick", "tick", "", FW_METRIC_LAST, "the tick (month) of the run, from 1"},
    {"month", "YYYY-MM", "", FW_METRIC_LAST, "the calendar month of the tick"},
    {"compute_sold", "H100-eq-months/month", "", FW_METRIC_SUM,
     "compute sold by all clouds this tick"},
    {"chips_sold", "chips/month", "", FW_METRIC_SUM,
     "chips sold by all vendors this tick, incl. buyers outside the scenario"},
    {"asic_share", "share", "", FW_METRIC_MEAN,
     "captive families' share of the compute (H100-eq) in the chips sold this tick"},
    {"asic_unit_share", "share", "", FW_METRIC_MEAN,
     "captive families' share of the chips sold this tick, one chip one unit"},
    {"compute_share", "share", "cloud", FW_METRIC_MEAN,
     "the cloud's share of the AI compute sold this tick (H100-eq)"},
    {"installed_share", "share", "family", FW_METRIC_MEAN,
     "the family's share of the compute in service at all clouds (H100-eq)"},
    {"chip_revenue_share", "share", "family", FW_METRIC_MEAN,
     "the family's share of vendors' chip revenue this tick"},
    {"ai_spending", "USD/month", "", FW_METRIC_SUM, "end customers' AI spending this tick"},
    {"cloud_market", "USD/month", "", FW_METRIC_SUM,
     "all cloud revenue this tick, incl. clouds outside the scenario"},
    {"credits_outstanding", "USD", "", FW_METRIC_LAST, "credits granted and not yet used"},
    {"compute_price", "USD/H100-eq-month", "", FW_METRIC_MEAN,
     "average price paid for compute this tick"},
    {"capex_all", "USD/month", "", FW_METRIC_SUM, "every company's capex this tick"},
    {"cloud_share", "share", "cloud", FW_METRIC_MEAN,
     "the cloud's share of all cloud revenue this tick (money)"},
    {"capex", "USD/month", "cloud", FW_METRIC_SUM,
     "chips bought x (1 + facility_capex) this tick"},
    {"ai_ops_value", "USD/month", "cloud", FW_METRIC_SUM,
     "value of the cloud's unsold compute used in its own operations"},
    {"stake_value", "USD", "investor", FW_METRIC_LAST,
     "equity the cloud or vendor holds in labs, at market"},
    {"maturity", "index 0-1", "family", FW_METRIC_LAST, "the family's software maturity"},
    {"family_compute", "H100-eq-months/month", "family", FW_METRIC_SUM,
     "compute the labs ran on the family this tick"},
    {"hhi_cloud", "index 0-1", "", FW_METRIC_MEAN,
     "concentration (Herfindahl) of compute_share across the clouds"},
    {"hhi_lab", "index 0-1", "", FW_METRIC_MEAN,
     "concentration (Herfindahl) of lab_share across the labs"},
    {"lab_share", "share", "lab", FW_METRIC_MEAN,
     "the lab's share of the scenario's labs' revenue from end customers this tick"},
    {"capability", "index", "lab", FW_METRIC_LAST,
     "capability (1.0 = the frontier at the start of 2024)"},
    {"compute", "H100-eq-months/month", "lab", FW_METRIC_SUM, "compute the lab bought this tick"},
    {"compliance", "flag 0/1", "lab", FW_METRIC_MEAN,
     "1 if the lab met every stipulation this tick (its mean: the part of months)"},
    {"faltering", "flag 0/1", "lab", FW_METRIC_MEAN,
     "1 if the lab is out of cash with no investor (its mean: the part of months)"},
    {"round_trip", "USD/USD invested", "investor.lab or investor", FW_METRIC_LAST,
     "revenue back since the pair's first investment per dollar invested, after this tick"},
    {"cash", "USD", "company", FW_METRIC_LAST, "the company's cash after the tick"},
    {"revenue", "USD/month", "company", FW_METRIC_SUM, "revenue booked this tick"},
    {"profit", "USD/month", "company", FW_METRIC_SUM,
     "revenue minus costs (incl. depreciation and penalties) this tick"},
    {"valuation", "USD", "company", FW_METRIC_LAST,
     "revenue multiple (labs: at least their last round)"},
};

const fw_metric_def_t *fw_metric_def(const char *column)
{
    if (!column)
        return NULL;
    const char *dot = strchr(column, '.');
    size_t len = dot ? (size_t)(dot - column) : strlen(column);
    for (size_t i = 0; i < sizeof s_defs / sizeof s_defs[0]; i++)
        if (strlen(s_defs[i].prefix) == len && memcmp(s_defs[i].prefix, column, len) == 0)
            return &s_defs[i];
    return NULL;
}

const fw_metric_def_t *fw_metric_defs(size_t *n)
{
    *n = sizeof s_defs / sizeof s_defs[0];
    return s_defs;
}

const char *fw_metric_agg_name(fw_metric_agg_t agg)
{
    switch (agg) {
    case FW_METRIC_SUM: return "total";
    case FW_METRIC_MEAN: return "mean";
    default: return "last";
    }
}
