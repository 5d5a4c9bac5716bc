"""Renderers: rich output for people, JSON for scripts, and self-contained HTML reports
(:mod:`flaskscope.render.html`), all from the cores' dataclasses."""
