"""Development and test tools: never used by a running kiosk, server or board.

They live outside ``kiosk`` so that the product's packages (and above all the
domain, which has no HTTP) hold nothing that exists only to be attacked.
``kiosk dev-central`` is the one command that loads anything from here.
"""
