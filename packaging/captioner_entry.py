"""The bundled app's entry point: PyInstaller runs this file as __main__.

Not captioner/__main__.py itself: PyInstaller puts the entry script's folder on the
analysis path, and captioner/ there would make its modules importable under bare names
(`cli`, `resources`, ...).
"""

import sys

from captioner.cli import main

if __name__ == "__main__":
    sys.exit(main())
