"""Taskforge, the application: the four subgraphs wired behind the `supergraph` router.

`taskforge.registry` lists the subgraphs; `taskforge.cli` is the `taskforge` command;
`taskforge.standalone` is the single-process mode and `taskforge.topology` the services mode.
"""
