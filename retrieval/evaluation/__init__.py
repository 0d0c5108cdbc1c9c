"""The development question set and the evaluation that scores the assistant on it."""
