"""Regenerate the bundled sample extracts byte-identically: ``python sample_extracts/make_samples.py``.

All content comes from :func:`postloan_audit.synth.generator.write_sample_extracts` (fixed seeds).
"""

import sys
from pathlib import Path

from postloan_audit.synth.generator import write_sample_extracts

if __name__ == "__main__":
    for path in write_sample_extracts(Path(__file__).resolve().parent):
        print(path.name)
    sys.exit(0)
