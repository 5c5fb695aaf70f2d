"""Flywheel in Python: an agent that plays one seat (`python3 -m flywheel_agent`) and a
reader of a run's events.log (`flywheel_agent.events`). See agents/python/README.md."""
