"""The corpus field with hostile input: a huge pasted path and markup-like characters
give one short, literal error line, and the panes below it stay on screen."""

from pilot_helpers import paused_app
from textual.widgets import Input, Static
from waiting import until

TEXT = "The fox and the crow. " * 40


async def submit(pilot, app, value: str) -> str:
    field = app.query_one("#corpus-path", Input)
    field.value = value
    await field.action_submit()
    error = app.query_one("#corpus-error", Static)
    await until(pilot, lambda: error.display and str(error.content), what="the error")
    return str(error.content)


async def test_a_huge_pasted_path_gives_a_short_error(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await submit(pilot, app, "/nowhere/" + "x" * 20_000)
        assert len(text) < 300 and "..." in text and "\n" not in text
        hparams = app.query_one("#hparams")
        assert hparams.region.height > 3  # the Hyperparameters pane is not pushed away


async def test_a_path_with_markup_is_shown_as_it_is(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        text = await submit(pilot, app, "/nowhere/[b]bold[/b].txt")
        assert "[b]bold[/b].txt" in text
