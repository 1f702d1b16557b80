from tui_charrnn.widgets.dialogs import HELP, unwrap


def test_unwrap_joins_paragraph_lines_but_keeps_bullets_headings_and_key_lines():
    source = (
        "[b $accent]Title[/]\nOne line\ncontinues here.\n\n"
        "• a bullet\n  that wraps\n  [b]q[/]  quit\n"
    )
    assert unwrap(source).splitlines() == [
        "[b $accent]Title[/]",
        "One line continues here.",
        "",
        "• a bullet that wraps",
        "  [b]q[/]  quit",
    ]


def test_help_has_no_hard_wrapped_sentences():
    for line in HELP.splitlines():
        assert not line.startswith("  ") or line.startswith("  ["), line
