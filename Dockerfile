# One image for every function, the gateway, the triggers and migrate: FUNCTION_TARGET (set
# by compose.yaml or template.yaml) picks the function `python -m runtime.serve` serves.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY shared/ shared/
COPY runtime/ runtime/
COPY functions/ functions/
COPY migrations/ migrations/
COPY template.yaml .
# Compiled now: the code is read-only to the user it runs as, and each start would
# otherwise compile it again.
RUN python -m compileall -q shared runtime functions
# Where gateway-config (compose, Swarm) writes nginx's configuration for the gateway: a new
# volume mounted here takes this owner.
RUN mkdir /gateway && chown nobody /gateway
ENV PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080
EXPOSE 8080
USER nobody
CMD ["python", "-m", "runtime.serve"]
