"""Clinical safety: autonomic dysreflexia symptoms, red flags and their acknowledgement."""
