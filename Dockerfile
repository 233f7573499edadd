# The service without the embedded PostgreSQL (the `embedded` extra): it needs
# DATABASE_URL, as docker-compose.yml sets it.
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY sql ./sql
COPY migrations ./migrations
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --uid 10001 --user-group tubebase
USER tubebase
ENV TUBEBASE_HOST=0.0.0.0
EXPOSE 8000
CMD ["tubebase", "serve"]
