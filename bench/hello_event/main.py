"""The baseline: a bare functions-framework CloudEvent function that does nothing."""

import functions_framework


@functions_framework.cloud_event
def hello_event(cloud_event):
    return None
