/* fw_testwire: envelopes as they come off the wire, for unit tests of modules that
 * take ownership of what fw_proto_unpack returned (the inbox frees it with
 * fw_proto_free, which expects fw_proto's allocator). */
#ifndef FW_TESTWIRE_H
#define FW_TESTWIRE_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "fw_proto.h"

/* An empty Actions for `tick`, packed and unpacked as from the wire; the caller owns it
 * (fw_proto_free). */
static inline fw_envelope_t *fw_test_wire_actions(uint32_t tick)
{
    fw_envelope_t out = FLYWHEEL__V1__ENVELOPE__INIT, *env = NULL;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    out.protocol_version = FW_PROTOCOL_VERSION;
    out.tick = tick;
    out.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    out.actions = &a;
    uint8_t *buf = NULL;
    size_t len = 0;
    cr_assert_eq(fw_proto_pack(&out, &buf, &len), FW_PROTO_OK);
    cr_assert_eq(fw_proto_unpack(buf, len, &env), FW_PROTO_OK);
    free(buf);
    return env;
}

#endif
