"""Kivy user interface: the kiosk screens, the hall board, widgets, theme, keyboards.

Text on every screen goes through ``kiosk.ui.textkit`` (shaped, wrapped,
translated, live language switch); see docs/text.md.
"""
