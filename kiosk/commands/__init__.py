"""One module per group of ``kiosk`` subcommands; each handler is ``f(args, cfg) -> exit code``."""
