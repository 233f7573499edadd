FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY sql ./sql
COPY migrations ./migrations
RUN pip install --no-cache-dir .
ENV TUBEBASE_HOST=0.0.0.0
EXPOSE 8000
CMD ["tubebase", "serve"]
