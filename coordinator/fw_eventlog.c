/* fw_eventlog: see fw_eventlog.h. */
#include "fw_eventlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fw_eventlog {
    FILE *file; /* owned */
};

fw_eventlog_t *fw_eventlog_open(const char *path, const fw_envelope_t *header)
{
    fw_eventlog_t *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->file = fopen(path, "wb");
    if (!log->file || fw_proto_write_delimited(log->file, header) != FW_PROTO_OK ||
        fflush(log->file) != 0) {
        fw_eventlog_close(&log);
        return NULL;
    }
    return log;
}

fw_eventlog_t *fw_eventlog_reopen(const char *path)
{
    fw_eventlog_t *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    log->file = fopen(path, "ab");
    if (!log->file) {
        int saved = errno;
        free(log);
        errno = saved;
        return NULL;
    }
    return log;
}

static void s_free_all(fw_envelope_t **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fw_proto_free(&v[i]);
}

int fw_eventlog_read(const char *path, fw_envelope_t **header, fw_eventlog_tick_fn fn,
                     void *arg, fw_eventlog_recovery_t *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    *header = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_len, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = fw_proto_read_delimited(f, header);
    if (rc != FW_PROTO_OK || (*header)->body_case != FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER) {
        snprintf(err, err_len, "%s does not start with a run header (%s)", path,
                 rc == FW_PROTO_OK ? "another record" : fw_proto_strerror(rc));
        fw_proto_free(header);
        fclose(f);
        return -1;
    }
    out->kept_bytes = ftell(f);
    size_t cap = 16, n = 0;
    fw_envelope_t **acts = calloc(cap, sizeof *acts), *env = NULL;
    int result = acts ? 0 : -1;
    if (!acts)
        snprintf(err, err_len, "out of memory");
    while (result == 0 && (rc = fw_proto_read_delimited(f, &env)) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS) {
            if (n == cap) {
                fw_envelope_t **grown = realloc(acts, 2 * cap * sizeof *acts);
                if (!grown) {
                    snprintf(err, err_len, "out of memory");
                    result = -1;
                    break;
                }
                acts = grown;
                cap *= 2;
            }
            acts[n++] = env;
            env = NULL;
            continue;
        }
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT && env->snapshot) {
            if (env->tick != out->ticks + 1) {
                snprintf(err, err_len, "%s: a snapshot of tick %u follows tick %u", path,
                         env->tick, out->ticks);
                result = -1;
            } else if (fn && fn(arg, acts, n, env) != 0) {
                snprintf(err, err_len, "tick %u of %s could not be replayed", env->tick, path);
                result = -1;
            } else {
                out->ticks = env->tick;
                out->kept_bytes = ftell(f);
            }
            s_free_all(acts, n);
            n = 0;
        }
        fw_proto_free(&env); /* other records say nothing about the state */
    }
    fw_proto_free(&env);
    s_free_all(acts, n);
    free(acts);
    if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > out->kept_bytes)
        out->dropped_bytes = ftell(f) - out->kept_bytes;
    fclose(f);
    /* A clean end, a torn last record (a run still writing, or a crash), or a record
     * cut anywhere inside end the sealed ticks. Anything else unreadable is not a
     * crash's mark. */
    if (result == 0 && rc != FW_PROTO_EOF && rc != FW_PROTO_ETRUNCATED) {
        snprintf(err, err_len, "%s: unreadable record after tick %u: %s", path, out->ticks,
                 fw_proto_strerror(rc));
        result = -1;
    }
    if (result != 0)
        fw_proto_free(header);
    return result;
}

int fw_eventlog_recover(const char *path, fw_envelope_t **header, fw_eventlog_tick_fn fn,
                        void *arg, fw_eventlog_recovery_t *out, char *err, size_t err_len)
{
    if (fw_eventlog_read(path, header, fn, arg, out, err, err_len) != 0)
        return -1;
    /* All that follows the last sealed tick goes, so that appending goes on from a clean
     * record boundary. */
    if (out->dropped_bytes > 0 && truncate(path, out->kept_bytes) != 0) {
        snprintf(err, err_len, "cannot cut the torn end of %s: %s", path, strerror(errno));
        fw_proto_free(header);
        return -1;
    }
    return 0;
}

int fw_eventlog_append(fw_eventlog_t *log, const fw_envelope_t *env)
{
    return fw_proto_write_delimited(log->file, env);
}

int fw_eventlog_append_bytes(fw_eventlog_t *log, const uint8_t *bytes, size_t len)
{
    return fw_proto_write_delimited_bytes(log->file, bytes, len);
}

int fw_eventlog_flush(fw_eventlog_t *log)
{
    return fflush(log->file) == 0 ? FW_PROTO_OK : FW_PROTO_EIO;
}

int fw_eventlog_close(fw_eventlog_t **p)
{
    int rc = FW_PROTO_OK;
    if (!p || !*p)
        return rc;
    if ((*p)->file && fclose((*p)->file) != 0)
        rc = FW_PROTO_EIO;
    free(*p);
    *p = NULL;
    return rc;
}
