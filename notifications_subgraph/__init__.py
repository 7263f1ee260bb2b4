"""The notifications subgraph: notifications fed by events, due-soon reminders, email, live feed."""
