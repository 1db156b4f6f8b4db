"""Errors the command line reports, in a module below both ``quizapp.cli`` and the commands.

The commands raise ``UsageError``; ``cli.main`` loads the commands and turns it into a message
and exit code 2. Defined here rather than in ``cli.py`` so that no command imports the module
that imports it (an import cycle hidden behind ``importlib``).
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad usage or bad input: printed on stderr, exit code 2."""
