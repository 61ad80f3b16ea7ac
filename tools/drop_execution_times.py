"""Drop the clock times nbclient records in each executed cell (``metadata.execution``) from the given notebooks.

Run by `make notebooks` after executing them: the times change on every run, and a committed notebook
should differ from the last one only where its code or outputs did.
"""
import sys

import nbformat


def main(paths: list[str]) -> None:
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        timed = [cell for cell in notebook.cells if "execution" in cell.metadata]
        for cell in timed:
            del cell.metadata["execution"]
        if timed:
            nbformat.write(notebook, path)


if __name__ == "__main__":
    main(sys.argv[1:])
