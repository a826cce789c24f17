"""``/api/v1/discovery``: the views of ``rapport discover`` over HTTP.

Upload an event log (multipart ``file``; the format comes from its name's extension, as on
the command line) and get back the JSON ``rapport discover ... --json`` prints. The
``/cases/*`` routes read the workspace's own case history instead of an upload.
"""

from rapport.api.discovery.params import MAX_UPLOAD_BYTES, upload_limit
from rapport.api.discovery.routes import build_router

router = build_router()

__all__ = ["MAX_UPLOAD_BYTES", "router", "upload_limit"]
