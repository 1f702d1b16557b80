"""python -m tui_charrnn: the same as the charrnn-tui command."""

import sys

from .cli import main

sys.exit(main())
