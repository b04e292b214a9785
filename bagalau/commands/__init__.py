"""One module per ``bagalau`` sub-command group; each exposes a Typer ``app``."""
