# One image recipe for every function (template.yaml and compose.yaml pass the target).
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY shared/ shared/
COPY runtime/ runtime/
COPY functions/ functions/
COPY migrations/ migrations/
COPY template.yaml .
ARG FUNCTION_TARGET=healthz
ENV FUNCTION_TARGET=${FUNCTION_TARGET} \
    FUNCTION_SOURCE=functions/${FUNCTION_TARGET}/main.py \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PORT=8080
EXPOSE 8080
USER nobody
CMD ["functions-framework"]
