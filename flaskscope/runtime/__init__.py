"""The process around a command: bounded file reading, standard streams, signals, workers.

What every command needs from the operating system, done once so that no input, signal or
pipe can make one of them hang, exhaust memory or print a traceback:

- :mod:`flaskscope.runtime.files`: open without blocking (a FIFO with no writer), refuse
  what is not a file, read at most a stated number of bytes, and turn a read error partway
  (``/proc/self/mem``) into an ``OSError`` the command names;
- :mod:`flaskscope.runtime.process`: standard streams that survive a closed or broken
  stdout (the verdict's exit code is kept) and any output encoding, SIGTERM/SIGHUP turned
  into a clean interruption (exit 128 + signal), and worker processes that die with their
  parent.

May import: ``flaskscope.errors``. No Click, no rich: the CLI turns what this raises into
its one ``Error:`` line.
"""
