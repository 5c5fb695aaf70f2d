/* fuzz_envelope: what the coordinator does with one ZeroMQ frame from an agent.
 *
 * The bytes are unpacked with the memory budget (fw_proto_unpack), checked for form
 * (fw_validate_from_agent) and, as the coordinator logs and answers with them, the
 * agent's strings are cleaned (fw_text_clean) at the sizes fw_coord.c and
 * fw_seats.c use. Properties: an unpacked envelope always has a body; a refusal
 * always has a reason and an accepted one none; cleaned text fits its buffer, is
 * NUL-terminated and holds no control character; and an accepted envelope, packed
 * again as the coordinator packs it into events.log, unpacks again (a replay or a
 * --resume must read every record the run wrote) to the same bytes. The same bytes
 * also go through an agent's unpacking with a kept market view (s_cached).
 */
#include <string.h>

#include "fw_fuzz.h"
#include "fw_proto.h"
#include "fw_text.h"
#include "fw_validate.h"

/* Cleans `src` as a caller with buffer `cap` and limit `max` would, and checks the
 * result. */
static void s_clean(const char *src, size_t cap, size_t max)
{
    char dst[128];
    FW_FUZZ_CHECK(cap <= sizeof dst);
    memset(dst, 'x', sizeof dst);
    fw_text_clean(dst, cap, src, max);
    if (cap == 0) {
        FW_FUZZ_CHECK(dst[0] == 'x');
        return;
    }
    const char *end = memchr(dst, '\0', cap);
    FW_FUZZ_CHECK(end != NULL);
    size_t len = (size_t)(end - dst);
    /* "..." is written even when max is below 3: only cap bounds it then. */
    FW_FUZZ_CHECK(len <= (max > 3 ? max : 3));
    for (size_t i = 0; i < len; i++)
        FW_FUZZ_CHECK((unsigned char)dst[i] >= 0x20 && dst[i] != 0x7f);
}

/* What the coordinator writes of an accepted envelope, events.log, must read back. */
static void s_round_trip(const fw_envelope_t *env)
{
    uint8_t *packed = NULL, *again = NULL;
    size_t len = 0, len_again = 0;
    fw_envelope_t *back = NULL;
    FW_FUZZ_CHECK(fw_proto_pack(env, &packed, &len) == FW_PROTO_OK);
    FW_FUZZ_CHECK(fw_proto_unpack(packed, len, &back) == FW_PROTO_OK);
    FW_FUZZ_CHECK(fw_proto_pack(back, &again, &len_again) == FW_PROTO_OK);
    FW_FUZZ_CHECK(len == len_again && memcmp(packed, again, len) == 0);
    fw_proto_free(&back);
    free(packed);
    free(again);
}

/* The strings the coordinator shows from an agent's envelope. */
static void s_clean_strings(const fw_envelope_t *env)
{
    s_clean(env->seat, 72, 64);     /* a message naming another seat (fw_coord.c) */
    s_clean(env->seat, 8, 64);      /* a buffer smaller than the limit */
    s_clean(env->seat, 1, 64);
    s_clean(env->seat, 0, 64);
    if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_HELLO) {
        const Flywheel__V1__Hello *h = env->hello;
        s_clean(h->schema_hash, 32, 12); /* a schema mismatch */
        s_clean(h->seat, 72, 64);        /* a seat the scenario does not have */
        s_clean(h->agent, 64, 63);       /* the player's name */
    } else if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_BYE) {
        s_clean(env->bye->reason, 112, 100);
    }
}

/* What an agent of many seats does with the same frame (fw_proto_unpack_cached):
 * read twice, the second time from the view it kept, it gives the same result; an
 * envelope it accepts packs to what it accepted the first time. */
static void s_cached(const uint8_t *data, size_t size)
{
    fw_proto_view_cache_t *cache = fw_proto_view_cache_new();
    fw_envelope_t *a = NULL, *b = NULL;
    FW_FUZZ_CHECK(cache != NULL);
    int ra = fw_proto_unpack_cached(data, size, cache, &a);
    int rb = fw_proto_unpack_cached(data, size, cache, &b);
    FW_FUZZ_CHECK(ra == rb);
    FW_FUZZ_CHECK((a == NULL) == (b == NULL));
    if (ra == FW_PROTO_OK) {
        uint8_t *pa = NULL, *pb = NULL;
        size_t la = 0, lb = 0;
        FW_FUZZ_CHECK(a->body_case != FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET);
        if (fw_proto_pack(a, &pa, &la) == FW_PROTO_OK) {
            FW_FUZZ_CHECK(fw_proto_pack(b, &pb, &lb) == FW_PROTO_OK);
            FW_FUZZ_CHECK(la == lb && memcmp(pa, pb, la) == 0);
        }
        free(pa);
        free(pb);
    }
    fw_proto_free(&a);
    fw_proto_free(&b);
    fw_proto_view_cache_destroy(&cache);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_cached(data, size);
    fw_envelope_t *env = NULL;
    int rc = fw_proto_unpack(data, size, &env);
    if (rc == FW_PROTO_EVERSION) {
        /* Still handed back: the coordinator answers the sender's seq. */
        FW_FUZZ_CHECK(env && env->protocol_version != FW_PROTOCOL_VERSION);
    } else if (rc != FW_PROTO_OK) {
        FW_FUZZ_CHECK(env == NULL);
        FW_FUZZ_CHECK(strcmp(fw_proto_strerror(rc), "") != 0);
        return 0;
    }
    FW_FUZZ_CHECK(env->body_case != FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET);
    FW_FUZZ_CHECK(strcmp(fw_proto_body_name(env), "none") != 0);

    char why[200];
    memset(why, 'x', sizeof why);
    Flywheel__V1__RefusalCode code = fw_validate_from_agent(env, why, sizeof why);
    FW_FUZZ_CHECK(memchr(why, '\0', sizeof why) != NULL);
    if (code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNSPECIFIED)
        FW_FUZZ_CHECK(why[0] == '\0');
    else
        FW_FUZZ_CHECK(why[0] != '\0');
    s_clean_strings(env);
    if (rc == FW_PROTO_OK && code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNSPECIFIED)
        s_round_trip(env);
    /* The Actions comparison packs both again: a resend's duplicate check. */
    if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS)
        FW_FUZZ_CHECK(fw_proto_same_actions(env, env));

    fw_proto_free(&env);
    FW_FUZZ_CHECK(env == NULL);
    return 0;
}
