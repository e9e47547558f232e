"""Sphinx configuration of the sklpoincare documentation.

Build with ``make -C doc html`` (warnings are errors). The package must be
importable with its Cython extensions compiled: ``pip install -e .[docs]``,
or ``python setup.py build_ext --inplace`` in the checkout.
"""

import os
import sys
from pathlib import Path

# Document the checkout these pages belong to, even when another copy of
# sklpoincare is installed in the environment.
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import sklpoincare  # noqa: E402

# The gallery draws off screen; a GUI backend would open windows.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sklpoincare"
author = "the sklpoincare developers"
copyright = "the sklpoincare developers; BSD-3-Clause"
version = release = sklpoincare.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # a copy of MathJax in _static: formulas render without network
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
# The theme of scikit-learn and most of its ecosystem: full-width pages, a
# navigation bar, and the page's sections in a right-hand column.
html_theme = "pydata_sphinx_theme"
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_context = {"default_mode": "light"}
html_sidebars = {"index": [], "install": [], "user_guide": [], "benchmarks": [],
                 "comparison": [], "bad_inputs": [], "gensim_mapping": [],
                 "training_choices": []}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_title = f"sklpoincare {release}"
# A build and a site that need nothing from the network: no intersphinx,
# and MathJax is served from the site itself (sphinx-mathjax-offline).

# autosummary writes one stub page per documented object into generated/.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"

# numpydoc renders the Parameters / Returns / Attributes sections; the class
# template lists the methods itself, so numpydoc must not add a second table.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Only plot_*.py files are executed. embed_mammals.py is the README's
    # command-line job, not a gallery page.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|embed_mammals\.py",
    # "Examples using ..." sections on the API pages.
    "doc_module": ("sklpoincare",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklpoincare": None},
    "within_subsection_order": "FileNameSortKey",
    # A failing example fails the build (sphinx-gallery's default, kept).
}


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Hide scikit-learn's generated set_{method}_request methods.

    They are added to every estimator class by scikit-learn's metadata routing
    and documented there; their docstrings link into scikit-learn's own user
    guide, which this build does not have.
    """
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def _write_interactive_view(app):
    """Put the interactive view of the mammals (a standalone HTML file that
    the gallery links to) into the site: ``interactive/mammals_2d.html``."""
    from sklpoincare import PoincareEmbedder
    from sklpoincare.datasets import load_mammals
    from sklpoincare.plot import plot_interactive

    relations = load_mammals().data
    embedder = PoincareEmbedder(n_components=2, random_state=0).fit(relations)
    folder = Path(app.outdir) / "interactive"
    folder.mkdir(parents=True, exist_ok=True)
    plot_interactive(embedder, folder / "mammals_2d.html", edges=relations,
                     title="WordNet mammals in the Poincaré disk (hover, zoom, pan)")


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
    app.connect("builder-inited", _write_interactive_view)
