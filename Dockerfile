# One image for every Taskforge service; the command picks which one runs.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY supergraph ./supergraph
COPY taskforge ./taskforge
COPY subgraph_kit ./subgraph_kit
COPY users_subgraph ./users_subgraph
COPY groups_subgraph ./groups_subgraph
COPY tasks_subgraph ./tasks_subgraph
COPY notifications_subgraph ./notifications_subgraph
COPY schema ./schema
RUN pip install .
RUN useradd --create-home taskforge
USER taskforge
EXPOSE 4000
CMD ["taskforge", "run", "--host", "0.0.0.0"]
