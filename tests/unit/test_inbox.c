/* fw_inbox: one slot per seat and tick; late, early and duplicate actions refused. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "fw_inbox.h"

static fw_envelope_t *s_actions_env(uint32_t tick)
{
    fw_envelope_t *env = calloc(1, sizeof *env);
    Flywheel__V1__Actions *a = calloc(1, sizeof *a);
    flywheel__v1__envelope__init(env);
    flywheel__v1__actions__init(a);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->tick = tick;
    env->body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env->actions = a;
    /* fw_proto_free frees with protobuf-c's free_unpacked, which uses the system
     * allocator: a calloc'd tree is freed correctly. */
    return env;
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
