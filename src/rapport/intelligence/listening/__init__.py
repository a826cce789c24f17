"""Listening: named boolean keyword queries (brands, products, competitors, campaigns) matched
against the workspace's messages, and share of voice between them.

``expression`` parses the query language, ``folding`` and ``matcher`` decide whether a text
matches, ``store`` holds the SQL, ``service`` the operations the CLI and the API call, and
``share`` the share-of-voice arithmetic.
"""
