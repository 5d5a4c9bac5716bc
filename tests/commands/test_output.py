"""Output people can read and scripts can trust (issue 12), through the real CLI.

Terminal behaviour runs on a pseudo-terminal of a set width (tests/terminal.py); pipes are
real pipes, and ``grep`` is the real one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flaskscope.cli import ALIASES, COMMANDS, HELP_ROWS
from tests.terminal import SAMPLES, SGR, clean_env, plain, run_on_terminal, run_piped

BAD_HANDSHAKE = ["check-handshake", "handshake-request.http", "handshake-response-bad.http"]
GOOD_HANDSHAKE = ["check-handshake", "handshake-request.http", "handshake-response.http"]

STYLED = {
    "decode-cookie": ["decode-cookie", "--file", "cookie.txt"],
    "audit-secret": ["audit-secret", "--file", "audit-weak-cookie.txt"],
    "ws-accept": ["ws-accept", "dGhlIHNhbXBsZSBub25jZQ==", "--explain"],
    "check-handshake": [*BAD_HANDSHAKE, "--all"],
    "parse-frame": ["parse-frame", "--file", "frames-client.bin", "--max-bytes", "16"],
}
"""A human view of each command that has styles (sign-cookie and build-frame print bare
values meant for ``$(...)``)."""


def _lines(text: str) -> list[str]:
    return text.splitlines()


# Plain output: one logical line per line.


def test_grep_finds_the_whole_accept_line_of_a_failing_handshake() -> None:
    """Issue 12: ``check-handshake REQ BAD_RESP | grep accept`` lost the expected value."""
    grep = shutil.which("grep")
    assert grep is not None
    flaskscope = subprocess.Popen(
        [sys.executable, "-m", "flaskscope", *BAD_HANDSHAKE],
        stdout=subprocess.PIPE,
        cwd=SAMPLES,
        env=clean_env(),
    )
    found = subprocess.run(
        [grep, "Sec-WebSocket-Accept is"], stdin=flaskscope.stdout, capture_output=True, text=True
    )
    assert flaskscope.wait(timeout=60) == 1
    (line,) = found.stdout.splitlines()
    assert "'dGhlIHNhbXBsZSBub25jZQ=='" in line
    assert "expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='" in line
    assert "[RFC 6455 §4.1, §4.2.2]" in line


@pytest.mark.parametrize("name", sorted(STYLED))
def test_piped_output_has_no_trailing_spaces_and_no_wrapped_lines(name: str) -> None:
    completed = run_piped([*STYLED[name], "--color", "never"], env=clean_env(COLUMNS="40"))
    assert completed.stdout
    for line in _lines(completed.stdout):
        assert line == line.rstrip(), (name, line)
    if name == "check-handshake":  # the longest row is whole, whatever COLUMNS says
        assert any(
            len(line) > 150 and line.endswith("[RFC 7692 §7]") for line in _lines(completed.stdout)
        )


# A terminal: wrapped at its real width, between words, with hanging indents.


@pytest.mark.parametrize("columns", [80, 120])
def test_terminal_wraps_at_its_width_between_words_under_the_label(columns: int) -> None:
    warnings = json.loads(run_piped(["decode-cookie", "--file", "cookie.txt", "--json"]).stdout)[
        "warnings"
    ]
    code, screen = run_on_terminal(["decode-cookie", "--file", "cookie.txt"], columns=columns)
    assert code == 0
    lines = _lines(plain(screen))
    assert max(len(line) for line in lines) <= columns
    start = next(i for i, line in enumerate(lines) if line.startswith("warning: no secret key"))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith(" " * 9) or line[9] == " ":
            break
        block.append(line)
    if len(warnings[0]) + 9 > columns:
        assert len(block) > 1, "the long warning was not wrapped"
    # Rejoined between words, the wrapped lines give the warning back: no word was cut.
    rejoined = " ".join(line.strip() for line in block).removeprefix("warning: ")
    assert rejoined == warnings[0]


def test_terminal_wraps_failing_rules_inside_their_column() -> None:
    code, screen = run_on_terminal(BAD_HANDSHAKE, columns=80)
    assert code == 1
    lines = _lines(plain(screen))
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("invalid: 4 of 22 checks fail:")
    assert not any(re.search(r"[a-z]-$", line) for line in lines)  # no --secret-ke / y split


# Colour: --color auto|always|never, --no-color, NO_COLOR, FORCE_COLOR.


def test_every_command_has_the_colour_options() -> None:
    for name in COMMANDS:
        shown = run_piped([name, "--help"]).stdout
        assert "--color [auto|always|never]" in shown, name
        assert "--no-color" in shown, name


@pytest.mark.parametrize("name", sorted(STYLED))
def test_colour_follows_the_option_and_the_environment(name: str) -> None:
    args = STYLED[name]
    assert not SGR.search(run_piped(args).stdout), "auto: no colour in a pipe"
    assert SGR.search(run_piped([*args, "--color", "always"]).stdout), "--color always"
    assert SGR.search(run_piped(args, env=clean_env(FORCE_COLOR="1")).stdout), "FORCE_COLOR"
    both = clean_env(FORCE_COLOR="1", NO_COLOR="1")
    assert not SGR.search(run_piped(args, env=both).stdout), "NO_COLOR beats FORCE_COLOR"
    forced = run_piped([*args, "--color", "always"], env=clean_env(NO_COLOR="1")).stdout
    assert SGR.search(forced), "the command line beats NO_COLOR"
    assert SGR.search(run_on_terminal(args)[1]), "auto: colour on a terminal"
    assert not SGR.search(run_on_terminal([*args, "--color", "never"])[1]), "--color never"
    assert not SGR.search(run_on_terminal([*args, "--no-color"])[1]), "--no-color"


def test_forced_colour_in_a_pipe_keeps_whole_lines() -> None:
    """``| less -R``: coloured, still one logical line per line, no trailing spaces."""
    completed = run_piped([*BAD_HANDSHAKE, "--color", "always"])
    text = plain(completed.stdout)
    assert text.splitlines()[0].startswith("invalid: 4 of 22 checks fail:")
    assert all(line == line.rstrip() for line in text.splitlines())
    assert any("expected 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='" in line for line in text.splitlines())


# parse-frame: readable without colour.


def test_frame_regions_without_colour_are_an_offset_line_and_no_legend() -> None:
    completed = run_piped(["parse-frame", "81 85 37 fa 21 3d 7f 9f 4d 51 58"])
    lines = _lines(completed.stdout)
    assert not any(line.startswith("legend") for line in lines)
    assert (
        "  regions: 0 flags/opcode byte, 1 mask bit + length byte, 2-5 masking key, "
        "6-10 payload (as sent)"
    ) in lines
    assert lines.count("flags: upper case is set, lower case clear (FIN rsv1 rsv2 rsv3 MASK)") == 1


def test_frame_colours_tell_the_length_byte_from_the_extended_length() -> None:
    frame = run_piped(["build-frame", "--payload-hex", "00" * 200]).stdout.strip()
    assert frame.startswith("827e00c8")  # 126 in the length byte, then 200 in 16 bits
    code, screen = run_on_terminal(["parse-frame", frame], columns=120)
    assert code == 0
    assert "legend" in screen
    assert "regions:" not in screen
    dump = next(line for line in screen.splitlines() if "00000000" in line and "7e" in line)
    length_style = re.search(r"(\x1b\[[0-9;]*m)7e", dump)
    extended_style = re.search(r"(\x1b\[[0-9;]*m)00", dump.split("7e", 1)[1])
    assert length_style is not None
    assert extended_style is not None
    assert length_style.group(1) != extended_style.group(1)
    assert plain(screen).count("flags: upper case is set") == 1


def test_parse_frame_summary_gives_its_verdict_first() -> None:
    completed = run_piped(["parse-frame", "--file", "frames-client.bin", "--summary"])
    lines = completed.stdout.splitlines()
    assert lines[0] == "6 frames, 3 messages, 604 bytes: complete, no violations"
    assert lines[-1] == lines[0]


# audit-secret: the progress bar belongs to stderr.


def _big_list(tmp_path: Path) -> Path:
    path = tmp_path / "list.txt"
    path.write_text("".join(f"not-the-key-{n}\n" for n in range(30_000)), encoding="utf-8")
    return path


def test_progress_bar_on_a_terminal_stderr_with_stdout_redirected(tmp_path: Path) -> None:
    wordlist = _big_list(tmp_path)
    result = tmp_path / "result.txt"
    args = ["audit-secret", "--file", "audit-strong-cookie.txt", "-w", str(wordlist)]
    code, stderr = run_on_terminal([*args, "--no-builtin", "-j", "1"], stdout_to=result)
    assert code == 0
    assert "candidates/s" in stderr
    assert "/30,000" in stderr  # thousands separators, as in the summary
    assert "30,000 candidates tried" in result.read_text(encoding="utf-8")
    assert "\x1b" not in result.read_text(encoding="utf-8")
    code, stderr = run_on_terminal([*args, "--no-builtin", "-j", "1", "--json"], stdout_to=result)
    assert code == 0
    assert stderr == ""
    assert json.loads(result.read_text(encoding="utf-8"))["candidates_tried"] == 30_000
    piped = run_piped([*args, "--no-builtin", "-j", "1"])
    assert piped.stderr == ""


# Verdicts first.


def test_every_passing_handshake_shows_its_table_on_a_terminal_only() -> None:
    code, screen = run_on_terminal(GOOD_HANDSHAKE, columns=120)
    assert code == 0
    lines = _lines(plain(screen))
    assert lines[0] == "valid: 22 of 22 checks pass"
    assert sum(1 for line in lines if line.lstrip().startswith("ok ")) == 22
    piped = _lines(run_piped(GOOD_HANDSHAKE).stdout)
    assert piped[0] == "valid: 22 of 22 checks pass"
    assert not any(line.lstrip().startswith("ok ") for line in piped)


def test_ws_accept_mismatch_ends_with_a_red_verdict() -> None:
    code, screen = run_on_terminal(["ws-accept", "dGhlIHNhbXBsZSBub25jZQ==", "--verify", "WRONG"])
    assert code == 1
    last = [line for line in screen.splitlines() if line.strip()][-1]
    assert plain(last).startswith("MISMATCH: --verify WRONG is not the accept value")
    assert "\x1b[1;31m" in last  # bold red
    assert "valid key" not in plain(screen).splitlines()[-1]


def test_a_key_with_its_padding_stripped_is_told_so() -> None:
    completed = run_piped(["ws-accept", "dGhlIHNhbXBsZSBub25jZQ"])
    assert completed.returncode == 1
    assert "padding is stripped" in completed.stderr
    assert "dGhlIHNhbXBsZSBub25jZQ==" in completed.stderr


def test_flask_session_view_has_a_headline_verdict() -> None:
    completed = run_piped(["decode-cookie", "--file", "flask-session-cookie.txt"])
    assert completed.stdout.splitlines()[0] == (
        "id-only: session id only (pass --store to read the session)"
    )


def test_both_kinds_of_session_write_values_the_same_way() -> None:
    cookie = run_piped(
        ["sign-cookie", '{"raw": {" b": "AAE="}, "pair": {" t": [1, 2]}}', "-k", "k"]
    ).stdout.strip()
    document = json.loads(run_piped(["decode-cookie", cookie, "-k", "k", "--json"]).stdout)
    assert document["data"] == {
        "raw": {"$type": "bytes", "base64": "AAE="},
        "pair": {"$type": "tuple", "items": [1, 2]},
    }
    assert document["session"] == {"raw": "AAE=", "pair": [1, 2]}  # unchanged (contract)


# Wording.


def test_missing_and_empty_headers_are_told_apart(tmp_path: Path) -> None:
    head = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
    key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    missing = tmp_path / "missing.http"
    missing.write_text(head + key + "\r\n", encoding="ascii")
    empty = tmp_path / "empty.http"
    empty.write_text(head + "Connection:\r\n" + key + "\r\n", encoding="ascii")
    assert "no Connection header, expected" in run_piped(["check-handshake", str(missing)]).stdout
    said = run_piped(["check-handshake", str(empty)]).stdout
    assert "Connection is empty, expected" in said
    assert "nothing" not in said


def test_expired_says_too_old_or_from_the_future() -> None:
    key = (SAMPLES / "cookie-secret-key.txt").read_text(encoding="utf-8").strip()
    args = ["decode-cookie", "--file", "cookie.txt", "-k", key]
    old = run_piped([*args, "--now", "2030-01-01"])
    assert old.returncode == 1
    assert old.stdout.startswith("expired: genuine, but too old (signed ")
    assert "past the max age of 31 d" in old.stdout.splitlines()[0]
    future = run_piped([*args, "--now", "2000-01-01"])
    assert future.returncode == 1
    assert future.stdout.startswith("expired: genuine, but from the future (signed ")


def test_build_frame_without_a_payload_says_what_it_built() -> None:
    completed = run_piped(["build-frame"])
    assert completed.returncode == 0
    assert completed.stdout == "8200\n"
    assert "built an empty binary frame" in completed.stderr
    bad = run_piped(["build-frame", "--text", "x", "--mask-key", "zz"])
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: --mask-key: not hex")


# Help and completion.


def test_help_is_grouped_with_every_command_and_whole_summaries() -> None:
    code, screen = run_on_terminal(["--help"], columns=80)
    assert code == 0
    text = plain(screen)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "..." not in text.replace("[ARGS]...", "")  # no summary cut short
    for group in ("Cookies:", "Server-side sessions:", "WebSocket:"):
        assert group in text.splitlines()
    for name in COMMANDS:
        assert re.search(rf"^  {re.escape(name)}\s", text, re.MULTILINE), name
    for _, _, summary in HELP_ROWS:
        assert summary in " ".join(text.split()), summary


def test_help_imports_no_core_no_command_and_no_rich() -> None:
    probe = (
        "import sys\n"
        "from flaskscope.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = completed.stderr.split()
    heavy = [
        name
        for name in loaded
        if name.split(".")[0] == "rich"
        or (
            name.split(".")[:2][-1]
            in ("cookies", "sessions", "audit", "flaskapp", "handshake", "frames", "commands")
            and name.startswith("flaskscope.")
        )
    ]
    assert heavy == []
    assert "Cookies:" in completed.stdout


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("decode-cooky", "Did you mean 'decode-cookie'?"),
        ("parseframe", "Did you mean 'parse-frame'?"),
        ("unsign", "flaskscope audit-secret COOKIE"),
        ("crack", "flaskscope audit-secret COOKIE --wordlist FILE"),
        ("verify", "flaskscope decode-cookie COOKIE --secret-key KEY"),
        ("decode", "flaskscope decode-cookie COOKIE"),
    ],
)
def test_misspelt_commands_and_other_tools_verbs_get_the_right_command(
    typed: str, meant: str
) -> None:
    completed = run_piped([typed, "x"])
    assert completed.returncode == 2
    assert completed.stdout == ""
    (line,) = completed.stderr.splitlines()
    assert line.startswith(f"Error: No such command '{typed}'.")
    assert meant in line


def test_every_alias_names_a_real_command() -> None:
    for verb, advice in ALIASES.items():
        named = re.findall(r"\{prog\} ([a-z-]+)", advice)
        assert named, verb
        assert set(named) <= set(COMMANDS), verb


def _complete(**env: str) -> subprocess.CompletedProcess[str]:
    """Ask flaskscope for completions as a shell's completion function does."""
    return subprocess.run(
        [sys.executable, "-c", "from flaskscope.cli import main; main(prog_name='flaskscope')"],
        capture_output=True,
        text=True,
        env=clean_env(**env),
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    "words",
    [
        "flaskscope decode-cookie --file ",
        "flaskscope decode-cookie --secret-key-file ",
        "flaskscope sign-cookie --file ",
        "flaskscope audit-secret --wordlist ",
        "flaskscope audit-secret --file ",
        "flaskscope parse-frame --file ",
        "flaskscope parse-frame --handshake ",
        "flaskscope ws-accept --request ",
        "flaskscope check-handshake ",
        "flaskscope check-handshake request.http ",
        "flaskscope build-frame --payload-file ",
    ],
)
def test_file_options_complete_file_names(words: str) -> None:
    """``click.Path``: bash completion hands file names back to the shell (``file,``)."""
    completed = _complete(
        _FLASKSCOPE_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(len(words.split()))
    )
    assert completed.stdout.strip() == "file,", (words, completed.stdout, completed.stderr)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell: str) -> None:
    completed = _complete(_FLASKSCOPE_COMPLETE=f"{shell}_source")
    assert completed.returncode == 0
    assert "_FLASKSCOPE_COMPLETE" in completed.stdout
    answer = _complete(
        _FLASKSCOPE_COMPLETE=f"{shell}_complete",
        COMP_WORDS="flaskscope parse-frame --color ",
        COMP_CWORD="" if shell == "fish" else "3",  # fish passes the word being typed
    )
    for mode in ("auto", "always", "never"):
        assert mode in answer.stdout, (shell, answer.stdout)
