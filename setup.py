"""Build the Cython kernels; metadata lives in pyproject.toml.

OpenMP is used when the C compiler accepts it; otherwise the kernels are
built single-threaded (``n_jobs`` then has no effect). Set the environment
variable ``SKLPOINCARE_CHECKED_BUILD=1`` to compile with bounds and
wrap-around checks (slower; used once in CI to catch out-of-bounds access);
delete the generated ``sklpoincare/_*_fast.c`` files first, as Cython does
not regenerate them when only the directives change.
"""

import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

KERNELS = ["_sgd_fast", "_ranking_fast"]


def _compiles(compiler_cmd, flag, program):
    """Whether the compiler builds ``program`` (C source) with ``flag``."""
    tmp = tempfile.mkdtemp()
    try:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(program)
        cmd = [compiler_cmd, flag, src, "-o", os.path.join(tmp, "probe")]
        return subprocess.run(cmd, capture_output=True).returncode == 0
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _compiler_supports_openmp(compiler_cmd):
    """Try to compile and link a tiny OpenMP program."""
    program = "#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n"
    return _compiles(compiler_cmd, "-fopenmp", program)


class BuildExtWithOptionalOpenMP(build_ext):
    def build_extensions(self):
        compiler = getattr(self.compiler, "compiler_so", None)
        use_openmp = (
            sys.platform != "win32"
            and os.environ.get("SKLPOINCARE_NO_OPENMP") != "1"
            and compiler is not None
            and _compiler_supports_openmp(compiler[0])
        )
        openmp_flags = ["-fopenmp"] if use_openmp else []
        if not use_openmp:
            print("sklpoincare: building without OpenMP (single-threaded kernels)")
            # the vector loops of _batch.h still read their `omp simd` pragmas
            if compiler is not None and _compiles(
                compiler[0], "-fopenmp-simd", "int main(void){return 0;}\n"
            ):
                openmp_flags = ["-fopenmp-simd"]
        for ext in self.extensions:
            # -ffp-contract=off: no fused multiply-adds, so that the vector
            # versions of _batch.h round as the scalar code does (the same
            # bits on every CPU); -fno-math-errno lets sqrt vectorise.
            ext.extra_compile_args = [
                "-O3", "-ffp-contract=off", "-fno-math-errno"
            ] + openmp_flags
            ext.extra_link_args = ["-fopenmp"] if use_openmp else []
        super().build_extensions()


checked = os.environ.get("SKLPOINCARE_CHECKED_BUILD") == "1"
directives = {
    "language_level": 3,
    "boundscheck": checked,
    "wraparound": checked,
    "initializedcheck": checked,
}

extensions = [
    Extension(
        f"sklpoincare.{name}",
        [f"sklpoincare/{name}.pyx"],
        include_dirs=[np.get_include(), "sklpoincare"],
        depends=["sklpoincare/_batch.h", "sklpoincare/_geometry.pxd"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
    for name in KERNELS
]

setup(
    ext_modules=cythonize(extensions, compiler_directives=directives),
    cmdclass={"build_ext": BuildExtWithOptionalOpenMP},
)
