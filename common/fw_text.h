/* fw_text: text that came from outside (an agent's seat id, a player's name, a Bye's
 * reason) made safe to show: in a log line, a terminal, the viewer.
 *
 * Control characters (a newline could forge a log line, an escape sequence could
 * repaint a player's terminal) and bytes that are not UTF-8 become \xNN; the text is
 * cut at a length, with "..." to say so. Valid UTF-8 beyond ASCII is kept. */
#ifndef FW_TEXT_H
#define FW_TEXT_H

#include <stddef.h>

/* Writes the cleaned form of `src` (NULL reads as "") into dst (capacity cap, always
 * NUL-terminated when cap > 0): at most max_bytes bytes (and cap - 1), ending in
 * "..." when it had to be cut; a character or an escape is never cut in two. Returns
 * dst. */
char *fw_text_clean(char *dst, size_t cap, const char *src, size_t max_bytes);

#endif
