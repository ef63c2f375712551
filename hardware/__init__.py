"""The device layer: ticket printers and call-number displays, and their URLs.

Nothing here imports ``kiosk``: the domain hands plain data down, never the
other way round.
"""
