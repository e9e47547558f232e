"""The package as a whole: importing it from an unbuilt source tree."""

import shutil
import subprocess
import sys
from pathlib import Path

import sklpoincare


def test_unbuilt_source_tree_says_how_to_build(tmp_path):
    """A checkout without compiled kernels fails with a message that says
    how to build them, not a bare ModuleNotFoundError."""
    source = Path(sklpoincare.__file__).parent
    copy = tmp_path / "sklpoincare"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    # an editable install finds its checkout before sys.path: drop its finder
    script = (
        "import sys; sys.meta_path = [f for f in sys.meta_path "
        "if 'editable' not in repr(f)]; sys.path.insert(0, '.'); import sklpoincare"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Cython kernels are not built" in result.stderr
    assert "pip install" in result.stderr and "build_ext --inplace" in result.stderr
