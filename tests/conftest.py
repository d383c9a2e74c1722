"Shared pytest set-up: the repository root, and the tools/ and _ext/ folders importable."
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for sub in ('tools', '_ext'):
    if str(ROOT / sub) not in sys.path: sys.path.insert(0, str(ROOT / sub))
