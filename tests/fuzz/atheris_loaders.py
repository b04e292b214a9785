"""Coverage-guided fuzzing (atheris, libFuzzer) of the YAML loader, the rulebook checker and the CSV staff reader.

Run by ``tests/fuzz/test_atheris.py`` for a bounded number of runs (``-runs=N``), seeded with the real files;
run it by hand for longer: ``.venv/bin/python tests/fuzz/atheris_loaders.py -max_total_time=600``. Any exception
other than the loaders' own refusals is a crash: libFuzzer prints the input and the process exits non-zero.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["domain", "persistence.importers"]):
    from bagalau.staff_files import read_staff_file
    from domain import rulebooks
    from domain.rulebooks import RulebookError
    from persistence.importers import StaffFileError


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    target = provider.ConsumeIntInRange(0, 1)
    rest = provider.ConsumeBytes(provider.remaining_bytes())
    if target == 0:
        try:
            rulebooks.validate(rulebooks.parse_text(rest.decode("utf-8", errors="replace"), "fuzz"), "fuzz")
        except RulebookError:
            pass
    else:
        try:
            read_staff_file("fuzz.csv", rest, strict=False)
        except StaffFileError:
            pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
