"""The API's request and response shapes, as marshmallow schemas (the OpenAPI document is
generated from them)."""
