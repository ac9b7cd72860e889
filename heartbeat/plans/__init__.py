"""Training plans: a centre's library of plan templates, plans assigned to participants, the
week view comparing what was planned with what was done, squad sessions and calendar feeds."""
