/* fw_eventlog: see fw_eventlog.h. */
#include "fw_eventlog.h"

#include <stdlib.h>

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

int fw_eventlog_append(fw_eventlog_t *log, const fw_envelope_t *env)
{
    return fw_proto_write_delimited(log->file, env);
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
