"""Outcome measures as data: questionnaires and checklists, answered, scored and charted."""
