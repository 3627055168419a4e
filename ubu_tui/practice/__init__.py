"""Practice: scripted scenarios with answer keys, scoring, and feedback. Pure Python."""
