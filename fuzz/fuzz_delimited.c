/* fuzz_delimited: reading an events.log (fw_proto_read_delimited), as `replay` and
 * `--resume` do with a file that may have been cut short or damaged.
 *
 * The bytes are the whole file, read record by record until anything but a record
 * comes back. Properties: the reader always stops (each record takes at least one
 * byte), a failed read hands back no envelope, and a record read has a body.
 */
#include <string.h>

#include "fw_fuzz.h"
#include "fw_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen wants a writable buffer and, on older C libraries, a non-empty one. */
    uint8_t *copy = malloc(size ? size : 1);
    FW_FUZZ_CHECK(copy != NULL);
    copy[0] = 0;
    if (size)
        memcpy(copy, data, size);
    FILE *f = fmemopen(copy, size ? size : 1, "rb");
    FW_FUZZ_CHECK(f != NULL);
    if (size == 0)
        (void)fgetc(f); /* the one byte stands for nothing: consume it */
    size_t records = 0;
    for (;;) {
        fw_envelope_t *env = NULL;
        int rc = fw_proto_read_delimited(f, &env);
        if (rc != FW_PROTO_OK && rc != FW_PROTO_EVERSION) {
            FW_FUZZ_CHECK(env == NULL);
            break;
        }
        FW_FUZZ_CHECK(env && env->body_case != FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET);
        fw_proto_free(&env);
        FW_FUZZ_CHECK(++records <= size);
    }
    fclose(f);
    free(copy);
    return 0;
}
