"""The outbox: every email the app sends is stored here first and sent in the background."""
