"""Code Norwegian open-ended survey answers into the categories of a code frame.

The package is the library; `classifier.cli` is the command line on top of it.
Nothing outside `classifier.cli` prints or exits.
"""

__version__ = "0.2.0"
