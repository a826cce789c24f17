"""Registers the Meta webhook file format."""

from __future__ import annotations

from rapport.channels.base import FileFormat, register_format
from rapport.channels.meta.webhooks import read_meta
from rapport.store.models import ChannelKind

META = register_format(
    FileFormat(
        name="meta",
        kind=ChannelKind.FACEBOOK,
        default_channel="facebook",
        description="Meta Graph webhook payloads: Page feed comments and Messenger messages",
        read=read_meta,
    )
)
