/* fw_clock: the few clock reads and naps every process needs, in milliseconds.
 *
 * Monotonic time measures waits and timeouts (it never jumps); Unix time is only for
 * what crosses machines: a turn's deadline, which clients show as a countdown.
 */
#ifndef FW_CLOCK_H
#define FW_CLOCK_H

#include <stdint.h>

/* Milliseconds of the monotonic clock (for intervals). */
int64_t fw_clock_ms(void);

/* Milliseconds since the Unix epoch (for deadlines shared between hosts). */
int64_t fw_clock_unix_ms(void);

/* Nanoseconds of CPU time the calling thread has used (for cost accounting: a thread
 * blocked in a poll uses none). */
int64_t fw_clock_thread_cpu_ns(void);

/* Sleeps about ms milliseconds; a signal may end it early (callers loop on a clock
 * or a flag). */
void fw_clock_sleep_ms(long ms);

#endif
