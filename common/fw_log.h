/* fw_log: one line per event on stderr: UTC time, level, process role and seat,
 * subsystem, message.
 *
 *   2026-11-26T09:01:02.345Z WARN coordinator/- seats: refused hello from 'aws': seat taken
 *
 * The level is checked before the arguments are evaluated (the macros below), so a
 * debug line costs nothing when debug is off. The process identity and level are set
 * once by main() with fw_log_init() before any thread starts; that is the only state
 * this module keeps. Library code logs through here and never calls printf.
 *
 * A process that plays several seats has no one seat to put in its identity: a line
 * about one seat names it itself (fw_log_seat_info(seat, ...)), in the place of the
 * process's seat, so the label travels with the call instead of living in a global.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

typedef enum {
    FW_LOG_DEBUG = 0,
    FW_LOG_INFO = 1,
    FW_LOG_WARN = 2,
    FW_LOG_ERROR = 3,
    FW_LOG_QUIET = 4,
} fw_log_level_t;

/* Sets the process role ("coordinator", "agent", ...), seat ("-" if none) and level. */
void fw_log_init(const char *role, const char *seat, fw_log_level_t level);

/* Parses "debug", "info", "warn", "error", "quiet"; returns -1 if none matches. */
int fw_log_level_parse(const char *s);

/* The level in force. */
fw_log_level_t fw_log_level(void);

/* Writes one line; use the macros instead. */
void fw_log_write(fw_log_level_t level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes one line as `seat` (NULL or "": the process's seat); use the fw_log_seat_*
 * macros instead. */
void fw_log_write_as(fw_log_level_t level, const char *seat, const char *subsystem,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define FW_LOG_AT(lvl, sub, ...)                                                     \
    do {                                                                             \
        if ((lvl) >= fw_log_level())                                                 \
            fw_log_write((lvl), (sub), __VA_ARGS__);                                 \
    } while (0)
#define fw_log_debug(sub, ...) FW_LOG_AT(FW_LOG_DEBUG, sub, __VA_ARGS__)
#define fw_log_info(sub, ...) FW_LOG_AT(FW_LOG_INFO, sub, __VA_ARGS__)
#define fw_log_warn(sub, ...) FW_LOG_AT(FW_LOG_WARN, sub, __VA_ARGS__)
#define fw_log_error(sub, ...) FW_LOG_AT(FW_LOG_ERROR, sub, __VA_ARGS__)


#define FW_LOG_SEAT_AT(lvl, seat, sub, ...)                                          \
    do {                                                                             \
        if ((lvl) >= fw_log_level())                                                 \
            fw_log_write_as((lvl), (seat), (sub), __VA_ARGS__);                      \
    } while (0)
#define fw_log_seat_debug(seat, sub, ...) FW_LOG_SEAT_AT(FW_LOG_DEBUG, seat, sub, __VA_ARGS__)
#define fw_log_seat_info(seat, sub, ...) FW_LOG_SEAT_AT(FW_LOG_INFO, seat, sub, __VA_ARGS__)
#define fw_log_seat_warn(seat, sub, ...) FW_LOG_SEAT_AT(FW_LOG_WARN, seat, sub, __VA_ARGS__)
#define fw_log_seat_error(seat, sub, ...) FW_LOG_SEAT_AT(FW_LOG_ERROR, seat, sub, __VA_ARGS__)

#endif
