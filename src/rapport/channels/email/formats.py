"""Registers the e-mail file format."""

from __future__ import annotations

from rapport.channels.base import FileFormat, register_format
from rapport.channels.email.messages import read_email
from rapport.store.models import ChannelKind

EMAIL = register_format(
    FileFormat(
        name="email",
        kind=ChannelKind.EMAIL,
        default_channel="email",
        description="e-mail: an .eml file, a folder of them (recursively), or an mbox",
        read=read_email,
    )
)
