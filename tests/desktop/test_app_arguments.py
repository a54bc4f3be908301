"""Options that only make sense together are refused with a sentence, before anything starts."""

from __future__ import annotations

import pytest

from desktop.app import main


@pytest.mark.parametrize(("argv", "sentence"), [
    (["--as", "dr.chen"], "--as and --demo-activity go with --demo."),
    (["--demo-activity"], "--as and --demo-activity go with --demo."),
    (["--demo", "--as", "nobody"], "'nobody' is not a demo staff member; choose one of"),
])
def test_options_that_do_not_go_together(argv: list[str], sentence: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert sentence in capsys.readouterr().err
