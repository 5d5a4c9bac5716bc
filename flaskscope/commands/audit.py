"""``flaskscope audit-secret``: try weak secret keys against a cookie, on every core.

Reads the cookie and the signing options exactly as ``decode-cookie`` does, streams the
candidates (:mod:`flaskscope.audit.wordlists`) through the worker pool
(:mod:`flaskscope.audit.runner`), confirms a hit through the decode path
(:mod:`flaskscope.audit.cookie`) and renders. ``--hashcat`` hands the cookie to hashcat
instead (:mod:`flaskscope.audit.hashcat`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import click

from flaskscope.audit.checker import AuditSpec
from flaskscope.audit.cookie import audit_report, audit_spec, check_signature_size, confirmer
from flaskscope.audit.hashcat import hashcat_line
from flaskscope.audit.runner import AuditRun, default_jobs, run_audit
from flaskscope.audit.wordlists import (
    COUNT_LIMIT_BYTES,
    Chunk,
    WordlistSource,
    builtin_source,
    file_source,
    stream_source,
)
from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, is_terminal, output_options
from flaskscope.commands.cookie_options import (
    cookie_input_options,
    max_age_option,
    read_cookie_input,
    resolve_cookie_name,
    resolve_max_age,
    resolve_signing,
    signing_options,
)
from flaskscope.cookies import split_cookie
from flaskscope.errors import InputError
from flaskscope.flask_commands import app_options, command_defaults
from flaskscope.render.audit import audit_json, hashcat_json, render_audit, render_hashcat
from flaskscope.render.console import emit_json, make_console, safe_str
from flaskscope.runtime.process import set_progress_note

__all__ = ["JOBS_PER_CORE", "MAX_JOBS", "audit_secret"]

MAX_JOBS = 1024
"""The most --jobs accepted at all."""

JOBS_PER_CORE = 4
"""More workers than this per usable core only compete for the cores: --jobs is cut to it."""


def _workers(jobs: int | None) -> int:
    """``--jobs`` within :data:`JOBS_PER_CORE` per usable core, saying so when it is cut."""
    cores = default_jobs()
    if jobs is None:
        return cores
    ceiling = JOBS_PER_CORE * cores
    if jobs > ceiling:
        click.echo(
            f"note: --jobs {jobs} is more than {JOBS_PER_CORE} per usable core ({cores});"
            f" using {ceiling}",
            err=True,
        )
        return ceiling
    return jobs


def _sources(wordlists: tuple[str, ...], builtin: bool) -> list[WordlistSource]:
    sources = [builtin_source()] if builtin else []
    if wordlists.count("-") > 1:
        raise click.UsageError("stdin ('--wordlist -') can be read only once")
    for path in wordlists:
        if path == "-":
            sources.append(stream_source(sys.stdin.buffer))
        else:
            sources.append(file_source(path))
    if not sources:
        raise click.UsageError("nothing to try: give --wordlist FILE or drop --no-builtin")
    return sources


def _total(sources: list[WordlistSource]) -> int | None:
    """Candidates in all sources when counting them first is cheap, else ``None``."""
    sizes = [source.countable_size() for source in sources]
    if any(size is None for size in sizes) or sum(s or 0 for s in sizes) > COUNT_LIMIT_BYTES:
        return None
    return sum(source.count() for source in sources)


def _chunks(sources: list[WordlistSource]) -> Iterator[Chunk]:
    for source in sources:
        yield from source.chunks()


@command(
    "audit-secret",
    help="""Check a session cookie against lists of weak secret keys, on every core.

    Tries the built-in list of keys seen in Flask docs, tutorials, templates and sample
    apps, plus any --wordlist (one candidate per line, taken as it is: only the line
    ending is removed, a blank line is the empty key, a line that is not UTF-8 is tried
    as raw bytes; FILE.gz is read through gzip; '-' is stdin). A hit is confirmed by the
    normal decode path before it is reported. Use your own app's cookie.

    With --app IMPORT (or as `flask scope audit-secret`) the cookie name, lifetime and
    the session interface's salt, digest, key derivation and serializer come from the
    app; options given here override them.

    \b
    Examples:
      flaskscope audit-secret eyJ1c2VyIjoiYWxpY2UifQ.ZxAbCd.sig...
      flaskscope audit-secret --file cookie.txt --wordlist rockyou.txt.gz --jobs 2
      zcat big.gz | flaskscope audit-secret --file cookie.txt --wordlist - --no-builtin
      flaskscope audit-secret COOKIE --json
      flaskscope audit-secret COOKIE --hashcat > cookie.hash

    Exit codes: 1 a weak key was found (so CI fails); 0 none found (or --hashcat line
    printed); 2 usage error, input that cannot be parsed, or no candidate at all (empty
    wordlists with --no-builtin: a blank line is the empty key and counts).
    """,
)
@cookie_input_options
@app_options
@click.option(
    "--wordlist",
    "-w",
    "wordlists",
    metavar="FILE|-",
    type=click.Path(dir_okay=False, allow_dash=True),
    multiple=True,
    help="A list of candidate keys, one per line (repeatable; .gz by name; '-' for stdin).",
)
@click.option(
    "--no-builtin",
    is_flag=True,
    help="Skip the built-in list of weak keys.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, MAX_JOBS),
    default=None,
    help=f"Worker processes (default: all cores; more than {JOBS_PER_CORE} per core are"
    " cut to that).",
)
@signing_options
@max_age_option
@click.option(
    "--hashcat",
    "hashcat",
    is_flag=True,
    help="Print the hash line for hashcat -m 29100 instead of searching.",
)
@output_options
def audit_secret(
    cookie: str | None,
    file: str | None,
    cookie_name: str | None,
    app_import: str | None,
    app_dir: str | None,
    wordlists: tuple[str, ...],
    no_builtin: bool,
    jobs: int | None,
    salt: str | None,
    digest: str | None,
    key_derivation: str | None,
    legacy: bool | None,
    max_age: int | str | None,
    hashcat: bool,
    as_json: bool,
    no_color: bool,
) -> None:
    if "-" in wordlists and not hashcat and (cookie in (None, "-") and file in (None, "-")):
        raise click.UsageError(
            "the wordlist is read from stdin ('--wordlist -'), so give the cookie as an "
            "argument or with --file PATH"
        )
    # With --app (or under `flask scope`) the app's session settings are the defaults; its
    # key is not needed (finding it is the point), so an app without one is fine.
    base = command_defaults(app_import, app_dir, key_given=True)
    value = read_cookie_input(cookie, file, resolve_cookie_name(cookie_name, base.cookie_name))
    options = resolve_signing(salt, digest, key_derivation, legacy, base.signing)
    parts = split_cookie(value, legacy=options.legacy)
    ctx = click.get_current_context()

    if hashcat:
        line = hashcat_line(parts, options)
        if as_json:
            emit_json(hashcat_json(line))
        else:
            for warning in line.warnings:
                click.echo(f"Warning: {safe_str(warning)}", err=True)
            render_hashcat(line, make_console(no_color=no_color), plain=not is_terminal(sys.stdout))
        ctx.exit(EXIT_OK)

    check_signature_size(parts, options)
    sources = _sources(wordlists, builtin=not no_builtin)
    spec = audit_spec(parts, options)
    now = datetime.now(timezone.utc)
    confirm, confirmed = confirmer(value, options, now, base.serializer)
    workers = _workers(jobs)
    # The bar is drawn on stderr, so it is there whenever a person watches stderr, also
    # with stdout redirected (> result.txt); never for --json or a stderr that is a file.
    show_progress = not as_json and is_terminal(sys.stderr)
    tried = [0]
    set_progress_note(lambda: f"{tried[0]:,} candidates")

    def count(done: int) -> None:
        tried[0] = done

    if show_progress:
        run = _run_with_progress(spec, sources, confirm, workers, no_color, count)
    else:
        run = run_audit(spec, _chunks(sources), confirm=confirm, jobs=workers, on_progress=count)
    if run.candidates_tried == 0:  # an empty list (a broken pipe upstream) must not pass CI
        raise InputError("no candidates to try: the wordlists were empty")

    report = audit_report(
        run,
        parts=parts,
        options=options,
        sources=[source.name for source in sources],
        confirmed=confirmed,
        now=now,
        max_age=resolve_max_age(max_age, base.max_age),
    )
    if as_json:
        emit_json(audit_json(report))
    else:
        render_audit(report, make_console(no_color=no_color))
    ctx.exit(EXIT_INVALID if report.found else EXIT_OK)


def _rate_column() -> Any:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Candidates per second (rich's speed estimate over the last updates)."""

        def render(self, task: Task) -> Text:
            return Text(f"{task.speed or 0:,.0f} candidates/s")

    return RateColumn()


def _run_with_progress(
    spec: AuditSpec,
    sources: list[WordlistSource],
    confirm: Callable[[bytes], bool],
    jobs: int,
    no_color: bool,
    count: Callable[[int], None],
) -> AuditRun:
    """The search with a rich progress bar on stderr (a terminal only).

    The bar is refreshed from the progress callback (``auto_refresh=False``): no refresh
    thread runs while the worker processes are forked.
    """
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    total = _total(sources)
    columns: list[Any] = [SpinnerColumn(), TextColumn("auditing")]
    if total is not None:
        columns += [
            BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        ]
    else:
        columns += [TextColumn("{task.completed:,.0f} tried")]
    columns += [_rate_column(), TextColumn("elapsed"), TimeElapsedColumn()]
    console = make_console(no_color=no_color, stderr=True)
    with Progress(*columns, console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task("audit", total=total)

        def on_progress(tried: int) -> None:
            count(tried)
            progress.update(task, completed=tried)
            progress.refresh()

        return run_audit(
            spec, _chunks(sources), confirm=confirm, jobs=jobs, on_progress=on_progress
        )
