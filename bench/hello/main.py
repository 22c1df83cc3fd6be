"""The baseline: a bare functions-framework HTTP function that does nothing."""

import functions_framework


@functions_framework.http
def hello(request):
    return "hello"
