-- One database per subgraph on the shared PostgreSQL server.
CREATE DATABASE taskforge_users;
CREATE DATABASE taskforge_groups;
CREATE DATABASE taskforge_tasks;
CREATE DATABASE taskforge_notifications;
