/* fw_inbox: one slot per seat and tick; late, early and duplicate actions refused. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_inbox.h"
#include "fw_testwire.h"

static fw_envelope_t *s_actions_env(uint32_t tick)
{
    return fw_test_wire_actions(tick);
}

Test(fw_inbox, accepts_one_per_seat_and_refuses_the_rest)
{
    fw_inbox_t *in = fw_inbox_new(3);
    fw_inbox_open(in, 5);
    fw_envelope_t *e = s_actions_env(5);
    cr_assert_eq(fw_inbox_put(in, 1, &e), FW_INBOX_ACCEPTED);
    cr_assert_null(e, "ownership taken");
    e = s_actions_env(5);
    cr_assert_eq(fw_inbox_put(in, 1, &e), FW_INBOX_DUPLICATE);
    cr_assert_not_null(e, "refused envelopes stay with the caller");
    fw_proto_free(&e);
    e = s_actions_env(4);
    cr_assert_eq(fw_inbox_put(in, 0, &e), FW_INBOX_LATE);
    fw_proto_free(&e);
    e = s_actions_env(6);
    cr_assert_eq(fw_inbox_put(in, 0, &e), FW_INBOX_EARLY);
    fw_proto_free(&e);
    cr_assert_eq(fw_inbox_count(in), 1);
    cr_assert(fw_inbox_has(in, 1));
    cr_assert_not(fw_inbox_has(in, 0));

    Flywheel__V1__Actions *out[3];
    fw_inbox_actions(in, out);
    cr_assert_null(out[0]);
    cr_assert_not_null(out[1]);
    cr_assert_null(out[2]);

    fw_inbox_open(in, 6);
    cr_assert_eq(fw_inbox_count(in), 0, "a new tick starts empty");
    fw_inbox_destroy(&in);
    cr_assert_null(in);
}

/* A house bot's Actions with one of every kind, strings in a buffer the test then
 * overwrites: the copy must not point into it. */
static fw_envelope_t *s_full_actions(uint32_t tick, fw_arena_t *a, char *text)
{
    fw_envelope_t *env = fw_arena_calloc(a, 1, sizeof *env);
    Flywheel__V1__Actions *act = fw_arena_calloc(a, 1, sizeof *act);
    flywheel__v1__envelope__init(env);
    flywheel__v1__actions__init(act);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->tick = tick;
    env->seq = 9;
    env->run_id = text;
    env->seat = text + 8;
    env->body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env->actions = act;
#define ONE(type, init, field)                                                 \
    do {                                                                       \
        type *x_ = fw_arena_calloc(a, 1, sizeof *x_);                          \
        init(x_);                                                              \
        act->field = fw_arena_calloc(a, 1, sizeof *act->field);                \
        act->field[0] = x_;                                                    \
        act->n_##field = 1;                                                    \
    } while (0)
    ONE(Flywheel__V1__ChipOffer, flywheel__v1__chip_offer__init, chip_offers);
    act->chip_offers[0]->family = text + 16;
    act->chip_offers[0]->price = 100;
    act->chip_offers[0]->quantity = 7;
    ONE(Flywheel__V1__ChipOrder, flywheel__v1__chip_order__init, chip_orders);
    act->chip_orders[0]->family = text + 16;
    act->chip_orders[0]->quantity = 3;
    ONE(Flywheel__V1__ComputeOffer, flywheel__v1__compute_offer__init, compute_offers);
    act->compute_offers[0]->family = text + 16;
    act->compute_offers[0]->capacity = 40;
    ONE(Flywheel__V1__ComputeBid, flywheel__v1__compute_bid__init, compute_bids);
    act->compute_bids[0]->provider = text + 8;
    act->compute_bids[0]->family = text + 16;
    act->compute_bids[0]->quantity = 5;
    ONE(Flywheel__V1__InvestmentProposal, flywheel__v1__investment_proposal__init, proposals);
    act->proposals[0]->lab = text + 24;
    Flywheel__V1__InvestmentTerms *t = fw_arena_calloc(a, 1, sizeof *t);
    flywheel__v1__investment_terms__init(t);
    t->amount = 1000;
    t->chip_family = text + 16;
    t->min_chip_share = 0.5;
    act->proposals[0]->terms = t;
    ONE(Flywheel__V1__ProposalAnswer, flywheel__v1__proposal_answer__init, answers);
    act->answers[0]->proposal_id = 12;
    act->answers[0]->accept = 1;
#undef ONE
    return env;
}

/* A house bot's actions are copied, not packed and unpacked: the copy packs to the
 * same bytes as the original, outlives it, obeys the same slot rules, and goes at
 * the next tick. */
Test(fw_inbox, a_copied_envelope_is_the_original_field_for_field)
{
    fw_arena_t *a = fw_arena_new();
    char text[32] = "run-123\0aws\0\0\0\0\0hopper\0\0oai";
    fw_inbox_t *in = fw_inbox_new(3);
    fw_inbox_open(in, 5);
    fw_envelope_t *src = s_full_actions(5, a, text);
    uint8_t *want = NULL, *got = NULL;
    size_t want_len = 0, got_len = 0;
    cr_assert_eq(fw_proto_pack(src, &want, &want_len), FW_PROTO_OK);

    cr_assert_eq(fw_inbox_put_copy(in, 2, src), FW_INBOX_ACCEPTED);
    cr_assert_eq(fw_inbox_put_copy(in, 2, src), FW_INBOX_DUPLICATE);
    src->tick = 4;
    cr_assert_eq(fw_inbox_put_copy(in, 1, src), FW_INBOX_LATE);
    src->tick = 6;
    cr_assert_eq(fw_inbox_put_copy(in, 1, src), FW_INBOX_EARLY);
    memset(text, 'x', sizeof text - 1); /* the bot's next turn reuses its memory */
    fw_arena_destroy(&a);

    const fw_envelope_t *held = fw_inbox_envelope(in, 2);
    cr_assert_not_null(held);
    cr_assert_eq(fw_proto_pack(held, &got, &got_len), FW_PROTO_OK);
    cr_assert_eq(got_len, want_len);
    cr_assert_eq(memcmp(got, want, want_len), 0, "the copy packs to the original's bytes");
    cr_assert_str_eq(held->actions->compute_bids[0]->provider, "aws");
    cr_assert_str_eq(held->actions->proposals[0]->terms->chip_family, "hopper");
    cr_assert_eq(fw_inbox_count(in), 1);

    /* A copy and an owned envelope side by side; the next tick frees both. */
    fw_envelope_t *e = s_actions_env(5);
    cr_assert_eq(fw_inbox_put(in, 0, &e), FW_INBOX_ACCEPTED);
    Flywheel__V1__Actions *out[3];
    fw_inbox_actions(in, out);
    cr_assert_not_null(out[0]);
    cr_assert_null(out[1]);
    cr_assert_not_null(out[2]);
    fw_inbox_open(in, 6);
    cr_assert_eq(fw_inbox_count(in), 0);
    cr_assert_not(fw_inbox_has(in, 2));
    free(want);
    free(got);
    fw_inbox_destroy(&in);
}
