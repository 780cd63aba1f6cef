"""Answering a yes/no question from the board: the key, the dialog, the judged answer."""

from __future__ import annotations

from drill.engine.playscript import FacilitatorAct
from drill.tui.dialogs.answer import AnswerDialog

from ..conftest import REPO
from .conftest import make_app
from .helpers import open_board

EXAMPLE = REPO / "docs" / "example-scenario.toml"


async def test_a_question_is_answered_from_the_board_and_leaves_what_is_owed(in_tmp):
    app = make_app(extra=[])
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_board(pilot, EXAMPLE, seed=7)
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, AnswerDialog), "nothing asked yet: no dialog"
        # The facilitator's inject makes the VP ask whether this is an attack.
        board.act(FacilitatorAct(do="facilitate", act="inject", event="influencer_tweet", at=0))
        await pilot.pause()
        assert board.session.run.record().asked, "the question was asked"
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, AnswerDialog)
        assert "Is this an attack?" in str(app.screen.query_one("#answer-question").visual)
        await pilot.press("n")  # no: it is a config generator, not an attacker
        await pilot.pause()
        record = board.session.run.record()
        assert [(a.step.request, a.step.yes, a.truth) for a in record.answers] == [
            ("is_it_an_attack", False, False)]
        # Answered: it is no longer owed, and the key says so.
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, AnswerDialog)


async def test_the_answer_key_is_offered_only_where_questions_are_asked(in_tmp):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        board = await open_board(pilot, "tiny")
        assert board.check_action("answer", ()) is False
