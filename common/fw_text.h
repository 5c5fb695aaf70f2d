/* fw_text: text that came from outside (an agent's seat id, a player's name, a Bye's
 * reason) made safe to show: in a log line, a terminal, the viewer.
 *
 * Control characters (a newline could forge a log line, an escape sequence could
 * repaint a player's terminal) and bytes that are not UTF-8 become \xNN; the text is
 * cut at a length, with "..." to say so. Valid UTF-8 beyond ASCII is kept. And text
 * written into a CSV file as one field, whatever it holds. */
#ifndef FW_TEXT_H
#define FW_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes the cleaned form of `src` (NULL reads as "") into dst (capacity cap, always
 * NUL-terminated when cap > 0): at most max_bytes bytes (and cap - 1), ending in
 * "..." when it had to be cut; a character or an escape is never cut in two. Returns
 * dst. */
char *fw_text_clean(char *dst, size_t cap, const char *src, size_t max_bytes);

/* Writes `s` as one CSV field (RFC 4180): as it is, or quoted, with quotes doubled,
 * when it holds a comma, a quote or a line break (a scenario's path, a unit). */
void fw_text_csv_field(FILE *f, const char *s);

#endif
