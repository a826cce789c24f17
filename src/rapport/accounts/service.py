"""Workspaces, users and tokens. Services flush; the caller owns the transaction."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rapport.accounts.passwords import hash_password, verify_password
from rapport.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from rapport.store.models import ApiToken, Channel, ChannelKind, Role, User, Workspace

TOKEN_PREFIX = "rpt_"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a user acting inside their workspace."""

    user_id: int
    workspace_id: int
    role: Role
    name: str
    email: str


def get_or_create_workspace(session: Session, slug: str, name: str | None = None) -> Workspace:
    if not _SLUG.match(slug):
        raise InvalidInput(f"workspace: {slug!r} is not a valid slug (a-z, 0-9 and -)")
    workspace = session.scalars(select(Workspace).where(Workspace.slug == slug)).one_or_none()
    if workspace is None:
        workspace = Workspace(slug=slug, name=name or slug, created_at=datetime.now(UTC))
        session.add(workspace)
        session.flush()
    return workspace


def get_workspace(session: Session, slug: str) -> Workspace:
    workspace = session.scalars(select(Workspace).where(Workspace.slug == slug)).one_or_none()
    if workspace is None:
        raise NotFound(f"workspace {slug!r} does not exist")
    return workspace


def get_or_create_channel(
    session: Session, workspace_id: int, name: str, kind: ChannelKind
) -> Channel:
    channel = session.scalars(
        select(Channel).where(Channel.workspace_id == workspace_id, Channel.name == name)
    ).one_or_none()
    if channel is None:
        channel = Channel(
            workspace_id=workspace_id,
            name=name,
            kind=kind.value,
            settings={},
            created_at=datetime.now(UTC),
        )
        session.add(channel)
        session.flush()
    elif channel.kind != kind.value:
        raise Conflict(
            f"channel {name!r} is a {channel.kind} channel; it cannot take {kind.value} messages"
        )
    return channel


def create_user(
    session: Session, workspace: Workspace, *, email: str, name: str, role: Role, password: str
) -> User:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"email: {email!r} is not an e-mail address")
    if len(password) < 8:
        raise InvalidInput("password: use at least 8 characters")
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise Conflict(f"a user with e-mail {email} already exists")
    user = User(
        workspace_id=workspace.id,
        email=email,
        name=name,
        role=role.value,
        password_hash=hash_password(password),
        is_active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def authenticate_password(session: Session, email: str, password: str) -> Principal:
    user = session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        raise AuthenticationFailed("wrong e-mail or password")
    return _principal(user)


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; returns the row and the secret, which is never stored nor shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_hash(secret),
        prefix=secret[:10],
        created_at=datetime.now(UTC),
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate_token(session: Session, secret: str) -> Principal:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_hash(secret))
    ).one_or_none()
    if row is None:
        raise AuthenticationFailed("unknown API token")
    token, user = row
    if token.revoked_at is not None or not user.is_active:
        raise AuthenticationFailed("this API token has been revoked")
    now = datetime.now(UTC)
    # Note the use at most once a minute: a write on every request would serialise
    # readers behind SQLite's single writer.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return _principal(user)


def find_user(session: Session, email: str) -> User:
    user = session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        workspace_id=user.workspace_id,
        role=Role(user.role),
        name=user.name,
        email=user.email,
    )
