"""The centre server: HTTP API over the queue engine, auth, long-poll events.

``create_app(cfg, engine)`` builds the ASGI app; :mod:`kiosk.server.run`
serves it in the foreground (`kiosk serve`) or in a thread (`kiosk run`).
"""
