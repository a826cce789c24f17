"""Registers the X (Twitter) file formats."""

from __future__ import annotations

from rapport.channels.base import FileFormat, register_format
from rapport.channels.twitter.twcs import read_twcs
from rapport.store.models import ChannelKind

TWCS = register_format(
    FileFormat(
        name="twcs",
        kind=ChannelKind.TWITTER,
        default_channel="twitter",
        description='the "Customer Support on Twitter" CSV',
        read=read_twcs,
    )
)
