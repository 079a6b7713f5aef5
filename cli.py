"""Command line entry point: `python cli.py COMMAND ...` (see `python cli.py --help`)."""

import sys

from classifier.cli import main

if __name__ == "__main__":
    sys.exit(main())
