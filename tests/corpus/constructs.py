#!/usr/bin/env python3
"""Count the OpenAPI 3.1 / JSON Schema constructs each corpus file exercises.

Usage: python3 constructs.py [FILE...]   (default: every *.json / *.yaml here)
Prints a Markdown table (the one in README.md): per file its size, version,
path/operation/schema counts and every non-zero construct count.
Needs PyYAML (`pip install pyyaml`) for the YAML files.
"""
import json
import os
import sys
from collections import Counter

import yaml

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Keywords whose value is a schema / a list of schemas / a map of schemas.
ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains",
       "propertyNames", "unevaluatedItems", "unevaluatedProperties",
       "contentSchema", "additionalItems")
MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


def load(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)


def is_null(schema):
    return schema.get("type") == "null" and len(schema) == 1


def is_json(media):
    m = media.split(";")[0].strip().lower()
    return m == "application/json" or m.endswith("+json") or m == "*/*"


class Walker:
    def __init__(self, doc):
        self.doc, self.c = doc, Counter()

    def schema(self, s, ctx=""):
        c = self.c
        if isinstance(s, bool):
            # `additionalProperties: false` is by far the most common one
            c["additionalProperties: bool" if ctx == "additionalProperties"
              else "boolean schema"] += 1
            return
        if not isinstance(s, dict):
            return
        if "$ref" in s and len(s) > 1:
            c["$ref+siblings"] += 1
        d = s.get("discriminator")
        if isinstance(d, dict):
            c["discriminator+mapping" if d.get("mapping") else "discriminator (no mapping)"] += 1
        for k in ("oneOf", "anyOf", "allOf"):
            if k in s:
                c[k] += 1
                branches = [b for b in s[k] if isinstance(b, dict)]
                if any(is_null(b) for b in branches):
                    c["{type: null} branch"] += 1
                    # e.g. pydantic `Annotated[A | B, Field(discriminator=...)] | None`
                    if any("oneOf" in b or "discriminator" in b for b in branches):
                        c["union inside anyOf-null"] += 1
                if len(s[k]) == 1:
                    c[f"single-branch {k}"] += 1
        if ctx == "items" and isinstance(s.get("oneOf") or s.get("anyOf"), list):
            c["union as array items"] += 1
        t = s.get("type")
        if isinstance(t, list):
            c["type array"] += 1
        if t == "null" and ctx == "property":
            c["null-only property"] += 1
        for k in ("const", "$defs", "prefixItems", "patternProperties", "unevaluatedProperties",
                  "not", "contentMediaType", "contentEncoding", "examples", "nullable",
                  "if", "$dynamicRef", "dependentRequired", "$schema", "$id"):
            if k in s:
                c[k] += 1
        for k in ONE:
            if k in s:
                self.schema(s[k], k)
        for k in MANY:
            for b in s.get(k) or []:
                self.schema(b)
        for k in MAP:
            if isinstance(s.get(k), dict):
                for v in s[k].values():
                    self.schema(v, "property" if k == "properties" else "")

    def content(self, content):
        for media, mt in (content or {}).items():
            if not is_json(media):
                self.c["non-JSON media type"] += 1
            if isinstance(mt, dict):
                if mt.get("examples"):
                    self.c["media examples"] += 1
                self.schema(mt.get("schema"))

    def params(self, params):
        for p in params or []:
            if isinstance(p, dict):
                self.schema(p.get("schema"))
                self.content(p.get("content"))

    def path_item(self, item):
        if not isinstance(item, dict):
            return
        if item.get("parameters"):
            self.c["path-level parameters"] += 1
        self.params(item.get("parameters"))
        for m, op in item.items():
            if m not in METHODS or not isinstance(op, dict):
                continue
            self.c["operations"] += 1
            if "operationId" not in op:
                self.c["op without operationId"] += 1
            self.params(op.get("parameters"))
            rb = op.get("requestBody") or {}
            self.content(rb.get("content"))
            for r in (op.get("responses") or {}).values():
                if isinstance(r, dict):
                    self.content(r.get("content"))
            for cb in (op.get("callbacks") or {}).values():
                self.c["callbacks"] += 1
                for it in (cb or {}).values():
                    self.path_item(it)

    def run(self):
        d, c = self.doc, self.c
        comps = d.get("components") or {}
        for item in (d.get("paths") or {}).values():
            self.path_item(item)
        if d.get("webhooks"):
            c["webhooks"] = len(d["webhooks"])
            for item in d["webhooks"].values():
                self.path_item(item)
        if comps.get("pathItems"):
            c["components/pathItems"] = len(comps["pathItems"])
            for item in comps["pathItems"].values():
                self.path_item(item)
        for s in (comps.get("schemas") or {}).values():
            self.schema(s)
        for r in (comps.get("responses") or {}).values():
            if isinstance(r, dict):
                self.content(r.get("content"))
        for r in (comps.get("requestBodies") or {}).values():
            if isinstance(r, dict):
                self.content(r.get("content"))
        self.params((comps.get("parameters") or {}).values())
        if "jsonSchemaDialect" in d:
            c["jsonSchemaDialect"] += 1
        c["recursive schemas"] = len(recursive(comps.get("schemas") or {}))
        return c


def refs(node, out):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            out.add(r.rsplit("/", 1)[1])
        for v in node.values():
            refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def recursive(schemas):
    """Names of component schemas that can reach themselves through $ref."""
    graph = {n: refs(s, set()) for n, s in schemas.items()}
    found = set()
    for start in graph:
        seen, stack = set(), list(graph[start])
        while stack:
            n = stack.pop()
            if n == start:
                found.add(start)
                break
            if n not in seen and n in graph:
                seen.add(n)
                stack.extend(graph[n])
    return found


def main(files):
    """Print a Markdown table, one row per file."""
    here = os.path.dirname(os.path.abspath(__file__))
    if not files:
        files = sorted(os.path.join(here, f) for f in os.listdir(here)
                       if f.endswith((".json", ".yaml", ".yml")))
    print("| file | bytes | openapi | paths / ops / schemas | constructs (count) |")
    print("|---|---:|---|---|---|")
    for f in files:
        d = load(f)
        c = Walker(d).run()
        ops = c.pop("operations", 0)
        schemas = len((d.get("components") or {}).get("schemas") or {})
        rest = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if v)
        print(f"| `{os.path.basename(f)}` | {os.path.getsize(f)} | {d.get('openapi')} | "
              f"{len(d.get('paths') or {})} / {ops} / {schemas} | {rest} |")


if __name__ == "__main__":
    main(sys.argv[1:])
