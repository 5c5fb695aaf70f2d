/* fw_invest: how an investor chooses whom to back, and how a lab judges an offer.
 *
 * Both are pure functions of plain numbers, which the strategies read off their
 * observation (fw_strategy_invest for clouds and vendors, the lab's answers), so the
 * economics are tested without a market and do not depend on any company's name.
 *
 * The investor holds a portfolio of stakes in labs. Over its horizon one lab leads the
 * market: the odds of lab i are p_i = s_i / sum_j s_j, with
 *   s_i = (its share of AI revenue + share_floor)^share_weight x capability_i^capability_weight:
 * who leads later depends on its models more than on today's revenue, which is
 * evidence too (customers, distribution) but weaker. A stake ends worth `upside` times its cost if
 * its lab leads and `downside` times if not, plus the revenue the deal locks in
 * (credits spent on the investor's cloud, the share of spend it stipulates, the chips
 * the lab's compute runs on): `lockin` per dollar for the largest lab, in proportion to
 * share for the others. Since one lab leads, the stakes are negatively correlated:
 *   mean_i = p_i upside + (1 - p_i) downside - 1 + lockin_i
 *   cov_ij = (upside - downside)^2 (p_i [i = j] - p_i p_j) + idio^2 [i = j]
 * (idio: each lab's own execution risk). The investor chooses the fractions w of its
 * budget that maximise  w.mean - risk_aversion/2 w.cov.w  with w >= 0 and sum w <= 1.
 * When the odds are split, a stake in each rival hedges the others (picks and
 * shovels); when one lab is the clear leader the others only cost, and it backs one.
 *
 * A lab values an offer as the money it brings, worth more than its face to a lab
 * that needs it, less the equity it sells and the cost of its terms:
 *   money    = amount x (1 - credit_fraction x (1 - usability)) x
 *              (1 + premium + need_premium x need)
 *   dilution = amount / offered post-money valuation x (own valuation + amount)
 *   mandate  = chip share x spend x duration x chip premium, the premium being how
 *              much dearer useful compute is on the mandated family than on the best
 *              the lab can buy (effective price: price over the lab's efficiency)
 *   tie      = cloud share (1 if exclusive) x spend x duration x dependence
 * and takes it when money - dilution - mandate - tie >= 0. need is how far its cash
 * falls short of `runway` ticks of spending, in [0, 1]. */
#ifndef FW_INVEST_H
#define FW_INVEST_H

#include <stddef.h>

/* What an investor reads about one lab. */
typedef struct {
    double share;      /* of AI revenue last tick, [0, 1] */
    double capability; /* public capability index (> 0) */
} fw_invest_lab_t;

typedef struct {
    double share_floor;   /* added to every share, so a new lab has some odds */
    double share_weight;      /* how much today's share of revenue tells of who leads */
    double capability_weight; /* how much capability does */
    double upside;        /* a leader's stake multiple over the horizon */
    double downside;      /* anyone else's */
    double idio;          /* each lab's own risk, as a standard deviation per dollar */
    double risk_aversion; /* the investor's */
    double lockin;        /* revenue locked in per dollar invested, for the largest lab */
} fw_invest_params_t;

/* The defaults: see docs/model.md ("Investors decide") for the reasoning. */
fw_invest_params_t fw_invest_defaults(void);

/* The odds of each of n labs leading, into p (n entries, summing to 1 when n > 0). */
void fw_invest_odds(const fw_invest_lab_t *labs, size_t n, const fw_invest_params_t *prm,
                    double *p);

/* The portfolio: w[i] is the fraction of the budget to hold in lab i (w >= 0,
 * sum <= 1; all 0 when nothing pays). n is at most FW_INVEST_MAX_LABS: the caller
 * passes the candidates (the labs with the best prospects); `p` holds their odds
 * among all labs (fw_invest_odds over every lab). */
#define FW_INVEST_MAX_LABS 8
void fw_invest_weights(const fw_invest_lab_t *labs, const double *p, size_t n,
                       const fw_invest_params_t *prm, double *w);

/* An offer as the lab weighs it. */
typedef struct {
    double amount;          /* dollars */
    double credit_fraction; /* paid as credits on the investor's cloud */
    double valuation;       /* post-money offered; <= 0: the lab's own plus the amount */
    double usability;       /* of those credits, [0, 1]: how much of them it would spend
                             * on that cloud at a price it would pay anyway */
    double cloud_share;     /* of its spend required on the investor's cloud (1: exclusive) */
    double chip_share;      /* of its compute required on the mandated family */
    double chip_premium;    /* effective price there over the best effective price, - 1 */
    double duration;        /* ticks the stipulations last */
} fw_offer_t;

/* The lab's side. */
typedef struct {
    double valuation; /* its own, dollars */
    double cash;
    double spend;     /* compute spending per tick */
} fw_lab_side_t;

typedef struct {
    double premium;      /* what a dollar of capital is worth beyond its face */
    double need_premium; /* more, for a lab short of cash */
    double runway;       /* ticks of spending a lab wants in cash */
    double dependence;   /* cost per tick of each dollar of spend tied to one cloud */
} fw_judge_params_t;

fw_judge_params_t fw_judge_defaults(void);

/* The offer's net value to the lab, in dollars (take it when >= 0). */
double fw_offer_value(const fw_offer_t *o, const fw_lab_side_t *lab,
                      const fw_judge_params_t *prm);

#endif
