"""Renderers: rich output for people and JSON for scripts, both from the cores' dataclasses."""
