"""Sphinx extension: emit each <script> of a page once.

With Jupyter Book 1.0 on Sphinx 7.4, sphinx-thebe and sphinx-togglebutton
register their inline scripts twice, and the second ``const THEBE_JS_URL``
is a SyntaxError in the console of every page (the website tests caught it).
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The repeated copy differs only in filename: None instead of "" for inline scripts.
        key = (getattr(script, "filename", script) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the list is the builder's own, and handlers that run later (MathJax's, on
    # pages with formulas) still add their scripts to it. A new list would lose them.
    context.get("script_files", [])[:] = unique


def setup(app):
    # Early: Sphinx stops calling html-page-context handlers once one returns a template name.
    app.connect("html-page-context", _drop_repeated_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
