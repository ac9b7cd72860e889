"""The plans feature's business rules: plain functions that flush (never commit) and write the
audit trail. ``templates``: the centre's library; ``assigning``: one person's plan, adjusted,
paused or ended, and their unavailable days; ``weeks``: the week view's figures; ``squads``:
group sessions; ``feeds``: private calendar addresses."""
