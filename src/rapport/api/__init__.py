"""The REST API: FastAPI routers over the inbox, ingest and accounts services.

Nothing is built at import time; ``rapport.api.app.create_app`` makes the application.
"""
