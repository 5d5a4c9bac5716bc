"""A package whose app is made by ``fs_pkg_app.web:make("NAME")``."""
