"""The one exception type that carries a sentence meant for the user."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an unusable environment, phrased as one line for the user.

    The CLI prints it without a traceback and exits with ``exit_code``.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# sysexits' EX_TEMPFAIL: the environment is not ready yet (the X session of a kiosk
# that is still booting). Unlike 2 (bad input), systemd restarts on it: see deploy/.
EXIT_TRY_LATER = 75
