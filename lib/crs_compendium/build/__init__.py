"""Build plumbing, apart from the science: executing the notebooks into Jupyter Book's cache
(``execution``), handing nbval's verified executions to the book build (``nbval_cache``), and the Sphinx
extension of the book (``sphinx_ext``). Nothing here imports the analysis."""
