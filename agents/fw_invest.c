/* fw_invest: see fw_invest.h. */
#include "fw_invest.h"

#include <math.h>

fw_invest_params_t fw_invest_defaults(void)
{
    return (fw_invest_params_t){
        .share_floor = 0.05,
        .share_weight = 0.5,
        .capability_weight = 2.0,
        .upside = 3.0,
        .downside = 0.3,
        .idio = 0.5,
        .risk_aversion = 2.0,
        .lockin = 0.2,
    };
}

fw_judge_params_t fw_judge_defaults(void)
{
    return (fw_judge_params_t){
        .premium = 0.2,
        .need_premium = 0.5,
        .runway = 12.0,
        .dependence = 0.02,
    };
}

void fw_invest_odds(const fw_invest_lab_t *labs, size_t n, const fw_invest_params_t *prm,
                    double *p)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        double share = labs[i].share > 0 ? labs[i].share : 0.0;
        double cap = labs[i].capability > 0 ? labs[i].capability : 0.0;
        p[i] = pow(share + prm->share_floor, prm->share_weight) * pow(cap, prm->capability_weight);
        total += p[i];
    }
    for (size_t i = 0; i < n; i++)
        p[i] = total > 0 ? p[i] / total : 1.0 / (double)n;
}

/* The best w >= 0 for  w.(mean - nu) - lambda/2 w.cov.w, by coordinate ascent: the
 * objective is strictly concave (cov has idio^2 on its diagonal), so the answer is
 * unique and does not depend on the order the labs come in. */
static void s_solve(const double *mean, const double *cov, size_t n, double lambda,
                    double nu, double *w)
{
    for (size_t i = 0; i < n; i++)
        w[i] = 0.0;
    for (int sweep = 0; sweep < 1000; sweep++) {
        double change = 0.0;
        for (size_t i = 0; i < n; i++) {
            double g = mean[i] - nu;
            for (size_t j = 0; j < n; j++)
                if (j != i)
                    g -= lambda * cov[i * n + j] * w[j];
            double v = fmax(0.0, g / (lambda * cov[i * n + i]));
            change = fmax(change, fabs(v - w[i]));
            w[i] = v;
        }
        if (change < 1e-13)
            break;
    }
}

static double s_sum(const double *w, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += w[i];
    return s;
}

void fw_invest_weights(const fw_invest_lab_t *labs, const double *p, size_t n,
                       const fw_invest_params_t *prm, double *w)
{
    double mean[FW_INVEST_MAX_LABS] = {0}, cov[FW_INVEST_MAX_LABS * FW_INVEST_MAX_LABS] = {0};
    if (n > FW_INVEST_MAX_LABS)
        n = FW_INVEST_MAX_LABS;
    if (n == 0)
        return;
    double spread = prm->upside - prm->downside, top = 0.0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, labs[i].share);
    for (size_t i = 0; i < n; i++) {
        double lock = top > 0 ? prm->lockin * labs[i].share / top : prm->lockin;
        mean[i] = p[i] * prm->upside + (1.0 - p[i]) * prm->downside - 1.0 + lock;
        for (size_t j = 0; j < n; j++)
            cov[i * n + j] = spread * spread * ((i == j ? p[i] : 0.0) - p[i] * p[j]) +
                             (i == j ? prm->idio * prm->idio : 0.0);
    }
    double lambda = prm->risk_aversion > 0 ? prm->risk_aversion : 1e-9;
    s_solve(mean, cov, n, lambda, 0.0, w);
    if (s_sum(w, n) <= 1.0)
        return;
    /* The budget binds: the price of a dollar of it (nu) that makes the weights sum
     * to 1, by bisection (the sum falls as nu rises, to 0 at the largest mean). */
    double lo = 0.0, hi = 0.0;
    for (size_t i = 0; i < n; i++)
        hi = fmax(hi, mean[i]);
    for (int it = 0; it < 80; it++) {
        double mid = 0.5 * (lo + hi);
        s_solve(mean, cov, n, lambda, mid, w);
        if (s_sum(w, n) > 1.0)
            lo = mid;
        else
            hi = mid;
    }
    s_solve(mean, cov, n, lambda, hi, w);
}

double fw_offer_value(const fw_offer_t *o, const fw_lab_side_t *lab,
                      const fw_judge_params_t *prm)
{
    double amount = fmax(0.0, o->amount);
    double spend = fmax(0.0, lab->spend);
    double need = 0.0;
    if (spend > 0 && prm->runway > 0)
        need = fmin(1.0, fmax(0.0, 1.0 - lab->cash / (prm->runway * spend)));
    double usable = 1.0 - fmin(1.0, fmax(0.0, o->credit_fraction)) *
                              (1.0 - fmin(1.0, fmax(0.0, o->usability)));
    double money = amount * usable * (1.0 + prm->premium + prm->need_premium * need);
    double post = o->valuation > 0 ? o->valuation : lab->valuation + amount;
    double dilution = post > 0 ? amount / post * (lab->valuation + amount) : amount;
    double duration = fmax(0.0, o->duration);
    double mandate = fmin(1.0, fmax(0.0, o->chip_share)) * spend * duration *
                     fmax(0.0, o->chip_premium);
    double tie = fmin(1.0, fmax(0.0, o->cloud_share)) * spend * duration * prm->dependence;
    return money - dilution - mandate - tie;
}
