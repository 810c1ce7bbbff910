#!/usr/bin/env python3
"""schema_check.py SCHEMA_DIR SCHEMA FILE...: validates each JSON FILE against
SCHEMA_DIR/SCHEMA (JSON Schema draft 2020-12) with python's jsonschema; every schema of
SCHEMA_DIR is loaded first so that references between them ("rules-show.schema.json#/...")
resolve.  SCHEMA_DIR --meta checks that every schema there is itself a valid schema.
Exit 0 when all validate, 1 otherwise (the reasons on stderr), 77 without jsonschema."""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)

try:
    import jsonschema
except ImportError:
    sys.exit(77)


def load_dir(d):
    store = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".schema.json"):
            with open(os.path.join(d, name)) as fp:
                s = json.load(fp)
            store[name] = s
    return store


def main():
    d = sys.argv[1]
    store = load_dir(d)
    by_id = {s.get("$id", n): s for n, s in store.items()}
    cls = jsonschema.Draft202012Validator
    if sys.argv[2] == "--meta":
        bad = 0
        for name, s in store.items():
            try:
                cls.check_schema(s)
            except jsonschema.SchemaError as e:
                print("%s: not a valid schema: %s" % (name, e.message), file=sys.stderr)
                bad = 1
        return bad
    schema = store[sys.argv[2]]
    try:
        # jsonschema >= 4.18: a registry of every schema, by $id and by file name.  The older
        # RefResolver there loses a schema's own "#/$defs/..." after a reference to another
        # file ("spec": nnft-spec.schema.json, then a ball: "#/$defs/ball")
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        res = []
        for name, s in store.items():
            r = Resource.from_contents(s, default_specification=DRAFT202012)
            res.append((name, r))
            if "$id" in s:
                res.append((s["$id"], r))
        v = cls(schema, registry=Registry().with_resources(res))
    except ImportError:
        resolver = jsonschema.RefResolver(schema.get("$id", ""), schema, store=by_id)
        v = cls(schema, resolver=resolver)
    bad = 0
    for f in sys.argv[3:]:
        with open(f) as fp:
            doc = json.load(fp)
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        for e in errs[:10]:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print("%s: %s: %s" % (f, where, e.message), file=sys.stderr)
        if errs:
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
