"""`python3 -m flywheel_agent --connect URL --seat SEAT`: plays one seat."""
import sys

from .agent import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
