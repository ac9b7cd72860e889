"""Developer and operator tools on top of every feature: demo centre, bench data, backups."""
