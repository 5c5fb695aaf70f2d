/* fw_heap: see fw_heap.h. */
#include "fw_heap.h"

#include <malloc.h>

void fw_heap_tune(void)
{
    /* A failure leaves glibc's defaults: slower, never wrong. */
    (void)mallopt(M_TRIM_THRESHOLD, FW_HEAP_KEEP_BYTES);
    (void)mallopt(M_MMAP_THRESHOLD, FW_HEAP_MMAP_BYTES);
}
