"""`python -m quizapp` is the `quizapp` command."""

import sys

from quizapp.cli import main

sys.exit(main())
