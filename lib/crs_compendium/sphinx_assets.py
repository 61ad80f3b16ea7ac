"""Sphinx extension: drop duplicate script tags from every page.

sphinx-thebe and sphinx-togglebutton (both always loaded by Jupyter Book 1) register inline scripts with
`app.add_js_file(None, body=...)` once into the builder and once into the registry (where None became
""), so Sphinx 7 emits each twice and the browser raises "Identifier 'THEBE_JS_URL' has already been
declared" on every page.
"""

__all__ = ["setup"]


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Copies differ only in priority or in None vs "" for an inline script: the same <script> tag.
        key = (getattr(script, "filename", script) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: Sphinx appends page-specific scripts to this very list object.
    context["script_files"][:] = unique


def setup(app):
    # Early: html-page-context is emitted with emit_firstresult, so a theme handler that returns a
    # template name ends the chain before handlers of lower priority run.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
