/* fw_heap: how every Flywheel process that exchanges ticks tunes the C heap.
 *
 * A tick allocates and frees megabytes of messages in a big market (a TickStart per
 * seat, packed by one thread and freed by ZeroMQ's I/O thread, or the other way
 * round). glibc gives the top of a heap back to the kernel once 128 KiB of it is
 * free, so every tick faulted the same pages in again and the kernel cleared them:
 * at 256 seats grouped in 4 processes that was over half of the wall time (a profile:
 * clear_page, page faults, in the coordinator, the agents and their I/O threads).
 */
#ifndef FW_HEAP_H
#define FW_HEAP_H

/* Keeps up to FW_HEAP_KEEP_BYTES of freed memory for reuse instead of trimming it.
 * Call once, first thing in main. The peak does not grow: only memory the process
 * used at its peak is kept. */
#define FW_HEAP_KEEP_BYTES (128 * 1024 * 1024)
void fw_heap_tune(void);

#endif
