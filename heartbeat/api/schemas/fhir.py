"""The FHIR export's shape in the OpenAPI document: a FHIR R4 Bundle, described loosely (FHIR's
own definitions are the contract; the tests validate against them with ``fhir.resources``)."""

from __future__ import annotations

import marshmallow as ma


class FhirResourceSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    resourceType = ma.fields.String(required=True)  # noqa: N815 (FHIR's own name)
    id = ma.fields.String()


class FhirEntrySchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    fullUrl = ma.fields.String(required=True)  # noqa: N815
    resource = ma.fields.Nested(FhirResourceSchema, required=True)


class FhirBundleSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    resourceType = ma.fields.String(  # noqa: N815
        required=True, validate=ma.validate.Equal("Bundle")
    )
    id = ma.fields.String(required=True)
    type = ma.fields.String(required=True, validate=ma.validate.Equal("collection"))
    timestamp = ma.fields.String(required=True)
    meta = ma.fields.Dict()
    entry = ma.fields.List(ma.fields.Nested(FhirEntrySchema), required=True)
