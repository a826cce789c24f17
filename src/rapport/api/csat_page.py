"""``/csat/{token}``: the page a customer reaches from a satisfaction request.

Plain HTML with no script and no login (the token in the link is the key), so it works in
any mail client's browser. One click on a score records the answer; a comment is optional.
Everything shown is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Path
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.api.auth import RequestSession
from rapport.engage.csat import answer_csat
from rapport.errors import RapportError
from rapport.store.engagement import CsatSurvey
from rapport.store.models import Workspace

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(min_length=10, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
LABELS = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem;
        color: #1f2937; }}
 h1 {{ font-size: 1.4rem; }}
 .scores {{ display: flex; gap: .5rem; flex-wrap: wrap; margin: 1.5rem 0; }}
 button {{ font-size: 1rem; padding: .7rem 1rem; border-radius: .5rem; border: 1px solid #9ca3af;
          background: #f9fafb; cursor: pointer; }}
 button:hover {{ background: #e0f2fe; }}
 textarea {{ width: 100%; min-height: 5rem; font: inherit; }}
 .note {{ color: #4b5563; }}
</style></head><body>{body}</body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=escape(title), body=body), status_code=status)


def _company(session: Session, token: str) -> tuple[CsatSurvey | None, str]:
    survey = session.scalars(select(CsatSurvey).where(CsatSurvey.token == token)).one_or_none()
    if survey is None:
        return None, ""
    return survey, session.get_one(Workspace, survey.workspace_id).name


def _form(token: str) -> str:
    buttons = "".join(
        f'<button type="submit" name="score" value="{score}">{score} · {label}</button>'
        for score, label in LABELS.items()
    )
    return (
        f'<form method="post" action="/csat/{escape(token)}">'
        f'<div class="scores">{buttons}</div>'
        '<label for="comment">Anything you would like to tell us? (optional)</label>'
        '<textarea id="comment" name="comment" maxlength="2000"></textarea>'
        "</form>"
    )


@router.get("/csat/{token}", response_class=HTMLResponse)
def survey_page(token: Token, session: RequestSession) -> HTMLResponse:
    survey, company = _company(session, token)
    if survey is None:
        return _page(
            "Survey not found",
            "<h1>This link does not work</h1>"
            '<p class="note">It may be incomplete: copy the whole link.</p>',
            404,
        )
    if survey.answered_at is not None:
        return _page("Thank you", f"<h1>Thank you — you answered {survey.score} of 5</h1>")
    return _page(
        f"How did {company} do?",
        f"<h1>How did {escape(company)} do with case {survey.case_id}?</h1>{_form(token)}",
    )


@router.post("/csat/{token}", response_class=HTMLResponse)
def submit(
    token: Token,
    session: RequestSession,
    score: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    try:
        survey = answer_csat(session, token, score, comment or None)
    except RapportError as exc:
        return _page(
            "Could not record your answer", f"<h1>{escape(str(exc))}</h1>", exc.status_code
        )
    return _page(
        "Thank you",
        f"<h1>Thank you!</h1><p>You gave us {survey.score} of 5. "
        "Your answer goes straight to the team.</p>",
    )
