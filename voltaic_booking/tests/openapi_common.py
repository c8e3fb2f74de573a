"""OpenAPI 3.1 documents of the family, checked as documents and against live answers.

``OpenApiDocument(document)`` wraps a parsed document:

- ``problems()`` lists what makes it an invalid OpenAPI 3.1 document for our
  purposes (version, operations without responses, undeclared path
  parameters, duplicate operation ids, unresolved ``$ref``, schemas that are
  not valid JSON Schema 2020-12);
- ``operations()`` is the set of ``(path, method)`` it documents;
- ``check_answer(path, method, response)`` fails unless the HTTP answer
  (a ``requests.Response``) is documented for that operation: status, media
  type, required headers, and the JSON body validated with ``jsonschema``
  against the schema of the document (OpenAPI 3.1 schemas are JSON Schema
  2020-12, so ``$ref`` resolves inside the document itself).

``CheckedApiCalls`` (a mixin of HTTP test cases with ``cls.spec``, an ``OpenApiDocument``) gives
``call(path, method, url, expected_status)``: the request, its status asserted, its answer checked.

``routes_of(env, module, prefix)`` lists the ``(path, method)`` of the HTTP
routes a module declares, in the document's ``{param}`` notation, so a test
can require that every route is documented.
"""

import json
import re

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from odoo.tools import file_open

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STATUS_RE = re.compile(r"^([1-5][0-9][0-9]|[1-5]XX|default)$")
DOCUMENT_URI = "urn:voltaic-booking:openapi"


def load_document(path):
    """The document stored at ``path`` (``addon/static/...``), parsed."""
    with file_open(path, "rb") as document_file:
        return json.load(document_file)


def _escape(token):
    return token.replace("~", "~0").replace("/", "~1")


def routes_of(env, module, prefix="/api/"):
    """``{(path, method)}`` of the routes of ``module`` under ``prefix`` (``<int:x>`` written ``{x}``)."""
    routes = set()
    ir_http = env["ir.http"]
    # the rules routing_map() is built from (routing_map() itself needs a request thread)
    rules = ir_http._generate_routing_rules(sorted(env.registry._init_modules), converters=ir_http._get_converters())
    for url, endpoint in rules:
        if not url.startswith(prefix) or not endpoint.__module__.startswith(f"odoo.addons.{module}."):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-zA-Z_]+)>", r"{\1}", url)
        for method in endpoint.routing.get("methods") or ["GET"]:
            routes.add((path, method.lower()))
    return routes


class OpenApiDocument:

    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource(
            DOCUMENT_URI, Resource(contents=document, specification=DRAFT202012))

    # ------------------------------------------------------------------
    # The document
    # ------------------------------------------------------------------

    def resolve(self, node, pointer):
        """``(node, pointer)`` with a local ``$ref`` followed (the pointer of the target)."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise KeyError(f"{pointer}: only local references are used, not {ref}")
            node = self.document
            for token in ref[2:].split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            pointer = ref[1:]
        return node, pointer

    def operations(self):
        return {(path, method) for path, item in self.document.get("paths", {}).items()
                for method in HTTP_METHODS if method in item}

    def problems(self):
        problems = []
        doc = self.document
        if not re.match(r"^3\.1\.\d+$", str(doc.get("openapi", ""))):
            problems.append(f"openapi must be 3.1.x, not {doc.get('openapi')!r}")
        info = doc.get("info") or {}
        if not (isinstance(info.get("title"), str) and isinstance(info.get("version"), str)):
            problems.append("info needs a title and a version")
        if not doc.get("paths"):
            problems.append("no paths")
        problems += self._reference_problems(doc, "")
        operation_ids = []
        for path, item in doc.get("paths", {}).items():
            if not path.startswith("/"):
                problems.append(f"path {path!r} must start with /")
            template_params = set(re.findall(r"{([^}]+)}", path))
            operations = [method for method in HTTP_METHODS if method in item]
            if not operations:
                problems.append(f"{path}: no operation")
            for method in operations:
                where = f"{method.upper()} {path}"
                operation = item[method]
                operation_ids.append(operation.get("operationId"))
                responses = operation.get("responses") or {}
                if not responses:
                    problems.append(f"{where}: no responses")
                for status, response in responses.items():
                    if not STATUS_RE.match(status):
                        problems.append(f"{where}: bad status key {status!r}")
                    pointer = f"/paths/{_escape(path)}/{method}/responses/{status}"
                    response, pointer = self.resolve(response, pointer)
                    if not isinstance(response.get("description"), str):
                        problems.append(f"{where} {status}: a response needs a description")
                    for media_type, media in (response.get("content") or {}).items():
                        problems += self._schema_problems(media.get("schema"), f"{where} {status} {media_type}")
                declared = {}
                for parameter in item.get("parameters", []) + operation.get("parameters", []):
                    parameter, _pointer = self.resolve(parameter, "")
                    if parameter.get("in") not in ("query", "header", "path", "cookie") or not parameter.get("name"):
                        problems.append(f"{where}: a parameter needs a name and a valid 'in'")
                    declared[(parameter.get("name"), parameter.get("in"))] = parameter
                    problems += self._schema_problems(parameter.get("schema"), f"{where} {parameter.get('name')}")
                for name in template_params:
                    parameter = declared.get((name, "path"))
                    if not parameter or parameter.get("required") is not True:
                        problems.append(f"{where}: path parameter {name} not declared as required")
                body = operation.get("requestBody")
                if body:
                    body, _pointer = self.resolve(body, "")
                    for media_type, media in (body.get("content") or {}).items():
                        problems += self._schema_problems(media.get("schema"), f"{where} body {media_type}")
        duplicates = {op_id for op_id in operation_ids if operation_ids.count(op_id) > 1}
        if None in operation_ids:
            problems.append("every operation needs an operationId")
        if duplicates - {None}:
            problems.append(f"duplicate operationIds: {sorted(duplicates - {None})}")
        for name, schema in (doc.get("components", {}).get("schemas") or {}).items():
            problems += self._schema_problems(schema, f"components.schemas.{name}")
        return problems

    def _reference_problems(self, node, pointer):
        problems = []
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                try:
                    self.resolve({"$ref": node["$ref"]}, pointer)
                except (KeyError, IndexError, TypeError):
                    problems.append(f"{pointer}: unresolved $ref {node['$ref']}")
            for key, value in node.items():
                problems += self._reference_problems(value, f"{pointer}/{_escape(key)}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                problems += self._reference_problems(value, f"{pointer}/{index}")
        return problems

    @staticmethod
    def _schema_problems(schema, where):
        if schema is None:
            return [f"{where}: no schema"]
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            return [f"{where}: invalid JSON Schema: {error.message}"]
        return []

    # ------------------------------------------------------------------
    # Live answers
    # ------------------------------------------------------------------

    def check_answer(self, path, method, response):
        """Fail (``AssertionError``) unless ``response`` is an answer the document gives for ``method path``."""
        where = f"{method.upper()} {path} -> {response.status_code}"
        item = self.document["paths"].get(path)
        assert item and method in item, f"{method.upper()} {path} is not documented"
        responses = item[method]["responses"]
        status = str(response.status_code)
        key = next((k for k in (status, f"{status[0]}XX", "default") if k in responses), None)
        assert key, f"{where}: status not documented (documented: {sorted(responses)})\n{response.text[:500]}"
        spec, pointer = self.resolve(responses[key], f"/paths/{_escape(path)}/{method}/responses/{key}")
        for name, header in (spec.get("headers") or {}).items():
            header, _pointer = self.resolve(header, "")
            if header.get("required"):
                assert name in response.headers, f"{where}: header {name} missing"
        content = spec.get("content") or {}
        if not content:
            return None
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        declared = next((m for m in content if m == media_type or (
            m.endswith("/*") and media_type.startswith(m[:-1]))), None)
        assert declared, f"{where}: media type {media_type!r} not documented ({sorted(content)})"
        if declared != "application/json":
            return None
        body = response.json()
        schema_pointer = f"{pointer}/content/{_escape(declared)}/schema"
        validator = Draft202012Validator(
            {"$ref": f"{DOCUMENT_URI}#{schema_pointer}"}, registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
        assert not errors, f"{where}: the body does not match {schema_pointer}:\n" + "\n".join(
            f"  at /{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors[:10]
        ) + f"\nbody: {json.dumps(body)[:1000]}"
        return body


class CheckedApiCalls:
    """For HTTP cases that set ``cls.spec`` (an ``OpenApiDocument``): calls whose answers are checked against it."""

    def call(self, path, method, url, expected_status, **kwargs):
        """Request ``url``, assert ``expected_status``; the body, checked as the answer of ``path``/``method``."""
        response = self.url_open(url, method=method.upper(), allow_redirects=False, **kwargs)
        self.assertEqual(response.status_code, expected_status, response.text[:1000])
        return self.spec.check_answer(path, method, response)
