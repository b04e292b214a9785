"""The routes: ``pages`` (server-rendered, not in the OpenAPI schema) and ``api`` (``/api/v1``)."""
