"""The hall board (``kiosk board``): latest calls large, recent calls, waiting, notice, voice.

Modules: ``calls`` (what is shown, no Kivy), ``feed`` (the server link on its
own thread, no Kivy), ``screen`` + ``screen.kv`` (widgets), ``app`` (the Kivy
app and the controller on the UI thread). See docs/board.md.
"""
