"""Inside a running app: one request's life (``trace``) and a session-security audit (``doctor``).

``trace`` runs requests through the app's own test client and records what Flask does around
them (contexts, session open and save, hooks, the view, blinker signals, the Set-Cookie that
goes out) as a frozen timeline, naming the classic session mistakes where they happen.
``doctor`` reads the app's configuration (and, when asked, its session store) and gives
findings with stable ids; ``sarif`` writes them as SARIF 2.1.0.

Instrumentation uses only public hooks: blinker signals, a wrapping session interface, and
``before_request``/``after_request``/``teardown_request`` functions added first or last, all
removed when the trace ends. Flask internals are never patched.

May import: the standard library, Flask, blinker, :mod:`flaskscope.errors`,
:mod:`flaskscope.cookies`, :mod:`flaskscope.sessions`, :mod:`flaskscope.audit`,
:mod:`flaskscope.flaskapp` and :mod:`flaskscope.handshake`. Never Click or rich.
"""
