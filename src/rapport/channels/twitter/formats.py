"""Registers the X (Twitter) file formats."""

from __future__ import annotations

from rapport.channels.base import FileFormat, register_format
from rapport.channels.twitter.twcs import read_twcs
from rapport.channels.twitter.xv2 import read_xv2
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

X_V2 = register_format(
    FileFormat(
        name="x-v2",
        kind=ChannelKind.TWITTER,
        default_channel="twitter",
        description="X API v2 tweets: JSON lines, or a response with data and includes.users",
        read=read_xv2,
    )
)
