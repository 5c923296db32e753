"""The engine stays UI-free: importing every mllib module must not import streamlit."""

import subprocess
import sys

from tests.conftest import ROOT


def test_mllib_never_imports_streamlit() -> None:
    code = (
        "import importlib, pkgutil, sys, mllib\n"
        "for m in pkgutil.iter_modules(mllib.__path__):\n"
        "    importlib.import_module('mllib.' + m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
