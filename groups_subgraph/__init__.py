"""The groups subgraph: groups, memberships with roles, and the known-users read model."""
