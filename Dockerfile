# Image for the `worker` service of docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY newsflow ./newsflow
COPY streams ./streams
COPY agents ./agents
COPY schemas ./schemas
RUN pip install --no-cache-dir .
EXPOSE 6066
CMD ["newsflow", "worker"]
