"""The study app's screens, one module each."""
