"""The native speedups (docs/speedups.md), the one part of the build pyproject.toml cannot say.

``flaskscope._speedups._native`` is an *optional* extension: without a C compiler (or when it
fails to build) setuptools warns and installs flaskscope anyway, which then runs its
pure-Python engine. Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptimisedBuildExt(build_ext):  # type: ignore[misc]
    """``-O3`` for GCC and Clang (the hash rounds unrolled); MSVC keeps its own defaults."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type != "msvc":
            for extension in self.extensions:
                extension.extra_compile_args = ["-O3", *extension.extra_compile_args]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "flaskscope._speedups._native",
            sources=["flaskscope/_speedups/_native.c"],
            depends=[
                "flaskscope/_speedups/_frames.h",
                "flaskscope/_speedups/_hashes.h",
                "flaskscope/_speedups/_hmac.h",
                "flaskscope/_speedups/_utf8.h",
            ],
            optional=True,
        )
    ],
    cmdclass={"build_ext": OptimisedBuildExt},
)
