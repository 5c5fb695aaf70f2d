/* fw_log: see fw_log.h. */
#include "fw_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The process identity, written once by main() through fw_log_init(). */
static struct {
    char role[32];
    char seat[32];
    fw_log_level_t level;
} s_log = {"flywheel", "-", FW_LOG_INFO};

void fw_log_init(const char *role, const char *seat, fw_log_level_t level)
{
    snprintf(s_log.role, sizeof s_log.role, "%s", role ? role : "flywheel");
    snprintf(s_log.seat, sizeof s_log.seat, "%s", seat && *seat ? seat : "-");
    s_log.level = level;
}

int fw_log_level_parse(const char *s)
{
    static const char *names[] = {"debug", "info", "warn", "error", "quiet"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

fw_log_level_t fw_log_level(void)
{
    return s_log.level;
}

static void s_vwrite(fw_log_level_t level, const char *seat, const char *subsystem,
                     const char *fmt, va_list ap)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR", "QUIET"};
    struct timespec ts;
    struct tm tm;
    char when[32];
    char msg[1024];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* One fprintf per line so lines from processes sharing a terminal do not interleave. */
    fprintf(stderr, "%s.%03ldZ %s %s/%s %s: %s\n", when, ts.tv_nsec / 1000000L,
            names[level], s_log.role, seat && *seat ? seat : s_log.seat, subsystem, msg);
}

void fw_log_write(fw_log_level_t level, const char *subsystem, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vwrite(level, NULL, subsystem, fmt, ap);
    va_end(ap);
}

void fw_log_write_as(fw_log_level_t level, const char *seat, const char *subsystem,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vwrite(level, seat, subsystem, fmt, ap);
    va_end(ap);
}
