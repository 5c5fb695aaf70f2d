/* fw_heap: how every Flywheel process that exchanges ticks tunes the C heap.
 *
 * A tick allocates and frees megabytes of messages in a big market (a TickStart per
 * seat, packed by one thread and freed by ZeroMQ's I/O thread, or the other way
 * round; a market view of hundreds of kilobytes unpacked in an agent). By default
 * glibc gives the top of a heap back to the kernel once 128 KiB of it is free, and
 * serves blocks of 128 KiB and more with a fresh mmap, so every tick faulted the
 * same pages in again and the kernel cleared them: at 256 seats grouped in 4
 * processes that was over half of the wall time (a profile: clear_page, page faults,
 * in the coordinator, the agents and their I/O threads).
 */
#ifndef FW_HEAP_H
#define FW_HEAP_H

/* Freed memory kept for reuse instead of being given back (bytes). */
#define FW_HEAP_KEEP_BYTES (128 * 1024 * 1024)
/* Blocks below this size come from the heap, so that they are reused (glibc's
 * largest: 32 MiB on 64-bit). */
#define FW_HEAP_MMAP_BYTES (32 * 1024 * 1024)

/* Keeps freed memory for the next tick. Call once, first thing in main. A process
 * stays at its peak size instead of shrinking after it (a 1,024-seat coordinator:
 * 240 MB rather than 140 MB, scripts/bench-scale). */
void fw_heap_tune(void);

#endif
