"""Runs every ```sh and ```python block of a Markdown page, in order, in the current
directory, so a page's examples are tested as a reader would run them.

    /usr/bin/python3 docs_snippets.py PAGE.md

sh blocks run under `bash -euo pipefail`, python blocks under this interpreter with
matplotlib's file-only backend; both inherit the environment (PATH, PYTHONPATH). It
stops at the first block that fails, naming the page's line where the block starts,
and exits 1; 0 when every block ran. Other fences (```yaml, plain ```) are text.
"""

import os
import re
import subprocess
import sys

FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(path):
    """(language, first line of the code, code) for each fenced block of the page."""
    lang, start, lines = None, 0, []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = FENCE.match(line)
            if m and lang is None:
                lang, start, lines = m.group(1), number + 1, []
            elif line.rstrip() == "```" and lang is not None:
                yield lang, start, "".join(lines)
                lang = None
            elif lang is not None:
                lines.append(line)
    if lang is not None:
        raise SystemExit(f"{path}:{start - 1}: a code block that never closes")


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    page = sys.argv[1]
    env = dict(os.environ, MPLBACKEND="Agg")
    ran = 0
    for lang, line, code in blocks(page):
        if lang == "sh":
            cmd = ["bash", "-euo", "pipefail", "-c", code]
        elif lang == "python":
            cmd = [sys.executable, "-c", code]
        else:
            continue
        print(f"== {page}:{line} ({lang})", flush=True)
        rc = subprocess.run(cmd, env=env).returncode
        if rc != 0:
            print(f"{page}:{line}: this {lang} block failed (exit {rc})", file=sys.stderr)
            return 1
        ran += 1
    print(f"{page}: {ran} blocks ran", flush=True)
    return 0 if ran else 1


if __name__ == "__main__":
    sys.exit(main())
