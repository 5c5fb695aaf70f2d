/* Bounded input, without a network: the unpacking budget refuses an amplifying
 * message and takes a large honest one; fw_validate_from_agent refuses each kind of
 * bad value with its own code and passes what is well formed. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw_proto.h"
#include "fw_validate.h"

#define CODE(x) FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_##x

/* An Actions envelope with n chip orders (all zero: 2 bytes each on the wire). */
static int s_unpack_orders(size_t n, fw_envelope_t **got, size_t *wire)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    Flywheel__V1__ChipOrder order = FLYWHEEL__V1__CHIP_ORDER__INIT;
    Flywheel__V1__ChipOrder **list = calloc(n, sizeof *list);
    cr_assert_not_null(list);
    for (size_t i = 0; i < n; i++)
        list[i] = &order;
    a.chip_orders = list;
    a.n_chip_orders = n;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &a;
    uint8_t *buf = NULL;
    cr_assert_eq(fw_proto_pack(&env, &buf, wire), FW_PROTO_OK);
    int rc = fw_proto_unpack(buf, *wire, got);
    free(buf);
    free(list);
    return rc;
}

Test(fw_proto_budget, an_amplifying_message_is_refused_within_its_budget)
{
    /* 500k empty submessages: about 1 MB on the wire, tens of MB unpacked. */
    fw_envelope_t *got = NULL;
    size_t wire = 0;
    cr_assert_eq(s_unpack_orders(500000, &got, &wire), FW_PROTO_EBUDGET);
    cr_assert_null(got);
    cr_assert_lt(wire, 1200000);
    cr_assert_leq(fw_proto_unpack_budget(wire), 64u * 1024u + 16u * wire);
}

Test(fw_proto_budget, an_honest_message_fits_its_budget)
{
    fw_envelope_t *got = NULL;
    size_t wire = 0;
    cr_assert_eq(s_unpack_orders(100, &got, &wire), FW_PROTO_OK);
    cr_assert_eq(got->actions->n_chip_orders, 100);
    fw_proto_free(&got);
    cr_assert_eq(fw_proto_unpack_budget(FW_PROTO_MAX_FRAME), FW_PROTO_MAX_UNPACKED);
}

Test(fw_proto_budget, padding_buys_no_budget_the_packed_form_would_not_have)
{
    /* 4096 empty compute bids, each padded with a quantity of 0 written as a 5-byte
     * varint: 32 KB on the wire, 8 KB packed again. Accepted, it would be written to
     * events.log as a record whose own budget refuses it: no replay, no resume. */
    static const uint8_t bid[] = {0x22, 0x06, 0x18, 0x80, 0x80, 0x80, 0x80, 0x00};
    const size_t n = 4096, body = n * sizeof bid;
    uint8_t *wire = malloc(16 + body), *at = wire;
    cr_assert_not_null(wire);
    *at++ = 0x08, *at++ = 0x01; /* protocol_version 1 */
    *at++ = 0x72;               /* actions, then its length as a varint */
    size_t v = body;
    for (; v >= 0x80; v >>= 7)
        *at++ = (uint8_t)(v | 0x80);
    *at++ = (uint8_t)v;
    for (size_t i = 0; i < n; i++, at += sizeof bid)
        memcpy(at, bid, sizeof bid);
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_unpack(wire, (size_t)(at - wire), &got), FW_PROTO_EBUDGET);
    cr_assert_null(got);
    free(wire);
}

Test(fw_proto_budget, refuses_bytes_whose_packed_form_would_be_refused)
{
    /* A Bye with an unknown field 0 under an overlong 2-byte tag: protobuf-c keeps
     * it, packs it back under a 1-byte tag, and refuses that. Accepted, the record
     * in events.log would stop every replay of the run. (Found by fuzz_envelope.) */
    static const uint8_t wire[] = {0x08, 0x01, 0x8a, 0x01, 0x00,
                                   0x81, 0x00, 1, 2, 3, 4, 5, 6, 7, 8};
    fw_envelope_t *got = NULL;
    cr_assert_eq(fw_proto_unpack(wire, sizeof wire, &got), FW_PROTO_EMALFORMED);
    cr_assert_null(got);
}

/* --- what an agent may send ------------------------------------------------------ */

typedef struct {
    fw_envelope_t env;
    Flywheel__V1__Actions a;
    Flywheel__V1__ChipOffer offer;
    Flywheel__V1__ChipOffer *offers[1];
    Flywheel__V1__ComputeBid bid;
    Flywheel__V1__ComputeBid *bids[1];
    Flywheel__V1__InvestmentProposal prop;
    Flywheel__V1__InvestmentProposal *props[1];
    Flywheel__V1__InvestmentTerms terms;
    Flywheel__V1__ProposalAnswer answer;
    Flywheel__V1__ProposalAnswer *answers[1];
} actions_t;

/* One of each kind of action, all well formed. */
static void s_actions(actions_t *x)
{
    memset(x, 0, sizeof *x);
    flywheel__v1__envelope__init(&x->env);
    flywheel__v1__actions__init(&x->a);
    flywheel__v1__chip_offer__init(&x->offer);
    flywheel__v1__compute_bid__init(&x->bid);
    flywheel__v1__investment_proposal__init(&x->prop);
    flywheel__v1__investment_terms__init(&x->terms);
    flywheel__v1__proposal_answer__init(&x->answer);
    x->offer = (Flywheel__V1__ChipOffer){x->offer.base, "gpu", 30000, 1000};
    x->bid.provider = "aws";
    x->bid.family = "gpu";
    x->bid.quantity = 5000;
    x->bid.max_price = 2500;
    x->terms.amount = 1000000000;
    x->terms.credit_fraction = 0.5;
    x->prop.lab = "openai";
    x->prop.terms = &x->terms;
    x->answer.proposal_id = 3;
    x->answer.accept = 1;
    x->offers[0] = &x->offer;
    x->bids[0] = &x->bid;
    x->props[0] = &x->prop;
    x->answers[0] = &x->answer;
    x->a.chip_offers = x->offers;
    x->a.n_chip_offers = 1;
    x->a.compute_bids = x->bids;
    x->a.n_compute_bids = 1;
    x->a.proposals = x->props;
    x->a.n_proposals = 1;
    x->a.answers = x->answers;
    x->a.n_answers = 1;
    x->env.protocol_version = FW_PROTOCOL_VERSION;
    x->env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    x->env.actions = &x->a;
}

static Flywheel__V1__RefusalCode s_check(const actions_t *x, char *why, size_t len)
{
    return fw_validate_from_agent(&x->env, why, len);
}

Test(fw_validate, well_formed_actions_pass)
{
    actions_t x;
    char why[200];
    s_actions(&x);
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(UNSPECIFIED), "%s", why);
    cr_assert_str_eq(why, "");
}

Test(fw_validate, each_bad_value_has_its_code_and_says_where)
{
    actions_t x;
    char why[200];
    s_actions(&x);
    x.offer.quantity = -1;
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(NEGATIVE));
    cr_assert_str_eq(why, "chip_offers[0]: -1 is below 0");

    s_actions(&x);
    x.bid.max_price = INT64_MAX / 2;
    x.bid.quantity = 3;
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(OVERFLOW));
    cr_assert_not_null(strstr(why, "compute_bids[0]"), "%s", why);

    s_actions(&x);
    x.terms.min_cloud_share = NAN;
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(NOT_FINITE));
    cr_assert_str_eq(why, "proposals[0]: not a finite number");

    s_actions(&x);
    x.terms.amount = -5;
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(NEGATIVE));

    s_actions(&x);
    x.answer.min_chip_share = INFINITY;
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(NOT_FINITE));

    s_actions(&x);
    x.a.n_answers = FW_VALIDATE_MAX_ITEMS + 1; /* counted before any is read */
    cr_assert_eq(s_check(&x, why, sizeof why), CODE(TOO_LARGE));
}

Test(fw_validate, a_hello_with_a_role_the_schema_does_not_define_is_refused)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    char why[200];
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    h.role = FLYWHEEL__V1__ROLE__ROLE_LAB;
    cr_assert_eq(fw_validate_from_agent(&env, why, sizeof why), CODE(UNSPECIFIED));
    h.role = (Flywheel__V1__Role)7;
    cr_assert_eq(fw_validate_from_agent(&env, why, sizeof why), CODE(BAD_ENUM));
    cr_assert_str_eq(why, "role 7 is not one this schema defines");
    /* And through the wire: protobuf-c keeps an unknown enum value as it came. */
    uint8_t *buf = NULL;
    size_t len = 0;
    fw_envelope_t *got = NULL;
    env.protocol_version = FW_PROTOCOL_VERSION;
    cr_assert_eq(fw_proto_pack(&env, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack(buf, len, &got), FW_PROTO_OK);
    cr_assert_eq(fw_validate_from_agent(got, why, sizeof why), CODE(BAD_ENUM));
    fw_proto_free(&got);
    free(buf);
}
