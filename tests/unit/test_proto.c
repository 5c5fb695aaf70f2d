/* Tests of fw_proto: every body kind round-trips through pack/unpack, delimited
 * records and a real ZeroMQ DEALER/ROUTER pair; and everything a peer or a file can
 * get wrong (wrong version, oversize frames, garbage, truncation, extra frames,
 * silence, signals) gives its result code without crashing or allocating. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_proto.h"
#include "fw_version.h"

#define M(name) Flywheel__V1__##name

/* --- fixtures: one fully populated envelope per body kind ------------------ */

/* Storage for every nested message, so fixtures live on the stack without malloc. */
typedef struct {
    fw_envelope_t env;
    M(Hello) hello;
    M(Welcome) welcome;
    M(ChipFamily) fam[2], *fam_p[2];
    M(SeatInfo) seat[3], *seat_p[3];
    M(Refusal) refusal;
    M(TickStart) tick_start;
    M(MarketView) market;
    M(ChipQuote) cq[2], *cq_p[2];
    M(ComputeQuote) pq, *pq_p[1];
    M(Share) share[2], *cshare_p[1], *ishare_p[1];
    M(SeatView) me;
    M(Holding) hold[2], *inst_p[1], *inc_p[1];
    M(Capacity) capa, *capa_p[1];
    M(Actions) actions;
    M(ChipOffer) coffer, *coffer_p[1];
    M(ChipOrder) corder[2], *corder_p[2];
    M(ComputeOffer) poffer, *poffer_p[1];
    M(ComputeBid) bid[2], *bid_p[2];
    M(TickResult) result;
    M(Fill) fill[2], *fill_p[2];
    M(Rejection) rej, *rej_p[1];
    M(Snapshot) snap;
    M(CompanyState) company[2], *company_p[2];
    M(Metric) metric[2], *metric_p[2];
    M(ComputeFlow) flow, *flow_p[1];
    M(ChipFlow) chip_flow, *chip_flow_p[1];
    M(Bye) bye;
    M(RunHeader) header;
    char *header_seats[3];
    M(GameStatus) status;
    M(SeatStatus) seat_status[2], *seat_status_p[2];
} fx_t;

static const M(Envelope__BodyCase) s_kinds[] = {
    FLYWHEEL__V1__ENVELOPE__BODY_HELLO,       FLYWHEEL__V1__ENVELOPE__BODY_WELCOME,
    FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL,     FLYWHEEL__V1__ENVELOPE__BODY_TICK_START,
    FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS,     FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT,
    FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT,    FLYWHEEL__V1__ENVELOPE__BODY_BYE,
    FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER,  FLYWHEEL__V1__ENVELOPE__BODY_STATUS,
};
#define N_KINDS (sizeof s_kinds / sizeof s_kinds[0])

static void fx_welcome(fx_t *fx)
{
    M(Welcome) *w = &fx->welcome;
    *w = (M(Welcome))FLYWHEEL__V1__WELCOME__INIT;
    w->seat = "aws";
    w->role = FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
    w->seat_seed = 0xdeadbeefcafef00dull;
    w->ticks = 36;
    w->scenario = "baseline";
    w->start_month = "2024-01";
    w->resume_token = "tok-1";
    w->params = "margin=0.2;growth=0.03";
    for (int i = 0; i < 2; i++) {
        fx->fam[i] = (M(ChipFamily))FLYWHEEL__V1__CHIP_FAMILY__INIT;
        fx->fam_p[i] = &fx->fam[i];
    }
    fx->fam[0].id = "hopper";
    fx->fam[0].vendor = "nvda";
    fx->fam[0].perf_milli = 1000;
    fx->fam[0].unit_cost = 3300;
    fx->fam[0].lead_time = 2;
    fx->fam[0].life = 48;
    fx->fam[1].id = "trainium2";
    fx->fam[1].vendor = "aws";
    fx->fam[1].perf_milli = 650;
    fx->fam[1].unit_cost = 1200;
    fx->fam[1].lead_time = 3;
    fx->fam[1].life = 48;
    fx->fam[1].captive_of = "aws";
    w->n_families = 2;
    w->families = fx->fam_p;
    static const char *ids[3] = {"nvda", "aws", "oai"};
    static const M(Role) roles[3] = {FLYWHEEL__V1__ROLE__ROLE_VENDOR,
                                     FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER,
                                     FLYWHEEL__V1__ROLE__ROLE_LAB};
    for (int i = 0; i < 3; i++) {
        fx->seat[i] = (M(SeatInfo))FLYWHEEL__V1__SEAT_INFO__INIT;
        fx->seat[i].id = (char *)ids[i];
        fx->seat[i].name = "Some Company Inc.";
        fx->seat[i].role = roles[i];
        fx->seat_p[i] = &fx->seat[i];
    }
    w->n_seats = 3;
    w->seats = fx->seat_p;
    fx->env.welcome = w;
}

static void fx_tick_start(fx_t *fx)
{
    M(TickStart) *t = &fx->tick_start;
    *t = (M(TickStart))FLYWHEEL__V1__TICK_START__INIT;
    t->tick = 7;
    t->month = "2024-07";
    t->deadline_unix_ms = 1764147600123;
    M(MarketView) *m = &fx->market;
    *m = (M(MarketView))FLYWHEEL__V1__MARKET_VIEW__INIT;
    for (int i = 0; i < 2; i++) {
        fx->cq[i] = (M(ChipQuote))FLYWHEEL__V1__CHIP_QUOTE__INIT;
        fx->cq[i].vendor = "nvda";
        fx->cq[i].family = i ? "blackwell" : "hopper";
        fx->cq[i].price = 25000 + 5000 * i;
        fx->cq[i].quantity = 100000 - i;
        fx->cq_p[i] = &fx->cq[i];
    }
    m->n_chip_quotes = 2;
    m->chip_quotes = fx->cq_p;
    fx->pq = (M(ComputeQuote))FLYWHEEL__V1__COMPUTE_QUOTE__INIT;
    fx->pq.provider = "aws";
    fx->pq.family = "hopper";
    fx->pq.price = 1500;
    fx->pq.capacity = 420000;
    fx->pq_p[0] = &fx->pq;
    m->n_compute_quotes = 1;
    m->compute_quotes = fx->pq_p;
    for (int i = 0; i < 2; i++)
        fx->share[i] = (M(Share))FLYWHEEL__V1__SHARE__INIT;
    fx->share[0].id = "aws";
    fx->share[0].value = 0.375;
    fx->share[1].id = "hopper";
    fx->share[1].value = 0.8125;
    fx->cshare_p[0] = &fx->share[0];
    fx->ishare_p[0] = &fx->share[1];
    m->n_compute_share = 1;
    m->compute_share = fx->cshare_p;
    m->n_installed_share = 1;
    m->installed_share = fx->ishare_p;
    t->market = m;

    M(SeatView) *me = &fx->me;
    *me = (M(SeatView))FLYWHEEL__V1__SEAT_VIEW__INIT;
    me->cash = -12345678901;
    me->revenue_last = 900000000;
    me->cost_last = 850000000;
    for (int i = 0; i < 2; i++)
        fx->hold[i] = (M(Holding))FLYWHEEL__V1__HOLDING__INIT;
    fx->hold[0].family = "hopper";
    fx->hold[0].units = 50000;
    fx->hold[0].compute = 50000;
    fx->hold[1].family = "trainium2";
    fx->hold[1].units = 2000;
    fx->hold[1].compute = 1300;
    fx->hold[1].arrives = 9;
    fx->inst_p[0] = &fx->hold[0];
    fx->inc_p[0] = &fx->hold[1];
    me->n_installed = 1;
    me->installed = fx->inst_p;
    me->n_incoming = 1;
    me->incoming = fx->inc_p;
    me->compute_last = 48000;
    me->demand = 60000;
    me->revenue_per_compute = 2100;
    fx->capa = (M(Capacity))FLYWHEEL__V1__CAPACITY__INIT;
    fx->capa.family = "hopper";
    fx->capa.units = 120000;
    fx->capa.unit_cost = 3300;
    fx->capa_p[0] = &fx->capa;
    me->n_capacity = 1;
    me->capacity = fx->capa_p;
    t->me = me;
    fx->env.tick_start = t;
}

static void fx_actions(fx_t *fx)
{
    M(Actions) *a = &fx->actions;
    *a = (M(Actions))FLYWHEEL__V1__ACTIONS__INIT;
    fx->coffer = (M(ChipOffer))FLYWHEEL__V1__CHIP_OFFER__INIT;
    fx->coffer.family = "hopper";
    fx->coffer.price = 27000;
    fx->coffer.quantity = 90000;
    fx->coffer_p[0] = &fx->coffer;
    a->n_chip_offers = 1;
    a->chip_offers = fx->coffer_p;
    for (int i = 0; i < 2; i++) {
        fx->corder[i] = (M(ChipOrder))FLYWHEEL__V1__CHIP_ORDER__INIT;
        fx->corder[i].family = i ? "trainium2" : "hopper";
        fx->corder[i].quantity = 1000 * (i + 1);
        fx->corder[i].max_price = 30000 - i;
        fx->corder_p[i] = &fx->corder[i];
    }
    a->n_chip_orders = 2;
    a->chip_orders = fx->corder_p;
    fx->poffer = (M(ComputeOffer))FLYWHEEL__V1__COMPUTE_OFFER__INIT;
    fx->poffer.family = "hopper";
    fx->poffer.price = 1600;
    fx->poffer.capacity = 40000;
    fx->poffer_p[0] = &fx->poffer;
    a->n_compute_offers = 1;
    a->compute_offers = fx->poffer_p;
    for (int i = 0; i < 2; i++) {
        fx->bid[i] = (M(ComputeBid))FLYWHEEL__V1__COMPUTE_BID__INIT;
        fx->bid[i].provider = i ? "gcp" : "aws";
        fx->bid[i].family = "hopper";
        fx->bid[i].quantity = 5000 + i;
        fx->bid[i].max_price = 1700 + i;
        fx->bid_p[i] = &fx->bid[i];
    }
    a->n_compute_bids = 2;
    a->compute_bids = fx->bid_p;
    fx->env.actions = a;
}

static void fx_tick_result(fx_t *fx)
{
    M(TickResult) *r = &fx->result;
    *r = (M(TickResult))FLYWHEEL__V1__TICK_RESULT__INIT;
    r->tick = 7;
    r->cash = 987654321012;
    for (int i = 0; i < 2; i++) {
        fx->fill[i] = (M(Fill))FLYWHEEL__V1__FILL__INIT;
        fx->fill[i].counterparty = "nvda";
        fx->fill[i].family = "hopper";
        fx->fill[i].quantity = 100 + i;
        fx->fill[i].price = 27000;
        fx->fill[i].amount = (100 + i) * 27000;
        fx->fill_p[i] = &fx->fill[i];
    }
    fx->fill[0].kind = FLYWHEEL__V1__FILL_KIND__FILL_CHIP_PURCHASE;
    fx->fill[1].kind = FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY;
    r->n_fills = 2;
    r->fills = fx->fill_p;
    fx->rej = (M(Rejection))FLYWHEEL__V1__REJECTION__INIT;
    fx->rej.action = "chip_orders[1]";
    fx->rej.reason = "trimmed to 12 units: cash";
    fx->rej_p[0] = &fx->rej;
    r->n_rejected = 1;
    r->rejected = fx->rej_p;
    fx->env.tick_result = r;
}

static void fx_snapshot(fx_t *fx)
{
    M(Snapshot) *s = &fx->snap;
    *s = (M(Snapshot))FLYWHEEL__V1__SNAPSHOT__INIT;
    s->tick = 36;
    s->month = "2026-12";
    s->ticks = 36;
    s->scenario = "baseline";
    for (int i = 0; i < 2; i++) {
        fx->company[i] = (M(CompanyState))FLYWHEEL__V1__COMPANY_STATE__INIT;
        fx->company[i].id = i ? "oai" : "aws";
        fx->company[i].role = i ? FLYWHEEL__V1__ROLE__ROLE_LAB : FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
        fx->company[i].cash = 1000000 * (i + 1);
        fx->company[i].revenue = 5000 + i;
        fx->company[i].cost = 4000 + i;
        fx->company[i].compute = 77 + i;
        fx->company[i].present = i == 0;
        fx->company_p[i] = &fx->company[i];
        fx->metric[i] = (M(Metric))FLYWHEEL__V1__METRIC__INIT;
        fx->metric[i].name = i ? "share.aws" : "round_trip.msft_oai";
        fx->metric[i].value = i ? 0.25 : 1.0 / 3.0;
        fx->metric_p[i] = &fx->metric[i];
    }
    s->n_companies = 2;
    s->companies = fx->company_p;
    s->n_metrics = 2;
    s->metrics = fx->metric_p;
    fx->flow = (M(ComputeFlow))FLYWHEEL__V1__COMPUTE_FLOW__INIT;
    fx->flow.lab = "oai";
    fx->flow.cloud = "azure";
    fx->flow.family = "hopper";
    fx->flow.quantity = 30000;
    fx->flow.amount = 30000 * 1600;
    fx->flow_p[0] = &fx->flow;
    s->n_flows = 1;
    s->flows = fx->flow_p;
    fx->chip_flow = (M(ChipFlow))FLYWHEEL__V1__CHIP_FLOW__INIT;
    fx->chip_flow.vendor = "nvda";
    fx->chip_flow.cloud = "aws";
    fx->chip_flow.family = "blackwell";
    fx->chip_flow.quantity = 800;
    fx->chip_flow.amount = 800 * 35000;
    fx->chip_flow_p[0] = &fx->chip_flow;
    s->n_chip_flows = 1;
    s->chip_flows = fx->chip_flow_p;
    s->state_hash = 0xcbf29ce484222325ull;
    s->final = true;
    fx->env.snapshot = s;
}

/* Fills fx with an envelope carrying a fully populated body of kind `kind`. */
static void fx_build(fx_t *fx, M(Envelope__BodyCase) kind)
{
    memset(fx, 0, sizeof *fx);
    fx->env = (fw_envelope_t)FLYWHEEL__V1__ENVELOPE__INIT;
    fx->env.protocol_version = FW_PROTOCOL_VERSION;
    fx->env.run_id = "run-20261126-0001";
    fx->env.tick = 7;
    fx->env.seq = 1234567890123ull;
    fx->env.seat = "aws";
    fx->env.body_case = kind;
    switch (kind) {
    case FLYWHEEL__V1__ENVELOPE__BODY_HELLO:
        fx->hello = (M(Hello))FLYWHEEL__V1__HELLO__INIT;
        fx->hello.seat = "aws";
        fx->hello.role = FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER;
        fx->hello.schema_hash = FW_SCHEMA_HASH;
        fx->hello.agent = "flywheel-agent 0.1.0";
        fx->env.hello = &fx->hello;
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME: fx_welcome(fx); break;
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL:
        fx->refusal = (M(Refusal))FLYWHEEL__V1__REFUSAL__INIT;
        fx->refusal.code = FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN;
        fx->refusal.reason = "seat 'aws' is held by another agent";
        fx->refusal.refused_seq = 1;
        fx->env.refusal = &fx->refusal;
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_START: fx_tick_start(fx); break;
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS: fx_actions(fx); break;
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT: fx_tick_result(fx); break;
    case FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT: fx_snapshot(fx); break;
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        fx->bye = (M(Bye))FLYWHEEL__V1__BYE__INIT;
        fx->bye.reason = "run complete";
        fx->env.bye = &fx->bye;
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER:
        fx->header = (M(RunHeader))FLYWHEEL__V1__RUN_HEADER__INIT;
        fx->header.scenario_path = "scenarios/baseline.yaml";
        fx->header.scenario_text = "run:\n  name: baseline\n  ticks: 36\n";
        fx->header.seed = 42;
        fx->header.ticks = 36;
        fx->header.flywheel_version = FW_VERSION;
        fx->header.schema_hash = FW_SCHEMA_HASH;
        fx->header.started_utc = "2026-11-26T09:00:00Z";
        fx->header_seats[0] = "nvda";
        fx->header_seats[1] = "aws";
        fx->header_seats[2] = "oai";
        fx->header.n_seats = 3;
        fx->header.seats = fx->header_seats;
        fx->env.run_header = &fx->header;
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS:
        fx->status = (M(GameStatus))FLYWHEEL__V1__GAME_STATUS__INIT;
        fx->status.phase = FLYWHEEL__V1__PHASE__PHASE_PAUSED;
        fx->status.tick = 7;
        fx->status.ticks = 24;
        fx->status.pacing = "deadline:1.5";
        fx->status.deadline_unix_ms = 1790000000123;
        fx->status.players_wanted = 2;
        for (int i = 0; i < 2; i++) {
            fx->seat_status[i] = (M(SeatStatus))FLYWHEEL__V1__SEAT_STATUS__INIT;
            fx->seat_status[i].seat = i ? "aws" : "openai";
            fx->seat_status[i].holder = i ? FLYWHEEL__V1__HOLDER__HOLDER_HOUSE
                                          : FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
            fx->seat_status[i].player = i ? "hyperscaler" : "alice";
            fx->seat_status[i].returning = i == 1;
            fx->seat_status_p[i] = &fx->seat_status[i];
        }
        fx->status.n_seats = 2;
        fx->status.seats = fx->seat_status_p;
        fx->env.status = &fx->status;
        break;
    default: cr_assert_fail("no fixture for body case %d", (int)kind);
    }
}

/* --- comparison ----------------------------------------------------------- */

static void check_body_fields(const fx_t *fx, const fw_envelope_t *got)
{
    const char *k = fw_proto_body_name(got);
    switch (got->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_HELLO:
        cr_assert_str_eq(got->hello->seat, "aws");
        cr_assert_eq(got->hello->role, FLYWHEEL__V1__ROLE__ROLE_HYPERSCALER);
        cr_assert_str_eq(got->hello->schema_hash, FW_SCHEMA_HASH);
        cr_assert_str_eq(got->hello->agent, fx->hello.agent);
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME: {
        const M(Welcome) *w = got->welcome;
        cr_assert_eq(w->seat_seed, fx->welcome.seat_seed);
        cr_assert_eq(w->ticks, 36);
        cr_assert_str_eq(w->params, fx->welcome.params);
        cr_assert_eq(w->n_families, 2);
        cr_assert_str_eq(w->families[1]->captive_of, "aws");
        cr_assert_eq(w->families[1]->perf_milli, 650);
        cr_assert_eq(w->n_seats, 3);
        cr_assert_str_eq(w->seats[2]->id, "oai");
        cr_assert_eq(w->seats[0]->role, FLYWHEEL__V1__ROLE__ROLE_VENDOR);
        break;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL:
        cr_assert_eq(got->refusal->code, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN);
        cr_assert_str_eq(got->refusal->reason, fx->refusal.reason);
        cr_assert_eq(got->refusal->refused_seq, 1);
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_START: {
        const M(TickStart) *t = got->tick_start;
        cr_assert_eq(t->tick, 7);
        cr_assert_str_eq(t->month, "2024-07");
        cr_assert_eq(t->deadline_unix_ms, fx->tick_start.deadline_unix_ms);
        cr_assert_not_null(t->market);
        cr_assert_eq(t->market->n_chip_quotes, 2);
        cr_assert_eq(t->market->chip_quotes[1]->price, 30000);
        cr_assert_str_eq(t->market->compute_quotes[0]->provider, "aws");
        cr_assert_eq(t->market->compute_share[0]->value, 0.375);
        cr_assert_eq(t->market->installed_share[0]->value, 0.8125);
        cr_assert_not_null(t->me);
        cr_assert_eq(t->me->cash, -12345678901);
        cr_assert_eq(t->me->incoming[0]->arrives, 9);
        cr_assert_eq(t->me->installed[0]->units, 50000);
        cr_assert_eq(t->me->capacity[0]->unit_cost, 3300);
        cr_assert_eq(t->me->revenue_per_compute, 2100);
        break;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS: {
        const M(Actions) *a = got->actions;
        cr_assert_eq(a->n_chip_offers, 1);
        cr_assert_eq(a->chip_offers[0]->quantity, 90000);
        cr_assert_eq(a->n_chip_orders, 2);
        cr_assert_str_eq(a->chip_orders[1]->family, "trainium2");
        cr_assert_eq(a->chip_orders[1]->max_price, 29999);
        cr_assert_eq(a->n_compute_offers, 1);
        cr_assert_eq(a->compute_offers[0]->capacity, 40000);
        cr_assert_eq(a->n_compute_bids, 2);
        cr_assert_str_eq(a->compute_bids[1]->provider, "gcp");
        cr_assert_eq(a->compute_bids[1]->max_price, 1701);
        break;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT: {
        const M(TickResult) *r = got->tick_result;
        cr_assert_eq(r->cash, 987654321012);
        cr_assert_eq(r->n_fills, 2);
        cr_assert_eq(r->fills[1]->kind, FLYWHEEL__V1__FILL_KIND__FILL_DELIVERY);
        cr_assert_eq(r->fills[1]->amount, 101 * 27000);
        cr_assert_eq(r->n_rejected, 1);
        cr_assert_str_eq(r->rejected[0]->action, "chip_orders[1]");
        break;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT: {
        const M(Snapshot) *s = got->snapshot;
        cr_assert_eq(s->n_companies, 2);
        cr_assert_eq(s->companies[1]->role, FLYWHEEL__V1__ROLE__ROLE_LAB);
        cr_assert(s->companies[0]->present && !s->companies[1]->present);
        cr_assert_eq(s->metrics[0]->value, 1.0 / 3.0, "doubles travel bit-exact");
        cr_assert_str_eq(s->flows[0]->cloud, "azure");
        cr_assert_eq(s->chip_flows[0]->amount, 800 * 35000);
        cr_assert_eq(s->state_hash, 0xcbf29ce484222325ull);
        cr_assert(s->final);
        break;
    }
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        cr_assert_str_eq(got->bye->reason, "run complete");
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER:
        cr_assert_str_eq(got->run_header->scenario_text, fx->header.scenario_text);
        cr_assert_eq(got->run_header->seed, 42);
        cr_assert_eq(got->run_header->n_seats, 3);
        cr_assert_str_eq(got->run_header->seats[1], "aws");
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS:
        cr_assert_eq(got->status->phase, FLYWHEEL__V1__PHASE__PHASE_PAUSED);
        cr_assert_eq(got->status->tick, 7);
        cr_assert_str_eq(got->status->pacing, "deadline:1.5");
        cr_assert_eq(got->status->n_seats, 2);
        cr_assert_str_eq(got->status->seats[0]->player, "alice");
        cr_assert(got->status->seats[1]->returning);
        break;
    default: cr_assert_fail("unexpected body %s", k);
    }
}

/* Asserts that `got` carries exactly what fixture `fx` sent: the header fields, the
 * spot checks above, and (for every remaining field) identical packed bytes. */
static void check_same(const fx_t *fx, const fw_envelope_t *got)
{
    cr_assert_not_null(got);
    cr_assert_eq(got->body_case, fx->env.body_case, "body %s", fw_proto_body_name(got));
    cr_assert_eq(got->protocol_version, FW_PROTOCOL_VERSION);
    cr_assert_str_eq(got->run_id, fx->env.run_id);
    cr_assert_eq(got->tick, fx->env.tick);
    cr_assert_eq(got->seq, fx->env.seq);
    cr_assert_str_eq(got->seat, fx->env.seat);
    check_body_fields(fx, got);

    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    cr_assert_eq(fw_proto_pack(&fx->env, &a, &alen), FW_PROTO_OK);
    cr_assert_eq(fw_proto_pack(got, &b, &blen), FW_PROTO_OK);
    cr_assert_eq(alen, blen, "%s: packed sizes differ", fw_proto_body_name(got));
    cr_assert_arr_eq(a, b, alen, "%s: packed bytes differ", fw_proto_body_name(got));
    free(a);
    free(b);
}

/* --- helpers -------------------------------------------------------------- */

/* splitmix64: the fuzz loops' own seeded stream, independent of other modules. */
static uint64_t s_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A FILE holding exactly `len` bytes, positioned at the start. */
static FILE *s_file_with(const uint8_t *bytes, size_t len)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    if (len)
        cr_assert_eq(fwrite(bytes, 1, len, f), len);
    rewind(f);
    return f;
}

/* The delimited record of `env` as bytes (caller frees). */
static uint8_t *s_record_bytes(const fw_envelope_t *env, size_t *len)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    cr_assert_eq(fw_proto_write_delimited(f, env), FW_PROTO_OK);
    long n = ftell(f);
    cr_assert_gt(n, 0);
    uint8_t *buf = malloc((size_t)n);
    cr_assert_not_null(buf);
    rewind(f);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* A ROUTER bound to an inproc endpoint and a DEALER with identity "agent-7"
 * connected to it. */
typedef struct {
    void *ctx;
    void *router;
    void *dealer;
} pair_t;

#define DEALER_ID "agent-7"

static void pair_open(pair_t *p)
{
    int zero = 0;
    p->ctx = zmq_ctx_new();
    cr_assert_not_null(p->ctx);
    p->router = zmq_socket(p->ctx, ZMQ_ROUTER);
    p->dealer = zmq_socket(p->ctx, ZMQ_DEALER);
    cr_assert(p->router && p->dealer);
    zmq_setsockopt(p->router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(p->dealer, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(zmq_setsockopt(p->dealer, ZMQ_ROUTING_ID, DEALER_ID, strlen(DEALER_ID)), 0);
    cr_assert_eq(zmq_bind(p->router, "inproc://fw-proto-test"), 0);
    cr_assert_eq(zmq_connect(p->dealer, "inproc://fw-proto-test"), 0);
}

static void pair_close(pair_t *p)
{
    zmq_close(p->dealer);
    zmq_close(p->router);
    zmq_ctx_term(p->ctx);
}

static void assert_identity(const uint8_t *id, size_t len)
{
    cr_assert_eq(len, strlen(DEALER_ID));
    cr_assert_arr_eq(id, DEALER_ID, len);
}

/* --- round trips ---------------------------------------------------------- */

Test(fw_proto, round_trips_every_body_through_pack_and_unpack)
{
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
        fw_envelope_t *got = NULL;
        cr_assert_eq(fw_proto_unpack(buf, len, &got), FW_PROTO_OK, "%s",
                     fw_proto_body_name(&fx.env));
        check_same(&fx, got);
        fw_proto_free(&got);
        cr_assert_null(got, "free clears the pointer");
        free(buf);
    }
}

Test(fw_proto, round_trips_every_body_through_delimited_records)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        cr_assert_eq(fw_proto_write_delimited(f, &fx.env), FW_PROTO_OK);
    }
    rewind(f);
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        fw_envelope_t *got = NULL;
        cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_OK, "record %zu", i);
        check_same(&fx, got);
        fw_proto_free(&got);
    }
    fw_envelope_t *none = NULL;
    cr_assert_eq(fw_proto_read_delimited(f, &none), FW_PROTO_EOF);
    cr_assert_null(none);
    fclose(f);
}

/* A Snapshot packed once and put under two envelopes (the log's record and the
 * published message, which differ in seq) gives the bytes of each envelope packed
 * whole; the record written from those bytes reads back as the envelope. */
Test(fw_proto, a_snapshot_packed_once_makes_the_bytes_of_every_envelope_around_it)
{
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT);
    fw_proto_buf_t body = {0}, env = {0};
    M(Snapshot) empty = FLYWHEEL__V1__SNAPSHOT__INIT;
    for (int round = 0; round < 3; round++) {
        if (round == 1) {
            fx.env.seq = 1u << 30; /* a longer varint in the head */
            fx.env.tick = 0;       /* a field left out */
        }
        if (round == 2)
            fx.env.snapshot = &empty; /* packs to no bytes, and is still written */
        cr_assert_eq(fw_proto_pack_snapshot(&body, fx.env.snapshot), FW_PROTO_OK);
        cr_assert_eq(fw_proto_pack_with_body(&env, &fx.env, &body), FW_PROTO_OK);
        uint8_t *whole = NULL;
        size_t whole_len = 0;
        cr_assert_eq(fw_proto_pack(&fx.env, &whole, &whole_len), FW_PROTO_OK);
        cr_assert_eq(env.len, whole_len, "round %d", round);
        cr_assert_eq(memcmp(env.bytes, whole, whole_len), 0, "round %d", round);
        free(whole);

        FILE *f = tmpfile();
        cr_assert_not_null(f);
        cr_assert_eq(fw_proto_write_delimited_bytes(f, env.bytes, env.len), FW_PROTO_OK);
        rewind(f);
        fw_envelope_t *got = NULL;
        cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_OK);
        cr_assert_eq(got->body_case, FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT);
        cr_assert_eq(got->seq, fx.env.seq);
        if (round < 2)
            check_same(&fx, got);
        fw_proto_free(&got);
        fclose(f);
    }
    fw_proto_buf_clear(&body);
    fw_proto_buf_clear(&env);
}

Test(fw_proto, round_trips_every_body_through_dealer_router_dealer)
{
    pair_t p;
    pair_open(&p);
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_OK);

        uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
        size_t id_len = 0;
        fw_envelope_t *got = NULL;
        cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_OK,
                     "%s", fw_proto_body_name(&fx.env));
        assert_identity(id, id_len);
        check_same(&fx, got);
        fw_proto_free(&got);

        cr_assert_eq(fw_proto_send_to(p.router, id, id_len, &fx.env), FW_PROTO_OK);
        cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_OK);
        check_same(&fx, got);
        fw_proto_free(&got);
    }
    pair_close(&p);
}

Test(fw_proto, publishes_one_frame_per_snapshot_to_subscribers)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int zero = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
    cr_assert_eq(zmq_bind(pub, "inproc://fw-proto-pub"), 0);
    cr_assert_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    cr_assert_eq(zmq_connect(sub, "inproc://fw-proto-pub"), 0);
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT);
    /* PUB drops messages until the subscription has arrived: resend until one lands. */
    fw_envelope_t *got = NULL;
    int rc = FW_PROTO_ETIMEDOUT;
    for (int tries = 0; tries < 100 && rc == FW_PROTO_ETIMEDOUT; tries++) {
        cr_assert_eq(fw_proto_send(pub, &fx.env), FW_PROTO_OK);
        rc = fw_proto_recv(sub, 20, &got);
    }
    cr_assert_eq(rc, FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}

/* --- versions ------------------------------------------------------------- */

Test(fw_proto, refuses_wrong_version_but_returns_the_envelope)
{
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
    fx.env.protocol_version = FW_PROTOCOL_VERSION + 1;
    fx.env.seq = 42;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_unpack(buf, len, &got), FW_PROTO_EVERSION);
    cr_assert_not_null(got, "the caller needs the seq to refuse it");
    cr_assert_eq(got->seq, 42);
    cr_assert_eq(got->protocol_version, FW_PROTOCOL_VERSION + 1);
    cr_assert_eq(got->body_case, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
    fw_proto_free(&got);
    free(buf);

    /* The same over a socket: the ROUTER still learns who sent it. */
    pair_t p;
    pair_open(&p);
    cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_OK);
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_EVERSION);
    assert_identity(id, id_len);
    cr_assert_not_null(got);
    cr_assert_eq(got->seq, 42);
    fw_proto_free(&got);
    pair_close(&p);

    /* Version 0 (a peer that never set the field) is refused the same way. */
    fx.env.protocol_version = 0;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack(buf, len, &got), FW_PROTO_EVERSION);
    fw_proto_free(&got);
    free(buf);
}

/* --- size caps ------------------------------------------------------------ */

Test(fw_proto, refuses_a_length_over_the_cap_without_reading_it)
{
    /* The buffer is 16 bytes: if unpack looked past the length check, ASan and
     * protobuf-c would both notice. */
    uint8_t small[16] = {0};
    fw_envelope_t *got = (fw_envelope_t *)small; /* must be overwritten with NULL */
    cr_assert_eq(fw_proto_unpack(small, FW_PROTO_MAX_FRAME + 1, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);
    cr_assert_eq(fw_proto_unpack(small, SIZE_MAX, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);
}

Test(fw_proto, refuses_to_pack_or_send_an_envelope_over_the_cap)
{
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_BYE);
    char *huge = malloc(FW_PROTO_MAX_FRAME + 1);
    cr_assert_not_null(huge);
    memset(huge, 'x', FW_PROTO_MAX_FRAME);
    huge[FW_PROTO_MAX_FRAME] = '\0';
    fx.bye.reason = huge;

    uint8_t *buf = (uint8_t *)huge;
    size_t len = 1;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_ETOOBIG);
    cr_assert_null(buf);
    cr_assert_eq(len, 0);

    FILE *f = tmpfile();
    cr_assert_eq(fw_proto_write_delimited(f, &fx.env), FW_PROTO_ETOOBIG);
    cr_assert_eq(ftell(f), 0, "nothing written for a refused record");
    fclose(f);

    pair_t p;
    pair_open(&p);
    cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_ETOOBIG);
    cr_assert_eq(fw_proto_send_to(p.router, (const uint8_t *)DEALER_ID, strlen(DEALER_ID),
                                  &fx.env),
                 FW_PROTO_ETOOBIG);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_recv(p.dealer, 50, &got), FW_PROTO_ETIMEDOUT,
                 "no half message was sent");
    pair_close(&p);
    free(huge);
}

Test(fw_proto, refuses_a_zeromq_frame_over_the_cap)
{
    pair_t p;
    pair_open(&p);
    size_t big_len = FW_PROTO_MAX_FRAME + 1;
    uint8_t *big = calloc(1, big_len);
    cr_assert_not_null(big);

    /* DEALER -> ROUTER: refused, but the sender is still known. */
    cr_assert_eq(zmq_send(p.dealer, big, big_len, 0), (int)big_len);
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);
    assert_identity(id, id_len);

    /* ROUTER -> DEALER. */
    cr_assert_eq(zmq_send(p.router, id, id_len, ZMQ_SNDMORE), (int)id_len);
    cr_assert_eq(zmq_send(p.router, big, big_len, 0), (int)big_len);
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);

    /* A frame of exactly the cap is not refused for its size (it is garbage, though). */
    cr_assert_eq(zmq_send(p.dealer, big, FW_PROTO_MAX_FRAME, 0), (int)FW_PROTO_MAX_FRAME);
    int rc = fw_proto_recv_from(p.router, 2000, id, &id_len, &got);
    cr_assert_neq(rc, FW_PROTO_ETOOBIG);
    fw_proto_free(&got);

    /* The sockets are still usable. */
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_BYE);
    cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_OK);
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);
    free(big);
    pair_close(&p);
}

/* --- garbage -------------------------------------------------------------- */

static void check_garbage_result(int rc, fw_envelope_t **got)
{
    cr_assert(rc == FW_PROTO_OK || rc == FW_PROTO_EMALFORMED || rc == FW_PROTO_EVERSION ||
                  rc == FW_PROTO_EBUDGET,
              "rc %d (%s)", rc, fw_proto_strerror(rc));
    if (rc == FW_PROTO_EMALFORMED || rc == FW_PROTO_EBUDGET) {
        cr_assert_null(*got);
    } else {
        cr_assert_not_null(*got);
        cr_assert_neq((*got)->body_case, FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET);
        cr_assert_eq((*got)->protocol_version == FW_PROTOCOL_VERSION, rc == FW_PROTO_OK);
    }
    fw_proto_free(got);
}

Test(fw_proto, survives_random_garbage)
{
    uint64_t seed = 20261126;
    uint8_t buf[512];
    int malformed = 0;
    for (int i = 0; i < 5000; i++) {
        size_t len = (size_t)(s_rand(&seed) % sizeof buf);
        for (size_t j = 0; j < len; j++)
            buf[j] = (uint8_t)s_rand(&seed);
        fw_envelope_t *got = NULL;
        int rc = fw_proto_unpack(buf, len, &got);
        malformed += rc == FW_PROTO_EMALFORMED;
        check_garbage_result(rc, &got);
    }
    cr_assert_gt(malformed, 4000, "random bytes are mostly not envelopes");
}

Test(fw_proto, survives_corrupted_and_truncated_envelopes)
{
    uint64_t seed = 7;
    for (size_t k = 0; k < N_KINDS; k++) {
        fx_t fx;
        fx_build(&fx, s_kinds[k]);
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);

        /* Every strict prefix cuts the body (the last field) or leaves it out. */
        for (size_t cut = 0; cut < len; cut++) {
            fw_envelope_t *got = NULL;
            cr_assert_eq(fw_proto_unpack(buf, cut, &got), FW_PROTO_EMALFORMED,
                         "%s cut at %zu of %zu", fw_proto_body_name(&fx.env), cut, len);
            cr_assert_null(got);
        }

        /* Random bit flips. */
        uint8_t *copy = malloc(len);
        cr_assert_not_null(copy);
        for (int i = 0; i < 500; i++) {
            memcpy(copy, buf, len);
            int flips = 1 + (int)(s_rand(&seed) % 4);
            for (int j = 0; j < flips; j++)
                copy[s_rand(&seed) % len] ^= (uint8_t)(1u << (s_rand(&seed) % 8));
            fw_envelope_t *got = NULL;
            check_garbage_result(fw_proto_unpack(copy, len, &got), &got);
        }
        free(copy);
        free(buf);
    }
}

Test(fw_proto, refuses_an_envelope_without_a_body)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.seq = 1;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fw_proto_pack(&env, &buf, &len), FW_PROTO_OK);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_unpack(buf, len, &got), FW_PROTO_EMALFORMED);
    cr_assert_null(got);
    cr_assert_eq(fw_proto_unpack(buf, 0, &got), FW_PROTO_EMALFORMED, "zero bytes");
    free(buf);
}

/* --- delimited records ---------------------------------------------------- */

Test(fw_proto, reports_a_truncated_record)
{
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START); /* > 127 bytes: 2-byte varint */
    size_t len = 0;
    uint8_t *rec = s_record_bytes(&fx.env, &len);
    cr_assert_gt(len, 130);
    cr_assert(rec[0] & 0x80, "the length takes more than one byte");

    /* Cut inside the body. */
    FILE *f = s_file_with(rec, len - 1);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETRUNCATED);
    cr_assert_null(got);
    fclose(f);

    /* Cut right after the length. */
    f = s_file_with(rec, 2);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETRUNCATED);
    fclose(f);

    /* Cut inside the length. */
    f = s_file_with(rec, 1);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETRUNCATED);
    fclose(f);

    /* A whole record then half of the next: one success, then truncated. */
    uint8_t *two = malloc(2 * len);
    memcpy(two, rec, len);
    memcpy(two + len, rec, len);
    f = s_file_with(two, len + len / 2);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETRUNCATED);
    fclose(f);
    free(two);
    free(rec);
}

Test(fw_proto, reports_a_clean_end_of_file)
{
    FILE *f = s_file_with(NULL, 0);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_EOF);
    cr_assert_null(got);
    fclose(f);
}

Test(fw_proto, refuses_a_huge_varint_length_before_allocating)
{
    /* 2^64 - 1: a 10-byte varint. */
    static const uint8_t max64[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    FILE *f = s_file_with(max64, sizeof max64);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);
    fclose(f);

    /* The cap plus one, followed by no body at all: refused on the length alone. */
    uint8_t over[5];
    uint64_t v = (uint64_t)FW_PROTO_MAX_FRAME + 1;
    size_t n = 0;
    while (v >= 0x80) {
        over[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    over[n++] = (uint8_t)v;
    f = s_file_with(over, n);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETOOBIG);
    fclose(f);

    /* High bits far beyond the cap that would overflow a naive 64-bit shift. */
    static const uint8_t high[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f};
    f = s_file_with(high, sizeof high);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_ETOOBIG);
    fclose(f);

    /* Eleven bytes is not a varint at all. */
    static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                     0x80, 0x80, 0x80, 0x80, 0x00};
    f = s_file_with(eleven, sizeof eleven);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_EMALFORMED);
    fclose(f);
}

Test(fw_proto, refuses_garbage_records)
{
    static const uint8_t empty_record[] = {0x00};
    FILE *f = s_file_with(empty_record, sizeof empty_record);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_EMALFORMED);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_EOF);
    fclose(f);

    static const uint8_t junk[] = {0x03, 0xff, 0xff, 0xff};
    f = s_file_with(junk, sizeof junk);
    cr_assert_eq(fw_proto_read_delimited(f, &got), FW_PROTO_EMALFORMED);
    cr_assert_null(got);
    fclose(f);
}

/* --- ZeroMQ framing, timeouts, signals ------------------------------------ */

Test(fw_proto, times_out_when_nothing_arrives)
{
    pair_t p;
    pair_open(&p);
    fw_envelope_t *got = NULL;
    int64_t t0 = s_now_ms();
    cr_assert_eq(fw_proto_recv(p.dealer, 100, &got), FW_PROTO_ETIMEDOUT);
    int64_t waited = s_now_ms() - t0;
    cr_assert_null(got);
    cr_assert_geq(waited, 90, "waited %lld ms", (long long)waited);
    cr_assert_lt(waited, 1500, "waited %lld ms", (long long)waited);

    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 99;
    cr_assert_eq(fw_proto_recv_from(p.router, 30, id, &id_len, &got), FW_PROTO_ETIMEDOUT);
    cr_assert_eq(id_len, 0);
    cr_assert_eq(fw_proto_recv(p.dealer, 0, &got), FW_PROTO_ETIMEDOUT, "0 = poll");
    pair_close(&p);
}

Test(fw_proto, router_refuses_a_three_frame_message)
{
    pair_t p;
    pair_open(&p);
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_HELLO);
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    /* What a REQ socket would send: an empty delimiter before the envelope. */
    cr_assert_eq(zmq_send(p.dealer, "", 0, ZMQ_SNDMORE), 0);
    cr_assert_eq(zmq_send(p.dealer, buf, len, 0), (int)len);
    /* Then a well-formed message, which must not be eaten by the drain. */
    cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_OK);

    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_EFRAMING);
    cr_assert_null(got);
    assert_identity(id, id_len);
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);

    /* A DEALER joins up to FW_PROTO_MAX_PARTS frames into one envelope (a TickStart
     * comes with its view apart): an envelope cut in three arrives whole. */
    size_t cut1 = len / 3, cut2 = 2 * len / 3;
    cr_assert_eq(zmq_send(p.router, id, id_len, ZMQ_SNDMORE), (int)id_len);
    cr_assert_eq(zmq_send(p.router, buf, cut1, ZMQ_SNDMORE), (int)cut1);
    cr_assert_eq(zmq_send(p.router, buf + cut1, cut2 - cut1, ZMQ_SNDMORE), (int)(cut2 - cut1));
    cr_assert_eq(zmq_send(p.router, buf + cut2, len - cut2, 0), (int)(len - cut2));
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);
    /* One frame more is refused, and drained: the next message is read whole. */
    cr_assert_eq(zmq_send(p.router, id, id_len, ZMQ_SNDMORE), (int)id_len);
    for (unsigned i = 0; i < FW_PROTO_MAX_PARTS; i++)
        cr_assert_eq(zmq_send(p.router, buf, len, ZMQ_SNDMORE), (int)len);
    cr_assert_eq(zmq_send(p.router, buf, len, 0), (int)len);
    cr_assert_eq(fw_proto_send_to(p.router, id, id_len, &fx.env), FW_PROTO_OK);
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_EFRAMING);
    cr_assert_null(got);
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_OK);
    check_same(&fx, got);
    fw_proto_free(&got);
    /* Frames that join to more than the cap are refused before they are joined. */
    size_t big_len = FW_PROTO_MAX_FRAME / 2 + 1;
    uint8_t *big = calloc(1, big_len);
    cr_assert_not_null(big);
    cr_assert_eq(zmq_send(p.router, id, id_len, ZMQ_SNDMORE), (int)id_len);
    cr_assert_eq(zmq_send(p.router, big, big_len, ZMQ_SNDMORE), (int)big_len);
    cr_assert_eq(zmq_send(p.router, big, big_len, 0), (int)big_len);
    free(big);
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_ETOOBIG);
    cr_assert_null(got);

    /* Garbage in a well-framed message: malformed, sender known. */
    cr_assert_eq(zmq_send(p.dealer, "\xff\xff", 2, 0), 2);
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_EMALFORMED);
    assert_identity(id, id_len);
    free(buf);
    pair_close(&p);
}

Test(fw_proto, send_to_refuses_a_bad_identity)
{
    pair_t p;
    pair_open(&p);
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_BYE);
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1] = {0};
    cr_assert_eq(fw_proto_send_to(p.router, id, 0, &fx.env), FW_PROTO_EFRAMING);
    cr_assert_eq(fw_proto_send_to(p.router, id, FW_PROTO_MAX_IDENTITY + 1, &fx.env),
                 FW_PROTO_EFRAMING);
    pair_close(&p);
}

static void s_on_signal(int sig)
{
    (void)sig;
}

static void *s_interrupt_later(void *arg)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

Test(fw_proto, reports_a_signal_during_recv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal; /* no SA_RESTART: the wait must be interrupted */
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
    pair_t p;
    pair_open(&p);
    pthread_t self = pthread_self(), killer;
    cr_assert_eq(pthread_create(&killer, NULL, s_interrupt_later, &self), 0);
    fw_envelope_t *got = NULL;
    int64_t t0 = s_now_ms();
    cr_assert_eq(fw_proto_recv(p.dealer, 5000, &got), FW_PROTO_EINTR);
    cr_assert_lt(s_now_ms() - t0, 4000);
    pthread_join(killer, NULL);
    pair_close(&p);
}

/* --- names ---------------------------------------------------------------- */

Test(fw_proto, names_bodies_and_errors)
{
    static const char *names[] = {"hello",       "welcome",  "refusal",
                                  "tick_start",  "actions",  "tick_result",
                                  "snapshot",    "bye",      "run_header", "status"};
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        cr_assert_str_eq(fw_proto_body_name(&fx.env), names[i]);
    }
    fw_envelope_t empty = FLYWHEEL__V1__ENVELOPE__INIT;
    cr_assert_str_eq(fw_proto_body_name(&empty), "none");
    cr_assert_str_eq(fw_proto_body_name(NULL), "none");

    for (int rc = FW_PROTO_EINTR; rc <= FW_PROTO_OK; rc++) {
        const char *s = fw_proto_strerror(rc);
        cr_assert(s && *s);
        cr_assert_str_neq(s, fw_proto_strerror(-100), "code %d has its own text", rc);
        for (int other = rc + 1; other <= FW_PROTO_OK; other++)
            cr_assert_str_neq(s, fw_proto_strerror(other));
    }
    cr_assert_str_eq(fw_proto_strerror(FW_PROTO_ETOOBIG), "frame over the size cap");
}

Test(fw_proto, exposes_the_schema_hash)
{
    const char *h = fw_proto_schema_hash();
    cr_assert_eq(strlen(h), 64);
    for (size_t i = 0; i < 64; i++)
        cr_assert(strchr("0123456789abcdef", h[i]), "hex digit at %zu", i);
    cr_assert_str_eq(h, FW_SCHEMA_HASH);
}

/* A TickStart sent with its market view packed once (fw_proto_send_tick_start_to)
 * has exactly the bytes of the envelope packed whole, whatever fields are set and
 * however long the view (lengths of one, two and three varint bytes). */
static void check_spliced_bytes(const fw_envelope_t *env, const fw_proto_view_t *v)
{
    uint8_t *whole = NULL, *spliced = NULL;
    size_t whole_len = 0, spliced_len = 0;
    cr_assert_eq(fw_proto_pack(env, &whole, &whole_len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_pack_tick_start(env, v, &spliced, &spliced_len), FW_PROTO_OK);
    cr_assert_eq(spliced_len, whole_len);
    cr_assert_eq(memcmp(spliced, whole, whole_len), 0);
    free(whole);
    free(spliced);
}

Test(fw_proto, sends_a_tick_start_with_its_view_packed_once_as_the_same_bytes)
{
    enum { N_QUOTES = 1500 };
    static M(ComputeQuote) q[N_QUOTES], *qp[N_QUOTES];
    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START);
    fw_proto_view_t v = {0};
    size_t sizes[] = {0, 1, 20, N_QUOTES};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        for (size_t i = 0; i < sizes[k]; i++) {
            q[i] = (M(ComputeQuote))FLYWHEEL__V1__COMPUTE_QUOTE__INIT;
            q[i].provider = "cloud-with-a-long-name";
            q[i].family = "hopper";
            q[i].price = 1000 + (int64_t)i;
            q[i].capacity = 5000;
            qp[i] = &q[i];
        }
        fx.market.n_compute_quotes = sizes[k];
        fx.market.compute_quotes = sizes[k] ? qp : fx.pq_p;
        if (!sizes[k])
            fx.market = (M(MarketView))FLYWHEEL__V1__MARKET_VIEW__INIT; /* packs to 0 bytes */
        cr_assert_eq(fw_proto_view_pack(&v, &fx.market), FW_PROTO_OK);
        check_spliced_bytes(&fx.env, &v);
        /* Fields at their defaults are left out on both sides. */
        fx.tick_start.tick = 0;
        fx.tick_start.month = "";
        fx.tick_start.house_plays = 1;
        fx.tick_start.deadline_in_ms = 250;
        check_spliced_bytes(&fx.env, &v);
        fx.tick_start.me = NULL;
        fx.tick_start.house_plays = 0;
        fx.env.seq = 1u << 30;
        check_spliced_bytes(&fx.env, &v);
        fx.tick_start.me = &fx.me;
    }
    /* Another market than the one packed: packed whole. */
    M(MarketView) other = FLYWHEEL__V1__MARKET_VIEW__INIT;
    fx.tick_start.market = &other;
    check_spliced_bytes(&fx.env, &v);

    /* Over a socket, it arrives as the same envelope. */
    fx.tick_start.market = &fx.market;
    pair_t p;
    pair_open(&p);
    cr_assert_eq(fw_proto_send(p.dealer, &fx.env), FW_PROTO_OK);
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_recv_from(p.router, 2000, id, &id_len, &got), FW_PROTO_OK);
    fw_proto_free(&got);
    cr_assert_eq(fw_proto_send_tick_start_to(p.router, id, id_len, &fx.env, &v), FW_PROTO_OK);
    cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_OK);
    cr_assert_eq(got->tick_start->market->n_compute_quotes, N_QUOTES);
    cr_assert_eq(got->tick_start->market->compute_quotes[N_QUOTES - 1]->price,
                 1000 + N_QUOTES - 1);
    fw_proto_free(&got);

    /* On the wire it is three frames, [the envelope up to the view][the view][the
     * rest], and joined they are the bytes of the envelope packed whole. */
    uint8_t *whole = NULL;
    size_t whole_len = 0, joined = 0;
    cr_assert_eq(fw_proto_pack(&fx.env, &whole, &whole_len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_send_tick_start_to(p.router, id, id_len, &fx.env, &v), FW_PROTO_OK);
    for (int part = 0; part < 3; part++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        cr_assert_geq(zmq_msg_recv(&m, p.dealer, 0), 0);
        cr_assert_eq(zmq_msg_more(&m), part < 2, "frame %d", part);
        if (part == 1)
            cr_assert_eq(zmq_msg_size(&m), v.len, "the middle frame is the view");
        cr_assert_leq(joined + zmq_msg_size(&m), whole_len);
        cr_assert_eq(memcmp(whole + joined, zmq_msg_data(&m), zmq_msg_size(&m)), 0);
        joined += zmq_msg_size(&m);
        zmq_msg_close(&m);
    }
    cr_assert_eq(joined, whole_len);
    free(whole);

    /* The view's bytes are sent from where they were packed, so a message still queued
     * keeps them: packing the next view, then letting go of it, leaves the queued
     * TickStarts as they were sent (the sanitizer build sees any use after free). */
    cr_assert_eq(fw_proto_send_tick_start_to(p.router, id, id_len, &fx.env, &v), FW_PROTO_OK);
    cr_assert_eq(fw_proto_send_tick_start_to(p.router, id, id_len, &fx.env, &v), FW_PROTO_OK);
    const uint8_t *sent_from = v.bytes;
    cr_assert_eq(fw_proto_view_pack(&v, &other), FW_PROTO_OK);
    cr_assert_neq(v.bytes, sent_from, "a view still queued was packed over");
    fw_proto_view_clear(&v);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(fw_proto_recv(p.dealer, 2000, &got), FW_PROTO_OK);
        cr_assert_eq(got->tick_start->market->n_compute_quotes, N_QUOTES);
        cr_assert_eq(got->tick_start->market->compute_quotes[N_QUOTES - 1]->price,
                     1000 + N_QUOTES - 1);
        fw_proto_free(&got);
    }
    /* Once nothing holds them, the same bytes are packed over (no allocation a tick). */
    cr_assert_eq(fw_proto_view_pack(&v, &fx.market), FW_PROTO_OK);
    sent_from = v.bytes;
    cr_assert_eq(fw_proto_view_pack(&v, &fx.market), FW_PROTO_OK);
    cr_assert_eq(v.bytes, sent_from);
    pair_close(&p);
    fw_proto_view_clear(&v);
}

/* Asserts that `got` packs to the bytes of `want`. */
static void check_same_bytes(const fw_envelope_t *want, const fw_envelope_t *got)
{
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    cr_assert_eq(fw_proto_pack(want, &a, &alen), FW_PROTO_OK);
    cr_assert_eq(fw_proto_pack(got, &b, &blen), FW_PROTO_OK);
    cr_assert_eq(alen, blen);
    cr_assert_arr_eq(a, b, alen);
    free(a);
    free(b);
}

/* Unpacked through a view cache, every body arrives as unpacked whole; TickStarts with
 * the same view share one unpacked view, a new view replaces it. */
Test(fw_proto, unpacks_tick_starts_with_one_shared_market_view)
{
    fw_proto_view_cache_t *cache = fw_proto_view_cache_new();
    cr_assert_not_null(cache);
    for (size_t i = 0; i < N_KINDS; i++) {
        fx_t fx;
        fx_build(&fx, s_kinds[i]);
        uint8_t *buf = NULL;
        size_t len = 0;
        cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
        fw_envelope_t *got = NULL;
        cr_assert_eq(fw_proto_unpack_cached(buf, len, cache, &got), FW_PROTO_OK, "%s",
                     fw_proto_body_name(&fx.env));
        check_same(&fx, got);
        fw_proto_free(&got);
        free(buf);
    }

    fx_t fx;
    fx_build(&fx, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START);
    fw_envelope_t *a = NULL, *b = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack_cached(buf, len, cache, &a), FW_PROTO_OK);
    free(buf);
    fx.env.seat = "another-seat"; /* another seat, the same view */
    fx.me.cash = 77;
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack_cached(buf, len, cache, &b), FW_PROTO_OK);
    free(buf);
    cr_assert_eq(a->tick_start->market, b->tick_start->market, "one view for both");
    cr_assert_eq(b->tick_start->me->cash, 77);
    check_same_bytes(&fx.env, b);
    fw_proto_free(&a);
    fw_proto_free(&b);

    fx.pq.price = 1499; /* the next tick's view */
    cr_assert_eq(fw_proto_pack(&fx.env, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack_cached(buf, len, cache, &a), FW_PROTO_OK);
    free(buf);
    cr_assert_eq(a->tick_start->market->compute_quotes[0]->price, 1499);
    check_same_bytes(&fx.env, a);
    fw_proto_free(&a);

    /* Garbage is refused as fw_proto_unpack refuses it. */
    uint8_t junk[] = {0x6a, 0x05, 0x22, 0x10, 0x01, 0x02, 0x03};
    cr_assert_neq(fw_proto_unpack_cached(junk, sizeof junk, cache, &a), FW_PROTO_OK);
    cr_assert_null(a);
    fw_proto_view_cache_destroy(&cache);
    cr_assert_null(cache);
}
