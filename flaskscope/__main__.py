"""``python -m flaskscope`` and the ``flaskscope`` console script (:func:`run`).

The signal handlers go in before Click and the commands are imported: a Ctrl-C in the first
tenth of a second must not print a ``KeyboardInterrupt`` traceback from deep in an import.
"""

from flaskscope.runtime.process import exit_on_early_signals


def run() -> None:
    exit_on_early_signals()
    from flaskscope.cli import main

    main(prog_name="flaskscope")


if __name__ == "__main__":
    run()
