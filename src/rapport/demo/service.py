"""Load the demo workspace: its conversations, the real twcs sample, and demo users.

Every record goes through the real ingest pipeline, so the demo shows what an import does.
Loading twice adds nothing (external ids are unique per channel); ``reset`` empties the
workspace first, so the demo always looks freshly recent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.channels.base import get_format
from rapport.demo.content import DEMO_CHANNELS, read_demo_channel
from rapport.demo.reset import clear_workspace_data
from rapport.engage.case_queries import case_of_conversation
from rapport.engage.cases import Actor, CaseEditor
from rapport.engage.rule_store import save_rules
from rapport.engage.setup import apply_setup, read_setup
from rapport.inbox.queries import mark_read, set_status
from rapport.ingest.pipeline import ImportReport
from rapport.ingest.service import import_file, ingest_messages, settle_cases
from rapport.intelligence.analyzer import analyzer_from_settings
from rapport.intelligence.listening.seed import load_queries
from rapport.store.db import Database
from rapport.store.engagement import CaseStatus
from rapport.store.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Message,
    Role,
    User,
    Workspace,
)

DEMO_WORKSPACE_NAME = "Rapport demo"
DEMO_PASSWORD = "rapport-demo"  # published in the README: a demo login, never a real one
TWCS_CHANNEL = "twcs-sample"
TWCS_SAMPLE = Path("twcs") / "twcs_sample.csv"

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    name: str
    role: Role


DEMO_USERS = (
    DemoUser("demo@rapport.example", "Aisha Bell", Role.ADMIN),
    DemoUser("agent@rapport.example", "Sigrún Jónsdóttir", Role.AGENT),
    DemoUser("analyst@rapport.example", "Dóra Kiss", Role.ANALYST),
    DemoUser("tom@rapport.example", "Tom Berger", Role.AGENT),
    DemoUser("giulia@rapport.example", "Giulia Romano", Role.AGENT),
    DemoUser("jonas@rapport.example", "Jonas Weber", Role.AGENT),
    DemoUser("lucia@rapport.example", "Lucía García", Role.AGENT),
    DemoUser("reka@rapport.example", "Réka Szabó", Role.AGENT),
    DemoUser("parisa@rapport.example", "Parisa Ahmadi", Role.AGENT),
)


@dataclass(slots=True)
class DemoReport:
    """What a demo load did, per channel, plus the twcs sample and the users."""

    workspace_id: int
    cleared_messages: int = 0
    channels: dict[str, ImportReport] = field(default_factory=dict)
    twcs: ImportReport | None = None
    twcs_missing: Path | None = None
    users_created: list[str] = field(default_factory=list)
    users_existing: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(r.imported for r in self._reports())

    @property
    def duplicates(self) -> int:
        return sum(r.duplicates for r in self._reports())

    @property
    def conversations_created(self) -> int:
        return sum(r.conversations_created for r in self._reports())

    def _reports(self) -> list[ImportReport]:
        return [*self.channels.values(), *([self.twcs] if self.twcs else [])]


def prepare_demo_workspace(db: Database, slug: str) -> int:
    """The demo's workspace (created if missing, named "Rapport demo" unless renamed)."""
    with db.session() as session:
        workspace = get_or_create_workspace(session, slug, DEMO_WORKSPACE_NAME)
        if workspace.name == workspace.slug:
            workspace.name = DEMO_WORKSPACE_NAME
        return workspace.id


def reset_workspace(db: Database, workspace_id: int) -> int:
    """Empty the workspace's conversation data in one transaction; returns messages removed."""
    with db.session() as session:
        return clear_workspace_data(session, workspace_id)


def load_demo_conversations(
    db: Database,
    workspace_id: int,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, ImportReport]:
    """Ingest the demo conversations of every channel, timed so the newest are minutes old.

    Finished conversations are then marked read and pending or closed, as a team would have
    left them; conversations that were already there keep whatever state they are in.
    """
    moment = now or datetime.now(UTC)
    reports: dict[str, ImportReport] = {}
    for channel in DEMO_CHANNELS:
        batch = read_demo_channel(channel, moment)
        already = _stored_external_ids(db, workspace_id, channel.name, list(batch.states))
        reports[channel.name] = ingest_messages(
            db,
            workspace_id=workspace_id,
            channel_name=channel.name,
            kind=channel.kind,
            messages=batch.messages,
            analyzer=analyzer_from_settings(),
            source="demo",
        )
        fresh = {ext: state for ext, state in batch.states.items() if ext not in already}
        _leave_finished(db, workspace_id, channel.name, fresh)
        if progress:
            progress(len(batch.messages))
    return reports


def _message_conversations(
    session: Session, workspace_id: int, channel_name: str, external_ids: list[str]
) -> dict[str, int]:
    if not external_ids:
        return {}
    rows = session.execute(
        select(Message.external_id, Message.conversation_id)
        .join(Channel, Channel.id == Message.channel_id)
        .where(
            Channel.workspace_id == workspace_id,
            Channel.name == channel_name,
            Message.external_id.in_(external_ids),
        )
    )
    return {external_id: conversation_id for external_id, conversation_id in rows}


def _stored_external_ids(
    db: Database, workspace_id: int, channel_name: str, external_ids: list[str]
) -> set[str]:
    with db.session() as session:
        return set(_message_conversations(session, workspace_id, channel_name, external_ids))


def _leave_finished(
    db: Database, workspace_id: int, channel_name: str, states: dict[str, ConversationStatus]
) -> None:
    """Mark finished conversations read, pending or closed; the cases of closed ones are
    resolved by the team lead, as she would have done."""
    with db.session() as session:
        found = _message_conversations(session, workspace_id, channel_name, list(states))
        lead = session.scalars(select(User).where(User.email == DEMO_USERS[0].email)).one()
        editor = CaseEditor(session, workspace_id, Actor(lead.id, lead.name))
        for external_id, conversation_id in found.items():
            set_status(session, workspace_id, conversation_id, states[external_id].value)
            mark_read(session, workspace_id, conversation_id)
            case_id = case_of_conversation(session, conversation_id)
            if states[external_id] is ConversationStatus.CLOSED and case_id is not None:
                last = session.get_one(Conversation, conversation_id).last_message_at
                editor.set_status(case_id, CaseStatus.RESOLVED.value, at=last)
        editor.save()


def import_twcs_sample(
    db: Database, workspace_id: int, path: Path, *, progress: Progress | None = None
) -> ImportReport:
    """Import the real "Customer Support on Twitter" sample into its own channel."""
    return import_file(
        db,
        workspace_id=workspace_id,
        path=path,
        fmt=get_format("twcs"),
        channel_name=TWCS_CHANNEL,
        progress=progress,
        analyzer=analyzer_from_settings(),
    )


def ensure_demo_users(db: Database, workspace_id: int) -> tuple[list[str], list[str]]:
    """Create the demo users that are missing; returns (created, already there) e-mails.

    A user who exists is left as they are (their password too): the demo never overwrites
    an account someone may have changed.
    """
    created: list[str] = []
    existing: list[str] = []
    with db.session() as session:
        workspace = session.get_one(Workspace, workspace_id)
        for user in DEMO_USERS:
            found = session.scalars(select(User.id).where(User.email == user.email)).first()
            if found is not None:
                existing.append(user.email)
                continue
            create_user(
                session,
                workspace,
                email=user.email,
                name=user.name,
                role=user.role,
                password=DEMO_PASSWORD,
            )
            created.append(user.email)
    return created, existing


def load_demo(
    db: Database,
    slug: str,
    *,
    reset: bool = False,
    twcs_path: Path | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    twcs_progress: Progress | None = None,
) -> DemoReport:
    """Load the whole demo into workspace ``slug``: reset, conversations, twcs, users.

    ``twcs_path`` is the twcs sample to import (skipped with ``twcs_missing`` set when the
    file is absent); ``None`` leaves it out.
    """
    workspace_id = prepare_demo_workspace(db, slug)
    report = DemoReport(workspace_id=workspace_id)
    if reset:
        report.cleared_messages = reset_workspace(db, workspace_id)
    # People, teams and rules first, so the conversations are routed as they come in.
    report.users_created, report.users_existing = ensure_demo_users(db, workspace_id)
    load_demo_engagement(db, workspace_id)
    report.channels = load_demo_conversations(db, workspace_id, now=now, progress=progress)
    settle_cases(db, workspace_id)
    if twcs_path is not None:
        if twcs_path.is_file():
            report.twcs = import_twcs_sample(db, workspace_id, twcs_path, progress=twcs_progress)
        else:
            report.twcs_missing = twcs_path
    return report


def load_demo_engagement(db: Database, workspace_id: int) -> None:
    """The demo team's setup (teams, agents, SLA policies, canned replies), its rules and its
    listening queries."""
    data = resources.files("rapport.demo").joinpath("data")
    with db.session() as session:
        setup = read_setup(data.joinpath("setup.yaml").read_text("utf-8"), source="demo setup")
        apply_setup(session, workspace_id, setup, source="demo setup", skip_unknown_users=True)
        rules = data.joinpath("rules.yaml").read_text("utf-8")
        save_rules(session, workspace_id, rules, source="demo rules", user_id=None)
        listening = data.joinpath("listening.yaml").read_text("utf-8")
        load_queries(session, workspace_id, listening, source="demo listening queries")
