"""``/api/v1/channels``: the workspace's channels and how many conversations each holds."""

from __future__ import annotations

from fastapi import APIRouter

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.schemas import ChannelOut
from rapport.inbox import queries as inbox

router = APIRouter(prefix="/channels", tags=["channels"])


@router.get("", response_model=list[ChannelOut])
def list_channels(principal: CurrentPrincipal, session: RequestSession) -> list[ChannelOut]:
    """Every channel of the workspace, by name."""
    return [
        ChannelOut.model_validate(channel, from_attributes=True)
        for channel in inbox.list_channels(session, principal.workspace_id, with_counts=True)
    ]
