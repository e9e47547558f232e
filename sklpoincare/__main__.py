"""``python -m sklpoincare``: the command line of :mod:`sklpoincare._cli`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
